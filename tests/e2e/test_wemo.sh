#!/bin/bash
# backends: sqlite pg
# End-to-end: hearth wemo watch, hearth serve and hearth wemo discover
# against simulated WeMos (wemo_sim.py) on loopback addresses, each
# driven over its control port.  SSDP multicast is sent only inside a
# network namespace this script makes (unshare -rn), never elsewhere.
#
# Bad inputs tried: a database locked by another writer, NOTIFYs from another address than the device's and
# with an unknown SID, a NOTIFY body that is not XML, a setup.xml that is
# not well formed, a device that accepts connections and never answers,
# a device that refuses subscriptions and sends no events, a reboot that
# forgets the SIDs (renewal answered 412) and one that moves to another
# port, a bad [wemo] devices entry and a missing table.
. "$(dirname "$0")/lib.sh"

SIM="$HEARTH_TOP/tests/e2e/wemo_sim.py"
PIDS=$T_TMP/pids
touch "$PIDS"
kill_all() { xargs -r kill 2>/dev/null <"$PIDS" || true; }
at_exit kill_all

# sim NAME ARGS...: start a simulated device; its control port is in
# $NAME_CTL afterwards (a variable of the caller's shell).
sim() {
	local name=$1 ctl
	shift
	ctl=$(free_port)
	python3 "$SIM" --control "$ctl" --ready "$name.ready" "$@" \
		>"$name.log" 2>&1 &
	echo $! >>"$PIDS"
	echo $! >"$name.pid"
	wait_file "$name.ready" 5
	eval "${name}_CTL=$ctl"
}

# ctl NAME PATH: a control request to sim NAME, its JSON answer.
ctl() {
	local v="${1}_CTL"
	curl -sf "http://127.0.0.1:${!v}$2"
}

# stat NAME KEY: one number from the sim's stats.
stat() {
	ctl "$1" /stats | python3 -c "import json,sys; v=json.load(sys.stdin)['$2']; print(len(v) if isinstance(v, list) else v)"
}

# project DEVICES [INI LINES...]
project() {
	local devs=$1
	shift
	t_init . >/dev/null
	{
		echo "[wemo]"
		echo "devices = $devs"
		echo "listen = 127.0.0.1:0"
		echo "subscription = 4s"
		echo "poll_interval = 1s"
		echo "timeout = 1s"
		for l in "$@"; do echo "$l"; done
	} >>hearth.ini
}

watch_start() {
	"$HEARTH" wemo watch >watch.out 2>watch.err &
	echo $! >>"$PIDS"
	echo $! >watch.pid
}

# watch_stop: SIGTERM, which ends the watcher cleanly (exit 0: under
# the sanitizers, a leak or an error would be another status).
watch_stop() {
	local rc=0
	kill "$(cat watch.pid)"
	wait "$(cat watch.pid)" || rc=$?
	[ $rc = 0 ] || fail "hearth wemo watch exited $rc: $(tail -5 watch.err)"
}

# until_eq WHAT WANT CMD...: wait (up to 10 s) until CMD prints WANT.
until_eq() {
	local what=$1 want=$2 got i
	shift 2
	for i in $(seq 1 100); do
		got=$("$@" 2>/dev/null || true)
		[ "$got" = "$want" ] && return 0
		sleep 0.1
	done
	fail "$what: got '$got', want '$want'"
}

# one_hall [SIM ARGS...]: a sim "hall" on a free port ($port), a project
# watching it, and hearth wemo watch subscribed to it.
one_hall() {
	port=$(free_port)
	sim hall --port "$port" --timeout 4 "$@"
	project "127.0.0.1:$port"
	watch_start
	until_eq "state" subscribed kvs "127.0.0.1:$port" state
}

nrows() { dbq "SELECT count(*) FROM motion"; }
names() { dbq "SELECT r_s_name FROM motion ORDER BY r_datetime" | paste -sd,; }
kvs() { hearth kv get "poll.wemo.$1.$2"; }

test_rising_edges_stored_once() {
	local port
	one_hall --name Hallway
	# 0 -> 1 is motion; a repeated 1 and the falls are not.
	for v in 1 1 0 0 1 1 0 1; do
		ctl hall "/state?v=$v" >/dev/null
		sleep 0.2
	done
	until_eq "motion rows" 3 nrows
	# Renewals come and go (every 2 s) and store nothing more.
	sleep 3
	expect_eq "$(nrows)" 3
	expect_eq "$(names)" "Hallway,Hallway,Hallway"
	expect_eq "$(stat hall subscribes)" 1 "one subscription, renewed"
	[ "$(stat hall renewals)" -ge 1 ] || fail "no renewal"
	expect_eq "$(stat hall answers)" "$(stat hall notifies)"
	ctl hall /stats | grep -q '"answers": \[200\(, 200\)*\]' ||
		fail "a NOTIFY was not answered 200: $(ctl hall /stats)"
	expect_eq "$(kvs "127.0.0.1:$port" error)" ""
	watch_stop
	expect_contains "$(cat watch.err)" "found 'Hallway' (Sensor"
	# Stopping unsubscribes.
	expect_eq "$(stat hall sids)" 0
	expect_eq "$(kvs "127.0.0.1:$port" state)" stopped
}

test_insight_watts_to_power_table() {
	local port
	port=$(free_port)
	sim plug --port "$port" --insight --name Kettle --timeout 4
	project "127.0.0.1:$port" "power_table = readings"
	watch_start
	until_eq "state" subscribed kvs "127.0.0.1:$port" state
	ctl plug "/power?mw=412600" >/dev/null
	until_eq "412 W row" 1 dbq "SELECT count(*) FROM readings WHERE r_watts = 413"
	ctl plug "/state?v=1" >/dev/null
	ctl plug "/power?mw=1500" >/dev/null
	until_eq "2 W row" 1 dbq "SELECT count(*) FROM readings WHERE r_watts = 2"
	watch_stop
	# A plug switching on is not motion.
	expect_eq "$(nrows)" 0
	[ "$(stat plug insight_polls)" -ge 1 ] || fail "GetInsightParams never asked"
	expect_contains "$(kvs "127.0.0.1:$port" event)" " W"
}

# No port configured: the probe finds the device on 49154 (127.0.0.3, so
# that nothing else of the machine's is asked), and again on 49155 after
# a reboot that moved it; a reboot on the same port answers the renewal
# 412 and is subscribed anew.
test_reboots_new_sid_and_new_port() {
	# The two ports the device takes must be free on 127.0.0.3 (the
	# others may hold anything: what is not a WeMo is passed over).
	local p
	for p in 49154 49155; do
		if ! python3 -c "import socket; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.3', $p))" 2>/dev/null; then
			t_skip "127.0.0.3:$p is in use"
			return 0
		fi
	done
	sim dev --addr 127.0.0.3 --port 49154 --timeout 4 --name Porch
	project 127.0.0.3
	watch_start
	until_eq "state" subscribed kvs 127.0.0.3 state
	ctl dev "/state?v=1" >/dev/null
	until_eq "rows" 1 nrows
	# Reboot on the same port: SIDs forgotten, state 0 again.
	ctl dev /reboot >/dev/null
	until_eq "412 on renewal" 1 stat dev renew_412
	until_eq "subscribed again" 2 stat dev subscribes
	ctl dev "/state?v=1" >/dev/null
	until_eq "rows after reboot" 2 nrows
	# Reboot onto another port.
	ctl dev "/reboot?port=49155" >/dev/null
	until_eq "found on 49155" 3 stat dev subscribes
	until_eq "state" subscribed kvs 127.0.0.3 state
	ctl dev "/state?v=1" >/dev/null
	until_eq "rows after the move" 3 nrows
	watch_stop
	expect_contains "$(cat watch.err)" "answered 412"
	expect_contains "$(cat watch.err)" "on port 49155"
}

test_notify_refused_from_other_address_or_unknown_sid() {
	local port
	one_hall
	# The right SID from another address: refused, nothing stored.
	expect_contains "$(ctl hall '/spoof?from=127.0.0.2&v=1')" '"status": 412'
	# The device's address with a SID hearth never gave out.
	expect_contains "$(ctl hall '/spoof?sid=uuid:forged&v=1')" '"status": 412'
	sleep 0.5
	expect_eq "$(nrows)" 0
	# The real device is still heard.
	ctl hall "/state?v=1" >/dev/null
	until_eq "rows" 1 nrows
	watch_stop
	expect_contains "$(cat watch.err)" "NOTIFY from 127.0.0.2"
	expect_contains "$(cat watch.err)" "another address than the device's"
	expect_contains "$(cat watch.err)" "unknown SID"
	expect_contains "$(cat watch.err)" "2 refused"
}

test_malformed_xml() {
	local port
	port=$(free_port)
	sim hall --port "$port" --timeout 4
	ctl hall "/mode?m=badxml" >/dev/null
	project "127.0.0.1:$port"
	watch_start
	until_eq "error" unreachable kvs "127.0.0.1:$port" state
	expect_contains "$(kvs "127.0.0.1:$port" error)" "setup.xml: line 1: end tag does not match"
	ctl hall "/mode?m=normal" >/dev/null
	until_eq "state" subscribed kvs "127.0.0.1:$port" state
	# A NOTIFY whose body is not XML: 400, nothing stored, kept going.
	ctl hall "/raw?body=%3Ce:propertyset%3E%3CBinaryState%3E1" >/dev/null
	ctl hall "/raw?body=%3Ce:propertyset%3E%3Ce:property%3E%3CBinaryState%3Eyes%3C/BinaryState%3E%3C/e:property%3E%3C/e:propertyset%3E" >/dev/null
	sleep 0.3
	expect_eq "$(nrows)" 0
	ctl hall /stats | grep -q '400, 400' || fail "not answered 400: $(ctl hall /stats)"
	ctl hall "/state?v=1" >/dev/null
	until_eq "rows" 1 nrows
	watch_stop
	expect_contains "$(cat watch.err)" "NOTIFY refused"
	expect_contains "$(cat watch.err)" "BinaryState 'yes' is not a state"
}

# A device that accepts and never answers holds up neither the listener
# nor another device.
test_device_that_never_answers() {
	local p1 p2
	p1=$(free_port)
	p2=$(free_port)
	sim mute --port "$p1" --timeout 4
	ctl mute "/mode?m=hang" >/dev/null
	sim hall --port "$p2" --timeout 4 --name Hall
	project "127.0.0.1:$p1, 127.0.0.1:$p2"
	watch_start
	until_eq "hall" subscribed kvs "127.0.0.1:$p2" state
	until_eq "mute" unreachable kvs "127.0.0.1:$p1" state
	expect_contains "$(kvs "127.0.0.1:$p1" error)" "no answer within 1000 ms"
	for v in 1 0 1; do
		ctl hall "/state?v=$v" >/dev/null
		sleep 0.2
	done
	until_eq "rows" 2 nrows
	ctl mute "/mode?m=normal" >/dev/null
	until_eq "mute" subscribed kvs "127.0.0.1:$p1" state
	watch_stop
}

# No subscription works and no events come: GetBinaryState is polled,
# each edge stored once; when subscribing works again nothing is stored
# twice.
test_polls_while_no_subscription_works() {
	local port
	port=$(free_port)
	sim hall --port "$port" --timeout 4
	ctl hall "/mode?m=nosub" >/dev/null
	project "127.0.0.1:$port"
	watch_start
	until_eq "state" polling kvs "127.0.0.1:$port" state
	expect_contains "$(kvs "127.0.0.1:$port" error)" "SUBSCRIBE /upnp/event/basicevent1 answered 500"
	ctl hall "/state?v=1" >/dev/null
	until_eq "rows" 1 nrows
	sleep 2.5 # two more polls of the same 1
	expect_eq "$(nrows)" 1
	ctl hall "/state?v=0" >/dev/null
	sleep 1.5
	ctl hall "/state?v=1" >/dev/null
	until_eq "rows" 2 nrows
	ctl hall "/mode?m=normal" >/dev/null
	until_eq "state" subscribed kvs "127.0.0.1:$port" state
	sleep 1
	expect_eq "$(nrows)" 2
	[ "$(stat hall polls)" -ge 3 ] || fail "not polled"
	watch_stop
}

# The database held by another writer for a while: the edges heard
# meanwhile are kept and stored once it is free, none twice.
test_rows_kept_while_database_locked() {
	local port
	t_sqlite_only "a SQLite write lock held by another process" || return 0
	one_hall
	python3 -c "
import sqlite3, time
c = sqlite3.connect('hearth.db', isolation_level=None)
c.execute('BEGIN IMMEDIATE')
open('locked', 'w').close()
time.sleep(4)
c.execute('COMMIT')" &
	local lp=$!
	wait_file locked
	for v in 1 0 1 0 1; do
		ctl hall "/state?v=$v" >/dev/null
		sleep 0.2
	done
	wait $lp
	until_eq "rows after the lock" 3 nrows
	sleep 1.5
	expect_eq "$(nrows)" 3
	expect_eq "$(kvs "127.0.0.1:$port" state)" subscribed
	watch_stop
}

test_serve_runs_the_watcher() {
	local port hp pid
	port=$(free_port)
	hp=$(free_port)
	sim hall --port "$port" --timeout 4 --name Garage
	project "127.0.0.1:$port"
	"$HEARTH" serve --listen "127.0.0.1:$hp" >serve.log 2>&1 &
	pid=$!
	echo $pid >>"$PIDS"
	wait_http "http://127.0.0.1:$hp/"
	until_eq "state" subscribed kvs "127.0.0.1:$port" state
	ctl hall "/state?v=1" >/dev/null
	until_eq "rows" 1 nrows
	expect_eq "$(names)" Garage
	sleep 1.2
	page=$(curl -s "http://127.0.0.1:$hp/")
	expect_contains "$page" "<td>poll.wemo.127.0.0.1:$port.state</td><td>subscribed</td>"
	expect_contains "$(curl -s "http://127.0.0.1:$hp/metrics")" "hearth_poll_error{poller=\"wemo.127.0.0.1:$port\"} 0"
	kill $pid
	wait $pid || fail "serve exited $?: $(tail -5 serve.log)"
	expect_contains "$(cat serve.log)" "subscribed to urn:Belkin:service:basicevent:1"
	expect_eq "$(stat hall sids)" 0 "serve unsubscribed at stop"
}

test_bad_settings() {
	t_init . >/dev/null
	printf '[wemo]\ndevices = 10.0.0.1/x\n' >>hearth.ini
	expect_status 1 hearth wemo watch
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "[wemo] devices: '10.0.0.1/x' is not HOST or HOST:PORT"
	expect_status 1 hearth serve --listen 127.0.0.1:0
	expect_contains "$(cat "$T_ERR")" "[wemo] devices"
	sed -i 's|10.0.0.1/x|127.0.0.1:9|' hearth.ini
	printf 'table = nosuch\n' >>hearth.ini
	expect_status 1 hearth wemo watch
	expect_contains "$(cat "$T_ERR")" "[wemo] table 'nosuch' does not exist"
	expect_status 0 hearth wemo --help
	expect_contains "$(cat "$T_OUT")" "discover"
	expect_status 2 hearth wemo
	expect_status 2 hearth wemo discover --wait 0
}

# discover asking one address (no multicast): the sim answers by unicast.
test_discover_unicast() {
	local port sp
	t_sqlite_only "discovery stores nothing" || return 0
	port=$(free_port)
	sp=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	sim hall --port "$port" --ssdp "$sp" --name "Front Door" --serial 99AB
	expect_status 0 hearth wemo discover --to "127.0.0.1:$sp" --wait 1
	expect_contains "$(cat "$T_OUT")" "Front Door"
	expect_contains "$(cat "$T_OUT")" "Sensor"
	expect_contains "$(cat "$T_OUT")" "99AB"
	expect_contains "$(cat "$T_OUT")" "127.0.0.1:$port"
	expect_eq "$(grep -c "^Front Door" "$T_OUT")" 1 "the answer for another type is dropped"
	expect_contains "$(cat "$T_OUT")" "[wemo] devices = 127.0.0.1:$port"
	expect_status 2 hearth wemo discover --to "127.0.0.1:$sp" --wait x
	expect_status 1 hearth wemo discover --to "nowhere" --wait 0.2
	expect_contains "$(cat "$T_ERR")" "'nowhere' is not an IPv4 ADDR[:PORT]"
}

# The real M-SEARCH to 239.255.255.250:1900, inside a network namespace
# of this test's own whose only interface is its loopback.
test_discover_multicast_in_netns() {
	t_sqlite_only "discovery stores nothing" || return 0
	if ! unshare -rn true 2>/dev/null; then
		t_skip "no network namespace can be made here (unshare -rn failed)"
		return 0
	fi
	cat >ns.sh <<EOF
set -e
ip link set lo up
ip link set lo multicast on
ip route add 224.0.0.0/4 dev lo
python3 "$SIM" --port 49153 --control 18080 --ssdp 1900 --ssdp-group --name Bedroom --ready ns.ready >ns-sim.log 2>&1 &
sim=\$!
for i in \$(seq 1 50); do [ -e ns.ready ] && break; sleep 0.1; done
"$HEARTH" wemo discover --wait 1.5 >ns.out 2>ns.err || echo "exit \$?" >>ns.err
kill \$sim
EOF
	unshare -rn bash ns.sh || fail "namespace script failed: $(cat ns.err ns-sim.log 2>/dev/null)"
	expect_contains "$(cat ns.out)" "Bedroom"
	expect_contains "$(cat ns.out)" "127.0.0.1:49153"
}

t_main
