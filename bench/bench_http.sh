#!/bin/bash
# bench_http.sh - points per second ingested over HTTP line protocol:
# hearth serve vs InfluxDB 1.x (Debian's influxdb package), both started
# here on loopback with private data directories, the same load sent to
# each: batches of 5,000 points from 4 concurrent clients.  Prints
# points/s and peak memory (VmHWM) of each server, and what SQLite alone
# takes to insert the same rows into the same table (sqlite3, INSERT ...
# SELECT from a table holding them, one transaction): the ceiling of any
# server that stores through SQLite, as its writes go one at a time.
#
#   BENCH_POINTS  points per server (default 1000000)
#   BENCH_BATCH   points per request (default 5000)
#   BENCH_CLIENTS concurrent clients (default 4)
set -eu
HEARTH=${HEARTH:?}
top=$(cd "$(dirname "$0")/.." && pwd)
points=${BENCH_POINTS:-1000000}
batch=${BENCH_BATCH:-5000}
clients=${BENCH_CLIENTS:-4}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hearth-bench-http.XXXXXX")
pids=""
cleanup() {
	local p
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for p in $pids; do wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
wait_up() {
	local i
	for i in $(seq 1 200); do
		curl -s -o /dev/null "$1" && return 0
		sleep 0.1
	done
	echo "bench_http: $1 did not come up" >&2
	return 1
}
hwm() { awk '/^VmHWM/ { printf "%.1f MiB", $2 / 1024 }' "/proc/$1/status"; }
rate() { awk -v p="$1" -v s="$2" 'BEGIN { printf "%.0f", p / s }'; }

echo "   $points points per server, batches of $batch, $clients clients, line protocol over loopback HTTP"

# --- hearth ---
mkdir "$tmp/hearth"
(cd "$tmp/hearth" && "$HEARTH" init . >/dev/null)
echo "bench-token-0123456789" >"$tmp/hearth/token"
sed -i 's/^; write_token_file.*/write_token_file = token/' "$tmp/hearth/hearth.ini"
hport=$(free_port)
(cd "$tmp/hearth" && exec "$HEARTH" serve --listen "127.0.0.1:$hport" >serve.log 2>&1) &
hpid=$!
pids="$pids $hpid"
wait_up "http://127.0.0.1:$hport/healthz"
read -r hp hs < <(python3 "$top/bench/lp_load.py" "http://127.0.0.1:$hport/write?db=bench" \
	"$points" "$batch" "$clients" "Bearer bench-token-0123456789")
hmem=$(hwm "$hpid")
stored=$(sqlite3 "$tmp/hearth/hearth.db" "SELECT count(*) FROM readings")
kill "$hpid"; wait "$hpid" 2>/dev/null || true
pids=""
[ "$stored" = "$hp" ] || { echo "bench_http: hearth stored $stored of $hp points" >&2; exit 1; }
hrate=$(rate "$hp" "$hs")
printf '   %-26s %10s points/s  (%s s)  peak RSS %s\n' "hearth serve (SQLite)" "$hrate" "$hs" "$hmem"

# --- SQLite alone: the same rows, the same table and index ---
mkdir "$tmp/floor"
(cd "$tmp/floor" && "$HEARTH" init . >/dev/null)
sqlite3 "$tmp/floor/rows.db" "CREATE TABLE s (t, w, c);
	WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < $points - 1)
	INSERT INTO s SELECT strftime('%Y-%m-%d %H:%M:%f', 1700000000 + n / 10.0, 'unixepoch') || '000',
		1000 + n % 977, 15 + (n % 100) / 10.0 FROM i;"
fs=$( { /usr/bin/time -f '%e' sqlite3 "$tmp/floor/hearth.db" "PRAGMA synchronous = NORMAL;
	ATTACH '$tmp/floor/rows.db' AS x; BEGIN; INSERT INTO readings SELECT * FROM x.s; COMMIT;" >/dev/null; } 2>&1 | tail -1)
printf '   %-26s %10s rows/s    (%s s)  the ceiling for SQLite storage\n' "SQLite alone (sqlite3)" "$(rate "$points" "$fs")" "$fs"

# --- InfluxDB 1.x ---
if ! command -v influxd >/dev/null; then
	echo "   influxd not installed (Debian package influxdb): no peer figure"
	exit 0
fi
iport=$(free_port)
rport=$(free_port)
mkdir -p "$tmp/influx"
cat >"$tmp/influx/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$rport"
[meta]
  dir = "$tmp/influx/meta"
[data]
  dir = "$tmp/influx/data"
  wal-dir = "$tmp/influx/wal"
  query-log-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:$iport"
  auth-enabled = false
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
CONF
influxd -config "$tmp/influx/influxdb.conf" >"$tmp/influx/log" 2>&1 &
ipid=$!
pids="$pids $ipid"
wait_up "http://127.0.0.1:$iport/ping"
curl -s -o /dev/null -X POST "http://127.0.0.1:$iport/query" --data-urlencode 'q=CREATE DATABASE bench'
read -r ip is < <(python3 "$top/bench/lp_load.py" "http://127.0.0.1:$iport/write?db=bench" \
	"$points" "$batch" "$clients")
imem=$(hwm "$ipid")
irate=$(rate "$ip" "$is")
ver=$(influxd version 2>/dev/null | head -1)
printf '   %-26s %10s points/s  (%s s)  peak RSS %s\n' "InfluxDB (${ver#InfluxDB })" "$irate" "$is" "$imem"
awk -v h="$hrate" -v i="$irate" 'BEGIN { printf "   hearth / InfluxDB: %.2fx (target >= 1.5x)\n", h / i }'

