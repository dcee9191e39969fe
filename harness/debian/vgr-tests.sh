#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /opt/vgr/vgr-tests.sh: what vgr-tests.service runs in a Debian guest of
# harness/debian-guest.sh, once the system has started.  It writes TAP to
# the second serial port (/dev/ttyS1; the console is the first), framed as
# harness/init.sh frames it ("# vgr-test: NAME" ... "# vgr-exit: NAME RC",
# then "# vgr-done"), and powers the machine off.
#
#   debian/system     systemd is PID 1 and the system reached
#                     multi-user.target, running (or degraded: the failed
#                     units are listed); the kernel is the package's;
#                     no seccomp filter killed a process, and a service
#                     under systemd's @system-service filter gets random
#                     bytes.
#   debian/workload   the fixed workload whose getrandom system calls the
#                     kernel's tracing counts from boot on: glibc's
#                     getrandom() and arc4random(), python3's os.urandom(),
#                     openssl rand.  Then tracing stops and the trace is
#                     saved in /var/lib/vgr/trace.txt, which the harness
#                     reads out of the disk image after power-off.
#   debian/preload    with /etc/ld.so.preload: which processes load the
#                     library (PID 1, every dynamic one, set-user-ID ones).
#   then each test of /opt/vgr/list ("NAME ARGS" per line, binaries under
#   /opt/vgr/tests), as root with a time limit, from /tmp.
#
# /opt/vgr/release is the kernel release the installed package provides;
# /opt/vgr/calls the number of calls of each workload step.
set -u
res=/dev/ttyS1
tracing=/sys/kernel/tracing
calls=$(cat /opt/vgr/calls)
openssl_runs=20
limit=300

stty -F "$res" raw -echo 2>/dev/null
exec 3> "$res"

# tap N OK DESCRIPTION - one TAP line on fd 3 (OK: 0 for ok).
tap() {
	if [ "$2" -eq 0 ]; then
		echo "ok $1 $3" >&3
	else
		echo "not ok $1 $3" >&3
	fi
}

# Startup has finished once no job is left: vgr-tests.service is
# Type=simple, so its own job is done as soon as this script runs.
state=$(timeout 300 systemctl is-system-running --wait 2>/dev/null)
echo "# vgr-guest: $(uname -r)" >&3
echo "# vgr-userland: Debian $(cat /etc/debian_version), glibc $(getconf GNU_LIBC_VERSION | cut -d' ' -f2)" >&3
echo "# vgr-test: debian/system" >&3
echo "1..6" >&3
pid1=$(cat /proc/1/comm)
[ "$pid1" = systemd ] && [ "$(readlink /proc/1/exe)" = /usr/lib/systemd/systemd ]
tap 1 $? "PID 1 is systemd (comm $pid1, $(readlink /proc/1/exe))"
systemctl is-active -q multi-user.target
tap 2 $? "multi-user.target is active"
case $state in
running | degraded) ok=0 ;;
*) ok=1 ;;
esac
tap 3 $ok "the system finished starting: systemctl is-system-running says $state"
[ "$state" = degraded ] &&
	systemctl --failed --no-legend --plain | sed 's/^/# failed unit: /' >&3
[ "$(uname -r)" = "$(cat /opt/vgr/release)" ]
tap 4 $? "the kernel is the installed package's ($(uname -r), /boot/vmlinuz-$(cat /opt/vgr/release))"
# A seccomp filter kills what it does not know (systemd's SystemCallFilter=
# does, with SIGSYS): the kernel logs each such kill (audit type 1326).
killed=$(dmesg | grep -c 'type=1326')
dmesg | grep 'type=1326' | sed 's/^/# /' >&3
tap 5 "$killed" "no process was killed by its seccomp filter ($killed audit type=1326 reports)"
# A hardened service, as many of Debian's units are: whatever its C library
# (or a library preloaded into it) does to serve getrandom() must be on
# systemd's @system-service list, or the service dies of SIGSYS.
systemd-run -q --wait --pipe -p SystemCallFilter=@system-service \
	python3 -c 'import os; assert len(os.urandom(16)) == 16' > /dev/null 2>&1
tap 6 $? "a service with SystemCallFilter=@system-service gets random bytes (python3 os.urandom())"
echo "# vgr-exit: debian/system 0" >&3

# The workload.  The markers in the trace let the harness tell boot from
# workload.
echo "# vgr-test: debian/workload" >&3
echo "1..5" >&3
ok=1
[ -f "$tracing/events/syscalls/sys_enter_getrandom/enable" ] &&
	[ "$(cat "$tracing/events/syscalls/sys_enter_getrandom/enable")" = 1 ] && ok=0
tap 1 $ok "the kernel traces getrandom system calls since boot (trace_event=syscalls:sys_enter_getrandom)"
[ -f /etc/ld.so.preload ] && echo "# /etc/ld.so.preload: $(cat /etc/ld.so.preload)" >&3
echo "vgr: workload start" > "$tracing/trace_marker"
/opt/vgr/vgr-getrandom "$calls" > /dev/null
tap 2 $? "glibc getrandom(): $calls calls of 16 bytes (vgr-getrandom)"
/opt/vgr/vgr-arc4random "$calls" > /dev/null
tap 3 $? "glibc arc4random(): $calls calls (vgr-arc4random)"
python3 -c "import os; [os.urandom(16) for _ in range($calls)]"
tap 4 $? "python3: $calls calls of os.urandom(16)"
ok=0
i=0
while [ $i -lt $openssl_runs ]; do
	openssl rand -hex 16 > /dev/null || ok=1
	i=$((i + 1))
done
tap 5 $ok "openssl rand -hex 16, $openssl_runs times"
echo "vgr: workload end" > "$tracing/trace_marker"
echo 0 > "$tracing/tracing_on"
mkdir -p /var/lib/vgr
cat "$tracing/trace" > /var/lib/vgr/trace.txt
# Events the ring buffer had no room for: the count would be short.
for s in "$tracing"/per_cpu/cpu*/stats; do
	echo "# vgr-trace: ${s%/stats} $(grep -E '^(overrun|dropped events):' "$s" | tr '\n' ' ')" >&3
done
echo "# vgr-exit: debian/workload 0" >&3

# With /etc/ld.so.preload (Debian 12 and the preload library): where the
# library is, and is not, loaded.  ld.so reads the file for every dynamic
# program, PID 1 and set-user-ID programs included (it ignores only
# LD_PRELOAD in secure-execution mode); static programs never read it.
if [ -s /etc/ld.so.preload ]; then
	# Its name: the line may hold $LIB, which ld.so expands.
	lib=$(basename "$(head -1 /etc/ld.so.preload)")
	echo "# vgr-test: debian/preload" >&3
	echo "1..4" >&3
	grep -qF "$lib" /proc/1/maps
	tap 1 $? "PID 1 (systemd) runs with $lib ($(head -1 /etc/ld.so.preload))"
	# Every process that ld.so started, but kernel threads and static
	# programs: those with no dynamic linker mapped.
	without= n=0
	for m in /proc/[0-9]*/maps; do
		grep -q '/ld-linux' "$m" 2>/dev/null || continue
		n=$((n + 1))
		grep -qF "$lib" "$m" 2>/dev/null && continue
		p=${m%/maps}
		without="$without $(cat "$p/comm" 2>/dev/null)[${p#/proc/}]"
	done
	[ -z "$without" ]
	tap 2 $? "every one of the $n dynamically linked processes maps it${without:+; not:$without}"
	# A set-user-ID root program run by an ordinary user (AT_SECURE).
	cp /usr/bin/cat /opt/vgr/suid-cat && chmod 4755 /opt/vgr/suid-cat
	setpriv --reuid=65534 --regid=65534 --clear-groups /opt/vgr/suid-cat /proc/self/maps |
		grep -qF "$lib"
	tap 3 $? "a set-user-ID program run by an ordinary user (secure-execution mode) loads it too"
	rm -f /opt/vgr/suid-cat
	bad=$(journalctl -b -o cat 2>/dev/null | grep -c 'ld.so: object .* cannot be preloaded')
	tap 4 "$bad" "no program failed to preload it ($bad such complaints in the journal)"
	echo "# vgr-exit: debian/preload 0" >&3
fi

# The test suite: zram for droppable_pressure's swap test (a module in
# Debian's configuration, loaded as a system would).
modprobe zram 2>/dev/null
while read -r t args; do
	[ -n "$t" ] || continue
	echo "# vgr-test: $t" >&3
	cd /tmp || exit 1
	# $args unquoted: one word per argument.
	timeout "$limit" "/opt/vgr/tests/$t" $args > /tmp/vgr-out 2>&1 < /dev/null
	rc=$?
	cd /
	cat /tmp/vgr-out >&3
	echo "# vgr-exit: $t $rc" >&3
done < /opt/vgr/list
echo "# vgr-done" >&3
exec 3>&-
systemctl poweroff --no-block
