#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# qemu.sh BUILD test|run [KERNEL-ARGS...] - boot BUILD/bzImage with
# BUILD/initramfs.cpio.gz.
#
# test: console to BUILD/guest-console.log, TAP (second serial port) to
#       BUILD/guest-results.tap (VGR_RUN_NAME replaces "guest").
# run:  console on the terminal.
# VGR_CPU (default max: RDRAND, AVX2) is QEMU's CPU model.
# Software emulation (TCG) by default: nested KVM does not work on the
# machines this is developed on.  VGR_ACCEL=kvm overrides.  The guest gets
# RDRAND (-cpu max) and virtio-rng so that its CRNG is ready at once.
# VGR_GUEST_TIMEOUT (seconds, default 1500) is a hard limit on the run.
# VGR_INITRAMFS=demo boots initramfs-demo.cpio.gz (harness/initramfs.sh).
# Memory (VGR_GUEST_MEM, default 3G) is ample: pressure tests make their own
# in memory cgroups, and the base's mremap_test maps 2 GiB (not touched).
set -u
build=$1 mode=$2
shift 2
accel=${VGR_ACCEL:-tcg}
limit=${VGR_GUEST_TIMEOUT:-1500}
cpu=${VGR_CPU:-max}
[ "$accel" = kvm ] && cpu=host
# test: where the console and results go (BUILD/NAME-console.log, .tap).
name=${VGR_RUN_NAME:-guest}

# VGR_VARIANT=NAME boots the kernel of that variant (harness/kernel.sh:
# DIR/NAME/bzImage or Image) with the same initramfs.
variant=${VGR_VARIANT:-}

# VGR_ARCH (harness/arch/, default x86_64): that architecture's emulator,
# machine, console and kernel image.  With RESULTS=virtio (a machine with
# one UART) the results go through a virtio serial port named vgr.results.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/arch.sh"
arch_load "${VGR_ARCH:-x86_64}"
dir=$A_OUT qemu=$A_QEMU machine=$A_QEMU_MACHINE console=$A_CONSOLE
bus=$A_VIRTIO
image=$dir/${variant:+$variant/}$A_KTARGET
[ "$cpu" = max ] && cpu=$A_QEMU_CPU
case $A_RESULTS in
virtio)
	extra="vgr.results=vgr.results"
	results() {
		echo -chardev "file,id=vgr,path=$1" -device "virtio-serial-$bus" \
			-device virtserialport,chardev=vgr,name=vgr.results
	}
	null=
	;;
*)
	extra=
	results() {
		echo -serial "file:$1"
	}
	null="-serial null"
	;;
esac
# The host's /usr and /etc and the preload library's directory, read-only
# over 9p (debian_python_test mounts them), for a guest of this machine's
# own architecture; not for the variants: python3 does not run there
# (harness/test.sh).
if [ "$A_DEB_ARCH" = "$(dpkg --print-architecture)" ] && [ -z "$variant" ]; then
	for share in vgr.usr:/usr vgr.etc:/etc "vgr.lib:$build/host/lib"; do
		[ -d "${share#*:}" ] || continue
		machine="$machine -virtfs local,path=${share#*:},mount_tag=${share%%:*},security_model=none,readonly=on"
	done
fi
set -- $machine -accel "$accel" -cpu "$cpu" -smp 2 -m "${VGR_GUEST_MEM:-3G}" \
	-display none -monitor none -no-reboot -nodefaults \
	-device "virtio-rng-$bus" \
	-kernel "$image" -initrd "$dir/initramfs${VGR_INITRAMFS:+-$VGR_INITRAMFS}.cpio.gz" \
	-append "console=$console panic=-1 oops=panic vgr.mode=$mode $extra $*"

case $mode in
test)
	rm -f "$build/$name-console.log" "$build/$name-results.tap"
	timeout -k 10 "$limit" $qemu "$@" \
		-serial "file:$build/$name-console.log" \
		$(results "$build/$name-results.tap") </dev/null
	;;
run)
	timeout -k 10 "$limit" $qemu "$@" \
		-serial stdio $null </dev/null |
		tr -d '\r' | tee "$dir/run-console.log"
	;;
esac
