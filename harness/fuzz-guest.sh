#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# fuzz-guest.sh BUILD SECONDS SEED - the syscall-sequence fuzzer
# (vgetrandom/vgetrandom_fuzz) for SECONDS with SEED in a guest of the
# sanitized kernel (BUILD/kasan/bzImage, the x86_64 initramfs): make fuzz.
# Prints its TAP results as make test does and fails on a failed result, a
# missing one, or a kernel report on the console
# (BUILD/guest-fuzz-console.log).
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1 secs=$2 seed=$3
name=guest-fuzz
test=vgetrandom/vgetrandom_fuzz
console=$build/$name-console.log

echo "$test" > "$build/guest/fuzz.list"
echo "== $test for $secs s, seed $seed, on the sanitized kernel =="
VGR_VARIANT=kasan VGR_RUN_NAME=$name VGR_GUEST_TIMEOUT=$((secs + 600)) \
	"$here/qemu.sh" "$build" test kfence.sample_interval=10 vgr.tests=$test \
	vgr.args=-s,"$seed",-t,"$secs",-n,1000000000 vgr.timeout=$((secs + 300))
rc=$?
touch "$build/$name-results.tap" "$console"
grep '^# seed' "$build/$name-results.tap"
out=$(awk -v where="$name" -v expect="$build/guest/fuzz.list" -v needdone=1 \
	-f "$here/tap.awk" "$build/$name-results.tap")
echo "$out"
bad=0
[ $rc -eq 0 ] || { echo "FAIL $name/run: QEMU exited with status $rc"; bad=1; }
echo "$out" | grep -q '^FAIL' && bad=1
if grep -nE 'Oops|BUG:|WARNING:|Kernel panic|KASAN|UBSAN|general protection fault|Unable to handle|Call [Tt]race:' \
	"$console"; then
	echo "FAIL $name/console: the kernel reported a problem (see $console)"
	bad=1
fi
exit $bad
