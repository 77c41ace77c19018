package main

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"golang.org/x/sys/unix"
)

func TestAppletNamesKeepOnlyFileNames(t *testing.T) {
	got := appletNames("[\n[[\nls\n\nsh\n.\n..\na/b\n")
	if want := []string{"[", "[[", "ls", "sh"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestParseMountinfoKeepsPerMountFlagsAndUnescapes(t *testing.T) {
	text := "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n" +
		"28 27 0:25 / /mnt/with\\040space ro,nosuid,nodev,relatime - tmpfs x ro,size=4k\n" +
		"short line\n"
	got := parseMountinfo(text)
	want := []mountPoint{{"/", unix.MS_RELATIME},
		{"/mnt/with space", unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV | unix.MS_RELATIME}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestLookupUserFindsAppOrFallsBackToANonRootDefault(t *testing.T) {
	passwd := "root:x:0:0:root:/root:/bin/sh\napp:x:1001:1002:app:/home/app:/bin/sh\n"
	if got := lookupUser(passwd, "app"); got != (account{1001, 1002, "/home/app"}) {
		t.Fatalf("got %+v", got)
	}
	if got := lookupUser("root:x:0:0:root:/root:/bin/sh\n", "app"); got != (account{1000, 1000, "/app"}) {
		t.Fatalf("got %+v", got)
	}
}

func TestResolveLooksUpNamesInPathAndKeepsSlashedPaths(t *testing.T) {
	root := t.TempDir()
	for _, dir := range []string{"bin", "usr/bin"} {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	must(t, os.WriteFile(filepath.Join(root, "bin/busybox"), []byte("x"), 0o755))
	must(t, os.Symlink("busybox", filepath.Join(root, "bin/ls")))
	must(t, os.WriteFile(filepath.Join(root, "usr/bin/data"), []byte("x"), 0o644)) // not executable
	if got, err := resolve("ls", "/usr/bin:/bin", root); err != nil || got != "/bin/ls" {
		t.Fatalf("ls: %q %v", got, err)
	}
	if _, err := resolve("data", "/usr/bin:/bin", root); err != errNotFound {
		t.Fatalf("data: %v", err)
	}
	if got, err := resolve("/anything/at/all", "/bin", root); err != nil || got != "/anything/at/all" {
		t.Fatalf("absolute: %q %v", got, err)
	}
	if _, err := resolve("", "/bin", root); err != errNotFound {
		t.Fatalf("empty: %v", err)
	}
}

func TestPodEnvReplacesTheHostsAndDropsKwoksOwn(t *testing.T) {
	env := podEnv([]string{"PATH=/host/bin", "HOME=/root", "PWD=/work/pod", "KWOK_X=1", "GOMAXPROCS=2",
		"LANG=C.UTF-8", "FROM_EXEC=yes"}, account{1000, 1000, "/app"}, true)
	want := []string{"LANG=C.UTF-8", "FROM_EXEC=yes", "PATH=" + podPath, "HOME=/app", "USER=app", "LOGNAME=app",
		"SHELL=/bin/sh", "PWD=/", "TERM=xterm"}
	if !reflect.DeepEqual(env, want) {
		t.Fatalf("got %q", env)
	}
	if env := podEnv([]string{"TERM=vt100"}, account{1000, 1000, "/app"}, true); env[0] != "TERM=vt100" ||
		len(env) != 7 {
		t.Fatalf("a TERM given is kept: %q", env)
	}
}

func TestKwokEnvKeepsOnlyWhatKwokReads(t *testing.T) {
	got := kwokEnv([]string{"PATH=/root/go/bin:/usr/bin", "HOME=/root", "SECRET_TOKEN=x", "KWOK_WORKDIR=/w",
		"GOGC=50", "LC_ALL=C"})
	want := []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root",
		"KWOK_WORKDIR=/w", "GOGC=50", "LC_ALL=C"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q", got)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
