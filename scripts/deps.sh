#!/bin/sh
# deps.sh build|test|bench|fuzz - install the Debian packages hearth needs that
# are missing, and say which.  Runs apt-get only when something is missing.
set -e
build="build-essential pkg-config libsqlite3-dev libmicrohttpd-dev libjansson-dev libssl-dev zlib1g-dev libpq-dev libmosquitto-dev"
test="$build libtsan2 sqlite3 python3 dovecot-imapd mosquitto mosquitto-clients openssl chromium fonts-dejavu-core tzdata curl procps python3-influxdb iproute2 postgresql systemd passwd"
bench="$test wrk hyperfine time bc influxdb"
fuzz="$build clang libclang-rt-dev"
case "$1" in
build) want=$build ;;
test) want=$test ;;
bench) want=$bench ;;
fuzz) want=$fuzz ;;
*) echo "usage: deps.sh build|test|bench|fuzz" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing missing Debian packages:$missing"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done"
