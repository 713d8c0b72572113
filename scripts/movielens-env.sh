#!/usr/bin/env bash
# The movielens example's surroundings for Airflow (which cannot run the DAG's service): the ratings
# API as http://movielens:5000 on the `airflow` network, its images built by `cdag build` (the
# DAG's own `images:`). Idempotent; needs `npm run build` first. `--down` removes the API again.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --down ]; then
  docker rm -f movielens >/dev/null 2>&1 || true
  exit 0
fi
bash scripts/docker-up.sh >/dev/null
MOVIELENS_BASE=${MOVIELENS_BASE:-$(bash scripts/movielens-base.sh)}
export MOVIELENS_BASE
node dist/cli.js build examples/movielens/movielens.dag.yaml >/dev/null
docker network inspect airflow >/dev/null 2>&1 || docker network create airflow >/dev/null
docker rm -f movielens >/dev/null 2>&1 || true
docker run -d --name movielens --network airflow manning-airflow/movielens-api >/dev/null
echo "ratings API up as http://movielens:5000 on network airflow"
