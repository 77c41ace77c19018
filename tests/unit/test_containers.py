"""The pure parts of container operations: ids, log lines and levels, filters, exit codes, paths, listings,
export formats and terminal frames."""

from __future__ import annotations

import csv
import io
import json

import pytest

from cloudops.containers.exitcodes import exit_code_of, missing_executable
from cloudops.containers.exports import ExportWriter, human_size, safe_filename
from cloudops.containers.files import parse_fields, parse_listing, workdir_argv
from cloudops.containers.filters import EventIds, LogFilter, Resume, Tail, compile_search, parse_levels
from cloudops.containers.ids import ContainerId, pick_container
from cloudops.containers.logparse import detect_level, format_ns, parse_line, parse_time_ns
from cloudops.containers.paths import PathError, check_readable, check_writable, normalize
from cloudops.containers.terminal import OutputDecoder, parse_client_frame


def test_container_ids_parse_with_and_without_the_container() -> None:
    assert ContainerId.parse("1:default:web-0:app") == ContainerId("1", "default", "web-0", "app")
    assert ContainerId.parse("member-1:ns:pod.with.dots") == ContainerId("member-1", "ns", "pod.with.dots")
    assert str(ContainerId.parse("1:ns:p")) == "1:ns:p"
    for bad, part in [("1:ns", "expected"), ("1:NS:p", "namespace"), ("1:ns:p:App", "container"),
                      ("x_y:ns:p", "cluster"), ("1:ns:-p", "pod"), ("1:ns:p:c:d", "expected")]:
        with pytest.raises(ValueError, match=part):
            ContainerId.parse(bad)


def test_pick_container() -> None:
    one = {"spec": {"containers": [{"name": "app"}]}}
    two = {"spec": {"containers": [{"name": "a"}, {"name": "b"}], "initContainers": [{"name": "init"}]}}
    assert pick_container(one, "") == "app" and pick_container(two, "b") == "b"
    assert pick_container(two, "init") == "init"
    with pytest.raises(ValueError, match="name one"):
        pick_container(two, "")
    with pytest.raises(ValueError, match="has no container"):
        pick_container(one, "other")


def test_timestamps_keep_nanoseconds_and_offsets() -> None:
    ns = parse_time_ns("2024-01-01T00:00:00.000000001Z")
    assert ns == 1704067200_000000001 and format_ns(ns) == "2024-01-01T00:00:00.000000001Z"
    assert parse_time_ns("2024-01-01T01:00:00+01:00") == parse_time_ns("2024-01-01T00:00:00Z")
    assert parse_time_ns("2024-01-01T00:00:00.5Z") - parse_time_ns("2024-01-01T00:00:00Z") == 500_000_000
    with pytest.raises(ValueError):
        parse_time_ns("yesterday")


def test_lines_from_the_kubelet_and_from_cri_files() -> None:
    line = parse_line("2024-01-01T00:00:00.000000000Z hello world\n")
    assert (line.stamp, line.message) == ("2024-01-01T00:00:00.000000000Z", "hello world")
    cri = parse_line("2024-01-01T00:00:00Z stderr F boom")
    assert cri.message == "boom" and cri.ts == parse_time_ns("2024-01-01T00:00:00Z")
    bare = parse_line("no timestamp here")
    assert bare.ts is None and bare.message == "no timestamp here"


@pytest.mark.parametrize(("message", "level"), [
    ('{"level":"info","msg":"x"}', "info"),
    ('{"severity":"ERROR","message":"x"}', "error"),
    ('{"Level":"warning"}', "warn"),
    ("level=debug msg=x", "debug"),
    ('ts=1 lvl="WARN" msg=x', "warn"),
    ("[INFO] started", "info"),
    ("<error> no", "error"),
    ("2024 ERROR failed", "error"),
    ("Warning: low disk", "warn"),
    ("FATAL boom", "error"),
    ("TRACE deep", "debug"),
    ("all is fine, no error here", "unknown"),
    ("plain", "unknown"),
    ("{not json", "unknown"),
])
def test_levels(message: str, level: str) -> None:
    assert detect_level(message) == level


def test_filters_window_levels_text_and_regex() -> None:
    t0 = parse_time_ns("2024-01-01T00:00:00Z")
    line = parse_line("2024-01-01T00:00:01Z [ERROR] Connection refused")
    assert LogFilter(since=t0, until=t0 + 2_000_000_000).matches(line)
    assert not LogFilter(until=t0).matches(line) and LogFilter(until=t0).past_window(line.ts)
    assert LogFilter(levels=frozenset({"error"}), search="CONNECTION").matches(line)
    assert not LogFilter(levels=frozenset({"info"})).matches(line)
    assert LogFilter(search="refused", pattern=compile_search(r"conn\w+ ref", True)).matches(line)
    assert not LogFilter().active and LogFilter(search="x").active
    with pytest.raises(ValueError, match="invalid regular expression"):
        compile_search("(", True)
    assert parse_levels(["INFO,warning", " error "]) == frozenset({"info", "warn", "error"})
    assert parse_levels([]) is None
    with pytest.raises(ValueError, match="loud"):
        parse_levels(["loud"])


def test_tail_keeps_only_the_last_items() -> None:
    tail: Tail[int] = Tail(2)
    for i in range(5):
        tail.offer(i)
    assert list(tail.items) == [3, 4] and tail.total == 5
    none: Tail[int] = Tail(0)
    none.offer(1)
    assert not none.items and none.total == 1


def test_event_ids_and_resume_count_lines_sharing_a_timestamp() -> None:
    lines = [parse_line(f"2024-01-01T00:00:0{s}Z m{i}") for i, s in enumerate([0, 1, 1, 1, 2])]
    ids = EventIds()
    assert [ids.next(line) for line in lines] == ["2024-01-01T00:00:00Z#1", "2024-01-01T00:00:01Z#1",
                                                  "2024-01-01T00:00:01Z#2", "2024-01-01T00:00:01Z#3",
                                                  "2024-01-01T00:00:02Z#1"]
    resume = Resume.parse("2024-01-01T00:00:01Z#2")
    assert [line.message for line in lines if not resume.skip(line.ts)] == ["m3", "m4"]
    without_count = Resume.parse("2024-01-01T00:00:01Z")
    assert [line.message for line in lines if not without_count.skip(line.ts)] == ["m4"]
    with pytest.raises(ValueError):
        Resume.parse("garbage#1")


def test_exit_codes_in_the_kubelet_and_the_kwok_forms() -> None:
    assert exit_code_of({"status": "Success"}) == 0
    kubelet = {"status": "Failure", "reason": "NonZeroExitCode",
               "message": "command terminated with non-zero exit code",
               "details": {"causes": [{"reason": "ExitCode", "message": "42"}]}}
    assert exit_code_of(kubelet) == 42
    kwok = {"status": "Failure", "reason": "InternalError",
            "message": "Internal error occurred: error executing command in container: cmd wait: sh -c x: "
                       "exit status 7"}
    assert exit_code_of(kwok) == 7
    missing = {"status": "Failure", "reason": "InternalError",
               "message": 'cmd start: nope : exec: "nope": executable file not found in $PATH'}
    assert exit_code_of(missing) is None and missing_executable(missing)
    assert not missing_executable(kwok)


def test_paths_are_normalized_and_refused() -> None:
    assert normalize("/app//logs/./a.txt/") == "/app/logs/a.txt" and normalize("/") == "/"
    assert normalize("/a/$(rm -rf x); `id`\n ü") == "/a/$(rm -rf x); `id`\n ü"
    for bad, why in [("/a/../etc", "climbs"), ("/a\x00b", "NUL"), ("relative", "absolute"),
                     ("/" + "a" * 5000, "longer")]:
        with pytest.raises(PathError, match=why):
            normalize(bad)
    for protected in ("/", "/etc", "/usr/bin", "/proc/1/environ", "/sys/kernel", "/dev/sda"):
        with pytest.raises(PathError):
            check_writable(protected)
    check_writable("/etc/nginx/nginx.conf")
    check_writable("/app/data")


def test_listing_parses_names_with_newlines_and_stops_at_the_limit() -> None:
    out = (b"81a4 12 1704067200\n/app/a\nb.txt\0"
           b"41ed 4096 1704067201\n/app/dir\0"
           b"a1ff 7 1704067202\n/app/link\0"
           b"81a4 1 1704067203\n/app/cut")
    entries, truncated = parse_listing(out, 10)
    assert truncated and [e.path for e in entries] == ["/app/a\nb.txt", "/app/dir", "/app/link"]
    assert [(e.type, e.permissions) for e in entries] == [("file", "644"), ("directory", "755"), ("symlink", "777")]
    assert entries[0].name == "a\nb.txt" and entries[0].size == 12
    assert entries[0].modified_time == "2024-01-01T00:00:00Z"
    limited, more = parse_listing(out, 1)
    assert len(limited) == 1 and more
    assert parse_fields(b"parent:/a/b\0type:file\0sha:abc\0") == {"parent": "/a/b", "type": "file", "sha": "abc"}


def test_working_dir_is_a_positional_parameter_never_shell_text() -> None:
    argv = workdir_argv("/tmp/$(x)", ["echo", "a b"])
    assert argv == ["sh", "-c", 'cd "$1" && shift && exec "$@"', "sh", "/tmp/$(x)", "echo", "a b"]


def test_export_formats() -> None:
    entry = {"timestamp": "2024-01-01T00:00:00Z", "level": "info", "message": 'a "quoted", line',
             "namespace": "ns", "pod_name": "p", "container_name": "c"}
    js = ExportWriter("json")
    assert json.loads(js.head() + js.line(entry) + js.line(entry) + js.tail()) == [entry, entry]
    empty = ExportWriter("json")
    assert json.loads(empty.head() + empty.tail()) == []
    c = ExportWriter("csv")
    rows = list(csv.reader(io.StringIO((c.head() + c.line(entry)).decode())))
    assert rows[1][-1] == 'a "quoted", line' and rows[0][0] == "timestamp"
    assert ExportWriter("txt").line(entry) == b'2024-01-01T00:00:00Z [INFO] a "quoted", line\n'
    assert safe_filename("p/../x", 'a"b', ext="csv") == "p-..-x_a-b.csv"
    assert human_size(512) == "512B" and human_size(1258291) == "1.2MB"


def test_terminal_frames() -> None:
    assert parse_client_frame('{"type":"stdin","data":"ls\\n"}').data == b"ls\n"
    resize = parse_client_frame('{"type":"resize","cols":120,"rows":40}')
    assert (resize.cols, resize.rows) == (120, 40)
    assert parse_client_frame('{"type":"ping"}').type == "ping"
    for bad in ("nope", "[]", '{"type":"resize","cols":0,"rows":1}', '{"type":"stdin","data":1}',
                '{"type":"shell"}', '{"type":"resize","cols":true,"rows":2}'):
        with pytest.raises(ValueError):
            parse_client_frame(bad)
    dec = OutputDecoder()
    euro = "€".encode()
    assert dec.feed(euro[:1]) == "" and dec.feed(euro[1:]) == "€"


def test_chunk_search_agrees_with_the_line_filter() -> None:
    from cloudops.containers.search import ChunkSearch

    log = b"".join(f"2024-01-01T00:00:{i % 60:02d}.{i:09d}Z msg {i} {'Error' if i % 7 == 0 else 'ok'}\n".encode()
                   for i in range(1000))
    log += b"no timestamp ERROR here\n2024-01-01T00:00:00Z stderr F cri error line"  # no final newline
    for needle in ("error", "00:0", "Z", "msg 99"):
        flt = LogFilter(search=needle)
        expected = [(n, raw) for n, raw in enumerate(log.split(b"\n"), start=1)
                    if flt.matches(parse_line(raw.decode()))]
        search = ChunkSearch(needle, limit=5, offset=2)
        for i in range(0, len(log), 997):  # chunks that cut lines anywhere
            search.feed(log[i:i + 997])
        search.finish()
        assert search.total == len(expected), needle
        assert search.hits == expected[2:7], needle
    with pytest.raises(ValueError):
        ChunkSearch("ü", 1, 0)


def test_websocket_urls_believe_forwarding_headers_only_from_trusted_proxies() -> None:
    from aiohttp import web
    from aiohttp.test_utils import make_mocked_request

    from api_shim.security.client_ip import TrustedProxies
    from api_shim.state import PROXIES
    from api_shim.streams.terminal_socket import ws_base as _ws_base

    def base(peer: str, headers: dict[str, str]) -> str:
        app = web.Application()
        app[PROXIES] = TrustedProxies("10.0.0.0/8")
        req = make_mocked_request("POST", "/x", headers={"Host": "shim.local:8080", **headers}, app=app)
        req._transport_peername = (peer, 1234)  # type: ignore[attr-defined]
        return _ws_base(req)

    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "ops.example.com"}
    assert base("127.0.0.1", {}) == "ws://shim.local:8080"
    assert base("127.0.0.1", forwarded) == "ws://shim.local:8080"  # not a trusted proxy: ignored
    assert base("10.1.2.3", forwarded) == "wss://ops.example.com"
    assert base("10.1.2.3", {"X-Forwarded-Host": "evil/path"}) == "ws://shim.local:8080"


@pytest.mark.parametrize(("path", "why"), [
    ("/proc/self/environ", "under /proc"), ("/proc/1/environ", "under /proc"), ("/proc", "under /proc"),
    ("/sys/class/net", "under /sys"), ("/dev/mem", "under /dev"),
    ("/etc/shadow", "credentials"), ("/etc/shadow-", "credentials"), ("/etc/gshadow", "credentials"),
    ("/etc/gshadow-", "credentials"), ("/etc/sudoers", "credentials"), ("/etc/sudoers.d/admins", "credentials"),
    ("/etc/security/opasswd", "credentials"),
    ("/var/run/secrets/kubernetes.io/serviceaccount/token", "credentials"),
    ("/run/secrets/kubernetes.io/serviceaccount", "credentials"), ("/run/secrets", "credentials"),
    ("/var/run/secrets/eks.amazonaws.com/serviceaccount/token", "credentials"),
    ("/root/.ssh/id_ed25519", "credentials"), ("/root/.ssh", "credentials"), ("/home/ann/.ssh/id_rsa", "credentials"),
    ("/etc/ssh/ssh_host_ed25519_key", "credentials"),
])
def test_reads_are_refused_in_kernel_trees_and_of_credentials(path: str, why: str) -> None:
    with pytest.raises(PathError, match=why):
        check_readable(path)


@pytest.mark.parametrize("path", ["/", "/etc/passwd", "/etc/hosts", "/etc/nginx/nginx.conf", "/app/config.yaml",
                                  "/etc/ssh/ssh_host_ed25519_key.pub", "/etc/ssh/sshd_config", "/root/notes.txt",
                                  "/var/run/app.pid", "/home/ann/.sshrc", "/devices/x", "/processes"])
def test_ordinary_files_stay_readable(path: str) -> None:
    check_readable(path)


@pytest.mark.parametrize(("text", "why"), [
    ("2026-02-30T00:00:00Z", "not a valid date and time"), ("0000-01-01T00:00:00Z", "not a valid date and time"),
    ("2024-01-01T24:00:00Z", "not a valid date and time"), ("2024-01-01T00:00:00+24:00", "not a valid date"),
])
def test_impossible_timestamps_are_refused_in_our_own_words(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why) as refused:
        parse_time_ns(text)
    assert "e.g. 2024-01-01T00:00:00Z" in str(refused.value)
    assert "is out of range for month" not in str(refused.value) and "year 0 is" not in str(refused.value)


def test_the_extreme_timestamps_round_trip() -> None:
    for text in ("9999-12-31T23:59:59.999999999Z", "0001-01-01T00:00:00.000000000Z"):
        assert format_ns(parse_time_ns(text)) == text
    # Past the representable years in UTC: the edge, which formats too.
    assert format_ns(parse_time_ns("9999-12-31T23:59:59.5-01:00")) == "9999-12-31T23:59:59.500000000Z"
    assert format_ns(parse_time_ns("0001-01-01T00:00:00+01:00")) == "0001-01-01T00:00:00.000000000Z"
