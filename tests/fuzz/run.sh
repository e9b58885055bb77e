#!/bin/sh
# Runs each libFuzzer target named on the command line for FUZZ_TIME
# seconds (default 4) over its committed seeds in tests/fuzz/corpus/NAME.
# New inputs go to build/fuzz/corpus/NAME, a crashing input to
# build/fuzz/crash-NAME-*.  Prints one line per target and a closing
# "fuzz: N targets, N failed"; exits non-zero if any target failed.
set -u
secs=${FUZZ_TIME:-4}
dir=build/fuzz
fail=0
for n in "$@"; do
	mkdir -p "$dir/corpus/$n"
	log="$dir/$n.log"
	if "$dir/fuzz_$n" -max_total_time="$secs" -rss_limit_mb=2048 \
	    -timeout=10 -print_final_stats=1 -artifact_prefix="$dir/crash-$n-" \
	    "$dir/corpus/$n" "tests/fuzz/corpus/$n" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "fuzz: $n ok, ${runs:-?} inputs in ${secs}s"
	else
		echo "fuzz: $n FAILED (log: $log)"
		tail -n 40 "$log"
		fail=$((fail + 1))
	fi
done
echo "fuzz: $# targets, $fail failed"
[ $fail -eq 0 ]
