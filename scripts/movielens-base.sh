#!/usr/bin/env bash
# Prints the base image the movielens example's images build FROM: busybox:1.36 when the Docker
# Engine has it or can pull it, else (offline) a busybox image made once from Debian's busybox-static.
# Use: MOVIELENS_BASE=$(bash scripts/movielens-base.sh)
set -euo pipefail
BASE=busybox:1.36
if docker image inspect "$BASE" >/dev/null 2>&1 || docker pull -q "$BASE" >/dev/null 2>&1; then
  echo "$BASE"
  exit 0
fi
BASE=cdag-test/busybox:1
if ! docker image inspect "$BASE" >/dev/null 2>&1; then
  tmp=$(mktemp -d)
  cp /bin/busybox "$tmp/busybox"
  printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","--install","-s","/bin"]\n' >"$tmp/Dockerfile"
  DOCKER_BUILDKIT=0 docker build -q -t "$BASE" "$tmp" >/dev/null
  rm -rf "$tmp"
fi
echo "$BASE"
