#!/bin/bash
# arch.sh - does the tree keep the shape docs and DESIGN.md describe?
# Prints one line per check, "PASS arch/NAME" or "FAIL arch/NAME: details"
# (as tests/run.sh counts them), and exits 1 when a check fails.
#
#   arch/layering  src/lib/F/ includes only F's headers and those of the
#                  folders below F in LAYERS (siblings not each other's)
#   arch/cycles    no module (file pair) depends on itself through others
#   arch/headers   each folder's main header starts with a comment saying
#                  what the folder owns and what it may call
#   arch/commands  each command NAME of src/main.c's table is cmd_NAME,
#                  defined in src/cmd/NAME.c
#
# The tree is HEARTH_TOP, by default the parent of this script's folder.
# The include checks are tests/arch_deps.py (Python 3).
set -u

# The folders of src/lib, lowest first; comma-joined ones are siblings,
# which may not include each other either.
LAYERS="base store rollup ingest,migrate,chart sources,copy,energy serve"
# The main header of a folder F is src/lib/F/F.h, or else the one named
# here (a folder's most central header, where no F.h exists).
MAIN_HEADERS="base/err.h migrate/migration.h sources/imap.h"

here=$(cd "$(dirname "$0")" && pwd)
top=${HEARTH_TOP:-$(dirname "$here")}
failed=0

# report NAME PROBLEMS: PROBLEMS is "; "-joined, empty when all is well.
report() {
	if [ -z "$2" ]; then
		echo "PASS arch/$1"
	else
		echo "FAIL arch/$1: ${2%; }"
		failed=1
	fi
}

python3 "$here/arch_deps.py" "$top" "$LAYERS" || failed=1

# The first comment of a file, as one lower-case line without the
# comment markers.
first_comment() {
	awk '
		!on && /^[ \t]*$/ { next }
		!on && /^[ \t]*\/\*/ { on = 1 }
		!on { exit }
		{ print }
		/\*\// { exit }
	' "$1" | sed -e 's#/\*##; s#\*/##; s#^[ \t]*\*##' |
		tr 'A-Z\n\t' 'a-z  ' | tr -s ' '
}

problems=
for dir in "$top"/src/lib/*/; do
	f=$(basename "$dir")
	h=$f/$f.h
	if [ ! -f "$top/src/lib/$h" ]; then
		h=
		for m in $MAIN_HEADERS; do
			[ "${m%%/*}" = "$f" ] && h=$m
		done
	fi
	if [ -z "$h" ] || [ ! -f "$top/src/lib/$h" ]; then
		problems+="src/lib/$f has no main header ($f/$f.h or one named in MAIN_HEADERS); "
		continue
	fi
	text=$(first_comment "$top/src/lib/$h")
	case "$text" in *owns*) ;; *)
		problems+="src/lib/$h: its first comment does not say what $f/ owns; " ;;
	esac
	case "$text" in *"may call"*) ;; *)
		problems+="src/lib/$h: its first comment does not say what $f/ may call; " ;;
	esac
done
report headers "$problems"

# The table's entries begin { "NAME", FUNCTION, ... on one line.
problems=
entries=$(awk '/cmd_table\[\][ \t]*=/ { on = 1 } on { print } on && /^};/ { exit }' \
	"$top/src/main.c" 2>/dev/null |
	grep -oE '\{[ \t]*"[^"]+"[ \t]*,[ \t]*[A-Za-z_0-9]+' |
	sed -E 's/\{[ \t]*"([^"]+)"[ \t]*,[ \t]*/\1 /')
[ -n "$entries" ] || problems="no command table found in src/main.c; "
while read -r name fn; do
	[ -n "$name" ] || continue
	file=src/cmd/$name.c
	if [ "$fn" != "cmd_$name" ]; then
		problems+="command $name runs $fn, not cmd_$name; "
	fi
	if [ ! -f "$top/$file" ]; then
		problems+="command $name: no $file; "
	elif ! grep -qE "^int[ \t]+cmd_$name[ \t]*\([^;]*\$" "$top/$file"; then
		problems+="command $name: $file does not define cmd_$name; "
	fi
done <<<"$entries"
report commands "$problems"

exit $failed
