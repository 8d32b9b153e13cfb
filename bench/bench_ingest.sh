#!/bin/bash
# bench_ingest: rows/s of `hearth import` (CSV and line protocol) beside
# (a) a minimal C loop inserting the same rows with one prepared statement
# in one transaction (the practical limit) and (b) the classic setup's
# per-row Python sqlite3 inserts; peak memory of hearth import at two file
# sizes, to show it does not grow with the file.
#   BENCH_ROWS=5000000 (default)
set -eu
rows=${BENCH_ROWS:-5000000}
H=${HEARTH:?}
dir=$(mktemp -d "${TMPDIR:-/tmp}/hearth-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
cd "$dir"
t0=1416780900

gen() { # ROWS FORMAT
	awk -v n="$1" -v t0=$t0 -v fmt="$2" 'BEGIN {
		if (fmt == "csv") print "r_datetime,r_watts,r_temp";
		for (i = 0; i < n; i++) {
			t = t0 + i * 3; w = 200 + i % 3000; c = 15 + (i % 100) / 10;
			if (fmt == "csv") printf "%d,%d,%.1f\n", t, w, c;
			else printf "readings r_watts=%di,r_temp=%.1f %d\n", w, c, t;
		}
	}'
}

fresh() { rm -rf "$1"; "$H" init "$1" >/dev/null; }

# seconds, peak KiB -> "$secs $kib"
timed() {
	/usr/bin/time -f "%e %M" -o tm.txt "$@" >/dev/null 2>run.err || { cat run.err >&2; exit 1; }
	cat tm.txt
}

rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }

echo "generating $rows readings..."
gen "$rows" csv >r.csv
gen "$rows" lp >r.lp
small=$((rows / 5))
gen "$small" csv >small.csv

fresh a
read -r s_csv m_csv <<<"$(timed "$H" --config a/hearth.ini import --quiet readings r.csv)"
fresh b
read -r s_lp m_lp <<<"$(timed "$H" --config b/hearth.ini import --quiet readings r.lp)"
fresh f
"$H" --config f/hearth.ini rollup rebuild readings >/dev/null
read -r s_roll _ <<<"$(timed "$H" --config f/hearth.ini import --quiet readings r.csv)"
fresh c
read -r s_small m_small <<<"$(timed "$H" --config c/hearth.ini import --quiet readings small.csv)"
n=$(sqlite3 a/hearth.db "SELECT count(*) FROM readings")
[ "$n" = "$rows" ] || { echo "hearth stored $n rows, want $rows" >&2; exit 1; }

fresh d
read -r s_c _ <<<"$(timed "$HEARTH_BUILD/bench/insert_loop" d/hearth.db "$rows" $t0 3)"

fresh e
cat >classic.py <<'PY'
# The classic setup's way: Python's sqlite3, one execute per row,
# datetime objects as the time (stored as ISO text by the adapter).
import csv, datetime, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
with con:
    cur = con.cursor()
    with open(sys.argv[2]) as f:
        rd = csv.reader(f)
        next(rd)
        for t, w, c in rd:
            cur.execute('INSERT INTO readings VALUES(?,?,?)',
                        (datetime.datetime.utcfromtimestamp(int(t)), int(w), float(c)))
PY
py=/usr/bin/python3
[ -x $py ] || py=python3
read -r s_py _ <<<"$(timed $py classic.py e/hearth.db r.csv)"

r_csv=$(rate "$rows" "$s_csv"); r_lp=$(rate "$rows" "$s_lp"); r_roll=$(rate "$rows" "$s_roll")
r_c=$(rate "$rows" "$s_c"); r_py=$(rate "$rows" "$s_py")
printf "%-44s %12s %8s\n" "ingest of $rows readings" "rows/s" "seconds"
printf "%-44s %12s %8s\n" "hearth import (CSV)" "$r_csv" "$s_csv"
printf "%-44s %12s %8s\n" "hearth import (line protocol)" "$r_lp" "$s_lp"
printf "%-44s %12s %8s\n" "hearth import (CSV), chart rollups kept" "$r_roll" "$s_roll"
printf "%-44s %12s %8s\n" "C loop, one statement, one transaction" "$r_c" "$s_c"
printf "%-44s %12s %8s\n" "classic Python sqlite3, per-row execute" "$r_py" "$s_py"
awk -v a="$r_csv" -v b="$r_lp" -v c="$r_c" -v p="$r_py" 'BEGIN {
	printf "hearth/C-loop: CSV %.2f, line protocol %.2f (target >= 0.70); hearth/Python: %.1fx\n", a / c, b / c, a / p }'
echo "peak memory of hearth import: $((m_small / 1024)) MiB for $small rows, $((m_csv / 1024)) MiB (CSV) / $((m_lp / 1024)) MiB (LP) for $rows rows"
