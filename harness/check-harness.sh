#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# check-harness.sh BUILD - the harness must turn a failing test, a guest
# panic and a guest hang into a failed "make test", and a patch that does
# not apply into a stopped build.  Boots the guest three times with a fault
# injected by init (vgr.inject=...) and expects test.sh to exit non-zero
# each time, naming the cause; lays a corrupted copy of a patch over a
# scratch tree and expects the overlay to stop, naming the patch and hunk.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1
bad=0
check() { # INJECT GREP-PATTERN
	out=$build/check-harness-$1.txt
	VGR_KERNEL_ARGS="vgr.inject=$1" VGR_GUEST_TIMEOUT=${3:-300} \
		"$here/test.sh" "$build" > "$out" 2>&1
	rc=$?
	if [ $rc -ne 0 ] && grep -qE "$2" "$out"; then
		echo "ok: vgr.inject=$1 fails make test ($(grep -E "$2" "$out" | head -1))"
	else
		echo "NOT OK: vgr.inject=$1: test.sh exited $rc (see $out)"
		bad=1
	fi
}
# A corrupted patch: one context line of mm/mmap.c.patch changed.
scratch=$build/check-harness-overlay
rm -rf "$scratch"
mkdir -p "$scratch/repo/mm" "$scratch/tree"
sed '0,/^ [^ ]/s/^ \(.\)/ X\1/' "$here/../mm/mmap.c.patch" > "$scratch/repo/mm/mmap.c.patch"
if out=$("$here/overlay.sh" "$scratch/repo" "$build/linux-pristine" "$scratch/tree" 2>&1); then
	echo "NOT OK: a corrupted mm/mmap.c.patch was applied"
	bad=1
elif echo "$out" | grep -q 'mm/mmap.c.patch does not apply' &&
     echo "$out" | grep -q 'Hunk #1 FAILED'; then
	echo "ok: a corrupted patch stops the overlay ($(echo "$out" | head -1))"
else
	echo "NOT OK: the overlay failed without naming the patch and hunk: $out"
	bad=1
fi
rm -rf "$scratch"

check fail 'FAIL guest/harness/injected_failure'
check panic 'FAIL guest/console: the kernel reported'
check hang 'hard timeout' 60
exit $bad
