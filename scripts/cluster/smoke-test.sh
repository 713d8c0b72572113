#!/usr/bin/env bash
# Checks that the cluster from up.sh does what the test suite relies on, printing evidence:
# an exit code and logs come back from a failed pod, an impossible request is Unschedulable,
# a missing image gives ErrImagePull/ImagePullBackOff, two pods share a hostPath, pods reach
# each other by IP and through a ClusterIP Service, a pod reaches the API server through the
# `kubernetes` Service. Runs in its own namespace and deletes it afterwards.
#
#   scripts/cluster/smoke-test.sh     (brings the cluster up first if needed)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

IMAGE=cdag-test/busybox:1
NS=cdag-smoke
export KUBECONFIG
KUBECONFIG="$("$HERE/up.sh" | tail -n 1)"
k() { kubectl -n "$NS" "$@"; }
pass=0 fail=0
expect() { # description, then a test command
  local what=$1; shift
  if "$@"; then
    echo "PASS: $what"; pass=$((pass + 1))
  else
    echo "FAIL: $what"; fail=$((fail + 1))
  fi
}

# The same image the Docker tests use: Debian's static busybox in an empty image.
if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
  command -v busybox >/dev/null || apt-get install -y -qq busybox-static >/dev/null
  ctx=$(mktemp -d)
  cp "$(command -v busybox)" "$ctx/busybox"
  printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","--install","-s","/bin"]\n' >"$ctx/Dockerfile"
  DOCKER_BUILDKIT=0 docker build -q -t "$IMAGE" "$ctx" >/dev/null
  rm -rf "$ctx"
fi
"$HERE/load-image.sh" "$IMAGE"

kubectl delete namespace "$NS" --ignore-not-found --wait=true >/dev/null
kubectl create namespace "$NS" >/dev/null
# Pods are refused until the namespace's ServiceAccount exists.
for _ in $(seq 1 60); do k get serviceaccount default >/dev/null 2>&1 && break; sleep 0.5; done

pod() { # name image pullPolicy command [extra spec yaml, indented 2]
  cat <<EOF
apiVersion: v1
kind: Pod
metadata: { name: $1, labels: { app: $1 } }
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: $2
    imagePullPolicy: $3
    command: ["sh", "-c", "$4"]
${5:-}
EOF
}

# 1. exit code and logs of a failing container; timed from create to the end of the pod.
t0=$(date +%s.%N)
pod hello "$IMAGE" Never 'echo hello; exit 3' | k apply -f - >/dev/null
k wait pod/hello --for=jsonpath='{.status.phase}'=Failed --timeout=120s >/dev/null || true
t1=$(date +%s.%N)
code=$(k get pod hello -o jsonpath='{.status.containerStatuses[0].state.terminated.exitCode}')
logs=$(k logs hello)
phase=$(k get pod hello -o jsonpath='{.status.phase}')
echo "hello: phase=$phase exitCode=$code logs=$logs (create -> Failed in $(printf '%.1f' "$(echo "$t1 - $t0" | bc)")s)"
expect "exit code 3 and logs" test "$phase/$code/$logs" = Failed/3/hello

# 2. an impossible CPU request is reported Unschedulable by the scheduler.
pod greedy "$IMAGE" Never 'true' '    resources: { requests: { cpu: "1000" } }' | k apply -f - >/dev/null
k wait pod/greedy --for=condition=PodScheduled=false --timeout=60s >/dev/null || true
reason=$(k get pod greedy -o jsonpath='{.status.conditions[?(@.type=="PodScheduled")].reason}')
msg=$(k get pod greedy -o jsonpath='{.status.conditions[?(@.type=="PodScheduled")].message}')
echo "greedy: reason=$reason message=$msg"
expect "Unschedulable" test "$reason" = Unschedulable

# 3. a missing image. Named on a loopback registry so the pull fails at once and nothing
# leaves the machine.
pod ghost 127.0.0.1:1/no-such-image:1 IfNotPresent 'true' | k apply -f - >/dev/null
reasons=""
for _ in $(seq 1 60); do
  reasons=$(k get events --field-selector involvedObject.name=ghost -o jsonpath='{.items[*].reason}')
  waiting=$(k get pod ghost -o jsonpath='{.status.containerStatuses[0].state.waiting.reason}')
  [[ $waiting == ImagePullBackOff ]] && break
  sleep 1
done
echo "ghost: waiting=$waiting events=[$reasons]"
k get events --field-selector involvedObject.name=ghost,reason=Failed -o jsonpath='{.items[0].message}{"\n"}'
expect "ErrImagePull/ImagePullBackOff" grep -qxE 'ImagePullBackOff|ErrImagePull' <<<"$waiting"

# 4. two pods share a hostPath directory: one writes, the other reads.
hostdir=$(mktemp -d /tmp/cdag-smoke-hostpath.XXXXXX)
vol="  volumes: [{ name: shared, hostPath: { path: $hostdir, type: Directory } }]"
mnt='    volumeMounts: [{ name: shared, mountPath: /shared }]'
pod writer "$IMAGE" Never 'echo from-writer > /shared/note' "$mnt
$vol" | k apply -f - >/dev/null
k wait pod/writer --for=jsonpath='{.status.phase}'=Succeeded --timeout=60s >/dev/null || true
pod reader "$IMAGE" Never 'cat /shared/note' "$mnt
$vol" | k apply -f - >/dev/null
k wait pod/reader --for=jsonpath='{.status.phase}'=Succeeded --timeout=60s >/dev/null || true
got=$(k logs reader 2>&1 || true)
echo "hostPath: reader saw '$got'; on the host: '$(cat "$hostdir/note" 2>/dev/null)'"
expect "hostPath shared by two pods" test "$got" = from-writer
rm -rf "$hostdir"

# 5. networking: pod IP, a ClusterIP Service, the kubernetes Service (API server), and exec.
pod web "$IMAGE" Never 'mkdir -p /www && echo it-works > /www/index.html && exec httpd -f -p 8080 -h /www' |
  k apply -f - >/dev/null
k expose pod web --port 80 --target-port 8080 >/dev/null
k wait pod/web --for=condition=Ready --timeout=60s >/dev/null || true
web_ip=$(k get pod web -o jsonpath='{.status.podIP}')
svc_ip=$(k get service web -o jsonpath='{.spec.clusterIP}')
pod client "$IMAGE" Never 'sleep 3600' | k apply -f - >/dev/null
k wait pod/client --for=condition=Ready --timeout=60s >/dev/null || true
# nc, not wget: the static busybox's wget crashes (glibc resolver in an empty image).
http_get() { # host port -> response body
  k exec client -- sh -c "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 $1 $2" 2>&1 | tail -n 1
}
by_ip=$(http_get "$web_ip" 8080 || true)
by_svc=""
for _ in $(seq 1 20); do # kube-proxy programs the rule within a second or two
  by_svc=$(http_get "$svc_ip" 80 || true)
  [[ $by_svc == it-works ]] && break
  sleep 1
done
# shellcheck disable=SC2016 # expanded in the pod
api=$(k exec client -- sh -c 'echo | nc -w 5 "$KUBERNETES_SERVICE_HOST" "$KUBERNETES_SERVICE_PORT" >/dev/null && echo open' 2>&1 || true)
echo "network: podIP $web_ip -> '$by_ip'; service $svc_ip -> '$by_svc'; kubernetes Service -> '$api'"
expect "pod to pod by IP" test "$by_ip" = it-works
expect "ClusterIP Service" test "$by_svc" = it-works
expect "API server through the kubernetes Service" test "$api" = open
token=$(k exec client -- cat /var/run/secrets/kubernetes.io/serviceaccount/token 2>/dev/null || true)
expect "ServiceAccount token mounted" test -n "$token"

kubectl delete namespace "$NS" --wait=false >/dev/null
echo "$pass passed, $fail failed"
((fail == 0))
