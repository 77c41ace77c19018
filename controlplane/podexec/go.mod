// podexec: the exec jail of the local kwok members (see main.go). Built by ../build.sh, static (CGO_ENABLED=0).
module cloudops.io/controlplane/podexec

go 1.23.0

require golang.org/x/sys v0.33.0
