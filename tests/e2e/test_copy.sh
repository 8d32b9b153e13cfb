#!/bin/bash
# test_copy.sh - PostgreSQL's bulk load (COPY) under imports and HTTP
# writes, and `hearth copy` between SQLite and PostgreSQL, against a
# private PostgreSQL server on 127.0.0.1 (pg.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"

TOKEN=t0ken-for-the-copy-tests

DDL="CREATE TABLE readings (r_datetime TIMESTAMPTZ NOT NULL, r_watts INTEGER,
  r_temp REAL CHECK (r_temp > -100), note TEXT);
CREATE INDEX readings_r_datetime ON readings (r_datetime);"

# db NAME: a new database holding DDL, its statements logged (to see
# that rows go in by COPY); DB gets its URL.
db() {
	pg_createdb "$1"
	pg_sql "$1" "$DDL" >/dev/null
	pg_sql "$1" "ALTER DATABASE \"$1\" SET log_statement = 'all'" >/dev/null
	DB=$(pg_url "$1")
}

# copies NAME: how many COPY statements database NAME has run.
copies() {
	grep -c "statement: .*COPY \"readings\".* FROM STDIN" "$PG_DIR/log/server.log" | tr -d ' '
}

# readings_csv FIRST LAST: CSV rows FIRST..LAST, a reading every 7 s.
readings_csv() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		for (i = a; i <= b; i++)
			printf "%d,%d,%.1f,n%d\n", 1704067200 + i * 7, 200 + i % 300, 15 + (i % 100) / 10, i }'
}

# Bad rows the server refuses, each in the middle of a file and of a
# later batch: a CHECK (line 2502), NOT NULL (an empty time, line 3001),
# an integer too large for INTEGER (line 4097), text that is not UTF-8
# (line 1200).  The error names the file's line; the rows before it are
# stored, nothing from it on; COPY carried them.
test_import_bad_rows() {
	local before bad line want
	db imp
	before=$(copies)
	for bad in "2502:1704100000,5,-200,x:check constraint" \
		"3001:,5,1,x:null value in column \"r_datetime\"" \
		"4097:1704100000,3000000000,1,x:out of range for type integer" \
		"1200:1704100000,5,1,$(printf 'a\xffb'):invalid byte sequence"; do
		line=${bad%%:*}
		bad=${bad#*:}
		want=${bad##*:}
		bad=${bad%:*}
		{ echo "r_datetime,r_watts,r_temp,note"
		  readings_csv 1 $((line - 2))
		  printf '%s\n' "$bad"
		  readings_csv "$line" 5000; } >a.csv
		pg_sql imp "TRUNCATE readings" >/dev/null
		expect_status 1 hearth --db "$DB" import --batch 1000 readings a.csv
		one_line "$T_ERR"
		expect_contains "$(cat "$T_ERR")" "line $line: "
		expect_contains "$(cat "$T_ERR")" "$want"
		expect_contains "$(cat "$T_ERR")" "($((line - 2)) rows before it stored)"
		expect_eq "$(pg_sql imp "SELECT count(*), max(substr(note, 2)::int) FROM readings")" "$((line - 2))	$((line - 2))"
	done
	# --atomic: nothing stored.
	expect_status 1 hearth --db "$DB" import --atomic readings a.csv
	expect_eq "$(pg_sql imp "SELECT count(*) FROM readings")" "$((line - 2))"
	[ "$(copies)" -gt "$((before + 10))" ] || fail "imports did not use COPY"
	# Text that needs COPY's escapes arrives as it was sent.
	pg_sql imp "TRUNCATE readings" >/dev/null
	printf 'r_datetime,note\n2024-01-01 00:00:00,"tab\there \\N back\\slash\nnew line\r!"\n' >e.csv
	hearth --db "$DB" import readings e.csv 2>/dev/null
	expect_eq "$(pg_sql imp "SELECT note = E'tab\\there \\\\N back\\\\slash\\nnew line\\r!' FROM readings")" t
}

# start_serve: hearth serve on database $DB, writes with $TOKEN; sets URL.
start_serve() {
	local port
	port=$(free_port)
	URL=http://127.0.0.1:$port
	printf '[hearth]\ndb = %s\n[serve]\nwrite_token_file = token\n' "$DB" >hearth.ini
	echo "$TOKEN" >token
	"$HEARTH" serve --listen "127.0.0.1:$port" >serve.log 2>&1 &
	SERVER_PID=$!
	trap 'kill -9 $SERVER_PID 2>/dev/null || true' EXIT
	wait_http "$URL/healthz" 20
}

post() {
	CODE=$(curl -s -o body.out -w '%{http_code}' -X POST \
		-H "Authorization: Bearer $TOKEN" -H "Content-Type: $2" \
		--data-binary "@$3" "$URL$1")
	BODY=$(cat body.out)
}

# HTTP writes are all or nothing, by COPY too: a request with a bad row
# in its middle (a CHECK in line protocol, line 3000 of 6000; NOT NULL
# in CSV, line 40) stores nothing and names its line; the requests
# around it are stored whole.
test_http_writes() {
	db web
	start_serve
	awk 'BEGIN { for (i = 0; i < 6000; i++)
		printf "readings r_watts=%di,r_temp=%.1f %d\n", i, (i == 2999 ? -300 : 20), 1704067200 + i }' >bad.lp
	awk 'BEGIN { for (i = 0; i < 6000; i++)
		printf "readings r_watts=%di,r_temp=20 %d\n", i, 1704167200 + i }' >good.lp
	post "/write?db=h&precision=s" text/plain good.lp
	expect_eq "$CODE" 204
	post "/write?db=h&precision=s" text/plain bad.lp
	expect_eq "$CODE" 400
	expect_contains "$BODY" "line 3000"
	expect_contains "$BODY" "check constraint"
	{ echo "r_datetime,r_watts"; for i in $(seq 1 50); do
		if [ "$i" = 39 ]; then echo ",1"; else printf '2024-02-01 00:%02d:00,%d\n' "$i" "$i"; fi; done; } >bad.csv
	post /api/v1/readings text/csv bad.csv
	expect_eq "$CODE" 400
	expect_contains "$BODY" "line 40"
	expect_contains "$BODY" "null value"
	post "/write?db=h&precision=s" text/plain good.lp
	expect_eq "$(pg_sql web "SELECT count(*) FROM readings")" 12000
	[ "$(copies)" -gt 0 ] || fail "HTTP writes did not use COPY"
	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID" || fail "serve exited badly: $(cat serve.log)"
}

# The rollups the statement triggers keep as COPY loads rows (import in
# many batches and transactions, one that fails half way, an HTTP write)
# equal a rebuild's.
test_rollups_after_copy_loads() {
	local after
	db roll
	hearth --db "$DB" rollup rebuild readings >/dev/null
	{ echo "r_datetime,r_watts,r_temp,note"; readings_csv 1 9000; } >a.csv
	hearth --db "$DB" import --batch 3000 readings a.csv 2>/dev/null
	{ echo "r_datetime,r_watts,r_temp,note"; readings_csv 9001 12000
	  echo "1704167200,1,-500,x"; readings_csv 12002 13000; } >b.csv
	expect_status 1 hearth --db "$DB" import readings b.csv
	dump() { pg_sql roll "SELECT * FROM hearth_rollup_readings_m ORDER BY b; SELECT * FROM hearth_rollup_readings_h ORDER BY b"; }
	after=$(dump)
	hearth --db "$DB" rollup rebuild readings >/dev/null
	expect_eq "$after" "$(dump)" "rollups kept under COPY vs rebuilt"
	expect_eq "$(pg_sql roll "SELECT sum(\"r_watts:n\") FROM hearth_rollup_readings_h")" 12000
}

# A project with rows, kv of every type and a revision goes SQLite ->
# PostgreSQL -> SQLite: rows, kv, revision and charts come back the same;
# check is clean on the SQLite at the end; the PostgreSQL in between
# draws the same charts from rollups built there.
test_round_trip() {
	local pg i
	hearth init . >/dev/null
	{ echo "r_datetime,r_watts,r_temp"
	  awk 'BEGIN { for (i = 0; i < 30000; i++)
		printf "%d,%d,%.3f\n", 1704067200 + i * 5, 200 + i % 3000, 15 + (i % 1000) / 7 }'; } >a.csv
	hearth import --quiet readings a.csv
	hearth add readings r_datetime=2024-01-03T00:00:00.250Z r_temp=0.1
	hearth add motion r_s_name="Hall 'way" r_datetime=2024-01-01T10:00:00Z
	hearth rollup rebuild readings >/dev/null
	hearth kv set n 12
	hearth kv set --type real r 2.5
	hearth kv set --type blob b 00ff41
	hearth kv set --type timestamp t 2024-01-01T00:00:00Z
	hearth kv set name "Living room"
	pg_createdb trip
	pg=$(pg_url trip)
	hearth copy sqlite:///hearth.db "$pg" 2>copy.err
	expect_contains "$(cat copy.err)" "copied 2 tables, 30002 rows, 5 kv keys and 1 applied revision"
	expect_contains "$(cat copy.err)" "chart rollups built: readings"
	expect_eq "$(pg_sql trip "SELECT count(*), sum(r_watts) FROM readings")" \
		"$(sqlite3 -separator '	' hearth.db "SELECT count(*), sum(r_watts) FROM readings")"
	expect_eq "$(hearth --db "$pg" current)" "$(hearth current)"
	expect_eq "$(hearth --db "$pg" kv list)" "$(hearth kv list)"
	hearth copy --quiet "$pg" sqlite:///back.db
	for i in readings motion; do
		expect_eq "$(sqlite3 back.db "SELECT * FROM $i")" "$(sqlite3 hearth.db "SELECT * FROM $i")" "$i rows"
	done
	expect_eq "$(hearth --db sqlite:///back.db kv list --json 2>/dev/null || hearth --db sqlite:///back.db kv list)" \
		"$(hearth kv list --json 2>/dev/null || hearth kv list)"
	expect_eq "$(hearth --db sqlite:///back.db current)" "$(hearth current)"
	hearth --db sqlite:///back.db check >/dev/null
	for i in "2024-01-01 2024-01-02" "2023-12-01 2024-03-01"; do
		set -- $i
		hearth chart readings --since "$1" --until "$2" -o a.svg
		hearth --db "$pg" chart readings --since "$1" --until "$2" -o b.svg
		hearth --db sqlite:///back.db chart readings --since "$1" --until "$2" -o c.svg
		cmp -s a.svg b.svg || fail "chart $1..$2 differs on PostgreSQL"
		cmp -s a.svg c.svg || fail "chart $1..$2 differs after the round trip"
	done
	expect_contains "$(cat b.svg)" 'data-source="hour"'
}

# A target that holds a table is refused with one line naming it, and
# left as it was; so is a SQLite file with a table.
test_refuses_target_with_data() {
	hearth init . >/dev/null
	hearth add readings r_watts=1
	db full
	expect_status 1 hearth copy sqlite:///hearth.db "$DB"
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "the target already holds data (table readings)"
	expect_eq "$(pg_sql full "SELECT count(*) FROM readings")" 0
	sqlite3 other.db "CREATE TABLE t (x)"
	expect_status 1 hearth copy sqlite:///hearth.db sqlite:///other.db
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "already holds data (table t)"
}

# Nothing listens at the target: one line naming it.  A copy that fails
# half way (a blob in a table) leaves the target empty.
test_unreachable_and_failed() {
	local port
	hearth init . >/dev/null
	hearth add readings r_watts=1
	port=$(free_port)
	expect_status 1 hearth copy sqlite:///hearth.db "postgresql://hearth@127.0.0.1:$port/x"
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "127.0.0.1:$port/x: Connection refused"
	sqlite3 hearth.db "CREATE TABLE zz (t TIMESTAMP, v); INSERT INTO zz VALUES ('2024-01-01', 1), ('2024-01-02', x'00ff')"
	pg_createdb half
	expect_status 1 hearth copy sqlite:///hearth.db "$(pg_url half)"
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "table zz: row 2: column v holds bytes"
	expect_eq "$(pg_sql half "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" 0
}

if [ -x "${PG_BIN:-}/initdb" ]; then
	pg_start "$T_TMP/pg" || exit 1
	printf '127.0.0.1:%s:*:hearth:%s\n' "$PG_PORT" "$PG_PASS" >"$T_TMP/pgpass"
	chmod 600 "$T_TMP/pgpass"
	export PGPASSFILE=$T_TMP/pgpass
	t_main
else
	echo "SKIP e2e/test_copy: no PostgreSQL server installed (Debian package postgresql)"
fi
