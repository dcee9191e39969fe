#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# qemu.sh BUILD test|run [KERNEL-ARGS...] - boot BUILD/bzImage with
# BUILD/initramfs.cpio.gz.
#
# test: console to BUILD/guest-console.log, TAP (second serial port) to
#       BUILD/guest-results.tap.  run: console on the terminal.
# Software emulation (TCG) by default: nested KVM does not work on the
# machines this is developed on.  VGR_ACCEL=kvm overrides.  The guest gets
# RDRAND (-cpu max) and virtio-rng so that its CRNG is ready at once.
# VGR_GUEST_TIMEOUT (seconds, default 1500) is a hard limit on the run.
# Memory (VGR_GUEST_MEM, default 3G) is ample: pressure tests make their own
# in memory cgroups, and the base's mremap_test maps 2 GiB (not touched).
set -u
build=$1 mode=$2
shift 2
accel=${VGR_ACCEL:-tcg}
limit=${VGR_GUEST_TIMEOUT:-1500}
cpu=max
[ "$accel" = kvm ] && cpu=host

set -- -accel "$accel" -cpu "$cpu" -smp 2 -m "${VGR_GUEST_MEM:-3G}" \
	-display none -monitor none -no-reboot -nodefaults \
	-device virtio-rng-pci \
	-kernel "$build/bzImage" -initrd "$build/initramfs.cpio.gz" \
	-append "console=ttyS0 panic=-1 oops=panic vgr.mode=$mode $*"

case $mode in
test)
	rm -f "$build/guest-console.log" "$build/guest-results.tap"
	timeout -k 10 "$limit" qemu-system-x86_64 "$@" \
		-serial "file:$build/guest-console.log" \
		-serial "file:$build/guest-results.tap" </dev/null
	;;
run)
	timeout -k 10 "$limit" qemu-system-x86_64 "$@" \
		-serial stdio -serial null </dev/null |
		tr -d '\r' | tee "$build/run-console.log"
	;;
esac
