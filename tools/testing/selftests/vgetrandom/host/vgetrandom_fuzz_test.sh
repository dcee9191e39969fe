#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make test's short run of the libFuzzer target (vgetrandom_fuzz.c): a
# fixed number of inputs from a fixed seed, as one TAP result. make fuzz
# runs the same target for as long as asked.
dir=$(dirname "$0")
runs=@RUNS@
seed=@SEED@
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "TAP version 13"
echo "1..1"
echo "# libFuzzer over lib/vdso/getrandom.c, ASan+UBSan: $runs inputs, seed $seed"
start=$(date +%s)
"$dir/vgetrandom_fuzz" -seed="$seed" -runs="$runs" -max_len=4096 -print_final_stats=1 \
	-artifact_prefix="$dir/fuzz-" > "$log" 2>&1
rc=$?
end=$(date +%s)
done=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log")
cov=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
if [ "$rc" -eq 0 ] && [ "$done" = "$runs" ]; then
	echo "ok 1 fuzz: $done inputs (seed $seed) in $((end - start)) s, no crash, no oracle failed"
else
	sed 's/^/# /' "$log" | grep -v '^# stat::' | tail -40
	echo "# the failing input is $dir/fuzz-crash-*: run $dir/vgetrandom_fuzz on it"
	echo "not ok 1 fuzz: exit $rc after ${done:-?} of $runs inputs (seed $seed, executed ${cov:-?})"
fi
