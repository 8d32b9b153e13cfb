#!/bin/bash
# test_ops.sh - what keeps hearth running unattended: [hearth] durability,
# backups, retention.
# backends: sqlite pg
. "$(dirname "$0")/lib.sh"

# durability: normal and full reach the database as its sync setting;
# a value that is neither (bad input: "fast", "") is one error naming it.
test_durability_setting() {
	t_init . >/dev/null
	if [ "$T_BACKEND" = pg ]; then
		# normal leaves the server's choice; full overrides "off".
		dbq "ALTER DATABASE \"$T_DBNAME\" SET synchronous_commit = off"
		expect_eq "$(hearth sql --format csv "SHOW synchronous_commit")" \
			"synchronous_commit
off" "normal on a server set to off"
		expect_eq "$(hearth -c hearth.durability=full sql --format csv "SHOW synchronous_commit")" \
			"synchronous_commit
on" "full"
	else
		expect_eq "$(hearth sql --format csv "PRAGMA synchronous")" \
			"synchronous
1" "default (normal)"
		expect_eq "$(hearth -c hearth.durability=normal sql --format csv "PRAGMA synchronous")" \
			"synchronous
1" "normal"
		expect_eq "$(hearth -c hearth.durability=full sql --format csv "PRAGMA synchronous")" \
			"synchronous
2" "full"
	fi
	# full in hearth.ini is what writes get, too: the row is stored.
	printf '[hearth]\ndurability = full\n' >>hearth.ini
	hearth add readings r_watts=5
	expect_eq "$(dbq "SELECT count(*) FROM readings")" 1
	for bad in fast ""; do
		expect_status 1 hearth -c hearth.durability="$bad" add readings r_watts=6
		one_line "$T_ERR"
		expect_contains "$(cat "$T_ERR")" "[hearth] durability '$bad': use normal or full"
	done
	expect_eq "$(dbq "SELECT count(*) FROM readings")" 1 "rows after refused writes"
}

t_main
