#!/bin/bash
# test_migrate.sh - schema migrations: the change matrix in migrate_cases/
# (each case: before.sql, after.sql, optional `loses` when the change drops
# data, optional `expect` with lines the generated revision must each hold,
# optional `keeps` with lines "TABLE_BEFORE TABLE_AFTER" whose rows the
# upgrade must keep value for value; a case may instead end early:
# `error`, a message revision and check refuse after.sql with; `nochange`,
# after.sql says what the database has; `warns` and `fails`, what
# revision warns on stderr and the upgrade then fails with; `sqlite-only`,
# why the case cannot apply to PostgreSQL), plus bad revision files,
# guards, locking, adopting a database.
#
# One list of cases, two backends (run.sh runs this again on PostgreSQL):
# a case's files serve both; where PostgreSQL's rendered SQL or message
# differs, NAME.pg beside NAME (expect.pg, fails.pg) says what it is;
# a case with expect.pg alone checks the SQL on PostgreSQL only.
# backends: sqlite pg
. "$(dirname "$0")/lib.sh"
CASES=$HEARTH_TOP/tests/e2e/migrate_cases

project() {
	cat >hearth.ini <<-INI
	[hearth]
	db = $T_DB
	schema = schema.sql
	migrations = migrations
	INI
}

# case_file CASE NAME: the case's file NAME, or NAME.pg on PostgreSQL
# when it has one
case_file() {
	if [ "$T_BACKEND" = pg ] && [ -f "$CASES/$1/$2.pg" ]; then
		echo "$CASES/$1/$2.pg"
	else
		echo "$CASES/$1/$2"
	fi
}

# user_tables: tables of the test's database other than hearth's own
user_tables() {
	if [ "$T_BACKEND" = pg ]; then
		dbq "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()
			AND tablename NOT LIKE 'hearth\_%' ORDER BY tablename"
	else
		dbq "SELECT name FROM sqlite_master WHERE type = 'table' AND
			name NOT LIKE 'hearth\_%' ESCAPE '\' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
			ORDER BY name"
	fi
}

# fill: 50 rows in every user table, values by column type (ids 1..50,
# so foreign keys to an INTEGER PRIMARY KEY hold).
fill() {
	local t cols vals
	if [ "$T_BACKEND" = pg ]; then
		fill_pg
		return
	fi
	for t in $(user_tables); do
		cols=$(dbq "SELECT group_concat('\"' || name || '\"', ',') FROM pragma_table_info('$t')")
		vals=$(dbq "SELECT group_concat(CASE
			WHEN upper(type) LIKE '%INT%' THEN 'i'
			WHEN upper(type) LIKE '%REAL%' THEN 'i * 1.5'
			WHEN upper(type) LIKE '%TIME%' THEN 'datetime(1700000000 + i * 60, ''unixepoch'')'
			ELSE '''v'' || i' END, ',') FROM pragma_table_info('$t')")
		dbq "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 50)
			INSERT INTO \"$t\" ($cols) SELECT $vals FROM c"
	done
}

# fill_pg: fill on PostgreSQL, which checks foreign keys at once: a
# table is filled after the tables it refers to.
fill_pg() {
	local t cols vals left next
	left=$(user_tables | tr '\n' ' ')
	while [ -n "$left" ]; do
		next=
		for t in $left; do
			if [ "$(dbq "SELECT count(*) FROM pg_constraint WHERE contype = 'f'
				AND conrelid = '\"$t\"'::regclass AND confrelid <> conrelid
				AND (SELECT relname FROM pg_class WHERE oid = confrelid)
					= ANY (string_to_array('$left', ' '))")" != 0 ]; then
				next="$next$t "
				continue
			fi
			cols="SELECT %s FROM information_schema.columns WHERE
				table_schema = current_schema() AND table_name = '$t'"
			vals=$(dbq "$(printf "$cols" "string_agg(CASE
				WHEN data_type LIKE '%%int%%' THEN 'i'
				WHEN data_type IN ('real', 'double precision', 'numeric') THEN 'i * 1.5'
				WHEN data_type LIKE '%%time%%' THEN 'to_timestamp(1700000000 + i * 60)'
				ELSE '''v'' || i' END, ',' ORDER BY ordinal_position)")")
			cols=$(dbq "$(printf "$cols" "string_agg(quote_ident(column_name), ',' ORDER BY ordinal_position)")")
			dbq "INSERT INTO \"$t\" ($cols) SELECT $vals FROM generate_series(1, 50) AS c(i)"
		done
		[ "$next" != "$left" ] || fail "foreign keys in a cycle: $left"
		left=$next
	done
}

# snapshot DIR: per table, row count and sorted rows
snapshot() {
	local t
	mkdir -p "$1"
	for t in $(user_tables); do
		dbq "SELECT count(*) FROM \"$t\"" >"$1/$t.count"
		dbq "SELECT * FROM \"$t\"" | sort >"$1/$t.rows"
	done
}

run_case() {
	local c=$CASES/$1 t rev loss=""
	if [ -f "$c/sqlite-only" ]; then
		t_sqlite_only "$(cat "$c/sqlite-only")" || return 0
	fi
	project
	cp "$c/before.sql" schema.sql
	hearth revision -m before --autogenerate >/dev/null
	hearth upgrade >/dev/null
	expect_status 0 hearth check
	fill
	snapshot before

	cp "$c/after.sql" schema.sql
	if [ -f "$c/error" ]; then
		expect_status 1 hearth revision -m after --autogenerate
		one_line "$T_ERR"
		expect_contains "$(cat "$T_ERR")" "$(cat "$(case_file "$1" error)")"
		[ -z "$(ls migrations/*_after.sql 2>/dev/null)" ] || fail "a revision was written"
		expect_status 1 hearth check
		expect_contains "$(cat "$T_ERR")" "$(cat "$(case_file "$1" error)")"
		return
	fi
	if [ -f "$c/nochange" ]; then
		expect_status 0 hearth revision -m after --autogenerate
		expect_contains "$(cat "$T_OUT")" "no changes"
		[ -z "$(ls migrations/*_after.sql 2>/dev/null)" ] || fail "a revision was written"
		expect_status 0 hearth check
		return
	fi
	expect_status 0 hearth revision -m after --autogenerate
	if [ -f "$c/warns" ]; then
		expect_contains "$(cat "$T_ERR")" "$(cat "$(case_file "$1" warns)")"
	else
		[ ! -s "$T_ERR" ] || [ -f "$c/loses" ] || grep -q "CHECK THIS" migrations/*_after.sql ||
			fail "revision warned: $(cat "$T_ERR")"
	fi
	rev=$(ls migrations/*_after.sql)
	# each line of expect is in the revision (up or down)
	t=$(case_file "$1" expect)
	if [ -f "$t" ]; then
		while IFS= read -r line; do
			grep -qF -e "$line" "$rev" || fail "$rev lacks '$line': $(cat "$rev")"
		done <"$t"
	fi
	if [ -f "$(case_file "$1" fails)" ]; then
		# as warned: refused by the database, nothing changed
		expect_status 1 hearth upgrade
		one_line "$T_ERR"
		expect_contains "$(cat "$T_ERR")" "$(cat "$(case_file "$1" fails)")"
		snapshot failed
		diff -r before failed >/dev/null || fail "failed upgrade changed data"
		return
	fi
	if [ -f "$c/loses" ]; then
		# refused without the flag, with a count (rows, or values that
		# would change), and nothing changed
		expect_status 1 hearth upgrade
		one_line "$T_ERR"
		expect_contains "$(cat "$T_ERR")" "would lose data"
		expect_contains "$(cat "$T_ERR")" "(50 "
		snapshot refused
		diff -r before refused >/dev/null || fail "refused upgrade changed data"
		loss=--allow-data-loss
	fi
	expect_status 0 hearth upgrade $loss
	expect_status 0 hearth check
	snapshot up
	# no row lost in any table both sides have
	for t in $(ls before | sed -n 's/\.count$//p'); do
		[ -f "up/$t.count" ] || continue
		expect_eq "$(cat "up/$t.count")" "$(cat "before/$t.count")" "rows of $t after upgrade"
	done
	if [ -f "$c/keeps" ]; then
		while read -r t u; do
			cmp -s "before/$t.rows" "up/$u.rows" || fail "rows of $u after upgrade are not those of $t"
		done <"$c/keeps"
	fi

	expect_status 0 hearth downgrade -1 --allow-data-loss
	expect_status 0 hearth -c hearth.schema="$c/before.sql" check
	snapshot down
	for t in $(ls before | sed -n 's/\.count$//p'); do
		[ -f "$c/loses" ] && [ ! -f "up/$t.count" ] && continue
		expect_eq "$(cat "down/$t.count")" "$(cat "before/$t.count")" "rows of $t after downgrade"
		if [ ! -f "$c/loses" ]; then
			cmp -s "down/$t.rows" "before/$t.rows" || fail "rows of $t differ after downgrade"
		fi
	done

	# and up again: down really undid up
	expect_status 0 hearth upgrade --allow-data-loss
	expect_status 0 hearth check
}

test_case_add_check() { run_case add_check; }
test_case_add_column() { run_case add_column; }
test_case_add_column_notnull_default() { run_case add_column_notnull_default; }
test_case_add_notnull_warns() { run_case add_notnull_warns; }
test_case_add_foreign_key() { run_case add_foreign_key; }
test_case_add_index() { run_case add_index; }
test_case_add_table() { run_case add_table; }
test_case_change_index() { run_case change_index; }
test_case_collation() { run_case collation; }
test_case_composite_key() { run_case composite_key; }
test_case_default_change() { run_case default_change; }
test_case_drop_default() { run_case drop_default; }
test_case_drop_column() { run_case drop_column; }
test_case_drop_foreign_key() { run_case drop_foreign_key; }
test_case_drop_index() { run_case drop_index; }
test_case_drop_table() { run_case drop_table; }
test_case_many_changes() { run_case many_changes; }
test_case_narrow_type() { run_case narrow_type; }
test_case_not_null() { run_case not_null; }
test_case_partial_index() { run_case partial_index; }
test_case_primary_key() { run_case primary_key; }
test_case_rebuild_parent_cascade() { run_case rebuild_parent_cascade; }
test_case_rebuild_with_view_trigger() { run_case rebuild_with_view_trigger; }
test_case_rename_column() { run_case rename_column; }
test_case_retype_under_view() { run_case retype_under_view; }
test_case_rename_done() { run_case rename_done; }
test_case_rename_missing_column() { run_case rename_missing_column; }
test_case_rename_retype() { run_case rename_retype; }
test_case_rename_sqldef() { run_case rename_sqldef; }
test_case_rename_table() { run_case rename_table; }
test_case_table_options() { run_case table_options; }
test_case_unique_constraint() { run_case unique_constraint; }
test_case_widen_type() { run_case widen_type; }

# rev ID MSG UP DOWN [PARENTS]: write a revision file by hand, in the
# backend's dialect (REV_DIALECT: another's)
rev() {
	local dialect=${REV_DIALECT:-$T_BACKEND}
	mkdir -p migrations
	[ "$dialect" = pg ] && dialect="-- dialect: postgresql\n" || dialect=
	printf -- "-- revision: %s\n-- parents: %s\n-- message: %s\n-- created: 2026-01-01T00:00:0%sZ\n$dialect\n-- up\n%s\n\n-- down\n%s\n" \
		"$1" "${5:-}" "$2" "${#1}" "$3" "$4" >"migrations/$1_$2.sql"
}

# start_with SQL: a project whose schema.sql is SQL, at head
start_with() {
	project
	echo "$1" >schema.sql
	hearth revision -m base --autogenerate >/dev/null
	hearth upgrade >/dev/null
}

# expect_backend TEXT PG SQLITE: TEXT holds PG on PostgreSQL, SQLITE on
# SQLite (the two say a thing each in their own words)
expect_backend() {
	if [ "$T_BACKEND" = pg ]; then
		expect_contains "$1" "$2"
	else
		expect_contains "$1" "$3"
	fi
}

# objects: the test database's tables and indexes, hearth's own left out
objects() {
	if [ "$T_BACKEND" = pg ]; then
		dbq "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace
			AND relkind IN ('r', 'i') AND relname NOT LIKE 'hearth%' ORDER BY relname"
	else
		dbq "SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND
			name NOT LIKE 'hearth%' AND name NOT LIKE 'sqlite%' ORDER BY name"
	fi
}

test_init_starts_at_head() {
	expect_status 0 t_init proj
	cd proj
	expect_eq "$(objects | tr '\n' ' ')" \
		"motion motion_r_datetime readings readings_r_datetime " "objects"
	expect_status 0 hearth check
	expect_status 0 hearth current
	expect_contains "$(cat "$T_OUT")" "(head) baseline"
	expect_eq "$(ls migrations | wc -l)" "1" "revision files"
}

test_init_keeps_an_existing_database() {
	t_sqlite_only "a database file of another tool" || return 0
	sqlite3 energymonitor.db "CREATE TABLE readings (r_datetime TIMESTAMP, r_watts INTEGER);
		INSERT INTO readings VALUES ('2014-11-23 22:15:00', 100);"
	expect_status 0 hearth --db sqlite:///../energymonitor.db init proj
	expect_contains "$(cat "$T_OUT")" "already has 1 table: proj/schema.sql describes it"
	expect_eq "$(ls proj/migrations | wc -l)" "1" "revision files"
	expect_eq "$(sql1 energymonitor.db 'SELECT count(*) FROM readings')" "1" "rows"
}

# data DB TABLE...: a checksum of the tables' statements and rows
data() {
	local db=$1
	shift
	sqlite3 "$db" ".dump $*" | sha1sum
}

# The classic energymonitor.db (Python's sqlite3, DATETIME and TIMESTAMP
# columns, readings every few seconds, motion events): one command, not a
# row touched, check clean at once, then the usual cycle.
test_init_adopts_energymonitor() {
	t_sqlite_only "Python's sqlite3 file (test_init_adopts_a_database: both)" || return 0
	sqlite3 energymonitor.db "CREATE TABLE IF NOT EXISTS readings (r_datetime TIMESTAMP, r_watts INT, r_temp INT);
		CREATE TABLE IF NOT EXISTS motion (r_datetime DATETIME, r_s_name TEXT);
		WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 500)
		INSERT INTO readings SELECT strftime('%Y-%m-%d %H:%M:%f', 1416780900 + i * 6, 'unixepoch'), 1200 + i % 50, 19 FROM c;
		INSERT INTO motion VALUES ('2014-11-23 22:15:00', 'Hallway'), ('2014-11-23 22:17:00', 'Kitchen');"
	local before
	before=$(data energymonitor.db readings motion)
	expect_status 0 hearth --db sqlite:///energymonitor.db init .
	expect_contains "$(cat "$T_OUT")" "the database sqlite:///energymonitor.db already has 2 tables: ./schema.sql describes them, revision "
	expect_contains "$(cat "$T_OUT")" " (baseline) is stamped; hearth check is clean"
	expect_eq "$(data energymonitor.db readings motion)" "$before" "data after init"
	grep -qF "CREATE TABLE readings (r_datetime TIMESTAMP, r_watts INT, r_temp INT);" schema.sql ||
		fail "schema.sql: $(cat schema.sql)"
	expect_status 0 hearth check
	expect_contains "$(cat "$T_OUT")" "the database matches"
	expect_status 0 hearth current
	expect_contains "$(cat "$T_OUT")" "(head) baseline"
	expect_status 0 hearth upgrade
	expect_contains "$(cat "$T_OUT")" "already at head"
	expect_eq "$(data energymonitor.db readings motion)" "$before" "data after upgrade"
	# from here on, the usual cycle
	sed -i 's/r_temp INT)/r_temp INT, humidity REAL)/' schema.sql
	expect_status 0 hearth revision -m humidity --autogenerate
	expect_contains "$(cat "$T_OUT")" "+ readings: add column humidity REAL"
	expect_status 0 hearth upgrade
	expect_status 0 hearth check
	expect_eq "$(sql1 energymonitor.db 'SELECT count(*), sum(r_watts) FROM readings')" \
		"500|612250" "rows after the upgrade"
}

# Keys of every kind, CHECKs, defaults, partial and unique indexes,
# views (one over another) and triggers: schema.sql says all of it.
test_init_adopts_keys_views_triggers() {
	t_sqlite_only "SQLite's own DDL (test_pg.sh: PostgreSQL's)" || return 0
	sqlite3 old.db "PRAGMA foreign_keys = ON;
		CREATE TABLE sensor (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,
			room TEXT DEFAULT 'hall' CHECK (length(room) > 0));
		CREATE TABLE event (sensor_id INTEGER NOT NULL REFERENCES sensor (id) ON DELETE CASCADE,
			at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, kind TEXT COLLATE NOCASE,
			PRIMARY KEY (sensor_id, at));
		CREATE TABLE calib (sensor TEXT, since DATE, factor REAL DEFAULT (1.0),
			PRIMARY KEY (sensor, since), UNIQUE (factor, sensor)) WITHOUT ROWID;
		CREATE INDEX event_motion ON event (at) WHERE kind = 'motion';
		CREATE UNIQUE INDEX sensor_lower ON sensor (lower(name));
		CREATE VIEW last_seen AS SELECT sensor_id, max(at) AS at FROM event GROUP BY sensor_id;
		CREATE VIEW board AS SELECT name, at FROM sensor JOIN last_seen ON sensor_id = id;
		CREATE TABLE audit (what TEXT);
		CREATE TRIGGER event_audit AFTER INSERT ON event BEGIN
			INSERT INTO audit VALUES ('event ' || new.kind); END;
		INSERT INTO sensor (name) VALUES ('hall'), ('door');
		INSERT INTO event VALUES (1, '2014-11-23 22:15:00', 'motion'), (2, '2014-11-23 22:16:00', 'open');
		INSERT INTO calib VALUES ('hall', '2014-01-01', 1.02);"
	local before
	before=$(data old.db sensor event calib audit)
	expect_status 0 hearth --db sqlite:///../old.db init proj
	expect_contains "$(cat "$T_OUT")" "already has 4 tables"
	expect_eq "$(data old.db sensor event calib audit)" "$before" "data after init"
	cd proj
	for o in "CREATE VIEW board" "CREATE TRIGGER event_audit" "WHERE kind = 'motion'" \
		"CREATE UNIQUE INDEX sensor_lower" "WITHOUT ROWID" "ON DELETE CASCADE"; do
		grep -qF -e "$o" schema.sql || fail "schema.sql lacks '$o'"
	done
	! grep -q "hearth_\|sqlite_sequence" schema.sql || fail "schema.sql has hearth's or SQLite's own"
	expect_status 0 hearth check
	# the baseline creates it all again, on an empty database
	expect_status 0 hearth -c hearth.db=sqlite:///fresh.db upgrade
	expect_status 0 hearth -c hearth.db=sqlite:///fresh.db check
}

# An empty database file is no project yet: the sample schema, applied.
test_init_empty_database_gets_sample() {
	t_sqlite_only "an empty SQLite file" || return 0
	sqlite3 empty.db "PRAGMA user_version = 1"
	expect_status 0 hearth --db sqlite:///../empty.db init proj
	expect_contains "$(cat "$T_OUT")" "initialised hearth project in proj"
	grep -q "CREATE TABLE motion" proj/schema.sql || fail "no sample schema"
	T_DBFILE=empty.db
	expect_eq "$(user_tables | tr '\n' ' ')" "motion readings " "tables"
	cd proj
	expect_status 0 hearth check
}

# every case directory has its test function below
test_every_case_is_run() {
	local c
	for c in "$CASES"/*/; do
		grep -q "^test_case_$(basename "$c")()" "$HEARTH_TOP/tests/e2e/test_migrate.sh" ||
			fail "no test_case_$(basename "$c")"
	done
}

# A rebuild of a table with chart rollups (here a retype, with a row
# another program inserted above the rollups' mark) drops them rather than
# rebuilding them in the revision: they are never left stale, and
# `hearth rollup rebuild` (or hearth serve, as it starts) makes them whole
# again, that row included; the triggers then follow changes as before.
test_rebuild_drops_rollups() {
	t_sqlite_only "PostgreSQL alters in place: no rebuild to drop them" || return 0
	hearth init proj >/dev/null
	cd proj
	hearth add readings r_watts=100 r_temp=20 >/dev/null
	hearth rollup rebuild readings >/dev/null
	sqlite3 hearth.db "INSERT INTO readings VALUES (datetime('now'), 50, 19)"
	sed -i 's/r_watts    INTEGER/r_watts    REAL/' schema.sql
	hearth revision -m watts_real --autogenerate >/dev/null
	expect_status 0 hearth upgrade
	expect_contains "$(cat "$T_ERR")" "chart rollups of readings were dropped"
	expect_eq "$(sql1 hearth.db "SELECT count(*) FROM sqlite_master WHERE name GLOB 'hearth_rollup_readings*'")" "0" "rollup objects"
	expect_eq "$(sql1 hearth.db "SELECT count(*) FROM hearth_rollup_mark WHERE tbl = 'readings'")" "0" "mark"
	expect_status 0 hearth check
	hearth rollup rebuild readings >/dev/null
	expect_eq "$(sql1 hearth.db "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name)")" \
		"hearth_rollup_readings_del hearth_rollup_readings_upd" "triggers"
	expect_eq "$(sql1 hearth.db 'SELECT upto FROM hearth_rollup_mark')" "2" "mark"
	expect_eq "$(sql1 hearth.db 'SELECT sum("r_watts:n") FROM hearth_rollup_readings_m')" "2" "rows in the minute rollup"
	hearth add readings r_watts=200 r_temp=21 >/dev/null
	expect_eq "$(sql1 hearth.db 'SELECT sum("r_watts:n") FROM hearth_rollup_readings_m')" "3" "rows in the minute rollup"
	sqlite3 hearth.db "DELETE FROM readings WHERE r_watts = 100"
	expect_eq "$(sql1 hearth.db 'SELECT sum("r_watts:sum") FROM hearth_rollup_readings_h')" "250.0" "after a delete"
	expect_status 0 hearth check
}

test_spellings_are_not_changes() {
	t_sqlite_only "in PostgreSQL \"Temp\" and temp are two names" || return 0
	project
	cat >schema.sql <<-SQL
	CREATE TABLE readings (t TIMESTAMP NOT NULL, watts INT DEFAULT '0', "Temp" real DEFAULT (1.5),
		CHECK ( watts>=0 ));
	CREATE INDEX readings_t ON readings (t) WHERE watts > 0;
	SQL
	hearth revision -m base --autogenerate >/dev/null
	hearth upgrade >/dev/null
	cat >schema.sql <<-SQL
	create table READINGS (T timestamp not null, "watts" INTEGER default 0, temp REAL DEFAULT 1.5,
		check (watts >= 0));
	create index "readings_t" on readings (T) where (watts>0);
	SQL
	expect_status 0 hearth check
	expect_status 0 hearth revision -m nothing --autogenerate
	expect_contains "$(cat "$T_OUT")" "no changes"
	[ ! -f migrations/*_nothing.sql ] || fail "a revision was written for no change"
}

test_check_shows_diff() {
	start_with "CREATE TABLE a (x INTEGER);"
	echo "CREATE TABLE a (x INTEGER, y TEXT); CREATE TABLE b (z REAL);" >schema.sql
	expect_status 1 hearth check
	expect_backend "$(cat "$T_OUT")" "+ a: add column y text" "+ a: add column y TEXT"
	expect_contains "$(cat "$T_OUT")" "+ table b"
}

test_bad_revision_files() {
	project
	echo "CREATE TABLE a (x INTEGER);" >schema.sql
	# no header at all
	mkdir migrations
	echo "CREATE TABLE b (y INTEGER);" >migrations/0001_nohdr.sql
	expect_status 1 hearth upgrade
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "0001_nohdr.sql: missing header line '-- revision: ID'"
	rm migrations/*
	# header but no up section
	printf -- '-- revision: aaa\n-- parents:\n' >migrations/aaa_x.sql
	expect_status 1 hearth history
	expect_contains "$(cat "$T_ERR")" "aaa_x.sql: missing '-- up' section"
	rm migrations/*
	# a parent that does not exist
	rev aaa one "CREATE TABLE b (y INTEGER);" "DROP TABLE b;" zzz
	expect_status 1 hearth upgrade
	expect_contains "$(cat "$T_ERR")" "parent revision zzz does not exist"
	rm migrations/*
	# a cycle of parents
	rev aaa one "SELECT 1;" "SELECT 1;" bbb
	rev bbb two "SELECT 1;" "SELECT 1;" aaa
	expect_status 1 hearth upgrade
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "cycle of parents"
	rm migrations/*
	# the same id twice
	rev aaa one "SELECT 1;" "SELECT 1;"
	rev aaa two "SELECT 1;" "SELECT 1;"
	expect_status 1 hearth heads
	expect_contains "$(cat "$T_ERR")" "revision id aaa is used twice"
	{ [ "$T_BACKEND" = sqlite ] && [ ! -f hearth.db ]; } || [ -z "$(user_tables)" ] ||
		fail "a bad history touched the database"
}

test_broken_sql_leaves_previous_revision() {
	project
	rev aaa one "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);" "DROP TABLE a;"
	rev bbb two "CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (2); CREAT TABLE c (z);" "DROP TABLE b;" aaa
	expect_status 1 hearth upgrade
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "revision bbb"
	expect_contains "$(cat "$T_ERR")" "syntax error"
	expect_contains "$(cat "$T_OUT")" "-> aaa"
	expect_eq "$(user_tables | tr '\n' ' ')" "a " "tables after the failed revision"
	expect_eq "$(dbq 'SELECT x FROM a')" "1" "rows of a"
	expect_status 0 hearth current
	expect_contains "$(cat "$T_OUT")" "aaa"
}

test_dangling_foreign_key_fails() {
	project
	rev aaa one "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (pid INTEGER REFERENCES p (id)); INSERT INTO p VALUES (1); INSERT INTO c VALUES (1);" "DROP TABLE c; DROP TABLE p;"
	rev bbb two "DELETE FROM p;" "INSERT INTO p VALUES (1);" aaa
	hearth upgrade aaa >/dev/null
	expect_status 1 hearth upgrade
	one_line "$T_ERR"
	expect_eq "$(dbq 'SELECT count(*) FROM p')" "1" "rows of p"
	if [ "$T_BACKEND" = pg ]; then
		# checked at the statement, as PostgreSQL always does
		expect_contains "$(cat "$T_ERR")" 'violates foreign key constraint "c_pid_fkey" on table "c"'
		return
	fi
	expect_contains "$(cat "$T_ERR")" "a row of table c breaks a foreign key to p"
	expect_eq "$(dbq 'PRAGMA foreign_keys')" "0" "sqlite3's own default"
}

# the guard judges what the SQL did, so hand-written revisions are covered
test_hand_written_drop_is_guarded() {
	project
	rev aaa one "CREATE TABLE a (t TIMESTAMP, x INTEGER); CREATE TABLE e (y INTEGER); INSERT INTO a VALUES ('2024-01-01', 1), ('2024-01-02', 2);" "DROP TABLE a; DROP TABLE e;"
	rev bbb two "DROP TABLE e;" "CREATE TABLE e (y INTEGER);" aaa
	rev ccc three "ALTER TABLE a RENAME COLUMN x TO z;" "ALTER TABLE a RENAME COLUMN z TO x;" bbb
	rev ddd four "ALTER TABLE a DROP COLUMN z;" "ALTER TABLE a ADD COLUMN z INTEGER;" ccc
	# dropping an empty table and renaming lose nothing
	expect_status 0 hearth upgrade ccc
	expect_status 1 hearth upgrade
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "upgrade to ddd would lose data: drops column a.z (2 rows hold a value)"
	expect_eq "$(dbq 'SELECT z FROM a ORDER BY z' | tr '\n' ,)" "1,2," "values"
	expect_status 0 hearth upgrade --allow-data-loss
	expect_status 1 hearth downgrade base
	expect_contains "$(cat "$T_ERR")" "downgrade of aaa would lose data: drops table a (2 rows)"
}

test_two_heads_need_merge() {
	project
	rev aaa base "CREATE TABLE a (x INTEGER);" "DROP TABLE a;"
	rev bbb left "CREATE TABLE b (x INTEGER);" "DROP TABLE b;" aaa
	rev ccc right "CREATE TABLE c (x INTEGER);" "DROP TABLE c;" aaa
	expect_status 1 hearth upgrade
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "2 heads (bbb, ccc)"
	expect_contains "$(cat "$T_ERR")" "hearth merge"
	expect_status 1 hearth revision -m more
	expect_status 0 hearth merge -m join
	expect_status 0 hearth heads
	expect_eq "$(wc -l <"$T_OUT")" "1" "heads after merge"
	m=$(ls migrations/*_join.sql)
	grep -q '^-- parents: bbb ccc$' "$m" || fail "merge parents: $(head -3 "$m")"
	expect_status 0 hearth upgrade
	expect_eq "$(user_tables | tr '\n' ' ')" "a b c " "tables"
	expect_status 0 hearth history
	expect_contains "$(cat "$T_OUT")" "bbb, ccc -> "
	# down one step undoes only the merge; down to a removes both branches
	expect_status 0 hearth downgrade -1
	expect_eq "$(user_tables | tr '\n' ' ')" "a b c " "tables"
	expect_status 0 hearth downgrade aa
	expect_eq "$(user_tables | tr '\n' ' ')" "a " "tables"
}

test_prefixes_and_targets() {
	project
	rev abc111 one "CREATE TABLE a (x INTEGER);" "DROP TABLE a;"
	rev abc222 two "CREATE TABLE b (x INTEGER);" "DROP TABLE b;" abc111
	rev def333 three "CREATE TABLE c (x INTEGER);" "DROP TABLE c;" abc222
	expect_status 1 hearth upgrade abc
	expect_contains "$(cat "$T_ERR")" "ambiguous: abc111, abc222"
	expect_status 1 hearth upgrade nope
	expect_contains "$(cat "$T_ERR")" "no revision 'nope'"
	expect_status 0 hearth upgrade abc2
	expect_eq "$(user_tables | tr '\n' ' ')" "a b " "after upgrade abc2"
	expect_status 0 hearth upgrade +1
	expect_eq "$(user_tables | tr '\n' ' ')" "a b c " "after +1"
	expect_status 0 hearth downgrade -2
	expect_eq "$(user_tables | tr '\n' ' ')" "a " "after -2"
	expect_status 0 hearth downgrade base
	expect_eq "$(user_tables | tr '\n' ' ')" "" "after base"
	expect_status 0 hearth current
	expect_contains "$(cat "$T_OUT")" "<base>"
	expect_status 2 hearth downgrade
}

test_sql_prints_and_runs_nothing() {
	project
	rev aaa one "CREATE TABLE a (x INTEGER);" "DROP TABLE a;"
	hearth stamp base >/dev/null
	expect_status 0 hearth upgrade --sql
	expect_contains "$(cat "$T_OUT")" "CREATE TABLE a (x INTEGER);"
	expect_backend "$(cat "$T_OUT")" "BEGIN;" "PRAGMA foreign_keys = OFF;"
	expect_contains "$(cat "$T_OUT")" "INSERT INTO hearth_version"
	expect_eq "$(user_tables)" "" "tables after --sql"
	# the printed SQL is runnable as it is
	dbq "$(cat "$T_OUT")"
	expect_status 0 hearth current
	expect_contains "$(cat "$T_OUT")" "aaa (head)"
	expect_status 0 hearth downgrade base --sql
	expect_contains "$(cat "$T_OUT")" "DROP TABLE a;"
	expect_contains "$(cat "$T_OUT")" "DELETE FROM hearth_version"
	expect_eq "$(user_tables)" "a" "tables after downgrade --sql"
}

test_edited_revision_is_refused() {
	project
	rev aaa one "CREATE TABLE a (x INTEGER);" "DROP TABLE a;"
	hearth upgrade >/dev/null
	rev bbb two "CREATE TABLE b (x INTEGER);" "DROP TABLE b;" aaa
	echo "-- a comment added later" >>migrations/aaa_one.sql
	expect_status 1 hearth upgrade
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "revision aaa was edited after it was applied (migrations/aaa_one.sql)"
	expect_eq "$(user_tables)" "a" "tables"
	# stamping accepts the edit
	hearth stamp aaa >/dev/null
	expect_status 0 hearth upgrade
}

test_concurrent_upgrades_apply_once() {
	project
	# a revision that takes a moment: 300000 rows through a recursive CTE
	rev aaa slow "CREATE TABLE a (x INTEGER); WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 300000) INSERT INTO a SELECT i FROM c;" "DROP TABLE a;"
	hearth stamp base >/dev/null
	hearth upgrade >out1 2>err1 &
	p1=$!
	hearth upgrade >out2 2>err2 &
	p2=$!
	r1=0; wait $p1 || r1=$?
	r2=0; wait $p2 || r2=$?
	expect_eq "$(cat out1 out2 | grep -c '^upgrade ')" "1" "runs that applied the revision"
	# the other one waited and found the work done, or said it was locked
	if [ $r1 -ne 0 ] || [ $r2 -ne 0 ]; then
		expect_contains "$(cat err1 err2)" "locked"
	else
		expect_contains "$(cat out1 out2)" "nothing to upgrade"
	fi
	expect_eq "$(dbq 'SELECT count(*) FROM hearth_version')" "1" "version rows"
	expect_eq "$(dbq 'SELECT count(*) FROM a')" "300000" "rows"
}

# wait_sql SQL VALUE: wait (10 s at most) until SQL gives VALUE
wait_sql() {
	local i
	for i in $(seq 1 100); do
		[ "$(dbq "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	fail "'$1' never gave $2, last: $(dbq "$1")"
}

# PostgreSQL: an upgrade waits on the advisory lock another migration
# holds (here a psql session), changes nothing while it waits, then runs
# the revision once; the run after it has nothing to do.  (SQLite's lock
# is the write lock: test_concurrent_upgrades_apply_once.)
test_upgrade_waits_for_the_lock() {
	if [ "$T_BACKEND" != pg ]; then
		t_skip "PostgreSQL's advisory lock (SQLite: test_concurrent_upgrades_apply_once)"
		return 0
	fi
	local waiting="SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
	project
	rev aaa one "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);" "DROP TABLE a;"
	hearth stamp base >/dev/null
	(export PGAPPNAME=holder
	 dbq "SELECT pg_advisory_lock(hashtext('hearth migrations')); SELECT pg_sleep(60)") >/dev/null 2>&1 &
	wait_sql "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
		WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = 'holder'" 1
	hearth upgrade >out 2>err &
	local up=$! rc=0
	wait_sql "$waiting" 1
	expect_eq "$(user_tables)" "" "tables while the upgrade waits"
	expect_eq "$(dbq 'SELECT count(*) FROM hearth_version')" "0" "version rows while it waits"
	dbq "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'holder'" >/dev/null
	wait $up || rc=$?
	expect_eq "$rc" 0 "upgrade's exit status ($(cat err))"
	expect_contains "$(cat out)" "-> aaa"
	expect_eq "$(dbq 'SELECT count(*) FROM a')" "1" "rows of a"
	expect_eq "$(dbq 'SELECT count(*) FROM hearth_version')" "1" "version rows"
	expect_eq "$(dbq "$waiting")" "0" "waiting locks"
	expect_status 0 hearth upgrade
	expect_eq "$(dbq 'SELECT count(*) FROM a')" "1" "rows of a after a second upgrade"
}

test_adopt_existing_database() {
	project
	# an energymonitor.db written by another tool, with data
	# TIMESTAMP in schema.sql is timestamptz on PostgreSQL
	# and REAL double precision (test_real_keeps_precision: float4)
	local ts=TIMESTAMP real=REAL
	[ "$T_BACKEND" = sqlite ] || { ts=timestamptz; real="double precision"; }
	dbq "CREATE TABLE readings (r_datetime $ts, r_watts INTEGER, r_temp $real);
		INSERT INTO readings VALUES ('2014-11-23 22:15:00.123456', 1200, 19.5), ('2014-11-23 22:15:06', 1210, 19.5);"
	echo "CREATE TABLE readings (r_datetime TIMESTAMP, r_watts INTEGER, r_temp REAL);" >schema.sql
	expect_status 0 hearth revision -m baseline --autogenerate
	expect_contains "$(cat "$T_OUT")" "hearth stamp head"
	expect_status 0 hearth stamp head
	expect_status 0 hearth check
	expect_eq "$(dbq 'SELECT count(*) FROM readings')" "2" "rows"
	# from here on, the usual cycle
	echo "CREATE TABLE readings (r_datetime TIMESTAMP, r_watts INTEGER, r_temp REAL, humidity REAL);" >schema.sql
	hearth revision -m humidity --autogenerate >/dev/null
	expect_status 0 hearth upgrade
	expect_status 0 hearth check
	expect_eq "$(dbq 'SELECT count(*) FROM readings')" "2" "rows"
}

test_autogenerate_needs_head() {
	project
	echo "CREATE TABLE a (x INTEGER);" >schema.sql
	hearth revision -m one --autogenerate >/dev/null
	hearth upgrade >/dev/null
	echo "CREATE TABLE a (x INTEGER, y INTEGER);" >schema.sql
	hearth revision -m two --autogenerate >/dev/null
	echo "CREATE TABLE a (x INTEGER, y INTEGER, z INTEGER);" >schema.sql
	expect_status 1 hearth revision -m three --autogenerate
	expect_contains "$(cat "$T_ERR")" "not at head"
	expect_status 2 hearth revision --autogenerate
}

test_help() {
	for c in revision upgrade downgrade current history heads merge stamp check; do
		expect_status 0 hearth $c --help
		expect_contains "$(cat "$T_OUT")" "usage: hearth $c"
	done
}

# A text column holding numbers becomes an integer one: every value is
# kept, converted (PostgreSQL: ALTER COLUMN ... TYPE ... USING; SQLite: the
# rebuild's copy).  TEXT -> INTEGER narrows the type, but '12' and '30'
# read the same as integers: nothing is lost, so no flag is asked for.
test_alter_type_keeps_values() {
	start_with "CREATE TABLE m (t TIMESTAMP NOT NULL, v TEXT);"
	dbq "INSERT INTO m VALUES ('2024-01-01 00:00:00', '12'), ('2024-01-01 00:01:00', '30'), ('2024-01-01 00:02:00', NULL)"
	echo "CREATE TABLE m (t TIMESTAMP NOT NULL, v INTEGER);" >schema.sql
	expect_status 0 hearth revision -m int --autogenerate
	[ "$T_BACKEND" = sqlite ] || grep -qF 'ALTER COLUMN "v" TYPE integer USING "v"::integer;' migrations/*_int.sql ||
		fail "no ALTER ... USING: $(cat migrations/*_int.sql)"
	expect_status 0 hearth upgrade
	expect_status 0 hearth check
	expect_eq "$(dbq 'SELECT sum(v), count(*), count(v) FROM m')" "42|3|2" "values after the upgrade"
	expect_status 0 hearth downgrade -1
	expect_eq "$(dbq "SELECT v FROM m WHERE v IS NOT NULL ORDER BY v" | tr '\n' ,)" "12,30," "values after the downgrade"
}

# The loss guard counts the values a narrowing would change, not the
# rows holding one: REAL -> INTEGER of 2.0 loses nothing, of 2.5 it does
# (2 on SQLite, 3 on PostgreSQL), and that one is named; refused, the
# table is as it was.  Bad input tried: a fractional value among whole
# ones.
test_narrowing_counts_values_that_change() {
	start_with "CREATE TABLE m (t TIMESTAMP NOT NULL, x REAL);"
	dbq "INSERT INTO m VALUES ('2024-01-01 00:00:00', 2.0), ('2024-01-01 00:01:00', 2.5), ('2024-01-01 00:02:00', NULL), ('2024-01-01 00:03:00', -40)"
	echo "CREATE TABLE m (t TIMESTAMP NOT NULL, x INTEGER);" >schema.sql
	expect_status 0 hearth revision -m int --autogenerate
	expect_status 1 hearth upgrade
	expect_contains "$(tr 'A-Z' 'a-z' <"$T_ERR")" "narrows m.x to integer (1 values would change, such as '2.5')"
	expect_eq "$(dbq 'SELECT sum(x), count(x) FROM m')" "-35.5|3" "values after the refusal"
	dbq "DELETE FROM m WHERE x = 2.5"
	expect_status 0 hearth upgrade
	expect_status 0 hearth check
	expect_eq "$(dbq 'SELECT sum(x), count(x) FROM m')" "-38|2" "values after the upgrade"
}

# REAL is SQLite's 8-byte double, so on PostgreSQL schema.sql's REAL is
# double precision, not float4 (6 digits): a value reads back the same
# from either backend.  A float4 column another program made is float4
# in the model, and REAL in schema.sql widens it.
test_real_keeps_precision() {
	project
	echo "CREATE TABLE m (t TIMESTAMP NOT NULL, x REAL);" >schema.sql
	hearth revision -m base --autogenerate >/dev/null
	expect_status 0 hearth upgrade
	expect_status 0 hearth check
	hearth add m t=2024-01-01T00:00:00Z x=0.1234567890123456789 >/dev/null
	hearth add m t=2024-01-01T00:01:00Z x=0.1 >/dev/null
	expect_status 0 hearth query m --since 2024-01-01T00:00:00Z --format csv
	expect_eq "$(cat "$T_OUT")" "t,x
2024-01-01 00:00:00,0.123456789012346
2024-01-01 00:01:00,0.1" "values read back"
	# equal as doubles, to the last bit: a float4 would not be
	expect_status 0 hearth sql "SELECT count(*) AS n FROM m WHERE x = 0.1234567890123456789 OR x = 0.1"
	expect_contains "$(cat "$T_OUT")" "2"
	# a float4's 0.1 times 3 would print 0.300000004470348
	expect_status 0 hearth sql "SELECT x * 3 AS y FROM m WHERE x < 0.11"
	expect_eq "$(tail -1 "$T_OUT" | tr -d ' ')" "0.3" "0.1 * 3"
	[ "$T_BACKEND" = pg ] || return 0
	expect_eq "$(dbq "SELECT format_type(atttypid, atttypmod) FROM pg_attribute
		WHERE attrelid = 'm'::regclass AND attname = 'x'")" "double precision" "type of m.x"
	dbq "ALTER TABLE m ADD COLUMN y float4"
	echo "CREATE TABLE m (t TIMESTAMP NOT NULL, x REAL, y float4);" >schema.sql
	expect_status 0 hearth check
	echo "CREATE TABLE m (t TIMESTAMP NOT NULL, x REAL, y REAL);" >schema.sql
	expect_status 1 hearth check
	expect_contains "$(cat "$T_OUT")" "y"
	expect_status 0 hearth revision -m widen --autogenerate
	grep -qF 'ALTER COLUMN "y" TYPE double precision' migrations/*_widen.sql ||
		fail "no widening of y: $(cat migrations/*_widen.sql)"
	expect_status 0 hearth upgrade
	expect_status 0 hearth check
}

# PostgreSQL: a trigger that names a column whose type changes (UPDATE
# OF, WHEN) is dropped before the ALTER and made again after it, in the
# same revision, as a view is (case retype_under_view; SQLite's rebuild:
# rebuild_with_view_trigger).  Its function is the database's own, made
# outside schema.sql.
test_retype_under_trigger() {
	if [ "$T_BACKEND" != pg ]; then
		t_skip "PostgreSQL's triggers (SQLite: case rebuild_with_view_trigger)"
		return 0
	fi
	dbq "CREATE FUNCTION note_big() RETURNS trigger LANGUAGE plpgsql AS
		\$\$ BEGIN NEW.note := 'big'; RETURN NEW; END \$\$"
	project
	cat >schema.sql <<-SQL
	CREATE TABLE readings (t TIMESTAMP NOT NULL, watts INTEGER, note TEXT);
	CREATE TRIGGER big BEFORE INSERT OR UPDATE OF watts ON readings
	    FOR EACH ROW WHEN (NEW.watts > 1000) EXECUTE FUNCTION note_big();
	SQL
	hearth revision -m base --autogenerate >/dev/null
	hearth upgrade >/dev/null
	dbq "INSERT INTO readings VALUES ('2024-01-01', 2000, NULL), ('2024-01-02', 10, NULL)"
	sed -i 's/watts INTEGER/watts REAL/' schema.sql
	expect_status 0 hearth revision -m real --autogenerate
	expect_eq "$(sed -n '/^-- up/,/^-- down/p' migrations/*_real.sql | grep -oE '^(DROP TRIGGER|ALTER TABLE|CREATE TRIGGER)' | tr '\n' ,)" \
		"DROP TRIGGER,ALTER TABLE,CREATE TRIGGER," "statements of up"
	expect_status 0 hearth upgrade
	expect_status 0 hearth check
	dbq "INSERT INTO readings VALUES ('2024-01-03', 1000.5, NULL)"
	expect_eq "$(dbq 'SELECT watts, note FROM readings ORDER BY t' | tr '\n' ' ')" \
		"2000|big 10| 1000.5|big " "rows after the upgrade"
	expect_status 0 hearth downgrade -1 --allow-data-loss
	sed -i 's/watts REAL/watts INTEGER/' schema.sql
	expect_status 0 hearth check
	expect_eq "$(dbq "SELECT count(*) FROM pg_trigger WHERE tgname = 'big'")" "1" "triggers after the downgrade"
}

# NOT NULL on a column holding NULLs cannot hold: the upgrade fails with
# the database's message, in one line, and leaves nothing behind, not
# the column the same revision adds first either (DDL is transactional
# on PostgreSQL; SQLite's rebuild runs in the revision's transaction).
test_set_not_null_fails_leaves_nothing() {
	start_with "CREATE TABLE m (t TIMESTAMP NOT NULL, v INTEGER);"
	dbq "INSERT INTO m VALUES ('2024-01-01 00:00:00', 1), ('2024-01-01 00:01:00', NULL)"
	echo "CREATE TABLE m (t TIMESTAMP NOT NULL, v INTEGER NOT NULL, note TEXT);" >schema.sql
	expect_status 0 hearth revision -m nn --autogenerate
	expect_status 1 hearth upgrade
	one_line "$T_ERR"
	expect_backend "$(cat "$T_ERR")" 'column "v" of relation "m" contains null values' "NOT NULL constraint failed"
	expect_contains "$(cat "$T_ERR")" "revision "
	expect_eq "$(dbq 'SELECT count(*), count(v) FROM m')" "2|1" "rows"
	expect_status 1 hearth -c hearth.schema=/dev/null check
	expect_contains "$(cat "$T_OUT")" "- table m"
	expect_status 0 hearth current
	expect_contains "$(cat "$T_OUT")" " base"
	# the database is exactly as before the revision
	echo "CREATE TABLE m (t TIMESTAMP NOT NULL, v INTEGER);" >before.sql
	expect_status 0 hearth -c hearth.schema=before.sql check
}

# A revision written for the other dialect is refused before any of it
# runs, in one line naming it, not with a syntax error from the server;
# one without statements (a merge) runs anywhere.
test_revision_of_other_dialect_refused() {
	local other=pg mine=sqlite
	[ "$T_BACKEND" = sqlite ] || { other=sqlite; mine=postgresql; }
	project
	REV_DIALECT=$other rev aaa one "CREATE TABLE a (x INTEGER);" "DROP TABLE a;"
	REV_DIALECT=$other rev bbb empty "" "" aaa
	hearth stamp base >/dev/null
	expect_status 1 hearth upgrade
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "revision aaa (migrations/aaa_one.sql) is written for"
	expect_contains "$(cat "$T_ERR")" "and the database is $mine"
	expect_status 1 hearth upgrade --sql
	expect_contains "$(cat "$T_ERR")" "is written for"
	expect_eq "$(user_tables)" "" "tables"
	hearth stamp aaa >/dev/null
	expect_status 0 hearth upgrade
	expect_contains "$(cat "$T_OUT")" "-> bbb"
}

# A database that already has tables (made by another program), adopted
# by init: schema.sql in the database's dialect, baseline stamped, no row
# touched, check clean at once, and the usual cycle from there.
test_init_adopts_a_database() {
	dbq "CREATE TABLE sensor (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
			room TEXT DEFAULT 'hall' CHECK (length(room) > 0));
		CREATE TABLE event (sensor_id INTEGER NOT NULL REFERENCES sensor (id) ON DELETE CASCADE,
			at TIMESTAMP NOT NULL, kind TEXT, PRIMARY KEY (sensor_id, at));
		CREATE INDEX event_motion ON event (at) WHERE kind = 'motion';
		CREATE VIEW last_seen AS SELECT sensor_id, max(at) AS at FROM event GROUP BY sensor_id;
		INSERT INTO sensor (id, name) VALUES (1, 'hall'), (2, 'door');
		INSERT INTO event VALUES (1, '2014-11-23 22:15:00', 'motion'), (2, '2014-11-23 22:16:00', 'open');"
	local before
	before=$(dbq "SELECT * FROM event ORDER BY at")
	expect_status 0 t_init .
	expect_contains "$(cat "$T_OUT")" "already has 2 tables: ./schema.sql describes them"
	expect_eq "$(dbq "SELECT * FROM event ORDER BY at")" "$before" "rows after init"
	if [ "$T_BACKEND" = pg ]; then
		# written from the model, in PostgreSQL's spelling
		for o in '"at" timestamp without time zone NOT NULL' 'ON DELETE CASCADE' \
			"WHERE (kind = 'motion'::text)" 'CREATE VIEW "last_seen"' '-- dialect: postgresql'; do
			grep -qF -e "$o" schema.sql migrations/*.sql || fail "schema.sql lacks '$o': $(cat schema.sql)"
		done
	fi
	expect_status 0 hearth check
	expect_contains "$(cat "$T_OUT")" "the database matches"
	expect_status 0 hearth upgrade
	expect_contains "$(cat "$T_OUT")" "already at head"
	sed -i 's/"kind" text/"kind" text,\n    "battery" real/; s/kind TEXT,/kind TEXT, battery REAL,/' schema.sql
	expect_status 0 hearth revision -m battery --autogenerate
	expect_contains "$(cat "$T_OUT")" "+ event: add column battery"
	expect_status 0 hearth upgrade
	expect_status 0 hearth check
	expect_eq "$(dbq 'SELECT count(*) FROM event')" "2" "rows after the upgrade"
}

# Bad schema.sql: the error names the file and gives the database's own
# message (PostgreSQL's with the line it points at).  Tried: a misspelt
# keyword on line 3; an unknown type (PostgreSQL; SQLite takes any type
# name); a view over a table that does not exist; a COMMIT in the file,
# which must not end the transaction the scratch schema lives in.  None
# leaves anything behind in the database.
test_bad_schema_sql() {
	start_with "CREATE TABLE a (x INTEGER);"
	printf 'CREATE TABLE a (x INTEGER);\n\nCREAT TABLE b (y INTEGER);\n' >schema.sql
	expect_status 1 hearth check
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "schema.sql: "
	expect_contains "$(cat "$T_ERR")" "syntax error"
	[ "$T_BACKEND" = sqlite ] || expect_contains "$(cat "$T_ERR")" 'schema.sql: line 3: syntax error at or near "CREAT"'
	expect_status 1 hearth revision -m bad --autogenerate
	expect_contains "$(cat "$T_ERR")" "schema.sql: "
	[ -z "$(ls migrations/*_bad.sql 2>/dev/null)" ] || fail "a revision was written"
	if [ "$T_BACKEND" = pg ]; then
		printf 'CREATE TABLE a (x INTEGER);\nCREATE TABLE b (\n    y flaot\n);\n' >schema.sql
		expect_status 1 hearth check
		expect_contains "$(cat "$T_ERR")" 'schema.sql: line 3: type "flaot" does not exist'
		printf 'CREATE TABLE a (x INTEGER);\nCOMMIT;\nCREATE TABLE c (z INTEGER);\n' >schema.sql
		expect_status 1 hearth check
		expect_contains "$(cat "$T_ERR")" "schema.sql: line 2: a statement that begins or ends a transaction"
	fi
	printf 'CREATE TABLE a (x INTEGER);\nCREATE VIEW v AS SELECT y FROM nope;\n' >schema.sql
	expect_status 1 hearth check
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "schema.sql: "
	expect_contains "$(cat "$T_ERR")" "nope"
	expect_eq "$(user_tables)" "a" "tables"
	if [ "$T_BACKEND" = pg ]; then
		expect_eq "$(dbq "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'hearth%'")" "0" "scratch schemas left"
	fi
	echo "CREATE TABLE a (x INTEGER);" >schema.sql
	expect_status 0 hearth check
}

t_main
