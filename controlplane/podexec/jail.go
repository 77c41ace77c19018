package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// jailDir holds, in kwok's mount namespace only, the bound copies of podexec and kwok and the applet links.
// The folder itself is created on the host (empty); the tmpfs mounted on it is private to the namespace.
const jailDir = "/run/cloudops-podexec"

// overlaid are the folders kwok finds commands in (its PATH) and the usual /bin paths of a command.
var overlaid = []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}

// jail starts kwok (never returns on success) in a private mount namespace where nothing but podexec executes.
func jail(kwok string, args []string) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("own path: %w", err)
	}
	if kwok, err = filepath.Abs(kwok); err != nil {
		return err
	}
	out, err := exec.Command(filepath.Join(filepath.Dir(self), "busybox"), "--list").Output()
	if err != nil {
		return fmt.Errorf("busybox --list beside %s: %w", self, err)
	}
	applets := appletNames(string(out))
	if len(applets) == 0 {
		return errors.New("busybox --list named no applet")
	}
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("unshare the mount namespace (podexec needs root): %w", err)
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make / private: %w", err)
	}
	if err := noexecEverywhere(); err != nil {
		return err
	}
	if err := buildJailDir(self, kwok, applets); err != nil {
		return err
	}
	for _, dir := range overlaid {
		if st, err := os.Lstat(dir); err != nil || !st.IsDir() {
			continue // absent, or a symbolic link into another overlaid folder (merged /usr)
		}
		if err := unix.Mount(filepath.Join(jailDir, "bin"), dir, "", unix.MS_BIND, ""); err != nil {
			return fmt.Errorf("bind the applet links over %s: %w", dir, err)
		}
	}
	// kwok is executed from a descriptor of its bound copy, whose mount is detached first: no path leads to it.
	fd, err := unix.Open(filepath.Join(jailDir, "kwok"), unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open kwok's copy: %w", err)
	}
	if err := unix.Unmount(filepath.Join(jailDir, "kwok"), unix.MNT_DETACH); err != nil {
		return fmt.Errorf("detach kwok's copy: %w", err)
	}
	// /proc/<pid>/root, /cwd, /exe and /fd lead into other mount namespaces (the host's, a pod's): hidden.
	if err := unix.Mount("proc-hidden", "/proc", "tmpfs",
		unix.MS_RDONLY|unix.MS_NOEXEC|unix.MS_NOSUID|unix.MS_NODEV, "size=4k,mode=0555"); err != nil {
		return fmt.Errorf("hide /proc: %w", err)
	}
	return execveat(fd, append([]string{kwok}, args...), kwokEnv(os.Environ()))
}

// noexecEverywhere makes every mount of the namespace noexec: at once with mount_setattr (Linux 5.12+),
// else mount by mount from /proc/self/mountinfo, logging (and leaving) what cannot be remounted.
func noexecEverywhere() error {
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_NOEXEC}
	err := unix.MountSetattr(unix.AT_FDCWD, "/", unix.AT_RECURSIVE, &attr)
	if err == nil {
		return nil
	}
	if !errors.Is(err, unix.ENOSYS) && !errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("mount_setattr noexec on /: %w", err)
	}
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return err
	}
	for _, m := range parseMountinfo(string(data)) {
		if err := unix.Mount("", m.point, "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_NOEXEC|m.flags, ""); err != nil {
			if m.point == "/" {
				return fmt.Errorf("remount / noexec: %w", err)
			}
			fmt.Fprintf(os.Stderr, "podexec --jail: left %s as it was (remount noexec: %v)\n", m.point, err)
		}
	}
	return nil
}

// buildJailDir mounts a tmpfs on jailDir holding podexec and kwok (bound, exec-allowed) and bin/ with one link
// per applet to podexec; then makes the tmpfs read-only.
func buildJailDir(self, kwok string, applets []string) error {
	if err := os.MkdirAll(jailDir, 0o700); err != nil {
		return err
	}
	flags := uintptr(unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC)
	if err := unix.Mount("podexec", jailDir, "tmpfs", flags, "size=1m,mode=0755"); err != nil {
		return fmt.Errorf("tmpfs on %s: %w", jailDir, err)
	}
	for name, src := range map[string]string{"podexec": self, "kwok": kwok} {
		if err := bindExecutable(src, filepath.Join(jailDir, name)); err != nil {
			return err
		}
	}
	bin := filepath.Join(jailDir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		return err
	}
	for _, name := range applets {
		if err := os.Symlink(filepath.Join(jailDir, "podexec"), filepath.Join(bin, name)); err != nil {
			return err
		}
	}
	if err := unix.Mount("", jailDir, "", unix.MS_REMOUNT|unix.MS_RDONLY|flags, ""); err != nil {
		return fmt.Errorf("remount %s read-only: %w", jailDir, err)
	}
	return nil
}

// bindExecutable binds the file src onto dst (created empty), the bind read-only, nosuid and exec-allowed.
func bindExecutable(src, dst string) error {
	if err := os.WriteFile(dst, nil, 0o755); err != nil {
		return err
	}
	if err := unix.Mount(src, dst, "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind %s: %w", src, err)
	}
	// A bind copies its source's flags (noexec by now): a remount sets them anew, without noexec.
	flags := uintptr(unix.MS_BIND | unix.MS_REMOUNT | unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV)
	if err := unix.Mount("", dst, "", flags, ""); err != nil {
		return fmt.Errorf("allow exec on the bind of %s: %w", src, err)
	}
	return nil
}

// kwokEnv is the environment kwok (and so every exec it starts) gets: PATH the overlaid folders, and only the
// variables kwok and the Go runtime read, none of the caller's.
func kwokEnv(environ []string) []string {
	env := []string{"PATH=" + strings.Join(overlaid, ":")}
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if name == "HOME" || name == "TZ" || name == "LANG" || strings.HasPrefix(name, "LC_") ||
			strings.HasPrefix(name, "KWOK_") || goRuntimeVar(name) {
			env = append(env, kv)
		}
	}
	return env
}

func goRuntimeVar(name string) bool {
	switch name {
	case "GOMAXPROCS", "GOGC", "GOMEMLIMIT", "GODEBUG", "GOTRACEBACK":
		return true
	}
	return false
}

// execveat executes the file open as fd (AT_EMPTY_PATH); it returns only on failure.
func execveat(fd int, argv, env []string) error {
	argvp, err := syscall.SlicePtrFromStrings(argv)
	if err != nil {
		return err
	}
	envp, err := syscall.SlicePtrFromStrings(env)
	if err != nil {
		return err
	}
	empty, err := syscall.BytePtrFromString("")
	if err != nil {
		return err
	}
	_, _, errno := unix.Syscall6(unix.SYS_EXECVEAT, uintptr(fd), uintptr(unsafe.Pointer(empty)),
		uintptr(unsafe.Pointer(&argvp[0])), uintptr(unsafe.Pointer(&envp[0])), unix.AT_EMPTY_PATH, 0)
	return fmt.Errorf("execute kwok: %w", errno)
}
