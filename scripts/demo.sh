#!/usr/bin/env bash
# The movielens demo: backfills 2019-01-01..2019-01-03 with `cdag run` — which builds the example's
# three images from their folders first (only what changed) and runs the ratings API as the DAG's
# service — then runs the weekly DAG (one fetch per day of the week, ranked together) for 2019-01-06.
set -euo pipefail
cd "$(dirname "$0")/.."
EX=examples/movielens
bash scripts/docker-up.sh >/dev/null
MOVIELENS_BASE=${MOVIELENS_BASE:-$(bash scripts/movielens-base.sh)}
export MOVIELENS_BASE
rm -rf /tmp/airflow/data
MOVIELENS_PASSWORD=${MOVIELENS_PASSWORD:-airflow} node dist/cli.js run "$EX/movielens.dag.yaml" \
  --from 2019-01-01 --to 2019-01-03 "$@"
for d in 2019-01-01 2019-01-02 2019-01-03; do
  echo "--- /tmp/airflow/data/rankings/$d.csv"
  head -n 4 "/tmp/airflow/data/rankings/$d.csv"
done
# Format v2: the same data a week at a time, one fetch per day (a mapped task over list_days' output).
MOVIELENS_PASSWORD=${MOVIELENS_PASSWORD:-airflow} node dist/cli.js run "$EX/movielens_weekly.dag.yaml" \
  --date 2019-01-06 "$@"
echo "--- /tmp/airflow/data/rankings/week-2019-01-06.csv"
head -n 4 /tmp/airflow/data/rankings/week-2019-01-06.csv
