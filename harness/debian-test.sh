#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# debian-test.sh BUILD - whole Debian systems booting with systemd on our
# kernel package and on Debian's own (issue #20), the getrandom system calls
# each makes counted by the kernel's tracing.  Prints one line per result,
# "PASS|FAIL|SKIP where/test: what", as harness/test.sh does, and keeps them
# in BUILD/debian-test-results.txt; the counts go to BUILD/debian-counts.txt.
#
#   guest-debian        Debian 13 (glibc 2.41) on our kernel package: the
#                       system checks, the workload, then the vDSO and
#                       droppable-memory suites and glibc 2.41's own test.
#   guest-debian-stock  the same image on Debian 12's stock kernel package
#                       (the version linux-image-amd64 depends on here):
#                       the system checks and the workload.
#   guest-bookworm      Debian 12 (glibc 2.36, which knows nothing of the
#                       vDSO function) on our kernel package, with the
#                       preload library in /etc/ld.so.preload: the system
#                       checks and the workload.
#
# Our kernel package is built first (harness/deb.sh test, into BUILD/deb),
# unless VGR_DEBIAN_KERNEL names one.  The preload library comes from the
# library's Debian packages in BUILD/deb/lib (libvgetrandom1 and
# libvgetrandom-preload, harness/libdeb.sh) when there are some, else from
# the library's "make install" into BUILD/debian/preload.  Every guest's
# files are under BUILD/debian/NAME (harness/debian-guest.sh).
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
lines=$build/debian-test-results.txt
counts=$build/debian-counts.txt
work=$build/debian
calls=${VGR_DEBIAN_CALLS:-100000}
: > "$lines"
mkdir -p "$work"
begin=$(date +%s)

result() {
	echo "$*" | tee -a "$lines"
}

# The suites run on our kernel: the vDSO's, the droppable memory's, the
# library's, and glibc 2.41's own use of the vDSO, here on the system's
# glibc (no wrapper).  The base's other vm tests and the long soaks stay in
# the busybox guests.
suite="vDSO/vgetrandom_vdso_test vgetrandom/vdso_rng_data_test
vgetrandom/vgetrandom_alloc_test vgetrandom/libvgetrandom_test
vgetrandom/vgetrandom_drop_test vgetrandom/vdso_kat_test vm/droppable
vm/droppable_pressure vgetrandom/vgetrandom_glibc_test"

# Debian's stock kernel package, the version this bookworm machine's
# linux-image-amd64 depends on, fetched once with this machine's apt.
stock_dir=$work/stock-kernel
stock_pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-6\.1\.[^ ]*-amd64\)$/\1/p' | head -1)
stock=
if [ -z "$stock_pkg" ]; then
	echo "debian-test: no linux-image-6.1.*-amd64 package known to apt here" >&2
else
	stock=$(ls "$stock_dir/${stock_pkg}_"*.deb 2>/dev/null | head -1)
	if [ -z "$stock" ]; then
		echo "  FETCH   $stock_pkg (Debian's kernel package), once"
		rm -rf "$stock_dir"
		mkdir -p "$stock_dir"
		(cd "$stock_dir" && apt-get -q -o APT::Sandbox::User=root download "$stock_pkg") \
			> "$work/stock-fetch.log" 2>&1 || tail -3 "$work/stock-fetch.log" >&2
		stock=$(ls "$stock_dir/${stock_pkg}_"*.deb 2>/dev/null | head -1)
	fi
fi

# Our packages, built as make deb builds them: the kernel's test variant
# (harness/deb.sh: Debian's configuration, modules trimmed to the QEMU
# machine's) unless VGR_DEBIAN_KERNEL names a package, and the library's
# (harness/libdeb.sh, lintian included).
if [ -z "${VGR_DEBIAN_KERNEL:-}" ]; then
	if "$here/deb.sh" "$build" test > "$work/deb.log" 2>&1; then
		result "PASS guest-debian/package: $(sed -n 's/^  DEB     \(linux-image-[^ ]* [^ ]*\) .*/\1/p' "$work/deb.log" | head -1): bindeb-pkg from Debian's amd64 configuration, modules trimmed (harness/deb.sh test)"
	else
		result "FAIL guest-debian/package: our kernel's packages did not build (log: $work/deb.log)"
		tail -5 "$work/deb.log" | sed 's/^/    /'
	fi
fi
if "$here/libdeb.sh" "$build" > "$work/libdeb.log" 2>&1; then
	result "PASS guest-debian/libpackages: libvgetrandom1, -dev and -preload built with debhelper, no lintian error"
else
	result "FAIL guest-debian/libpackages: the library's packages did not build or lintian found errors (log: $work/libdeb.log)"
	tail -5 "$work/libdeb.log" | sed 's/^/    /'
fi

ours=${VGR_DEBIAN_KERNEL:-$(ls -t "$build"/deb/linux-image-*vgetrandom*_amd64.deb 2>/dev/null |
	grep -v -- '-dbg_' | head -1)}

# The workload's C library half, built here and run on each image's glibc.
if [ ! -x "$work/vgr-workload" ] || [ "$here/debian/workload.c" -nt "$work/vgr-workload" ]; then
	cc -O2 -Wall -o "$work/vgr-workload" "$here/debian/workload.c" || exit 1
fi

# The preload library: its Debian package(s), else make install's tree.
preload_args= preload_path=
lib_debs=$(ls "$build"/deb/lib/libvgetrandom1_*_amd64.deb \
	"$build"/deb/lib/libvgetrandom-preload_*_amd64.deb 2>/dev/null)
for d in $lib_debs; do
	p=$(dpkg-deb -c "$d" | awk '{ print $NF }' | sed -n 's|^\./\(.*/libvgetrandom-preload\.so\)$|/\1|p')
	[ -n "$p" ] && preload_path=$p
done
# In /etc/ld.so.preload as a multiarch system needs it: with $LIB, which
# ld.so expands to each program's own library directory, so that a 32-bit
# program is not handed a 64-bit library (ld.so would complain on every
# start of one).
# shellcheck disable=SC2016 # a literal $LIB
preload_path=$(echo "$preload_path" | sed 's|^/usr/lib/x86_64-linux-gnu/|/usr/$LIB/|')
if [ -n "$preload_path" ]; then
	preload_args=$lib_debs
else
	# What "make install" does for the library, in the tree make test
	# has laid the overlay over.
	rm -rf "$work/preload"
	make -s --no-print-directory -C "$build/linux/tools/lib/vgetrandom" O="$work/lib" \
		KSRC="$build/linux" DESTDIR="$work/preload" PREFIX=/usr install \
		> "$work/preload-install.log" 2>&1 && preload_args=$work/preload &&
		preload_path=$(cd "$work/preload" && find . -name libvgetrandom-preload.so | sed 's|^\.||')
fi

# boot NAME WHERE TESTS PRELOAD SUITE KERNEL.deb [MORE...] - one guest
# (harness/debian-guest.sh) and its verdicts: the TAP it sent, QEMU's exit,
# the console, the trace.  TESTS: a file naming the tests to run after the
# workload, with their arguments from BUILD/guest/list ("" for none); a test
# not built is not run, and then fails as missing.  PRELOAD: the library
# for /etc/ld.so.preload ("" for none).
boot() {
	name=$1 where=$2 tests=$3 preload=$4
	shift 4
	dir=$work/$name
	list=
	printf '%s\n' debian/system debian/workload > "$work/$name.expect"
	[ -z "$preload" ] || echo debian/preload >> "$work/$name.expect"
	if [ -n "$tests" ]; then
		list=$work/$name.list
		cat "$tests" >> "$work/$name.expect"
		built=$build/guest/list
		[ -f "$built" ] || built=/dev/null
		awk 'NR == FNR { if (NF) want[$1] = 1; next }
			$1 in want { print; delete want[$1] }
			END { for (t in want) print t }' "$tests" "$built" |
		while read -r t args; do
			[ -x "$build/guest/$t" ] && echo "$t $args"
		done > "$list"
	fi
	t0=$(date +%s)
	VGR_DEBIAN_LIST=$list VGR_DEBIAN_PRELOAD=$preload VGR_DEBIAN_CALLS=$calls \
		"$here/debian-guest.sh" "$build" "$@"
	rc=$?
	eval "time_$name=$(($(date +%s) - t0))"
	mkdir -p "$dir"
	touch "$dir/results.tap" "$dir/console.log"
	awk -v where="$where" -v expect="$work/$name.expect" -v needdone=1 \
		-f "$here/tap.awk" "$dir/results.tap" | tee -a "$lines"
	if [ $rc -ne 0 ]; then
		result "FAIL $where/run: the guest failed with status $rc$([ $rc -eq 124 ] && echo ' (hard timeout)')"
	fi
	if grep -nE 'Oops|BUG:|WARNING:|Kernel panic|general protection fault|Unable to handle|Call [Tt]race:' \
		"$dir/console.log" > "$dir/console-problems.txt"; then
		result "FAIL $where/console: the kernel reported a problem: $(head -1 "$dir/console-problems.txt" | tr -d '\r' | cut -c1-200)"
		sed -n '2,5p' "$dir/console-problems.txt" | sed 's/^/    /'
	fi
	if [ $rc -ne 0 ] || grep -q "^FAIL $where/" "$lines"; then
		echo "---- last 30 lines of the console ($dir/console.log) ----"
		tr -d '\r' < "$dir/console.log" | tail -30
		echo "----"
	fi
	count "$name" "$where"
}

# count NAME WHERE - the trace's verdicts: complete, and the workload's
# C library calls as many system calls as the kernel should make them.
count() {
	dir=$work/$1 where=$2
	: > "$dir/counts"
	if [ ! -s "$dir/trace.txt" ]; then
		result "FAIL $where/trace: no kernel trace came back from the guest"
		return
	fi
	awk -f "$here/debian/trace-count.awk" "$dir/trace.txt" > "$dir/counts"
	lost=$(sed -n 's/^# vgr-trace: .*overrun: \([0-9]*\) dropped events: \([0-9]*\).*/\1 \2/p' \
		"$dir/results.tap" | awk '{ n += $1 + $2 } END { print NR ? n : -1 }')
	if [ "$(get ends "$dir")" = 1 ] && [ "$lost" = 0 ]; then
		result "PASS $where/trace: $(get total "$dir") getrandom system calls from boot to the end of the workload ($(get boot "$dir") before it), every event kept"
	else
		result "FAIL $where/trace: the trace lacks the workload's markers or lost events ($lost)"
	fi
}

# get KEY DIR - a number of DIR/counts ("comm NAME" for a program's).
get() {
	awk -F '\t' -v key="$1" '
		$1 == "comm" && "comm " $2 == key { n = $3 }
		$1 != "comm" { split($1, w, " "); if (w[1] == key) n = w[2] }
		END { print n + 0 }' "$2/counts"
}

# expect WHERE NAME MODE - MODE vdso: the workload's glibc and python3
# calls made a handful of system calls; syscall: one each.
expect() {
	where=$1 dir=$work/$2 mode=$3
	[ -s "$dir/counts" ] || return
	for prog in "vgr-getrandom:glibc getrandom()" "vgr-arc4random:glibc arc4random()" \
		"python3:python3 os.urandom()"; do
		comm=${prog%%:*} what=${prog#*:}
		n=$(get "comm $comm" "$dir")
		if [ "$mode" = vdso ]; then
			[ "$n" -le 16 ] && kind=PASS || kind=FAIL
			result "$kind $where/count/$comm: $calls calls of $what made $n getrandom system calls (at most 16)"
		else
			[ "$n" -ge "$calls" ] && kind=PASS || kind=FAIL
			result "$kind $where/count/$comm: $calls calls of $what made $n getrandom system calls (one a call: the trace sees them all)"
		fi
	done
}

echo "== a whole Debian 13 system (systemd) on Debian's stock kernel package =="
if [ -n "$stock" ]; then
	boot stock guest-debian-stock "" "" trixie stock "$stock"
	expect guest-debian-stock stock syscall
else
	result "FAIL guest-debian-stock/kernel: Debian's kernel package could not be fetched (see $work/stock-fetch.log)"
fi

echo "== a whole Debian 13 system (systemd) on our kernel package =="
if [ -z "$ours" ]; then
	result "SKIP guest-debian/kernel: no package of our kernel (see guest-debian/package)"
	result "SKIP guest-bookworm/kernel: no package of our kernel (see guest-debian/package)"
else
	[ -f "$build/guest/list" ] || result "FAIL guest-debian/suite: no guest tests built ($build/guest/list)"
	printf '%s\n' $suite > "$work/suite.names"
	boot ours guest-debian "$work/suite.names" "" trixie ours "$ours"
	expect guest-debian ours vdso

	echo "== a whole Debian 12 system on our kernel package, the preload library in /etc/ld.so.preload =="
	if [ -z "$preload_path" ]; then
		result "FAIL guest-bookworm/preload: no preload library (make install failed: $work/preload-install.log)"
	else
		# $preload_args unquoted: one word per package.
		boot bookworm guest-bookworm "" "$preload_path" bookworm bookworm "$ours" $preload_args
		expect guest-bookworm bookworm vdso
	fi
fi

# ours TOTAL OF STOCK'S - the whole system's drop, as a percentage.
pct() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b ? 100 * a / b : 0 }'
}
if [ -s "$work/stock/counts" ]; then
	for g in "ours:guest-debian:total:from boot to the end of the workload" \
		"bookworm:guest-bookworm:workload:in the workload (Debian 12: glibc 2.36 with the preload)"; do
		name=${g%%:*} g=${g#*:} where=${g%%:*} g=${g#*:} key=${g%%:*} what=${g#*:}
		[ -s "$work/$name/counts" ] || continue
		n=$(get "$key" "$work/$name") m=$(get "$key" "$work/stock")
		[ $((n * 10)) -lt "$m" ] && kind=PASS || kind=FAIL
		result "$kind $where/count/$key: $n getrandom system calls $what, $(pct "$n" "$m")% of the $m on Debian's kernel (at most 10%)"
	done
fi

# The table: each guest's total, and its programs with the most calls.
{
	echo "getrandom system calls from boot to the end of the workload, counted by the kernel's"
	echo "tracing (syscalls:sys_enter_getrandom); workload: $calls calls each of glibc's getrandom()"
	echo "(vgr-getrandom) and arc4random() (vgr-arc4random) and of python3's os.urandom(16), and"
	echo "openssl rand 20 times (harness/debian-test.sh, $(date -u +%Y-%m-%d), QEMU TCG, 2 CPUs)"
	echo
	echo "| kernel | userland | total | boot | workload | top programs (calls) |"
	echo "|---|---|---:|---:|---:|---|"
	for g in "stock:$stock" "ours:$ours" "bookworm:$ours"; do
		name=${g%%:*} deb=${g#*:} dir=$work/${g%%:*}
		[ -s "$dir/counts" ] || continue
		kernel="$(dpkg-deb -f "$deb" Package | sed 's/^linux-image-//') ($(dpkg-deb -f "$deb" Version))"
		[ "$name" = stock ] && kernel="Debian's $kernel" || kernel="ours, $kernel"
		userland=$(sed -n 's/^# vgr-userland: //p' "$dir/results.tap")
		[ "$name" = bookworm ] && userland="$userland, preload"
		# 6.1 names a program run with fexecve() after the descriptor
		# ("9"): systemd 257 starts each service's systemd-executor so.
		top=$(awk -F '\t' '$1 == "comm" && n++ < 6 {
			if ($2 ~ /^[0-9]+$/)
				$2 = $2 " (systemd-executor)"
			printf "%s%s %d", (n > 1 ? ", " : ""), $2, $3 }' "$dir/counts")
		echo "| $kernel | $userland | $(get total "$dir") | $(get boot "$dir") | $(get workload "$dir") | $top |"
	done
} > "$counts"
echo "== getrandom system calls ($counts) =="
cat "$counts"
echo "debian-test: $(($(date +%s) - begin)) s: stock ${time_stock:-0} s, ours ${time_ours:-0} s, bookworm ${time_bookworm:-0} s"
! grep -q '^FAIL' "$lines"
