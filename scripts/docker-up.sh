#!/usr/bin/env bash
# Makes a Docker Engine answer on the default socket: installs Debian's docker.io if needed and
# starts dockerd in the background when nothing answers (no systemd on these machines).
set -euo pipefail
if ! command -v dockerd >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi
if docker info >/dev/null 2>&1; then echo "Docker Engine is up"; exit 0; fi
nohup dockerd >/tmp/dockerd.log 2>&1 &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then echo "Docker Engine is up"; exit 0; fi
  sleep 0.5
done
echo "dockerd did not come up; its log:" >&2
tail -30 /tmp/dockerd.log >&2
exit 1
