#!/bin/bash
# bench_wemo: NOTIFYs per second a watcher keeps up with from 20 simulated
# WeMo sensors (tests/e2e/wemo_sim.py on loopback), each sending
# BENCH_WEMO_EVENTS states 1, 0, 1, ... as fast as the watcher answers,
# all at once; the time runs until every rising edge is stored.  Beside
# it, in the same run, the classic way: a Python http.server listener
# with one sqlite3 INSERT and commit per edge (bench/classic_wemo.py).
# Memory is each watcher's peak resident size (VmHWM).
#   BENCH_WEMO_DEVICES=20 BENCH_WEMO_EVENTS=500 (defaults)
set -eu
ndev=${BENCH_WEMO_DEVICES:-20}
nev=${BENCH_WEMO_EVENTS:-500}
H=${HEARTH:?}
top=${HEARTH_TOP:?}
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/hearth-bench.XXXXXX")
pids=
trap 'for p in $pids; do kill $p 2>/dev/null || true; done; rm -rf "$T_TMP"' EXIT
cd "$T_TMP"

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

devs=
ctls=
for i in $(seq 1 "$ndev"); do
	p=$(free_port)
	c=$(free_port)
	python3 "$top/tests/e2e/wemo_sim.py" --port "$p" --control "$c" \
		--name "dev$i" --ready "sim$i.ready" >/dev/null 2>&1 &
	pids="$pids $!"
	devs="$devs${devs:+, }127.0.0.1:$p"
	ctls="$ctls $c"
done
for i in $(seq 1 "$ndev"); do
	for _ in $(seq 1 50); do [ -e "sim$i.ready" ] && break; sleep 0.1; done
done

# burst: every device's NOTIFYs at once; returns when all are answered.
burst() {
	local c bp=
	for c in $ctls; do
		curl -sf "http://127.0.0.1:$c/burst?n=$nev" >/dev/null &
		bp="$bp $!"
	done
	for c in $bp; do wait "$c"; done
}

# until_rows DB N: wait until DB's motion table holds N rows.
until_rows() {
	for _ in $(seq 1 6000); do
		[ "$(sqlite3 "$1" "SELECT count(*) FROM motion" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.05
	done
	echo "$1: $(sqlite3 "$1" "SELECT count(*) FROM motion") rows, want $2" >&2
	exit 1
}

hwm() { awk '/VmHWM/ { print $2 }' "/proc/$1/status"; }
# cpu PID: user + system seconds the process used so far.
cpu() { awk -v t="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$1/stat"; }
now() { date +%s.%N; }

want=$((ndev * nev / 2))

"$H" init proj >/dev/null
cat >>proj/hearth.ini <<INI
[wemo]
devices = $devs
listen = 127.0.0.1:0
INI
"$H" --config proj/hearth.ini wemo watch 2>watch.err &
wp=$!
pids="$pids $wp"
for _ in $(seq 1 200); do
	n=$("$H" --config proj/hearth.ini kv list poll.wemo. 2>/dev/null | grep -c 'state	text	subscribed' || true)
	[ "$n" = "$ndev" ] && break
	sleep 0.1
done
[ "$n" = "$ndev" ] || { echo "only $n of $ndev devices subscribed" >&2; exit 1; }
t0=$(now)
burst
until_rows proj/hearth.db "$want"
s_h=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
m_h=$(hwm $wp)
c_h=$(cpu $wp)
kill $wp
wait $wp || true

python3 "$top/bench/classic_wemo.py" classic.db $(echo "$devs" | tr -d ,) >classic.port &
cp=$!
pids="$pids $cp"
for _ in $(seq 1 100); do [ -s classic.port ] && break; sleep 0.1; done
t0=$(now)
burst
until_rows classic.db "$want"
s_py=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
m_py=$(hwm $cp)
c_py=$(cpu $cp)
kill $cp
wait $cp || true

rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
total=$((ndev * nev))
printf "%-52s %9s %8s %8s %9s\n" "$total NOTIFYs from $ndev devices, $want edges stored" "events/s" "seconds" "CPU s" "peak RSS"
printf "%-52s %9s %8s %8s %7s kB\n" "hearth wemo watch" "$(rate "$total" "$s_h")" "$s_h" "$c_h" "$m_h"
printf "%-52s %9s %8s %8s %7s kB\n" "classic Python listener, INSERT+commit per edge" "$(rate "$total" "$s_py")" "$s_py" "$c_py" "$m_py"
