#!/usr/bin/env bash
# Builds the cluster's binaries into $BIN_DIR (see lib.sh) unless they are already there:
#   kube   the multi-call Kubernetes binary (kubebin/), plus a symlink per component
#   pause  the static sandbox program (pause/)
# up.sh calls this; CI can also run it on its own, early, to overlap the build with other work.
#
# The build only goes through the Go module proxy: kubebin/go.mod requires k8s.io/kubernetes
# and replaces every k8s.io staging module with its published v0.x version (the replace lines
# in kubernetes' own go.mod point into its source tree and do not apply to a dependent), and
# go.sum pins every module's hash.
#
# Cost on this 2-core machine, cold (measured; see README.md): ~30 s of module downloads, then
# 5.5 min of compile and link when the machine is otherwise idle, 9 min beside a test run;
# a 2.6 GB Go build cache that is deleted afterwards (CDAG_KEEP_GOCACHE=1 keeps it); 124 MB kept.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

KUBE_COMPONENTS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)

if [[ -x $BIN_DIR/kube && -x $BIN_DIR/pause && -f $BIN_DIR/.complete ]]; then
  exit 0
fi
command -v go >/dev/null || die "Go is needed to build Kubernetes (expected /usr/local/go/bin/go)"

mkdir -p "$BIN_DIR"
# A private build cache: the compiled Kubernetes packages are useless once the binary exists
# and would otherwise leave ~3 GB in the shared cache.
gocache="$CDAG_CACHE/go-build-kube"
started=$SECONDS

# GOTOOLCHAIN=local: never fetch another Go toolchain because of a go line.
# CGO_ENABLED=0: a static binary, no C compiler needed, and a little less to build.
# -trimpath, -dwarf=false and -s -w: nobody debugs these with DWARF, and not generating it
# saves ~15% of the compile time (measured: 7m50s instead of 8m59s of CPU).
# -p: both cores; `nice` keeps a parallel test run responsive.
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false" GOCACHE="$gocache"

if [[ ! -x $BIN_DIR/pause ]]; then
  (cd "$HERE/pause" && nice -n 19 go build -trimpath -ldflags '-s -w' -o "$BIN_DIR/pause.tmp" .)
  mv "$BIN_DIR/pause.tmp" "$BIN_DIR/pause"
fi

if [[ ! -x $BIN_DIR/kube ]]; then
  [[ $(awk '$1 == "k8s.io/kubernetes" {print $2}' "$HERE/kubebin/go.mod") == "$KUBE_VERSION" ]] ||
    die "kubebin/go.mod does not require k8s.io/kubernetes $KUBE_VERSION; regenerate it (see README.md)"
  log "building Kubernetes $KUBE_VERSION (one multi-call binary; 5-10 min cold on 2 cores)"
  minor=${KUBE_VERSION#v1.}; minor=${minor%%.*}
  # What `kubectl version` and the node's kubeletVersion report; upstream sets these from git.
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  (cd "$HERE/kubebin" &&
    nice -n 19 go build -trimpath -tags providerless -gcflags=all=-dwarf=false -ldflags "$ldflags" -o "$BIN_DIR/kube.tmp" .) ||
    die "go build failed (the Go build cache in $gocache is kept for a retry)"
  mv "$BIN_DIR/kube.tmp" "$BIN_DIR/kube"
  log "built Kubernetes in $((SECONDS - started))s"
fi

for c in "${KUBE_COMPONENTS[@]}" cri-cleanup; do ln -sfn kube "$BIN_DIR/$c"; done
"$BIN_DIR/kubelet" --version >/dev/null || die "the built binary does not run"
touch "$BIN_DIR/.complete"
if [[ ${CDAG_KEEP_GOCACHE:-0} != 1 ]]; then
  # Build caches are read-only files; go clean knows how to remove them.
  GOCACHE="$gocache" go clean -cache 2>/dev/null || true
  rm -rf "$gocache"
fi
