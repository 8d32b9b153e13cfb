#!/bin/bash
# End-to-end: init, add, import, query, sql, kv against a real SQLite file
# and a real PostgreSQL database (lib.sh: the backend).
# backends: sqlite pg
. "$(dirname "$0")/lib.sh"

test_init_scaffolds_and_refuses_overwrite() {
	t_init proj >/dev/null
	for f in hearth.ini schema.sql migrations; do
		[ -e "proj/$f" ] || fail "proj/$f missing"
	done
	expect_contains "$(cat proj/hearth.ini)" "db = $T_DB"
	T_DBFILE=proj/hearth.db
	expect_eq "$(db_tables)" "motion,readings"
	if [ "$T_BACKEND" = pg ]; then
		expect_contains "$(dbl "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname")" "(r_datetime)"
	else
		[ -e proj/hearth.db ] || fail "proj/hearth.db missing"
		expect_contains "$(dbq "SELECT group_concat(sql) FROM sqlite_master WHERE type='index'")" "(r_datetime)"
		expect_eq "$(dbq "PRAGMA journal_mode")" "wal"
	fi
	echo "; mine" >>proj/hearth.ini
	expect_status 1 t_init proj
	one_line "$T_ERR"
	expect_contains "$(cat proj/hearth.ini)" "; mine"
}

test_add_and_query_formats() {
	t_init . >/dev/null
	hearth add readings r_watts=512 r_temp=21.5
	hearth add readings r_watts=100 r_temp=-3.25 r_datetime="2014-11-23 22:15:00"
	hearth add motion r_s_name="Living Room" r_datetime=1416780900
	expect_eq "$(dbq "SELECT count(*) FROM readings")" 2
	out=$(hearth query readings --since -1h --format csv)
	expect_eq "$(echo "$out" | wc -l)" 2
	expect_contains "$out" ",512,21.5"
	out=$(hearth query readings --since 2014-11-23T00:00:00Z --until 2014-11-24T00:00:00Z --format json)
	expect_eq "$out" '[
{"r_datetime":"2014-11-23T22:15:00Z","r_watts":100,"r_temp":-3.25}
]'
	out=$(hearth query motion --format table)
	expect_contains "$out" "2014-11-23 22:15:00  Living Room"
	out=$(hearth query readings --last 1 --format csv)
	expect_contains "$out" ",512,21.5"
	expect_eq "$(hearth sql --format csv "SELECT sum(r_watts) AS s FROM readings")" "s
612"
	expect_eq "$(hearth sql "DELETE FROM motion")" "1 rows changed"
}

test_bad_input_add_query() {
	# Tried: unknown table, unknown column, text in an INTEGER column,
	# a bad time value, a bad --since, a malformed argument, bad SQL.
	t_init . >/dev/null
	expect_status 1 hearth add nosuch x=1
	one_line "$T_ERR"; expect_contains "$(cat "$T_ERR")" "unknown table 'nosuch'"
	expect_status 1 hearth add readings r_volts=1
	expect_contains "$(cat "$T_ERR")" "unknown column 'r_volts' in table readings"
	expect_status 1 hearth add readings r_watts=lots
	expect_contains "$(cat "$T_ERR")" "column r_watts: 'lots' is not an integer"
	expect_status 1 hearth add readings r_datetime=yesterday r_watts=1
	expect_contains "$(cat "$T_ERR")" "is not a time"
	expect_status 2 hearth query readings --since tomorrowish
	expect_contains "$(cat "$T_ERR")" "bad time 'tomorrowish'"
	expect_status 2 hearth add readings r_watts
	expect_status 1 hearth sql "SELEC 1"
	one_line "$T_ERR"
	expect_status 1 hearth query nosuch
	expect_eq "$(dbq "SELECT count(*) FROM readings")" 0
}

make_csv() { # ROWS START -> CSV on stdout
	awk -v n="$1" -v t0="$2" 'BEGIN { print "r_datetime,r_watts,r_temp";
		for (i = 0; i < n; i++) printf "%d,%d,%.1f\n", t0 + i * 3, 200 + i % 50, 18 + (i % 30) / 10 }'
}

test_import_csv_and_lp() {
	t_init . >/dev/null
	make_csv 1000 1416780900 >r.csv
	hearth import --quiet readings r.csv
	expect_eq "$(dbq "SELECT count(*), min(r_datetime), max(r_watts) FROM readings")" "1000|2014-11-23 22:15:00|249"
	printf 'readings,r_s=x r_watts=5i,r_temp=1.5 1416780900000000000\n# comment\nreadings r_watts=6i 1416780901000000000\n' >r.lp
	expect_status 1 hearth import readings r.lp
	expect_contains "$(cat "$T_ERR")" "r.lp: line 1: unknown column 'r_s'"
	printf 'readings r_watts=5i,r_temp=1.5 1416780900000000000\n# comment\n\nreadings r_watts=6i 1416780901000000000\n' >r.lp
	hearth import --quiet readings r.lp
	expect_eq "$(dbq "SELECT count(*) FROM readings WHERE r_watts IN (5, 6)")" 2
	# stdin, format sniffed
	printf 'motion r_s_name="Hall way" 1416780902\n' | hearth import --quiet --precision s motion -
	expect_eq "$(dbq "SELECT r_datetime || '|' || r_s_name FROM motion")" "2014-11-23 22:15:02|Hall way"
	printf 'r_s_name, r_datetime\n"Kitchen, back", 2014-11-23T22:15:03Z \n' | hearth import --quiet motion
	expect_eq "$(dbq "SELECT count(*) FROM motion")" 2
}

test_import_bad_line_keeps_rows_before() {
	# Tried: a text value in an INTEGER column at line 1502 (past a
	# batch boundary), a wrong field count, a broken quote, a bad LP line.
	t_init . >/dev/null
	make_csv 1500 1416780900 >good.csv
	{ cat good.csv; echo "1416790000,oops,1.0"; make_csv 10 1416800000 | tail -n +2; } >bad.csv
	expect_status 1 hearth import --batch 1000 readings bad.csv
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "bad.csv: line 1502: column r_watts: 'oops' is not an integer"
	expect_contains "$(cat "$T_ERR")" "1500 rows before it stored"
	expect_eq "$(dbq "SELECT count(*) FROM readings")" 1500
	# --atomic: nothing from this file
	expect_status 1 hearth import --atomic readings bad.csv
	expect_contains "$(cat "$T_ERR")" "nothing stored"
	expect_eq "$(dbq "SELECT count(*) FROM readings")" 1500
	printf 'r_datetime,r_watts\n1,2\n3\n' >short.csv
	expect_status 1 hearth import readings short.csv
	expect_contains "$(cat "$T_ERR")" "short.csv: line 3: 1 fields, the header has 2"
	printf 'r_datetime,r_watts\n1,"2\n' >quote.csv
	expect_status 1 hearth import readings quote.csv
	expect_contains "$(cat "$T_ERR")" "quote.csv: line 2: quoted field not closed"
	printf 'readings r_watts=1i 1\nreadings r_watts= 2\n' >bad.lp
	expect_status 1 hearth import readings bad.lp
	expect_contains "$(cat "$T_ERR")" "bad.lp: line 2: field r_watts has no value"
	# short.csv line 2 and bad.lp line 1 came before their bad lines
	expect_eq "$(dbq "SELECT count(*) FROM readings")" 1502
	expect_status 1 hearth import readings missing.csv
	one_line "$T_ERR"
}

test_python_sqlite3_database_unchanged() {
	# A database as the classic scripts write it: Python's sqlite3 with
	# datetime objects (ISO text), columns declared TIMESTAMP and INT.
	t_sqlite_only "a database file that Python's sqlite3 wrote" || return 0
	python3 - <<'PY'
import sqlite3, datetime
con = sqlite3.connect('old.db')
with con:
    cur = con.cursor()
    cur.execute('CREATE TABLE IF NOT EXISTS readings (r_datetime TIMESTAMP, r_watts INT, r_temp INT)')
    now = datetime.datetime.utcnow()
    for i in range(48):
        cur.execute('INSERT INTO readings VALUES(?,?,?)',
                    (now - datetime.timedelta(minutes=30 * i, microseconds=123456), 300 + i, 20))
    cur.execute('CREATE TABLE IF NOT EXISTS motion (r_datetime TIMESTAMP, r_s_name TEXT)')
    cur.execute('INSERT INTO motion VALUES(?,?)', (datetime.datetime(2014, 11, 23, 22, 15), 'Hallway'))
PY
	before=$(md5sum old.db)
	out=$(hearth --db sqlite:///old.db query readings --since -24h --format csv)
	expect_eq "$(echo "$out" | tail -n +2 | wc -l)" 48
	newest=$(sql1 old.db "SELECT r_datetime FROM readings WHERE r_watts = 300")
	expect_contains "$newest" "."
	expect_contains "$out" "$newest,300,20"
	out=$(hearth --db old.db query motion --format csv)
	expect_eq "$out" "r_datetime,r_s_name
2014-11-23 22:15:00,Hallway"
	expect_eq "$(md5sum old.db)" "$before" "old.db checksum"
	[ ! -e old.db-wal ] || fail "query left a WAL file"
	# and new rows go in the way Python wrote them
	hearth --db old.db add motion r_s_name=Kitchen r_datetime="2014-11-23T22:16:00Z"
	expect_eq "$(sql1 old.db "SELECT r_datetime FROM motion WHERE r_s_name='Kitchen'")" "2014-11-23 22:16:00"
}

test_config_precedence() {
	t_init . >/dev/null
	hearth add readings r_watts=1
	other=$(t_copy_db other)
	hearth --db "$other" add readings r_watts=2
	HEARTH_DB=$other hearth add readings r_watts=3
	expect_eq "$(dbl "SELECT r_watts FROM readings ORDER BY r_watts")" "1"
	expect_eq "$(dbq_in other "SELECT r_watts FROM readings ORDER BY r_watts" | paste -sd, -)" "1,2,3"
	# flag beats environment
	HEARTH_DB=sqlite:///nowhere.db hearth --db "$other" query readings >/dev/null
	# config found via --config from elsewhere, paths relative to it
	mkdir sub && cd sub
	expect_eq "$(hearth --config ../hearth.ini sql --format csv "SELECT count(*) AS n FROM readings")" "n
1"
	expect_status 1 hearth query readings
	expect_contains "$(cat "$T_ERR")" "no database"
	if [ "$T_BACKEND" = pg ]; then
		expect_status 1 hearth --db "$(pg_url missing)" query readings
		expect_contains "$(cat "$T_ERR")" 'database "missing" does not exist'
	else
		expect_status 1 hearth --db sqlite:///missing.db query readings
		expect_contains "$(cat "$T_ERR")" "missing.db"
		[ ! -e missing.db ] || fail "query created missing.db"
	fi
	printf '[hearth\n' >broken.ini
	expect_status 1 hearth --config broken.ini query readings
	expect_contains "$(cat "$T_ERR")" "broken.ini:1: bad section header"
}

test_kv_types() {
	t_init . >/dev/null
	hearth kv set threshold 1500
	hearth kv set ratio 0.8
	hearth kv set name "Living room"
	hearth kv set code --type text 007
	hearth kv set key --type blob 00ff10
	hearth kv set since --type timestamp 2014-11-23T22:15:00Z
	expect_eq "$(hearth kv get threshold --json)" '{"key":"threshold","type":"integer","value":1500}'
	expect_eq "$(hearth kv get ratio --json)" '{"key":"ratio","type":"real","value":0.80000000000000004}'
	expect_eq "$(hearth kv get code --json)" '{"key":"code","type":"text","value":"007"}'
	expect_eq "$(hearth kv get key)" "00ff10"
	expect_eq "$(hearth kv get since)" "2014-11-23T22:15:00Z"
	# Stored typed: SQLite keeps each value's own type; PostgreSQL's
	# value column is text, the type beside it (a blob as hex).
	if [ "$T_BACKEND" = pg ]; then
		expect_eq "$(dbq "SELECT type, value FROM hearth_kv WHERE key='threshold'")" "integer|1500"
		expect_eq "$(dbq "SELECT type, value FROM hearth_kv WHERE key='key'")" "blob|00ff10"
	else
		expect_eq "$(dbq "SELECT typeof(value) FROM hearth_kv WHERE key='threshold'")" integer
		expect_eq "$(dbq "SELECT typeof(value) FROM hearth_kv WHERE key='key'")" blob
	fi
	expect_eq "$(hearth kv list | wc -l)" 6
	hearth kv del threshold
	expect_status 1 hearth kv get threshold
	expect_contains "$(cat "$T_ERR")" "no such key"
	expect_status 1 hearth kv set bad --type integer 1.5
	expect_status 2 hearth kv set onlykey
	expect_status 2 hearth kv frobnicate
}

test_progress_bar_only_on_a_terminal() {
	t_init . >/dev/null
	make_csv 20000 1416780900 >r.csv
	hearth import readings r.csv 2>plain.err
	expect_eq "$(cat plain.err)" "imported 20000 rows into readings"
	# under a pseudo-terminal the bar is drawn on stderr
	script -qec "$HEARTH import readings r.csv" /dev/null >tty.out
	expect_contains "$(cat tty.out)" "r.csv ["
	expect_contains "$(cat tty.out)" "imported 20000 rows into readings"
	expect_eq "$(dbq "SELECT count(*) FROM readings")" 40000
	make_csv 1 1416780900 >one.csv
	hearth import readings one.csv 2>one.err
	expect_eq "$(cat one.err)" "imported 1 row into readings"
}

test_concurrent_writers_lose_nothing() {
	t_init . >/dev/null
	make_csv 20000 1416780900 >a.csv
	make_csv 20000 1500000000 >b.csv
	hearth import --quiet --batch 500 readings a.csv &
	pa=$!
	hearth import --quiet --batch 700 readings b.csv &
	pb=$!
	for i in $(seq 1 50); do hearth add motion r_s_name="s$i"; done
	wait $pa || fail "import a failed"
	wait $pb || fail "import b failed"
	expect_eq "$(dbq "SELECT count(*) FROM readings")" 40000
	expect_eq "$(dbq "SELECT count(*) FROM motion")" 50
}

test_import_refused_row_keeps_rows_before_once() {
	# Tried: a row the table's CHECK refuses at line 701, inside one of
	# the statements that insert 128 rows at once.
	t_init . >/dev/null
	hearth sql "CREATE TABLE c (t TIMESTAMP NOT NULL, v INTEGER CHECK (v >= 0))" >/dev/null
	{ echo "t,v"; seq 1 1000 | awk '{ printf "%d,%d\n", 1416780900 + $1, $1 == 700 ? -1 : $1 }'; } >c.csv
	expect_status 1 hearth import c c.csv
	expect_contains "$(cat "$T_ERR")" "c.csv: line 701:"
	# SQLite: "CHECK constraint failed"; PostgreSQL: "violates check
	# constraint"
	expect_contains "$(tr A-Z a-z <"$T_ERR")" "check constraint"
	expect_contains "$(cat "$T_ERR")" "699 rows before it stored"
	expect_eq "$(dbq "SELECT count(*), count(DISTINCT t), max(v) FROM c")" "699|699|699"
}

test_import_keeps_chart_rollups_current() {
	t_init . >/dev/null
	make_csv 3000 1416780900 >a.csv
	hearth import --quiet readings a.csv
	hearth rollup rebuild readings >/dev/null
	# CSV in several batches and line protocol, each batch folded into
	# the rollups before its commit; and a row another program inserted
	# in between, folded by the next import
	make_csv 5000 1416790000 >b.csv
	hearth import --quiet --batch 1200 readings b.csv
	dbq "INSERT INTO readings VALUES ('2014-11-24 03:20:00', 11, 2.5)"
	# PostgreSQL's statement triggers fold it at once; on SQLite the
	# next import does (the mark says up to which rowid rows are in).
	# (its minute's smallest watts: the imported rows have 200 and more)
	minute11() { dbq "SELECT \"r_watts:min\" FROM hearth_rollup_readings_m WHERE b = 1416799200"; }
	[ "$T_BACKEND" = sqlite ] || expect_eq "$(minute11)" 11 "the other program's row at once"
	printf 'readings r_watts=7i,r_temp=1.5 1416800000000000000\nreadings r_watts=9i 1416800030000000000\n' >c.lp
	hearth import --quiet readings c.lp
	[ "$T_BACKEND" = pg ] || expect_eq "$(dbq "SELECT upto FROM hearth_rollup_mark")" 8003
	expect_eq "$(minute11)" 11 "the other program's row after the import"
	dump() { dbq "SELECT * FROM hearth_rollup_readings_m ORDER BY b; SELECT * FROM hearth_rollup_readings_h ORDER BY b"; }
	after_import=$(dump)
	hearth rollup rebuild readings >/dev/null
	expect_eq "$after_import" "$(dump)" "rollups after import vs rebuilt"
	# a bad line: the rows before it are in the rollups too, none after
	printf 'r_datetime,r_watts,r_temp\n1416900000,1,1\n1416900060,bad,1\n' >d.csv
	expect_status 1 hearth import readings d.csv
	after_bad=$(dump)
	hearth rollup rebuild readings >/dev/null
	expect_eq "$after_bad" "$(dump)" "rollups after a failed import vs rebuilt"
	expect_eq "$(dbq "SELECT count(*) FROM readings")" 8004
}

# A table with a key: a file imported twice, in batches, and a second
# file that overlaps it and gives one column only, store one row per
# key, merged; the rollups equal a rebuild's.
test_import_twice_into_keyed_table() {
	t_init . >/dev/null
	sed -i 's/^CREATE INDEX readings_r_datetime ON readings (r_datetime);/CREATE UNIQUE INDEX readings_r_datetime ON readings (r_datetime);/' schema.sql
	# The revision written by hand, in SQL both databases take (the
	# key is what matters here; test_migrate covers --autogenerate).
	t_revision "one reading per time" \
		"DROP INDEX readings_r_datetime; CREATE UNIQUE INDEX readings_r_datetime ON readings (r_datetime);" \
		"DROP INDEX readings_r_datetime; CREATE INDEX readings_r_datetime ON readings (r_datetime);"
	hearth upgrade >/dev/null
	# (PostgreSQL: check still reads TIMESTAMP and "timestamp without
	# time zone" as a change; migrate/ is being taught they are one.)
	[ "$T_BACKEND" = pg ] || expect_eq "$(hearth check)" "the database matches schema.sql" "check after the revision"
	hearth rollup rebuild readings >/dev/null
	make_csv 3000 1416780900 >a.csv
	hearth import --quiet --batch 700 readings a.csv
	hearth import --quiet --batch 700 readings a.csv
	expect_eq "$(dbq "SELECT count(*) FROM readings")" 3000
	printf 'readings r_temp=99 1416780900
readings r_temp=98 1416790000
' >b.lp
	hearth import --quiet --precision s readings b.lp
	expect_eq "$(dbq "SELECT count(*) FROM readings")" 3001
	expect_eq "$(dbq "SELECT count(*) FROM readings WHERE r_datetime = '2014-11-23 22:15:00' AND r_watts IS NOT NULL AND r_temp = 99")" 1
	dump() { dbq "SELECT * FROM hearth_rollup_readings_m ORDER BY b; SELECT * FROM hearth_rollup_readings_h ORDER BY b"; }
	after_import=$(dump)
	hearth rollup rebuild readings >/dev/null
	expect_eq "$after_import" "$(dump)" "rollups after imports vs rebuilt"
}

# --where: one sensor's rows; an unknown column and a malformed filter
# are errors that name them.
test_query_where() {
	t_init . >/dev/null
	hearth add motion r_s_name=Hall r_datetime="2014-11-23 22:15" >/dev/null
	hearth add motion r_s_name=Porch r_datetime="2014-11-23 22:16" >/dev/null
	hearth add motion r_s_name="Hall = 2" r_datetime="2014-11-23 22:17" >/dev/null
	expect_eq "$(hearth query motion --where r_s_name=Porch --format csv)" \
		"$(printf 'r_datetime,r_s_name\n2014-11-23 22:16:00,Porch')"
	expect_eq "$(hearth query motion --where 'r_s_name=Hall = 2' --format csv | tail -1)" \
		"2014-11-23 22:17:00,Hall = 2"
	expect_eq "$(hearth query motion --where r_s_name=Hall --where r_s_name=Porch --format csv)" "r_datetime,r_s_name"
	expect_status 1 hearth query motion --where who=Hall
	expect_contains "$(cat "$T_ERR")" "unknown column 'who' in table motion"
	expect_status 2 hearth query motion --where r_s_name
	expect_contains "$(cat "$T_ERR")" "--where wants COLUMN=VALUE"
	# The chart of one sensor's events.
	hearth chart motion --since 2014-11-23T22:00 --until 2014-11-23T23:00 \
		--where r_s_name=Porch -o porch.svg
	expect_contains "$(cat porch.svg)" 'aria-label="motion (r_s_name=Porch)"'
	expect_contains "$(cat porch.svg)" 'data-rows="1"'
	expect_status 1 hearth chart motion --where who=Hall
	expect_contains "$(cat "$T_ERR")" "unknown column 'who' in table motion"
}

test_help_everywhere() {
	for c in init add import query sql kv serve wemo; do
		out=$(hearth "$c" --help) || fail "$c --help failed"
		expect_contains "$out" "usage: hearth $c"
	done
	expect_contains "$(hearth --help)" "commands:"
	expect_status 2 hearth nosuchcommand
	expect_status 2 hearth
}

t_main
