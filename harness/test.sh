#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# test.sh BUILD - run every test and print one line per result, then
# "N passed, N failed, N skipped".  Exit status 1 on any failure.
#
#   host:     BUILD/host/list, userspace tests of our code (no guest)
#   mainline: BUILD/guest/mainline.list, guest tests of the mainline ABI run
#             on the host's own kernel (tests of our additions skip there)
#   config:   what we change compiles under Debian's full amd64 config
#   sparse:   and sparse (make C=2) finds nothing there that the base lacks
#   patches:  the overlay exported as a series (harness/patches.sh) must
#             cover every file and apply with git am onto the base
#   guest:    BUILD/guest/list, run in QEMU on our kernel; the kernel
#             console must stay free of oopses, BUGs, WARNINGs and panics;
#             then the suite on the sanitized kernel (guest-kasan), the
#             vDSO tests again on a CPU without AVX2 (guest-sse2),
#             glibc 2.41 on the kernel booted without a vDSO
#             (guest-novdso), then the whole guest suite on the kernel of
#             each other architecture of harness/arch/ (guest-arm64, ...).
#   debian:   whole Debian systems with systemd on our kernel package and
#             Debian's (harness/debian-test.sh: guest-debian,
#             guest-debian-stock, guest-bookworm).
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1
lines=$build/test-results.txt
: > "$lines"

# phase TITLE - a header line with the time since the start, so that the
# log shows where make test spends its time.
t_start=$(date +%s)
elapsed() {
	el=$(($(date +%s) - t_start))
	printf "%d:%02d" $((el / 60)) $((el % 60))
}
phase() {
	echo "== $1 (at $(elapsed)) =="
}

# run_local DIR LIST OUT - run the binaries in LIST on this machine.
run_local() {
	: > "$3"
	[ -f "$2" ] || return 0
	for t in $(cat "$2"); do
		echo "# vgr-test: $t" >> "$3"
		(cd "$build" && timeout -k 5 300 "$1/$t") >> "$3" 2>&1 </dev/null
		echo "# vgr-exit: $t $?" >> "$3"
	done
}

phase "host tests"
run_local "$build/host" "$build/host/list" "$build/host-results.tap"
awk -v where=host -v expect="$build/host/list" -f "$here/tap.awk" \
	"$build/host-results.tap" | tee -a "$lines"

phase "mainline ABI tests on the host kernel ($(uname -r))"
run_local "$build/guest" "$build/guest/mainline.list" "$build/mainline-results.tap"
awk -v where=mainline -v expect="$build/guest/mainline.list" -f "$here/tap.awk" \
	"$build/mainline-results.tap" | tee -a "$lines"

phase "make install"
# What a distribution ships, installed into a scratch root: the static,
# shared and preload libraries, the header, the .pc file, the man pages and
# the OpenSSL provider.
# A static program links against the archive and gets random bytes; a
# program built with pkg-config's flags runs on the shared library with the
# vDSO in use (this host's kernel has it); every man page renders without
# warnings.
stage=$build/install-test
log=$build/install.log

# install_check - nothing and status 0 if all is right, else what is not.
install_check() {
	make -s --no-print-directory -C "$here/.." install DESTDIR="$stage" PREFIX=/usr \
		> "$log" 2>&1 || { echo "make install failed"; return 1; }
	lib=$stage/usr/lib man=$stage/usr/share/man
	for f in "$lib/libvgetrandom.a" "$lib/libvgetrandom.so.1" "$lib/libvgetrandom-preload.so" \
		"$lib/pkgconfig/vgetrandom.pc" "$stage/usr/include/vgetrandom.h"; do
		[ -f "$f" ] || { echo "no ${f#$stage}"; return 1; }
	done
	[ "$(readlink "$lib/libvgetrandom.so")" = libvgetrandom.so.1 ] ||
		{ echo "libvgetrandom.so is not a link to libvgetrandom.so.1"; return 1; }
	printf '#include <vgetrandom.h>\nint main(void){unsigned char b[32];return vgetrandom(b,sizeof(b),0)!=sizeof(b);}\n' |
		cc -static -I"$stage/usr/include" -x c - -x none "$lib/libvgetrandom.a" -lpthread \
		-o "$stage/prog-static" >> "$log" 2>&1 && "$stage/prog-static" ||
		{ echo "a static program does not link or run"; return 1; }
	flags=$(PKG_CONFIG_PATH=$lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$stage \
		pkg-config --cflags --libs vgetrandom 2>> "$log") ||
		{ echo "pkg-config does not find vgetrandom"; return 1; }
	cat > "$stage/prog.c" <<-'EOF'
	#include <stdio.h>
	#include <vgetrandom.h>

	int main(void)
	{
		unsigned char b[32];

		vgetrandom_buf(b, sizeof(b));
		if (vgetrandom(b, sizeof(b), 0) != sizeof(b) || vgetrandom_uniform(1))
			return 1;
		printf("vdso %d die %u\n", vgetrandom_vdso_active(), 1 + vgetrandom_uniform(6));
		return !vgetrandom_vdso_active();
	}
	EOF
	# $flags unquoted: one word per flag.
	cc -o "$stage/prog" "$stage/prog.c" $flags >> "$log" 2>&1 ||
		{ echo "cc prog.c \$(pkg-config --cflags --libs vgetrandom) fails"; return 1; }
	LD_LIBRARY_PATH=$lib "$stage/prog" >> "$log" 2>&1 ||
		{ echo "the pkg-config program fails or does not use the vDSO"; return 1; }
	# The OpenSSL provider, into OpenSSL's modules directory under the
	# scratch root, selected by the README's lines.
	modules=$stage$(pkg-config --variable=modulesdir libcrypto)
	[ -f "$modules/vgetrandom.so" ] ||
		{ echo "no ${modules#$stage}/vgetrandom.so"; return 1; }
	[ "$(nm -D --defined-only "$modules/vgetrandom.so" | awk '{ print $3 }')" = OSSL_provider_init ] ||
		{ echo "vgetrandom.so exports more than OSSL_provider_init"; return 1; }
	printf '%s\n' 'openssl_conf = openssl_init' '[openssl_init]' 'providers = provider_sect' \
		'random = random_sect' '[provider_sect]' 'default = default_sect' \
		'vgetrandom = vgetrandom_sect' '[default_sect]' 'activate = 1' '[vgetrandom_sect]' \
		'activate = 1' '[random_sect]' 'random = VGETRANDOM' 'properties = provider=vgetrandom' \
		> "$stage/openssl.cnf"
	OPENSSL_CONF=$stage/openssl.cnf OPENSSL_MODULES=$modules openssl list -providers \
		> "$stage/providers.txt" 2>> "$log" &&
		OPENSSL_CONF=$stage/openssl.cnf OPENSSL_MODULES=$modules openssl rand -hex 32 \
		>> "$log" 2>&1 && grep -q '^  vgetrandom$' "$stage/providers.txt" ||
		{ echo "openssl rand under the provider's configuration fails"; return 1; }
	for page in man2/vgetrandom_alloc.2 man3/vgetrandom.3 man3/vgetrandom_buf.3 \
		man3/vgetrandom_vdso_active.3 man3/vgetrandom_u32.3 man3/vgetrandom_uniform.3 \
		man7/EVP_RAND-VGETRANDOM.7; do
		# From the man directory, so that the links' ".so man3/..." resolve.
		(cd "$man" && MANWIDTH=80 man --warnings -l "$page") > "$stage/man.txt" 2> "$stage/man.warnings" &&
			[ ! -s "$stage/man.warnings" ] && grep -q 'SYNOPSIS' "$stage/man.txt" ||
			{ echo "$page: $(head -1 "$stage/man.warnings")"; return 1; }
	done
}

rm -rf "$stage"
if why=$(install_check); then
	echo "PASS install/tools: static, shared and preload library, header, .pc, man pages, OpenSSL provider install; a static program runs, and a pkg-config one on the shared library with the vDSO in use; openssl rand runs on the installed provider; every man page renders without warnings" | tee -a "$lines"
else
	echo "FAIL install/tools: $why (see $log)" | tee -a "$lines"
	tail -5 "$log" | sed 's/^/    /'
fi

phase "Debian's full amd64 config"
if "$here/check-config.sh" "$build" > "$build/check-config.out" 2>&1; then
	echo "PASS config/debian-amd64: every changed kernel file and the vDSO images compile without warnings" | tee -a "$lines"
else
	echo "FAIL config/debian-amd64: $(tail -1 "$build/check-config.out")" | tee -a "$lines"
	tail -8 "$build/check-config.out" | sed 's/^/    /'
fi

phase "sparse under Debian's full amd64 config"
if "$here/check-sparse.sh" "$build" > "$build/check-sparse.out" 2>&1; then
	echo "PASS sparse/debian-amd64: $(sed -n 's/^  OK      sparse: //p' "$build/check-sparse.out")" | tee -a "$lines"
else
	echo "FAIL sparse/debian-amd64: $(grep -m1 'check-sparse:' "$build/check-sparse.out" || tail -1 "$build/check-sparse.out")" | tee -a "$lines"
	tail -8 "$build/check-sparse.out" | sed 's/^/    /'
fi

phase "the exported patch series"
# make patches: every overlay file in one commit, and git am onto the base
# gives the overlaid tree.
if "$here/patches.sh" "$build" > "$build/patches.log" 2>&1; then
	echo "PASS patches/series: $(ls "$build/patches" | grep -vc '^0000-') patches, git am onto the base gives the overlaid tree" | tee -a "$lines"
else
	echo "FAIL patches/series: $(grep -m1 'patches:' "$build/patches.log" || tail -1 "$build/patches.log")" | tee -a "$lines"
	sed 's/^/    /' "$build/patches.log" | tail -5
fi

# guest NAME EXPECT-LIST [CPU] [KERNEL-ARGS...]: boot, check every result.
guest() {
	name=$1 expect=$2 cpu=$3
	shift 3
	console=$build/$name-console.log
	VGR_RUN_NAME=$name VGR_CPU=$cpu "$here/qemu.sh" "$build" test ${VGR_KERNEL_ARGS:-} "$@"
	rc=$?
	touch "$build/$name-results.tap" "$console"
	awk -v where="$name" -v expect="$expect" -v needdone=1 \
		-f "$here/tap.awk" "$build/$name-results.tap" | tee -a "$lines"
	bad=0
	if [ $rc -ne 0 ]; then
		echo "FAIL $name/run: QEMU exited with status $rc$( [ $rc -eq 124 ] && echo ' (hard timeout)')" | tee -a "$lines"
		bad=1
	fi
	# The kernel's own reports of something wrong, wherever they happened.
	if grep -nE 'Oops|BUG:|WARNING:|Kernel panic|KASAN|UBSAN|general protection fault|Unable to handle|Call [Tt]race:' \
		"$console" > "$build/$name-console-problems.txt"; then
		# The first report, and the panic if there was one, on the
		# FAIL line itself: a summary that keeps only FAIL lines still
		# says what went wrong.
		first=$(head -1 "$build/$name-console-problems.txt" | tr -d '\r' | cut -c1-200)
		panic=$(grep -m1 'Kernel panic' "$build/$name-console-problems.txt" | tr -d '\r' | cut -c1-200)
		[ "$panic" = "$first" ] && panic=
		echo "FAIL $name/console: the kernel reported a problem: $first${panic:+ ... $panic}" | tee -a "$lines"
		sed -n '2,5p' "$build/$name-console-problems.txt" | sed 's/^/    /'
		bad=1
	fi
	if [ $bad -ne 0 ] || grep -q "^FAIL $name" "$lines"; then
		echo "---- last 50 lines of the guest console ($console) ----"
		tr -d '\r' < "$console" | tail -50
		echo "----"
	fi
}

phase "guest tests (QEMU -cpu max, $(cat "$build/linux/include/config/kernel.release"))"
guest guest "$build/guest/list" max

# The sanitized kernel (harness/config/kasan: KASAN, UBSAN, KFENCE with a
# short sampling interval), the same guest suite but for the statistical
# test and python3 (they check the vDSO's output and a consumer, not the
# kernel).  A sanitizer's
# report on the console fails the run like any other.
kasan_tests=$(awk '$1 != "vgetrandom/vgetrandom_stats_test" && $1 != "vgetrandom/debian_python_test" { print $1 }' "$build/guest/list")
phase "guest tests on the sanitized kernel (KASAN, UBSAN, KFENCE; $(cat "$build/kasan/linux/include/config/kernel.release"))"
printf '%s\n' $kasan_tests > "$build/guest/kasan.list"
export VGR_VARIANT=kasan
guest guest-kasan "$build/guest/kasan.list" max kfence.sample_interval=10 \
	"vgr.tests=$(echo $kasan_tests | tr ' ' ,)"
unset VGR_VARIANT
if grep -q 'KernelAddressSanitizer initialized' "$build/guest-kasan-console.log"; then
	echo "PASS guest-kasan/kernel: the guest ran the KASAN kernel (KernelAddressSanitizer initialized)" | tee -a "$lines"
else
	echo "FAIL guest-kasan/kernel: the console does not show KASAN initialized" | tee -a "$lines"
fi

# The same kernel on a CPU without AVX2: the vDSO keeps its SSE2 ChaCha20
# (no alternative applied), which no other guest run executes.
sse2_tests="vDSO/vgetrandom_vdso_test vgetrandom/vgetrandom_drop_test vgetrandom/vgetrandom_reentry_test vgetrandom/vdso_kat_test vgetrandom/libvgetrandom_test"
phase "guest tests of the vDSO on a CPU without AVX2 (QEMU -cpu Nehalem)"
printf '%s\n' $sse2_tests > "$build/guest/sse2.list"
guest guest-sse2 "$build/guest/sse2.list" Nehalem "vgr.tests=$(echo $sse2_tests | tr ' ' ,)"
if grep -q '^# vgr-cpu: no-avx2' "$build/guest-sse2-results.tap"; then
	echo "PASS guest-sse2/cpu: the guest CPU has no AVX2, so the SSE2 path ran" | tee -a "$lines"
else
	echo "FAIL guest-sse2/cpu: the guest CPU reported AVX2 (or nothing)" | tee -a "$lines"
fi

# novdso NAME - the same kernel booted with its description's NOVDSO
# parameters (x86_64: vdso=0, no vDSO mapped at all; s390x: novx, a vDSO
# that is never ready): for userspace, a kernel without a vDSO getrandom()
# it can use.  glibc 2.41 and Go 1.24 then make one system call per call.
novdso() {
	novdso_tests="vgetrandom/trixie_glibc_test vgetrandom/vgetrandom_go_test"
	phase "glibc 2.41 and Go 1.24 on ${A_NAME} without a vDSO getrandom() they can use ($A_NOVDSO)"
	printf '%s\n' $novdso_tests > "$A_OUT/guest/novdso.list"
	guest "$1" "$A_OUT/guest/novdso.list" max $A_NOVDSO "vgr.tests=$(echo $novdso_tests | tr ' ' ,)"
	if grep -q '^# vgr-glibc: glibc 2\.4[1-9].*, no vDSO getrandom' "$build/$1-results.tap"; then
		echo "PASS $1/vdso: glibc 2.41 found no vDSO getrandom() it could use, so its system-call path ran" | tee -a "$lines"
	else
		echo "FAIL $1/vdso: the guest had a vDSO getrandom() or no glibc 2.41 (or said nothing)" | tee -a "$lines"
	fi
}
. "$here/arch.sh"
arch_load x86_64
[ -z "$A_NOVDSO" ] || novdso guest-novdso

# Every other architecture of harness/arch/ (harness/arch.sh): its own
# kernel, the same guest suite on its emulator, the tests it cannot run
# reported skipped with why, and its NOVDSO run.
for a in $(arch_list); do
	[ "$a" = x86_64 ] && continue
	arch_load "$a"
	phase "guest tests on $a ($A_QEMU $A_QEMU_MACHINE -cpu $A_QEMU_CPU, $(cat "$A_OUT/linux/include/config/kernel.release"))"
	export VGR_ARCH=$a
	guest "guest-$a" "$A_OUT/guest/list" max
	unset VGR_ARCH
	echo "$A_SKIP" | tr ';' '\n' | while IFS=: read -r t why; do
		[ -z "$t" ] || echo "SKIP guest-$a/$t: $why" | tee -a "$lines"
	done
	if [ -n "$A_NOVDSO" ]; then
		export VGR_ARCH=$a
		novdso "guest-$a-novdso"
		unset VGR_ARCH
	fi
done

# Whole Debian systems booting with systemd (issue #20): Debian 13 on our
# kernel package and on Debian's own, Debian 12 with the preload library on
# ours, their getrandom system calls counted by the kernel's tracing.
# harness/debian-test.sh prints its result lines (guest-debian/...,
# guest-debian-stock/..., guest-bookworm/...) and keeps them in
# BUILD/debian-test-results.txt; the counts are in BUILD/debian-counts.txt.
phase "whole Debian systems (systemd) on our kernel package and Debian's"
"$here/debian-test.sh" "$build"
cat "$build/debian-test-results.txt" >> "$lines"

pass=$(grep -c '^PASS' "$lines")
fail=$(grep -c '^FAIL' "$lines")
skip=$(grep -c '^SKIP' "$lines")
echo "== done (at $(elapsed)) =="
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
