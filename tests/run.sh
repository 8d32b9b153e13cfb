#!/bin/sh
# run.sh BUILD_DIR [TSAN_BUILD_DIR] - run every unit test binary and every
# end-to-end script against the hearth binary in BUILD_DIR; each prints
# PASS/FAIL lines, which are counted into the closing "N passed, N failed"
# line.  With TSAN_BUILD_DIR (a -fsanitize=thread build), the tests of the
# code that runs threads run once more on it, counted as tsan/..., and
# every ThreadSanitizer report is a failure of its own.
# TESTS=pattern limits the run to files whose name contains pattern.
#
# Two streams run side by side (TEST_JOBS=1: one after the other): the
# unit tests, fuzz replays, SQLite end-to-end scripts and the
# ThreadSanitizer runs in one, the PostgreSQL runs in the other.  Most of a
# script's time is spent waiting on its servers, so the two share the
# machine well; the second stream's output follows the first's.
set -u
build=${1:?usage: run.sh BUILD_DIR [TSAN_BUILD_DIR]}
tsan=${2:-}
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd)
[ -z "$tsan" ] || tsan=$(cd "$tsan" && pwd)
export HEARTH="$build/hearth"
export HEARTH_TOP="$top"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
log=$(mktemp)
trap 'rm -rf "$log" "$log".*' EXIT
# One initdb for the run: each script's PostgreSQL server starts from a
# copy of the first one's new cluster (pg.sh: pg_initdb).
export HEARTH_PG_CACHE=$log.pg

# run_one NAME COMMAND...: PASS/FAIL lines are counted (into
# $log.$stream), under the prefix $group when it is set.
group=
stream=a
run_one() {
	name=$1
	shift
	case "$name" in *${TESTS:-}*) ;; *) return ;; esac
	name=$group$name
	out=$log.$stream.out
	echo "== $name"
	start=$(date +%s)
	"$@" >"$out" 2>&1
	rc=$?
	[ -z "$group" ] || sed -i -E "s#^(PASS|FAIL) #\1 $group#" "$out"
	cat "$out"
	grep -E '^(PASS|FAIL) ' "$out" >>"$log.$stream"
	# A script that dies before reporting anything still counts as failed.
	if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
		echo "FAIL $name (exit $rc)" | tee -a "$log.$stream"
	fi
	echo "   ($(($(date +%s) - start))s)"
}

# The server's HTTP threads, its writing thread and checkpointer, its
# streams, the IMAP poller, the WeMo watcher and the MQTT listener,
# under ThreadSanitizer.
# Reports go to files, so that a race in a server that a test kills is
# counted too.
run_tsan() {
	local wrap="" t r
	if ! "$tsan/hearth" --version >/dev/null 2>"$log.tsanstart"; then
		# Some kernels' address layouts need ASLR off for TSan.
		wrap="setarch $(uname -m) -R"
		if ! $wrap "$tsan/hearth" --version >/dev/null 2>>"$log.tsanstart"; then
			echo "FAIL tsan/start: ThreadSanitizer cannot run here: $(head -1 "$log.tsanstart")" | tee -a "$log.$stream"
			return
		fi
	fi
	mkdir "$log.tsan"
	group=tsan/
	export HEARTH="$tsan/hearth" HEARTH_SANITIZER=thread
	export TSAN_OPTIONS="log_path=$log.tsan/report second_deadlock_stack=1"
	for t in checkpointer writeq; do
		run_one "unit/test_$t" $wrap "$tsan/tests/test_$t"
	done
	for t in api dashboard imap wemo mqtt service; do
		run_one "e2e/test_$t.sh" $wrap bash "$top/tests/e2e/test_$t.sh"
	done
	for r in "$log.tsan"/report*; do
		[ -f "$r" ] || continue
		cat "$r"
		echo "FAIL tsan/report: $(grep -m1 'WARNING: ThreadSanitizer' "$r")" | tee -a "$log.$stream"
	done
	rm -rf "$log.tsan"
}

# Each fuzz harness replays its seeds and the inputs saved from earlier
# finds (fuzz/regressions): it must build, and none may crash it.
replay() {
	local name=$1 out dirs=""
	for d in "$top/fuzz/seeds/$name" "$top/fuzz/regressions/$name"; do
		[ -d "$d" ] && dirs="$dirs $d"
	done
	if [ -z "$dirs" ]; then
		echo "FAIL fuzz/$name: no inputs in fuzz/seeds/$name"
		return 1
	fi
	# shellcheck disable=SC2086
	if out=$("$build/fuzz/$name" $dirs 2>&1); then
		echo "PASS fuzz/$name ($out)"
	else
		echo "$out" | tail -n 20
		echo "FAIL fuzz/$name"
	fi
}

# Stream a: the tree's shape, unit tests, fuzz replays, SQLite scripts,
# then ThreadSanitizer's runs.
run_sqlite_tsan() {
	# The tree keeps its shape: layers, no cycles, headers, one file per
	# command (docs/architecture.md).
	run_one "arch" bash "$top/tests/arch.sh"

	for t in "$build"/tests/test_*; do
		[ -x "$t" ] && run_one "unit/$(basename "$t")" "$t"
	done

	for t in "$build"/fuzz/fuzz_*; do
		[ -x "$t" ] && run_one "fuzz/$(basename "$t")" replay "$(basename "$t")"
	done
	for t in "$top"/tests/e2e/test_*.sh; do
		[ -f "$t" ] && run_one "e2e/$(basename "$t")" bash "$t"
	done
	[ -z "$tsan" ] || run_tsan
}

# Stream b: the PostgreSQL runs.
run_pg() {
	# The same cases once more on PostgreSQL, for the scripts that say so
	# (lib.sh: the backend).
	group=pg/
	export HEARTH_TEST_BACKEND=pg
	for t in "$top"/tests/e2e/test_*.sh; do
		if grep -q '^# backends: .*pg' "$t"; then
			run_one "e2e/$(basename "$t")" bash "$t"
		fi
	done
	unset HEARTH_TEST_BACKEND
	group=
}

if [ "${TEST_JOBS:-2}" -gt 1 ]; then
	(stream=b; run_pg >"$log.b.log" 2>&1) &
	bpid=$!
	run_sqlite_tsan
	wait $bpid
	cat "$log.b.log"
else
	run_sqlite_tsan
	stream=b
	run_pg
fi
cat "$log.a" "$log.b" >"$log" 2>/dev/null
passed=$(grep -c '^PASS ' "$log")
failed=$(grep -c '^FAIL ' "$log")
if [ "$failed" -gt 0 ]; then
	echo "failed tests:"
	grep '^FAIL ' "$log" | sed 's/^/  /'
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
