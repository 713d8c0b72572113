#!/usr/bin/env bash
# The movielens example's images on the local Docker Engine, and (unless `--images`) the ratings API
# as http://movielens:5000 on the `airflow` network, for the exported DAG under Airflow (cdag runs
# the API as the DAG's own service). Idempotent. Works offline: when the images' default base
# (busybox:1.36) cannot be pulled, a busybox image is made from Debian's busybox-static.
# `--down` removes the API container again.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --down ]; then
  docker rm -f movielens >/dev/null 2>&1 || true
  exit 0
fi
EX=examples/movielens
bash scripts/docker-up.sh >/dev/null
BASE=${BASE:-busybox:1.36}
if ! docker image inspect "$BASE" >/dev/null 2>&1 && ! docker pull -q "$BASE" >/dev/null 2>&1; then
  BASE=cdag-test/busybox:1
  if ! docker image inspect "$BASE" >/dev/null 2>&1; then
    tmp=$(mktemp -d)
    cp /bin/busybox "$tmp/busybox"
    printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","--install","-s","/bin"]\n' > "$tmp/Dockerfile"
    DOCKER_BUILDKIT=0 docker build -q -t "$BASE" "$tmp" >/dev/null
  fi
fi
for part in api fetch rank; do
  name=manning-airflow/movielens-$part
  DOCKER_BUILDKIT=0 docker build -q --build-arg BASE="$BASE" -t "$name" "$EX/$part" >/dev/null
  echo "built $name (FROM $BASE)"
done
[ "${1:-}" = --images ] && exit 0
docker network inspect airflow >/dev/null 2>&1 || docker network create airflow >/dev/null
docker rm -f movielens >/dev/null 2>&1 || true
docker run -d --name movielens --network airflow manning-airflow/movielens-api >/dev/null
echo "ratings API up as http://movielens:5000 on network airflow"
