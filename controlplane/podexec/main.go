// Command podexec gives the pods of the local kwok members a filesystem of their own.
//
// kwok runs a pod's exec (kind Exec, spec.execs[].local.workDir) on this machine, as root, with the working
// directory set to workDir. podexec turns that into a pod's exec in two modes:
//
//   - jail mode, `podexec --jail <kwok> <args...>`, is how kwok-controller is started: in a private mount
//     namespace every mount is made noexec, /proc is hidden, and /bin, /sbin, /usr/bin, /usr/sbin,
//     /usr/local/bin and /usr/local/sbin hold one symbolic link per busybox applet to podexec itself. The only
//     program kwok can then start is podexec, whatever command name or /bin path it is given; any other path
//     fails instead of running on the host. The host's own mounts are untouched.
//   - pod mode (any other invocation: kwok starting a command found in those folders): the working directory
//     must be a pod root (devcluster/podroot.py makes one: a static busybox, /etc/passwd with the user `app`).
//     In a mount namespace of its own the root is bound exec-allowed (nosuid, nodev), a few device nodes are
//     bound in, then chroot, the user `app` (never root), and the command is executed as the pod resolves it.
//
// Both modes run on one locked OS thread: a mount namespace and a chroot belong to the thread that made them,
// and execve keeps the thread that calls it.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

func init() {
	runtime.LockOSThread()
}

func main() {
	if len(os.Args) >= 3 && filepath.Base(os.Args[0]) == "podexec" && os.Args[1] == "--jail" {
		err := jail(os.Args[2], os.Args[3:])
		fmt.Fprintf(os.Stderr, "podexec --jail: %v\n", err)
		os.Exit(1)
	}
	os.Exit(pod(os.Args))
}
