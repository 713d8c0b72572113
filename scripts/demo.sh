#!/usr/bin/env bash
# The movielens demo: builds the example's images, starts the ratings API on a Docker network
# (scripts/movielens-env.sh), and backfills 2019-01-01..2019-01-03 with `cdag run`.
set -euo pipefail
cd "$(dirname "$0")/.."
EX=examples/movielens
bash scripts/movielens-env.sh
trap 'bash scripts/movielens-env.sh --down' EXIT
rm -rf /tmp/airflow/data
MOVIELENS_PASSWORD=${MOVIELENS_PASSWORD:-airflow} node dist/cli.js run "$EX/movielens.dag.yaml" \
  --from 2019-01-01 --to 2019-01-03 "$@"
for d in 2019-01-01 2019-01-02 2019-01-03; do
  echo "--- /tmp/airflow/data/rankings/$d.csv"
  head -n 4 "/tmp/airflow/data/rankings/$d.csv"
done
