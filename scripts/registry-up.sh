#!/usr/bin/env bash
# A real image registry on 127.0.0.1:5055 for the tests that need a pull to take time (cancel during
# a pull): CNCF Distribution's registry, built once from the Go module proxy (no image registry is
# reachable from these machines) and cached. Docker treats 127.0.0.0/8 registries as insecure, so
# plain HTTP works without daemon configuration. Idempotent.
set -euo pipefail
# Go lives in /usr/local/go on these machines; a non-login shell may not have it on PATH.
export PATH="$PATH:/usr/local/go/bin"
VERSION=v3.0.0
BIN="$HOME/.cache/container-dags/registry-$VERSION"
ADDR=127.0.0.1:5055
if curl -fsS "http://$ADDR/v2/" >/dev/null 2>&1; then echo "registry is up at $ADDR"; exit 0; fi
if [ ! -x "$BIN/registry" ]; then
  command -v go >/dev/null || { echo "Go is needed to build the test registry (golang from go.dev or Debian)" >&2; exit 1; }
  echo "building the registry $VERSION (once; cached in $BIN)"
  GOBIN="$BIN" GOFLAGS=-trimpath go install "github.com/distribution/distribution/v3/cmd/registry@$VERSION"
fi
mkdir -p /tmp/cdag-registry
cat >/tmp/cdag-registry/config.yml <<YAML
version: 0.1
log: { level: warn }
storage: { filesystem: { rootdirectory: /tmp/cdag-registry/data }, delete: { enabled: true } }
http: { addr: $ADDR }
YAML
nohup "$BIN/registry" serve /tmp/cdag-registry/config.yml >/tmp/cdag-registry/registry.log 2>&1 &
for _ in $(seq 1 40); do
  if curl -fsS "http://$ADDR/v2/" >/dev/null 2>&1; then echo "registry is up at $ADDR"; exit 0; fi
  sleep 0.25
done
echo "the registry did not come up; its log:" >&2
tail -20 /tmp/cdag-registry/registry.log >&2
exit 1
