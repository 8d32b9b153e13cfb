#!/bin/bash
# test_pg.sh - hearth's commands against a real PostgreSQL server (a
# private one, started on 127.0.0.1 by pg.sh and stopped at the end).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/dovecot.sh"

DDL="CREATE TABLE readings (r_datetime TIMESTAMPTZ NOT NULL, r_watts INTEGER,
  r_temp REAL CHECK (r_temp > -100));
CREATE INDEX readings_r_datetime ON readings (r_datetime);
CREATE TABLE motion (r_datetime TIMESTAMPTZ NOT NULL, r_s_name TEXT NOT NULL);"

# db NAME: a new database holding DDL; DB gets its URL.  TCP logins want
# the password: from PGPASSFILE, libpq's own search.
db() {
	pg_createdb "$1"
	pg_sql "$1" "$DDL" >/dev/null
	DB=$(pg_url "$1")
}

test_rows_in_and_out() {
	db rows
	hearth --db "$DB" add readings r_datetime=2024-01-01T00:00:00Z r_watts=7 r_temp=21.5
	printf 'r_datetime,r_watts,r_temp\n2024-01-02 00:00:00,1,2.5\n1704153660,2,3.5\n' >a.csv
	hearth --db "$DB" import readings a.csv 2>/dev/null
	printf 'readings r_watts=9i,r_temp=1.5 1704153720000000000\n' >a.lp
	hearth --db "$DB" import readings a.lp 2>/dev/null
	expect_eq "$(pg_sql rows "SELECT count(*), sum(r_watts) FROM readings")" "4	19"
	expect_eq "$(hearth --db "$DB" query readings --since 2024-01-01 --until 2024-01-03 --format csv)" \
"r_datetime,r_watts,r_temp
2024-01-01 00:00:00,7,21.5
2024-01-02 00:00:00,1,2.5
2024-01-02 00:01:00,2,3.5
2024-01-02 00:02:00,9,1.5"
	# Times are UTC whatever the server's zone.
	expect_eq "$(pg_sql rows "SET TimeZone = 'UTC'; SELECT min(r_datetime) FROM readings")" "2024-01-01 00:00:00+00"
	expect_eq "$(hearth --db "$DB" sql "SELECT count(*) FROM readings WHERE r_temp > 2")" "count
-----
    3"
	hearth --db "$DB" chart readings --since 2024-01-01 --until 2024-01-03 -o c.svg
	expect_contains "$(cat c.svg)" 'class="series"'
}

# Every type hearth reads in binary (pg_value.h) reads as it does as
# text: each query below also holds a numeric column, which makes its
# rows come as text, and both must print the same.
test_values_binary_and_text() {
	db values
	local cols="1::int2 AS s, 70000::int4 AS i, 9007199254740993::int8 AS l,
		true AS t, false AS f, 0.1::float8 AS d, 1e300::float8 AS e,
		'-infinity'::float8 AS ni, 'NaN'::float8 AS nan, -0.0::float8 AS z,
		'\\x00ff41'::bytea AS b, 'héllo'::text AS x, 'ab '::char(3) AS c,
		'v'::varchar AS v, 'relname'::name AS n, 3::oid AS o,
		'2024-02-29 23:59:59.5'::timestamp AS ts,
		'2024-02-29 23:59:59.123456+00'::timestamptz AS tz,
		'0044-03-15 12:00:00 BC'::timestamptz AS bc,
		'infinity'::timestamptz AS inf, NULL::int8 AS nul"
	local bin text
	bin=$(hearth --db "$DB" sql --format csv "SELECT $cols")
	text=$(hearth --db "$DB" sql --format csv "SELECT $cols, 1::numeric AS m" | sed 's/,m$//; s/,1$//')
	expect_eq "$bin" "$text"
	expect_contains "$bin" "9007199254740993"
	expect_contains "$bin" "2024-02-29 23:59:59.123456"
	expect_contains "$bin" ",0.1,"
	expect_contains "$bin" ",x'00ff41',"
	expect_contains "$bin" ",0044-03-15 12:00:00 BC,"
}

test_kv() {
	db kv
	hearth --db "$DB" kv set n 12
	hearth --db "$DB" kv set --type real r 2.5
	hearth --db "$DB" kv set --type blob b 00ff41
	hearth --db "$DB" kv set --type timestamp t 2024-01-01T00:00:00Z
	expect_eq "$(hearth --db "$DB" kv get n)" 12
	expect_eq "$(hearth --db "$DB" kv get b)" 00ff41
	expect_eq "$(hearth --db "$DB" kv list | cut -f1,2 | tr '\t' ' ' | tr '\n' ';')" "b blob;n integer;r real;t timestamp;"
	hearth --db "$DB" kv del n
	expect_status 1 hearth --db "$DB" kv get n
}

# Bad input tried: a value that is not a number (CSV line 3), a row the
# CHECK refuses (line 3 of a second file): the rows before are stored,
# nothing from the bad line on; an unknown column.
test_bad_input() {
	db bad
	printf 'r_datetime,r_watts\n2024-01-01 00:00:00,1\n2024-01-01 00:01:00,x\n2024-01-01 00:02:00,3\n' >a.csv
	expect_status 1 hearth --db "$DB" import readings a.csv
	expect_contains "$(cat "$T_ERR")" "line 3: column r_watts: 'x' is not an integer"
	expect_eq "$(pg_sql bad "SELECT count(*) FROM readings")" 1
	printf 'r_datetime,r_temp\n2024-01-02 00:00:00,1\n2024-01-02 00:01:00,-200\n2024-01-02 00:02:00,3\n' >b.csv
	expect_status 1 hearth --db "$DB" import readings b.csv
	expect_contains "$(cat "$T_ERR")" "line 3"
	expect_contains "$(cat "$T_ERR")" "check constraint"
	expect_eq "$(pg_sql bad "SELECT count(*) FROM readings")" 2
	expect_status 1 hearth --db "$DB" add readings volts=3
	expect_contains "$(cat "$T_ERR")" "unknown column 'volts'"
	one_line "$T_ERR"
}

# Chart rollups on PostgreSQL are kept by the table's statement triggers:
# after hearth's imports (one that fails half way included), another
# program's INSERT, UPDATE and DELETE, they equal a rebuild's.
test_rollups_follow_every_writer() {
	local after
	db roll
	awk 'BEGIN { print "r_datetime,r_watts,r_temp"
		for (i = 0; i < 3000; i++)
			printf "%d,%d,%.1f\n", 1704067200 + i * 7, 200 + i % 300, 15 + (i % 100) / 10 }' >a.csv
	hearth --db "$DB" import readings a.csv 2>/dev/null
	expect_eq "$(hearth --db "$DB" rollup rebuild readings)" "readings: 350 minute buckets"
	dump() { pg_sql roll "SELECT * FROM hearth_rollup_readings_m ORDER BY b; SELECT * FROM hearth_rollup_readings_h ORDER BY b"; }
	awk 'BEGIN { print "r_datetime,r_watts,r_temp"
		for (i = 3000; i < 6000; i++)
			printf "%d,%d,%.1f\n", 1704067200 + i * 7, 200 + i % 300, 15 + (i % 100) / 10
		print "2024-01-03 00:00:00,x,1" }' >b.csv
	expect_status 1 hearth --db "$DB" import readings b.csv
	hearth --db "$DB" add readings r_datetime=2024-01-01T00:00:30Z r_watts=5000
	pg_sql roll "INSERT INTO readings VALUES ('2024-01-01 00:01:10+00', 1, NULL), ('2024-01-05 10:00:00+00', 2, 3);
		DELETE FROM readings WHERE r_watts > 450;
		UPDATE readings SET r_watts = r_watts + 1000, r_datetime = r_datetime + interval '1 day' WHERE r_watts < 210" >/dev/null
	after=$(dump)
	hearth --db "$DB" rollup rebuild readings >/dev/null
	expect_eq "$after" "$(dump)" "rollups kept by triggers vs rebuilt"
	expect_eq "$(pg_sql roll "SELECT sum(\"r_watts:n\"), sum(\"r_watts:sum\"), max(\"r_watts:max\") FROM hearth_rollup_readings_h")" \
		"$(pg_sql roll "SELECT count(r_watts), sum(r_watts), max(r_watts) FROM readings WHERE r_datetime IS NOT NULL")"
	hearth --db "$DB" chart readings --since 2024-01-01 --until 2024-01-31 -o c.svg
	expect_contains "$(cat c.svg)" 'data-source="hour"'
	hearth --db "$DB" rollup drop readings >/dev/null
	expect_eq "$(pg_sql roll "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal")" 0
	expect_eq "$(pg_sql roll "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'hearth_rollup%'")" 0
}

# Server unreachable, password refused, database missing: one line each,
# naming the database.
test_connection_errors() {
	local port
	port=$(free_port)
	expect_status 1 hearth --db "postgresql://hearth@127.0.0.1:$port/x" query readings
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "127.0.0.1:$port/x: Connection refused"
	printf '127.0.0.1:%s:*:hearth:wrong\n' "$PG_PORT" >bad.pgpass
	chmod 600 bad.pgpass
	PGPASSFILE=$PWD/bad.pgpass expect_status 1 hearth --db "$(pg_url postgres)" query readings
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" 'password authentication failed for user "hearth"'
	expect_status 1 hearth --db "$(pg_url nosuch)" query readings
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" 'database "nosuch" does not exist'
	# A password in the URL is refused, and not repeated.
	for url in "postgresql://hearth:$PG_PASS@127.0.0.1:$PG_PORT/postgres" \
		"postgres://hearth@127.0.0.1:$PG_PORT/postgres?password=$PG_PASS"; do
		expect_status 1 hearth --db "$url" query readings
		one_line "$T_ERR"
		expect_contains "$(cat "$T_ERR")" "the database URL holds a password"
		case "$(cat "$T_ERR")" in *"$PG_PASS"*) fail "the error repeats the password" ;; esac
	done
	# A socket directory, as libpq takes it; a login without rights on
	# the table.
	db conn
	hearth --db "postgresql://hearth@/conn?host=$PG_SOCK&port=$PG_PORT" add readings r_watts=1
	pg_sql conn "CREATE ROLE outsider LOGIN" >/dev/null
	expect_status 1 hearth --db "postgresql://outsider@/conn?host=$PG_SOCK&port=$PG_PORT" query readings
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "permission denied for table readings"
	expect_status 1 hearth --db "postgresql://outsider@/conn?host=$PG_SOCK&port=$PG_PORT" add readings r_watts=2
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "permission denied for table readings"
	expect_eq "$(pg_sql conn "SELECT count(*) FROM readings")" 1
}

# The password from [hearth] password_file, never the command line or
# hearth.ini; a wrong or missing file is one clear error.
test_password_file() {
	db pw
	printf '[hearth]\ndb = %s\npassword_file = secret\n' "$DB" >hearth.ini
	printf '%s\n' "$PG_PASS" >secret
	PGPASSFILE=/nonexistent hearth add readings r_watts=1
	expect_eq "$(pg_sql pw "SELECT count(*) FROM readings")" 1
	printf 'wrong\n' >secret
	PGPASSFILE=/nonexistent expect_status 1 hearth add readings r_watts=2
	expect_contains "$(cat "$T_ERR")" "password authentication failed"
	rm secret
	PGPASSFILE=/nonexistent expect_status 1 hearth add readings r_watts=3
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "[hearth] password_file secret: No such file or directory"
}

# wait_until CMD...: CMD succeeds within 15 seconds.
wait_until() {
	local i
	for i in $(seq 1 150); do
		"$@" && return 0
		sleep 0.1
	done
	fail "still not: $*"
}

# The server stopped under a running hearth serve, then started again:
# meanwhile every request gets a quick 503 that says why (curl's own
# timeout would show a hang), and after it the same serve stores and
# reads again, without a restart of its own.
test_serve_rides_out_a_server_restart() {
	local port pid code
	db restart
	printf '[hearth]\ndb = %s\n' "$DB" >hearth.ini
	echo 'write-token-1234' >token
	port=$(free_port)
	"$HEARTH" -c serve.listen="127.0.0.1:$port" -c serve.write_token_file=token serve >serve.log 2>&1 &
	pid=$!
	wait_http "http://127.0.0.1:$port/"
	post() { curl -s -m 10 -o body -w '%{http_code}' -H 'Authorization: Token write-token-1234' \
		--data-binary "$1" "http://127.0.0.1:$port/api/v2/write?precision=s"; }
	get() { curl -s -m 10 -o body -w '%{http_code}' "http://127.0.0.1:$port$1"; }
	expect_eq "$(post 'readings r_watts=1i 1704067200')" 204
	pg_stop
	expect_eq "$(post 'readings r_watts=2i 1704067260')" 503 "write while down"
	expect_contains "$(cat body)" "connection to the database server"
	expect_eq "$(get '/api/v1/readings?since=2024-01-01&until=2024-01-02')" 503 "read while down"
	expect_eq "$(get /)" 503 "dashboard while down"
	one_line body
	pg_resume
	expect_eq "$(post 'readings r_watts=3i 1704067320')" 204 "write after"
	expect_eq "$(get '/api/v1/readings?since=2024-01-01&until=2024-01-02&format=csv')" 200 "read after"
	expect_eq "$(cut -d, -f2 body | tr '\n' ' ')" "r_watts 1 3 "
	expect_eq "$(get /)" 200 "dashboard after"
	kill -0 "$pid"
	kill "$pid"
	wait "$pid" || true
	expect_eq "$(pg_sql restart "SELECT string_agg(r_watts::text, ' ' ORDER BY r_datetime) FROM readings")" "1 3"
}

# hearth imap polling every second: while the database server is down a
# poll fails (one line on stderr), the mail stays unread, and the first
# poll after it stores the mail, once.
test_imap_poller_retries_after_restart() {
	local pid
	db poller
	dovecot_start "$PWD/dv" >/dev/null || exit 1
	trap dovecot_stop EXIT
	dv_user poller
	echo "$DV_PASS" >imap.secret
	printf '[hearth]\ndb = %s\n[imap]\nurl = imap://127.0.0.1:%s/Motion\nuser = poller\npassword_file = imap.secret\ntimezone = UTC\ninterval = 1s\n' \
		"$DB" "$DV_PORT" >hearth.ini
	"$HEARTH" imap >poll.out 2>poll.err &
	pid=$!
	dv_deliver "'Hall' sensed motion: November 23, 2014 at 10:15PM"
	nmotion() { [ "$(pg_sql poller "SELECT count(*) FROM motion")" = "$1" ]; }
	wait_until nmotion 1
	pg_stop
	dv_deliver "'Porch' sensed motion: November 23, 2014 at 10:16PM"
	wait_until grep -q 'connection to the database server' poll.err
	expect_eq "$(dv_count_unseen)" 1
	pg_resume
	wait_until nmotion 2
	kill "$pid"
	wait "$pid" || true
	expect_eq "$(pg_sql poller "SELECT string_agg(r_s_name, ' ' ORDER BY r_datetime) FROM motion")" "Hall Porch"
	expect_eq "$(dv_count_seen)" 2
}

if [ -x "${PG_BIN:-}/initdb" ]; then
	pg_start "$T_TMP/pg" || exit 1
	# libpq finds the password here, as a user's ~/.pgpass.
	printf '127.0.0.1:%s:*:hearth:%s\n' "$PG_PORT" "$PG_PASS" >"$T_TMP/pgpass"
	chmod 600 "$T_TMP/pgpass"
	export PGPASSFILE=$T_TMP/pgpass
	t_main
else
	echo "SKIP e2e/test_pg: no PostgreSQL server installed (Debian package postgresql)"
fi
