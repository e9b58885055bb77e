#!/bin/sh
# make bench: runs every tests/bench/bench_*.sh (or those named in
# WA_BENCH_ONLY, e.g. "profiles contacts"), each on its own stack.
# Benchmarks print tables; they are never part of make test.
set -u
cd "$(dirname "$0")/../.."
rc=0
for f in tests/bench/bench_*.sh; do
	n=$(basename "$f" .sh | sed 's/^bench_//')
	if [ -n "${WA_BENCH_ONLY:-}" ]; then
		case " $WA_BENCH_ONLY " in *" $n "*) ;; *) continue ;; esac
	fi
	sh "$f" || rc=1
	echo
done
exit $rc
