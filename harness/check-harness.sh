#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# check-harness.sh BUILD - the harness must turn a failing test, a guest
# panic and a guest hang into a failed "make test".  Boots the guest three
# times with a fault injected by init (vgr.inject=...) and expects test.sh
# to exit non-zero each time, naming the cause.
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
check fail 'FAIL guest/harness/injected_failure'
check panic 'FAIL guest/console: the kernel reported'
check hang 'hard timeout' 60
exit $bad
