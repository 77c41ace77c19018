# CloudOps K8s. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MEMBERS ?= 2
PYTEST_ARGS ?=
# The product's version: pyproject.toml is the one place it lives; the image tag and the chart follow it.
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -n 1)
IMAGE ?= cloudops-k8s

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-16s %s\n", $$1, $$2}'

$(BIN)/activate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

venv: $(BIN)/activate ## Create the virtualenv with runtime and dev dependencies

controlplane: ## Build (or reuse) kube-apiserver, controller-manager, scheduler, etcd, kwok and helm from Go modules
	@bash controlplane/build.sh >/dev/null

cluster-up: venv controlplane ## Start (or reuse) a local hub and $(MEMBERS) members on loopback
	$(BIN)/python -m devcluster up --members $(MEMBERS)

cluster-down: venv ## Stop every local cluster process and remove their data
	$(BIN)/python -m devcluster down

cluster-status: venv ## Show the local clusters and whether they answer
	$(BIN)/python -m devcluster status

install-crds: ## Apply the CRDs to the cluster KUBECONFIG points at
	kubectl apply --server-side -k crds/

deploy: ## Apply operator, shim, RBAC and CRDs (kustomize) to the cluster KUBECONFIG points at
	kubectl apply --server-side -k deploy/

undeploy: ## Remove what `make deploy` applied
	kubectl delete --ignore-not-found -k deploy/

ui: venv ## Build the web console (ui/dist) from the npm registry when its sources, lockfile or the API changed
	@bash ui/build.sh $(CURDIR) $(CURDIR)/$(BIN)/python

browser: ## Debian's chromium for the console's browser tests (installed where missing)
	@bash tests/console/chromium.sh

run: venv controlplane ui ## Local control plane, CRDs, samples, operator and shim on 127.0.0.1:8080 (Ctrl-C stops)
	$(BIN)/python -m devcluster.run

test: venv controlplane ui browser ## Unit tests, tests against real local apiservers, the console in chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv ## ruff, and the layer contracts (import-linter, see pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: venv ## mypy
	$(BIN)/mypy

bench: venv controlplane ## Benchmarks, reported as ratios against a baseline measured in the same run
	$(BIN)/python -m bench

image: ui ## Build the image $(IMAGE):$(VERSION) with docker, podman or buildah, whichever runs here
	@bash deploy/image.sh "$(IMAGE)" "$(VERSION)"

kind-up: ## Where Docker runs: a kind cluster to use via KUBECONFIG (not used by CI here)
	kind create cluster --name cloudops-hub --kubeconfig .clusters/kind-hub.kubeconfig
	@echo "export KUBECONFIG=$$PWD/.clusters/kind-hub.kubeconfig"

.PHONY: help venv ui browser controlplane image cluster-up cluster-down cluster-status install-crds deploy undeploy run test lint typecheck bench kind-up
