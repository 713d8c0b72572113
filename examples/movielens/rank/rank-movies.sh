#!/bin/sh
# rank-movies --input_path FILE --output_path FILE
# Average rating and number of ratings per movie, best first, as CSV.
set -eu
while [ $# -gt 0 ]; do
  case "$1" in
    --input_path) in=$2; shift 2 ;;
    --output_path) out=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$(dirname "$out")"
{
  echo "movieId,avg_rating,num_ratings"
  sed -n 's/.*"movieId": \([0-9]*\), "rating": \([0-9.]*\).*/\1 \2/p' "$in" |
    awk '{ sum[$1] += $2; n[$1]++ } END { for (m in sum) printf "%d,%.3f,%d\n", m, sum[m] / n[m], n[m] }' |
    sort -t, -k2,2nr -k3,3nr -k1,1n
} > "$out"
echo "ranked $(($(wc -l < "$out") - 1)) movies into $out"
