#!/bin/sh
# run.sh BUILD_DIR - run every unit test binary and every end-to-end script
# against the hearth binary in BUILD_DIR; each prints PASS/FAIL lines, which
# are counted into the closing "N passed, N failed" line.
# TESTS=pattern limits the run to files whose name contains pattern.
set -u
build=${1:?usage: run.sh BUILD_DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd)
export HEARTH="$build/hearth"
export HEARTH_TOP="$top"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_one() {
	name=$1
	shift
	case "$name" in *${TESTS:-}*) ;; *) return ;; esac
	echo "== $name"
	start=$(date +%s)
	"$@" >"$log.out" 2>&1
	rc=$?
	cat "$log.out"
	grep -E '^(PASS|FAIL) ' "$log.out" >>"$log"
	# A script that dies before reporting anything still counts as failed.
	if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$log.out"; then
		echo "FAIL $name (exit $rc)" | tee -a "$log"
	fi
	echo "   ($(($(date +%s) - start))s)"
}

for t in "$build"/tests/test_*; do
	[ -x "$t" ] && run_one "unit/$(basename "$t")" "$t"
done
for t in "$top"/tests/e2e/test_*.sh; do
	[ -f "$t" ] && run_one "e2e/$(basename "$t")" bash "$t"
done
rm -f "$log.out"
passed=$(grep -c '^PASS ' "$log")
failed=$(grep -c '^FAIL ' "$log")
if [ "$failed" -gt 0 ]; then
	echo "failed tests:"
	grep '^FAIL ' "$log" | sed 's/^/  /'
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
