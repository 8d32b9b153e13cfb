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

TOKEN=ops-test-token-1

# backup FILE while 4 clients write through serve, three times: each
# copy is sound and holds whole requests only (one moment's), in WAL
# mode; the last is at most what the database holds after.  Bad input
# tried: no FILE, two, a folder that does not exist, a FILE that is a
# folder, the database itself or its log: one error line each and no
# file left behind.  On PostgreSQL,
# one line saying it is pg_dump's job, with the command.
test_backup_command() {
	local i
	t_init . >/dev/null
	if [ "$T_BACKEND" = pg ]; then
		expect_status 1 hearth backup b.db
		one_line "$T_ERR"
		expect_contains "$(cat "$T_ERR")" "backups of a PostgreSQL database are pg_dump's job, not hearth's: run pg_dump -h "
		expect_contains "$(cat "$T_ERR")" "--format=custom --file='b.db' $T_DBNAME"
		[ ! -e b.db ] || fail "a file was made"
		return 0
	fi
	token_here
	serve_here
	python3 "$HEARTH_TOP/tests/e2e/http_writers.py" "$PORT" "$TOKEN" 4 150 >acked.txt &
	local writers=$!
	for i in 1 2 3; do
		hearth backup "b$i.db" >out.txt || fail "backup $i: $(cat out.txt)"
		expect_contains "$(cat out.txt)" "backed up to b$i.db ("
	done
	wait $writers || fail "writers"
	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID" || fail "serve exit"
	for i in 1 2 3; do
		expect_eq "$(sqlite3 "b$i.db" 'PRAGMA integrity_check')" ok "copy $i"
		expect_eq "$(sqlite3 "b$i.db" 'PRAGMA journal_mode')" wal "copy $i"
		expect_eq "$(sqlite3 "b$i.db" "SELECT count(*) FROM (SELECT r_temp FROM readings
			GROUP BY r_temp HAVING count(*) != 50)")" 0 "requests in part in copy $i"
	done
	[ "$(sqlite3 b3.db 'SELECT count(*) FROM readings')" -le "$(dbq 'SELECT count(*) FROM readings')" ] ||
		fail "the copy holds more than the database"
	expect_status 2 hearth backup
	expect_status 2 hearth backup a.db b.db
	expect_status 1 hearth backup nodir/b.db
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "backup to nodir/b.db: No such file or directory"
	mkdir adir
	expect_status 1 hearth backup adir
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "backup to adir:"
	[ -z "$(ls -A adir)" ] || fail "left in adir: $(ls -A adir)"
	expect_eq "$(ls | grep -c partial)" 0 "partial files"
	# The database itself, or its log: refused, the database untouched.
	n=$(dbq 'SELECT count(*) FROM readings')
	for f in hearth.db ./hearth.db hearth.db-wal hearth.db-journal ../"$T_NAME"/hearth.db; do
		expect_status 1 hearth backup "$f"
		one_line "$T_ERR"
		expect_contains "$(cat "$T_ERR")" "backup to $f: that is the database itself"
	done
	[ ! -e hearth.db-journal ] || fail "a file named as the database's journal"
	expect_eq "$(dbq 'SELECT count(*) FROM readings')" "$n" "rows after refused backups"
	expect_eq "$(dbq 'PRAGMA integrity_check')" ok
}

# A disk that fills up during a backup: exit 1, one line saying so, no
# partial file, and the older backup of the same name kept whole.  On a
# 256 KiB tmpfs the test mounts in a mount namespace of its own.
test_backup_disk_full() {
	t_sqlite_only "backups are SQLite's" || return 0
	if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null; then
		t_skip "mounting a small tmpfs needs root and unshare -m"
		return 0
	fi
	t_init . >/dev/null
	awk 'BEGIN { print "r_datetime,r_watts,r_temp";
		for (i = 0; i < 30000; i++) printf "%d,%d,%.1f\n", 1700000000 + i * 3, i, i % 40 }' >r.csv
	hearth import --quiet readings r.csv
	mkdir small
	sqlite3 old.db "CREATE TABLE t (x); INSERT INTO t VALUES (42)"
	unshare -m bash -c '
		mount -t tmpfs -o size=256k tmpfs small || exit 3
		cp old.db small/b.db
		"$HEARTH" backup small/b.db >out.txt 2>err.txt
		echo "rc $?" >rc.txt
		ls -A small >left.txt
		sqlite3 small/b.db "SELECT x FROM t" >old.txt 2>&1
		sqlite3 small/b.db "PRAGMA integrity_check" >>old.txt 2>&1
		umount small' || fail "tmpfs: exit $?"
	expect_eq "$(cat rc.txt)" "rc 1"
	one_line err.txt
	expect_contains "$(cat err.txt)" "backup to small/b.db: database or disk is full"
	expect_eq "$(cat left.txt)" "b.db" "files on the full disk"
	expect_eq "$(cat old.txt)" "42
ok" "the older backup"
}

# [backup] in serve: every second, keep 2: the newest two stay, each
# sound; the status is in kv poll.backup.* and /metrics.  Bad settings
# (every: soon, 0; keep: 0, many) stop serve with one line.
test_backup_in_serve() {
	local i v
	t_sqlite_only "backups are SQLite's (on PostgreSQL the status says pg_dump)" || return 0
	t_init . >/dev/null
	for v in "every = soon" "every = 0" "keep = 0" "keep = many"; do
		printf '[backup]\ndir = backups\n%s\n' "$v" >>hearth.ini
		expect_status 1 hearth serve --listen "127.0.0.1:$(free_port)"
		one_line "$T_ERR"
		expect_contains "$(cat "$T_ERR")" "backup: [backup] ${v%% =*} '${v#*= }': want"
		sed -i '/^\[backup\]/,$d' hearth.ini
	done
	printf '[backup]\ndir = backups\nevery = 1s\nkeep = 2\n' >>hearth.ini
	token_here
	serve_here
	for i in $(seq 1 100); do
		[ "$(hearth kv get poll.backup.result 2>/dev/null | grep -c "2 kept")" = 1 ] &&
			[ "$(ls backups | wc -l)" -ge 2 ] && break
		sleep 0.1
	done
	# A third one at least, so that pruning had something to delete.
	first=$(ls backups | head -1)
	for i in $(seq 1 100); do
		ls backups | grep -qx "$first" || break
		sleep 0.1
	done
	ls backups | grep -qx "$first" && fail "the oldest backup was never pruned"
	expect_eq "$(hearth kv get poll.backup.error)" ""
	expect_contains "$(hearth kv get poll.backup.result)" "bytes; 2 kept"
	expect_contains "$(curl -s "$URL/metrics")" 'hearth_poll_error{poller="backup"} 0'
	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID" || fail "serve exit"
	expect_eq "$(ls backups | grep -cE '^hearth-[0-9]{8}T[0-9]{6}Z\.db$')" 2 "backups kept"
	for f in backups/*; do
		expect_eq "$(sqlite3 "$f" 'PRAGMA integrity_check')" ok "$f"
	done
}

# hour_rollups: the hour buckets of readings, one line each.
hour_rollups() {
	dbq 'SELECT b, "r_watts:min", "r_watts:max", "r_watts:sum", "r_watts:n",
		"r_temp:n" FROM hearth_rollup_readings_h ORDER BY b'
}

# raw_before SECS: readings rows before unix time SECS.
raw_before() {
	if [ "$T_BACKEND" = pg ]; then
		dbq "SELECT count(*) FROM readings WHERE r_datetime < to_timestamp($1)"
	else
		dbq "SELECT count(*) FROM readings WHERE r_datetime < datetime($1, 'unixepoch')"
	fi
}

# [retention] readings = 400d on two years of readings: the rows before
# the hour 400 days ago go, the newest stay; the hour and minute
# rollups, a two-year chart and the energy figures are the same after,
# and after a rebuild of the rollups; a second run deletes nothing; the
# dashboard says where only rollups hold the window.  Bad input tried:
# an unknown table, an age that is not one, an age under an hour (one
# error line each, nothing deleted), no [retention] at all.
test_retention_keeps_rollups() {
	local now t0 kept before after v
	t_init . >/dev/null
	now=$(date +%s)
	t0=$(( (now - 730 * 86400) / 3600 * 3600 ))
	awk -v t0=$t0 -v now=$now 'BEGIN { print "r_datetime,r_watts,r_temp";
		for (t = t0; t < now; t += 1200) printf "%d,%d,%.1f\n", t, (t / 1200) % 3000, 15 + (t % 100) / 10 }' >r.csv
	hearth import --quiet readings r.csv
	hearth rollup rebuild readings >/dev/null
	hour_rollups >before.txt
	dbq 'SELECT * FROM hearth_rollup_readings_m ORDER BY b' >minutes.txt
	hearth chart readings --since "$t0" --until "$now" -o before.svg
	before=$(dbq "SELECT count(*) FROM readings")

	expect_status 1 hearth prune
	expect_contains "$(cat "$T_ERR")" "nothing to prune: [retention] sets no table"
	for v in "nope = 400d" "readings = soon" "readings = 30m"; do
		printf '[retention]\n%s\n' "$v" >>hearth.ini
		expect_status 1 hearth prune
		one_line "$T_ERR"
		case "$v" in
		nope*) expect_contains "$(cat "$T_ERR")" "[retention] nope: no such table" ;;
		*) expect_contains "$(cat "$T_ERR")" "[retention] readings '${v#*= }': want an age" ;;
		esac
		sed -i '/^\[retention\]/,$d' hearth.ini
	done
	expect_eq "$(dbq "SELECT count(*) FROM readings")" "$before" "rows after refused runs"

	printf '[retention]\nreadings = 400d\n' >>hearth.ini
	hearth prune >out.txt
	kept=$(dbq "SELECT kept_from FROM hearth_retention WHERE tbl = 'readings'")
	expect_eq $((kept % 3600)) 0 "kept_from on the hour"
	[ "$kept" -le $((now - 400 * 86400)) ] && [ "$kept" -gt $((now - 400 * 86400 - 3600)) ] ||
		fail "kept_from $kept is not the hour 400 days before $now"
	expect_eq "$(raw_before "$kept")" 0 "rows before kept_from"
	after=$(dbq "SELECT count(*) FROM readings")
	expect_eq $((before - after)) $(( (kept - t0 + 1199) / 1200 )) "rows deleted"
	expect_contains "$(cat out.txt)" "readings: $((before - after)) rows before "
	hour_rollups >after.txt
	cmp -s before.txt after.txt || fail "hour rollups changed: $(diff before.txt after.txt | head -5)"
	dbq 'SELECT * FROM hearth_rollup_readings_m ORDER BY b' >minutes2.txt
	cmp -s minutes.txt minutes2.txt || fail "minute rollups changed"
	hearth chart readings --since "$t0" --until "$now" -o after.svg
	cmp -s before.svg after.svg || fail "the two-year chart changed"
	hearth rollup rebuild readings >/dev/null
	hour_rollups >rebuilt.txt
	cmp -s before.txt rebuilt.txt || fail "a rebuild lost history: $(diff before.txt rebuilt.txt | head -5)"
	expect_contains "$(hearth prune)" "readings: 0 rows before"
	if [ "$T_BACKEND" = sqlite ]; then
		expect_eq "$(dbq 'PRAGMA integrity_check')" ok
		expect_eq "$(dbq 'PRAGMA auto_vacuum')" 2 "auto_vacuum of a new database"
		expect_eq "$(dbq 'PRAGMA freelist_count')" 0 "free pages left"
	fi

	token_here
	serve_here
	expect_contains "$(curl -s "$URL/?from=$(date -u -d "@$t0" +%Y-%m-%dT%H:%M)")" \
		"only per-minute and per-hour summaries are kept"
	[ "$(curl -s "$URL/?window=24h" | grep -c "summaries are kept")" = 0 ] ||
		fail "a recent window says history is summarised"
	# Six hours, 500 days ago: too short for buckets, but the rows are
	# gone, so the minutes draw it.
	local old=$((now - 500 * 86400))
	expect_contains "$(curl -s "$URL/?from=$(date -u -d "@$old" +%Y-%m-%dT%H:%M)&to=$(date -u -d "@$((old + 6 * 3600))" +%Y-%m-%dT%H:%M)")" \
		"minute buckets read"
	# serve applies it too, as it starts: its status is in kv.
	for i in $(seq 1 100); do
		hearth kv get poll.retention.time >/dev/null 2>&1 && break
		sleep 0.1
	done
	expect_eq "$(hearth kv get poll.retention.error)" ""
	expect_contains "$(hearth kv get poll.retention.result)" "readings: 0 rows before"
	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID" || fail "serve exit"
}

t_main
