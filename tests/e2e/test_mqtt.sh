#!/bin/bash
# End-to-end: hearth mqtt (and serve) against a real Mosquitto broker on
# loopback, started here with its own config and stopped at exit.
# backends: sqlite pg
#
# Bad inputs tried: payloads that are not JSON, not UTF-8, of a wrong
# type (an object for a value, text for an INTEGER column, a state that is
# not true/false), over max_payload, with none of the mapping's paths; a
# topic that is not UTF-8 (the broker refuses it: hearth never sees it);
# settings with a bad url, filter, values, table, missing keys; a broker
# that is down at start; SIGKILL of hearth before and after a commit and
# at random; a broker restarted while messages flow.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mosquitto.sh"

mosquitto_start "$T_TMP/mosquitto" || exit 1
at_exit mosquitto_stop
at_exit stop_listeners

# Every hearth a test starts in the background, so that the script's exit
# stops those a failed test left.
stop_listeners() {
	local p
	[ -f "$T_TMP/listeners" ] || return 0
	for p in $(cat "$T_TMP/listeners"); do kill -9 "$p" 2>/dev/null || true; done
}
started() { echo "$1" >>"$T_TMP/listeners"; }

# setup [INI LINES...]: a project whose tables have a sensor column, with
# [mqtt] on the test broker under a client id of the test's own, mapping
# Tasmota, Shelly and zigbee2mqtt topics.
setup() {
	# A test before may have stopped it and failed.
	[ -f "$MQ_DIR/pid" ] || mosquitto_start "$MQ_DIR" || fail "broker start"
	t_init . >/dev/null
	# init's tables, readings with a sensor column, and a table with a key.
	sed -i 's/^    r_temp     REAL$/    r_temp     REAL,\n    r_s_name   TEXT/' schema.sql
	cat >>schema.sql <<'EOF'
CREATE TABLE meter (
    t      TIMESTAMP NOT NULL,
    sensor TEXT,
    seq    INTEGER PRIMARY KEY,
    watts  REAL CHECK (watts >= 0)
);
EOF
	if [ "$T_BACKEND" = pg ]; then
		# Revisions on PostgreSQL are not this test's subject.
		hearth --db "$T_DB" upgrade >/dev/null
		dbq "ALTER TABLE readings ADD COLUMN r_s_name TEXT;
		     CREATE TABLE meter (t TIMESTAMPTZ NOT NULL, sensor TEXT,
		     seq INTEGER PRIMARY KEY, watts REAL CHECK (watts >= 0))" >/dev/null
	else
		hearth --db "$T_DB" revision -m tables --autogenerate >/dev/null
		hearth --db "$T_DB" upgrade >/dev/null
	fi
	{
		echo "[hearth]"
		echo "db = $T_DB"
		echo "[mqtt]"
		echo "url = mqtt://127.0.0.1:$MQ_PORT"
		echo "client_id = hearth-$T_NAME-$$"
		echo "maps = tasmota shelly zigbee meter"
		echo "backoff_max = 2s"
		echo "[mqtt.tasmota]"
		echo "topic = tele/+/SENSOR"
		echo "table = readings"
		echo "values = r_watts=ENERGY.Power, r_temp=ENERGY.Temp"
		echo "[mqtt.shelly]"
		echo "topic = shellies/+/relay/0/power"
		echo "table = readings"
		echo "values = r_watts=\$"
		echo "[mqtt.zigbee]"
		echo "topic = zigbee2mqtt/+"
		echo "table = motion"
		echo "rising = occupancy"
		echo "[mqtt.meter]"
		echo "topic = meter/+/data"
		echo "table = meter"
		echo "values = seq=Seq, watts=Power"
		echo "time = Time"
		for l in "$@"; do echo "$l"; done
	} >>hearth.ini
	# The first run makes the session: from then on the broker keeps
	# what comes while hearth is away.
	hearth mqtt --once >/dev/null
}

# listen [ENV=VALUE...]: hearth mqtt in the background ($LPID), its
# stderr in listen.err; waits until it has subscribed.
listen() {
	env "$@" "$HEARTH" mqtt >listen.out 2>>listen.err &
	LPID=$!
	started "$LPID"
	wait_connected
}

wait_connected() {
	local i
	for i in $(seq 1 100); do
		case "$(hearth kv get poll.mqtt.result 2>/dev/null)" in
		connected*) return 0 ;;
		esac
		sleep 0.1
	done
	fail "hearth did not connect: $(cat listen.err 2>/dev/null)"
}

# drain: store what the broker still holds for the session.
drain() { hearth mqtt --once >/dev/null 2>>drain.err; }

# wait_rows SQL N: wait until SQL counts N.
wait_rows() {
	local i
	for i in $(seq 1 100); do
		[ "$(dbq "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	fail "$1: got $(dbq "$1"), want $2"
}

stop_listen() {
	kill "$LPID" 2>/dev/null || true
	wait "$LPID" 2>/dev/null || true
}

test_each_mapping_kind() {
	setup
	listen
	mq_pub tele/plug1/SENSOR '{"Time":"2026-01-01T00:00:00","ENERGY":{"Power":512,"Temp":21.5}}'
	mq_pub shellies/shelly-kitchen/relay/0/power '42'
	mq_pub shellies/shelly-kitchen/relay/0/power $'17\n'
	# zigbee2mqtt: true, true, false, true -> two rising edges.
	for s in true true false true; do
		mq_pub zigbee2mqtt/hallway "{\"occupancy\":$s,\"battery\":90}"
	done
	mq_pub zigbee2mqtt/porch '{"occupancy":"ON"}'
	# Not ours: no mapping's filter matches.
	mq_pub tele/plug1/STATE '{"POWER":"ON"}'
	wait_rows "SELECT count(*) FROM motion" 3
	wait_rows "SELECT count(*) FROM readings" 3
	# SIGTERM: it stops cleanly and says what it did.
	kill -TERM "$LPID"
	rc=0
	wait "$LPID" || rc=$?
	expect_eq "$rc" 0 "exit status after SIGTERM"
	expect_contains "$(cat listen.out)" "mqtt: 8 messages, 8 stored, 0 rejected, 0 skipped"
	expect_eq "$(dbq "SELECT r_s_name, r_watts, r_temp FROM readings ORDER BY r_datetime")" "plug1|512|21.5
shelly-kitchen|42|
shelly-kitchen|17|"
	expect_eq "$(dbq "SELECT r_s_name FROM motion ORDER BY r_datetime")" "hallway
hallway
porch"
	expect_eq "$(dbq "SELECT map, sensor, state FROM hearth_mqtt_state ORDER BY sensor")" "zigbee|hallway|1
zigbee|porch|1"
	expect_eq "$(dbq "SELECT count(*) FROM hearth_rejects")" 0
	expect_eq "$(hearth kv get poll.mqtt.error)" ""
	expect_contains "$(hearth kv get poll.mqtt.result)" "8 stored, 0 rejected"
	# A repeated true after a restart is no new edge.
	mq_pub zigbee2mqtt/hallway '{"occupancy":true}'
	drain
	expect_eq "$(dbq "SELECT count(*) FROM motion")" 3
}

test_payload_time_and_key() {
	setup
	mq_pub meter/m1/data '{"Seq":1,"Power":100.5,"Time":"2026-03-01T10:00:00Z"}'
	mq_pub meter/m1/data '{"Seq":2,"Power":101,"Time":1772359260}'
	# The same key again (a device resending): one row, updated.
	mq_pub meter/m1/data '{"Seq":2,"Power":102,"Time":1772359260}'
	# A row the database refuses (CHECK): that message is a reject, the
	# ones read with it are stored.
	mq_pub meter/m1/data '{"Seq":3,"Power":-1,"Time":1772359320}'
	mq_pub meter/m1/data '{"Seq":4,"Power":4,"Time":1772359380}'
	drain
	expect_eq "$(dbq "SELECT seq, sensor, CASE WHEN watts IN (100.5, 102, 4) THEN 1 ELSE 0 END FROM meter ORDER BY seq")" "1|m1|1
2|m1|1
4|m1|1"
	expect_eq "$(dbq "SELECT count(*) FROM hearth_rejects WHERE ref LIKE 'meter/m1/data %' AND subject LIKE '%\"Seq\":3%'")" 1
	expect_contains "$(cat drain.err)" "message on meter/m1/data rejected: "
	expect_eq "$(dbq "SELECT count(*) FROM meter WHERE CAST(t AS TEXT) LIKE '2026-03-01 10:0%'")" 3
}

# One message per kind of bad payload between good ones: each is named in
# one line on stderr and in kv, kept in hearth_rejects, and loses nothing.
test_bad_payloads_named_and_kept() {
	setup "[mqtt]" "max_payload = 3000"
	listen
	mq_pub shellies/a/relay/0/power 1
	mq_pub tele/bad1/SENSOR 'not json {'
	mq_pub shellies/a/relay/0/power 2
	mq_pub tele/bad2/SENSOR '{"ENERGY":{"Power":{"W":5}}}'
	mq_pub shellies/bad3/relay/0/power 'abc'
	mq_pub tele/bad4/SENSOR "{\"ENERGY\":{\"Power\":1,\"Temp\":\"$(head -c 4000 /dev/zero | tr '\0' 'x')\"}}"
	mq_pub shellies/bad5/relay/0/power "$(printf '\xff\xfe1')"
	mq_pub tele/bad6/SENSOR "$(printf '{"ENERGY":{"Power":"\xff"}}')"
	mq_pub zigbee2mqtt/bad7 '{"occupancy":"maybe"}'
	mq_pub tele/bad8/SENSOR '{"StatusSNS":{}}'
	# UTF-8 text cut to a length (the payload kept, the value quoted in
	# the reason) must still be UTF-8 on PostgreSQL.
	mq_pub shellies/bad9/relay/0/power "x$(printf '\xc3\xa9%.0s' $(seq 1 600))"
	mq_pub shellies/a/relay/0/power 3
	wait_rows "SELECT count(*) FROM readings" 3
	wait_rows "SELECT count(*) FROM hearth_rejects WHERE source = 'mqtt'" 9
	stop_listen
	expect_eq "$(dbq "SELECT r_watts FROM readings ORDER BY r_datetime" | tr '\n' ' ')" "1 2 3 "
	expect_eq "$(grep -c 'rejected:' listen.err)" 9 "reject lines"
	for w in "bad1/SENSOR rejected: [mqtt.tasmota]: not JSON" \
		"bad2/SENSOR rejected: [mqtt.tasmota]: ENERGY.Power is an object, not a value" \
		"bad3/relay/0/power rejected: [mqtt.shelly]: column r_watts: 'abc' is not an integer" \
		"bytes is over [mqtt] max_payload (3000)" \
		"bad5/relay/0/power rejected: [mqtt.shelly]: payload is not text" \
		"bad6/SENSOR rejected: [mqtt.tasmota]: not JSON" \
		"bad7 rejected: [mqtt.zigbee]: occupancy is not true or false" \
		"bad8/SENSOR rejected: [mqtt.tasmota]: no ENERGY.Power or ENERGY.Temp in the payload" \
		"bad9/relay/0/power rejected: [mqtt.shelly]: column r_watts: 'x"; do
		expect_contains "$(cat listen.err)" "$w"
	done
	expect_contains "$(hearth kv get poll.mqtt.rejected)" "bad9/relay/0/power rejected"
	expect_contains "$(dbq "SELECT subject FROM hearth_rejects WHERE ref LIKE 'shellies/bad5/%'")" '\xff\xfe1'
	expect_eq "$(dbq "SELECT CASE WHEN length(subject) < 1100 THEN 1 ELSE 0 END FROM hearth_rejects WHERE ref LIKE 'tele/bad4/%'")" 1 "huge payload kept short"
	expect_eq "$(dbq "SELECT subject FROM hearth_rejects WHERE ref LIKE 'shellies/bad9/%'")" "x$(printf '\xc3\xa9%.0s' $(seq 1 499))... (1201 bytes)"
}

# MQTT topics are UTF-8: the broker drops a client publishing another
# topic, so such a message never reaches hearth, and hearth goes on.
test_non_utf8_topic_refused_by_broker() {
	setup
	listen
	python3 - "$MQ_PORT" <<'EOF'
import socket, sys
def pkt(t, body):
    n, rl = len(body), b""
    while True:
        b = n % 128; n //= 128
        rl += bytes([b | (128 if n else 0)])
        if not n: break
    return bytes([t]) + rl + body
def s16(b): return len(b).to_bytes(2, "big") + b
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(pkt(0x10, s16(b"MQTT") + b"\x04\x02\x00\x3c" + s16(b"rawpub")))
assert s.recv(4)[0] == 0x20
s.sendall(pkt(0x30, s16(b"tele/\xff\xfe/SENSOR") + b'{"ENERGY":{"Power":9}}'))
s.settimeout(5)
assert s.recv(10) == b"", "the broker kept a client sending a non-UTF-8 topic"
EOF
	mq_pub tele/after/SENSOR '{"ENERGY":{"Power":7}}'
	wait_rows "SELECT count(*) FROM readings" 1
	stop_listen
	expect_eq "$(dbq "SELECT r_s_name || '|' || r_watts FROM readings")" "after|7"
	expect_eq "$(dbq "SELECT count(*) FROM hearth_rejects")" 0
}

# Killed after its rows were read but before the commit: nothing was
# acknowledged, so the broker sends the messages again and they are
# stored at the next start.
test_killed_before_commit_loses_nothing() {
	setup
	mq_pub shellies/k/relay/0/power 5
	mq_pub zigbee2mqtt/k '{"occupancy":true}'
	expect_status 137 env HEARTH_TEST_MQTT_CRASH=read "$HEARTH" mqtt --once
	expect_eq "$(dbq "SELECT count(*) FROM readings") $(dbq "SELECT count(*) FROM motion")" "0 0"
	drain
	expect_eq "$(dbq "SELECT count(*) FROM readings") $(dbq "SELECT count(*) FROM motion")" "1 1"
}

# Killed after the commit, before the PUBACKs went: the broker sends the
# messages again; a keyed table keeps one row each, and a rising edge is
# not stored twice.
test_killed_after_commit_stores_once() {
	setup
	mq_pub meter/k/data '{"Seq":7,"Power":1,"Time":"2026-01-01T00:00:07Z"}'
	expect_status 137 env HEARTH_TEST_MQTT_CRASH=committed "$HEARTH" mqtt --once
	expect_eq "$(dbq "SELECT count(*) FROM meter")" 1
	expect_status 0 hearth mqtt --once
	expect_contains "$(cat "$T_OUT")" "1 messages" "the broker sent it again"
	expect_eq "$(dbq "SELECT count(*) FROM meter")" 1
	mq_pub zigbee2mqtt/k '{"occupancy":true}'
	expect_status 137 env HEARTH_TEST_MQTT_CRASH=committed "$HEARTH" mqtt --once
	expect_eq "$(dbq "SELECT count(*) FROM motion")" 1
	expect_status 0 hearth mqtt --once
	expect_contains "$(cat "$T_OUT")" "1 messages" "the broker sent it again"
	expect_eq "$(dbq "SELECT count(*) FROM motion")" 1
}

# N QoS 1 messages published one by one while hearth is killed with
# SIGKILL three times and the broker restarted twice: every message is
# stored exactly once (meter's key is Seq).
test_kill_and_broker_restart_mid_stream() {
	local n=600 i
	setup
	listen
	(
		for i in $(seq 1 $n); do
			# Retried while the broker restarts: a message may then
			# be published twice, which the key absorbs.
			until mq_pub meter/m$((i % 3))/data "{\"Seq\":$i,\"Power\":$i.5,\"Time\":$((1767225600 + i))}" 2>/dev/null; do
				sleep 0.05
			done
		done
		echo done >published
	) &
	local pub=$!
	for round in 1 2 3; do
		sleep 0.7
		kill -9 "$LPID"
		wait "$LPID" 2>/dev/null || true
		if [ $round -lt 3 ]; then
			mosquitto_restart || fail "broker restart"
		fi
		listen
	done
	wait $pub
	wait_rows "SELECT count(*) FROM meter" $n
	stop_listen
	drain
	expect_eq "$(dbq "SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM meter")" "$n|$n|1|$n"
	expect_eq "$(dbq "SELECT count(*) FROM meter WHERE watts <> seq + 0.5")" 0
	expect_eq "$(dbq "SELECT count(*) FROM hearth_rejects")" 0
}

# The database server restarted while messages come (PostgreSQL): what
# could not be stored was not acknowledged, and is stored once it is back.
test_database_restart_mid_stream() {
	local i
	[ "$T_BACKEND" = pg ] || { t_skip "PostgreSQL only: a database server to restart"; return 0; }
	setup
	listen
	for i in $(seq 1 20); do mq_pub meter/db/data "{\"Seq\":$i,\"Power\":1,\"Time\":$((1767225600 + i))}"; done
	wait_rows "SELECT count(*) FROM meter" 20
	pg_stop
	for i in $(seq 21 60); do mq_pub meter/db/data "{\"Seq\":$i,\"Power\":1,\"Time\":$((1767225600 + i))}"; done
	sleep 1
	pg_resume
	wait_rows "SELECT count(*) FROM meter" 60
	stop_listen
	expect_eq "$(dbq "SELECT count(DISTINCT seq), min(seq), max(seq) FROM meter")" "60|1|60"
	one_line listen.err
	expect_contains "$(cat listen.err)" "hearth: mqtt: lost the connection to the database server"
	expect_eq "$(hearth kv get poll.mqtt.error)" ""
}

test_broker_down_at_start() {
	setup
	mosquitto_stop
	expect_status 1 hearth mqtt --once
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "hearth: mqtt: cannot reach the broker at mqtt://127.0.0.1:$MQ_PORT: Connection refused"
	# In the foreground it waits for the broker, says so in kv, and
	# stores once the broker is back.
	hearth kv del poll.mqtt.error >/dev/null
	"$HEARTH" mqtt >listen.out 2>listen.err &
	LPID=$!
	started "$LPID"
	for i in $(seq 1 50); do
		[ -n "$(hearth kv get poll.mqtt.error 2>/dev/null)" ] && break
		sleep 0.1
	done
	expect_contains "$(hearth kv get poll.mqtt.error)" "cannot reach the broker"
	mosquitto_start "$MQ_DIR" || fail "broker start"
	wait_connected
	mq_pub shellies/late/relay/0/power 3
	wait_rows "SELECT count(*) FROM readings" 1
	expect_eq "$(hearth kv get poll.mqtt.error)" ""
	stop_listen
	expect_contains "$(cat listen.err)" "mqtt: cannot reach the broker"
}

# Each bad setting: exit 1 and one line naming the key.
test_config_errors_name_the_key() {
	setup
	cp hearth.ini good.ini
	bad() {
		cp good.ini hearth.ini
		printf '%s\n' "$@" >>hearth.ini
		expect_status 1 hearth mqtt --once
		one_line "$T_ERR"
	}
	check() { expect_contains "$(cat "$T_ERR")" "$1"; }
	bad "[mqtt]" "url = http://127.0.0.1:1883"; check "[mqtt] url 'http://127.0.0.1:1883': want mqtt://"
	bad "[mqtt]" "url = mqtt://127.0.0.1:99999"; check "[mqtt] url 'mqtt://127.0.0.1:99999': bad port"
	bad "[mqtt]" "maps ="; check "[mqtt] maps is not set"
	bad "[mqtt]" "maps = tasmota nosuch"; check "[mqtt.nosuch] topic is not set"
	bad "[mqtt]" "keepalive = 2"; check "[mqtt] keepalive '2': want 5 to 3600"
	bad "[mqtt]" "password_file = x"; check "[mqtt] password_file is set but user is not"
	bad "[mqtt]" "user = u" "password = p"; check "[mqtt] password: secrets stay out"
	bad "[mqtt]" "user = u" "password_file = missing.secret"; check "[mqtt] password_file"
	bad "[mqtt.tasmota]" "topic = tele/#/SENSOR"; check "[mqtt.tasmota] topic: 'tele/#/SENSOR' is not a topic filter"
	bad "[mqtt.tasmota]" "values = r_watts"; check "[mqtt.tasmota] values: 'r_watts' is not COLUMN=PATH"
	bad "[mqtt.tasmota]" "values = r_watts=ENERGY..Power"; check "[mqtt.tasmota] values: bad path 'ENERGY..Power'"
	bad "[mqtt.tasmota]" "rising = occupancy"; check "[mqtt.tasmota] values and rising: set one of them"
	bad "[mqtt.tasmota]" "table = nosuch"; check "[mqtt.tasmota] table 'nosuch' does not exist"
	bad "[mqtt.tasmota]" "values = nosuch=ENERGY.Power"; check "[mqtt.tasmota]: unknown column 'nosuch' in table readings"
	bad "[mqtt.tasmota]" "column = r_watts"; check "[mqtt.tasmota] column: unknown key"
	bad "[mqtt.shelly]" "values = r_watts=\$, r_temp=x"; check "[mqtt.shelly] values: \$ (the whole payload) is the only value"
	# Without a sensor column the name has nowhere to go.
	cp good.ini hearth.ini
	printf '%s\n' "[mqtt.shelly]" "sensor_column = r_nosuch" >>hearth.ini
	expect_status 1 hearth mqtt --once
	check "[mqtt.shelly]: unknown column 'r_nosuch' in table readings"
	cp good.ini hearth.ini
	sed -i '/^url = /d' hearth.ini
	expect_status 1 hearth mqtt --once
	check "[mqtt] url is not set"
	# serve checks the same settings and tables before it starts.
	bad "[mqtt.tasmota]" "topic = a/+b"
	expect_status 1 hearth serve --listen 127.0.0.1:0
	check "[mqtt.tasmota] topic: 'a/+b' is not a topic filter"
	bad "[mqtt.tasmota]" "table = nosuch"
	expect_status 1 hearth serve --listen 127.0.0.1:0
	check "[mqtt.tasmota] table 'nosuch' does not exist"
}

# mqtts:// verifies the broker's certificate against ca_file (or the
# system's CAs, which do not know the test's self-signed one).
test_mqtts_verified() {
	setup
	sed -i "s|^url = .*|url = mqtts://localhost:$MQ_TLS_PORT|" hearth.ini
	expect_status 1 hearth mqtt --once
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "mqtts://localhost:$MQ_TLS_PORT"
	# 127.0.0.1 is not the name in the certificate.
	sed -i "s|^url = .*|url = mqtts://127.0.0.1:$MQ_TLS_PORT\nca_file = $MQ_DIR/cert.pem|" hearth.ini
	expect_status 1 hearth mqtt --once
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "mqtts://127.0.0.1:$MQ_TLS_PORT: A TLS error occurred"
	sed -i "s|^url = .*|url = mqtts://localhost:$MQ_TLS_PORT|" hearth.ini
	expect_status 0 hearth mqtt --once
	mq_pub shellies/tls/relay/0/power 11
	expect_status 0 hearth mqtt --once
	expect_eq "$(dbq "SELECT r_s_name || '|' || r_watts FROM readings")" "tls|11"
	# tls_verify = no: any certificate (a test broker only).
	sed -i "/^ca_file = /d; s|^url = .*|&\ntls_verify = no|" hearth.ini
	mq_pub shellies/tls/relay/0/power 12
	expect_status 0 hearth mqtt --once
	expect_eq "$(dbq "SELECT count(*) FROM readings")" 2
}

# A broker that wants a login: user and password_file, the password from
# the file only; a wrong one is refused in one line.
test_login() {
	setup
	sed -i "s|^url = .*|url = mqtt://127.0.0.1:$MQ_AUTH_PORT|" hearth.ini
	expect_status 1 hearth mqtt --once
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "the broker at mqtt://127.0.0.1:$MQ_AUTH_PORT refused the connection: Connection Refused: not authorised."
	echo wrong >mqtt.secret
	sed -i "s|^url = .*|&\nuser = $MQ_USER\npassword_file = mqtt.secret|" hearth.ini
	expect_status 1 hearth mqtt --once
	expect_contains "$(cat "$T_ERR")" "refused the connection: Connection Refused: not authorised."
	printf '%s\n' "$MQ_PASS" >mqtt.secret
	expect_status 0 hearth mqtt --once
	mosquitto_pub -h 127.0.0.1 -p "$MQ_AUTH_PORT" -u "$MQ_USER" -P "$MQ_PASS" -q 1 -t shellies/auth/relay/0/power -m 5
	expect_status 0 hearth mqtt --once
	expect_eq "$(dbq "SELECT r_s_name || '|' || r_watts FROM readings")" "auth|5"
}

# Inside serve: the listener stores through the writing thread, and the
# dashboard and /metrics show its status.
test_inside_serve() {
	setup
	local port
	port=$(free_port)
	"$HEARTH" serve --listen 127.0.0.1:$port >serve.out 2>serve.err &
	LPID=$!
	started "$LPID"
	wait_http "http://127.0.0.1:$port/"
	wait_connected
	mq_pub tele/serve1/SENSOR '{"ENERGY":{"Power":300}}'
	mq_pub tele/serve1/SENSOR 'oops'
	wait_rows "SELECT count(*) FROM readings" 1
	wait_rows "SELECT count(*) FROM hearth_rejects" 1
	expect_contains "$(curl -s "http://127.0.0.1:$port/metrics")" 'hearth_poll_error{poller="mqtt"} 0'
	expect_contains "$(curl -s "http://127.0.0.1:$port/")" "poll.mqtt.result"
	# Shown by serve's loop within a second or so.
	for i in $(seq 1 50); do
		grep -q 'rejected:' serve.err && break
		sleep 0.1
	done
	kill "$LPID"
	wait "$LPID" 2>/dev/null || true
	expect_contains "$(cat serve.err)" "mqtt: message on tele/serve1/SENSOR rejected: [mqtt.tasmota]: not JSON"
	# It left the session at the broker: what comes meanwhile is kept.
	mq_pub tele/serve1/SENSOR '{"ENERGY":{"Power":301}}'
	drain
	expect_eq "$(dbq "SELECT r_watts FROM readings ORDER BY r_datetime" | tr '\n' ' ')" "300 301 "
}

t_main
