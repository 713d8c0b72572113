#!/usr/bin/env bash
# Installs a real Argo Workflows controller into the project's cluster (namespace argo): builds it
# from the Go module proxy once (build.sh), makes the controller and executor images from the
# static binaries, loads them into the cluster's containerd, and applies Argo's own manifests from
# the module's source (CRDs, the controller's Deployment, ConfigMap and RBAC) with the images and
# the executor set by a kustomize overlay. Idempotent. The last line says it is ready.
#
# Workflows run under their namespace's `default` ServiceAccount, and Argo's emissary executor
# writes its results as WorkflowTaskResults: in the namespaces that run workflows here
# (CDAG_ARGO_NAMESPACES, default "default cdag-argo-it airflow"), that namespace's ServiceAccounts
# get that one permission there (Argo's quick-start `executor` role) — no other namespace's.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
started=$SECONDS

[[ -f $KUBECONFIG_PATH ]] || adie "no cluster: run npm run cluster:up first"
kubectl_admin get --raw /readyz >/dev/null 2>&1 || adie "the cluster does not answer: run npm run cluster:up"
bash "$HERE/build.sh"

module_dir=$(argo_module_dir) || adie "go mod download of $ARGO_MODULE@$ARGO_VERSION failed (is the Go module proxy reachable?)"
[[ -d $module_dir/manifests ]] || adie "Argo's manifests are not in $module_dir"

work="$CDAG_CACHE/argo"
mkdir -p "$work"
# Images from the static binaries: nothing but the binary, /tmp and what Argo's own images add.
image() { # NAME BINARY USER
  local ctx="$work/image-$2"
  rm -rf "$ctx" && mkdir -p "$ctx/tmp" "$ctx/etc"
  chmod 1777 "$ctx/tmp" # the classic builder keeps the context's modes (BuildKit's --chmod is not there)
  cp "$ARGO_BIN_DIR/$2" "$ctx/$2"
  cp "$module_dir/hack/nsswitch.conf" "$ctx/etc/nsswitch.conf"
  chmod u+w "$ctx/etc/nsswitch.conf"
  {
    echo 'FROM scratch'
    echo 'COPY tmp /tmp'
    echo 'COPY etc/nsswitch.conf /etc/nsswitch.conf'
    echo "COPY $2 /bin/$2"
    [[ -n $3 ]] && echo "USER $3"
    echo "ENTRYPOINT [\"/bin/$2\"]"
  } >"$ctx/Dockerfile"
  DOCKER_BUILDKIT=0 docker build -q -t "$1" "$ctx" >/dev/null 2>&1 || adie "docker build of $1 failed"
}
made=0
if ! docker image inspect "$ARGO_CONTROLLER_IMAGE" "$ARGO_EXEC_IMAGE" >/dev/null 2>&1; then
  alog "making the images $ARGO_CONTROLLER_IMAGE and $ARGO_EXEC_IMAGE"
  image "$ARGO_CONTROLLER_IMAGE" workflow-controller 8737
  image "$ARGO_EXEC_IMAGE" argoexec ''
  made=1
fi
# Loaded every time: a cluster started again has an empty containerd.
loaded=$(bash "$HERE/../cluster/load-image.sh" "$ARGO_CONTROLLER_IMAGE" "$ARGO_EXEC_IMAGE" 2>&1) ||
  adie "loading the images into the cluster failed: $loaded"

overlay="$work/overlay"
rm -rf "$overlay" && mkdir -p "$overlay"
# kustomize reads bases only below the overlay: a copy of Argo's manifests goes there.
cp -r "$module_dir/manifests" "$overlay/argo-manifests"
chmod -R u+w "$overlay/argo-manifests"
cat >"$overlay/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: $ARGO_NAMESPACE
resources:
  - namespace.yaml
  - argo-manifests/base/crds/minimal
  - argo-manifests/base/workflow-controller
  - argo-manifests/cluster-install-no-crds/workflow-controller-rbac
  - executor-rbac.yaml
images:
  - name: quay.io/argoproj/workflow-controller
    newName: ${ARGO_CONTROLLER_IMAGE%:*}
    newTag: $ARGO_VERSION
patches:
  - target: {kind: Deployment, name: workflow-controller}
    patch: |-
      - op: replace
        path: /spec/template/spec/containers/0/args
        value: [--executor-image, $ARGO_EXEC_IMAGE, --executor-image-pull-policy, IfNotPresent]
      - op: add
        path: /spec/template/spec/containers/0/imagePullPolicy
        value: IfNotPresent
YAML
cat >"$overlay/namespace.yaml" <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: $ARGO_NAMESPACE
YAML
cat >"$overlay/executor-rbac.yaml" <<'YAML'
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: cdag-argo-executor
rules:
  - apiGroups: [argoproj.io]
    resources: [workflowtaskresults]
    verbs: [create, patch]
YAML
# Bound per namespace, outside the overlay (whose namespace transformer would move them to argo).
bindings="$work/executor-bindings.yaml"
: >"$bindings"
for ns in ${CDAG_ARGO_NAMESPACES:-default cdag-argo-it airflow}; do
  cat >>"$bindings" <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: $ns
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: cdag-argo-executor
  namespace: $ns
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cdag-argo-executor
subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: Group
    name: system:serviceaccounts:$ns
---
YAML
done
alog "applying Argo's manifests (namespace $ARGO_NAMESPACE)"
kubectl_admin kustomize "$overlay" >"$work/install.yaml"
kubectl_admin apply --server-side --force-conflicts -f "$work/install.yaml" >/dev/null
kubectl_admin apply --server-side --force-conflicts -f "$bindings" >/dev/null
kubectl_admin wait --for condition=established --timeout=60s crd/workflows.argoproj.io >/dev/null
# Images made again under the same tag need new pods.
if ((made)); then kubectl_admin -n "$ARGO_NAMESPACE" rollout restart deployment/workflow-controller >/dev/null; fi
kubectl_admin -n "$ARGO_NAMESPACE" rollout status deployment/workflow-controller --timeout=180s >/dev/null ||
  adie "the controller did not become ready: kubectl -n $ARGO_NAMESPACE describe pod -l app=workflow-controller"
alog "Argo Workflows $ARGO_VERSION up in $((SECONDS - started))s"
echo "argo workflows $ARGO_VERSION ready (controller in namespace $ARGO_NAMESPACE; argo CLI: $ARGO_BIN_DIR/argo)"
