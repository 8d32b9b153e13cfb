#!/bin/bash
# test_migrate.sh - schema migrations: the change matrix in migrate_cases/
# (each case: before.sql, after.sql, optional `loses` when the change drops
# data, optional `expect` with a string the generated revision must hold),
# plus bad revision files, guards, locking, adopting a database.
. "$(dirname "$0")/lib.sh"
CASES=$HEARTH_TOP/tests/e2e/migrate_cases

project() {
	cat >hearth.ini <<-INI
	[hearth]
	db = sqlite:///t.db
	schema = schema.sql
	migrations = migrations
	INI
}

# user_tables DB: tables other than hearth's own
user_tables() {
	sql1 "$1" "SELECT name FROM sqlite_master WHERE type = 'table' AND
		name NOT LIKE 'hearth\_%' ESCAPE '\' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
		ORDER BY name"
}

# fill DB: 50 rows in every user table, values by column type (ids 1..50,
# so foreign keys to an INTEGER PRIMARY KEY hold).
fill() {
	local t cols vals
	for t in $(user_tables "$1"); do
		cols=$(sql1 "$1" "SELECT group_concat('\"' || name || '\"', ',') FROM pragma_table_info('$t')")
		vals=$(sql1 "$1" "SELECT group_concat(CASE
			WHEN upper(type) LIKE '%INT%' THEN 'i'
			WHEN upper(type) LIKE '%REAL%' THEN 'i * 1.5'
			WHEN upper(type) LIKE '%TIME%' THEN 'datetime(1700000000 + i * 60, ''unixepoch'')'
			ELSE '''v'' || i' END, ',') FROM pragma_table_info('$t')")
		sql1 "$1" "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 50)
			INSERT INTO \"$t\" ($cols) SELECT $vals FROM c"
	done
}

# snapshot DB DIR: per table, row count and sorted rows
snapshot() {
	local t
	mkdir -p "$2"
	for t in $(user_tables "$1"); do
		sql1 "$1" "SELECT count(*) FROM \"$t\"" >"$2/$t.count"
		sql1 "$1" "SELECT * FROM \"$t\"" | sort >"$2/$t.rows"
	done
}

run_case() {
	local c=$CASES/$1 t rev loss=""
	project
	cp "$c/before.sql" schema.sql
	hearth revision -m before --autogenerate >/dev/null
	hearth upgrade >/dev/null
	expect_status 0 hearth check
	fill t.db
	snapshot t.db before

	cp "$c/after.sql" schema.sql
	expect_status 0 hearth revision -m after --autogenerate
	rev=$(ls migrations/*_after.sql)
	if [ -f "$c/expect" ]; then
		grep -qF "$(cat "$c/expect")" "$rev" || fail "$rev lacks '$(cat "$c/expect")'"
	fi
	if [ -f "$c/loses" ]; then
		# refused without the flag, with a row count, and nothing changed
		expect_status 1 hearth upgrade
		one_line "$T_ERR"
		expect_contains "$(cat "$T_ERR")" "would lose data"
		expect_contains "$(cat "$T_ERR")" "(50 rows"
		snapshot t.db refused
		diff -r before refused >/dev/null || fail "refused upgrade changed data"
		loss=--allow-data-loss
	fi
	expect_status 0 hearth upgrade $loss
	expect_status 0 hearth check
	snapshot t.db up
	# no row lost in any table both sides have
	for t in $(ls before | sed -n 's/\.count$//p'); do
		[ -f "up/$t.count" ] || continue
		expect_eq "$(cat "up/$t.count")" "$(cat "before/$t.count")" "rows of $t after upgrade"
	done

	expect_status 0 hearth downgrade -1 --allow-data-loss
	expect_status 0 hearth -c hearth.schema="$c/before.sql" check
	snapshot t.db down
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
test_case_add_foreign_key() { run_case add_foreign_key; }
test_case_add_index() { run_case add_index; }
test_case_add_table() { run_case add_table; }
test_case_change_index() { run_case change_index; }
test_case_composite_key() { run_case composite_key; }
test_case_default_change() { run_case default_change; }
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
test_case_unique_constraint() { run_case unique_constraint; }
test_case_widen_type() { run_case widen_type; }

t_main
