#!/bin/sh
# run.sh BUILD_DIR - run every bench/bench_*.sh; each prints its figures
# beside its peer's.  BENCH=pattern runs only matching ones.
set -u
build=$(cd "${1:?usage: run.sh BUILD_DIR}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
export HEARTH="$build/hearth" HEARTH_BUILD="$build" HEARTH_TOP="$top"
rc=0
for b in "$top"/bench/bench_*.sh; do
	case "$(basename "$b")" in *${BENCH:-}*) ;; *) continue ;; esac
	echo "== $(basename "$b" .sh)"
	bash "$b" || { echo "   (failed)"; rc=1; }
done
exit $rc
