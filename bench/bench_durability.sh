#!/bin/bash
# bench_durability.sh - what [hearth] durability = full costs at ingest,
# beside normal (the default), in the same run on the same disk: rows/s
# of `hearth import` in 50,000-row transactions (a bulk load: one sync
# per transaction hardly shows) and in 100-row transactions (many small
# commits, as devices posting every few seconds make: a sync each).
#   BENCH_ROWS=1000000 (bulk), BENCH_SMALL_ROWS=100000 (small commits)
set -eu
H=${HEARTH:?}
rows=${BENCH_ROWS:-1000000}
small=${BENCH_SMALL_ROWS:-100000}
dir=$(mktemp -d "${TMPDIR:-/tmp}/hearth-bench-dur.XXXXXX")
trap 'rm -rf "$dir"' EXIT
cd "$dir"

gen() { awk -v n="$1" 'BEGIN { print "r_datetime,r_watts,r_temp";
	for (i = 0; i < n; i++) printf "%d,%d,%.1f\n", 1416780900 + i * 3, 200 + i % 3000, 15 + (i % 100) / 10 }'; }
gen "$rows" >bulk.csv
gen "$small" >small.csv

# run DURABILITY FILE BATCH ROWS -> rows/s
run() {
	local d="db.$1.$3" t0 t1
	rm -rf "$d"
	"$H" init "$d" >/dev/null
	t0=$(date +%s.%N)
	"$H" --config "$d/hearth.ini" -c hearth.durability="$1" import --quiet \
		--batch "$3" readings "$2" >/dev/null
	t1=$(date +%s.%N)
	[ "$(sqlite3 "$d/hearth.db" "SELECT count(*) FROM readings")" = "$4" ] ||
		{ echo "bench_durability: rows missing" >&2; exit 1; }
	awk -v n="$4" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }'
}

bn=$(run normal bulk.csv 50000 "$rows")
bf=$(run full bulk.csv 50000 "$rows")
sn=$(run normal small.csv 100 "$small")
sf=$(run full small.csv 100 "$small")
printf "%-46s %12s %12s %8s\n" "import into SQLite (rows/s)" "normal" "full" "full/normal"
printf "%-46s %12s %12s %8s\n" "$rows rows, 50,000 per transaction" "$bn" "$bf" \
	"$(awk -v a="$bn" -v b="$bf" 'BEGIN { printf "%.2f", b / a }')"
printf "%-46s %12s %12s %8s\n" "$small rows, 100 per transaction" "$sn" "$sf" \
	"$(awk -v a="$sn" -v b="$sf" 'BEGIN { printf "%.2f", b / a }')"
