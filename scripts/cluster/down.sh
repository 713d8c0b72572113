#!/usr/bin/env bash
# Stops the cluster up.sh started and removes its state, so the next up.sh starts clean.
# Keeps the built binaries (~/.cache/container-dags/kube-<version>) and the last run's logs
# (~/.cache/container-dags/cluster/logs). Idempotent: with nothing running it does nothing.
#
# Order matters: the kubelet first (else it restarts what we stop), then every pod sandbox
# through the CRI while containerd still runs (that runs CNI DEL: veth, IP lease and iptables
# rules go away cleanly), then kube-proxy's rules, the control plane, etcd, containerd, and
# last whatever a crash may have left: shims, mounts, the bridge.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
[[ $(id -u) == 0 ]] || die "must run as root"

if [[ ${1:-} != --locked ]]; then # up.sh calls us while already holding the lock
  mkdir -p "$CDAG_CACHE"
  exec 9>"$LOCK_FILE"
  flock 9
fi

# Whether a cluster of ours ran since the last down: only then are KUBE-*/CNI-* iptables
# chains ours to remove.
ran=false
[[ -d $RUN_DIR ]] && ran=true

stop_daemon kubelet 20

if component_pid containerd >/dev/null && [[ -x $BIN_DIR/cri-cleanup ]]; then
  "$BIN_DIR/cri-cleanup" --runtime-endpoint "$CRI_ENDPOINT" >&2 ||
    log "some pod sandboxes could not be removed; their leftovers are cleaned up below"
fi

if component_pid kube-proxy >/dev/null; then
  stop_daemon kube-proxy
  # Removes the KUBE-* chains and the jumps into them. Only when we ran kube-proxy: it
  # would also remove a real installation's rules.
  "$BIN_DIR/kube-proxy" --cleanup >"$LOG_DIR/kube-proxy-cleanup.log" 2>&1 || true
fi

for c in kube-scheduler kube-controller-manager kube-apiserver etcd containerd; do
  stop_daemon "$c"
done

# Shims outlive containerd by design; any left belong to pods that could not be removed
# above. Only those started for our socket are ours.
for pid in $(pgrep -f -- "-address $CONTAINERD_SOCK" 2>/dev/null || true); do
  kill -KILL "$pid" 2>/dev/null || true
done

# Leftover mounts (pod volumes, rootfs, netns) would make the rm below fail or, worse,
# delete through into a hostPath. Deepest first; lazy so a busy one cannot block us.
for root in "$STATE_DIR" "$RUN_DIR"; do
  findmnt -rn -o TARGET 2>/dev/null | awk -v r="$root" 'index($0, r) == 1' | sort -r |
    while read -r target; do umount -l "$target" 2>/dev/null || true; done
done

# What the kubelet (KUBE-FIREWALL, KUBE-MARK-MASQ, canaries), kube-proxy and the CNI
# firewall/portmap plugins leave behind in iptables and ip6tables, which would otherwise
# outlive the cluster: the jumps into those chains first, then the chains.
remove_iptables_chains() {
  local cmd=$1 table rule chain
  for table in filter nat mangle; do
    "$cmd" -t "$table" -S >/dev/null 2>&1 || continue
    "$cmd" -t "$table" -S | awk '$1 == "-A" && $2 !~ /^(KUBE|CNI)-/ && / -j (KUBE|CNI)-/' |
      while read -r rule; do
        eval "$cmd -w -t $table -D ${rule#-A }" 2>/dev/null || true
      done
    for chain in $("$cmd" -t "$table" -S | awk '$1 == "-N" && $2 ~ /^(KUBE|CNI)-/ {print $2}'); do
      "$cmd" -w -t "$table" -F "$chain" 2>/dev/null || true
    done
    for chain in $("$cmd" -t "$table" -S | awk '$1 == "-N" && $2 ~ /^(KUBE|CNI)-/ {print $2}'); do
      "$cmd" -w -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
}
if $ran; then
  for cmd in iptables ip6tables; do
    command -v "$cmd" >/dev/null && remove_iptables_chains "$cmd"
  done
fi

if ip link show "$CNI_BRIDGE" >/dev/null 2>&1; then
  ip link delete "$CNI_BRIDGE" || true
fi

# --one-file-system: never descend into anything still mounted.
rm -rf --one-file-system "$STATE_DIR" "$RUN_DIR"
rm -rf "$PKI_DIR" "$ETC_DIR" "$KUBECONFIG_PATH"
log "cluster stopped and its state removed (logs kept in $LOG_DIR)"
