package main

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// appletNames are the lines of `busybox --list` that can name a file: no slash, not . or .., not empty.
func appletNames(list string) []string {
	var out []string
	for _, line := range strings.Split(list, "\n") {
		name := strings.TrimSpace(line)
		if name != "" && name != "." && name != ".." && !strings.Contains(name, "/") {
			out = append(out, name)
		}
	}
	return out
}

type mountPoint struct {
	point string
	flags uintptr // the per-mount flags to keep on a remount
}

// parseMountinfo lists the mount points of /proc/self/mountinfo with their per-mount flags (ro, nosuid, nodev,
// atime): a bind remount sets all of them anew, so the ones a mount has must be given again.
func parseMountinfo(text string) []mountPoint {
	var out []mountPoint
	for _, line := range strings.Split(text, "\n") {
		fields := strings.Fields(line)
		if len(fields) < 6 {
			continue
		}
		var flags uintptr
		for _, opt := range strings.Split(fields[5], ",") {
			flags |= mountOptions[opt]
		}
		out = append(out, mountPoint{unescapeMountinfo(fields[4]), flags})
	}
	return out
}

var mountOptions = map[string]uintptr{
	"ro": unix.MS_RDONLY, "nosuid": unix.MS_NOSUID, "nodev": unix.MS_NODEV, "noexec": unix.MS_NOEXEC,
	"noatime": unix.MS_NOATIME, "nodiratime": unix.MS_NODIRATIME, "relatime": unix.MS_RELATIME,
	"strictatime": unix.MS_STRICTATIME,
}

// unescapeMountinfo undoes the kernel's octal escapes (\040 is a space) in a mountinfo path.
func unescapeMountinfo(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

type account struct {
	uid, gid int
	home     string
}

// lookupUser finds name in an /etc/passwd text; the pod's default, app (1000:1000, home /app), when absent.
func lookupUser(passwd, name string) account {
	for _, line := range strings.Split(passwd, "\n") {
		f := strings.Split(line, ":")
		if len(f) < 6 || f[0] != name {
			continue
		}
		uid, err1 := strconv.Atoi(f[2])
		gid, err2 := strconv.Atoi(f[3])
		if err1 == nil && err2 == nil {
			return account{uid, gid, f[5]}
		}
	}
	return account{1000, 1000, "/app"}
}

var errNotFound = errors.New("executable file not found in $PATH")

// resolve finds a command as a shell would: a name with a slash as it is, any other in the folders of path
// (an executable regular file). root prefixes every lookup (tests; "" once chrooted).
func resolve(name, path, root string) (string, error) {
	if name == "" {
		return "", errNotFound
	}
	if strings.Contains(name, "/") {
		return name, nil
	}
	for _, dir := range filepath.SplitList(path) {
		candidate := filepath.Join(dir, name)
		if st, err := os.Stat(root + candidate); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return candidate, nil
		}
	}
	return "", errNotFound
}

// podEnv is a command's environment in the pod: what kwok passed (the Exec's own variables among it) less
// kwok's own, with PATH, HOME, USER, LOGNAME, SHELL and PWD (kwok's is the host's path of the root) the pod's,
// and TERM=xterm on a terminal without one.
func podEnv(environ []string, u account, tty bool) []string {
	set := map[string]string{"PATH": podPath, "HOME": u.home, "USER": "app", "LOGNAME": "app", "SHELL": "/bin/sh",
		"PWD": "/"}
	env := make([]string, 0, len(environ)+len(set)+1)
	hasTerm := false
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if _, mine := set[name]; mine || strings.HasPrefix(name, "KWOK_") || goRuntimeVar(name) {
			continue
		}
		hasTerm = hasTerm || name == "TERM"
		env = append(env, kv)
	}
	for _, name := range []string{"PATH", "HOME", "USER", "LOGNAME", "SHELL", "PWD"} {
		env = append(env, name+"="+set[name])
	}
	if tty && !hasTerm {
		env = append(env, "TERM=xterm")
	}
	return env
}
