#!/usr/bin/env bash
# Removes what up.sh installed (the controller, its RBAC and Argo's CRDs, which deletes every
# Workflow on the cluster); keeps the built binaries and images. Idempotent.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
install="$CDAG_CACHE/argo/install.yaml"
if [[ ! -f $install ]]; then
  echo "argo workflows: nothing installed by argo:up"
  exit 0
fi
if ! { [[ -f $KUBECONFIG_PATH ]] && kubectl_admin get --raw /readyz >/dev/null 2>&1; }; then
  echo "argo workflows: the cluster is not running (nothing to remove)"
  exit 0
fi
# Waits, so that an argo:up right after finds no namespace or CRD still terminating.
kubectl_admin delete --ignore-not-found --wait=true --timeout=120s -f "$install" >/dev/null
kubectl_admin delete --ignore-not-found rolebindings.rbac.authorization.k8s.io -A \
  --field-selector metadata.name=cdag-argo-executor >/dev/null 2>&1 || true
echo "argo workflows removed"
