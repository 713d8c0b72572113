# shellcheck shell=bash disable=SC2034 # (the settings are used by the scripts that source this)
# Shared settings for the Argo Workflows controller on the project's cluster. Sourced, not run.
#
# v3.7.15, not v4: the Go module proxy serves v4 only at v4.0.5, which GHSA-48p8-g2fx-3wwm
# (CVE-2026-54526: ArtifactGC.PodSpecPatch bypasses the Strict/Secure template-reference
# allow-list) affects; its fix is in v3.7.15 and v4.0.6, and v3.7.15 is the one served.
HERE_ARGO="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../cluster/lib.sh
source "$HERE_ARGO/../cluster/lib.sh"

ARGO_VERSION="${CDAG_ARGO_VERSION:-v3.7.15}"
ARGO_MODULE=github.com/argoproj/argo-workflows/v3
ARGO_BIN_DIR="$CDAG_CACHE/argo-$ARGO_VERSION"
ARGO_NAMESPACE=argo
# Local names: the cluster pulls nothing, and these are loaded into its containerd.
ARGO_CONTROLLER_IMAGE="cdag-argo/workflow-controller:$ARGO_VERSION"
ARGO_EXEC_IMAGE="cdag-argo/argoexec:$ARGO_VERSION"

alog() { printf '[argo %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
adie() { alog "ERROR: $*"; exit 1; }

# Where the Go module cache holds Argo's source (downloaded if needed): its manifests are applied from there.
argo_module_dir() {
  local dir
  dir=$(cd /tmp && GOTOOLCHAIN=local GOFLAGS=-mod=mod go mod download -json "$ARGO_MODULE@$ARGO_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p') || return 1
  [[ -d $dir ]] || return 1
  echo "$dir"
}
