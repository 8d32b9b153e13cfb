#!/bin/bash
# bench_mqtt: messages stored per second from a private Mosquitto on
# loopback: `hearth mqtt` beside the classic way (`mosquitto_sub -v` piped
# into bench/classic_mqtt.py, an INSERT and commit per message), in the
# same run.  N QoS 1 Tasmota-style messages are queued at the broker for
# each one's persistent session first; each is then timed from its start
# until its table holds N rows (the row count read every 20 ms).
#   BENCH_MQTT_MSGS=5000 (default: the classic way takes about a minute)
set -eu
n=${BENCH_MQTT_MSGS:-5000}
H=${HEARTH:?}
top=${HEARTH_TOP:?}
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/hearth-bench.XXXXXX")
. "$top/tests/e2e/mosquitto.sh"
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null || true; done; mosquitto_stop; rm -rf "$T_TMP"' EXIT
cd "$T_TMP"
mosquitto_start "$T_TMP/mosquitto"

"$H" init proj >/dev/null
sed -i 's/^    r_temp     REAL$/    r_temp     REAL,\n    r_s_name   TEXT/' proj/schema.sql
"$H" --config proj/hearth.ini revision -m sensor --autogenerate >/dev/null
"$H" --config proj/hearth.ini upgrade >/dev/null
cat >>proj/hearth.ini <<INI
[mqtt]
url = mqtt://127.0.0.1:$MQ_PORT
client_id = bench-hearth
maps = tasmota
[mqtt.tasmota]
topic = tele/+/SENSOR
table = readings
values = r_watts=ENERGY.Power
INI

# Both sessions exist before the messages come: the broker queues them.
"$H" --config proj/hearth.ini mqtt --once >/dev/null
mosquitto_sub -h 127.0.0.1 -p "$MQ_PORT" -c -i bench-classic -q 1 -t 'tele/+/SENSOR' -E
echo "queueing $n messages for each..."
seq 1 "$n" | awk '{ printf "{\"Time\":\"2026-01-01T00:00:00\",\"ENERGY\":{\"Power\":%d}}\n", $1 % 3000 }' |
	mosquitto_pub -h 127.0.0.1 -p "$MQ_PORT" -q 1 -i bench-pub -t tele/plug1/SENSOR -l

now() { date +%s.%N; }
# wait_rows DB: until its readings hold n rows; prints the seconds since $t0.
wait_rows() {
	while [ "$(sqlite3 "$1" "SELECT count(*) FROM readings" 2>/dev/null || echo 0)" -lt "$n" ]; do
		sleep 0.02
	done
	awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'
}

t0=$(now)
"$H" --config proj/hearth.ini mqtt >/dev/null 2>hearth.err &
hpid=$!
PIDS="$PIDS $hpid"
s_h=$(wait_rows proj/hearth.db)
kill "$hpid"
wait "$hpid" || true

t0=$(now)
mosquitto_sub -h 127.0.0.1 -p "$MQ_PORT" -c -i bench-classic -q 1 -t 'tele/+/SENSOR' -v -C "$n" |
	/usr/bin/python3 "$top/bench/classic_mqtt.py" classic.db &
ppid=$!
PIDS="$PIDS $ppid"
s_py=$(wait_rows classic.db)
wait "$ppid"

n_h=$(sqlite3 proj/hearth.db "SELECT count(*) FROM readings")
n_py=$(sqlite3 classic.db "SELECT count(*) FROM readings")
[ "$n_h" = "$n" ] || { echo "hearth stored $n_h rows, want $n" >&2; exit 1; }
[ "$n_py" = "$n" ] || { echo "classic stored $n_py rows, want $n" >&2; exit 1; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
printf "%-58s %10s %8s\n" "$n queued QoS 1 messages stored (Mosquitto, loopback)" "msgs/s" "seconds"
printf "%-58s %10s %8s\n" "hearth mqtt (PUBACK after commit)" "$(rate "$n" "$s_h")" "$s_h"
printf "%-58s %10s %8s\n" "mosquitto_sub | Python sqlite3, commit per message" "$(rate "$n" "$s_py")" "$s_py"
