#!/bin/sh
# rank-movies (--input_path FILE | --input_paths JSON_LIST) --output_path FILE
# Average rating and number of ratings per movie, best first, as CSV. --input_paths ranks the
# ratings of several files together (a fan-out's outputs: ["/data/ratings/a.json", ...]).
set -eu
in=""
while [ $# -gt 0 ]; do
  case "$1" in
    --input_path) in=$2; shift 2 ;;
    --input_paths) in=$(echo "$2" | sed 's/[]["]//g; s/,/ /g'); shift 2 ;;
    --output_path) out=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$(dirname "$out")"
{
  echo "movieId,avg_rating,num_ratings"
  # shellcheck disable=SC2086 # several files, split on spaces
  sed -n 's/.*"movieId": \([0-9]*\), "rating": \([0-9.]*\).*/\1 \2/p' $in |
    awk '{ sum[$1] += $2; n[$1]++ } END { for (m in sum) printf "%d,%.3f,%d\n", m, sum[m] / n[m], n[m] }' |
    sort -t, -k2,2nr -k3,3nr -k1,1n
} > "$out"
echo "ranked $(($(wc -l < "$out") - 1)) movies into $out"
