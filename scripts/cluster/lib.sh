# shellcheck shell=bash disable=SC2034 # (the settings are used by the scripts that source this)
# Shared settings and helpers for up.sh, down.sh, build.sh and load-image.sh. Sourced, not run.
#
# Where things live (nothing of the cluster goes to the default paths of a system containerd,
# kubelet or CNI, so it can sit beside Docker and beside a real installation):
#   $CDAG_CACHE/kube-$KUBE_VERSION/  the built binaries: kept by down.sh, keyed by version
#   $CLUSTER_DIR/                    kubeconfig, pki/, etc/ (generated configs), logs/
#   $STATE_DIR  (/var/lib/...)       etcd data, containerd root, kubelet root, CNI config+IPAM
#   $RUN_DIR    (/run/...)           containerd state and socket, pidfiles
# down.sh removes CLUSTER_DIR (but logs/), STATE_DIR and RUN_DIR; up.sh starts from scratch.

# k8s.io/kubernetes v1.33.13: v1.32.x cannot be built here because the module mirror lacks some
# of its staging modules at the matching v0.32.x (kube-proxy, cri-client); 1.33 is within
# kubectl 1.32's supported skew and builds with Go 1.26. Changing it means regenerating
# kubebin/go.mod and go.sum (README.md says how).
KUBE_VERSION="${CDAG_KUBE_VERSION:-v1.33.13}"

CDAG_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/container-dags"
BIN_DIR="$CDAG_CACHE/kube-$KUBE_VERSION"
CLUSTER_DIR="$CDAG_CACHE/cluster"
KUBECONFIG_PATH="$CLUSTER_DIR/kubeconfig"
PKI_DIR="$CLUSTER_DIR/pki"
ETC_DIR="$CLUSTER_DIR/etc"
LOG_DIR="$CLUSTER_DIR/logs"
LOCK_FILE="$CDAG_CACHE/cluster.lock"

STATE_DIR=/var/lib/cdag-cluster
RUN_DIR=/run/cdag-cluster
PID_DIR="$RUN_DIR/pids"
CONTAINERD_SOCK="$RUN_DIR/containerd/containerd.sock"
CRI_ENDPOINT="unix://$CONTAINERD_SOCK"
CNI_CONF_DIR="$STATE_DIR/cni/net.d"
CNI_BIN_DIR=/usr/lib/cni

NODE_NAME=cdag-node
POD_CIDR=10.88.0.0/16
SERVICE_CIDR=10.96.0.0/12
KUBERNETES_SERVICE_IP=10.96.0.1
CNI_BRIDGE=cdag0
# Off the well-known 2379/2380 so a distribution etcd (or another cluster) can coexist.
ETCD_CLIENT_PORT="${CDAG_ETCD_PORT:-12379}"
ETCD_PEER_PORT="$((ETCD_CLIENT_PORT + 1))"
APISERVER_PORT="${CDAG_APISERVER_PORT:-6443}"
APISERVER_URL="https://127.0.0.1:$APISERVER_PORT"

# Built here (scripts/cluster/pause), never pulled: see up.sh. Named like the upstream image
# because that name is also the kubelet's built-in sandbox image, which its image GC spares.
PAUSE_IMAGE=registry.k8s.io/pause:3.10
PAUSE_DOCKER_TAG=cdag-cluster/pause:1

# The daemons in start order; down.sh stops them in reverse.
COMPONENTS=(containerd etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)

export PATH="/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH"

log() { printf '[cluster %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

ctr_k8s() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }
kubectl_admin() { kubectl --kubeconfig "$KUBECONFIG_PATH" "$@"; }

# The pid in a component's pidfile, printed only if that process is still alive and is still
# the program we started (pids get reused; never signal a stranger).
component_pid() {
  local name=$1 pidfile="$PID_DIR/$1.pid" pid argv0
  [[ -f $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] && pid_running "$pid" || return 1
  argv0=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | head -n 1) || return 1
  [[ ${argv0##*/} == "$name" ]] || return 1
  echo "$pid"
}

# Starts a daemon detached from the caller: its own session (setsid) so a test runner that
# kills its process group does not take the cluster down with it, and no inherited stdio so
# a caller capturing our output does not wait for the daemons to exit.
start_daemon() {
  local name=$1; shift
  mkdir -p "$PID_DIR" "$LOG_DIR"
  rm -f "$PID_DIR/$name.pid"
  : >"$LOG_DIR/$name.log"
  # The pidfile is written by the process itself just before it execs the daemon: setsid
  # forks when it happens to be a group leader, so $! is not reliably the daemon's pid.
  # fd 9 is up.sh's lock: a daemon inheriting it would hold the lock for its whole life.
  # shellcheck disable=SC2016 # expanded by the inner shell
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PID_DIR/$name.pid" "$@" \
    </dev/null >>"$LOG_DIR/$name.log" 2>&1 9>&- &
  local deadline=$((SECONDS + 5))
  until component_pid "$name" >/dev/null || ((SECONDS > deadline)); do sleep 0.05; done
}

# Alive and not a zombie: the daemons are reparented to this machine's init, which may take
# a while to reap them, and a zombie already holds no port, file or mount.
pid_running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

# Stops one daemon: TERM, then KILL after a grace period.
stop_daemon() {
  local name=$1 grace=${2:-15} pid
  pid=$(component_pid "$name") || { rm -f "$PID_DIR/$name.pid"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    pid_running "$pid" || break
    sleep 0.1
  done
  if pid_running "$pid"; then
    log "$name (pid $pid) ignored SIGTERM for ${grace}s; killing"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  rm -f "$PID_DIR/$name.pid"
  [[ -z ${CDAG_DEBUG_STOP:-} ]] || log "stopped $name"
}

# Polls a command until it succeeds; on timeout dies with the tail of the named log so a CI
# failure says why without another run.
wait_for() {
  local what=$1 timeout=$2 logname=$3; shift 3
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      log "timed out after ${timeout}s waiting for $what"
      if [[ -n $logname && -f $LOG_DIR/$logname.log ]]; then
        log "last lines of $LOG_DIR/$logname.log:"
        tail -n 40 "$LOG_DIR/$logname.log" >&2
      fi
      exit 1
    fi
    if [[ -n $logname && $logname != - ]] && ! component_pid "$logname" >/dev/null; then
      log "$logname exited while waiting for $what; last lines of $LOG_DIR/$logname.log:"
      tail -n 40 "$LOG_DIR/$logname.log" >&2
      exit 1
    fi
    sleep 0.5
  done
}

# The address pods and the kubernetes Service use to reach the API server: the source address
# of the default route (a lookup, nothing is sent), else the first global IPv4 outside Docker's
# bridges. It must not be loopback: a pod's 127.0.0.1 is the pod itself.
detect_node_ip() {
  local ip
  ip=$(ip -4 route get 1.1.1.1 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "src") {print $(i + 1); exit}}')
  if [[ -z $ip ]]; then
    ip=$(ip -4 -o addr show scope global 2>/dev/null |
      awk '$2 !~ /^(docker|br-|cdag|veth)/ {split($4, a, "/"); print a[1]; exit}')
  fi
  [[ -n $ip ]] || die "found no non-loopback IPv4 address for the node"
  echo "$ip"
}
