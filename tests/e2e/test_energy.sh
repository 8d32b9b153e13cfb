#!/bin/bash
# test_energy.sh - hearth energy end to end: kWh per local day from
# power readings and counters, kept current as rows arrive (and as old
# ones are deleted), cost by time of use, and the API's answer, on SQLite
# and on PostgreSQL (lib.sh: the backend).
# backends: sqlite pg
. "$(dirname "$0")/lib.sh"

# project [INI LINES...]: init here, [energy] readings.r_watts = power
# and the lines, days in Europe/London.
project() {
	local l
	t_init . >/dev/null
	sed -i '/^\[serve\]/a timezone = Europe/London' hearth.ini
	printf '[energy]\nreadings.r_watts = power\n' >>hearth.ini
	for l in "$@"; do
		echo "$l" >>hearth.ini
	done
}

# watts FROM TO STEP W [SKIP_FROM SKIP_TO]: CSV readings of W watts
# every STEP s from unix time FROM to TO, none strictly inside the skip.
watts() {
	awk -v a="$1" -v b="$2" -v s="$3" -v w="$4" -v x="${5:-0}" -v y="${6:-0}" 'BEGIN {
		print "r_datetime,r_watts"
		for (t = a; t <= b; t += s)
			if (!(t > x && t < y))
				printf "%d,%d\n", t, w }'
}

# kwh ARGS: the kwh and missing_s of each period, "kwh/missing" joined.
kwh() {
	hearth energy readings --format csv "$@" | tr -d "\r" | awk -F, 'NR > 1 { printf "%s%s/%s", n++ ? " " : "", $4, $5 } END { print "" }'
}

D28=1774656000 # 2026-03-28T00:00:00Z, a Saturday; London's clocks go
               # forward on the 29th at 01:00 UTC

test_constant_power_and_dst() {
	project
	watts $D28 $((D28 + 3 * 86400)) 10 1000 >w.csv
	hearth import readings w.csv >/dev/null 2>&1
	expect_eq "$(kwh --since 2026-03-28 --until 2026-03-30)" \
		"24.000000/0 23.000000/0 24.000000/0"
	# The same by hour: the 29th has 23 of them, each 1 kWh.
	expect_eq "$(hearth energy readings --by hour --since 2026-03-29 --until '2026-03-29 23:59' --format csv | tail -n +2 | wc -l)" 23
	expect_contains "$(hearth energy readings --since 2026-03-29 --until 2026-03-29)" "23.000"
	# JSON says what it is.
	expect_contains "$(hearth energy readings --since 2026-03-29 --until 2026-03-29 --format json)" \
		'"timezone":"Europe/London","max_gap_s":30'
}

# A 2 h gap is not bridged and is reported; rows that fill it later are
# taken in (the slots recomputed by parts equal a rebuild); deleting old
# readings (retention) keeps their energy.
test_gap_backfill_and_delete() {
	project
	watts $D28 $((D28 + 86400)) 10 1000 $((D28 + 36000)) $((D28 + 43200)) >w.csv
	hearth import readings w.csv >/dev/null 2>&1
	expect_eq "$(kwh --since 2026-03-28 --until 2026-03-28)" "22.000000/7200"
	watts $((D28 + 36010)) $((D28 + 43190)) 10 1000 >fill.csv
	hearth import readings fill.csv >/dev/null 2>&1
	expect_eq "$(kwh --since 2026-03-28 --until 2026-03-28)" "24.000000/0"
	expect_eq "$(dbq "SELECT count(*) FROM hearth_energy_dirty")" 0
	expect_eq "$(kwh --since 2026-03-28 --until 2026-03-28 --rebuild)" "24.000000/0"
	# A row written by another program (4600 W between two 1000 W
	# readings 10 s apart: +18 kJ), and an edit of it.
	dbq "INSERT INTO readings (r_datetime, r_watts) VALUES ('2026-03-28 12:00:05', 4600)"
	expect_eq "$(kwh --since 2026-03-28 --until 2026-03-28)" "24.005000/0"
	dbq "UPDATE readings SET r_watts = 1000 WHERE r_watts = 4600"
	expect_eq "$(kwh --since 2026-03-28 --until 2026-03-28)" "24.000000/0"
	dbq "DELETE FROM readings WHERE r_datetime < '2026-03-28 20:00:00'"
	expect_eq "$(kwh --since 2026-03-28 --until 2026-03-28)" "24.000000/0"
}

# A kWh counter that resets at noon (the reading after counts from 0),
# and a time-of-use tariff split at its local boundaries with a
# standing charge: 16 kWh at 0.35 and 8 at 0.12, plus 0.5.
test_counter_and_tariff() {
	project "readings.r_temp = counter_kwh" "max_gap = 20m" \
		"tariff = 0.35 07:00-23:00, 0.12 23:00-07:00" "standing_charge = 0.5" \
		"currency = GBP "
	# 2026-01-10 (GMT = UTC): 0.25 kWh every quarter-hour.
	awk 'BEGIN { print "r_datetime,r_temp"; v = 1000
		for (i = 0; i <= 96; i++) {
			if (i == 48) v = 0.25; else if (i) v += 0.25
			printf "%d,%.2f\n", 1768003200 + i * 900, v } }' >c.csv
	hearth import readings c.csv >/dev/null 2>&1
	expect_eq "$(hearth energy readings --column r_temp --since 2026-01-10 --until 2026-01-10 --format csv | tr -d "\r" | tail -1)" \
		"2026-01-10,2026-01-10T00:00:00Z,2026-01-11T00:00:00Z,24.000000,0,7.0600"
	expect_contains "$(hearth energy readings --column r_temp --since 2026-01-10 --until 2026-01-10)" "GBP7.06"
}

# Bad input: one clear line naming the option or key; nothing stored
# changes.
test_bad_input() {
	project
	watts $D28 $((D28 + 600)) 10 1000 >w.csv
	hearth import readings w.csv >/dev/null 2>&1
	expect_status 2 hearth energy readings --by fortnight
	one_line <(grep -v '^usage:' "$T_ERR")
	expect_contains "$(cat "$T_ERR")" "--by is hour, day, week or month"
	expect_status 2 hearth energy readings --since yesterdayish
	expect_contains "$(cat "$T_ERR")" "yesterdayish"
	expect_status 1 hearth energy readings --column nope
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "unknown column 'nope' in table readings"
	expect_status 1 hearth energy motion
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "table motion has no energy column"
	expect_status 1 hearth energy nosuch
	expect_contains "$(cat "$T_ERR")" "'nosuch' is not a series table"
	echo "tariff = 0.35 07:00-23:00, 0.12 22:00-07:00" >>hearth.ini
	expect_status 1 hearth energy readings
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "[energy] tariff: band '0.12 22:00-07:00' overlaps another"
	sed -i 's/^tariff = .*/tariff = 0.3/; s/^readings.r_watts = .*/readings.r_watts = watts/' hearth.ini
	expect_status 1 hearth energy readings
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "[energy] readings.r_watts = 'watts'"
	expect_eq "$(dbq "SELECT count(*) FROM readings")" 61
}

# A revision that renames the time column: writes go on (the old
# triggers note nothing rather than fail, the chart rollups' are dropped
# with them and built again by serve), and the next report builds the
# slots again from the renamed column.
test_revision_renames_time_column() {
	project
	watts $D28 $((D28 + 86400)) 10 1000 >w.csv
	hearth import readings w.csv >/dev/null 2>&1
	expect_eq "$(kwh --since 2026-03-28 --until 2026-03-28)" "24.000000/0"
	sed -i '0,/^    r_datetime TIMESTAMP NOT NULL,$/s//    ts TIMESTAMP NOT NULL, -- renamed from r_datetime/' schema.sql
	sed -i 's/readings (r_datetime)/readings (ts)/' schema.sql
	hearth revision --autogenerate -m "rename time" >/dev/null
	hearth upgrade >/dev/null 2>&1
	expect_eq "$(db_columns readings | cut -d: -f1)" "ts"
	hearth add readings ts="2026-03-29 00:00:10" r_watts=1000
	watts $((D28 + 86420)) $((D28 + 2 * 86400)) 10 1000 | sed 's/^r_datetime/ts/' >w2.csv
	hearth import readings w2.csv >/dev/null 2>&1
	expect_eq "$(kwh --since 2026-03-28 --until 2026-03-29)" "24.000000/0 23.000000/0"
}

# GET /api/v1/energy/TABLE answers what the command prints; the
# dashboard shows the panel.  Bad input: an unknown by, format, table.
test_api_and_dashboard() {
	local port url
	project "tariff = 0.28"
	watts $D28 $((D28 + 2 * 86400)) 10 1000 >w.csv
	hearth import readings w.csv >/dev/null 2>&1
	port=$(free_port)
	url=http://127.0.0.1:$port
	"$HEARTH" serve --listen "127.0.0.1:$port" >serve.log 2>&1 &
	SERVER_PID=$!
	trap 'kill -9 $SERVER_PID 2>/dev/null || true' EXIT
	wait_http "$url/healthz" 20
	expect_eq "$(curl -s "$url/api/v1/energy/readings?by=day&since=2026-03-28&until=2026-03-29")" \
		"$(hearth energy readings --format json --since 2026-03-28 --until 2026-03-29)"
	expect_contains "$(curl -s "$url/api/v1/energy/readings?format=csv&since=2026-03-29&until=2026-03-29")" \
		"2026-03-29,2026-03-29T00:00:00Z,2026-03-29T23:00:00Z,23.000000,0,6.4400"
	expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$url/api/v1/energy/readings?by=fortnight")" 400
	expect_eq "$(curl -s "$url/api/v1/energy/readings?by=fortnight")" \
		"by: 'fortnight' is not hour, day, week or month"
	expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$url/api/v1/energy/readings?format=xml")" 400
	expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$url/api/v1/energy/nosuch")" 404
	expect_contains "$(curl -s "$url/api/v1/energy/readings?column=nope")" "unknown column 'nope'"
	# The panel: a bar per day of the window, the window's total.
	expect_contains "$(curl -s "$url/?from=2026-03-27T00:00&to=2026-03-31T00:00")" \
		"<title>2026-03-29: 23.00 kWh (6.44)</title>"
	kill $SERVER_PID
	wait $SERVER_PID 2>/dev/null || true
}

t_main
