#!/bin/sh
# list-days --start_date D --end_date D
# The days D with start_date <= D < end_date, as the output "days" (a JSON list) in $CDAG_OUTPUT:
# what a downstream task fans out over, one instance per day.
set -eu
while [ $# -gt 0 ]; do
  case "$1" in
    --start_date) start=$2; shift 2 ;;
    --end_date) end=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
s=$(date -u -d "$start" +%s)
e=$(date -u -d "$end" +%s)
days=""
while [ "$s" -lt "$e" ]; do
  days="$days${days:+, }\"$(date -u -d "@$s" +%F)\""
  s=$((s + 86400))
done
echo "{\"days\": [$days]}" > "${CDAG_OUTPUT:?run by cdag or its Airflow export: CDAG_OUTPUT names the output file}"
echo "days: [$days]"
