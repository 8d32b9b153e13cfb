#!/bin/bash
# bench_migrate.sh - schema migrations on a big readings table.
#
#   add column:  `hearth upgrade` of a revision adding a nullable column
#                (ALTER TABLE ADD COLUMN: must not copy the table)
#   rebuild:     `hearth upgrade` of a revision changing a column's type
#                (new table, copy, drop old, rename, recreate the index),
#                beside the floor: the bare INSERT INTO new SELECT * FROM
#                old on the same data (and the same into a new table that
#                has the index, for the indexed table)
#   check:       `hearth check` on a 100-table schema, beside sqlite3 just
#                loading that schema into :memory:
#
# BENCH_ROWS (default 5000000, about 80 s here; smaller for a quick look) sets the
# table size, BENCH_REPS (default 3) the repetitions; the best is shown,
# as this machine is shared.
set -eu
HEARTH=${HEARTH:?set HEARTH to the hearth binary}
rows=${BENCH_ROWS:-5000000}
reps=${BENCH_REPS:-3}
dir=$(mktemp -d "${TMPDIR:-/tmp}/hearth-bench-migrate.XXXXXX")
trap 'rm -rf "$dir"' EXIT
cd "$dir"

now() { date +%s.%N; }
# timed CMD...: seconds CMD took (its output discarded, and its notices:
# upgrade says when it drops a table's chart rollups)
timed() {
	local t0 t1
	t0=$(now)
	"$@" >/dev/null 2>&1
	t1=$(now)
	echo "$t1 - $t0" | bc -l | xargs printf '%.3f'
}
min() { printf '%s\n' "$@" | sort -n | head -1; }
ratio() { echo "$1 / $2" | bc -l | xargs printf '%.2f'; }

# floor [INDEX_SQL]: the copy alone, into a table shaped like the rebuilt one
floor_copy() {
	sqlite3 bench.db "CREATE TABLE floor_copy (r_datetime TIMESTAMP NOT NULL, r_watts REAL, r_temp REAL, humidity REAL); ${1:-}
		INSERT INTO floor_copy SELECT * FROM readings;"
}
floor_drop() { sqlite3 bench.db "DROP TABLE floor_copy"; }

# rebuild_vs_floor LABEL FROM TO [INDEX_SQL]: upgrade (timed) and downgrade
# a revision changing r_watts FROM -> TO, reps times, beside the floor
rebuild_vs_floor() {
	local label=$1 from=$2 to=$3 ix=${4:-} i f=() fi=() r=()
	sed -i "s/r_watts $from/r_watts $to/" schema.sql
	"$HEARTH" revision -m "watts_$to" --autogenerate >/dev/null
	for i in $(seq 1 "$reps"); do
		f+=("$(timed floor_copy)")
		floor_drop
		if [ -n "$ix" ]; then
			fi+=("$(timed floor_copy "$ix")")
			floor_drop
		fi
		r+=("$(timed "$HEARTH" upgrade)")
		"$HEARTH" check >/dev/null
		[ "$i" = "$reps" ] || "$HEARTH" downgrade -1 --allow-data-loss >/dev/null
	done
	f=$(min "${f[@]}")
	r=$(min "${r[@]}")
	printf '   %-24s hearth upgrade %s s  vs floor INSERT INTO new SELECT * FROM old %s s (x%s)' \
		"$label" "$r" "$f" "$(ratio "$r" "$f")"
	if [ -n "$ix" ]; then
		fi=$(min "${fi[@]}")
		printf ', the same into a new table with the index %s s (x%s)' "$fi" "$(ratio "$r" "$fi")"
	fi
	echo
}

cat >hearth.ini <<INI
[hearth]
db = sqlite:///bench.db
schema = schema.sql
migrations = migrations
INI
cat >schema.sql <<SQL
CREATE TABLE readings (r_datetime TIMESTAMP NOT NULL, r_watts INTEGER, r_temp REAL);
CREATE INDEX readings_r_datetime ON readings (r_datetime);
SQL
"$HEARTH" revision -m base --autogenerate >/dev/null
"$HEARTH" upgrade >/dev/null
sqlite3 bench.db "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $rows)
	INSERT INTO readings SELECT datetime(1400000000 + i * 6, 'unixepoch'), 300 + i % 1700, 15 + (i % 100) / 10.0 FROM c"
echo "   readings table: $rows rows, best of $reps"

sed -i 's/r_temp REAL)/r_temp REAL, humidity REAL)/' schema.sql
"$HEARTH" revision -m humidity --autogenerate >/dev/null
printf '   %-24s hearth upgrade %s s (ALTER TABLE ADD COLUMN, no copy)\n' \
	"add nullable column:" "$(timed "$HEARTH" upgrade)"

rebuild_vs_floor "rebuild, indexed table:" INTEGER REAL \
	"CREATE INDEX floor_copy_t ON floor_copy (r_datetime);"
sed -i '/CREATE INDEX/d' schema.sql
"$HEARTH" revision -m no_index --autogenerate >/dev/null
"$HEARTH" upgrade >/dev/null
rebuild_vs_floor "rebuild, no index:" REAL DOUBLE

# check on a 100-table schema
mkdir wide && cd wide
cat >hearth.ini <<INI
[hearth]
db = sqlite:///wide.db
INI
for i in $(seq 1 100); do
	echo "CREATE TABLE t$i (id INTEGER PRIMARY KEY, t TIMESTAMP NOT NULL, v REAL DEFAULT 0, name TEXT UNIQUE, ref INTEGER REFERENCES t1 (id), CHECK (v >= 0));"
	echo "CREATE INDEX t${i}_t ON t$i (t);"
done >schema.sql
"$HEARTH" revision -m base --autogenerate >/dev/null
"$HEARTH" upgrade >/dev/null
"$HEARTH" check >/dev/null
c=() s=()
for i in $(seq 1 10); do
	c+=("$(timed "$HEARTH" check)")
	s+=("$(timed sh -c 'sqlite3 :memory: <schema.sql')")
done
printf '   %-24s hearth check %.1f ms  vs sqlite3 loading schema.sql %.1f ms (whole process, best of 10)\n' \
	"check, 100 tables:" "$(echo "$(min "${c[@]}") * 1000" | bc -l)" \
	"$(echo "$(min "${s[@]}") * 1000" | bc -l)"
