#!/usr/bin/env bash
# The movielens demo: builds the example's images, starts the ratings API on a Docker network, and
# backfills 2019-01-01..2019-01-03 with `cdag run`. Works offline: when the images' default base
# (busybox:1.36) cannot be pulled, a busybox image is made from Debian's busybox-static.
set -euo pipefail
cd "$(dirname "$0")/.."
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
  [ "$part" = api ] && name=manning-airflow/movielens-api
  DOCKER_BUILDKIT=0 docker build -q --build-arg BASE="$BASE" -t "$name" "$EX/$part" >/dev/null
  echo "built $name (FROM $BASE)"
done
docker network inspect airflow >/dev/null 2>&1 || docker network create airflow >/dev/null
docker rm -f movielens >/dev/null 2>&1 || true
docker run -d --name movielens --network airflow manning-airflow/movielens-api >/dev/null
trap 'docker rm -f movielens >/dev/null 2>&1 || true' EXIT
echo "ratings API up as http://movielens:5000 on network airflow"
rm -rf /tmp/airflow/data
MOVIELENS_PASSWORD=${MOVIELENS_PASSWORD:-airflow} node dist/cli.js run "$EX/movielens.dag.yaml" \
  --from 2019-01-01 --to 2019-01-03 "$@"
for d in 2019-01-01 2019-01-02 2019-01-03; do
  echo "--- /tmp/airflow/data/rankings/$d.csv"
  head -n 4 "/tmp/airflow/data/rankings/$d.csv"
done
