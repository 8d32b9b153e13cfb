#!/bin/bash
# test_trials.sh - crash and disk-full trials: imports, HTTP writes and
# migrations killed with SIGKILL at random moments, several trials each,
# then: every acknowledged row present, no request or batch stored in
# part, PRAGMA integrity_check ok, the schema at exactly one revision.
# A full disk: one clear error, committed rows kept, the file sound, and
# the next write after space is freed works.  The random delays are
# printed, so a failing trial can be run again (TRIAL_SEED=N).
# Bounded: each trial lasts a few seconds at most.
. "$(dirname "$0")/lib.sh"

TOKEN=trials-token-0123
T_SEED=${TRIAL_SEED:-$$}
RANDOM=$T_SEED
echo "trials: TRIAL_SEED=$T_SEED" >&2

# delay MAX_MS: a random delay in seconds, up to MAX_MS milliseconds.
delay() {
	local ms=$((RANDOM % $1))
	printf '%d.%03d' $((ms / 1000)) $((ms % 1000))
}

integrity_ok() {
	expect_eq "$(sqlite3 "${1:-hearth.db}" 'PRAGMA integrity_check')" ok "integrity ($2)"
}

# HTTP writes from 4 clients, serve killed at a random moment: every
# request answered 204 is stored whole, no other in part.
test_kill_http_writes() {
	local trial d rc i n
	for trial in 1 2 3 4 5; do
		rm -rf ./*
		hearth init . >/dev/null
		token_here
		serve_here
		python3 "$HEARTH_TOP/tests/e2e/http_writers.py" "$PORT" "$TOKEN" 4 0 >acked.txt &
		local writers=$!
		wait_file acked.txt
		for i in $(seq 1 100); do
			[ -s acked.txt ] && break
			sleep 0.05
		done
		d=$(delay 900)
		sleep "$d"
		kill -9 "$SERVER_PID"
		wait "$SERVER_PID" 2>/dev/null || true
		rc=0
		wait "$writers" || rc=$?
		echo "  trial $trial: kill -9 after ${d}s, $(wc -l <acked.txt) requests answered" >&2
		expect_eq "$rc" 0 "writers (trial $trial)"
		n=$(wc -l <acked.txt)
		if [ "$n" -gt 0 ]; then
			expect_eq "$(sql1 hearth.db "SELECT count(DISTINCT r_temp) FROM readings
				WHERE r_temp IN ($(paste -sd, acked.txt))")" "$n" "answered requests stored (trial $trial)"
		fi
		expect_eq "$(sql1 hearth.db "SELECT count(*) FROM (SELECT r_temp FROM readings
			GROUP BY r_temp HAVING count(*) != 50)")" 0 "requests stored in part (trial $trial)"
		integrity_ok hearth.db "trial $trial"
	done
}

# import killed at random: what is stored is the file's first rows, a
# whole number of batches (10,000 rows; with --atomic, none or all).
test_kill_import() {
	local trial d n max atomic
	hearth init . >/dev/null
	awk 'BEGIN { print "r_datetime,r_watts,r_temp";
		for (i = 0; i < 600000; i++) printf "%d,%d,1.5\n", 1700000000 + i * 3, i }' >../r.csv
	for trial in 1 2 3 4 5 6; do
		rm -rf hearth.db hearth.db-wal hearth.db-shm hearth.ini schema.sql migrations
		hearth init . >/dev/null
		atomic=
		[ $trial -le 4 ] || atomic=--atomic
		"$HEARTH" import --quiet --batch 10000 $atomic readings ../r.csv 2>/dev/null &
		local pid=$!
		d=$(delay 900)
		sleep "$d"
		kill -9 $pid 2>/dev/null || true
		wait $pid 2>/dev/null || true
		read -r n max <<<"$(sql1 hearth.db "SELECT count(*), coalesce(max(r_watts), -1) FROM readings" | tr '|' ' ')"
		echo "  trial $trial: kill -9 after ${d}s ${atomic:-batches}: $n rows" >&2
		expect_eq "$max" $((n - 1)) "the file's first rows (trial $trial)"
		if [ -n "$atomic" ]; then
			case "$n" in 0 | 600000) ;; *) fail "$n rows of an --atomic import" ;; esac
		else
			expect_eq $((n % 10000)) 0 "whole batches (trial $trial: $n rows)"
		fi
		integrity_ok hearth.db "trial $trial"
	done
	rm -f ../r.csv
}

# The schema of readings as SQLite keeps it, for comparing.
schema_of() { sqlite3 "${1:-hearth.db}" '.schema readings'; }

# upgrade over three revisions (a column added; a type widened and a
# CHECK added, each a table rebuild of 200,000 rows) killed at random:
# the database is at exactly one revision, its schema is that
# revision's, every row is there, the file is sound; upgrade then ends
# the job and check is clean.
test_kill_migration() {
	local trial d rev revs r n ms
	mkdir tpl
	(cd tpl && hearth init . >/dev/null)
	awk 'BEGIN { print "r_datetime,r_watts,r_temp";
		for (i = 0; i < 200000; i++) printf "%d,%d,%.1f\n", 1700000000 + i * 3, i, i % 40 }' >r.csv
	(cd tpl && hearth import --quiet readings ../r.csv)
	cp tpl/hearth.db base.db
	cd tpl
	sed -i 's/^    r_temp     REAL$/    r_temp     REAL,\n    r_hum      REAL/' schema.sql
	hearth revision -m humidity --autogenerate >/dev/null
	hearth upgrade >/dev/null 2>&1
	sed -i 's/^    r_watts    INTEGER,$/    r_watts    REAL,/' schema.sql
	hearth revision -m "watts as real" --autogenerate >/dev/null
	hearth upgrade >/dev/null 2>&1
	sed -i 's/^    r_hum      REAL$/    r_hum      REAL CHECK (r_hum >= 0)/' schema.sql
	hearth revision -m "humidity checked" --autogenerate >/dev/null
	cd ..
	# Each revision's schema, from a clean run.
	cp base.db tpl/hearth.db
	revs=$(cd tpl && hearth current | awk '{ print $1; exit }')
	(cd tpl && schema_of) >"schema.$revs"
	for r in 1 2 3; do
		(cd tpl && hearth upgrade +1 >/dev/null 2>&1)
		rev=$(cd tpl && hearth current | awk '{ print $1; exit }')
		(cd tpl && schema_of) >"schema.$rev"
		revs="$revs $rev"
	done
	[ "$(echo "$revs" | wc -w)" = 4 ] || fail "revisions: $revs"
	# How long a whole upgrade takes here: the kills fall within it.
	cp base.db tpl/hearth.db
	ms=$(date +%s%3N)
	(cd tpl && hearth upgrade >/dev/null 2>&1)
	ms=$(( $(date +%s%3N) - ms + 1 ))
	for trial in 1 2 3 4 5 6; do
		cp base.db tpl/hearth.db
		rm -f tpl/hearth.db-wal tpl/hearth.db-shm
		(cd tpl && exec "$HEARTH" upgrade >/dev/null 2>&1) &
		local pid=$!
		d=$(delay "$ms")
		sleep "$d"
		kill -9 $pid 2>/dev/null || true
		wait $pid 2>/dev/null || true
		rev=$(cd tpl && hearth current | awk '{ print $1 }')
		echo "  trial $trial: kill -9 after ${d}s: at $rev" >&2
		expect_eq "$(echo "$rev" | wc -w)" 1 "revisions the database is at (trial $trial)"
		[ -f "schema.$rev" ] || fail "at an unknown revision '$rev' of $revs: $(cd tpl && hearth current; hearth history)"
		expect_eq "$(cd tpl && schema_of)" "$(cat "schema.$rev")" "schema at $rev (trial $trial)"
		expect_eq "$(sql1 tpl/hearth.db 'SELECT count(*), CAST(sum(r_watts) AS INTEGER) FROM readings')" \
			"200000|19999900000" "rows (trial $trial)"
		integrity_ok tpl/hearth.db "trial $trial"
		(cd tpl && hearth upgrade >/dev/null 2>&1 && hearth check >/dev/null) ||
			fail "upgrade after the kill (trial $trial)"
	done
}

# A disk that fills up under an import (a 1 MiB tmpfs, mounted in a mount
# namespace of the test's own): one error line saying so, the batches
# committed before kept, the file sound; once space is freed, the next
# write works.
test_disk_full() {
	if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null; then
		t_skip "mounting a small tmpfs needs root and unshare -m"
		return 0
	fi
	awk 'BEGIN { print "r_datetime,r_watts,r_temp";
		for (i = 0; i < 200000; i++) printf "%d,%d,%.1f\n", 1700000000 + i * 3, i, i % 40 }' >r.csv
	mkdir small
	unshare -m bash -c '
		set -u
		mount -t tmpfs -o size=1m tmpfs small || exit 3
		cd small
		"$HEARTH" init . >/dev/null || exit 4
		head -c 200000 /dev/zero >filler
		"$HEARTH" import --quiet --batch 1000 readings ../r.csv >../out.txt 2>../err.txt
		echo "$?" >../rc.txt
		sqlite3 hearth.db "SELECT count(*), coalesce(max(r_watts), -1) FROM readings" >../rows.txt
		sqlite3 hearth.db "PRAGMA integrity_check" >../integrity.txt
		rm filler
		"$HEARTH" add readings r_watts=-5 >../add.txt 2>&1
		echo "$?" >>../add.txt
		sqlite3 hearth.db "SELECT count(*) FROM readings WHERE r_watts = -5; PRAGMA integrity_check" >>../add.txt
		cd ..
		umount small' || fail "tmpfs trial: exit $?"
	expect_eq "$(cat rc.txt)" 1 "import exit on a full disk"
	one_line err.txt
	expect_contains "$(cat err.txt)" "database or disk is full"
	local n max
	IFS='|' read -r n max <rows.txt
	echo "  disk full after $n rows" >&2
	[ "$n" -gt 0 ] || fail "no batch was stored before the disk filled"
	expect_eq $((n % 1000)) 0 "whole batches kept"
	expect_eq "$max" $((n - 1)) "the file's first rows kept"
	expect_eq "$(cat integrity.txt)" ok "integrity on a full disk"
	expect_eq "$(tr '\n' ' ' <add.txt)" "0 1 ok " "a write after space is freed"
}

# The same over HTTP: writes of 2,000 rows to serve until the 1 MiB
# tmpfs is full: that request gets 503 saying the disk is full and
# nothing of it stored; the requests before it are kept, the file is
# sound, and once space is freed the same server stores the next one.
test_disk_full_http() {
	if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null; then
		t_skip "mounting a small tmpfs needs root and unshare -m"
		return 0
	fi
	seq 1 2000 | sed 's/.*/readings r_watts=&i,r_temp=1.5/' >body.lp
	mkdir small
	PORT=$(free_port) TOKEN=$TOKEN unshare -m bash -c '
		set -u
		mount -t tmpfs -o size=1m tmpfs small || exit 3
		cd small
		"$HEARTH" init . >/dev/null || exit 4
		echo "$TOKEN" >token
		sed -i "s/^; write_token_file.*/write_token_file = token/" hearth.ini
		head -c 300000 /dev/zero >filler
		"$HEARTH" serve --listen "127.0.0.1:$PORT" >../serve.log 2>&1 &
		pid=$!
		for i in $(seq 1 100); do
			curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
			sleep 0.1
		done
		post() {
			curl -s -o ../body.out -w "%{http_code}" -X POST 				-H "Authorization: Bearer $TOKEN" 				--data-binary @../body.lp "http://127.0.0.1:$PORT/write?db=x"
		}
		ok=0
		for i in $(seq 1 60); do
			code=$(post)
			[ "$code" = 204 ] || break
			ok=$((ok + 1))
		done
		echo "$ok $code $(cat ../body.out)" >../full.txt
		sqlite3 hearth.db "SELECT count(*) FROM readings" >../rows.txt
		sqlite3 hearth.db "PRAGMA integrity_check" >../integrity.txt
		rm filler
		echo "$(post)" >../after.txt
		sqlite3 hearth.db "SELECT count(*) FROM readings" >>../after.txt
		kill -TERM $pid
		wait $pid
		echo "$?" >../exit.txt
		cd ..
		umount small' || fail "tmpfs trial: exit $?"
	local ok code msg
	read -r ok code msg <full.txt
	echo "  disk full after $ok requests" >&2
	[ "$ok" -gt 0 ] || fail "no request was stored before the disk filled"
	expect_eq "$code" 503 "status on a full disk"
	expect_eq "$msg" '{"error":"database or disk is full (nothing stored)"}'
	expect_eq "$(cat rows.txt)" $((ok * 2000)) "rows of the requests answered 204"
	expect_eq "$(cat integrity.txt)" ok "integrity on a full disk"
	expect_eq "$(tr '\n' ' ' <after.txt)" "204 $(((ok + 1) * 2000)) " "a write after space is freed"
	expect_eq "$(cat exit.txt)" 0 "serve exit"
}

t_main
