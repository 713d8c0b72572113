#!/bin/sh
# fetch-ratings (--start_date D --end_date D | --day D) --output_path FILE --host URL [--batch_size N]
# Pages through the API with basic auth (MOVIELENS_USER / MOVIELENS_PASSWORD from the environment:
# the password is a secret and never appears on the command line) and writes one JSON array.
# `--day D` fetches that one day. Where $CDAG_OUTPUT is set, the file and the number of ratings are
# the outputs "path" and "ratings".
set -eu
batch=10
while [ $# -gt 0 ]; do
  case "$1" in
    --start_date) start=$2; shift 2 ;;
    --day) start=$2; end=$(date -u -d "@$(($(date -u -d "$2" +%s) + 86400))" +%F); shift 2 ;;
    --end_date) end=$2; shift 2 ;;
    --output_path) out=$2; shift 2 ;;
    --host) host=$2; shift 2 ;;
    --batch_size) batch=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
auth=$(printf '%s:%s' "${MOVIELENS_USER:?set MOVIELENS_USER}" "${MOVIELENS_PASSWORD:?set the movielens-password secret}" | base64)
mkdir -p "$(dirname "$out")"
tmp="$out.part"
: > "$tmp"
offset=0
while :; do
  page=$(wget -q -O - --header "Authorization: Basic $auth" \
    "$host/cgi-bin/ratings?start_date=$start&end_date=$end&offset=$offset&limit=$batch")
  echo "$page" | grep '^{"userId"' | sed 's/,$//' >> "$tmp"
  total=$(echo "$page" | sed -n 's/.*"total": \([0-9]*\)}.*/\1/p')
  offset=$((offset + batch))
  echo "fetched $(wc -l < "$tmp") of $total ratings for $start"
  [ "$offset" -lt "$total" ] || break
done
{ echo '['; sed '$!s/$/,/' "$tmp"; echo ']'; } > "$out"
count=$(wc -l < "$tmp")
rm -f "$tmp"
echo "wrote $out"
if [ -n "${CDAG_OUTPUT:-}" ]; then
  echo "{\"path\": \"$out\", \"ratings\": $count}" > "$CDAG_OUTPUT"
fi
