#!/usr/bin/env bash
# Prepares a fresh machine for development and tests: system packages, npm dependencies, and
# code-server (a real VS Code for the e2e suite). Idempotent; run as root on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
step() { echo "::: $* ($(($(date +%s) - start))s)"; }

step "system packages (chromium, ripgrep, libkrb5-dev, docker.io, busybox-static)"
need=()
command -v dockerd >/dev/null || need+=(docker.io)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v chromium >/dev/null || need+=(chromium)
command -v rg >/dev/null || need+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

step "Docker Engine"
bash scripts/docker-up.sh

step "a local image registry (cancel-during-pull tests)"
bash scripts/registry-up.sh

step "npm dependencies"
npm ci --no-audit --no-fund --loglevel=error

step "code-server 4.100.3 (VS Code 1.100)"
bash scripts/install-code-server.sh
step "ready"
