#!/bin/bash
# End-to-end: hearth imap against a real Dovecot on loopback (started here,
# stopped at exit), a passwd-file user per test and a Maildir Motion folder;
# the events stored in SQLite and in PostgreSQL (lib.sh: the backend).
# backends: sqlite pg
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dovecot.sh"

dovecot_start "$T_TMP/dovecot" || exit 1
at_exit dovecot_stop

# setup USER [INI LINES...]: a hearth project here polling USER's Motion.
setup() {
	local u=$1
	shift
	dv_user "$u"
	t_init . >/dev/null
	echo "$DV_PASS" >imap.secret
	{
		echo "[imap]"
		echo "url = imap://127.0.0.1:$DV_PORT/Motion"
		echo "user = $u"
		echo "password_file = imap.secret"
		echo "timezone = UTC"
		for l in "$@"; do echo "$l"; done
	} >>hearth.ini
}

rows() { dbq "SELECT r_datetime || '|' || r_s_name FROM motion ORDER BY r_datetime, r_s_name"; }
nrows() { dbq "SELECT count(*) FROM motion"; }

test_normal_mails_stored_and_flagged() {
	setup normal
	dv_deliver "'Hallway' sensed motion: November 23, 2014 at 10:15PM"
	dv_deliver "'Living Room' sensed motion: January 01, 2018 at 01:50PM"
	expect_status 0 hearth imap --once
	expect_contains "$(cat "$T_OUT")" "2 new events"
	expect_eq "$(rows)" "2014-11-23 22:15:00|Hallway
2018-01-01 13:50:00|Living Room"
	expect_eq "$(dv_count_seen)" 2 "mails flagged \\Seen"
	expect_eq "$(dv_count_unseen)" 0
	expect_eq "$(dbq "SELECT count(*) FROM hearth_imap_seen WHERE message_id LIKE '<%@test.invalid>'")" 2
	expect_eq "$(hearth kv get poll.imap.result)" "2 new events, 0 duplicates, 0 rejected, 2 unread mails"
	expect_eq "$(hearth kv get poll.imap.error)" ""
	hearth kv get poll.imap.time >/dev/null
	# Nothing new: a second poll stores nothing.
	expect_status 0 hearth imap --once
	expect_eq "$(nrows)" 2
}

# Every variant real mail shows: encoded words (Q, B, Latin-1), folded
# lines, leading zeros or not, AM/PM with or without a blank, quotes in
# names, typographic quotes, non-ASCII names.
test_subject_variants() {
	setup variants
	dv_deliver "=?UTF-8?Q?=27K=C3=BCche=27_sensed_motion:_November_23,_2014_at_10:15PM?="
	dv_deliver "=?UTF-8?B?J0LDvHJvJyBzZW5zZWQgbW90aW9uOiBKYW51YXJ5IDAxLCAyMDE4IGF0IDAxOjUwUE0=?="
	dv_deliver "=?ISO-8859-1?Q?'Gar=E7on'?= sensed motion: March 5, 2016 at 9:05 AM"
	dv_deliver "'Hall' sensed motion: November 3, 2014 at\r\n 1:07pm"
	dv_deliver "'Bob's Room' sensed motion: December 31, 2015 at 11:59PM"
	dv_deliver "\xe2\x80\x98Porch\xe2\x80\x99 sensed motion: February 29, 2016 at 12:00AM"
	dv_deliver "=?utf-8?q?=27Ga?=\r\n =?utf-8?q?rage=27?= sensed motion: July 4, 2017 at 12:30 PM"
	expect_status 0 hearth imap --once
	expect_contains "$(cat "$T_OUT")" "7 new events, 0 duplicates, 0 rejected"
	expect_eq "$(rows)" "2014-11-03 13:07:00|Hall
2014-11-23 22:15:00|Küche
2015-12-31 23:59:00|Bob's Room
2016-02-29 00:00:00|Porch
2016-03-05 09:05:00|Garçon
2017-07-04 12:30:00|Garage
2018-01-01 13:50:00|Büro"
	expect_eq "$(dv_count_unseen)" 0
}

test_timezone_local_to_utc() {
	setup tz "timezone = Europe/Berlin"
	sed -i '/^timezone = UTC$/d' hearth.ini
	dv_deliver "'Hall' sensed motion: January 15, 2018 at 01:50PM"
	dv_deliver "'Hall' sensed motion: July 15, 2018 at 01:50PM"
	expect_status 0 hearth imap --once
	expect_eq "$(rows)" "2018-01-15 12:50:00|Hall
2018-07-15 11:50:00|Hall"
}

# Bad subjects tried: not a motion mail, a date that does not exist, no
# Subject header, an hour of 13 with PM, 3000 bytes of junk.
test_malformed_kept_unread_and_reported_once() {
	setup malformed
	dv_deliver "'Hall' sensed motion: November 23, 2014 at 10:15PM"
	dv_deliver "Re: your invoice"
	dv_deliver "'Hall' sensed motion: February 30, 2014 at 10:15PM"
	dv_deliver "'Hall' sensed motion: November 23, 2014 at 13:15PM"
	dv_deliver "'$(head -c 3000 /dev/zero | tr '\0' x)' sensed motion: November 23, 2014 at 10:15PM"
	DV_SEQ=$((DV_SEQ + 1))
	printf 'From: a@test.invalid\r\nMessage-ID: <nosubj@test.invalid>\r\n\r\nx\r\n' >"$DV_MAILDIR/.Motion/new/nosubj.hearth-test"
	chown "$DV_MAILUSER" "$DV_MAILDIR/.Motion/new/nosubj.hearth-test"
	expect_status 0 hearth imap --once
	expect_contains "$(cat "$T_OUT")" "1 new events, 0 duplicates, 5 rejected"
	expect_eq "$(grep -c 'left unread' "$T_ERR")" 5 "reject lines in the log"
	expect_contains "$(cat "$T_ERR")" "does not match the pattern"
	expect_contains "$(cat "$T_ERR")" "date that does not exist"
	expect_contains "$(cat "$T_ERR")" "no Subject header"
	expect_contains "$(cat "$T_ERR")" "longer than 2048"
	expect_eq "$(nrows)" 1
	expect_eq "$(dbq "SELECT count(*) FROM hearth_rejects WHERE source = 'imap' AND reason <> ''")" 5
	expect_eq "$(dbq "SELECT subject FROM hearth_rejects WHERE subject LIKE 'Re:%'")" "Re: your invoice"
	expect_eq "$(dv_count_unseen)" 5
	# Reported once: the next poll logs nothing, keeps them unread.
	expect_status 0 hearth imap --once
	expect_eq "$(cat "$T_ERR")" ""
	expect_eq "$(dv_count_unseen)" 5
	expect_eq "$(nrows)" 1
}

# Control characters in mails: in a decoded subject they become blanks
# (an escape sequence in a sensor name is not stored); in a Message-ID,
# which the log quotes, they show as '?', so a line break cannot forge a
# second log line nor an escape sequence reach the terminal.
test_control_characters_in_mails() {
	setup control
	dv_deliver "=?UTF-8?Q?'=1B[2JHall'_sensed_motion:_November_23,_2014_at_10:15PM?="
	DV_SEQ=$((DV_SEQ + 1))
	printf 'From: a@test.invalid\r\nMessage-ID: <x\033[2J\rhearth: 1000 new events@test.invalid>\r\nSubject: Re: x\r\n\r\nx\r\n' \
		>"$DV_MAILDIR/.Motion/new/ctl.hearth-test"
	chown "$DV_MAILUSER" "$DV_MAILDIR/.Motion/new/ctl.hearth-test"
	expect_status 0 hearth imap --once
	expect_contains "$(cat "$T_OUT")" "1 new events, 0 duplicates, 1 rejected"
	expect_eq "$(dbq "SELECT r_s_name FROM motion")" "[2JHall"
	expect_eq "$(wc -l <"$T_ERR")" 1 "log lines"
	grep -q "$(printf '\033')" "$T_ERR" && fail "an escape reached the log: $(cat -v "$T_ERR")"
	expect_contains "$(cat "$T_ERR")" "left unread"
}

test_duplicate_message_id_stored_once() {
	setup dups
	dv_deliver "'Hall' sensed motion: November 23, 2014 at 10:15PM" "<same@test.invalid>"
	dv_deliver "'Hall' sensed motion: November 23, 2014 at 10:15PM" "<same@test.invalid>"
	expect_status 0 hearth imap --once
	dv_deliver "'Hall' sensed motion: November 23, 2014 at 10:15PM" "<same@test.invalid>"
	expect_status 0 hearth imap --once
	expect_contains "$(cat "$T_OUT")" "0 new events, 1 duplicates"
	expect_eq "$(nrows)" 1
	expect_eq "$(dv_count_unseen)" 0 "duplicates are marked read"
}

test_hundreds_at_once() {
	setup many
	local i
	for i in $(seq 1 650); do
		dv_deliver "'S$((i % 7))' sensed motion: May $((i % 28 + 1)), 2019 at $((i % 12 + 1)):$(printf %02d $((i % 60)))PM"
	done
	expect_status 0 hearth imap --once
	expect_contains "$(cat "$T_OUT")" "650 new events"
	expect_eq "$(nrows)" 650
	expect_eq "$(dbq "SELECT count(DISTINCT uid) FROM hearth_imap_seen")" 650
	expect_eq "$(dv_count_seen)" 650
}

# kill -9 at each step of a poll; a re-run leaves one row per event.
crash_case() {
	setup "crash$1"
	dv_deliver "'A' sensed motion: November 23, 2014 at 10:15PM"
	dv_deliver "'B' sensed motion: November 23, 2014 at 10:16PM" "<dup@test.invalid>"
	dv_deliver "'B' sensed motion: November 23, 2014 at 10:16PM" "<dup@test.invalid>"
	dv_deliver "'C' sensed motion: November 23, 2014 at 10:17PM"
	dv_deliver "not motion"
	local rc=0
	HEARTH_TEST_IMAP_CRASH=$1 hearth imap --once >/dev/null 2>&1 || rc=$?
	expect_eq "$rc" 137 "exit status of the killed poll"
	case $1 in
	stored | flagged) expect_eq "$(nrows)" 3 "rows after the kill" ;;
	*) expect_eq "$(nrows)" 0 "rows after the kill" ;;
	esac
	expect_status 0 hearth imap --once
	expect_eq "$(rows)" "2014-11-23 22:15:00|A
2014-11-23 22:16:00|B
2014-11-23 22:17:00|C"
	expect_eq "$(dv_count_seen)" 4
	expect_eq "$(dv_count_unseen)" 1
	expect_status 0 hearth imap --once
	expect_eq "$(nrows)" 3
}
test_crash_after_fetch() { crash_case fetched; }
test_crash_inside_transaction() { crash_case inserted; }
test_crash_after_store_before_flag() { crash_case stored; }
test_crash_after_flag() { crash_case flagged; }

# A real kill -9 from outside, wherever the poll happens to be, three
# times over 1,200 mails; then a clean poll: one row per mail, all read.
test_kill_9_from_outside() {
	setup kill9
	local i pid
	for i in $(seq 1 1200); do
		dv_deliver "'S$((i % 5))' sensed motion: June $((i % 28 + 1)), 2020 at $((i % 12 + 1)):$(printf %02d $((i % 60)))AM"
	done
	for delay in 0.05 0.2 0.4; do
		"$HEARTH" imap --once >/dev/null 2>&1 &
		pid=$!
		sleep $delay
		kill -9 $pid 2>/dev/null || true
		wait $pid 2>/dev/null || true
	done
	expect_status 0 hearth imap --once
	expect_eq "$(nrows)" 1200
	expect_eq "$(dbq "SELECT count(*) FROM hearth_imap_seen WHERE nrows = 1")" 1200
	expect_eq "$(dv_count_seen)" 1200
}

# cron's poll and serve's poll at the same moment: each event once.
test_two_pollers_at_once() {
	setup twice
	local i p1 p2 rc1=0 rc2=0
	for i in $(seq 1 600); do
		dv_deliver "'S$((i % 3))' sensed motion: August $((i % 28 + 1)), 2021 at $((i % 12 + 1)):$(printf %02d $((i % 60)))PM"
	done
	"$HEARTH" imap --once >p1.out 2>&1 &
	p1=$!
	"$HEARTH" imap --once >p2.out 2>&1 &
	p2=$!
	wait $p1 || rc1=$?
	wait $p2 || rc2=$?
	expect_eq "$rc1/$rc2" "0/0" "exit statuses ($(cat p1.out p2.out))"
	# Between them they stored each mail once.
	expect_eq "$(cat p1.out p2.out | grep -o '[0-9]* new events' | awk '{ n += $1 } END { print n + 0 }')" 600 \
		"new events of the two ($(cat p1.out p2.out))"
	expect_eq "$(nrows)" 600
	expect_eq "$(dv_count_seen)" 600
}

test_wrong_password_loses_nothing() {
	setup wrongpw
	dv_deliver "'Hall' sensed motion: November 23, 2014 at 10:15PM"
	echo nope >imap.secret
	expect_status 1 hearth imap --once
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "login as wrongpw (PLAIN)"
	expect_contains "$(cat "$T_ERR")" "uthentication failed"
	expect_contains "$(hearth kv get poll.imap.error)" "login as wrongpw"
	expect_eq "$(dv_count_unseen)" 1
	echo "$DV_PASS" >imap.secret
	expect_status 0 hearth imap --once
	expect_eq "$(nrows)" 1
	expect_eq "$(hearth kv get poll.imap.error)" ""
}

test_server_down() {
	setup down
	sed -i "s|^url = .*|url = imap://127.0.0.1:$(free_port)/Motion|" hearth.ini
	expect_status 1 hearth imap --once
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "cannot connect: Connection refused"
}

test_missing_folder_and_bad_settings() {
	setup settings
	expect_status 1 hearth -c imap.url="imap://127.0.0.1:$DV_PORT/Nope" imap --once
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "SELECT"
	expect_status 1 hearth -c imap.url="http://x/Motion" imap --once
	expect_contains "$(cat "$T_ERR")" "want imaps://"
	expect_status 1 hearth -c imap.url="imaps://me@host/Motion" imap --once
	expect_contains "$(cat "$T_ERR")" "put the user in [imap] user"
	expect_status 1 hearth -c imap.password_file=nosuch imap --once
	expect_contains "$(cat "$T_ERR")" "password_file"
	expect_status 1 hearth -c imap.interval=soon imap --once
	expect_contains "$(cat "$T_ERR")" "interval 'soon'"
	expect_status 1 hearth -c "imap.subject={sensor} at {time:%H:%M}" imap --once
	expect_contains "$(cat "$T_ERR")" "year, a month, a day and an hour"
	expect_status 1 hearth -c imap.timezone=Mars/Base imap --once
	expect_contains "$(cat "$T_ERR")" "no such zone"
	expect_status 1 hearth -c imap.table=nosuch imap --once
	expect_contains "$(cat "$T_ERR")" "table 'nosuch' does not exist"
	expect_status 2 hearth imap --bogus
}

test_uidvalidity_change() {
	setup uidv
	dv_deliver "'A' sensed motion: November 23, 2014 at 10:15PM"
	expect_status 0 hearth imap --once
	dv_deliver "'B' sensed motion: November 23, 2014 at 10:16PM"
	dv_deliver "'C' sensed motion: November 23, 2014 at 10:17PM"
	local rc=0
	HEARTH_TEST_IMAP_CRASH=stored hearth imap --once >/dev/null 2>&1 || rc=$?
	expect_eq "$rc" 137
	expect_eq "$(dv_count_unseen)" 2 "stored but not flagged"
	# The server forgets its UID list: new UIDVALIDITY, UIDs from 1.
	sleep 1.1
	rm -f "$DV_MAILDIR/.Motion/dovecot-uidlist" "$DV_MAILDIR/.Motion"/dovecot.index*
	expect_status 0 hearth imap --once
	expect_contains "$(cat "$T_ERR")" "UIDVALIDITY of Motion changed"
	expect_contains "$(cat "$T_OUT")" "0 new events, 2 duplicates"
	expect_eq "$(rows)" "2014-11-23 22:15:00|A
2014-11-23 22:16:00|B
2014-11-23 22:17:00|C"
	expect_eq "$(dv_count_unseen)" 0
}

test_imaps_verified() {
	setup tls
	dv_deliver "'Hall' sensed motion: November 23, 2014 at 10:15PM"
	sed -i "s|^url = .*|url = imaps://localhost:$DV_TLS_PORT/Motion|" hearth.ini
	expect_status 1 hearth imap --once
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "TLS certificate not trusted"
	expect_eq "$(dv_count_unseen)" 1
	expect_status 0 hearth -c imap.ca_file="$DV_DIR/cert.pem" imap --once
	expect_eq "$(nrows)" 1
	# The certificate is for localhost, not 127.0.0.1.
	expect_status 1 hearth -c imap.ca_file="$DV_DIR/cert.pem" -c imap.url="imaps://127.0.0.1:$DV_TLS_PORT/Motion" imap --once
	expect_contains "$(cat "$T_ERR")" "not trusted"
	expect_status 0 hearth -c imap.tls_verify=no -c imap.url="imaps://127.0.0.1:$DV_TLS_PORT/Motion" imap --once
}

# imap:// with STARTTLS: verified like imaps://.
test_starttls() {
	setup starttls "starttls = yes"
	dv_deliver "'Hall' sensed motion: November 23, 2014 at 10:15PM"
	sed -i "s|^url = .*|url = imap://localhost:$DV_PORT/Motion|" hearth.ini
	expect_status 1 hearth imap --once
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "TLS certificate not trusted"
	expect_status 0 hearth -c imap.ca_file="$DV_DIR/cert.pem" imap --once
	expect_eq "$(nrows)" 1
	expect_status 1 hearth -c imap.starttls=maybe imap --once
	expect_contains "$(cat "$T_ERR")" "want auto, yes or no"
}

test_xoauth2() {
	setup oauth
	sed -i '/^password_file/d' hearth.ini
	echo "oauth2_token_file = token" >>hearth.ini
	dv_deliver "'Hall' sensed motion: November 23, 2014 at 10:15PM"
	dv_token oauth >token
	expect_status 0 hearth imap --once
	expect_eq "$(nrows)" 1
	# Bad tokens tried: expired, signed for another user, not a JWT.
	dv_deliver "'Hall' sensed motion: November 23, 2014 at 10:16PM"
	for bad in "$(dv_token oauth -120)" "$(dv_token someoneelse)" "not-a-token"; do
		echo "$bad" >token
		expect_status 1 hearth imap --once
		one_line "$T_ERR"
		expect_contains "$(cat "$T_ERR")" "login as oauth (XOAUTH2)"
	done
	expect_eq "$(nrows)" 1
	expect_eq "$(dv_count_unseen)" 1
	echo "x" >imap.secret
	expect_status 1 hearth -c imap.password_file=imap.secret imap --once
	expect_contains "$(cat "$T_ERR")" "not both"
}

# Dovecot sends header fields as literals ({n} CRLF bytes).  hearth reads
# them whole, a folded 1,500-byte subject too; libcurl 7.88's custom
# FETCH, which hearth does not use for that reason, drops them.
test_literals_read_whole() {
	setup literal
	local long
	long=$(printf 'Sensor%.0s' $(seq 1 200))
	dv_deliver "'$long'\r\n sensed motion: November 23, 2014 at 10:15PM"
	expect_status 0 hearth imap --once
	expect_eq "$(dbq "SELECT length(r_s_name) FROM motion")" 1200
	out=$(curl -s --max-time 10 "imap://127.0.0.1:$DV_PORT/Motion" -u "literal:$DV_PASS" \
		-X 'UID FETCH 1:* BODY.PEEK[HEADER.FIELDS (SUBJECT)]' || true)
	expect_contains "$out" "BODY[HEADER.FIELDS (SUBJECT)] {"
	case "$out" in
	*"sensed motion"*) fail "libcurl now returns FETCH literals; revisit the choice in src/lib/sources/imapc.h" ;;
	esac
}

# A Gmail label with non-ASCII letters is a folder whose IMAP name is
# modified UTF-7; the URL may spell it in UTF-8 or percent-encoded.
test_non_ascii_folder() {
	setup folder
	local box="$DV_MAILDIR/.Bewegung K&APw-che"
	mkdir -p "$box/cur" "$box/new" "$box/tmp"
	printf "Subject: 'Hall' sensed motion: November 23, 2014 at 10:15PM\r\nMessage-ID: <f1@test.invalid>\r\n\r\nx\r\n" >"$box/new/1.f1.hearth-test"
	chown -R "$DV_MAILUSER" "$box"
	expect_status 0 hearth -c imap.url="imap://127.0.0.1:$DV_PORT/Bewegung Küche" imap --once
	expect_eq "$(nrows)" 1
	expect_status 0 hearth -c imap.url="imap://127.0.0.1:$DV_PORT/Bewegung%20K%C3%BCche" imap --once
	expect_contains "$(cat "$T_OUT")" "0 unread mails"
	expect_status 1 hearth -c imap.url="imap://127.0.0.1:$DV_PORT/K%FCche" imap --once
	expect_contains "$(cat "$T_ERR")" "not UTF-8"
}

# Without --once: a poll every interval until SIGTERM, exit 0.
test_loop_until_sigterm() {
	setup loop "interval = 1s"
	dv_deliver "'Hall' sensed motion: November 23, 2014 at 10:15PM"
	"$HEARTH" imap >loop.out 2>loop.err &
	local pid=$!
	trap "kill $pid 2>/dev/null || true" EXIT
	for _ in $(seq 1 50); do
		[ "$(nrows)" = 1 ] && break
		sleep 0.1
	done
	dv_deliver "'Hall' sensed motion: November 23, 2014 at 10:16PM"
	for _ in $(seq 1 50); do
		[ "$(nrows)" = 2 ] && break
		sleep 0.1
	done
	kill -TERM $pid
	local rc=0
	wait $pid || rc=$?
	expect_eq "$rc" 0 "exit status after SIGTERM"
	expect_eq "$(nrows)" 2
	expect_contains "$(cat loop.out)" "1 new events"
}

test_serve_polls_on_interval() {
	setup serve "interval = 1s"
	dv_deliver "'Hall' sensed motion: November 23, 2014 at 10:15PM"
	local port
	port=$(free_port)
	"$HEARTH" serve --listen "127.0.0.1:$port" >serve.log 2>&1 &
	local pid=$!
	trap "kill $pid 2>/dev/null || true" EXIT
	for _ in $(seq 1 50); do
		[ "$(nrows)" = 1 ] && break
		sleep 0.1
	done
	expect_eq "$(nrows)" 1
	dv_deliver "'Porch' sensed motion: November 23, 2014 at 10:16PM"
	dv_deliver "not a motion mail"
	for _ in $(seq 1 50); do
		[ "$(nrows)" = 2 ] && break
		sleep 0.1
	done
	# The dashboard shows the last poll: the one after, which found
	# nothing new (a second a poll, 20 s at most).
	for _ in $(seq 1 200); do
		page=$(curl -s "http://127.0.0.1:$port/")
		case "$page" in *"<td>poll.imap.result</td><td>0 new events"*) break ;; esac
		sleep 0.1
	done
	expect_contains "$page" "<td>poll.imap.result</td><td>0 new events, 0 duplicates, 1 rejected"
	expect_contains "$page" "<td>poll.imap.time</td>"
	kill $pid
	wait $pid || true
	expect_eq "$(nrows)" 2
	expect_contains "$(hearth kv get poll.imap.result)" "rejected"
	expect_eq "$(grep -c 'left unread' serve.log)" 1 "reject reported once in the serve log"
}

t_main
