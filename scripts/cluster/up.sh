#!/usr/bin/env bash
# Brings up a real single-node Kubernetes cluster on this machine for the test suite and
# prints, as the LAST line of stdout, the absolute path of its admin kubeconfig.
#
#   KUBECONFIG="$(scripts/cluster/up.sh | tail -n 1)" kubectl get nodes
#
# Idempotent: when the cluster is already up and healthy this returns in about a second. When
# it is half up (a daemon died, the machine was restarted), it is torn down and started clean.
#
# What runs (no systemd here: plain background daemons, pidfiles in /run/cdag-cluster/pids,
# logs in ~/.cache/container-dags/cluster/logs):
#   containerd   Debian's, as a SEPARATE instance (own config, root, state, socket); Docker's
#                containerd is never touched
#   etcd         Debian's etcd-server 3.4, on 127.0.0.1:12379
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy (iptables mode)
#                built from the Go module proxy by build.sh (one multi-call binary)
# What there is: pods by pod IP (10.88.0.0/16 on bridge cdag0), ClusterIP Services through
# kube-proxy (including the `kubernetes` Service at 10.96.0.1 for in-cluster clients),
# NodePorts on the node IP, the `default` ServiceAccount with projected tokens, RBAC, hostPath
# and emptyDir volumes, logs/exec/port-forward through the kubelet.
# What there is not: cluster DNS (no CoreDNS image without a registry: pods get the host's
# resolv.conf, so Service names do not resolve: use the env vars or the ClusterIP), image
# pulls from any registry (load images with load-image.sh and use imagePullPolicy
# Never/IfNotPresent), metrics-server, a storage provisioner (no PVC dynamic provisioning),
# the aggregation layer's front-proxy, leader election, multiple nodes.
#
# Host changes it makes (a CI setup must allow them; down.sh undoes the runtime ones):
#   apt packages: containerd runc containernetworking-plugins etcd-server iptables conntrack curl
#                 openssl (and docker.io through ../docker-up.sh if no Docker answers)
#   kernel: modprobe overlay br_netfilter (if not loaded); sysctls net.ipv4.ip_forward=1 and
#           net.bridge.bridge-nf-call-iptables=1 (Docker already sets both)
#   iptables: kube-proxy's KUBE-* chains, the CNI plugins' CNI-* chains and masquerade rules
#   network: bridge cdag0 (10.88.0.1/16), one veth per pod
#   mounts: overlay rootfs, /dev/shm, pod volumes and network namespaces, all under
#           /var/lib/cdag-cluster and /run/cdag-cluster
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
[[ $(id -u) == 0 ]] || die "must run as root (it starts containerd and the kubelet)"

# Health as a test suite needs it: every daemon alive, API ready, node Ready.
cluster_healthy() {
  local c
  for c in "${COMPONENTS[@]}"; do component_pid "$c" >/dev/null || return 1; done
  [[ -f $KUBECONFIG_PATH ]] || return 1
  kubectl_admin get --raw /readyz >/dev/null 2>&1 || return 1
  [[ $(kubectl_admin get node "$NODE_NAME" \
    -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]]
}

# Installs only what is missing, so a warm machine makes no network call.
ensure_packages() {
  local missing=() pair
  for pair in containerd:containerd runc:runc etcd:etcd-server iptables:iptables \
    conntrack:conntrack openssl:openssl curl:curl; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
  done
  [[ -x $CNI_BIN_DIR/bridge ]] || missing+=(containernetworking-plugins)
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    apt-get update -qq
    # policy-rc.d-less hosts would otherwise start Debian's own etcd/containerd services.
    RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
  if ! docker info >/dev/null 2>&1; then
    [[ -x $HERE/../docker-up.sh ]] || die "Docker is needed (to build the pause image)"
    "$HERE/../docker-up.sh" >&2 9>&- # dockerd must not inherit our lock
  fi
}

# The kernel bits pods need. Docker sets the same ones, so on this machine these are no-ops.
prepare_kernel() {
  modprobe overlay 2>/dev/null || true
  modprobe br_netfilter 2>/dev/null || true
  sysctl -qw net.ipv4.ip_forward=1
  if [[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]]; then
    sysctl -qw net.bridge.bridge-nf-call-iptables=1
  fi
}

# Overlay is the fast snapshotter; a kernel or a backing filesystem without it (some CI
# containers) gets `native`, which copies layers but works anywhere.
pick_snapshotter() {
  local t="$STATE_DIR/overlay-probe"
  mkdir -p "$t"/{lower,upper,work,merged}
  if mount -t overlay overlay -o "lowerdir=$t/lower,upperdir=$t/upper,workdir=$t/work" "$t/merged" 2>/dev/null; then
    umount "$t/merged"
    echo overlayfs
  else
    echo native
  fi
  rm -rf "$t"
}

# ---- certificates --------------------------------------------------------------------------

# One CA signs everything (serving certs, client certs, the kubelet's). Clients are named so
# that the default RBAC roles and the Node authorizer recognise them; the admin is in
# system:masters. ECDSA keys: generated in milliseconds, accepted by every component.
issue_cert() { # name CN O [SAN]
  local name=$1 cn=$2 org=$3 san=${4:-} ext="$PKI_DIR/$1.ext"
  openssl ecparam -name prime256v1 -genkey -noout -out "$PKI_DIR/$name.key" 2>/dev/null
  openssl req -new -key "$PKI_DIR/$name.key" -subj "/CN=$cn${org:+/O=$org}" \
    -out "$PKI_DIR/$name.csr" 2>/dev/null
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [[ -n $san ]]; then
      echo "extendedKeyUsage=serverAuth,clientAuth"
      echo "subjectAltName=$san"
    else
      echo "extendedKeyUsage=clientAuth"
    fi
  } >"$ext"
  openssl x509 -req -in "$PKI_DIR/$name.csr" -CA "$PKI_DIR/ca.crt" -CAkey "$PKI_DIR/ca.key" \
    -CAcreateserial -days 3650 -sha256 -extfile "$ext" -out "$PKI_DIR/$name.crt" 2>/dev/null
  rm -f "$PKI_DIR/$name.csr" "$ext"
}

write_kubeconfig() { # file cert-name user
  local file=$1 cert=$2 user=$3
  cat >"$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: cdag
  cluster:
    server: $APISERVER_URL
    certificate-authority-data: $(base64 -w0 "$PKI_DIR/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $(base64 -w0 "$PKI_DIR/$cert.crt")
    client-key-data: $(base64 -w0 "$PKI_DIR/$cert.key")
contexts:
- name: cdag
  context:
    cluster: cdag
    user: $user
    namespace: default
current-context: cdag
EOF
  chmod 600 "$file"
}

make_pki() {
  mkdir -p "$PKI_DIR" "$ETC_DIR"
  chmod 700 "$PKI_DIR"
  openssl ecparam -name prime256v1 -genkey -noout -out "$PKI_DIR/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$PKI_DIR/ca.key" -subj "/CN=cdag-cluster-ca" -days 3650 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "$PKI_DIR/ca.crt" 2>/dev/null
  issue_cert apiserver kube-apiserver "" \
    "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:127.0.0.1,IP:$NODE_IP,IP:$KUBERNETES_SERVICE_IP"
  issue_cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
  issue_cert admin cdag-admin system:masters
  issue_cert controller-manager system:kube-controller-manager ""
  issue_cert scheduler system:kube-scheduler ""
  issue_cert kube-proxy system:kube-proxy ""
  issue_cert kubelet "system:node:$NODE_NAME" system:nodes
  issue_cert kubelet-serving "system:node:$NODE_NAME" system:nodes "DNS:$NODE_NAME,DNS:localhost,IP:127.0.0.1,IP:$NODE_IP"
  # Service-account tokens: RSA, the key type every token consumer expects.
  openssl genrsa -out "$PKI_DIR/sa.key" 2048 2>/dev/null
  openssl rsa -in "$PKI_DIR/sa.key" -pubout -out "$PKI_DIR/sa.pub" 2>/dev/null
  chmod 600 "$PKI_DIR"/*.key

  write_kubeconfig "$KUBECONFIG_PATH" admin cdag-admin
  write_kubeconfig "$ETC_DIR/controller-manager.kubeconfig" controller-manager system:kube-controller-manager
  write_kubeconfig "$ETC_DIR/scheduler.kubeconfig" scheduler system:kube-scheduler
  write_kubeconfig "$ETC_DIR/kubelet.kubeconfig" kubelet "system:node:$NODE_NAME"
  write_kubeconfig "$ETC_DIR/kube-proxy.kubeconfig" kube-proxy system:kube-proxy
}

# ---- configuration files -------------------------------------------------------------------

write_configs() {
  local snapshotter=$1
  mkdir -p "$CNI_CONF_DIR" "$STATE_DIR/cni/ipam" "$STATE_DIR/containerd" "$RUN_DIR/containerd"

  # Every path is our own so this instance shares nothing with Docker's containerd or a
  # system one; the debug/metrics endpoints stay off. Netns mounts go under our state dir.
  cat >"$ETC_DIR/containerd.toml" <<EOF
version = 2
root = "$STATE_DIR/containerd"
state = "$RUN_DIR/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]

[grpc]
  address = "$CONTAINERD_SOCK"

[plugins."io.containerd.internal.v1.opt"]
  path = "$STATE_DIR/containerd-opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  netns_mounts_under_state_dir = true
  # Sandboxes ask for oom_score_adj -998, which needs CAP_SYS_RESOURCE; these machines do not
  # give root that capability (runc then fails with "can't get final child's PID from pipe").
  # Clamping to containerd's own score is what rootless setups do.
  restrict_oom_score_adj = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "$snapshotter"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN_DIR"
    conf_dir = "$CNI_CONF_DIR"
    max_conf_num = 1
EOF

  # bridge+host-local give each pod an address on cdag0; ipMasq lets pods reach the node's
  # address (the API server) and beyond; portmap serves hostPort; firewall adds the FORWARD
  # accept rules without which Docker's FORWARD policy (DROP) would drop pod-to-pod traffic.
  # containerd adds the loopback interface itself.
  cat >"$CNI_CONF_DIR/10-cdag.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "cdag",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$CNI_BRIDGE",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "$POD_CIDR" }]],
        "routes": [{ "dst": "0.0.0.0/0" }],
        "dataDir": "$STATE_DIR/cni/ipam"
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } },
    { "type": "firewall", "backend": "iptables" }
  ]
}
EOF

  # failCgroupV1: this host is cgroup v1 (hybrid), which 1.31+ kubelets refuse unless told.
  # Authentication by client certificate from our CA only, and AlwaysAllow behind it: the
  # only client holding such a certificate with kubelet rights is the API server.
  # Eviction and image GC thresholds are lowered so a nearly full CI disk does not taint the
  # node or garbage-collect images that tests loaded and cannot pull again.
  cat >"$ETC_DIR/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
containerRuntimeEndpoint: $CRI_ENDPOINT
address: $NODE_IP
healthzBindAddress: 127.0.0.1
tlsCertFile: $PKI_DIR/kubelet-serving.crt
tlsPrivateKeyFile: $PKI_DIR/kubelet-serving.key
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: false }
  x509: { clientCAFile: $PKI_DIR/ca.crt }
authorization:
  mode: AlwaysAllow
clusterDomain: cluster.local
resolvConf: /etc/resolv.conf
failSwapOn: false
volumePluginDir: $STATE_DIR/kubelet-plugins
evictionHard:
  memory.available: 100Mi
  nodefs.available: 2%
  nodefs.inodesFree: 2%
  imagefs.available: 2%
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
EOF

  # NodePorts on the node's primary address only (not on Docker's bridges).
  # localhostNodePorts off: it would flip net.ipv4.conf.all.route_localnet on the host.
  # conntrack limits untouched (0): they are host-wide sysctls, and the defaults are fine.
  cat >"$ETC_DIR/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection:
  kubeconfig: $ETC_DIR/kube-proxy.kubeconfig
hostnameOverride: $NODE_NAME
clusterCIDR: $POD_CIDR
bindAddress: 0.0.0.0
nodePortAddresses: [primary]
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
iptables:
  localhostNodePorts: false
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
EOF
}

# ---- the pause image -----------------------------------------------------------------------

# No registry, so the sandbox image is our own static program in a FROM-scratch image, moved
# from Docker into the cluster's containerd under the name containerd's sandbox_image gives.
import_pause_image() {
  local ctx
  ctx=$(mktemp -d)
  cp "$BIN_DIR/pause" "$ctx/pause"
  printf 'FROM scratch\nCOPY pause /pause\nENTRYPOINT ["/pause"]\n' >"$ctx/Dockerfile"
  DOCKER_BUILDKIT=0 docker build -q -t "$PAUSE_DOCKER_TAG" "$ctx" >/dev/null
  rm -rf "$ctx"
  docker save "$PAUSE_DOCKER_TAG" | ctr_k8s images import --snapshotter "$SNAPSHOTTER" - >/dev/null
  ctr_k8s images tag --force "docker.io/$PAUSE_DOCKER_TAG" "$PAUSE_IMAGE" >/dev/null
}

# ---- main ----------------------------------------------------------------------------------

mkdir -p "$CDAG_CACHE"
exec 9>"$LOCK_FILE"
flock 9 # serialise concurrent up/down calls (parallel test workers)

if cluster_healthy; then
  echo "$KUBECONFIG_PATH"
  exit 0
fi

started=$SECONDS
ensure_packages
"$HERE/build.sh"

if [[ -d $RUN_DIR || -d $STATE_DIR ]]; then
  log "a previous cluster is half up or was not stopped; tearing it down first"
  "$HERE/down.sh" --locked >&2
fi

log "starting the cluster"
NODE_IP=$(detect_node_ip)
prepare_kernel
mkdir -p "$STATE_DIR" "$RUN_DIR" "$LOG_DIR" "$CLUSTER_DIR"
# Logs of the previous run are kept by down.sh for post-mortems; a new run starts them fresh.
rm -f "$LOG_DIR"/*.log
SNAPSHOTTER=$(pick_snapshotter)
echo "$SNAPSHOTTER" >"$RUN_DIR/snapshotter"
make_pki
write_configs "$SNAPSHOTTER"

start_daemon containerd "$(command -v containerd)" --config "$ETC_DIR/containerd.toml"
start_daemon etcd "$(command -v etcd)" --name cdag --data-dir "$STATE_DIR/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "cdag=http://127.0.0.1:$ETCD_PEER_PORT" \
  --log-level warn

wait_for "containerd" 30 containerd ctr --address "$CONTAINERD_SOCK" version
# In the background: the API server's start overlaps the Docker build and import.
import_pause_image >"$LOG_DIR/pause-import.log" 2>&1 &
pause_job=$!

wait_for "etcd" 30 etcd curl -fsS "http://127.0.0.1:$ETCD_CLIENT_PORT/health"

# Node,RBAC with NodeRestriction: the authorisation a real cluster has, so tests meet the
# same Forbidden errors. The API server reaches kubelets by InternalIP (the node name is not
# in DNS) and, as is the default without --kubelet-certificate-authority, does not verify
# the kubelet's serving certificate.
start_daemon kube-apiserver "$BIN_DIR/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --bind-address 0.0.0.0 --secure-port "$APISERVER_PORT" --advertise-address "$NODE_IP" \
  --tls-cert-file "$PKI_DIR/apiserver.crt" --tls-private-key-file "$PKI_DIR/apiserver.key" \
  --client-ca-file "$PKI_DIR/ca.crt" \
  --kubelet-client-certificate "$PKI_DIR/apiserver-kubelet-client.crt" \
  --kubelet-client-key "$PKI_DIR/apiserver-kubelet-client.key" \
  --kubelet-preferred-address-types InternalIP \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$PKI_DIR/sa.pub" \
  --service-account-signing-key-file "$PKI_DIR/sa.key" \
  --service-cluster-ip-range "$SERVICE_CIDR" \
  --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
  --allow-privileged=true --profiling=false

wait_for "the API server to be ready" 120 kube-apiserver kubectl_admin get --raw /readyz

# Controllers and scheduler without leader election: there is one of each, and electing
# costs seconds at every start. --use-service-account-credentials: each controller acts as
# its own ServiceAccount, as in a kubeadm cluster.
start_daemon kube-controller-manager "$BIN_DIR/kube-controller-manager" \
  --kubeconfig "$ETC_DIR/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$ETC_DIR/controller-manager.kubeconfig" \
  --authorization-kubeconfig "$ETC_DIR/controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 --leader-elect=false \
  --service-account-private-key-file "$PKI_DIR/sa.key" --root-ca-file "$PKI_DIR/ca.crt" \
  --use-service-account-credentials \
  --cluster-signing-cert-file "$PKI_DIR/ca.crt" --cluster-signing-key-file "$PKI_DIR/ca.key" \
  --service-cluster-ip-range "$SERVICE_CIDR" --profiling=false \
  --flex-volume-plugin-dir "$STATE_DIR/kubelet-plugins"
start_daemon kube-scheduler "$BIN_DIR/kube-scheduler" \
  --kubeconfig "$ETC_DIR/scheduler.kubeconfig" \
  --authentication-kubeconfig "$ETC_DIR/scheduler.kubeconfig" \
  --authorization-kubeconfig "$ETC_DIR/scheduler.kubeconfig" \
  --bind-address 127.0.0.1 --leader-elect=false --profiling=false

# The sandbox image must be in place before the kubelet creates its first pod.
wait "$pause_job" || { cat "$LOG_DIR/pause-import.log" >&2; die "could not import the pause image"; }

start_daemon kubelet "$BIN_DIR/kubelet" \
  --config "$ETC_DIR/kubelet.yaml" --kubeconfig "$ETC_DIR/kubelet.kubeconfig" \
  --root-dir "$STATE_DIR/kubelet" --cert-dir "$STATE_DIR/kubelet/pki" \
  --hostname-override "$NODE_NAME" --node-ip "$NODE_IP"
start_daemon kube-proxy "$BIN_DIR/kube-proxy" --config "$ETC_DIR/kube-proxy.yaml"

node_ready() {
  [[ $(kubectl_admin get node "$NODE_NAME" \
    -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}') == True ]]
}
wait_for "node $NODE_NAME to be Ready" 120 kubelet node_ready
# Pods in `default` need its ServiceAccount (admission rejects them before it exists) and
# the kube-root-ca.crt ConfigMap (their token volume waits for it).
wait_for "the default ServiceAccount" 60 kube-controller-manager kubectl_admin get serviceaccount default -n default
wait_for "the kube-root-ca.crt ConfigMap" 60 kube-controller-manager kubectl_admin get configmap kube-root-ca.crt -n default
wait_for "the kubernetes Service rules" 60 kube-proxy \
  bash -c "iptables -t nat -S KUBE-SERVICES 2>/dev/null | grep -q '$KUBERNETES_SERVICE_IP/32'"

log "cluster up in $((SECONDS - started))s (node $NODE_NAME at $NODE_IP, snapshotter $SNAPSHOTTER)"
echo "$KUBECONFIG_PATH"
