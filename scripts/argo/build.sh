#!/usr/bin/env bash
# Builds Argo Workflows' workflow-controller, argoexec and argo CLI into $ARGO_BIN_DIR unless they
# are there, from the Go module proxy only (the module's own go.mod and go.sum pin every
# dependency). setup.sh runs this in the background; up.sh runs it if needed.
#
# Two things the module zip lacks, restored in a copy of its source as Argo's own build has them:
#   - symlinks are left out of module zips, and workflow/executor/osspecific/signal_linux.go is a
#     symlink to signal_darwin.go in Argo's repository;
#   - the CLI embeds the UI's ui/dist/app, built with yarn; Argo's Makefile writes a placeholder
#     index.html when the UI is not built (STATIC_FILES=false), and so does this.
#
# Cost on this 2-core machine, measured with empty module and build caches: 180 s in all (module
# downloads included); the Go build cache (2-3 GB) is removed afterwards (CDAG_KEEP_GOCACHE=1
# keeps it).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

if [[ -x $ARGO_BIN_DIR/workflow-controller && -x $ARGO_BIN_DIR/argoexec && -x $ARGO_BIN_DIR/argo && -f $ARGO_BIN_DIR/.complete ]]; then
  exit 0
fi
command -v go >/dev/null || adie "Go is needed to build Argo Workflows (expected /usr/local/go/bin/go)"
mkdir -p "$CDAG_CACHE"
# One build at a time (setup.sh in the background and an argo:up by hand would remove each other's source).
exec 9>"$CDAG_CACHE/argo-build.lock"
flock 9
if [[ -f $ARGO_BIN_DIR/.complete ]]; then exit 0; fi
started=$SECONDS
gocache="$CDAG_CACHE/go-build-argo"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOCACHE="$gocache"

alog "downloading $ARGO_MODULE@$ARGO_VERSION"
module_dir=$(argo_module_dir) || adie "go mod download of $ARGO_MODULE@$ARGO_VERSION failed (is the Go module proxy reachable?)"

src="$CDAG_CACHE/argo-src-$ARGO_VERSION"
rm -rf "$src"
cp -r "$module_dir" "$src"
chmod -R u+w "$src"
trap 'rm -rf "$src"' EXIT
osspecific="$src/workflow/executor/osspecific"
[[ -f $osspecific/signal_linux.go ]] || cp "$osspecific/signal_darwin.go" "$osspecific/signal_linux.go"
mkdir -p "$src/ui/dist/app"
[[ -f $src/ui/dist/app/index.html ]] || echo 'Argo Server UI not built (Container DAGs uses the controller only)' >"$src/ui/dist/app/index.html"

alog "building workflow-controller, argoexec and argo $ARGO_VERSION (about 3 min cold on 2 cores)"
pkg=github.com/argoproj/argo-workflows/v3
ldflags="-s -w -X $pkg.version=$ARGO_VERSION -X $pkg.gitTag=$ARGO_VERSION -X $pkg.gitTreeState=clean"
ldflags+=" -X $pkg.buildDate=1970-01-01T00:00:00Z"
rm -f "$ARGO_BIN_DIR/.complete"
mkdir -p "$ARGO_BIN_DIR"
(cd "$src" && GOFLAGS="-mod=readonly -buildvcs=false" nice -n 19 go build -trimpath -gcflags=all=-dwarf=false \
  -ldflags "$ldflags" -o "$ARGO_BIN_DIR/" ./cmd/workflow-controller ./cmd/argoexec ./cmd/argo) ||
  adie "go build failed (the Go build cache in $gocache is kept for a retry)"
"$ARGO_BIN_DIR/argo" version --short >/dev/null || adie "the built argo CLI does not run"
touch "$ARGO_BIN_DIR/.complete"
if [[ ${CDAG_KEEP_GOCACHE:-0} != 1 ]]; then
  GOCACHE="$gocache" go clean -cache 2>/dev/null || true
  rm -rf "$gocache"
fi
alog "built Argo Workflows $ARGO_VERSION in $((SECONDS - started))s: $ARGO_BIN_DIR"
