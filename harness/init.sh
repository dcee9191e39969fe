#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest's /init: mount what the tests need, run them, power off.
#
# Kernel command line:
#   vgr.mode=test   run every binary listed in /tests/list; each one's TAP
#                   goes to the results channel (the second serial port,
#                   /dev/ttyS1) between "# vgr-test: NAME" and
#                   "# vgr-exit: NAME RC" markers, then "# vgr-done".
#   vgr.mode=run    run the demo on the console.
#   vgr.inject=fail|panic|hang   harness self-checks (make check-harness).
#   vgr.timeout=S   per-test time limit inside the guest (default 480:
#                   debian_python_test takes near 300 s on a loaded machine).
#   vgr.tests=A,B   run only these tests of /tests/list.
#   vgr.args=X,Y    with vgr.tests: run them with the arguments "X Y" in
#                   place of their own in /tests/list (make fuzz).
#   vgr.results=DEV the results channel (default /dev/ttyS1); or NAME, the
#                   virtio serial port of that name (arm64's virt machine
#                   has one UART, so there the results take such a port).
/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/shm /tmp /sys/fs/cgroup
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /dev/shm
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null

mode=run inject= timeout=480 only= res=/dev/ttyS1 args_over=
for arg in $(cat /proc/cmdline); do
	case $arg in
	vgr.mode=*) mode=${arg#vgr.mode=} ;;
	vgr.inject=*) inject=${arg#vgr.inject=} ;;
	vgr.timeout=*) timeout=${arg#vgr.timeout=} ;;
	vgr.tests=*) only=,${arg#vgr.tests=}, ;;
	vgr.args=*) args_over=$(echo "${arg#vgr.args=}" | tr , ' ') ;;
	vgr.results=*) res=${arg#vgr.results=} ;;
	esac
done

finish() {
	sync
	# Let the UARTs drain before the machine goes away.
	sleep 1
	reboot -f
}

case $inject in
panic) echo "vgr: injected panic"; echo c > /proc/sysrq-trigger ;;
hang) echo "vgr: injected hang"; while :; do sleep 1000; done ;;
esac

if [ "$mode" = run ]; then
	echo
	/tests/vgetrandom/vgetrandom_demo
	echo
	finish
fi

# boot_test checks that the guest runs the kernel the harness built.
export VGR_KERNEL_RELEASE=$(cat /tests/kernel.release)
# A virtio port named $res, which may take a moment to appear after boot.
case $res in
/dev/*) ;;
*)	for i in 1 2 3 4 5 6 7 8 9 10; do
		for p in /sys/class/virtio-ports/*; do
			[ "$(cat "$p/name" 2>/dev/null)" = "$res" ] && res=/dev/${p##*/}
		done
		[ -e "$res" ] && break
		sleep 1
	done ;;
esac
[ -e "$res" ] || echo "vgr: results channel $res missing"
stty -F $res raw -echo 2>/dev/null
echo "# vgr-guest: $(uname -r)" > $res
if grep -qw avx2 /proc/cpuinfo; then
	echo "# vgr-cpu: avx2" > $res
else
	echo "# vgr-cpu: no-avx2" > $res
fi
if [ "$inject" = fail ]; then
	{
		echo "# vgr-test: harness/injected_failure"
		echo "1..1"
		echo "not ok 1 injected failure (vgr.inject=fail)"
		echo "# vgr-exit: harness/injected_failure 1"
	} > $res
fi
# Each line of /tests/list: a test's name, then its arguments.
while read -r t args; do
	case $only in
	"" | *,$t,*) ;;
	*) continue ;;
	esac
	[ -n "$only" ] && [ -n "$args_over" ] && args=$args_over
	echo "vgr: running $t $args"
	echo "# vgr-test: $t" > $res
	cd /tmp
	t0=$(date +%s)
	timeout "$timeout" "/tests/$t" $args > /tmp/out 2>&1 </dev/null
	rc=$?
	cd /
	cat /tmp/out > $res
	echo "# vgr-exit: $t $rc" > $res
	echo "vgr: $t exited $rc ($(($(date +%s) - t0)) s)"
done < /tests/list
echo "# vgr-done" > $res
finish
