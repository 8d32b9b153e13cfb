# mosquitto.sh - a private Mosquitto broker for MQTT tests and benchmarks,
# sourced by tests/e2e/test_mqtt.sh and bench/bench_mqtt.sh.
#
#   mosquitto_start DIR   start it with a config of its own in DIR (never
#                         the system service): plain MQTT on 127.0.0.1
#                         port $MQ_PORT, MQTT over TLS on $MQ_TLS_PORT with a
#                         self-signed certificate for "localhost" (CA in
#                         $MQ_DIR/cert.pem), and on $MQ_AUTH_PORT only user
#                         $MQ_USER with password $MQ_PASS; sessions and
#                         queued messages persist in DIR across restarts
#   mosquitto_stop        stop it (SIGTERM: it saves its sessions first)
#   mosquitto_restart     stop it and start it again on the same ports
#   mq_pub TOPIC PAYLOAD  publish with QoS 1; returns once the broker has
#                         acknowledged it (mosquitto_pub waits for PUBACK)

MQ_BIN=${MQ_BIN:-/usr/sbin/mosquitto}
MQ_USER=hearth
MQ_PASS=mq-test-pass

mq_free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

mq_wait_port() {
	local i
	for i in $(seq 1 100); do
		/usr/bin/python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1',$1)))" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "mosquitto did not listen on 127.0.0.1:$1: $(tail -n 5 "$MQ_DIR/log")" >&2
	return 1
}

mosquitto_start() {
	MQ_DIR=$1
	mkdir -p "$MQ_DIR"
	[ -n "${MQ_PORT:-}" ] || MQ_PORT=$(mq_free_port)
	[ -n "${MQ_TLS_PORT:-}" ] || MQ_TLS_PORT=$(mq_free_port)
	[ -n "${MQ_AUTH_PORT:-}" ] || MQ_AUTH_PORT=$(mq_free_port)
	[ -f "$MQ_DIR/passwd" ] || mosquitto_passwd -c -b "$MQ_DIR/passwd" "$MQ_USER" "$MQ_PASS" || return 1
	if [ ! -f "$MQ_DIR/cert.pem" ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
			-addext subjectAltName=DNS:localhost \
			-keyout "$MQ_DIR/key.pem" -out "$MQ_DIR/cert.pem" 2>/dev/null || return 1
	fi
	cat >"$MQ_DIR/mosquitto.conf" <<CONF
per_listener_settings true
persistence true
persistence_location $MQ_DIR/
autosave_interval 1
max_queued_messages 0
log_dest file $MQ_DIR/log
user $(id -un)
listener $MQ_PORT 127.0.0.1
allow_anonymous true
listener $MQ_TLS_PORT 127.0.0.1
allow_anonymous true
certfile $MQ_DIR/cert.pem
keyfile $MQ_DIR/key.pem
listener $MQ_AUTH_PORT 127.0.0.1
allow_anonymous false
password_file $MQ_DIR/passwd
CONF
	"$MQ_BIN" -c "$MQ_DIR/mosquitto.conf" >>"$MQ_DIR/out" 2>&1 &
	# In a file: a test's subshell may restart it, and the script's
	# exit must stop that one.
	echo $! >"$MQ_DIR/pid"
	mq_wait_port "$MQ_PORT"
}

mosquitto_stop() {
	local pid i
	[ -f "${MQ_DIR:-}/pid" ] || return 0
	pid=$(cat "$MQ_DIR/pid")
	rm -f "$MQ_DIR/pid"
	kill "$pid" 2>/dev/null || return 0
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.05
	done
	kill -9 "$pid" 2>/dev/null || true
}

mosquitto_restart() {
	mosquitto_stop
	mosquitto_start "$MQ_DIR"
}

mq_pub() {
	mosquitto_pub -h 127.0.0.1 -p "$MQ_PORT" -q 1 -i "pub-$$-$RANDOM" -t "$1" -m "$2"
}
