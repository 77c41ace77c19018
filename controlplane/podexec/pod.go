package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// podPath is the PATH of every command in a pod.
const podPath = "/bin:/sbin:/usr/bin:/usr/sbin"

// devices are bound from the host into a pod root's /dev, onto the empty files podroot.py leaves there.
var devices = []string{"null", "zero", "full", "random", "urandom", "tty"}

// pod executes argv in the pod whose root is the working directory; it returns an exit code only on failure
// (126: could not enter the pod or execute, 127: no such command in the pod), the reason on stderr.
func pod(argv []string) int {
	if os.Geteuid() != 0 {
		return fail(126, "must start as root to enter a pod (an Exec's securityContext is not supported)")
	}
	root, err := os.Getwd()
	if err != nil {
		return fail(126, "working directory: %v", err)
	}
	if st, err := os.Lstat(filepath.Join(root, "bin", "busybox")); root == "/" || err != nil || !st.Mode().IsRegular() {
		return fail(126, "%s is not a pod root (no bin/busybox): make it with devcluster.podroot.make_root", root)
	}
	// Nothing may follow this process into its namespace through /proc while it is still root.
	_ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	if err := enter(root); err != nil {
		return fail(126, "entering the pod at %s: %v", root, err)
	}
	user := lookupUser(readFile("/etc/passwd"), "app")
	if user.uid == 0 || user.gid == 0 {
		return fail(126, "the pod's user app may not be root")
	}
	tty := isTerminal(0)
	if tty { // the terminal becomes the session's: job control, Ctrl-C to the foreground job
		if _, err := unix.Setsid(); err == nil {
			_ = unix.IoctlSetInt(0, unix.TIOCSCTTY, 0)
		}
	}
	if err := dropRoot(user); err != nil {
		return fail(126, "becoming %d:%d: %v", user.uid, user.gid, err)
	}
	path, err := resolve(argv[0], podPath, "")
	if err != nil {
		return fail(127, "%s: %v", argv[0], err)
	}
	err = unix.Exec(path, argv, podEnv(os.Environ(), user, tty))
	if errors.Is(err, unix.ENOENT) {
		return fail(127, "%s: %v", argv[0], err)
	}
	return fail(126, "%s: %v", argv[0], err)
}

// enter gives this thread a mount namespace of its own in which root is bound onto itself exec-allowed
// (nosuid, nodev) with the host's harmless devices bound into its /dev, and chroots into it.
func enter(root string) error {
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("unshare: %w", err)
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make / private: %w", err)
	}
	if err := unix.Mount(root, root, "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind: %w", err)
	}
	// The bind copied the flags of the mount below (noexec in kwok's namespace): set them anew.
	if err := unix.Mount("", root, "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_NOSUID|unix.MS_NODEV, ""); err != nil {
		return fmt.Errorf("allow exec: %w", err)
	}
	for _, name := range devices {
		target := filepath.Join(root, "dev", name)
		if _, err := os.Stat("/dev/" + name); err != nil {
			continue // this machine has none to give
		}
		if st, err := os.Lstat(target); err == nil && st.Mode().IsRegular() {
			if err := unix.Mount("/dev/"+name, target, "", unix.MS_BIND, ""); err != nil {
				return fmt.Errorf("bind /dev/%s: %w", name, err)
			}
		}
	}
	if err := unix.Chroot(root); err != nil {
		return fmt.Errorf("chroot: %w", err)
	}
	return unix.Chdir("/")
}

// dropRoot makes every thread the pod's user, with no supplementary group (syscall's calls apply to all threads).
func dropRoot(u account) error {
	if err := syscall.Setgroups(nil); err != nil {
		return err
	}
	if err := syscall.Setgid(u.gid); err != nil {
		return err
	}
	return syscall.Setuid(u.uid)
}

func isTerminal(fd int) bool {
	_, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	return err == nil
}

func readFile(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return string(data)
}

func fail(code int, format string, a ...any) int {
	fmt.Fprintf(os.Stderr, "podexec: "+format+"\n", a...)
	return code
}
