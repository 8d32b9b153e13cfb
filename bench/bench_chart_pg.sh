#!/bin/bash
# bench_chart_pg.sh - chart latency and size on a big readings table in
# PostgreSQL (a private server on loopback, tests/e2e/pg.sh), beside the
# floor of the classic way on the same server: psql fetching the window's
# rows, before any drawing.
#
#   BENCH_PG_ROWS  rows at 3 s intervals, ending now (default 10000000,
#                  about a year: the table the issue names)
#   BENCH_REPS     requests per latency figure (default 20; the median)
set -eu
HEARTH=${HEARTH:?set HEARTH}
HEARTH_TOP=${HEARTH_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
rows=${BENCH_PG_ROWS:-10000000}
reps=${BENCH_REPS:-20}
dir=$(mktemp -d "${TMPDIR:-/tmp}/hearth-bench-chartpg.XXXXXX")
pids=""
. "$HEARTH_TOP/tests/e2e/pg.sh"
cleanup() {
	local p
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	pg_stop
	rm -rf "$dir"
}
trap cleanup EXIT
if [ ! -x "${PG_BIN:-}/initdb" ]; then
	echo "skipped: no PostgreSQL server installed (Debian package postgresql)"
	exit 0
fi

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
now_ms() { date +%s%3N; }

cd "$dir"
pg_start "$dir/pg" >/dev/null
printf '127.0.0.1:%s:*:hearth:%s\n' "$PG_PORT" "$PG_PASS" >pgpass
chmod 600 pgpass
export PGPASSFILE=$dir/pgpass
pg_createdb chart >/dev/null
"$HEARTH" --db "$(pg_url chart)" init . >/dev/null
end=$(date +%s)
start=$((end - rows * 3))
t0=$(now_ms)
# The readings of bench_chart.sh: a daily watts curve with noise and
# spikes, a slow temperature wave.
pg_sql chart "INSERT INTO readings SELECT to_timestamp($start + i * 3),
  200 + (i % 28800) / 200 + floor(random() * 50)::int
      + CASE WHEN random() < 0.001 THEN 2000 ELSE 0 END,
  round((19 + ((i % 28800) - 14400) / 7200.0 + random())::numeric, 2)
FROM generate_series(0, $rows - 1) i" >/dev/null
pg_sql chart "VACUUM ANALYZE readings" >/dev/null
echo "table: $rows rows at 3 s ($(( (end - start) / 86400 )) days), generated in $(( $(now_ms) - t0 )) ms"
t0=$(now_ms)
"$HEARTH" rollup rebuild readings >/dev/null
for t in m h; do pg_sql chart "VACUUM ANALYZE hearth_rollup_readings_$t" >/dev/null; done
echo "rollup rebuild: $(( $(now_ms) - t0 )) ms ($(pg_sql chart 'SELECT count(*) FROM hearth_rollup_readings_m') minute, $(pg_sql chart 'SELECT count(*) FROM hearth_rollup_readings_h') hour buckets)"

P=$(port)
"$HEARTH" serve --listen "127.0.0.1:$P" >serve.log 2>&1 &
pids="$pids $!"
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$P/healthz" && break; sleep 0.1; done

# median_ms URL: median of reps request times (curl's), in ms; the body
# lands in body.out.
median_ms() {
	local i
	for i in $(seq 1 "$reps"); do
		curl -s -o body.out -w '%{time_total}\n' "$1"
	done | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]*1000}'
}
# median_run_ms CMD...: median of reps runs of CMD, in ms.
median_run_ms() {
	local i t
	for i in $(seq 1 "$reps"); do
		t=$(date +%s%N)
		"$@" >/dev/null
		echo $(( $(date +%s%N) - t ))
	done | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1e6}'
}
window_rows() {
	PGOPTIONS="-c TimeZone=UTC" "$PG_BIN/psql" -X -q -A -t -h 127.0.0.1 \
		-p "$PG_PORT" -U hearth -d chart -c "SELECT * FROM readings WHERE r_datetime > now() - interval '$1'"
}

printf '%-8s %-34s %-30s %s\n' window "hearth /chart on PG (median)" "psql fetching the rows" "rows in window"
for w in 24h 1y; do
	case $w in 24h) since=-24h; iv='24 hours' ;; 1y) since=-1y; iv='1 year' ;; esac
	url="http://127.0.0.1:$P/chart/readings.svg?since=$since"
	curl -s -o /dev/null "$url" # warm the caches, as a second visit would be
	ms=$(median_ms "$url")
	size=$(stat -c %s body.out)
	src=$(grep -o 'data-source="[a-z]*"' body.out | cut -d'"' -f2)
	n=$(window_rows "$iv" | wc -l)
	creps=$reps
	[ "$w" = 1y ] && reps=3
	cms=$(median_run_ms window_rows "$iv")
	reps=$creps
	printf '%-8s %-34s %-30s %s\n' "$w" "$ms ms, $((size / 1024)) KB ($src)" "$cms ms" "$n"
done
ms=$(median_ms "http://127.0.0.1:$P/")
echo "dashboard page (2 charts, 24 h) on PG: $ms ms, $(( $(stat -c %s body.out) / 1024 )) KB"
