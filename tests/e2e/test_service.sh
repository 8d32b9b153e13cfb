#!/bin/bash
# test_service.sh - hearth serve as a service: the systemd unit `make
# install` puts in place, and the signals a service manager sends
# (SIGHUP: reload hearth.ini; SIGTERM: finish and exit 0).
. "$(dirname "$0")/lib.sh"

TOKEN=service-test-token-1

# post_code TOKEN: the status of a one-row write with TOKEN.
post_code() {
	curl -s -o /dev/null -w '%{http_code}' -X POST \
		-H "Authorization: Bearer $1" --data-binary 'readings r_watts=1i' \
		"$URL/write?db=x"
}

# wait_log PATTERN N: serve.log has N lines matching PATTERN.
wait_log() {
	local i
	for i in $(seq 1 200); do
		[ "$(grep -c -- "$1" serve.log)" -ge "$2" ] && return 0
		sleep 0.05
	done
	fail "serve.log lacks $2 lines of '$1': $(cat serve.log)"
}

# check_acked FILE: every request FILE lists (http_writers.py) is stored
# whole, and no other request in part.
check_acked() {
	local n
	n=$(wc -l <"$1")
	expect_eq "$(sql1 hearth.db "SELECT count(DISTINCT r_temp) FROM readings
		WHERE r_temp IN ($(paste -sd, "$1"))")" "$n" "acknowledged requests stored"
	expect_eq "$(sql1 hearth.db "SELECT count(*) FROM (SELECT r_temp FROM readings
		WHERE r_temp IS NOT NULL GROUP BY r_temp HAVING count(*) != 50)")" 0 \
		"requests stored in part"
	expect_eq "$(sql1 hearth.db 'PRAGMA integrity_check')" ok
}

# make install into a staging root with its own /etc/passwd: the unit is
# in place with the hardening asked for, passes systemd-analyze verify
# (its binary and man page found where it says), its exposure is low;
# the user is created once.
test_install_unit() {
	local root=$PWD/root unit u
	if ! command -v systemd-analyze >/dev/null; then
		t_skip "systemd-analyze not installed (Debian package systemd)"
		return 0
	fi
	if ! command -v useradd >/dev/null || [ "$(id -u)" -ne 0 ]; then
		t_skip "creating the service user needs useradd and root"
		return 0
	fi
	mkdir -p "$root/etc"
	cp /etc/passwd /etc/group /etc/shadow /etc/gshadow "$root/etc/"
	make -s -C "$HEARTH_TOP" install DESTDIR="$root" PREFIX=/usr >install.out 2>&1 ||
		fail "make install: $(cat install.out)"
	unit=$root/usr/lib/systemd/system/hearth.service
	[ -f "$unit" ] || fail "no unit installed: $(cat install.out)"
	for u in "User=hearth" "ExecStart=/usr/bin/hearth --config /var/lib/hearth/hearth.ini serve" \
		"ProtectSystem=strict" "ReadWritePaths=/var/lib/hearth" "NoNewPrivileges=yes" \
		"PrivateTmp=yes" "Restart=on-failure" "CapabilityBoundingSet=" \
		"ExecReload=/bin/kill -HUP \$MAINPID"; do
		grep -qxF -- "$u" "$unit" || fail "unit lacks '$u'"
	done
	expect_eq "$(grep -c '^hearth:' "$root/etc/passwd")" 1 "hearth users"
	expect_contains "$(grep '^hearth:' "$root/etc/passwd")" ":/var/lib/hearth:/usr/sbin/nologin"
	[ -d "$root/var/lib/hearth" ] || fail "no data directory"
	# The binary and man page as installed, for verify to find.
	sed "s#^ExecStart=/usr/bin/#ExecStart=$root/usr/bin/#" "$unit" >hearth.service
	MANPATH=$root/usr/share/man systemd-analyze verify hearth.service >verify.out 2>&1 ||
		fail "systemd-analyze verify: $(cat verify.out)"
	MANPATH=$root/usr/share/man systemd-analyze security --offline=true \
		hearth.service >security.out 2>&1 || fail "systemd-analyze security: $(cat security.out)"
	awk '/Overall exposure level/ { if ($(NF-2) + 0 > 2.0) exit 1; found = 1 }
		END { exit !found }' security.out ||
		fail "exposure above 2.0: $(grep -E 'Overall|✗' security.out)"
	# Again: the user exists, nothing doubled.
	make -s -C "$HEARTH_TOP" install DESTDIR="$root" PREFIX=/usr >install.out 2>&1 ||
		fail "make install again: $(cat install.out)"
	expect_contains "$(cat install.out)" "user hearth exists"
	expect_eq "$(grep -c '^hearth:' "$root/etc/passwd")" 1 "hearth users after a second install"
}

# SIGHUP five times (some may arrive as one) while 4 clients write 100 requests each: every
# connection is kept, every request answered and stored whole.  Then a
# changed token takes effect; a broken hearth.ini (bad input: a line
# that is not `key = value`) keeps the settings in use, with one error
# line naming the file and line; a changed listen address says it takes
# a restart.  SIGTERM then exits 0.
test_sighup_reload() {
	local rc=0 n
	hearth init . >/dev/null
	token_here
	serve_here
	python3 "$HEARTH_TOP/tests/e2e/http_writers.py" "$PORT" "$TOKEN" 4 100 \
		"$SERVER_PID" HUP 5 >acked.txt || fail "writers across SIGHUP failed"
	expect_eq "$(wc -l <acked.txt)" 400 "requests answered"
	check_acked acked.txt
	# Signals sent close together may arrive as one.
	wait_log "hearth: reloaded hearth.ini" 1
	n=$(grep -c "hearth: reloaded hearth.ini" serve.log)

	echo "service-test-token-2" >token2
	sed -i 's/^write_token_file = token$/write_token_file = token2/' hearth.ini
	kill -HUP "$SERVER_PID"
	wait_log "hearth: reloaded hearth.ini" $((n + 1))
	expect_eq "$(post_code service-test-token-2)" 204 "the new token"
	expect_eq "$(post_code "$TOKEN")" 401 "the old token"

	cp hearth.ini hearth.ini.good
	echo "this is not a setting" >>hearth.ini
	kill -HUP "$SERVER_PID"
	wait_log "reload failed" 1
	expect_eq "$(grep -c "reload failed" serve.log)" 1 "error lines"
	expect_contains "$(grep "reload failed" serve.log)" \
		"hearth: reload failed, keeping the settings in use: hearth.ini:"
	expect_eq "$(post_code service-test-token-2)" 204 "the token in use, after a broken file"

	cp hearth.ini.good hearth.ini
	sed -i "s/^listen = .*/listen = 127.0.0.1:1/" hearth.ini
	kill -HUP "$SERVER_PID"
	wait_log "hearth: reloaded hearth.ini" $((n + 2))
	expect_contains "$(cat serve.log)" "reload: [serve] listen takes a restart; still '127.0.0.1:8080'"
	expect_eq "$(post_code service-test-token-2)" 204 "still serving on its port"

	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID" || rc=$?
	expect_eq "$rc" 0 "exit status after SIGTERM"
}

# SIGTERM while 4 clients write without pause: each request is answered
# whole (204) or its connection closed before any answer; every one
# answered is stored whole, none in part; exit 0.  Three trials.
test_sigterm_finishes_in_flight() {
	local trial rc
	for trial in 1 2 3; do
		rm -rf ./*
		hearth init . >/dev/null
		token_here
		serve_here
		python3 "$HEARTH_TOP/tests/e2e/http_writers.py" "$PORT" "$TOKEN" 4 0 \
			"$SERVER_PID" TERM 1 >acked.txt || fail "writers across SIGTERM (trial $trial)"
		rc=0
		wait "$SERVER_PID" || rc=$?
		expect_eq "$rc" 0 "exit status after SIGTERM (trial $trial)"
		[ "$(wc -l <acked.txt)" -ge 20 ] || fail "only $(wc -l <acked.txt) requests before SIGTERM"
		check_acked acked.txt
	done
}

t_main
