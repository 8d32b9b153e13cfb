# pg.sh - a private PostgreSQL server for tests and benchmarks, sourced by
# tests/e2e/test_pg*.sh and bench/bench_*pg*.sh.
#
#   pg_start DIR        initdb and start it on 127.0.0.1:$PG_PORT (and a
#                       socket in $PG_SOCK); the superuser is "hearth",
#                       its password in $PG_PWFILE (TCP logins need it:
#                       scram-sha-256; the socket trusts)
#   pg_stop             stop it (pg_start registers it with at_exit when
#                       lib.sh is loaded); pg_resume starts it again
#   pg_createdb NAME    a new empty database; pg_url NAME its URL
#   pg_sql NAME SQL     run SQL in database NAME (psql, tab-separated,
#                       no headers)
#
# PostgreSQL refuses to run as root: run as root (CI), the server runs as
# the `postgres` system user the Debian package makes, in a directory it
# owns.

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
PG_PASS=pg-test-pw

pg_as() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	PG_DIR=$1
	mkdir -p "$PG_DIR"
	[ -x "$PG_BIN/initdb" ] || { echo "no PostgreSQL server (initdb) installed" >&2; return 1; }
	PG_SOCK=$PG_DIR/sock
	PG_PWFILE=$PG_DIR/pw
	mkdir -p "$PG_DIR/data" "$PG_SOCK" "$PG_DIR/log"
	printf '%s\n' "$PG_PASS" >"$PG_PWFILE"
	if [ "$(id -u)" -eq 0 ]; then
		chown -R postgres "$PG_DIR/data" "$PG_SOCK" "$PG_DIR/log"
		chmod 644 "$PG_PWFILE"
		local d=$PG_DIR
		while [ "$d" != / ]; do chmod o+x "$d" 2>/dev/null || true; d=$(dirname "$d"); done
	fi
	pg_initdb || return 1
	# A port found free may be taken before the server listens on it
	# (any connection's own end takes one from the same range): then
	# again, on another.
	local try
	for try in 1 2 3 4 5; do
		PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
		pg_launch && break
		if [ "$try" = 5 ] || ! grep -q 'Address already in use' "$PG_DIR/log/server.log"; then
			cat "$PG_DIR/log/server.log" >&2
			return 1
		fi
	done
	if command -v at_exit >/dev/null; then
		at_exit pg_stop
	fi
}

# pg_resume: start the server pg_start made again, after pg_stop, on
# the same port (the databases' URLs hold it).
pg_resume() {
	pg_launch || {
		cat "$PG_DIR/log/server.log" >&2
		return 1
	}
}

pg_launch() {
	# Loopback only; durability does not matter for tests.
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log/server.log" -w \
		-o "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$PG_SOCK -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
		start >/dev/null
}

# pg_initdb: a new cluster in $PG_DIR/data.  Under run.sh, which sets
# HEARTH_PG_CACHE (a directory of its own, removed when it ends), the
# first one is kept there and the next scripts copy it, stopped and
# clean as initdb left it: initdb takes seconds on a slow machine, a
# copy a fraction of that.
pg_initdb() {
	local c=${HEARTH_PG_CACHE:-}
	if [ -n "$c" ] && [ -f "$c/data/PG_VERSION" ]; then
		cp -a "$c/data/." "$PG_DIR/data/" && chmod 700 "$PG_DIR/data" && return 0
		echo "cannot copy the PostgreSQL cluster kept in $c" >&2
		return 1
	fi
	pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U hearth --pwfile="$PG_PWFILE" \
		--auth-local=trust --auth-host=scram-sha-256 -E UTF8 \
		--locale=C >"$PG_DIR/initdb.log" 2>&1 || {
		cat "$PG_DIR/initdb.log" >&2
		return 1
	}
	[ -n "$c" ] || return 0
	# Kept under another name first: a script that sees it there sees
	# all of it.
	mkdir -p "$c" && cp -a "$PG_DIR/data" "$c/data.$$" && mv "$c/data.$$" "$c/data"
	return 0
}

pg_stop() {
	[ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ] &&
		pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1
	return 0
}

pg_sql() {
	"$PG_BIN/psql" -X -q -A -t -F "$(printf '\t')" -v ON_ERROR_STOP=1 \
		-h "$PG_SOCK" -p "$PG_PORT" -U hearth -d "$1" -c "$2"
}

pg_createdb() {
	pg_sql postgres "CREATE DATABASE \"$1\""
}

pg_url() {
	echo "postgresql://hearth@127.0.0.1:$PG_PORT/$1"
}
