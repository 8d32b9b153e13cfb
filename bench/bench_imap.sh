#!/bin/bash
# bench_imap: time to ingest N waiting motion mails from a private Dovecot
# on loopback: `hearth imap --once` beside the classic setup's Python
# imaplib script (bench/classic_imap.py: a FETCH per mail, parse, a row per
# INSERT), each on its own copy of the same mailbox, in the same run.
#   BENCH_MAILS=10000 (default)
set -eu
mails=${BENCH_MAILS:-10000}
H=${HEARTH:?}
top=${HEARTH_TOP:?}
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/hearth-bench.XXXXXX")
. "$top/tests/e2e/dovecot.sh"
trap 'dovecot_stop; rm -rf "$T_TMP"' EXIT
cd "$T_TMP"
dovecot_start "$T_TMP/dovecot"

# N mails per user, written straight into the Maildir.
fill() {
	dv_user "$1"
	/usr/bin/python3 - "$DV_MAILDIR/.Motion/new" "$mails" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
months = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]
for i in range(n):
    h = i % 12 + 1
    subj = "'Sensor %d' sensed motion: %s %02d, 2019 at %02d:%02d%s" % (
        i % 9, months[i % 12], i % 28 + 1, h, i % 60, "AM" if i % 2 else "PM")
    with open(os.path.join(d, "%d.M%dP1.bench" % (1500000000 + i, i)), "w") as f:
        f.write("From: alerts@test.invalid\r\nTo: me@test.invalid\r\n"
                "Subject: %s\r\nMessage-ID: <%d@bench.invalid>\r\n"
                "Date: Sun, 23 Nov 2014 22:15:00 +0000\r\n\r\nmotion\r\n"
                % (subj, i))
PY
	chown -R "$DV_MAILUSER" "$DV_MAILDIR"
	# Let Dovecot index the folder first, so both clients find it
	# indexed and the timing is the client's work.
	/usr/bin/python3 -c "
import imaplib; m = imaplib.IMAP4('127.0.0.1', $DV_PORT)
m.login('$1', '$DV_PASS'); m.select('Motion', readonly=True); m.logout()"
}

echo "delivering $mails mails to two mailboxes..."
fill hearth
fill classic

"$H" init proj >/dev/null
echo "$DV_PASS" >proj/imap.secret
cat >>proj/hearth.ini <<INI
[imap]
url = imap://127.0.0.1:$DV_PORT/Motion
user = hearth
password_file = imap.secret
timezone = UTC
INI

timed() {
	/usr/bin/time -f "%e" -o tm.txt "$@" >/dev/null 2>run.err; [ -z "${BENCH_VERBOSE:-}" ] || /usr/bin/time -f "%e s, %U user %S sys" "$@" >/dev/null 2>&1 || { cat run.err >&2; exit 1; }
	cat tm.txt
}
s_h=$(timed "$H" --config proj/hearth.ini imap --once)
s_py=$(timed /usr/bin/python3 "$top/bench/classic_imap.py" "$DV_PORT" classic "$DV_PASS" Motion classic.db)

n_h=$(sqlite3 proj/hearth.db "SELECT count(*) FROM motion")
n_py=$(sqlite3 classic.db "SELECT count(*) FROM motion")
[ "$n_h" = "$mails" ] || { echo "hearth stored $n_h rows, want $mails" >&2; exit 1; }
[ "$n_py" = "$mails" ] || { echo "classic stored $n_py rows, want $mails" >&2; exit 1; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
printf "%-52s %10s %8s\n" "ingest of $mails waiting motion mails (Dovecot)" "mails/s" "seconds"
printf "%-52s %10s %8s\n" "hearth imap --once" "$(rate "$mails" "$s_h")" "$s_h"
printf "%-52s %10s %8s\n" "classic Python imaplib, FETCH per mail + INSERTs" "$(rate "$mails" "$s_py")" "$s_py"
