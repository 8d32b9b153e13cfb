#!/bin/sh
# install-service.sh - the systemd unit of `hearth serve` and its user,
# for `make install` (which passes these, each with a default):
#   DESTDIR     a staging root (packaging; empty: this system)
#   BINDIR      where hearth is installed, as the running system sees it
#   UNITDIR     where the unit goes (/usr/local/lib/systemd/system)
#   DATADIR     the data directory, the only one it may write (/var/lib/hearth)
#   HEARTH_USER the unprivileged user it runs as (hearth)
# The user (a system user and group, no login, home DATADIR) is created
# when missing: in this system's /etc/passwd, or, with DESTDIR, in
# DESTDIR/etc/passwd when that root has one (useradd --prefix).
set -eu
: "${DESTDIR:=}" "${BINDIR:?}" "${UNITDIR:?}" "${DATADIR:?}" "${HEARTH_USER:?}"
top=$(cd "$(dirname "$0")/.." && pwd)
case "$DATADIR" in
/var/lib/?*) statedir=${DATADIR#/var/lib/} ;;
*) echo "install-service: DATADIR must be under /var/lib (systemd's StateDirectory), not '$DATADIR'" >&2
   exit 1 ;;
esac

install -d "$DESTDIR$UNITDIR"
sed -e "s#@BINDIR@#$BINDIR#g" -e "s#@DATADIR@#$DATADIR#g" \
    -e "s#@STATEDIR@#$statedir#g" -e "s#@USER@#$HEARTH_USER#g" \
    "$top/dist/hearth.service.in" >"$DESTDIR$UNITDIR/hearth.service"
chmod 644 "$DESTDIR$UNITDIR/hearth.service"
echo "install-service: $DESTDIR$UNITDIR/hearth.service"

if [ -n "$DESTDIR" ]; then
	[ -f "$DESTDIR/etc/passwd" ] || exit 0
	prefix="--prefix $DESTDIR"
	has() { grep -q "^$1:" "$DESTDIR/etc/passwd"; }
else
	prefix=""
	has() { getent passwd "$1" >/dev/null; }
fi
if has "$HEARTH_USER"; then
	echo "install-service: user $HEARTH_USER exists"
elif [ "$(id -u)" -ne 0 ]; then
	echo "install-service: run as root to create the user $HEARTH_USER" >&2
	exit 1
else
	# shellcheck disable=SC2086
	useradd $prefix --system --user-group --home-dir "$DATADIR" \
		--no-create-home --shell /usr/sbin/nologin \
		--comment "hearth sensor logger" "$HEARTH_USER"
	echo "install-service: created user $HEARTH_USER"
fi
install -d -m 750 "$DESTDIR$DATADIR"
if [ -z "$DESTDIR" ] && [ "$(id -u)" -eq 0 ]; then
	chown "$HEARTH_USER:$HEARTH_USER" "$DATADIR"
fi
