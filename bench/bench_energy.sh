#!/bin/bash
# bench_energy.sh - hearth energy --by day over a year of readings (from
# its quarter-hour slots), beside the same day sums computed in one SQL
# query over the raw rows with sqlite3 (trapezoids by a window function).
#
#   BENCH_ROWS   readings spread over one year, at whole seconds (default
#                1000000, one every 31 s; 10000000, one every 3 s, is the
#                table the issue names)
#   BENCH_REPS   runs per figure (default 10; the median is shown)
set -eu
HEARTH=${HEARTH:?set HEARTH}
rows=${BENCH_ROWS:-1000000}
reps=${BENCH_REPS:-10}
dir=$(mktemp -d "${TMPDIR:-/tmp}/hearth-bench-energy.XXXXXX")
trap 'rm -rf "$dir"' EXIT
now_ms() { date +%s%3N; }

# median_ms CMD...: the median wall time of reps runs of CMD, in ms.
median_ms() {
	python3 - "$reps" "$@" <<'PY'
import statistics, subprocess, sys, time
reps, cmd = int(sys.argv[1]), sys.argv[2:]
times = []
for _ in range(reps):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    times.append((time.perf_counter() - t) * 1000)
print("%.1f" % statistics.median(times))
PY
}

cd "$dir"
"$HEARTH" init . >/dev/null
printf '[energy]\nreadings.r_watts = power\n' >>hearth.ini
sed -i '/^\[serve\]/a timezone = UTC' hearth.ini
start=1735689600 # 2025-01-01T00:00:00Z
step=$((365 * 86400 / rows))
[ "$step" -ge 1 ] || step=1
gap=$((3 * step))
t0=$(now_ms)
# A daily watts curve with noise, ISO text times as Python's sqlite3
# writes them; an hour without readings every 10 days.
sqlite3 hearth.db "PRAGMA journal_mode=WAL;
WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < $rows - 1)
INSERT INTO readings (r_datetime, r_watts)
SELECT datetime($start + i * $step, 'unixepoch'),
  300 + (i * $step % 86400) / 100 + abs(random() % 200)
FROM c WHERE i * $step % 864000 >= 3600;" >/dev/null
n=$(sqlite3 hearth.db "SELECT count(*) FROM readings")
echo "table: $n readings over 365 days (one every ${step} s), generated in $(( $(now_ms) - t0 )) ms"

args=(energy readings --by day --since 2025-01-01 --until 2025-12-31 --format csv)
t0=$(now_ms)
"$HEARTH" "${args[@]}" --rebuild >hearth.csv
echo "slots built from every reading: $(( $(now_ms) - t0 )) ms ($(sqlite3 hearth.db 'SELECT count(*) FROM hearth_energy') quarter-hour slots)"

# The peer: one query over the raw rows, pairs not split at midnight.
cat >peer.sql <<SQL
WITH r AS (SELECT unixepoch(r_datetime) AS t, r_watts AS w FROM readings),
p AS (SELECT t, w, lag(t) OVER (ORDER BY t) AS pt, lag(w) OVER (ORDER BY t) AS pw FROM r)
SELECT date(pt, 'unixepoch') AS day, sum((w + pw) / 2.0 * (t - pt)) / 3600000.0
FROM p WHERE pt IS NOT NULL AND t - pt <= $gap GROUP BY day ORDER BY day;
SQL
sqlite3 -csv hearth.db <peer.sql >peer.csv

hearth_ms=$(median_ms "$HEARTH" "${args[@]}")
one_ms=$(median_ms "$HEARTH" energy readings --by day --since 2025-06-01 --until 2025-06-01)
peer_reps=$reps
[ "$rows" -gt 2000000 ] && reps=1
peer_ms=$(median_ms sqlite3 hearth.db ".read peer.sql")
reps=$peer_reps
printf '%-44s %10s\n' "a year by day (365 rows), median of runs" "ms"
printf '%-44s %10s\n' "hearth energy (from slots, whole command)" "$hearth_ms"
printf '%-44s %10s\n' "hearth energy, one day" "$one_ms"
printf '%-44s %10s\n' "sqlite3, one query over the raw rows" "$peer_ms"

# A day of new readings, then the report: only their slots are made.
last=$(sqlite3 hearth.db "SELECT unixepoch(max(r_datetime)) FROM readings")
sqlite3 hearth.db "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 86400 / $step)
INSERT INTO readings (r_datetime, r_watts) SELECT datetime($last + i * $step, 'unixepoch'), 500 FROM c;"
t0=$(now_ms)
"$HEARTH" energy readings --by day --since 2025-12-01 --until 2026-01-01 >/dev/null
echo "after a day of new readings: $(( $(now_ms) - t0 )) ms to bring the slots up to date and report"

# The two agree: day by day, the largest difference, in percent.
python3 - hearth.csv peer.csv <<'PY'
import csv, sys
h = {r[0]: float(r[3]) for r in list(csv.reader(open(sys.argv[1])))[1:]}
p = {r[0]: float(r[1]) for r in csv.reader(open(sys.argv[2]))}
worst = max(abs(h[d] - p[d]) / p[d] * 100 for d in p if d in h and p[d] > 0)
print("totals: hearth %.3f kWh, sqlite3 %.3f kWh; largest daily difference %.4f%%"
      " (sqlite3 does not split pairs at midnight)" % (sum(h.values()), sum(p.values()), worst))
PY
