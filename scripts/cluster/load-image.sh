#!/usr/bin/env bash
# Copies images from the local Docker Engine into the cluster's containerd (namespace k8s.io,
# the one the kubelet uses), so pods can run them with imagePullPolicy Never or IfNotPresent:
# the cluster reaches no registry.
#
#   scripts/cluster/load-image.sh cdag-test/busybox:1 [more images...]
#
# Names are kept as Docker shows them; containerd stores them fully qualified
# (cdag-test/busybox:1 -> docker.io/cdag-test/busybox:1), which is also how the kubelet
# normalises `image: cdag-test/busybox:1` in a pod, so the short name works in manifests.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

(($# > 0)) || die "usage: $0 IMAGE [IMAGE...]"
if ! component_pid containerd >/dev/null; then
  die "the cluster's containerd is not running; start the cluster with up.sh first"
fi
for image in "$@"; do
  docker image inspect "$image" >/dev/null 2>&1 || die "no local Docker image named $image"
done

snapshotter=$(cat "$RUN_DIR/snapshotter" 2>/dev/null || echo overlayfs)
# One archive for all of them: shared layers travel once.
docker save "$@" | ctr_k8s images import --snapshotter "$snapshotter" - >&2
log "loaded into the cluster: $*"
