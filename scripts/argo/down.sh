#!/usr/bin/env bash
# Removes what up.sh installed (the controller, its RBAC and Argo's CRDs, which deletes every
# Workflow on the cluster); keeps the built binaries and images. Idempotent.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
install="$CDAG_CACHE/argo/install.yaml"
if [[ -f $KUBECONFIG_PATH ]] && kubectl_admin get --raw /readyz >/dev/null 2>&1 && [[ -f $install ]]; then
  kubectl_admin delete --ignore-not-found --wait=false -f "$install" >/dev/null
fi
echo "argo workflows removed"
