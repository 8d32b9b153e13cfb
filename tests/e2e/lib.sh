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

# Started in the background, run "$HEARTH" itself: `hearth ... &` is a
# subshell, and $! (what a kill then hits) is not hearth.
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
#   dbq SQL      run SQL in it (without SQL: what stdin says, as it
#                comes), rows '|'-separated (sqlite3's way); on
#                SQLite the file is $T_DBFILE (hearth.db), set it after
#                t_init of another directory
#   t_sqlite_only WHY || return 0   the case cannot apply to PostgreSQL
T_BACKEND=${HEARTH_TEST_BACKEND:-sqlite}
T_DB=sqlite:///hearth.db
T_DBFILE=hearth.db

t_init() { hearth --db "$T_DB" init "$@"; }

dbq() {
	if [ "$T_BACKEND" = pg ]; then
		# A time with its zone prints in UTC as "...:00+00": the zone
		# goes, as hearth reads it, so that it reads as SQLite's.
		(
			set -o pipefail
			PGOPTIONS="-c TimeZone=UTC -c DateStyle=ISO -c client_min_messages=warning" \
				"$PG_BIN/psql" -X -q -A -t -F '|' -v ON_ERROR_STOP=1 \
				-h "$PG_SOCK" -p "$PG_PORT" -U hearth -d "$T_DBNAME" ${1+-c "$1"} |
				sed -E 's/([0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?)\+00/\1/g'
		)
	else
		sqlite3 "$T_DBFILE" ${1+"$1"}
	fi
}

# dbl SQL [SEP]: dbq's rows joined into one line by SEP (default ','),
# as SQLite's group_concat (PostgreSQL's is string_agg).  Give the SQL
# an ORDER BY.
dbl() {
	dbq "$1" | awk -v sep="${2:-,}" 'NR > 1 { printf "%s", sep } { printf "%s", $0 } END { print "" }'
}

# dbq2 PG_SQL SQLITE_SQL: dbq of the statement for this backend, for
# what each database spells its own way (its catalog).
dbq2() {
	if [ "$T_BACKEND" = pg ]; then dbq "$1"; else dbq "$2"; fi
}

# db_tables: the database's tables other than hearth's own, by name,
# comma-separated.
db_tables() {
	dbq2 "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename NOT LIKE 'hearth%' ORDER BY tablename" \
		"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'hearth%' ORDER BY name" | paste -sd, -
}

# db_has_table NAME: 1 when the database has the table, else 0.
db_has_table() {
	dbq2 "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = '$1'" \
		"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '$1'"
}

# db_indexes TABLE: the names of its indexes, sorted, comma-separated.
db_indexes() {
	dbq2 "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = '$1' ORDER BY indexname" \
		"SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '$1' ORDER BY name" | paste -sd, -
}

# db_columns TABLE: its columns in order, NAME:TYPE:NOTNULL each, blank
# separated; TYPE as the CREATE or ALTER wrote it (PostgreSQL's own
# spelling of a type is turned back into schema.sql's: "timestamp with
# time zone" is TIMESTAMP, "integer" INTEGER, "double precision" REAL,
# and float4 FLOAT4, docs/migrations.md).
db_columns() {
	dbq2 "SELECT a.attname || ':' || upper(replace(replace(replace(format_type(a.atttypid, a.atttypmod), 'timestamp with time zone', 'timestamp'), 'real', 'float4'), 'double precision', 'real')) || ':' || CASE WHEN a.attnotnull THEN 1 ELSE 0 END
			FROM pg_attribute a WHERE a.attrelid = to_regclass(quote_ident('$1')) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum" \
		"SELECT name || ':' || type || ':' || \"notnull\" FROM pragma_table_info('$1') ORDER BY cid" | paste -sd' ' -
}

# db_typeof EXPR: an SQL expression for the type of the value of EXPR
# ("integer", "real", "text"): SQLite's typeof() says what a value is,
# PostgreSQL's pg_typeof() the column's type, which its values all have.
db_typeof() {
	if [ "$T_BACKEND" = pg ]; then
		# in SQLite's words: "real" for float4 and double precision
		echo "CASE WHEN pg_typeof($1) IN ('real'::regtype, 'double precision'::regtype) THEN 'real' WHEN pg_typeof($1) IN ('integer'::regtype, 'bigint'::regtype, 'smallint'::regtype) THEN 'integer' ELSE pg_typeof($1)::text END"
	else
		echo "typeof($1)"
	fi
}

# t_db_reset: the test's database empty again, as when the test began
# (the files of a SQLite one are the test's to remove).
t_db_reset() {
	[ "$T_BACKEND" = pg ] || return 0
	"$PG_BIN/psql" -X -q -h "$PG_SOCK" -p "$PG_PORT" -U hearth -d postgres \
		-c "DROP DATABASE \"$T_DBNAME\" WITH (FORCE)" -c "CREATE DATABASE \"$T_DBNAME\"" >/dev/null
}

# t_revision MSG UP DOWN: a revision written by hand (hearth revision
# -m MSG, its up and down SQL filled in), for hearth upgrade to apply.
t_revision() {
	local f
	f=$(hearth revision -m "$1" | sed 's/^revision [0-9a-f]*: //')
	[ -f "$f" ] || fail "hearth revision made no file: $f"
	python3 - "$f" "$2" "$3" <<'PY'
import re, sys
f, up, down = sys.argv[1:]
s = open(f).read()
s = re.sub(r"(?m)^-- up$", lambda m: "-- up\n" + up, s, count=1)
s = re.sub(r"(?m)^-- down$", lambda m: "-- down\n" + down, s, count=1)
open(f, "w").write(s)
PY
}

# t_copy_db NAME: a second database, a copy of the test's (schema and
# rows): its URL on stdout.  dbq_in NAME SQL queries it.
t_copy_db() {
	if [ "$T_BACKEND" = pg ]; then
		"$PG_BIN/psql" -X -q -h "$PG_SOCK" -p "$PG_PORT" -U hearth -d postgres \
			-c "CREATE DATABASE \"${T_DBNAME}_$1\" TEMPLATE \"$T_DBNAME\"" >/dev/null
		pg_url "${T_DBNAME}_$1"
	else
		cp "$T_DBFILE" "$1.db"
		echo "sqlite:///$1.db"
	fi
}

dbq_in() {
	if [ "$T_BACKEND" = pg ]; then
		T_DBNAME=${T_DBNAME}_$1 dbq "$2"
	else
		T_DBFILE=$1.db dbq "$2"
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
