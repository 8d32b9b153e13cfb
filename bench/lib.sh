# lib.sh - helpers for benchmarks, sourced by bench/bench_http.sh and
# bench/bench_pg.sh.  run_influx expects $top (the source tree), $tmp (a
# private directory), $points, $batch and $clients (the load,
# bench/lp_load.py's), and keeps the server's process id in $pids for the
# caller's cleanup.
#
#   median             the median of the numbers on stdin
#   free_port          a free TCP port on 127.0.0.1
#   wait_up URL        wait until URL answers
#   hwm PID            peak memory (VmHWM) of PID, MiB
#   run_influx N       InfluxDB 1.x with fresh data directories, the load
#                      sent to it: sets R (points/s) and M (peak MiB)
#   serve_load DIR     hearth serve in DIR (its hearth.ini names the write
#                      token file "token", which holds $TOKEN), the load
#                      sent to it, stopped: sets P (points sent), R and M
#   lp_runs RUNS NAME  RUNS runs of the caller's run_hearth N (which sets
#                      R and M as run_influx does), each followed by one
#                      of run_influx when influxd is installed; prints
#                      each run's points/s (hearth named NAME), sets
#                      have_influx (0 or 1) and hrates, hmems, irates,
#                      imems (each run's R and M)

median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
wait_up() {
	local i
	for i in $(seq 1 200); do
		curl -s -o /dev/null "$1" && return 0
		sleep 0.1
	done
	echo "bench: $1 did not come up" >&2
	return 1
}
hwm() { awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

run_influx() {
	local d="$tmp/influx.$1" iport rport pid p sec
	iport=$(free_port)
	rport=$(free_port)
	mkdir -p "$d"
	cat >"$d/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$rport"
[meta]
  dir = "$d/meta"
[data]
  dir = "$d/data"
  wal-dir = "$d/wal"
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
	influxd -config "$d/influxdb.conf" >"$d/log" 2>&1 &
	pid=$!
	pids="$pid"
	wait_up "http://127.0.0.1:$iport/ping"
	curl -s -o /dev/null -X POST "http://127.0.0.1:$iport/query" --data-urlencode 'q=CREATE DATABASE bench'
	read -r p sec < <(python3 "$top/bench/lp_load.py" "http://127.0.0.1:$iport/write?db=bench" \
		"$points" "$batch" "$clients")
	M=$(hwm "$pid")
	kill "$pid"; wait "$pid" 2>/dev/null || true
	pids=""
	rm -rf "$d"
	R=$(awk -v p="$p" -v s="$sec" 'BEGIN { printf "%.0f", p / s }')
}

TOKEN=bench-token-0123456789
serve_load() {
	local port pid sec
	echo "$TOKEN" >"$1/token"
	port=$(free_port)
	(cd "$1" && exec "$HEARTH" serve --listen "127.0.0.1:$port" >serve.log 2>&1) &
	pid=$!
	pids="$pid"
	wait_up "http://127.0.0.1:$port/healthz"
	read -r P sec < <(python3 "$top/bench/lp_load.py" "http://127.0.0.1:$port/write?db=bench" \
		"$points" "$batch" "$clients" "Bearer $TOKEN")
	M=$(hwm "$pid")
	kill "$pid"; wait "$pid" 2>/dev/null || true
	pids=""
	R=$(awk -v p="$P" -v s="$sec" 'BEGIN { printf "%.0f", p / s }')
}

lp_runs() {
	local i line
	have_influx=1
	command -v influxd >/dev/null || have_influx=0
	hrates="" irates="" hmems="" imems=""
	for i in $(seq 1 "$1"); do
		run_hearth "$i"
		hrates="$hrates $R" hmems="$hmems $M"
		line="run $i: $2 $R points/s"
		if [ $have_influx = 1 ]; then
			run_influx "$i"
			irates="$irates $R" imems="$imems $M"
			line="$line, InfluxDB $R points/s"
		fi
		echo "   $line"
	done
}
