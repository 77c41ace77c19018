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
PROMETHEUS_VERSION=v0.316.0    # github.com/prometheus/prometheus: the Go module of Prometheus v3.16.0
# Dex (the OIDC provider of the sign-in tests) is pinned in controlplane/dex/go.mod (v2.45.1's commit).

RECIPE=1               # bump when the way binaries are built changes (flags, ldflags)

key=$( (echo "$K8S_VERSION $ETCD_VERSION $KWOK_VERSION $RECIPE"; cat "$here/kubernetes/go.mod" "$here/etcd/go.mod") \
      | sha256sum | cut -c1-12)
cache=${CLOUDOPS_CACHE:-$HOME/.cache/cloudops-k8s}
bin="$cache/$K8S_VERSION-$key/bin"
want=(kube-apiserver kube-controller-manager kube-scheduler etcd kwok kwokctl metrics-server prometheus dex helm)
dex_pin=$(cat "$here/dex/go.mod" "$here/dex/go.sum" | sha256sum | cut -c1-12)
# Helm (the chart's lint and render tests) is pinned in controlplane/helm/go.mod.
helm_pin=$(cat "$here/helm/go.mod" "$here/helm/go.sum" | sha256sum | cut -c1-12)

# --- Pod sandboxes: podexec (controlplane/podexec, rebuilt when its source changes), kwok-jail (how the members'
# kwok-controller starts: inside podexec's jail) and a static busybox, the command set of every pod root. ---
want+=(podexec kwok-jail busybox)
podexec_hash=$(cat "$here"/podexec/go.mod "$here"/podexec/go.sum "$here"/podexec/*.go | sha256sum | cut -c1-12)
[ "$(cat "$bin/podexec.stamp" 2>/dev/null)" = "$podexec_hash" ] || rm -f "$bin/podexec"

complete() { for b in "${want[@]}"; do [ -x "$bin/$b" ] || return 1; done
             [ "$(cat "$bin/prometheus.pin" 2>/dev/null)" = "$PROMETHEUS_VERSION" ] &&
             [ "$(cat "$bin/dex.pin" 2>/dev/null)" = "$dex_pin" ] &&
             [ "$(cat "$bin/helm.pin" 2>/dev/null)" = "$helm_pin" ]; }
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

# Its pin is not in the cache key (that would rebuild Kubernetes): a stamp beside the binary says what it is.
if ! [ -x "$bin/prometheus" ] || [ "$(cat "$bin/prometheus.pin" 2>/dev/null)" != "$PROMETHEUS_VERSION" ]; then
  # The server only: no UI assets (the API is all the product and tests use), and of the service discoveries
  # only file and http (remove_all_sd keeps those two): the cloud SDKs would double the build time.
  log "building prometheus $PROMETHEUS_VERSION (first time: about 4 minutes on 2 cores)"
  mkdir -p "$work/prometheus"
  printf 'module cloudops.local/prometheus\n\ngo 1.26\n\nrequire github.com/prometheus/prometheus %s\n' \
      "$PROMETHEUS_VERSION" > "$work/prometheus/go.mod"
  minor=$(echo "$PROMETHEUS_VERSION" | cut -d. -f2); pv="3.${minor#3}.$(echo "$PROMETHEUS_VERSION" | cut -d. -f3)"  # v0.316.0 is 3.16.0
  (cd "$work/prometheus" && go build -trimpath -tags remove_all_sd \
      -ldflags "-s -w -X github.com/prometheus/common/version.Version=$pv" \
      -o "$bin/prometheus" github.com/prometheus/prometheus/cmd/prometheus)
  echo "$PROMETHEUS_VERSION" > "$bin/prometheus.pin"
fi

# Pinned by controlplane/dex/go.mod and go.sum (a stamp beside the binary, like prometheus). Memory storage and
# embedded web templates: no cgo, no sqlite.
if ! [ -x "$bin/dex" ] || [ "$(cat "$bin/dex.pin" 2>/dev/null)" != "$dex_pin" ]; then
  log "building dex (first time: about 3 minutes on 2 cores)"
  mkdir -p "$work/dex"; cp "$here/dex/go.mod" "$here/dex/go.sum" "$work/dex/"
  (cd "$work/dex" && go build -trimpath -ldflags "-s -w" -o "$bin/dex" github.com/dexidp/dex/cmd/dex)
  echo "$dex_pin" > "$bin/dex.pin"
fi

if ! [ -x "$bin/helm" ] || [ "$(cat "$bin/helm.pin" 2>/dev/null)" != "$helm_pin" ]; then
  log "building helm (first time: about 3 minutes on 2 cores)"
  mkdir -p "$work/helm"; cp "$here/helm/go.mod" "$here/helm/go.sum" "$work/helm/"
  hv=$(sed -n 's/^require helm.sh\/helm\/v4 \(v[^ ]*\)$/\1/p' "$here/helm/go.mod")
  (cd "$work/helm" && go build -trimpath -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$hv" \
      -o "$bin/helm" helm.sh/helm/v4/cmd/helm)
  echo "$helm_pin" > "$bin/helm.pin"
fi

# --- Pod sandboxes (see the top): podexec and kwok-jail beside kwok; busybox-static from Debian's packages, kept
# in the cache by its version so a new bin folder reuses it without the network. ---
if ! [ -x "$bin/podexec" ] || ! [ -x "$bin/kwok-jail" ]; then
  log "building podexec, the exec jail of the pods"
  (cd "$here/podexec" && GOFLAGS="-mod=readonly -buildvcs=false" go build -trimpath -ldflags "-s -w" \
      -o "$bin/.podexec.new" .)
  mv -f "$bin/.podexec.new" "$bin/podexec"  # a rename: a running jail keeps the file it bound
  cat > "$bin/.kwok-jail.new" <<'JAIL'
#!/bin/sh
# kwok-controller of the local members, started in podexec's jail (controlplane/podexec/main.go).
here=$(dirname "$(readlink -f "$0")")
exec "$here/podexec" --jail "$here/kwok" "$@"
JAIL
  chmod 755 "$bin/.kwok-jail.new" && mv -f "$bin/.kwok-jail.new" "$bin/kwok-jail"
  echo "$podexec_hash" > "$bin/podexec.stamp"
fi
if ! [ -x "$bin/busybox" ]; then
  cached=$(ls -d "$cache"/busybox/*/busybox 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$cached" ]; then
    command -v apt-get >/dev/null || { log "busybox-static comes from Debian's packages: apt-get is required"; exit 1; }
    log "fetching Debian's busybox-static"
    mkdir -p "$work/busybox"
    (cd "$work/busybox" && { apt-get download busybox-static >/dev/null 2>&1 \
        || { apt-get update -qq >/dev/null 2>&1 || true; apt-get download busybox-static >&2; }; })
    deb=$(ls "$work"/busybox/busybox-static_*.deb)
    dpkg-deb -x "$deb" "$work/busybox/x"
    cached="$cache/busybox/$(dpkg-deb -f "$deb" Version)/busybox"
    mkdir -p "$(dirname "$cached")" && cp "$work/busybox/x/bin/busybox" "$cached"
  fi
  "$cached" true || { log "$cached does not run"; exit 1; }
  cp "$cached" "$bin/.busybox.new" && chmod 755 "$bin/.busybox.new" && mv -f "$bin/.busybox.new" "$bin/busybox"
fi

complete || { log "build incomplete in $bin"; exit 1; }
echo "$bin"
