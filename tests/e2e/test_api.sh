#!/bin/bash
# test_api.sh - the HTTP API end to end: curl (and an InfluxDB client
# library) against `hearth serve` on a free loopback port, on SQLite and
# on PostgreSQL (lib.sh: the backend).
# backends: sqlite pg
. "$(dirname "$0")/lib.sh"

TOKEN=t0ken-for-the-tests-1
RTOKEN=read-t0ken-for-tests-2

# start_server [INI LINE...]: init a project here with a write token, add
# the lines to [serve], start serve; sets PORT, URL, SERVER_PID.
start_server() {
	local l
	t_init . >/dev/null
	token_here
	for l in "$@"; do
		sed -i "/^\[serve\]/a $l" hearth.ini
	done
	# EXTRA_INI: whole sections for the end of the file.
	[ -z "${EXTRA_INI:-}" ] || echo "$EXTRA_INI" >>hearth.ini
	serve_here
}

# stop_server: SIGTERM, and the server must exit cleanly (under the
# sanitizer build that includes no leaks).
stop_server() {
	local rc=0
	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID" || rc=$?
	[ "$rc" = 0 ] || fail "serve exited $rc: $(cat serve.log)"
}

# post PATH CONTENT-TYPE DATA [CURL ARGS...]: POST with the write token;
# sets CODE and BODY (and HDRS, the response headers).
post() {
	local path=$1 ct=$2 data=$3
	shift 3
	CODE=$(curl -s -o body.out -D hdrs.out -w '%{http_code}' -X POST \
		-H "Authorization: Bearer $TOKEN" -H "Content-Type: $ct" \
		--data-binary "$data" "$@" "$URL$path")
	BODY=$(cat body.out)
	HDRS=$(cat hdrs.out)
}

# get PATH [CURL ARGS...]: sets CODE and BODY.
get() {
	local path=$1
	shift
	CODE=$(curl -s -o body.out -D hdrs.out -w '%{http_code}' "$@" "$URL$path")
	BODY=$(cat body.out)
	HDRS=$(cat hdrs.out)
}

rows() { dbq "SELECT count(*) FROM ${1:-readings}"; }

# col_types TABLE COL...: NAME:TYPE of those columns, in the table's order.
col_types() {
	local t=$1 c
	shift
	for c in $(db_columns "$t"); do
		case " $* " in *" ${c%%:*} "*) echo "${c%:*}" ;; esac
	done | paste -sd' ' -
}

# head_raw PATH: "STATUS BYTES" of a HEAD request, BYTES what came after
# the headers before the server closed (curl -I would not read them).
head_raw() {
	python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"HEAD %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % sys.argv[2].encode())
data = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    data += d
head, _, rest = data.partition(b"\r\n\r\n")
print(head.split(b" ")[1].decode(), len(rest))' "$PORT" "$1"
}

test_json_object_and_array() {
	start_server
	post /api/v1/readings application/json '{"r_datetime":"2024-01-01T00:00:00Z","r_watts":100,"r_temp":20.5}'
	expect_eq "$CODE" 200 "status"
	expect_eq "$BODY" '{"table":"readings","rows":1}'
	post /api/v1/readings application/json '[{"r_datetime":1704067260,"r_watts":true},{"r_datetime":"2024-01-01 00:02:00","r_watts":false,"r_temp":null},{"r_watts":7}]'
	expect_eq "$CODE" 200 "status"
	expect_contains "$BODY" '"rows":3'
	expect_eq "$(dbl "SELECT r_datetime||'/'||r_watts||'/'||coalesce(CAST(r_temp AS TEXT),'-') FROM readings WHERE r_watts != 7 ORDER BY r_datetime" ' ')" \
		"2024-01-01 00:00:00/100/20.5 2024-01-01 00:01:00/1/- 2024-01-01 00:02:00/0/-"
	expect_eq "$(rows)" 4 "rows"
	# An object without the time column gets now.
	expect_eq "$(hearth query readings --since -1m --where r_watts=7 --format csv | tail -n +2 | wc -l)" 1 "rows of the last minute"
	stop_server
}

# Bad JSON bodies tried: nested object, nested array, an element that is
# not an object, a scalar body, malformed JSON, a string in an INTEGER
# column, an unknown key.  Each is a 400 naming element and key (or line
# and column), and stores nothing of its request.
test_json_errors() {
	start_server
	post /api/v1/readings application/json '[{"r_watts":1}]'
	expect_eq "$CODE" 200
	post /api/v1/readings application/json '[{"r_watts":2},{"r_watts":3},{"r_watts":{"v":1}}]'
	expect_eq "$CODE" 400 "nested object"
	expect_contains "$BODY" "element 2: key 'r_watts': nested values are not allowed"
	post /api/v1/readings application/json '[{"r_watts":2},{"r_temp":[1,2]}]'
	expect_eq "$CODE" 400 "nested array"
	expect_contains "$BODY" "element 1: key 'r_temp'"
	post /api/v1/readings application/json '[{"r_watts":2},5]'
	expect_eq "$CODE" 400 "non-object element"
	expect_contains "$BODY" "element 1: not an object"
	post /api/v1/readings application/json '42'
	expect_eq "$CODE" 400 "scalar"
	post /api/v1/readings application/json '[{"r_watts":2},'
	expect_eq "$CODE" 400 "malformed"
	expect_contains "$BODY" "line 1, column"
	post /api/v1/readings application/json '[{"r_watts":2},{"r_watts":"lots"}]'
	expect_eq "$CODE" 400 "type"
	expect_contains "$BODY" "element 1: column r_watts: 'lots' is not an integer"
	post /api/v1/readings application/json '[{"r_watts":2},{"r_wats":3}]'
	expect_eq "$CODE" 400 "unknown key"
	expect_contains "$BODY" "element 1: unknown column 'r_wats'"
	expect_contains "$BODY" "nothing stored"
	expect_eq "$(rows)" 1 "rows after bad requests"
	post /api/v1/nosuch application/json '{"a":1}'
	expect_eq "$CODE" 404 "unknown table"
	expect_contains "$BODY" "unknown table 'nosuch'"
	post /api/v1/hearth_kv application/json '{"key":"x"}'
	expect_eq "$CODE" 404 "internal table"
	post /api/v1/readings application/xml '<r/>'
	expect_eq "$CODE" 415 "content type"
	stop_server
}

# Bad CSV tried: a bad value on line 3, a short row on line 2, an unknown
# header column.
test_csv() {
	start_server
	post /api/v1/readings text/csv $'r_datetime,r_watts,r_temp\n2024-01-01 00:00:00,5,1.5\n2024-01-01T00:01:00Z,6,\n'
	expect_eq "$CODE" 200
	expect_contains "$BODY" '"rows":2'
	post /api/v1/readings text/csv $'r_datetime,r_watts\n2024-01-02 00:00:00,5\n2024-01-02 00:01:00,x\n'
	expect_eq "$CODE" 400
	expect_contains "$BODY" "line 3: column r_watts: 'x' is not an integer"
	post /api/v1/readings text/csv $'r_datetime,r_watts\n2024-01-02 00:00:00\n'
	expect_eq "$CODE" 400
	expect_contains "$BODY" "line 2: 1 fields, the header has 2"
	post /api/v1/readings text/csv $'r_datetime,volts\n2024-01-02 00:00:00,5\n'
	expect_eq "$CODE" 400
	expect_contains "$BODY" "unknown column 'volts'"
	expect_eq "$(rows)" 2 "rows"
	stop_server
}

test_line_protocol_v1_and_v2() {
	start_server
	post "/write?db=home&precision=s" text/plain $'readings r_watts=100i,r_temp=20.5 1704067200\nmotion r_s_name="Hallway" 1704067200\nreadings r_watts=101i 1704067260\n'
	expect_eq "$CODE" 204 "v1 status"
	expect_eq "$BODY" "" "v1 body"
	expect_contains "$HDRS" "X-Hearth-Rows: 3"
	post "/write?db=home&precision=ms" text/plain 'readings r_watts=102i 1704067320000'
	expect_eq "$CODE" 204
	post "/write?db=home" text/plain 'readings r_watts=103i 1704067380000000000'
	expect_eq "$CODE" 204 "default precision ns"
	# InfluxDB 1.x's minutes and hours (what influxdb-python sends for
	# time_precision='m' or 'h'), into a table of their own.
	post "/write?db=home&precision=m" text/plain 'motion r_s_name="m" 28401122'
	expect_eq "$CODE" 204 "precision m"
	post "/write?db=home&precision=h" text/plain 'motion r_s_name="h" 473352'
	expect_eq "$CODE" 204 "precision h"
	CODE=$(curl -s -o body.out -w '%{http_code}' -X POST -H "Authorization: Token $TOKEN" \
		--data-binary 'readings,r_s_name=x r_watts=1i 1704067440' \
		"$URL/api/v2/write?org=o&bucket=home&precision=s")
	expect_eq "$CODE" 400 "tag for a missing column"
	CODE=$(curl -s -o body.out -w '%{http_code}' -X POST -H "Authorization: Token $TOKEN" \
		--data-binary 'readings r_watts=104i 1704067440' \
		"$URL/api/v2/write?org=o&bucket=home&precision=s")
	expect_eq "$CODE" 204 "v2 status"
	expect_eq "$(dbl "SELECT r_datetime||'='||r_watts FROM readings ORDER BY r_datetime" ' ')" \
		"2024-01-01 00:00:00=100 2024-01-01 00:01:00=101 2024-01-01 00:02:00=102 2024-01-01 00:03:00=103 2024-01-01 00:04:00=104"
	expect_eq "$(dbl "SELECT r_datetime||'='||r_s_name FROM motion ORDER BY r_datetime, r_s_name" ' ')" \
		"2024-01-01 00:00:00=Hallway 2024-01-01 00:00:00=h 2024-01-01 00:02:00=m"
	# Line protocol to /api/v1/TABLE names that table only.
	post /api/v1/readings text/plain 'readings r_watts=105i 1704067500000000000'
	expect_eq "$CODE" 200
	post /api/v1/readings text/plain 'motion r_s_name="x" 1704067500000000000'
	expect_eq "$CODE" 400
	expect_contains "$BODY" "measurement 'motion' is not table 'readings'"
	stop_server
}

# Bad line protocol tried: unknown column (line 2), unknown measurement
# (line 3), a malformed line (line 2), a string into an INTEGER column, a
# bad precision, a brotli body.  400 (415 for brotli) with the line and
# the field, InfluxDB-style JSON, and none of the request's rows stored.
test_line_protocol_errors() {
	start_server
	post "/write?db=h&precision=s" text/plain $'readings r_watts=1i 1704067200\nreadings volts=3 1704067200\n'
	expect_eq "$CODE" 400
	expect_eq "$BODY" '{"error":"line 2: unknown column '"'"'volts'"'"' in table readings (nothing stored)"}'
	expect_contains "$HDRS" "X-Influxdb-Error: line 2"
	post "/write?db=h&precision=s" text/plain $'readings r_watts=1i\nreadings r_watts=2i\nkitchen t=1\n'
	expect_eq "$CODE" 400
	expect_contains "$BODY" "line 3: unknown table 'kitchen'"
	post "/write?db=h&precision=s" text/plain $'readings r_watts=1i\nreadings r_watts\n'
	expect_eq "$CODE" 400
	expect_contains "$BODY" "line 2"
	post "/write?db=h&precision=s" text/plain 'readings r_watts="high"'
	expect_eq "$CODE" 400
	expect_contains "$BODY" "column r_watts: 'high' is not an integer"
	post "/write?db=h&precision=d" text/plain 'readings r_watts=1i'
	expect_eq "$CODE" 400
	expect_contains "$BODY" "precision 'd': want ns, us, ms, s, m or h"
	post "/write?db=h" text/plain 'readings r_watts=1i' -H 'Content-Encoding: br'
	expect_eq "$CODE" 415
	expect_eq "$(rows)" 0 "rows"
	stop_server
}

# gzip bodies (Telegraf's default) on every write route, decompressed
# before the handler.  Bad ones tried: not gzip at all, a truncated
# stream, a flipped byte (CRC), trailing garbage, and a bomb that
# inflates past max_body: 400 (413 for the bomb), nothing stored.
test_gzip_bodies() {
	start_server "max_body = 100000"
	printf 'readings r_watts=1i 1704067200\nreadings r_watts=2i 1704067260\n' | gzip >a.gz
	post "/write?db=h&precision=s" text/plain @a.gz -H 'Content-Encoding: gzip'
	expect_eq "$CODE" 204 "v1 write"
	printf 'readings r_watts=3i 1704067320\n' | gzip >b.gz
	printf 'readings r_watts=4i 1704067380\n' | gzip >>b.gz
	post "/api/v2/write?bucket=h&precision=s" text/plain @b.gz -H 'Content-Encoding: x-gzip'
	expect_eq "$CODE" 204 "v2 write, two gzip members"
	printf 'r_datetime,r_watts\n2024-01-01T00:10:00Z,5\n' | gzip >c.gz
	post /api/v1/readings text/csv @c.gz -H 'Content-Encoding: gzip'
	expect_eq "$CODE" 200 "CSV"
	printf '{"r_datetime": "2024-01-01T00:11:00Z", "r_watts": 6}' | gzip >d.gz
	post /api/v1/readings application/json @d.gz -H 'Content-Encoding: gzip'
	expect_eq "$CODE" 200 "JSON"
	expect_eq "$(dbl 'SELECT r_watts FROM readings ORDER BY r_watts')" "1,2,3,4,5,6"
	post "/write?db=h" text/plain 'readings r_watts=7i' -H 'Content-Encoding: gzip'
	expect_eq "$CODE" 400 "not gzip"
	expect_contains "$BODY" "not valid gzip data"
	head -c 20 a.gz >trunc.gz
	post "/write?db=h" text/plain @trunc.gz -H 'Content-Encoding: gzip'
	expect_eq "$CODE" 400 "truncated"
	expect_contains "$BODY" "ends too early"
	python3 -c 'import sys; b = bytearray(open("a.gz", "rb").read()); b[-6] ^= 1; sys.stdout.buffer.write(b)' >crc.gz
	post "/write?db=h" text/plain @crc.gz -H 'Content-Encoding: gzip'
	expect_eq "$CODE" 400 "bad CRC"
	{ cat a.gz; echo garbage; } >tail.gz
	post "/write?db=h" text/plain @tail.gz -H 'Content-Encoding: gzip'
	expect_eq "$CODE" 400 "trailing garbage"
	head -c 5000000 /dev/zero | gzip >bomb.gz
	post "/write?db=h" text/plain @bomb.gz -H 'Content-Encoding: gzip'
	expect_eq "$CODE" 413 "gzip bomb"
	expect_contains "$BODY" "once decompressed"
	expect_eq "$(rows)" 6
	# Refused before any handler ran, and still counted: the five above.
	get /metrics
	expect_contains "$BODY" 'hearth_write_errors_total{table=""} 5'
	stop_server
}

test_tokens() {
	local basic
	start_server
	# Missing, wrong, wrong scheme and right-but-truncated tokens all get
	# the same 401 body.
	CODE=$(curl -s -o none.out -D none.hdr -w '%{http_code}' -X POST --data-binary 'readings r_watts=1i' "$URL/write")
	expect_eq "$CODE" 401 "no token"
	grep -q '^WWW-Authenticate: Bearer' none.hdr || fail "no WWW-Authenticate header"
	CODE=$(curl -s -o wrong.out -w '%{http_code}' -X POST -H "Authorization: Bearer wrong-token-xyz" --data-binary 'readings r_watts=1i' "$URL/write")
	expect_eq "$CODE" 401 "wrong token"
	CODE=$(curl -s -o short.out -w '%{http_code}' -X POST -H "Authorization: Bearer ${TOKEN%?}" --data-binary 'readings r_watts=1i' "$URL/write")
	expect_eq "$CODE" 401 "truncated token"
	CODE=$(curl -s -o long.out -w '%{http_code}' -X POST -H "Authorization: Bearer ${TOKEN}x" --data-binary 'readings r_watts=1i' "$URL/write")
	expect_eq "$CODE" 401 "longer token"
	CODE=$(curl -s -o scheme.out -w '%{http_code}' -X POST -H "Authorization: Digest $TOKEN" --data-binary 'readings r_watts=1i' "$URL/write")
	expect_eq "$CODE" 401 "other scheme"
	cmp -s none.out wrong.out && cmp -s none.out short.out && cmp -s none.out long.out && cmp -s none.out scheme.out ||
		fail "401 bodies differ: $(cat none.out wrong.out short.out long.out scheme.out)"
	CODE=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data-binary '{"r_watts":1}' "$URL/api/v1/readings?token=wrong-token-xyz")
	expect_eq "$CODE" 401 "wrong ?token="
	expect_eq "$(rows)" 0 "rows after refused writes"
	CODE=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data-binary '{"r_watts":1}' "$URL/api/v1/readings?token=$TOKEN")
	expect_eq "$CODE" 200 "?token="
	CODE=$(curl -s -o /dev/null -w '%{http_code}' -X POST -u "anyuser:$TOKEN" --data-binary 'readings r_watts=2i' "$URL/write?db=x")
	expect_eq "$CODE" 204 "basic auth"
	CODE=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary 'readings r_watts=3i' "$URL/write?db=x&u=me&p=$TOKEN")
	expect_eq "$CODE" 204 "?p="
	expect_eq "$(rows)" 3 "rows"
	# Reads are open without read_token_file.
	get /api/v1/readings
	expect_eq "$CODE" 200 "open read"
	stop_server
}

test_read_token_and_writes_disabled() {
	t_init . >/dev/null
	echo "$RTOKEN" >rtoken
	sed -i "/^\[serve\]/a read_token_file = rtoken" hearth.ini
	serve_here
	post "/write?db=x" text/plain 'readings r_watts=1i'
	expect_eq "$CODE" 403 "writes without write_token_file"
	expect_contains "$BODY" "writes disabled: set [serve] write_token_file"
	get /api/v1/readings
	expect_eq "$CODE" 401 "read without token"
	get /api/v1/tables
	expect_eq "$CODE" 401 "tables without token"
	get /metrics
	expect_eq "$CODE" 401 "metrics without token"
	get /api/v1/readings -H "Authorization: Bearer $RTOKEN"
	expect_eq "$CODE" 200 "read with token"
	get "/api/v1/tables?token=$RTOKEN"
	expect_eq "$CODE" 200 "tables with ?token="
	get /healthz
	expect_eq "$CODE" 200 "healthz stays open"
	stop_server
}

test_bad_token_file_stops_serve() {
	t_init . >/dev/null
	echo short >token
	sed -i 's/^; write_token_file.*/write_token_file = token/' hearth.ini
	expect_status 1 hearth serve --listen "127.0.0.1:$(free_port)"
	one_line "$T_ERR"
	expect_contains "$(cat "$T_ERR")" "write_token_file"
	rm token
	expect_status 1 hearth serve --listen "127.0.0.1:$(free_port)"
	expect_contains "$(cat "$T_ERR")" "No such file"
}

# Bodies tried over the limit: with Content-Length, and chunked (no
# length known up front).
test_body_limit() {
	local big
	start_server "max_body = 2000"
	big=$(for i in $(seq 1 200); do echo "readings r_watts=${i}i"; done)
	post "/write?db=x" text/plain "$big"
	expect_eq "$CODE" 413 "over the limit"
	expect_contains "$BODY" "larger than 2000 bytes"
	post "/write?db=x" text/plain "$big" -H "Transfer-Encoding: chunked"
	expect_eq "$CODE" 413 "chunked over the limit"
	expect_eq "$(rows)" 0 "rows"
	post "/write?db=x" text/plain "$(echo "$big" | head -50)"
	expect_eq "$CODE" 204 "under the limit"
	expect_eq "$(rows)" 50 "rows"
	stop_server
}

test_reads() {
	EXTRA_INI=$'[units]\nreadings.r_watts = kW' start_server
	post "/write?db=x&precision=s" text/plain $'readings r_watts=10i,r_temp=1 1704067200\nreadings r_watts=20i,r_temp=2 1704067500\nreadings r_watts=30i 1704070800\nreadings r_watts=40i 1704074400\n'
	expect_eq "$CODE" 204
	get "/api/v1/readings?since=2024-01-01T00:00:00Z&until=2024-01-01T01:00:00Z&format=csv"
	expect_eq "$CODE" 200
	expect_contains "$HDRS" "Content-Type: text/csv"
	expect_eq "$BODY" $'r_datetime,r_watts,r_temp\n2024-01-01 00:00:00,10,1\n2024-01-01 00:05:00,20,2\n2024-01-01 01:00:00,30,'
	# The same as the command line prints.
	expect_eq "$BODY" "$(hearth query readings --since 2024-01-01T00:00:00Z --until 2024-01-01T01:00:00Z --format csv)"
	get "/api/v1/readings?since=1704070800"
	expect_contains "$HDRS" "Content-Type: application/json"
	expect_eq "$(echo "$BODY" | tr -d '\n')" '[{"r_datetime":"2024-01-01T01:00:00Z","r_watts":30,"r_temp":null},{"r_datetime":"2024-01-01T02:00:00Z","r_watts":40,"r_temp":null}]'
	get "/api/v1/readings?bucket=1h&format=csv"
	expect_eq "$BODY" $'r_datetime,r_watts,r_temp\n2024-01-01T00:00:00Z,15,1.5\n2024-01-01T01:00:00Z,30,\n2024-01-01T02:00:00Z,40,'
	get "/api/v1/readings?bucket=1h&agg=max&since=2024-01-01&until=2024-01-01T00:59:00Z"
	expect_eq "$(echo "$BODY" | tr -d '\n')" '[{"r_datetime":"2024-01-01T00:00:00Z","r_watts":20,"r_temp":2}]'
	get "/api/v1/readings?bucket=1d&agg=count&format=csv"
	expect_eq "$BODY" $'r_datetime,count\n2024-01-01T00:00:00Z,4'
	get "/api/v1/readings?last=1&format=csv"
	expect_eq "$BODY" $'r_datetime,r_watts,r_temp\n2024-01-01 02:00:00,40,'
	# Bad reads tried: each is one 400 naming the parameter.
	get "/api/v1/readings?since=yesterdayish"
	expect_eq "$CODE" 400 "bad since"
	expect_contains "$BODY" "since:"
	get "/api/v1/readings?format=xml"
	expect_eq "$CODE" 400 "bad format"
	get "/api/v1/readings?bucket=5x"
	expect_eq "$CODE" 400 "bad bucket"
	expect_contains "$BODY" "bucket '5x'"
	get "/api/v1/readings?bucket=5m&agg=median"
	expect_eq "$CODE" 400 "bad agg"
	get "/api/v1/readings?agg=max"
	expect_eq "$CODE" 400 "agg without bucket"
	get /api/v1/nosuch
	expect_eq "$CODE" 404 "unknown table"
	get /api/v1/tables
	expect_eq "$CODE" 200
	echo "$BODY" | python3 -c '
import json, sys
t = {x["name"]: x for x in json.load(sys.stdin)}
assert set(t) == {"readings", "motion"}, t.keys()
r = t["readings"]
assert r["series"] and r["time_column"] == "r_datetime"
cols = {c["name"]: c for c in r["columns"]}
assert cols["r_watts"]["unit"] == "kW", cols            # [units] wins
assert cols["r_temp"]["unit"] == "\u00b0C", cols        # from the name
assert cols["r_datetime"]["kind"] == "time"
assert {c["name"]: c["kind"] for c in t["motion"]["columns"]}["r_s_name"] == "label"
' || fail "tables: $BODY"
	# /api/v1/tables/NAME reads NAME too: the way to a table named tables.
	get "/api/v1/tables/readings?last=1&format=csv"
	expect_eq "$BODY" $'r_datetime,r_watts,r_temp\n2024-01-01 02:00:00,40,'
	hearth sql "CREATE TABLE tables (t TIMESTAMP NOT NULL, v INTEGER)" >/dev/null
	post /api/v1/tables application/json '{"t": "2024-01-01T00:00:00Z", "v": 7}'
	expect_eq "$CODE" 200 "write to a table named tables"
	get "/api/v1/tables/tables?format=csv"
	expect_eq "$CODE" 200
	expect_eq "$BODY" $'t,v\n2024-01-01 00:00:00,7'
	get /api/v1/tables
	expect_contains "$BODY" '"name": "tables"'
	get /api/v1/tables/nosuch
	expect_eq "$CODE" 404 "unknown table under tables/"
	stop_server
}

test_metrics() {
	start_server
	hearth kv set poll.imap.time --type timestamp 2024-01-01T00:00:00Z
	hearth kv set poll.imap.error "login failed"
	hearth kv set poll.wemo.time --type timestamp 2024-01-01T00:00:00Z
	hearth kv set poll.wemo.error ""
	post "/write?db=x&precision=s" text/plain $'readings r_watts=1i 1704067200\nreadings r_watts=2i 1704067260\nmotion r_s_name="a" 1704067200\n'
	post "/write?db=x" text/plain 'readings volts=1'
	get /metrics
	expect_eq "$CODE" 200
	expect_contains "$BODY" 'hearth_rows_ingested_total{table="readings"} 2'
	expect_contains "$BODY" 'hearth_rows_ingested_total{table="motion"} 1'
	expect_contains "$BODY" 'hearth_write_errors_total{table=""} 1'
	expect_contains "$BODY" 'hearth_http_requests_total{route="/write",method="POST",code="204"} 1'
	expect_contains "$BODY" 'hearth_http_requests_total{route="/write",method="POST",code="400"} 1'
	expect_contains "$BODY" 'hearth_http_request_duration_seconds_count{route="/write",method="POST"} 2'
	expect_contains "$BODY" 'hearth_last_reading_time_seconds{table="readings"} 1704067260.000000'
	expect_contains "$BODY" 'hearth_last_reading_time_seconds{table="motion"} 1704067200.000000'
	expect_contains "$BODY" 'hearth_poll_last_time_seconds{poller="imap"} 1704067200.000'
	expect_contains "$BODY" 'hearth_poll_error{poller="imap"} 1'
	expect_contains "$BODY" 'hearth_poll_error{poller="wemo"} 0'
	size=$(echo "$BODY" | sed -n 's/^hearth_database_size_bytes //p')
	# SQLite: at least the file; PostgreSQL: what the server counts
	# (within a tenth: its maps grow on their own).
	if [ "$T_BACKEND" = pg ]; then
		local pgsize
		pgsize=$(dbq "SELECT pg_database_size(current_database())")
		[ "$((size * 10))" -ge "$((pgsize * 9))" ] && [ "$((size * 10))" -le "$((pgsize * 11))" ] ||
			fail "database size $size, the server says $pgsize"
	else
		[ "$size" -ge "$(stat -c %s hearth.db)" ] || fail "database size $size"
	fi
	stop_server
}

test_healthz_ping_query() {
	start_server
	get /healthz
	expect_eq "$CODE $BODY" "200 ok"
	get /ping
	expect_eq "$CODE" 204
	expect_contains "$HDRS" "X-Influxdb-Version"
	post "/query?q=CREATE+DATABASE+%22home%22" application/x-www-form-urlencoded ""
	expect_eq "$CODE" 200 "create database"
	post "/query" application/x-www-form-urlencoded 'q=SELECT * FROM readings'
	expect_eq "$CODE" 400 "influxql"
	expect_contains "$BODY" "does not run InfluxQL"
	# HEAD is GET without the body; a wrong method gets 405 and Allow.
	for p in /healthz /metrics /api/v1/tables /api/v1/readings /; do
		expect_eq "$(head_raw "$p")" "200 0" "HEAD $p: status, bytes after the headers"
	done
	get /api/v1/readings -X DELETE
	expect_eq "$CODE" 405 "DELETE a table"
	expect_contains "$HDRS" "Allow: GET, HEAD, POST"
	get /write
	expect_eq "$CODE" 405 "GET /write"
	expect_contains "$HDRS" "Allow: POST"
	post /healthz text/plain x
	expect_eq "$CODE" 405 "POST /healthz"
	expect_contains "$HDRS" "Allow: GET, HEAD"
	stop_server
}

# [serve] auto_columns = yes: new fields and tags become columns through a
# migration revision (in migrations/, applied, in the history).
test_auto_columns() {
	local nrev fields real
	start_server "auto_columns = yes"
	nrev=$(ls migrations | wc -l)
	post "/write?db=x&precision=s" text/plain $'readings,room=hall r_watts=5i,humidity=40.5,ok=true,note="hi" 1704067200\nreadings r_watts=6i,humidity=41 1704067260\n'
	expect_eq "$CODE" 204 "status: $BODY"
	expect_contains "$HDRS" "X-Hearth-Rows: 2"
	expect_eq "$(col_types readings room humidity ok note)" "room:TEXT humidity:REAL ok:INTEGER note:TEXT"
	expect_eq "$(hearth sql --format csv "SELECT room, humidity, ok, note FROM readings ORDER BY r_datetime")" \
		"$(printf 'room,humidity,ok,note\nhall,40.5,1,hi\n,41,,')"
	expect_eq "$(ls migrations | wc -l)" $((nrev + 1)) "revision files"
	rev=$(ls -t migrations | head -1)
	# REAL as the database spells it (PostgreSQL's real is float4)
	if [ "$T_BACKEND" = pg ]; then real="double precision"; else real=REAL; fi
	grep -q "ADD COLUMN \"humidity\" $real" "migrations/$rev" || fail "revision: $(cat "migrations/$rev")"
	grep -q 'DROP COLUMN "humidity"' "migrations/$rev" || fail "no down: $(cat "migrations/$rev")"
	expect_contains "$(hearth current)" "${rev%%_*}"
	expect_contains "$(hearth history)" "auto_columns: add readings.room"
	# Known columns now: no second revision.
	post "/write?db=x&precision=s" text/plain 'readings humidity=42 1704067320'
	expect_eq "$CODE" 204
	expect_eq "$(ls migrations | wc -l)" $((nrev + 1)) "revision files after a known column"
	# The rollups that serve built at start have the new numbers too.
	expect_eq "$(dbq "SELECT \"humidity:n\" || ' ' || \"humidity:sum\" || ' ' || \"ok:n\" || ' ' || \"r_watts:n\" FROM hearth_rollup_readings_h")" "3 123.5 1 2"
	get "/chart/readings.svg?since=2023-12-25T00:00:00Z&until=2024-01-02T00:00:00Z"
	expect_contains "$BODY" 'data-source="minute"'
	# The legend's newest r_watts is in an older bucket than humidity's.
	expect_contains "$BODY" 'r_watts (W): 6 W at 01 Jan 00:01'
	# Too many new columns at once: 400, no revision, nothing stored.
	fields=$(seq 1 40 | sed 's/.*/f&=1/' | paste -sd, -)
	post "/write?db=x" text/plain "readings $fields"
	expect_eq "$CODE" 400 "too many columns"
	expect_contains "$BODY" "more than 32 new columns"
	expect_eq "$(ls migrations | wc -l)" $((nrev + 1)) "revision files after refusal"
	# Names that will not do as columns: a control character (an escape
	# sequence), longer than 64 bytes.  400, no revision, nothing stored.
	post "/write?db=x" text/plain "$(printf 'readings r_watts=1i,x\033[2J=1')"
	expect_eq "$CODE" 400 "control character in a new column's name"
	expect_contains "$BODY" "new column 'x?[2J': it holds a control character"
	post "/write?db=x" text/plain "readings $(printf 'k%.0s' $(seq 1 65))=1"
	expect_eq "$CODE" 400 "a 65-byte name"
	expect_contains "$BODY" "longer than 64 bytes"
	post /api/v1/readings application/json "$(printf '{"r_watts": 1, "a\\nb": 2}')"
	expect_eq "$CODE" 400 "JSON key with a line break"
	expect_contains "$BODY" "element 0: new column 'a?b': it holds a control character"
	expect_eq "$(ls migrations | wc -l)" $((nrev + 1)) "revision files after bad names"
	# An unknown measurement is still an error: auto_tables is off.
	post "/write?db=x" text/plain 'kitchen t=1'
	expect_eq "$CODE" 400 "unknown table"
	expect_eq "$(rows)" 3
	# JSON keys too, typed by their values (120 and 0.5 make REAL); a key
	# that is only ever null says no type and stays an unknown column
	# (400, nothing stored).
	post /api/v1/readings application/json '[{"r_watts": 7, "lux": 120, "door": "open"}, {"r_watts": 8, "lux": 0.5, "moving": true}]'
	expect_eq "$CODE" 200 "JSON: $BODY"
	expect_eq "$(col_types readings lux door moving)" "lux:REAL door:TEXT moving:INTEGER"
	expect_eq "$(ls migrations | wc -l)" $((nrev + 2)) "revision files after JSON"
	expect_contains "$(hearth history)" "auto_columns: add readings.lux, readings.door, readings.moving"
	post /api/v1/readings application/json '{"r_watts": 9, "nothing": null}'
	expect_eq "$CODE" 400 "a null-only key"
	expect_contains "$BODY" "nothing"
	expect_eq "$(rows)" 5
	# Line protocol to the table's own route.  Found by sending random
	# requests: the new schema freed the table's name while the request
	# still used it (AddressSanitizer: heap-use-after-free).
	post /api/v1/readings text/plain 'readings pressure=1013.25 1704067400000000000'
	expect_eq "$CODE" 200 "line protocol to /api/v1/readings: $BODY"
	expect_eq "$BODY" '{"table":"readings","rows":1}'
	expect_eq "$(col_types readings pressure)" pressure:REAL
	expect_eq "$(ls migrations | wc -l)" $((nrev + 3)) "revision files after line protocol"
	expect_eq "$(rows)" 6
	# Eight requests at once name the same new field, and JSON the same
	# new key: each is stored, one revision adds each column.  (Those
	# that waited for the lock added it again, and failed with 503.)
	local i pids=""
	for i in $(seq 1 8); do
		curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
			--data-binary "readings,host=h$i r_watts=${i}i,fresh=1" "$URL/write?db=x" >"race$i.code" &
		pids="$pids $!"
		curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
			-H 'Content-Type: application/json' -d "{\"r_watts\": $i, \"freshj\": 1}" \
			"$URL/api/v1/readings" >"racej$i.code" &
		pids="$pids $!"
	done
	for i in $pids; do wait "$i"; done
	for i in $(seq 1 8); do
		expect_eq "$(cat "race$i.code") $(cat "racej$i.code")" "204 200" "request $i at once"
	done
	expect_eq "$(dbq "SELECT count(*) FROM readings WHERE fresh = 1 OR freshj = 1")" 16 "rows at once"
	expect_eq "$(ls migrations | wc -l)" $((nrev + 5)) "revision files after requests at once"
	stop_server
}

# [serve] auto_tables = yes: a measurement the database lacks becomes a
# table, through a migration revision, as InfluxDB makes measurements.
# Bad ones tried: a reserved name (hearth_, sqlite_), a control character
# in the name, a 65-byte name, a tag named like the time column, 33 new
# tables in one request, 129 columns in one; each a 400 with no revision
# and nothing stored.
test_auto_tables() {
	local nrev rev
	start_server "auto_tables = yes"
	nrev=$(ls migrations | wc -l)
	post "/write?db=telegraf&rp=autogen&precision=s&consistency=any" text/plain \
		$'cpu,host=a usage=1.5,n=3i 1704067200\ncpu,host=b usage=2i,up=true 1704067260\nreadings r_watts=5i 1704067200\n'
	expect_eq "$CODE" 204 "status: $BODY"
	expect_contains "$HDRS" "X-Hearth-Rows: 3"
	expect_eq "$(db_columns cpu)" \
		"time:TIMESTAMP:1 host:TEXT:0 usage:REAL:0 n:INTEGER:0 up:INTEGER:0"
	expect_eq "$(db_indexes cpu)" "cpu_time"
	expect_eq "$(ls migrations | wc -l)" $((nrev + 1)) "revision files"
	expect_contains "$(hearth history)" "auto_tables: create cpu"
	# Read back like any table, and listed with its series.
	get "/api/v1/cpu?since=2024-01-01T00:00:00Z&format=csv"
	expect_eq "$BODY" "$(printf 'time,host,usage,n,up\n2024-01-01 00:00:00,a,1.5,3,\n2024-01-01 00:01:00,b,2,,1')"
	expect_eq "$(dbl "SELECT $(db_typeof usage) FROM cpu ORDER BY time" ' ')" "real real" "2i in a REAL column"
	# Its rollups come with it, holding its rows: long charts of it are
	# fast at once, not after the next start.
	expect_eq "$(dbq "SELECT \"usage:n\" || ' ' || \"usage:sum\" || ' ' || \"n:n\" FROM hearth_rollup_cpu_h")" "2 3.5 1"
	get "/chart/cpu.svg?since=2023-12-25T00:00:00Z&until=2024-01-02T00:00:00Z"
	expect_contains "$BODY" 'data-source="minute"'
	get /api/v1/tables
	expect_contains "$BODY" '"cpu"'
	# One host's rows: a tag is a filter (not the time column, nor the
	# read's own arguments).
	get "/api/v1/cpu?since=2024-01-01T00:00:00Z&format=csv&host=b"
	expect_eq "$BODY" "$(printf 'time,host,usage,n,up\n2024-01-01 00:01:00,b,2,,1')"
	get "/api/v1/cpu?format=csv&host=a&n=3"
	expect_eq "$BODY" "$(printf 'time,host,usage,n,up\n2024-01-01 00:00:00,a,1.5,3,')"
	get "/api/v1/cpu?format=csv&host=c&time=x"
	expect_eq "$BODY" "time,host,usage,n,up"
	get "/chart/cpu.svg?since=2023-12-25T00:00:00Z&until=2024-01-02T00:00:00Z&host=b"
	expect_contains "$BODY" 'data-source="raw"'
	expect_contains "$BODY" 'aria-label="cpu (host=b)"'
	expect_contains "$BODY" 'data-rows="1"'
	# auto_columns is off: a new field of an existing table is still an
	# error, and the request stores nothing; the new table, made by a
	# revision of its own before the rows are written, stays.
	post "/write?db=x&precision=s" text/plain $'kitchen t=1 1704067200\nreadings,room=hall r_watts=1i 1704067200'
	expect_eq "$CODE" 400 "unknown column"
	expect_contains "$BODY" "unknown column 'room'"
	expect_eq "$(rows kitchen)" 0 "rows of a refused request"
	# Not to the route that names its table.
	post /api/v1/readings text/plain 'hall t=1'
	expect_eq "$CODE" 400 "line protocol for another table"
	expect_eq "$(db_has_table hall)" 0 "no table from /api/v1/readings"
	nrev=$(ls migrations | wc -l)
	post "/write?db=x" text/plain 'hearth_x v=1'
	expect_eq "$CODE" 400 "hearth_ name"
	expect_contains "$BODY" "new table 'hearth_x': the name is reserved"
	post "/write?db=x" text/plain 'sqlite_x v=1'
	expect_contains "$BODY" "new table 'sqlite_x': the name is reserved"
	post "/write?db=x" text/plain "$(printf 'a\033[2Jb v=1')"
	expect_eq "$CODE" 400 "control character"
	expect_contains "$BODY" "new table 'a?[2Jb': it holds a control character"
	post "/write?db=x" text/plain "$(printf 'm%.0s' $(seq 1 65)) v=1"
	expect_contains "$BODY" "longer than 64 bytes"
	post "/write?db=x" text/plain 'door,Time=x v=1'
	expect_eq "$CODE" 400 "a tag named time"
	expect_contains "$BODY" "new column 'Time': it is the new table's time column"
	post "/write?db=x" text/plain "$(for i in $(seq 1 33); do echo "t$i v=1"; done)"
	expect_eq "$CODE" 400 "33 tables"
	expect_contains "$BODY" "more than 32 new tables in one request"
	post "/write?db=x" text/plain "wide $(seq 1 129 | sed 's/.*/f&=1/' | paste -sd, -)"
	expect_eq "$CODE" 400 "129 columns"
	expect_contains "$BODY" "new column 'f129': more than 128 columns in a new table"
	expect_eq "$(ls migrations | wc -l)" "$nrev" "revision files after refusals"
	expect_eq "$(db_tables)" "cpu,kitchen,motion,readings" "tables"
	# A first batch the way Telegraf sends one: 12 measurements, each
	# with a host tag and 40 fields, in one request and one revision.
	post "/write?db=telegraf" text/plain "$(for m in $(seq 1 12); do
		echo "input$m,host=pi $(seq 1 40 | sed 's/.*/field&=1.5/' | paste -sd, -)"; done)"
	expect_eq "$CODE" 204 "a Telegraf batch: $BODY"
	expect_eq "$(db_columns input12 | wc -w)" 42 "columns of a new table"
	expect_eq "$(ls migrations | wc -l)" $((nrev + 1)) "one revision for the batch"
	stop_server
	# The revisions are migrations like any other: down drops the tables.
	hearth downgrade -3 --allow-data-loss >/dev/null
	expect_eq "$(db_has_table cpu)" 0 "after downgrade"
	hearth upgrade >/dev/null
	expect_eq "$(db_has_table cpu)" 1 "after upgrade"
	# With both on, one revision creates the table and adds the columns.
	sed -i "/^\[serve\]/a auto_columns = yes" hearth.ini
	serve_here
	post "/write?db=x&precision=s" text/plain $'cpu,host=a usage=1 1704067200\nreadings,room=hall r_watts=1i 1704067200\nhall lux=3i 1704067200'
	expect_eq "$CODE" 204 "both: $BODY"
	rev=$(ls -t migrations | head -1)
	expect_contains "$(hearth history)" "auto_tables: create hall; auto_columns: add readings.room"
	grep -q 'DROP TABLE "hall"' "migrations/$rev" || fail "no down: $(cat "migrations/$rev")"
	grep -q 'DROP COLUMN "room"' "migrations/$rev" || fail "no down: $(cat "migrations/$rev")"
	stop_server
}

# Four writers at once, 25 requests of 40 rows each: every row arrives.
test_concurrent_writers() {
	local w pids=""
	start_server
	for w in 1 2 3 4; do
		(
			for r in $(seq 1 25); do
				body=$(for i in $(seq 1 40); do echo "readings r_watts=${w}${r}${i}i,r_temp=$w"; done)
				code=$(curl -s -o /dev/null -w '%{http_code}' -X POST \
					-H "Authorization: Bearer $TOKEN" --data-binary "$body" "$URL/write?db=x")
				[ "$code" = 204 ] || { echo "writer $w request $r: $code" >&2; exit 1; }
			done
		) &
		pids="$pids $!"
	done
	for w in $pids; do wait "$w" || fail "a writer failed"; done
	expect_eq "$(rows)" 4000 "rows"
	for w in 1 2 3 4; do
		expect_eq "$(dbq "SELECT count(*) FROM readings WHERE r_temp = $w")" 1000 "writer $w rows"
	done
	expect_contains "$(curl -s "$URL/metrics")" 'hearth_rows_ingested_total{table="readings"} 4000'
	stop_server
}

# A write that waits for the database holds back no other client.  Two
# connections are opened together on a server with two HTTP threads;
# another program holds the database's write lock.  The first sends a
# write, which waits; the second, sent after, is answered while the
# first is still waiting, so each went to a thread of its own.  (With
# libmicrohttpd's own pool, one thread often took both and the second
# waited for the first.)  Then the lock goes and the write is stored.
blocked_py='
import os, select, socket, sys, time
port, token = int(sys.argv[1]), sys.argv[2]
a = socket.create_connection(("127.0.0.1", port), timeout=30)
b = socket.create_connection(("127.0.0.1", port), timeout=30)
time.sleep(0.3)  # both accepted before either sends
body = b"readings r_watts=7i 1700000000000000000\n"
a.sendall(b"POST /write?db=x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
          + token.encode() + b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
time.sleep(0.5)  # the write is waiting for the lock
b.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
b.settimeout(5)
try:
    got = b.recv(4096)
except socket.timeout:
    got = b""
if not got.startswith(b"HTTP/1.1 200"):
    sys.exit("the second connection was not answered while the write waited: %r" % got[:80])
if select.select([a], [], [], 0)[0]:
    sys.exit("the write was answered before the lock went: %r" % a.recv(200)[:80])
open("release", "w").close()
a.settimeout(30)
got = a.recv(4096)
if not got.startswith(b"HTTP/1.1 204"):
    sys.exit("the write: %r" % got[:200])
'
test_waiting_write_holds_back_no_other_client() {
	t_init . >/dev/null
	token_here
	PORT=$(free_port)
	URL=http://127.0.0.1:$PORT
	"$HEARTH" serve --threads 2 --listen "127.0.0.1:$PORT" >serve.log 2>&1 &
	SERVER_PID=$!
	trap 'kill -9 $SERVER_PID 2>/dev/null || true' EXIT
	wait_http "$URL/healthz" 20
	# SQLite: the database's write lock; PostgreSQL: the table's lock
	# that INSERTs wait for (reads do not).
	{
		if [ "$T_BACKEND" = pg ]; then
			echo 'BEGIN; LOCK TABLE readings IN EXCLUSIVE MODE;'
			echo '\! touch locked'
		else
			echo 'BEGIN IMMEDIATE;'
			echo '.shell touch locked'
		fi
		while [ ! -e release ]; do sleep 0.02; done
		echo 'ROLLBACK;'
	} | dbq &
	local locker=$!
	wait_file locked 20
	local rc=0
	python3 -c "$blocked_py" "$PORT" "$TOKEN" || rc=$?
	touch release
	wait "$locker"
	[ "$rc" = 0 ] || fail "a waiting write held back another client"
	expect_eq "$(rows)" 1 "rows"
	stop_server
}

# db_intact: the database is whole after a kill -9 (SQLite's check of its
# file; PostgreSQL's of the table's index, amcheck).
db_intact() {
	if [ "$T_BACKEND" = pg ]; then
		dbq "CREATE EXTENSION IF NOT EXISTS amcheck; SELECT bt_index_check('readings_r_datetime', true)" >/dev/null ||
			fail "amcheck: the index of readings is not whole"
	else
		expect_eq "$(dbq 'PRAGMA integrity_check')" ok
	fi
}

# kill -9 right after the response: the rows are there.
test_kill_after_response() {
	start_server
	body=$(seq 1 1000 | sed 's/.*/readings r_watts=&i/')
	post "/write?db=x" text/plain "$body"
	expect_eq "$CODE" 204
	kill -9 "$SERVER_PID"
	wait "$SERVER_PID" 2>/dev/null || true
	expect_eq "$(rows)" 1000 "rows after kill -9"
	db_intact
}

# kill -9 while a big request is being stored: none or all of its rows.
# 200,000 lines (7 MB) stream through import under the write lock;
# 100,000 (3.5 MB) are staged first (parsed before the lock is taken).
test_kill_during_write() {
	local delay n code want spec
	for spec in 0.05:200000 0.4:200000 0.8:200000 0.05:100000 0.3:100000 0.6:100000; do
		delay=${spec%:*}
		want=${spec#*:}
		rm -rf ./* 2>/dev/null || true
		t_db_reset
		seq 1 "$want" | sed 's/.*/readings r_watts=&i,r_temp=0.5/' >"../big-$T_NAME.lp"
		start_server
		curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
			--data-binary @"../big-$T_NAME.lp" "$URL/write?db=x" >code.out 2>/dev/null &
		sleep "$delay"
		kill -9 "$SERVER_PID"
		wait "$SERVER_PID" 2>/dev/null || true
		wait || true
		code=$(cat code.out)
		n=$(rows)
		echo "  kill -9 after ${delay}s ($want lines): http '$code', $n rows" >&2
		case "$n" in
		0) [ "$code" != 204 ] || fail "got 204 but no rows (delay $delay)" ;;
		"$want") ;;
		*) fail "$n rows after kill -9 at ${delay}s: want 0 or $want" ;;
		esac
		db_intact
	done
	rm -f "../big-$T_NAME.lp"
}

# 600 random, mostly hostile requests (hostile_http.py says which kinds):
# every one answered, none with a 5xx; the rows already stored are all
# still there, and the table grew by exactly the rows the answers said
# were stored.  With auto_columns, so that writes change the schema too.
test_hostile_requests() {
	start_server "auto_columns = yes"
	post /api/v1/readings text/csv "$(echo r_datetime,r_watts; for i in $(seq 10 59); do echo "2014-11-23 10:$i:00,$i"; done)"
	expect_eq "$BODY" '{"table":"readings","rows":50}' "seed rows"
	local before out
	before=$(($(rows) + $(rows motion)))
	out=$(python3 "$HEARTH_TOP/tests/e2e/hostile_http.py" "$PORT" "$TOKEN" 600 1 2>hostile.err) ||
		fail "hostile requests: $(cat hostile.err); the server said: $(tail -n 5 serve.log)"
	expect_eq "$(dbq "SELECT count(*) FROM readings WHERE r_datetime >= '2014-11-23 10:00:00' AND r_datetime < '2014-11-23 11:00:00'")" 50 "seed rows kept"
	expect_eq "$(($(rows) + $(rows motion)))" "$((before + $(echo "$out" | awk '/^ROWS/ { print $2 }')))" \
		"rows stored ($out)"
	get /healthz
	expect_eq "$CODE" 200 "healthz after"
	# Made-up methods are counted, as "other": each one its own series
	# would grow the server's memory for as long as it runs.
	get /metrics
	expect_contains "$BODY" 'method="other"'
	case "$BODY" in *'method="X'*) fail "a made-up method became a label" ;; esac
	stop_server
}

# A large read streams: every row arrives, the server's peak memory grows
# by far less than the answer, and a client that hangs up halfway costs
# nothing (the next requests are served, the server stops cleanly).
# Slow readers tried: 20 at 2 KB/s, of which 16 hold every stream and the
# rest get 503; once they hang up, reads are served again.
test_large_read_streams() {
	local before after size i pids=""
	# AddressSanitizer holds freed memory back (256 MB) before reusing
	# it, and PostgreSQL's rows, one allocation each, fill that: a small
	# quarantine keeps the measure about hearth's own memory.
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=1" start_server
	python3 -c '
for i in range(1000000):
    print("readings r_watts=%di,r_temp=%d.5 %d" % (i, i % 40, 1704067200 + i))' >big.lp
	hearth import --quiet --precision s readings big.lp
	before=$(awk '/^VmHWM/ { print $2 }' "/proc/$SERVER_PID/status")
	get "/api/v1/readings?format=csv&since=2024-01-01T00:00:00Z"
	expect_eq "$CODE" 200
	size=$(stat -c %s body.out)
	expect_eq "$(wc -l <body.out)" 1000001 "CSV lines"
	expect_eq "$(tail -1 body.out)" "2024-01-12 13:46:39,999999,39.5" "last row"
	after=$(awk '/^VmHWM/ { print $2 }' "/proc/$SERVER_PID/status")
	echo "  CSV of $size bytes: peak RSS $before -> $after kB" >&2
	# ThreadSanitizer's shadow memory and its allocator's slow reuse
	# double the growth; the other builds check the bound.
	if [ "${HEARTH_SANITIZER:-}" = thread ]; then
		echo "  (bound not checked under ThreadSanitizer)" >&2
	else
		[ $(((after - before) * 1024)) -lt $((size / 2)) ] ||
			fail "peak memory grew by $((after - before)) kB for a $size-byte answer"
	fi
	get "/api/v1/readings?since=2024-01-01T00:00:00Z&bucket=1h&agg=max"
	expect_eq "$CODE" 200
	expect_eq "$(python3 -c 'import json,sys; print(len(json.load(open("body.out"))))')" 278 "hour buckets"
	curl -s "$URL/api/v1/readings?since=2024-01-01T00:00:00Z" | head -c 1000 >/dev/null || true
	get /healthz
	expect_eq "$CODE" 200 "after a client hung up"
	# HEAD starts the stream, which must end without a reader.
	expect_eq "$(head_raw "/api/v1/readings?format=csv&since=2024-01-01T00:00:00Z")" \
		"200 0" "HEAD of a stream"
	get /healthz
	expect_eq "$CODE" 200 "after a HEAD of a stream"
	# 20 readers at 2 KB/s: 16 streams hold, the others get 503 at once
	# (a stream of an earlier reader that is still ending counts too).
	# they must not outlive a failing test
	trap 'kill -9 $SERVER_PID ${SLOW_PIDS:-} 2>/dev/null || true' EXIT
	for i in $(seq 1 20); do
		curl -s --limit-rate 2K -o "slow$i.body" -w '%{http_code}' \
			"$URL/api/v1/readings?format=csv" >"slow$i.code" 2>&1 &
		pids="$pids $!"
		SLOW_PIDS=$pids
	done
	for i in $(seq 1 100); do
		grep -l 503 slow*.code >/dev/null 2>&1 && break
		sleep 0.1
	done
	grep -l 503 slow*.code >/dev/null 2>&1 ||
		for i in $(seq 1 20); do echo "  reader $i: '$(cat "slow$i.code")' $(stat -c %s "slow$i.body" 2>/dev/null)" >&2; done
	expect_contains "$(cat slow*.code)" 503 "reads beyond 16"
	expect_contains "$(cat $(grep -l 503 slow*.code | head -1 | sed 's/code$/body/'))" "16 reads already running"
	kill $pids 2>/dev/null || true # the 503 ones are done
	wait $pids 2>/dev/null || true
	# A stream sees its reader gone at its next write, which on a busy
	# machine (a PostgreSQL server, sanitizers) may be seconds away.
	for i in $(seq 1 300); do
		get "/api/v1/readings?since=2024-01-12T13:46:39Z"
		[ "$CODE" = 200 ] && break
		sleep 0.1
	done
	expect_eq "$CODE" 200 "reads after the slow readers hung up"
	get "/api/v1/readings?since=2024-01-12T13:46:39Z"
	expect_contains "$BODY" '"r_watts":999999'
	stop_server
}

# conns_py PORT LIMIT: of LIMIT + 1 idle connections from 127.0.0.1, one
# is closed unanswered (which one depends on the order the pool threads
# accept them in), while 127.0.0.2 (another client) is still served; once
# one is closed, 127.0.0.1 gets in again.
conns_py='
import socket, sys, time
port, limit = int(sys.argv[1]), int(sys.argv[2])
def conn(src):
    return socket.create_connection(("127.0.0.1", port), timeout=5,
                                    source_address=(src, 0))
def healthz(s):
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        return s.recv(100).split(b" ")[1:2] == [b"200"]
    except (ConnectionResetError, BrokenPipeError, IndexError):
        return False
held = [conn("127.0.0.1") for _ in range(limit + 1)]
served = [s for s in held if healthz(s)]
assert len(served) == limit, "%d of %d served" % (len(served), limit + 1)
assert healthz(conn("127.0.0.2")), "another address is locked out"
served.pop().close()
for _ in range(50):
    if healthz(conn("127.0.0.1")):
        break
    time.sleep(0.1)
else:
    raise SystemExit("no room again after a close")
'

# A client that leaks connections (bad values of the setting tried too:
# 0, 257, text).
test_connections_per_address() {
	local v
	for v in 0 257 many; do
		t_init . >/dev/null
		sed -i "/^\[serve\]/a max_connections_per_ip = $v" hearth.ini
		expect_status 1 hearth serve --listen "127.0.0.1:$(free_port)"
		one_line "$T_ERR"
		expect_contains "$(cat "$T_ERR")" "max_connections_per_ip '$v': want 1 to 256"
		rm -rf hearth.ini hearth.db schema.sql migrations
		t_db_reset
	done
	start_server "max_connections_per_ip = 5"
	python3 -c "$conns_py" "$PORT" 5 || fail "5 per address"
	stop_server
	rm -rf hearth.ini hearth.db schema.sql migrations
	t_db_reset
	start_server
	python3 -c "$conns_py" "$PORT" 64 || fail "64 per address by default"
	stop_server
}

# churn_py PORT LIMIT ROUNDS: a client at exactly its limit, on
# keep-alive connections, that closes one and opens another at once,
# ROUNDS times: every request on every connection is answered (the one
# closed must not still count).  Then, with LIMIT held, one more is
# closed unanswered, and the LIMIT are still served.
churn_py='
import socket, sys
port, limit, rounds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
def conn():
    return socket.create_connection(("127.0.0.1", port), timeout=30)
def get(s):
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data or not data.endswith(b"\n"):
            c = s.recv(4096)
            if not c:
                return False
            data += c
        return data.split(b" ")[1:2] == [b"200"]
    except (ConnectionResetError, BrokenPipeError, IndexError):
        return False
held = [conn() for _ in range(limit)]
bad = sum(not get(s) for s in held)
for r in range(rounds):
    i = r % limit
    held[i].close()
    held[i] = conn()
    bad += not get(held[i])
    bad += not get(held[(i + 1) % limit])
assert bad == 0, "%d of %d requests not answered" % (bad, limit + 2 * rounds)
over = conn()
assert not get(over), "a connection over the limit was served"
assert all(get(s) for s in held), "the held connections lost service"
'

# A client at its limit that reconnects (wrk -c64 did so, some 145
# refusals a second) is never refused; one over it is.
test_connections_at_the_limit_churn() {
	start_server "max_connections_per_ip = 8"
	python3 -c "$churn_py" "$PORT" 8 300 || fail "8 per address, churning"
	stop_server
	rm -rf hearth.ini hearth.db schema.sql migrations
	start_server
	python3 -c "$churn_py" "$PORT" 64 1000 || fail "64 per address, churning"
	stop_server
}

# A device picks its own addresses within its network's /64, so the
# per-client limit counts the /64: four addresses of one /64 get three
# connections served of a limit of three, an address of another /64 one
# more.  Run in a network namespace of the test's own, whose loopback
# holds fd00:1::/64 and fd00:2::/64: nothing outside it sees them.
test_connections_per_ipv6_network() {
	local out
	if ! unshare -n true 2>/dev/null || ! command -v ip >/dev/null; then
		t_skip "no network namespace here (unshare -n, iproute2)"
		return 0
	fi
	t_init . >/dev/null
	sed -i "/^\[serve\]/a max_connections_per_ip = 3" hearth.ini
	cat >conn6.py <<'PY'
import socket, sys
port = int(sys.argv[1])
def conn(src):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.settimeout(5)
    s.bind((src, 0))
    s.connect(("fd00:1::1", port))
    return s
def healthz(s):
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        return s.recv(100).split(b" ")[1:2] == [b"200"]
    except (ConnectionResetError, BrokenPipeError, IndexError, socket.timeout):
        return False
held = [conn("fd00:1::%x" % (0x10 + i)) for i in range(4)]
print("same", sum(healthz(s) for s in held))
print("other", healthz(conn("fd00:2::10")))
PY
	# PostgreSQL through its socket: the namespace's loopback is not
	# the one the server listens on.
	[ "$T_BACKEND" = sqlite ] ||
		export T_NS_DB="postgresql:///$T_DBNAME?host=$PG_SOCK&port=$PG_PORT&user=hearth"
	out=$(timeout 60 unshare -n bash -c '
		ip link set lo up
		ip -6 addr add fd00:1::1/64 dev lo nodad
		for i in 10 11 12 13; do ip -6 addr add fd00:1::$i/128 dev lo nodad; done
		ip -6 addr add fd00:2::10/128 dev lo nodad
		"$HEARTH" ${T_NS_DB:+--db "$T_NS_DB"} serve --listen "[fd00:1::1]:8080" >serve.log 2>&1 &
		pid=$!
		# Up when it says so: a connection to find out would count.
		for i in $(seq 1 100); do
			grep -q "^hearth: serving" serve.log && break
			sleep 0.1
		done
		python3 conn6.py 8080
		kill $pid
		wait $pid
		echo "serve exit $?"')
	expect_eq "$out" "$(printf 'same 3\nother True\nserve exit 0')" "served per /64"
}

# A client that sends a batch again (Telegraf retrying after a response
# it lost, with newer points added) into a table with a key: the rows it
# had are updated, not doubled and not refused.
test_batch_sent_again_into_keyed_table() {
	local power
	t_init . >/dev/null
	power='CREATE TABLE power (
    time TIMESTAMP NOT NULL,
    host TEXT NOT NULL,
    watts REAL,
    volts REAL,
    PRIMARY KEY (time, host)
);'
	echo "$power" >>schema.sql
	# Written by hand: the table is what matters here, test_migrate
	# covers --autogenerate.
	t_revision "power" "$power" 'DROP TABLE power;'
	hearth upgrade >/dev/null
	token_here
	serve_here
	post "/write?db=x&precision=s" text/plain $'power,host=a watts=5,volts=230 1704067200
power,host=b watts=7 1704067200
'
	expect_eq "$CODE" 204 "first: $BODY"
	post "/write?db=x&precision=s" text/plain $'power,host=a watts=5,volts=230 1704067200
power,host=b volts=231 1704067200
power,host=a watts=6 1704067260
'
	expect_eq "$CODE" 204 "again: $BODY"
	expect_contains "$HDRS" "X-Hearth-Rows: 3"
	expect_eq "$(hearth sql --format csv "SELECT host, watts, volts FROM power ORDER BY time, host")" \
		"$(printf 'host,watts,volts\na,5,230\nb,7,231\na,6,')"
	# The chart rollups count each row once.
	expect_eq "$(hearth sql --format csv "SELECT sum(\"watts:n\") AS n, sum(\"watts:sum\") AS s FROM hearth_rollup_power_m")" "$(printf 'n,s\n3,18')"
	# The same as JSON.
	post /api/v1/power application/json '[{"time": "2024-01-01T00:01:00Z", "host": "a", "volts": 229}]'
	expect_eq "$CODE" 200 "json: $BODY"
	expect_eq "$(hearth sql --format csv "SELECT watts, volts FROM power WHERE host = 'a' AND time > '2024-01-01 00:00:30'")" "$(printf 'watts,volts\n6,229')"
	stop_server
}

# Debian's python3-influxdb, as a user's script would call it.
test_influxdb_python_client() {
	start_server
	/usr/bin/python3 - "$PORT" "$TOKEN" <<'PY' || fail "write_points failed"
import sys
from influxdb import InfluxDBClient
c = InfluxDBClient(host="127.0.0.1", port=int(sys.argv[1]), username="sensor",
                   password=sys.argv[2], database="home")
ok = c.write_points([
    {"measurement": "readings", "time": "2024-01-01T00:00:00Z",
     "fields": {"r_watts": 1500, "r_temp": 21.5}},
    {"measurement": "readings", "time": 1704067260, "fields": {"r_watts": 1600}},
], time_precision="s")
assert ok is True, ok
ok = c.write_points([{"measurement": "motion", "time": "2024-01-01T00:02:00Z",
                      "fields": {"r_s_name": "Hallway"}}])
assert ok is True, ok
# the same client compressing, as gzip=True (Telegraf's default) does
z = InfluxDBClient(host="127.0.0.1", port=int(sys.argv[1]), username="sensor",
                   password=sys.argv[2], database="home", gzip=True)
ok = z.write_points([{"measurement": "readings", "time": 1704067320,
                      "fields": {"r_watts": 1700}}], time_precision="s")
assert ok is True, ok
PY
	expect_eq "$(dbl "SELECT r_datetime||'='||r_watts||'/'||coalesce(CAST(r_temp AS TEXT),'-') FROM readings ORDER BY r_datetime" ' ')" \
		"2024-01-01 00:00:00=1500/21.5 2024-01-01 00:01:00=1600/- 2024-01-01 00:02:00=1700/-"
	expect_eq "$(dbq "SELECT r_datetime||' '||r_s_name FROM motion")" "2024-01-01 00:02:00 Hallway"
	stop_server
}

t_main
