#!/bin/sh
# GET /cgi-bin/ratings?start_date=YYYY-MM-DD&end_date=YYYY-MM-DD&offset=N&limit=N
# Ratings with start_date <= date < end_date, 25 per day, as {"result": [...], "offset", "limit", "total"}
# with one rating object per line inside "result".
param() { echo "$QUERY_STRING" | tr '&' '\n' | sed -n "s/^$1=//p" | head -n 1; }
start=$(param start_date); end=$(param end_date)
offset=$(param offset); limit=$(param limit)
offset=${offset:-0}; limit=${limit:-100}
echo "Content-Type: application/json"
echo ""
awk -v start="$start" -v end="$end" -v offset="$offset" -v limit="$limit" '
function days(d,   y, m, dd) { y = substr(d, 1, 4) + 0; m = substr(d, 6, 2) + 0; dd = substr(d, 9, 2) + 0
  if (m < 3) { y--; m += 12 }
  return 365 * y + int(y / 4) - int(y / 100) + int(y / 400) + int((153 * (m - 3) + 2) / 5) + dd }
BEGIN {
  n = 0
  for (day = days(start); day < days(end); day++) {
    for (i = 0; i < 25; i++) {
      seed = (day * 7919 + i * 104729) % 1000003
      movie = 1 + seed % 10; user = 1 + (seed * 31) % 50; rating = 1 + (seed * 17) % 5
      ts = (day - days("1970-01-01")) * 86400 + i * 3600
      row[n++] = sprintf("{\"userId\": %d, \"movieId\": %d, \"rating\": %d, \"timestamp\": %d}", user, movie, rating, ts)
    }
  }
  printf "{\"result\": [\n"
  last = offset + limit; if (last > n) last = n
  for (k = offset; k < last; k++) printf "%s%s\n", row[k], (k < last - 1 ? "," : "")
  printf "], \"offset\": %d, \"limit\": %d, \"total\": %d}\n", offset, limit, n
}'
