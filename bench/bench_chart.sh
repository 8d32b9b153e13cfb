#!/bin/bash
# bench_chart.sh - chart latency and size on a big readings table, beside
# the classic way (every row fetched, one polyline point per row, as the
# PHP page of the classic setup does), dashboard requests per second under
# wrk beside a static file server, and peak memory of hearth serve.
#
#   BENCH_ROWS   rows at 3 s intervals, ending now (default 1000000, about
#                35 days; 10000000 is the year the issue names)
#   BENCH_REPS   requests per latency figure (default 20; the median is shown)
#   BENCH_WRK_SECS  seconds of wrk per server (default 5)
set -eu
HEARTH=${HEARTH:?set HEARTH}
rows=${BENCH_ROWS:-1000000}
reps=${BENCH_REPS:-20}
wrk_secs=${BENCH_WRK_SECS:-5}
dir=$(mktemp -d "${TMPDIR:-/tmp}/hearth-bench-chart.XXXXXX")
pids=""
cleanup() {
	local p
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	rm -rf "$dir"
}
trap cleanup EXIT

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
now_ms() { date +%s%3N; }

cd "$dir"
"$HEARTH" init . >/dev/null
end=$(date +%s)
start=$((end - rows * 3))
t0=$(now_ms)
# Plausible readings: a daily watts curve with noise and spikes, a slow
# temperature wave; ISO text times as Python's sqlite3 stores them.
sqlite3 hearth.db "PRAGMA journal_mode=WAL;
WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < $rows - 1)
INSERT INTO readings SELECT datetime($start + i * 3, 'unixepoch'),
  200 + (i % 28800) / 200 + abs(random() % 50) + CASE WHEN abs(random() % 1000) = 0 THEN 2000 ELSE 0 END,
  round(19 + ((i % 28800) - 14400) / 7200.0 + (abs(random() % 100) / 100.0), 2)
FROM c;" >/dev/null
echo "table: $rows rows at 3 s ($(( (end - start) / 86400 )) days), generated in $(( $(now_ms) - t0 )) ms"
t0=$(now_ms)
"$HEARTH" rollup rebuild readings >/dev/null
echo "rollup rebuild: $(( $(now_ms) - t0 )) ms ($(sqlite3 hearth.db 'SELECT count(*) FROM hearth_rollup_readings_m') minute, $(sqlite3 hearth.db 'SELECT count(*) FROM hearth_rollup_readings_h') hour buckets)"

# What keeping rollups current costs the write path: the same import
# into a table with and without chart rollups.
n_imp=${BENCH_IMPORT_ROWS:-100000}
sqlite3 -csv -header hearth.db "SELECT * FROM readings LIMIT $n_imp" >imp.csv
for with in no yes; do
	rm -rf "imp-$with"
	"$HEARTH" init "imp-$with" >/dev/null
	[ $with = yes ] && (cd "imp-$with" && "$HEARTH" rollup rebuild >/dev/null)
	t0=$(now_ms)
	(cd "imp-$with" && "$HEARTH" import --quiet readings ../imp.csv)
	eval "imp_$with=\$(( \$(now_ms) - t0 ))"
done
echo "import of $n_imp rows: $imp_yes ms with chart rollups kept, $imp_no ms without"
rm -rf imp-no imp-yes imp.csv

P=$(port)
"$HEARTH" serve --listen "127.0.0.1:$P" >serve.log 2>&1 &
SERVE=$!
pids="$pids $SERVE"
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$P/healthz" && break; sleep 0.1; done

# median_ms URL: median of reps request times, in ms; the body lands in body.out
median_ms() {
	local i
	for i in $(seq 1 "$reps"); do
		curl -s -o body.out -w '%{time_total}\n' "$1"
	done | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]*1000}'
}

cat >classic.py <<'PY'
# The classic page: every row of the window fetched, then one polyline
# point (and one x tick line) per row, as the PHP of the classic setup.
import sqlite3, sys, time, statistics
db, since, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
times, size = [], 0
for _ in range(reps):
    t = time.perf_counter()
    con = sqlite3.connect(db)
    rows = con.execute("SELECT * FROM readings WHERE r_datetime > "
                       "(SELECT DATETIME('now', ?))", (since,)).fetchall()
    watts = [r[1] for r in rows]
    temp = [r[2] for r in rows]
    width, height, tick = 800, 600, 5
    sw, st = height / max(watts), height / max(temp)
    xt = width // len(watts) if len(watts) <= width else 0
    out = ['<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="%d" height="%d">'
           % (width, height + 2 * tick),
           '<line x1="0" y1="%d" x2="%d" y2="%d" style="stroke:black"/>' % (height, width, height),
           '<line x1="0" y1="0" x2="0" y2="%d" style="stroke:black"/>' % height]
    pw, pt = [], []
    for j in range(len(watts)):
        x = j * xt
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" style="stroke:black;stroke-width:1"/>'
                   % (x, height, x, height + tick))
        pw.append('%s,%s' % (x, height - watts[j] * sw))
        pt.append('%s,%s' % (x, height - temp[j] * st))
    out.append('<polyline points="%s" style="fill:none;stroke:red;stroke-width:4"/>' % ' '.join(pw))
    out.append('<polyline points="%s" style="fill:none;stroke:blue;stroke-width:4"/>' % ' '.join(pt))
    out.append('</svg>')
    svg = '\n'.join(out)
    size = len(svg.encode())
    con.close()
    times.append((time.perf_counter() - t) * 1000)
print("%.1f %d %d" % (statistics.median(times), size, len(rows)))
PY

printf '%-10s %-34s %-26s %s\n' window "hearth /chart (median)" "classic (median)" "rows in window"
for w in 24h 1y; do
	case $w in 24h) since=-24h; csince='-24 hours' ;; 1y) since=-1y; csince='-1 year' ;; esac
	url="http://127.0.0.1:$P/chart/readings.svg?since=$since"
	curl -s -o /dev/null "$url" # warm the cache, as a second visit would be
	ms=$(median_ms "$url")
	size=$(stat -c %s body.out)
	src=$(grep -o 'data-source="[a-z]*"' body.out | cut -d'"' -f2)
	creps=$reps
	[ "$w" = 1y ] && creps=3
	read -r cms csize crows < <(python3 classic.py hearth.db "$csince" "$creps")
	printf '%-10s %-34s %-26s %s\n' "$w" \
		"$ms ms, $((size / 1024)) KB ($src)" "$cms ms, $((csize / 1024)) KB" "$crows"
done

ms=$(median_ms "http://127.0.0.1:$P/")
echo "dashboard page (2 charts, 24 h): $ms ms, $(( $(stat -c %s body.out) / 1024 )) KB"

# Requests per second: hearth's dashboard, beside a static file server
# (python3 http.server) sending the same page saved to disk.
cp body.out dashboard.html
S=$(port)
python3 -m http.server "$S" --bind 127.0.0.1 >static.log 2>&1 &
pids="$pids $!"
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$S/dashboard.html" && break; sleep 0.1; done
rps() { wrk -t2 -c32 -d"${wrk_secs}s" "$1" 2>/dev/null | awk '/Requests\/sec/ {print $2}'; }
h=$(rps "http://127.0.0.1:$P/")
s=$(rps "http://127.0.0.1:$S/dashboard.html")
echo "wrk -c32 ${wrk_secs}s: hearth dashboard $h req/s; static copy via python3 http.server $s req/s"
# A client at exactly its per-address limit (64), as wrk -c64 is: it
# must see no errors (connections it closed once still counted and
# refused it some 145 times a second).
wrk -t2 -c64 -d"${wrk_secs}s" "http://127.0.0.1:$P/chart/readings.svg?since=-7d" >wrk64.out 2>&1
echo "wrk -c64 (the per-address limit) ${wrk_secs}s on /chart/readings.svg?since=-7d:" \
	"$(awk '/Requests\/sec/ {print $2}' wrk64.out) req/s," \
	"socket errors: $(awk '/Socket errors/ {print $3, $4, $5, $6, $7, $8, $9, $10; f=1} END {if (!f) print "none"}' wrk64.out)"
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$SERVE/status")
rss=$(awk '/VmRSS/ {print $2}' "/proc/$SERVE/status")
echo "hearth serve memory: peak $((hwm / 1024)) MB, now $((rss / 1024)) MB (4 threads, SQLite cache 2 MB each)"
