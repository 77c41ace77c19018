"""One vocabulary across sibling endpoints (issue 19): a parameter is accepted under the name the reference gives
it and under its sibling endpoint's name, an error names the one the caller sent, and both at once is refused.
Also the containers' answers in the reference's form: levels in its case, history ids as integers."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from api_shim.mcp_server import _cluster_argument
from api_shim.openapi import build_openapi
from api_shim.routes import container_logs
from cloudops.containers.logparse import LogLine
from cloudops.errors import BadRequest, CloudOpsError, Unprocessable
from cloudops.services.containers.base import EXEC_STREAM, EXPORT_STREAM, history_id
from cloudops.services.containers.files import delete_target
from cloudops.services.containers.follow import shown_level
from cloudops.services.containers.logs import _filter
from cloudops.services.containers.models import (
    DeleteBody,
    DeleteQuery,
    ExportBody,
    LogsQuery,
    SearchQuery,
    StreamQuery,
)
from cloudops.services.mcp.models import ExecuteBody
from cloudops.services.unified.models import ListQuery
from cloudops.validation import validation_message


def refused(model: type[BaseModel], raw: dict[str, object], where: str = "query") -> str:
    with pytest.raises(ValidationError) as e:
        model.model_validate(raw, strict=True if where == "body" else None)
    return validation_message(e.value, where)


@pytest.mark.parametrize("model", [LogsQuery, StreamQuery])
def test_logs_take_the_names_of_search(model: type[LogsQuery | StreamQuery]) -> None:
    q = model.model_validate({"query": "boom", "limit": "7"})
    assert (q.search, q.tail, q.sent("search"), q.sent("tail")) == ("boom", 7, "query", "limit")
    own = model.model_validate({"search": "boom", "tail": "7"})
    assert (own.search, own.tail, own.sent("search"), own.sent("tail")) == ("boom", 7, "search", "tail")
    both = "query.query: the same parameter as search: send one of them"
    assert refused(model, {"search": "a", "query": "b"}) == both
    assert refused(model, {"limit": "-1"}).startswith("query.limit: ")


def test_search_takes_the_names_of_logs() -> None:
    q = SearchQuery.model_validate({"search": "boom", "tail": "3"})
    assert (q.query, q.limit, q.sent("query"), q.sent("limit")) == ("boom", 3, "search", "tail")
    assert SearchQuery.model_validate({"query": "x"}).sent("query") == "query"
    assert refused(SearchQuery, {"search": ""}).startswith("query.search: ")
    assert refused(SearchQuery, {}).startswith("query.query: Field required")


def test_a_bad_regex_is_named_as_sent() -> None:
    for name in ("search", "query"):
        with pytest.raises(Unprocessable) as e:
            _filter(None, None, None, "(unclosed", True, search_name=name)
        assert e.value.field == name and "invalid regular expression" in e.value.detail


def test_levels_as_a_string_or_a_list_everywhere() -> None:
    logs = LogsQuery.model_validate({"level": ["info,ERROR", "Warn"]})
    assert _filter(None, None, logs.level, None, False).levels == {"info", "error", "warn"}
    for level in ("INFO, error", ["INFO", "error"], ["info,error"]):
        body = ExportBody.model_validate({"filters": {"level": level}}, strict=True)
        assert body.filters is not None
        assert _filter(None, None, body.filters.level, None, False).levels == {"info", "error"}, level
    assert refused(LogsQuery, {"level": ["info;drop"]}).startswith("query.level[0]: ")
    with pytest.raises(BadRequest) as e:
        _filter(None, None, "loud", None, False, prefix="body.filters.")
    assert e.value.field == "body.filters.level"


def test_levels_are_shown_in_the_reference_case() -> None:
    assert [shown_level(LogLine(None, "", m)) for m in ('{"level":"info"}', "[warning] x", "err: y", "z")] == [
        "INFO", "WARN", "ERROR", "UNKNOWN"]


def test_query_levels_are_documented_as_a_repeatable_parameter() -> None:
    doc = build_openapi(container_logs.section.endpoints)
    params = {p["name"]: p for p in doc["paths"]["/api/k8s/containers/{id}/logs"]["get"]["parameters"]}
    assert params["level"]["schema"]["anyOf"][0]["type"] == "array"
    assert "`query`" in params["search"]["description"] and "`limit`" in params["tail"]["description"]
    search = {p["name"]: p for p in doc["paths"]["/api/k8s/containers/{id}/logs/search"]["get"]["parameters"]}
    assert "`search`" in search["query"]["description"] and "`tail`" in search["limit"]["description"]


def test_history_ids_are_the_record_names_as_integers() -> None:
    assert history_id("exec-b2z9x", EXEC_STREAM) == int("b2z9x", 36)
    assert history_id("log-export-00000", EXPORT_STREAM) == 0
    names = [f"exec-{a}{b}xyz" for a in "bcdf" for b in "2456"]
    assert len({history_id(n, EXEC_STREAM) for n in names}) == len(names)  # one id per record
    assert history_id("exec-b2z9x", EXEC_STREAM) == history_id("exec-b2z9x", EXEC_STREAM)
    odd = history_id("exec-made-by-hand", EXEC_STREAM)  # not generateName's form: stable, outside that range
    assert odd == history_id("exec-made-by-hand", EXEC_STREAM) and 36 ** 5 <= odd < 2 ** 53


def test_delete_takes_its_path_from_the_query_or_the_body() -> None:
    none_q, none_b = DeleteQuery(), DeleteBody()
    assert delete_target(DeleteQuery(path="/a", recursive=True), none_b) == ("/a", "path", True)
    assert delete_target(none_q, DeleteBody(path="/a")) == ("/a", "body.path", False)
    assert delete_target(DeleteQuery(path="/a"), DeleteBody(path="/a", recursive=True)) == ("/a", "body.path", True)
    for q, b, field in [(DeleteQuery(path="/a"), DeleteBody(path="/b"), "path"),
                        (DeleteQuery(recursive=True), DeleteBody(path="/a", recursive=False), "recursive"),
                        (none_q, none_b, "path")]:
        with pytest.raises(BadRequest) as e:
            delete_target(q, b)
        assert e.value.field == field


def test_tool_execute_takes_cluster_as_the_mcp_server_names_it() -> None:
    body = ExecuteBody.model_validate({"cluster": "m1", "parameters": {}}, strict=True)
    assert (body.cluster_id, body.sent("cluster_id")) == ("m1", "cluster")
    assert ExecuteBody.model_validate({"cluster_id": 1}, strict=True).sent("cluster_id") == "cluster_id"
    assert refused(ExecuteBody, {"cluster_id": 1, "cluster": 1}, "body") == (
        "body.cluster: the same parameter as cluster_id: send one of them")


def test_the_mcp_server_takes_cluster_id_as_rest_names_it() -> None:
    assert _cluster_argument({"cluster": None, "cluster_id": 2, "x": 1}) == (2, "cluster_id")
    args: dict[str, object] = {"cluster": "m1", "cluster_id": None}
    assert _cluster_argument(args) == ("m1", "cluster") and args == {}
    with pytest.raises(CloudOpsError) as e:
        _cluster_argument({"cluster": "m1", "cluster_id": "m1"})
    assert e.value.status == 400 and "cluster_id" in e.value.detail


def test_unified_list_takes_one_cluster_id() -> None:
    q = ListQuery.model_validate({"resource_type": "pods", "cluster_id": "m2"})
    assert (q.cluster_ids, q.sent("cluster_ids")) == ("m2", "cluster_id")
    many = ListQuery.model_validate({"resource_type": "pods", "cluster_ids": "1,2"})
    assert many.sent("cluster_ids") == "cluster_ids"
    assert refused(ListQuery, {"resource_type": "pods", "cluster_id": "m1,m2"}) == (
        "query.cluster_id: one cluster id or name; several go in cluster_ids")
    assert refused(ListQuery, {"resource_type": "pods", "cluster_id": "m1", "cluster_ids": "m2"}).startswith(
        "query.cluster_id: the same parameter as cluster_ids")
