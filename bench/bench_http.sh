#!/bin/bash
# bench_http.sh - points per second ingested over HTTP line protocol:
# hearth serve vs InfluxDB 1.x (Debian's influxdb package), both started
# here on loopback with private data directories, the same load sent to
# each: batches of 5,000 points from 4 concurrent clients.  Prints
# points/s of every run, and the median points/s and peak memory (VmHWM)
# of each server, and what SQLite alone takes to insert the same rows
# into the same table (sqlite3, INSERT ... SELECT from a table holding
# them): in one transaction, in one per request in the order the clients
# send them, and in those transactions in time order.  That is the
# ceiling of any server that stores through SQLite, as its writes go one
# at a time.
#
#   BENCH_POINTS  points per server (default 1000000)
#   BENCH_BATCH   points per request (default 5000)
#   BENCH_CLIENTS concurrent clients (default 4)
#   BENCH_RUNS    runs of each server, alternating (default 3); the
#                 medians are compared, as one run on a shared machine
#                 can be off by a sixth either way
set -eu
HEARTH=${HEARTH:?}
top=$(cd "$(dirname "$0")/.." && pwd)
points=${BENCH_POINTS:-1000000}
batch=${BENCH_BATCH:-5000}
clients=${BENCH_CLIENTS:-4}
runs=${BENCH_RUNS:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hearth-bench-http.XXXXXX")
pids=""
cleanup() {
	local p
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for p in $pids; do wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

. "$top/bench/lib.sh"
rate() { awk -v p="$1" -v s="$2" 'BEGIN { printf "%.0f", p / s }'; }

# One run against hearth in a fresh directory: sets R (points/s) and M
# (peak RSS, MiB).
run_hearth() {
	local d="$tmp/hearth.$1" stored
	mkdir "$d"
	(cd "$d" && "$HEARTH" init . >/dev/null)
	sed -i 's/^; write_token_file.*/write_token_file = token/' "$d/hearth.ini"
	serve_load "$d"
	stored=$(sqlite3 "$d/hearth.db" "SELECT count(*) FROM readings")
	[ "$stored" = "$P" ] || { echo "bench_http: hearth stored $stored of $P points" >&2; exit 1; }
	rm -rf "$d"
}

echo "   $points points per server, batches of $batch, $clients clients, line protocol over loopback HTTP, $runs runs each (alternating)"
lp_runs "$runs" "hearth"
hrate=$(echo "$hrates" | median)
printf '   %-26s %10s points/s  (median)  peak RSS %s MiB\n' "hearth serve (SQLite)" "$hrate" "$(echo "$hmems" | median)"

# --- SQLite alone: the same rows, the same table and index ---
mkdir "$tmp/floor"
(cd "$tmp/floor" && "$HEARTH" init . >/dev/null)
sqlite3 "$tmp/floor/rows.db" "CREATE TABLE s (t, w, c);
	WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < $points - 1)
	INSERT INTO s SELECT strftime('%Y-%m-%d %H:%M:%f', 1700000000 + n / 10.0, 'unixepoch') || '000',
		1000 + n % 977, 15 + (n % 100) / 10.0 FROM i;"
fs=$( { /usr/bin/time -f '%e' sqlite3 "$tmp/floor/hearth.db" "PRAGMA synchronous = NORMAL;
	ATTACH '$tmp/floor/rows.db' AS x; BEGIN; INSERT INTO readings SELECT * FROM x.s; COMMIT;" >/dev/null; } 2>&1 | tail -1)
printf '   %-26s %10s rows/s    (%s s)  one transaction: the ceiling for SQLite storage\n' "SQLite alone (sqlite3)" "$(rate "$points" "$fs")" "$fs"
# txn FIRST: one request's transaction, the rows after FIRST.
txn() {
	echo "BEGIN; INSERT INTO readings SELECT * FROM x.s WHERE rowid > $1 AND rowid <= $(($1 + batch)); COMMIT;"
}
# replay NAME WHAT: the transactions in NAME.sql, timed, into a fresh
# project's table.
replay() {
	mkdir "$tmp/floor/$1"
	(cd "$tmp/floor/$1" && "$HEARTH" init . >/dev/null)
	fs=$( { /usr/bin/time -f '%e' sqlite3 "$tmp/floor/$1/hearth.db" "PRAGMA synchronous = NORMAL;
		ATTACH '$tmp/floor/rows.db' AS x;" ".read $tmp/floor/$1.sql" >/dev/null; } 2>&1 | tail -1)
	printf '   %-26s %10s rows/s    (%s s)  %s\n' "SQLite alone (sqlite3)" "$(rate "$((nb * batch * clients))" "$fs")" "$fs" "$2"
}
# ... and in the transactions the load makes: one per request, taken
# from the clients in turn, each client a quarter of the time range (as
# lp_load.py sends them), so the time index grows in four places.
nb=$((points / (batch * clients)))
for b in $(seq 0 $((nb - 1))); do
	for w in $(seq 0 $((clients - 1))); do
		txn $(((w * nb + b) * batch))
	done
done >"$tmp/floor/load.sql"
replay load "a transaction per request, as the load sends them"
# ... and the same transactions in time order, each new index entry at the
# end of the index: what the four places cost.
for k in $(seq 0 $((nb * clients - 1))); do
	txn $((k * batch))
done >"$tmp/floor/ordered.sql"
replay ordered "the same transactions in time order"

if [ $have_influx = 0 ]; then
	echo "   influxd not installed (Debian package influxdb): no peer figure"
	exit 0
fi
irate=$(echo "$irates" | median)
ver=$(influxd version 2>/dev/null | head -1)
printf '   %-26s %10s points/s  (median)  peak RSS %s MiB\n' "InfluxDB (${ver#InfluxDB })" "$irate" "$(echo "$imems" | median)"
awk -v h="$hrate" -v i="$irate" 'BEGIN { printf "   hearth / InfluxDB: %.2fx, medians (target >= 1.5x)\n", h / i }'
