# syntax=docker/dockerfile:1
# One image for both entry points, `cloudops-operator` and `cloudops-shim` (deploy/, charts/cloudops-k8s/).
# Build it with `make image`: the tag is the version in pyproject.toml, the one place the version lives.
# Checked statically in CI (tests/unit/test_dockerfile.py): no container engine runs on the build machines.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm
ARG GO_IMAGE=golang:1.26.8-bookworm

# kubectl for the CLI endpoints (/api/k8s/cli/*), built from the same pinned Kubernetes release as the local
# control plane (controlplane/kubernetes/go.mod), as controlplane/build.sh builds the apiserver.
FROM ${GO_IMAGE} AS kubectl
# The release controlplane/build.sh pins (K8S_VERSION there; tests/unit/test_dockerfile.py holds them together).
ARG K8S_VERSION=v1.33.13
WORKDIR /src
COPY controlplane/kubernetes/go.mod controlplane/kubernetes/go.sum ./
RUN CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -o /out/kubectl -ldflags "-s -w \
        -X k8s.io/client-go/pkg/version.gitVersion=${K8S_VERSION} -X k8s.io/client-go/pkg/version.gitMajor=1 \
        -X k8s.io/client-go/pkg/version.gitMinor=33 -X k8s.io/client-go/pkg/version.gitTreeState=clean \
        -X k8s.io/component-base/version.gitVersion=${K8S_VERSION} -X k8s.io/component-base/version.gitMajor=1 \
        -X k8s.io/component-base/version.gitMinor=33 -X k8s.io/component-base/version.gitTreeState=clean" \
        k8s.io/kubernetes/cmd/kubectl

FROM ${PYTHON_IMAGE}
ARG VERSION=unknown
LABEL org.opencontainers.image.title="cloudops-k8s" \
      org.opencontainers.image.description="Kubernetes-native multi-cluster operations: operator and REST shim" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /app
COPY pyproject.toml README.md ./
COPY cloudops ./cloudops
COPY cloudops_operator ./cloudops_operator
COPY api_shim ./api_shim
COPY devcluster ./devcluster
COPY ui/dist ./ui/dist
RUN pip install --no-cache-dir . \
    && useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin cloudops
COPY --from=kubectl /out/kubectl /usr/local/bin/kubectl
ENV CLOUDOPS_CONSOLE_DIR=/app/ui/dist PYTHONUNBUFFERED=1
# Numeric, so runAsNonRoot can verify it without reading /etc/passwd.
USER 10001
CMD ["cloudops-shim"]
