# dovecot.sh - a private Dovecot for IMAP tests and benchmarks, sourced by
# tests/e2e/test_imap.sh and bench/bench_imap.sh.
#
#   dovecot_start DIR     start it (plain IMAP on $DV_PORT, IMAPS with a
#                         self-signed cert for "localhost" on $DV_TLS_PORT,
#                         CA in $DV_DIR/cert.pem); dovecot_stop stops it
#   dv_user NAME          a Maildir for user NAME holding a Motion folder;
#                         sets DV_MAILDIR.  Every user's password is
#                         $DV_PASS (a static passdb: a passwd-file edited
#                         twice in one second is not re-read)
#   dv_deliver SUBJECT [MESSAGE-ID]   put one unread mail into Motion
#   dv_token USER         an OAuth2 token Dovecot accepts (XOAUTH2)
#
# Dovecot runs as this user's own process with a generated config.  Run as
# root (CI), its login processes must not be root and neither may the mail
# user, so mail is owned by the `dovecot` system user then.

DV_PASS=pw-test
DV_JWT_KEY=hearth-test-jwt-key

dv_free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

dovecot_start() {
	DV_DIR=$1
	mkdir -p "$DV_DIR/run" "$DV_DIR/state" "$DV_DIR/mail"
	if [ "$(id -u)" -eq 0 ]; then
		DV_MAILUSER=dovecot
		DV_LOGIN=dovenull
		DV_INTERNAL=dovecot
		# The mail user must reach the directories on the way.
		d=$DV_DIR
		while [ "$d" != / ]; do chmod o+x "$d" 2>/dev/null || true; d=$(dirname "$d"); done
	else
		DV_MAILUSER=$(id -un)
		DV_LOGIN=$DV_MAILUSER
		DV_INTERNAL=$DV_MAILUSER
	fi
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
		-addext subjectAltName=DNS:localhost \
		-keyout "$DV_DIR/key.pem" -out "$DV_DIR/cert.pem" 2>/dev/null
	chmod 644 "$DV_DIR/key.pem"
	# XOAUTH2: Dovecot checks HS256-signed JWTs itself (no token
	# server); the key is base64 in a file named by azp/alg/kid.
	mkdir -p "$DV_DIR/keys/default/HS256"
	printf '%s' "$(printf '%s' "$DV_JWT_KEY" | base64)" \
		>"$DV_DIR/keys/default/HS256/default"
	chmod -R a+rX "$DV_DIR/keys"
	cat >"$DV_DIR/oauth2.conf" <<CONF
introspection_mode = local
local_validation_key_dict = fs:posix:prefix=$DV_DIR/keys/
username_attribute = sub
tokeninfo_url = http://127.0.0.1:1/unused
CONF
	# A port found free may be taken before Dovecot listens on it (any
	# connection's own end takes one from the same range): then again,
	# on two others.
	local try
	for try in 1 2 3 4 5; do
		DV_PORT=$(dv_free_port)
		DV_TLS_PORT=$(dv_free_port)
		dv_conf
		dv_run && return 0
		grep -q 'Address already in use' "$DV_DIR/dovecot.out" || break
	done
	echo "dovecot did not start: $(cat "$DV_DIR/dovecot.out" "$DV_DIR/dovecot.log" 2>/dev/null)" >&2
	return 1
}

# dv_conf: $DV_DIR/dovecot.conf, listening on $DV_PORT and $DV_TLS_PORT.
dv_conf() {
	cat >"$DV_DIR/dovecot.conf" <<CONF
base_dir = $DV_DIR/run
state_dir = $DV_DIR/state
log_path = $DV_DIR/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <$DV_DIR/cert.pem
ssl_key = <$DV_DIR/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2
default_internal_user = $DV_INTERNAL
default_internal_group = $(id -gn "$DV_INTERNAL")
default_login_user = $DV_LOGIN
first_valid_uid = 0
passdb {
  driver = oauth2
  mechanisms = xoauth2
  args = $DV_DIR/oauth2.conf
}
passdb {
  driver = static
  mechanisms = plain login
  args = password=$DV_PASS
}
userdb {
  driver = static
  args = uid=$DV_MAILUSER gid=$(id -gn "$DV_MAILUSER") home=$DV_DIR/home/%u
}
mail_location = maildir:$DV_DIR/mail/%u
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $DV_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $DV_TLS_PORT
    ssl = yes
  }
}
service anvil {
  chroot =
}
CONF
}

# dv_run: start Dovecot and wait until it answers; 1 when it ended or
# did not answer in 10 s (stopped then; $DV_DIR/dovecot.out says why).
dv_run() {
	# /usr/sbin may not be on a non-root PATH.
	"$(command -v dovecot || echo /usr/sbin/dovecot)" -c "$DV_DIR/dovecot.conf" -F \
		>"$DV_DIR/dovecot.out" 2>&1 &
	DV_PID=$!
	for _ in $(seq 1 100); do
		if /usr/bin/python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$DV_PORT),1)" 2>/dev/null; then
			return 0
		fi
		kill -0 "$DV_PID" 2>/dev/null || break
		sleep 0.1
	done
	dovecot_stop
	return 1
}

dovecot_stop() {
	[ -n "${DV_PID:-}" ] || return 0
	kill "$DV_PID" 2>/dev/null || true
	wait "$DV_PID" 2>/dev/null || true
	DV_PID=
}

dv_user() {
	DV_MAILDIR=$DV_DIR/mail/$1
	mkdir -p "$DV_MAILDIR/cur" "$DV_MAILDIR/new" "$DV_MAILDIR/tmp" \
		"$DV_MAILDIR/.Motion/cur" "$DV_MAILDIR/.Motion/new" \
		"$DV_MAILDIR/.Motion/tmp"
	chown -R "$DV_MAILUSER" "$DV_MAILDIR"
	DV_SEQ=0
}

# dv_deliver SUBJECT [MESSAGE-ID]: SUBJECT is written as given, so it may
# hold encoded words or a fold (CRLF + blank, written as \r\n in printf %b).
dv_deliver() {
	DV_SEQ=$((DV_SEQ + 1))
	local f="$(date +%s).M${DV_SEQ}P$$.hearth-test"
	local mid=${2:-<$DV_SEQ.$$.$(date +%s%N)@test.invalid>}
	{
		printf 'From: alerts@test.invalid\r\nTo: me@test.invalid\r\n'
		printf 'Subject: %b\r\n' "$1"
		[ "$mid" = none ] || printf 'Message-ID: %s\r\n' "$mid"
		printf 'Date: Sun, 23 Nov 2014 22:15:00 +0000\r\n\r\nmotion\r\n'
	} >"$DV_MAILDIR/.Motion/tmp/$f"
	chown "$DV_MAILUSER" "$DV_MAILDIR/.Motion/tmp/$f"
	mv "$DV_MAILDIR/.Motion/tmp/$f" "$DV_MAILDIR/.Motion/new/$f"
}

# dv_token USER [SECONDS]: an OAuth2 bearer token (JWT) for USER that
# expires in SECONDS (default 3600; negative: already expired).
dv_token() {
	/usr/bin/python3 - "$1" "${2:-3600}" "$DV_JWT_KEY" <<'PY'
import base64, hashlib, hmac, json, sys, time
b = lambda x: base64.urlsafe_b64encode(x).rstrip(b'=').decode()
now = int(time.time())
h = b(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
p = b(json.dumps({"sub": sys.argv[1], "iat": now - 60,
                  "exp": now + int(sys.argv[2])}).encode())
s = b(hmac.new(sys.argv[3].encode(), (h + "." + p).encode(),
               hashlib.sha256).digest())
print(h + "." + p + "." + s)
PY
}

# dv_count_seen / dv_count_unseen: mails in Motion with and without \Seen.
dv_count_seen() {
	find "$DV_MAILDIR/.Motion/cur" "$DV_MAILDIR/.Motion/new" -type f |
		grep -c ':2,[A-Za-z]*S' || true
}
dv_count_unseen() {
	find "$DV_MAILDIR/.Motion/cur" "$DV_MAILDIR/.Motion/new" -type f |
		grep -vc ':2,[A-Za-z]*S' || true
}
