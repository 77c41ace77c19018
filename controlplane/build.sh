#!/usr/bin/env bash
# Builds (or reuses) the local control-plane binaries from their official Go modules.
# Prints the bin directory on stdout. Binaries live outside the repo, keyed by the pins,
# so a changed pin builds a fresh set and an unchanged one is reused as is.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
K8S_VERSION=v1.33.13   # k8s.io/kubernetes; staging modules pinned to v0.33.13 in kubernetes/go.mod
ETCD_VERSION=v3.5.24   # kubeadm's DefaultEtcdVersion for the release above
KWOK_VERSION=v0.7.0    # sigs.k8s.io/kwok: fake nodes, kwokctl process manager
METRICS_SERVER_VERSION=v0.8.0  # sigs.k8s.io/metrics-server: metrics.k8s.io on the members

RECIPE=1               # bump when the way binaries are built changes (flags, ldflags)

key=$( (echo "$K8S_VERSION $ETCD_VERSION $KWOK_VERSION $RECIPE"; cat "$here/kubernetes/go.mod" "$here/etcd/go.mod") \
      | sha256sum | cut -c1-12)
cache=${CLOUDOPS_CACHE:-$HOME/.cache/cloudops-k8s}
bin="$cache/$K8S_VERSION-$key/bin"
want=(kube-apiserver kube-controller-manager kube-scheduler etcd kwok kwokctl metrics-server)

complete() { for b in "${want[@]}"; do [ -x "$bin/$b" ] || return 1; done; }
if complete; then echo "$bin"; exit 0; fi

command -v go >/dev/null || { echo "go is required to build the control plane" >&2; exit 1; }
mkdir -p "$bin"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export GOFLAGS=-mod=mod CGO_ENABLED=0

log() { echo "[controlplane] $*" >&2; }

if ! [ -x "$bin/kube-apiserver" ] || ! [ -x "$bin/kube-controller-manager" ] || ! [ -x "$bin/kube-scheduler" ]; then
  log "building kube-apiserver, kube-controller-manager, kube-scheduler $K8S_VERSION (first time: about 7 minutes on 2 cores)"
  minor=$(echo "$K8S_VERSION" | cut -d. -f2)
  pkg=k8s.io/component-base/version
  ldflags="-s -w -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  cp "$here/kubernetes/go.mod" "$work/go.mod"; [ -f "$here/kubernetes/go.sum" ] && cp "$here/kubernetes/go.sum" "$work/go.sum"
  (cd "$work" && go build -trimpath -ldflags "$ldflags" -o "$work/out/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler)
  mv "$work"/out/* "$bin/"
  rm -f "$work/go.mod" "$work/go.sum"
fi

if ! [ -x "$bin/etcd" ]; then
  log "building etcd $ETCD_VERSION"
  mkdir -p "$work/etcd"; cp "$here/etcd/go.mod" "$work/etcd/go.mod"; [ -f "$here/etcd/go.sum" ] && cp "$here/etcd/go.sum" "$work/etcd/"
  (cd "$work/etcd" && go build -trimpath -ldflags "-s -w" -o "$bin/etcd" go.etcd.io/etcd/server/v3)
fi

if ! [ -x "$bin/kwok" ] || ! [ -x "$bin/kwokctl" ]; then
  log "building kwok and kwokctl $KWOK_VERSION"
  GOBIN="$bin" go install -trimpath -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" \
      "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/kwokctl@$KWOK_VERSION"
fi

if ! [ -x "$bin/metrics-server" ]; then
  log "building metrics-server $METRICS_SERVER_VERSION"
  GOBIN="$bin" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/metrics-server/cmd/metrics-server@$METRICS_SERVER_VERSION"
fi

complete || { log "build incomplete in $bin"; exit 1; }
echo "$bin"
