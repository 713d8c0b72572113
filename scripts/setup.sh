#!/usr/bin/env bash
# Prepares a fresh machine for development and tests: system packages, npm dependencies, a Docker
# Engine, a local image registry, code-server (a real VS Code for the e2e suite), a real
# single-node Kubernetes cluster with an Argo Workflows controller on it, and Apache Airflow (for
# the interop suite). Idempotent; run as root on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
step() { echo "::: $* ($(($(date +%s) - start))s)"; }

# The longest step goes first and in the background: Kubernetes is built from the Go module proxy
# (once; cached in ~/.cache/container-dags), then the test registry, while the rest is set up.
step "Kubernetes, registry and Argo Workflows binaries (background, niced; cached after the first time)"
(bash scripts/cluster/build.sh && bash scripts/registry-up.sh && bash scripts/argo/build.sh) >/tmp/cdag-go-builds.log 2>&1 &
go_builds=$!

step "Apache Airflow, pinned and the newest 3.x, in virtual environments (background; cached after the first time)"
(nice bash scripts/airflow-up.sh && nice bash scripts/airflow-up.sh --newest) >/tmp/cdag-airflow-up.log 2>&1 &
airflow_install=$!

step "system packages (chromium, ripgrep, libkrb5-dev, docker.io, busybox-static; the cluster's come with up.sh)"
need=()
command -v dockerd >/dev/null || need+=(docker.io)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v chromium >/dev/null || need+=(chromium)
command -v rg >/dev/null || need+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

step "Docker Engine"
bash scripts/docker-up.sh

step "npm dependencies"
npm ci --no-audit --no-fund --loglevel=error

step "code-server 4.100.3 (VS Code 1.100)"
bash scripts/install-code-server.sh

step "waiting for the Kubernetes, registry and Argo builds"
if ! wait "$go_builds"; then
  echo "building Kubernetes, the registry or Argo Workflows failed; the log:" >&2
  tail -40 /tmp/cdag-go-builds.log >&2
  exit 1
fi

step "waiting for the Airflow install"
if ! wait "$airflow_install"; then
  echo "installing Airflow failed; the log:" >&2
  tail -40 /tmp/cdag-airflow-up.log >&2
  exit 1
fi

step "the test cluster (npm run cluster:up)"
bash scripts/cluster/up.sh | tail -n 1
step "the Argo Workflows controller on it (npm run argo:up)"
bash scripts/argo/up.sh | tail -n 1
step "ready"
