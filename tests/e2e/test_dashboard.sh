#!/bin/bash
# test_dashboard.sh - hearth chart, /chart/TABLE.svg and the dashboard,
# checked in real headless Chromium, on SQLite and on PostgreSQL (lib.sh:
# the backend); screenshots are kept in tests/artifacts/.
# backends: sqlite pg
. "$(dirname "$0")/lib.sh"
export TZ=UTC

ARTIFACTS="$HEARTH_TOP/tests/artifacts"
mkdir -p "$ARTIFACTS"
W0=2026-01-01T00:00:00Z
W1=2026-01-01T00:11:28Z # 688 s: one second per pixel column

chromium_run() {
	timeout 90 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$PWD/chromium-profile" "$@" \
		2>chromium.err
}

# A project with known data: watts 0..9 at seconds 0..9 and 100..109,
# nothing in between (a gap), three readings within second 200 (a band);
# temperature in another unit; motion events of two sensors.
known_project() {
	t_init . >/dev/null
	{
		echo "r_datetime,r_watts,r_temp"
		for i in 0 1 2 3 4 5 6 7 8 9; do
			echo "2026-01-01 00:00:0$i,$i,20.5"
			echo "2026-01-01 00:01:4$i,$i,21"
		done
		echo "2026-01-01 00:03:20,0,19"
		echo "2026-01-01 00:03:20.300000,10,19"
		echo "2026-01-01 00:03:20.600000,5,19"
	} >readings.csv
	printf 'r_datetime,r_s_name\n2026-01-01 00:02:00,Hall\n2026-01-01 00:02:30,Hall\n2026-01-01 00:05:00,"Porch <&> ""x"""\n' >motion.csv
	hearth import --quiet readings readings.csv
	hearth import --quiet motion motion.csv
}

start_server() {
	PORT=$(free_port)
	"$HEARTH" serve --listen "127.0.0.1:$PORT" >serve.out 2>serve.err &
	SERVER_PID=$!
	echo "$SERVER_PID" >>"$T_TMP/pids"
	wait_http "http://127.0.0.1:$PORT/healthz"
}

stop_servers() {
	local p
	[ -f "$T_TMP/pids" ] || return 0
	for p in $(cat "$T_TMP/pids"); do kill "$p" 2>/dev/null || true; done
}
at_exit stop_servers

# The watts series drawn from the known data.
check_known_svg() {
	local svg=$1 watts
	watts=$(sed 's/<g class="series"/\n&/g' "$svg" | grep 'data-name="r_watts"')
	[ -n "$watts" ] || fail "no r_watts series in $svg"
	# Axis 0..10 over a 266 px plot: y = 296 - 26.6 v; x = 56 + second.
	expect_contains "$watts" 'points="56,296.0 57,269.4 58,242.8 59,216.2 60,189.6 61,163.0 62,136.4 63,109.8 64,83.2 65,56.6"' "first stretch"
	expect_contains "$watts" 'points="156,296.0 157,269.4 158,242.8' "second stretch"
	expect_eq "$(grep -o 'class="line"' <<<"$watts" | wc -l)" 3 "polylines (two gaps)"
	# Second 200: first 0, last 5 on the line; the band spans 0..10.
	expect_contains "$watts" 'points="256,296.0 256,163.0"' "M4 column"
	expect_contains "$watts" 'class="band" fill="#d62728" fill-opacity="0.25" points="256,30.0 256,296.0"' "band"
	expect_contains "$watts" 'class="latest" cx="256" cy="163.0"' "latest point"
	expect_contains "$(cat "$svg")" 'data-unit="°C"' "second axis"
	expect_contains "$(cat "$svg")" '>00:04</text>' "time label"
}

test_chart_command_known_data() {
	known_project
	expect_status 0 hearth chart readings --since $W0 --until $W1 -o out.svg
	head -c 5 out.svg | grep -q '<?xml' || fail "not an SVG file"
	grep -q 'data-source="raw"' out.svg || fail "1 s columns should read raw rows"
	check_known_svg out.svg
	xmllint --noout out.svg 2>/dev/null || python3 -c 'import sys,xml.dom.minidom as m; m.parse(sys.argv[1])' out.svg
}

test_timezone_setting() {
	known_project
	# Data stays UTC; labels follow [serve] timezone, else TZ.
	hearth -c serve.timezone=Asia/Tokyo chart readings --since $W0 --until $W1 -o tokyo.svg
	expect_contains "$(cat tokyo.svg)" '>09:04</text>' "Tokyo label"
	expect_contains "$(cat tokyo.svg)" 'points="56,296.0 57,269.4' "same data"
	TZ=America/New_York hearth chart readings --since $W0 --until $W1 -o ny.svg
	expect_contains "$(cat ny.svg)" '>19:04</text>' "New York label"
	printf '[units]\nreadings.r_watts = kW\n' >>hearth.ini
	hearth chart readings --since $W0 --until $W1 -o units.svg
	expect_contains "$(cat units.svg)" 'data-unit="kW"' "[units] setting"
}

test_chart_route_same_as_command() {
	known_project
	start_server
	hearth chart readings --since $W0 --until $W1 -o cli.svg
	curl -s -D headers -o web.svg "http://127.0.0.1:$PORT/chart/readings.svg?since=$W0&until=$W1"
	grep -qi '^content-type: image/svg+xml' headers || fail "content type: $(cat headers)"
	cmp -s cli.svg web.svg || fail "web and command line charts differ"
}

test_dashboard_in_chromium() {
	known_project
	hearth kv set demo "generated <test> data" >/dev/null
	hearth kv set poll.imap.result "2 new <events> & more" >/dev/null
	hearth kv set poll.imap.error "" >/dev/null
	start_server
	url="http://127.0.0.1:$PORT/?from=$W0&to=$W1"
	chromium_run --dump-dom "$url" >dom.html || fail "chromium: $(tail -3 chromium.err)"
	grep -q '<svg' dom.html || fail "no SVG in the page Chromium loaded"
	expect_eq "$(grep -o '<svg[^>]*class="chart"' dom.html | wc -l)" 2 "charts (motion, readings)"
	sed -n '/id="t-readings"/,/<\/section>/p' dom.html >readings.html
	check_known_svg readings.html
	expect_contains "$(cat dom.html)" 'DEMO DATA: generated &lt;test&gt; data' "demo banner"
	expect_contains "$(cat dom.html)" '2 new &lt;events&gt; &amp; more' "pollers box"
	expect_contains "$(cat dom.html)" 'data-label="Porch &lt;&amp;&gt; &quot;x&quot;"' "event lane"
	chromium_run --screenshot="$PWD/shot.png" --window-size=1000,1200 \
		--hide-scrollbars "$url" || fail "screenshot: $(tail -3 chromium.err)"
	[ "$(stat -c %s shot.png)" -gt 10000 ] || fail "screenshot too small"
	cp shot.png "$ARTIFACTS/dashboard.png"
	# A phone-sized viewport: the page still lays out (no sideways scroll
	# needed for the charts, which scale to the width).
	chromium_run --screenshot="$PWD/phone.png" --window-size=390,844 "$url" ||
		fail "phone screenshot"
	cp phone.png "$ARTIFACTS/dashboard-phone.png"
}

test_window_links_and_form() {
	known_project
	start_server
	page=$(curl -s "http://127.0.0.1:$PORT/?w=7d")
	for w in 1h 12h 24h 7d 30d 1y; do
		expect_contains "$page" "<a href=\"/?w=$w\"" "window link $w"
	done
	expect_contains "$page" '<a href="/?w=7d" class="on">' "current window"
	expect_contains "$page" 'name="from"' "custom range form"
	# Local datetime-local values as the form sends them.
	page=$(curl -s "http://127.0.0.1:$PORT/?from=2026-01-01T00%3A00&to=2026-01-01T00%3A11")
	expect_contains "$page" 'data-rows="23"' "rows of a custom window"
}

test_escaped_names() {
	t_init . >/dev/null
	dbq "CREATE TABLE \"a<b&\"\"c'\" (t TIMESTAMP, v_watts REAL);
		INSERT INTO \"a<b&\"\"c'\" VALUES ('$(date -u -d '-1 hour' '+%Y-%m-%d %H:%M:%S')', 5);"
	start_server
	page=$(curl -s "http://127.0.0.1:$PORT/")
	expect_contains "$page" "<h2>a&lt;b&amp;&quot;c&#39;</h2>" "escaped heading"
	expect_contains "$page" 'href="/chart/a%3Cb%26%22c%27.svg?' "escaped link"
	case "$page" in *'a<b'*) fail "raw name in page" ;; esac
	svg=$(curl -s "http://127.0.0.1:$PORT/chart/a%3Cb%26%22c%27.svg")
	expect_contains "$svg" '<title>a&lt;b&amp;&quot;c&#39;</title>' "SVG title"
	expect_contains "$svg" 'class="line"' "chart of the odd table"
}

test_events_timeline() {
	known_project
	expect_status 0 hearth chart motion --since $W0 --until $W1 -o m.svg
	grep -q 'data-source="events"' m.svg || fail "not an event chart"
	expect_eq "$(grep -o 'class="lane"' m.svg | wc -l)" 2 "lanes"
	expect_contains "$(cat m.svg)" 'data-label="Hall" data-count="2"' "Hall lane"
	expect_contains "$(cat m.svg)" 'class="event" x="176"' "event at 00:02:00"
	expect_contains "$(cat m.svg)" 'class="bar" data-count="3"' "count per hour"
}

test_rollups_follow_inserts() {
	known_project
	expect_status 0 hearth rollup rebuild
	expect_contains "$(cat "$T_OUT")" "readings: 3 minute buckets"
	expect_contains "$(cat "$T_OUT")" "motion: no numeric columns"
	hearth add readings r_datetime=2026-01-01T00:30:10Z r_watts=4000 r_temp=1
	expect_eq "$(dbq 'SELECT "r_watts:max" FROM hearth_rollup_readings_m WHERE b = 1767227400')" 4000 "hearth add"
	expect_eq "$(dbq 'SELECT "r_watts:n" FROM hearth_rollup_readings_h')" 24 "hour bucket"
	# another program's row: on SQLite folded when the chart is drawn,
	# on PostgreSQL at once by the table's statement triggers
	dbq "INSERT INTO readings VALUES ('2026-01-01 00:30:20', 5000, 2)"
	if [ "$T_BACKEND" = pg ]; then
		expect_eq "$(dbq 'SELECT "r_watts:max" FROM hearth_rollup_readings_m WHERE b = 1767227400')" 5000 "folded at once"
	else
		expect_eq "$(dbq 'SELECT "r_watts:max" FROM hearth_rollup_readings_m WHERE b = 1767227400')" 4000 "not folded yet"
	fi
	hearth chart readings --since 2025-12-25T00:00:00Z --until 2026-01-02T00:00:00Z -o week.svg
	grep -q 'data-source="minute"' week.svg || fail "a week should read minute rollups"
	expect_eq "$(dbq 'SELECT "r_watts:max" FROM hearth_rollup_readings_m WHERE b = 1767227400')" 5000 "folded by the chart"
	expect_eq "$(dbq 'SELECT "r_watts:n" FROM hearth_rollup_readings_h')" 25 "hour bucket"
	hearth chart readings --since 2025-06-01T00:00:00Z --until 2026-06-01T00:00:00Z -o year.svg
	grep -q 'data-source="hour"' year.svg || fail "a year should read hour rollups"
	hearth chart readings --raw --since 2025-06-01T00:00:00Z --until 2026-06-01T00:00:00Z -o rawyear.svg
	grep -q 'data-source="raw"' rawyear.svg || fail "--raw"
	expect_status 0 hearth rollup drop readings
	hearth chart readings --since 2025-06-01T00:00:00Z --until 2026-06-01T00:00:00Z -o year2.svg
	grep -q 'data-source="raw"' year2.svg || fail "no rollups: raw rows"
}

# A revision run while the server runs drops a table's rollups; the
# server builds them again by itself (it looks for schema changes once a
# second), holding its writers meanwhile, and a write during it is
# stored.  On SQLite the revision retypes a column (the table is
# rebuilt); on PostgreSQL, where a retype keeps the rollups (its
# triggers follow the table) and migrate/ does not write one yet, it
# adds a column that holds values at once, which the rollups cannot
# take in place either.
test_serve_rebuilds_rollups_a_revision_dropped() {
	local i year=""
	known_project
	echo "write-token-0123456789" >write-token
	sed -i "/^\[serve\]/a write_token_file = write-token" hearth.ini
	start_server
	year="http://127.0.0.1:$PORT/chart/readings.svg?since=2025-06-01T00:00:00Z&until=2026-06-01T00:00:00Z"
	curl -s -o year.svg "$year"
	grep -q 'data-source="hour"' year.svg || fail "rollups at start"
	if [ "$T_BACKEND" = pg ]; then
		sed -i 's/r_temp     REAL/&,\n    r_volts    REAL NOT NULL DEFAULT 230/' schema.sql
		t_revision volts "ALTER TABLE readings ADD COLUMN r_volts REAL NOT NULL DEFAULT 230;" \
			"ALTER TABLE readings DROP COLUMN r_volts;"
	else
		sed -i 's/r_watts    INTEGER/r_watts    REAL/' schema.sql
		hearth revision -m watts_real --autogenerate >/dev/null
	fi
	expect_status 0 hearth upgrade
	expect_contains "$(cat "$T_ERR")" "chart rollups of readings were dropped"
	curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer write-token-0123456789" \
		-X POST --data-binary 'readings r_watts=7 1767226000000000000' \
		"http://127.0.0.1:$PORT/write" >code
	expect_eq "$(cat code)" "204" "write while the rollups are rebuilt"
	# Poll for the event; the deadline is generous and measures nothing.
	for i in $(seq 1 300); do
		curl -s -o year.svg "$year"
		grep -q 'data-source="hour"' year.svg && break
		sleep 0.1
	done
	grep -q 'data-source="hour"' year.svg || fail "rollups not rebuilt: $(cat serve.err)"
	expect_contains "$(cat serve.err)" "built chart rollups of readings"
	expect_eq "$(dbq 'SELECT sum("r_watts:n") FROM hearth_rollup_readings_h')" "24" "rows in the hour rollups"
}

# Bad input tried: unknown table, a time that does not parse, an empty
# window, a bad width, over HTTP a bad time, an unknown window name, an
# unknown table and a path without .svg.  Each is one clear error and
# changes nothing stored.
test_bad_input() {
	known_project
	before=$(dbq 'SELECT count(*) FROM readings')
	expect_status 1 hearth chart nope
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "unknown table 'nope'"
	expect_status 1 hearth chart readings --since yesterdayish
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "yesterdayish"
	expect_status 1 hearth chart readings --since -1h --until -2h
	expect_contains "$(cat "$T_ERR")" "empty time window"
	expect_status 2 hearth chart readings --width 5
	expect_status 2 hearth rollup frobnicate
	expect_status 1 hearth rollup rebuild nope
	start_server
	expect_eq "$(curl -s -o body -w '%{http_code}' "http://127.0.0.1:$PORT/chart/readings.svg?since=bogus")" 400 "bad since"
	expect_contains "$(cat body)" "bogus"
	expect_eq "$(curl -s -o body -w '%{http_code}' "http://127.0.0.1:$PORT/?w=2h")" 400 "bad window"
	expect_eq "$(curl -s -o body -w '%{http_code}' "http://127.0.0.1:$PORT/chart/nope.svg")" 404 "unknown table"
	expect_eq "$(curl -s -o body -w '%{http_code}' "http://127.0.0.1:$PORT/chart/readings")" 404 "no .svg"
	expect_eq "$(dbq 'SELECT count(*) FROM readings')" "$before" "rows"
}

# With [serve] read_token_file, the dashboard and the charts need the
# token as API reads do: a 401 that makes a browser ask (HTTP Basic), and
# the page with the token as the password, or the write token; a wrong
# one is refused alike.
test_read_token_guards_dashboard() {
	local u
	known_project
	echo "read-token-0123456789" >read-token
	echo "write-token-0123456789" >write-token
	sed -i "/^\[serve\]/a read_token_file = read-token\nwrite_token_file = write-token" hearth.ini
	start_server
	for u in "/" "/chart/readings.svg" "/chart/motion.svg?r_s_name=Hall"; do
		expect_eq "$(curl -s -D hdrs -o body -w '%{http_code}' "http://127.0.0.1:$PORT$u")" 401 "$u without the token"
		expect_contains "$(cat hdrs)" 'WWW-Authenticate: Basic realm="hearth"'
		expect_eq "$(curl -s -o body -w '%{http_code}' -u me:wrong-token-0123456 "http://127.0.0.1:$PORT$u")" 401 "$u with a wrong token"
		expect_eq "$(curl -s -o body -w '%{http_code}' -u me:read-token-0123456789 "http://127.0.0.1:$PORT$u")" 200 "$u with the read token"
		expect_eq "$(curl -s -o body -w '%{http_code}' -u me:write-token-0123456789 "http://127.0.0.1:$PORT$u")" 200 "$u with the write token"
	done
	expect_contains "$(cat body)" 'aria-label="motion (r_s_name=Hall)"'
	expect_eq "$(curl -s -o body -w '%{http_code}' "http://127.0.0.1:$PORT/chart/readings.svg?token=read-token-0123456789")" 200 "?token="
	# Without read_token_file the dashboard is open, as reads are.
	kill "$SERVER_PID"
	wait "$SERVER_PID" 2>/dev/null || true
	sed -i '/^read_token_file/d' hearth.ini
	start_server
	expect_eq "$(curl -s -o body -w '%{http_code}' "http://127.0.0.1:$PORT/")" 200 "open dashboard"
}

test_make_run_demo() {
	t_sqlite_only "make run's demo is a SQLite project of its own (scripts/demo.sh)" || return 0
	PORT=$(free_port)
	DEMO_DIR=$PWD/demo DEMO_LISTEN=127.0.0.1:$PORT \
		sh "$HEARTH_TOP/scripts/demo.sh" "$HEARTH" >demo.out 2>&1 &
	echo $! >>"$T_TMP/pids"
	wait_http "http://127.0.0.1:$PORT/healthz" 60
	page=$(curl -s "http://127.0.0.1:$PORT/")
	expect_contains "$page" "DEMO DATA: generated by make run: not real measurements"
	expect_contains "$page" "Demo Hallway"
	expect_contains "$page" 'data-source="minute"' "24 h chart from rollups"
	expect_contains "$(cat demo.out)" "http://127.0.0.1:$PORT/"
}

test_serve_stops_on_sigterm() {
	known_project
	start_server
	kill -TERM "$SERVER_PID"
	rc=0
	wait "$SERVER_PID" || rc=$?
	expect_eq "$rc" 0 "exit status after SIGTERM"
}

t_main
