#!/bin/bash
# bench_pg.sh - bulk loads into PostgreSQL (a private server on loopback,
# tests/e2e/pg.sh), each beside its peer in the same run, alternating:
#   - `hearth import` of a CSV of BENCH_ROWS readings into the readings
#     table of `hearth init` (its time index and chart rollup triggers)
#     beside psql's \copy of the same file into the same table of a
#     fresh database: the floor, the server's own CSV parser;
#   - `hearth copy` of a SQLite project holding those rows into an empty
#     database beside the shell's way of moving them: sqlite3 -csv piped
#     into psql's \copy (into a table made by hearth init, as above);
#   - line protocol over HTTP (bench/lp_load.py, as bench_http sends it)
#     into `hearth serve` on a fresh database beside InfluxDB 1.x under
#     the same load, when influxd is installed (Debian's influxdb).
# psql connects as hearth does, over TCP with the password (scram).
# Prints every run's seconds or points/s and the medians.
#   BENCH_ROWS     readings (default 5000000)
#   BENCH_REPS     runs of each, alternating (default 3)
#   BENCH_POINTS   points per server over HTTP (default 1000000)
#   BENCH_BATCH    points per request (default 5000)
#   BENCH_CLIENTS  concurrent clients (default 4)
set -eu
HEARTH=${HEARTH:?}
top=$(cd "$(dirname "$0")/.." && pwd)
rows=${BENCH_ROWS:-5000000}
reps=${BENCH_REPS:-3}
points=${BENCH_POINTS:-1000000}
batch=${BENCH_BATCH:-5000}
clients=${BENCH_CLIENTS:-4}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hearth-bench-pg.XXXXXX")
pids=""
. "$top/tests/e2e/pg.sh"
. "$top/bench/lib.sh"
cleanup() {
	local p
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for p in $pids; do wait "$p" 2>/dev/null || true; done
	pg_stop
	rm -rf "$tmp"
}
trap cleanup EXIT
if [ ! -x "${PG_BIN:-}/initdb" ]; then
	echo "   no PostgreSQL server installed (Debian package postgresql): skipped"
	exit 0
fi
pg_start "$tmp/pg" >/dev/null
printf '127.0.0.1:%s:*:hearth:%s\n' "$PG_PORT" "$PG_PASS" >"$tmp/pgpass"
chmod 600 "$tmp/pgpass"
export PGPASSFILE=$tmp/pgpass
cd "$tmp"

# seconds of a command, its output thrown away
secs() {
	/usr/bin/time -f '%e' -o tm.txt "$@" >/dev/null 2>run.err || { cat run.err >&2; exit 1; }
	cat tm.txt
}
rate() { awk -v n="$rows" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }
n=0
# fresh: a new database NAME with hearth init's tables; DB its URL.
fresh() {
	n=$((n + 1))
	pg_createdb "d$n"
	DB=$(pg_url "d$n")
	rm -rf "p$n"
	"$HEARTH" --db "$DB" init "p$n" >/dev/null
}
count() { pg_sql "d$n" "SELECT count(*) FROM readings"; }
want() { [ "$(count)" = "$rows" ] || { echo "bench_pg: $1 stored $(count) of $rows rows" >&2; exit 1; }; }

echo "generating $rows readings..."
# ISO times, which psql's \copy reads too.
awk -v n="$rows" 'BEGIN { print "r_datetime,r_watts,r_temp"
	for (i = 0; i < n; i++) {
		t = 1416780900 + i * 3
		printf "%s,%d,%.1f\n", strftime("%Y-%m-%d %H:%M:%S", t, 1), 200 + i % 3000, 15 + (i % 100) / 10 } }' >r.csv
"$HEARTH" init src >/dev/null
"$HEARTH" --config src/hearth.ini import --quiet readings r.csv

hi="" pi="" hc="" pc=""
for i in $(seq 1 "$reps"); do
	fresh; s=$(secs "$HEARTH" --db "$DB" import --quiet readings r.csv); want "hearth import"; hi="$hi $s"
	fresh; s=$(secs "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U hearth -d "d$n" -c "\\copy readings from 'r.csv' with (format csv, header true)"); want "psql \\copy"; pi="$pi $s"
	n=$((n + 1)); pg_createdb "d$n"; DB=$(pg_url "d$n")
	s=$(secs "$HEARTH" copy --quiet sqlite:///src/hearth.db "$DB"); want "hearth copy"; hc="$hc $s"
	fresh; s=$(secs bash -c "sqlite3 -csv src/hearth.db 'SELECT r_datetime, r_watts, r_temp FROM readings' |
		\"$PG_BIN/psql\" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $PG_PORT -U hearth -d d$n -c '\\copy readings from stdin with (format csv)'")
	want "sqlite3 | psql"; pc="$pc $s"
	echo "   run $i: hearth import $(echo "$hi" | awk '{ print $NF }') s, psql \\copy $(echo "$pi" | awk '{ print $NF }') s; hearth copy $(echo "$hc" | awk '{ print $NF }') s, sqlite3 | psql \\copy $(echo "$pc" | awk '{ print $NF }') s"
	for d in $(seq $((n - 3)) "$n"); do pg_sql postgres "DROP DATABASE d$d" >/dev/null; done
done
printf '   %-44s %10s %8s\n' "$rows readings into PostgreSQL $("$PG_BIN/postgres" --version | awk '{ print $3 }')" "rows/s" "seconds"
for k in "hearth import (CSV, rollup triggers kept):$hi" "psql \\copy of the same file (the floor):$pi" \
	"hearth copy SQLite -> PostgreSQL:$hc" "sqlite3 -csv | psql \\copy:$pc"; do
	s=$(echo "${k#*:}" | median)
	printf '   %-44s %10s %8s\n' "${k%%:*}" "$(rate "$s")" "$s"
done
awk -v a="$(echo "$hi" | median)" -v b="$(echo "$pi" | median)" -v c="$(echo "$hc" | median)" -v d="$(echo "$pc" | median)" 'BEGIN {
	printf "   hearth import / psql \\copy: %.2fx (target >= 0.80); hearth copy / sqlite3 | psql: %.2fx (medians)\n", b / a, d / c }'

# --- line protocol over HTTP ---
# One run of hearth serve on a fresh database: sets R (points/s) and M
# (peak RSS, MiB).
run_hearth() {
	local d="$tmp/serve.$1" stored
	n=$((n + 1))
	pg_createdb "d$n"
	mkdir "$d"
	printf '[hearth]\ndb = %s\n[serve]\nwrite_token_file = token\n' "$(pg_url "d$n")" >"$d/hearth.ini"
	"$HEARTH" --db "$(pg_url "d$n")" init "$d/p" >/dev/null
	serve_load "$d"
	stored=$(pg_sql "d$n" "SELECT count(*) FROM readings")
	[ "$stored" = "$P" ] || { echo "bench_pg: hearth serve stored $stored of $P points" >&2; exit 1; }
	pg_sql postgres "DROP DATABASE d$n" >/dev/null
	rm -rf "$d"
}

echo "   $points points per server, batches of $batch, $clients clients, line protocol over loopback HTTP"
lp_runs "$reps" "hearth serve (PostgreSQL)"
printf '   %-30s %10s points/s  (median)  peak RSS %s MiB\n' "hearth serve (PostgreSQL)" "$(echo "$hrates" | median)" "$(echo "$hmems" | median)"
if [ $have_influx = 0 ]; then
	echo "   influxd not installed (Debian package influxdb): no peer figure"
	exit 0
fi
ver=$(influxd version 2>/dev/null | head -1)
printf '   %-30s %10s points/s  (median)  peak RSS %s MiB\n' "InfluxDB (${ver#InfluxDB })" "$(echo "$irates" | median)" "$(echo "$imems" | median)"
awk -v h="$(echo "$hrates" | median)" -v i="$(echo "$irates" | median)" 'BEGIN { printf "   hearth serve (PostgreSQL) / InfluxDB: %.2fx (medians)\n", h / i }'
