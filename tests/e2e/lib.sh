# lib.sh - sourced by every tests/e2e/test_*.sh.
#
# A script defines functions named test_*, then calls t_main, which runs
# each in its own subshell, with `set -e`, in a fresh empty directory, and
# prints "PASS e2e/SCRIPT/NAME" or "FAIL ...".  Helpers below print what
# went wrong on stderr.
set -u
HEARTH=${HEARTH:?set HEARTH to the hearth binary}
HEARTH_TOP=${HEARTH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
T_SCRIPT=$(basename "$0" .sh)
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/hearth-e2e.XXXXXX")
T_CLEANUP=""
trap 't_cleanup' EXIT

t_cleanup() {
	local c
	for c in $T_CLEANUP; do "$c" || true; done
	rm -rf "$T_TMP"
}

# at_exit FN: run FN when the script ends (servers to stop).
at_exit() { T_CLEANUP="$T_CLEANUP $1"; }

hearth() { "$HEARTH" "$@"; }

fail() {
	echo "  $T_NAME: $*" >&2
	exit 1
}

# expect_eq ACTUAL EXPECTED [WHAT]
expect_eq() {
	[ "$1" = "$2" ] || fail "${3:-value}: got '$1', want '$2'"
}

# expect_contains HAYSTACK NEEDLE [WHAT]
expect_contains() {
	case "$1" in *"$2"*) ;; *) fail "${3:-output} lacks '$2': '$1'" ;; esac
}

# expect_status CODE CMD...: run CMD, want exit CODE; stderr goes to $T_ERR
expect_status() {
	local want=$1 rc=0
	shift
	"$@" >"$T_OUT" 2>"$T_ERR" || rc=$?
	[ "$rc" = "$want" ] ||
		fail "'$*' exited $rc, want $want; stderr: $(cat "$T_ERR")"
}

# one_line FILE: the file has exactly one line (errors are one clear line)
one_line() {
	[ "$(wc -l <"$1")" -eq 1 ] || fail "want one line in $1, got: $(cat "$1")"
}

sql1() { sqlite3 "$1" "$2"; }

# The backend: a script whose header has the line "# backends: sqlite pg"
# runs twice in run.sh, the second time with HEARTH_TEST_BACKEND=pg: the
# same cases on a PostgreSQL server that t_main starts for the script,
# each test in a new database of its own.  In a test:
#   $T_DB        the test's database URL (sqlite:///hearth.db, relative
#                to the project directory, on SQLite)
#   t_init ARGS  hearth init ARGS on that database
#   dbq SQL      run SQL in it, rows '|'-separated (sqlite3's way); on
#                SQLite the file is $T_DBFILE (hearth.db), set it after
#                t_init of another directory
#   t_sqlite_only WHY || return 0   the case cannot apply to PostgreSQL
T_BACKEND=${HEARTH_TEST_BACKEND:-sqlite}
T_DB=sqlite:///hearth.db
T_DBFILE=hearth.db

t_init() { hearth --db "$T_DB" init "$@"; }

dbq() {
	if [ "$T_BACKEND" = pg ]; then
		PGOPTIONS="-c TimeZone=UTC -c DateStyle=ISO -c client_min_messages=warning" \
			"$PG_BIN/psql" -X -q -A -t -F '|' -v ON_ERROR_STOP=1 \
			-h "$PG_SOCK" -p "$PG_PORT" -U hearth -d "$T_DBNAME" -c "$1"
	else
		sqlite3 "$T_DBFILE" "$1"
	fi
}

t_sqlite_only() {
	[ "$T_BACKEND" = sqlite ] && return 0
	t_skip "SQLite only: $*"
	return 1
}

# t_backend_start: before the tests, the server a PostgreSQL run needs;
# 1 (and a SKIP line) when this machine has none.
t_backend_start() {
	[ "$T_BACKEND" = pg ] || return 0
	. "$HEARTH_TOP/tests/e2e/pg.sh"
	if [ ! -x "${PG_BIN:-}/initdb" ]; then
		echo "SKIP e2e/$T_SCRIPT: no PostgreSQL server installed (Debian package postgresql)"
		return 1
	fi
	pg_start "$T_TMP/pg" || exit 1
	printf '127.0.0.1:%s:*:hearth:%s\n' "$PG_PORT" "$PG_PASS" >"$T_TMP/pgpass"
	chmod 600 "$T_TMP/pgpass"
	export PGPASSFILE=$T_TMP/pgpass
}

t_main() {
	local f rc names
	names=$(grep -oE '^test_[A-Za-z0-9_]+ *\(\)' "$0" | sed 's/ *()//')
	t_backend_start || return 0
	for f in $names; do
		case "$f" in *${TCASE:-}*) ;; *) continue ;; esac
		mkdir -p "$T_TMP/$f"
		if [ "$T_BACKEND" = pg ]; then
			T_DBNAME=$f
			pg_createdb "$f" >/dev/null || exit 1
			T_DB=$(pg_url "$f")
		fi
		(
			set -e
			cd "$T_TMP/$f"
			T_NAME=$f
			T_OUT=$T_TMP/$f.out
			T_ERR=$T_TMP/$f.err
			"$f"
		)
		rc=$?
		if [ $rc -eq 0 ] && [ -f "$T_TMP/$f.skip" ]; then
			echo "SKIP e2e/$T_SCRIPT/$f: $(cat "$T_TMP/$f.skip")"
		elif [ $rc -eq 0 ]; then
			echo "PASS e2e/$T_SCRIPT/$f"
		else
			echo "FAIL e2e/$T_SCRIPT/$f"
		fi
	done
}

# t_skip REASON: this machine cannot run the test (say why); it is
# reported as SKIP, counted neither passed nor failed.  Return after it.
t_skip() {
	echo "$*" >"$T_TMP/$T_NAME.skip"
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL [SECONDS]: wait until URL answers (any status).
wait_http() {
	local i
	for i in $(seq 1 $((${2:-10} * 10))); do
		curl -s -o /dev/null "$1" && return 0
		sleep 0.1
	done
	fail "$1 did not answer"
}

# wait_file PATH [SECONDS]: wait until PATH exists (another process made it).
wait_file() {
	local i
	for i in $(seq 1 $((${2:-10} * 10))); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	fail "$1 did not appear"
}

# token_here: writes need $TOKEN (the script sets it), in the file token.
token_here() {
	echo "$TOKEN" >token
	sed -i 's/^; write_token_file.*/write_token_file = token/' hearth.ini
}

# serve_here: start serve on the project here (its output in serve.log);
# sets PORT, URL, SERVER_PID.  The server is killed if the test ends
# without stopping it.
serve_here() {
	PORT=$(free_port)
	URL=http://127.0.0.1:$PORT
	"$HEARTH" serve --listen "127.0.0.1:$PORT" >serve.log 2>&1 &
	SERVER_PID=$!
	trap 'kill -9 $SERVER_PID 2>/dev/null || true' EXIT
	wait_http "$URL/healthz" 20
}
