#!/usr/bin/env bash
# Installs real Apache Airflow with the Docker and cncf.kubernetes providers into a virtual
# environment, cached in ~/.cache/container-dags, for the interop tests and the benchmark.
# Idempotent; the last line of output is the venv's bin directory (where `airflow` is).
set -euo pipefail
AIRFLOW_VERSION=3.1.8
DOCKER_PROVIDER=4.6.1
K8S_PROVIDER=10.25.0
venv="${CDAG_AIRFLOW_VENV:-$HOME/.cache/container-dags/airflow-$AIRFLOW_VERSION}"
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
  "apache-airflow-providers-docker==$DOCKER_PROVIDER" \
  "apache-airflow-providers-cncf-kubernetes==$K8S_PROVIDER"
"$venv/bin/airflow" version >/dev/null
touch "$venv/.complete"
echo "$venv/bin"
