#!/usr/bin/env bash
# Sets the container log rotation of the running test cluster's kubelet and restarts the kubelet
# (pods keep running). `kubelet-logs.sh 1Mi 3s` forces small rotation, for the test that follows a
# log while the kubelet rotates it (reliability test 27); `kubelet-logs.sh` restores the kubelet's
# defaults (10Mi, checked every 10 s).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
size=${1:-10Mi}
interval=${2:-10s}
cfg="$ETC_DIR/kubelet.yaml"
[[ -f $cfg ]] || die "no cluster here; run npm run cluster:up first"
pid=$(component_pid kubelet) || die "the kubelet is not running; run npm run cluster:up"
mapfile -d '' args <"/proc/$pid/cmdline"
sed -i '/^containerLogMaxSize:/d;/^containerLogMaxFiles:/d;/^containerLogMonitorInterval:/d' "$cfg"
printf 'containerLogMaxSize: %s\ncontainerLogMaxFiles: 5\ncontainerLogMonitorInterval: %s\n' "$size" "$interval" >>"$cfg"
stop_daemon kubelet
start_daemon kubelet "${args[@]}"
node_ready() {
  [[ $(kubectl_admin get node "$NODE_NAME" \
    -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}') == True ]]
}
# The node stays Ready in the API for a while after the old kubelet stops: wait for the new one's
# heartbeat too, by its log line.
wait_for "the kubelet to sync again" 60 kubelet grep -q "Successfully registered node\|Node was previously registered\|Started kubelet" "$LOG_DIR/kubelet.log"
wait_for "node $NODE_NAME to be Ready" 60 kubelet node_ready
log "kubelet restarted with container logs rotated at $size, checked every $interval"
