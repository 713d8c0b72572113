#!/usr/bin/env bash
# Installs real Apache Airflow with the Docker and cncf.kubernetes providers into a virtual
# environment, cached in ~/.cache/container-dags, for the interop tests and the benchmark.
# Idempotent; the last line of output is the venv's bin directory (where `airflow` is).
# `--newest` installs the newest Airflow 3.x on PyPI (AIRFLOW_NEWEST) with its newest providers, for
# the check that exports load on the release users install today, besides the pinned one.
set -euo pipefail
AIRFLOW_VERSION=3.1.8
DOCKER_PROVIDER==4.6.1
K8S_PROVIDER==10.25.0
if [ "${1:-}" = --newest ]; then
  # The newest final 3.x release on PyPI today (3.3.2 when PyPI cannot be asked).
  newest=$(curl -fsS --max-time 30 https://pypi.org/pypi/apache-airflow/json 2>/dev/null | python3 -c '
import json, re, sys
releases = json.load(sys.stdin)["releases"]
finals = [v for v in releases if re.fullmatch(r"3\.\d+\.\d+", v) and releases[v]]
print(max(finals, key=lambda v: tuple(map(int, v.split(".")))))' 2>/dev/null || true)
  AIRFLOW_VERSION=${AIRFLOW_NEWEST:-${newest:-3.3.2}}
  DOCKER_PROVIDER=
  K8S_PROVIDER=
fi
venv="${CDAG_AIRFLOW_VENV:-$HOME/.cache/container-dags/airflow-$AIRFLOW_VERSION}"
[ "${1:-}" = --newest ] && venv="$HOME/.cache/container-dags/airflow-$AIRFLOW_VERSION"
if [ -x "$venv/bin/airflow" ] && [ -f "$venv/.complete" ]; then
  echo "$venv/bin"
  exit 0
fi
py=$(command -v python3.11 || command -v python3 || true)
if [ -z "$py" ] || ! "$py" -c 'import venv, ensurepip' 2>/dev/null; then
  # setup.sh may be installing other packages at the same time: wait for dpkg's lock.
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq python3 python3-venv >/dev/null
  py=$(command -v python3)
fi
rm -rf "$venv"
"$py" -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip
# No constraints file (it lives on GitHub, not reachable here): the versions are pinned instead.
"$venv/bin/pip" install -q --disable-pip-version-check \
  "apache-airflow==$AIRFLOW_VERSION" \
  "apache-airflow-providers-docker$DOCKER_PROVIDER" \
  "apache-airflow-providers-cncf-kubernetes$K8S_PROVIDER"
"$venv/bin/airflow" version >/dev/null
touch "$venv/.complete"
echo "$venv/bin"
