#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# initramfs.sh BUILD - pack busybox, harness/init.sh and the guest test
# binaries (BUILD/guest, listed in BUILD/guest/list, plus the demo) into
# BUILD/initramfs.cpio.gz with the base tree's own usr/gen_init_cpio.
#
# VGR_INITRAMFS=demo: only the demo, into initramfs-demo.cpio.gz (make run
# needs nothing else, and builds nothing else).
#
# VGR_ARCH (harness/arch/, default x86_64): the same from and into that
# architecture's directory, with this machine's busybox (BUSYBOX=host) or
# Debian's busybox-static of that architecture, which this script downloads
# once (BUSYBOX=fetch: a throwaway apt configuration under BUILD/apt-DEB_ARCH,
# the host's sources, package lists of its own; nothing on the host changes).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
gen=$build/gen_init_cpio
. "$here/arch.sh"
arch_load "${VGR_ARCH:-x86_64}"

fetch_busybox() {
	bb=$A_OUT/busybox
	[ -x "$bb" ] && return 0
	a=$build/apt-$A_DEB_ARCH
	mkdir -p "$a/lists/partial" "$a/cache/archives/partial" "$a/deb"
	: > "$a/status"
	set -- -o APT::Architecture="$A_DEB_ARCH" -o APT::Architectures::="$A_DEB_ARCH" \
		-o Dir::State::Lists="$a/lists" -o Dir::Cache="$a/cache" \
		-o Dir::State::status="$a/status" -o Debug::NoLocking=1 \
		-o APT::Sandbox::User=root
	echo "  FETCH   busybox-static:$A_DEB_ARCH"
	# A mirror in the middle of a sync fails an index now and then (apt
	# exits 100 though it kept the others): try again, then go on with
	# what was read; the download below fails if that lacks busybox.
	for try in 1 2 3; do
		apt-get "$@" -qq update && break
		echo "  FETCH   apt-get update failed (try $try of 3)"
		sleep $((try * 10))
	done
	(cd "$a/deb" && rm -f ./*.deb && apt-get "$@" -qq download busybox-static)
	rm -rf "$a/root"
	dpkg-deb -x "$a"/deb/busybox-static_*_"$A_DEB_ARCH".deb "$a/root"
	cp "$a/root/bin/busybox" "$bb.tmp"
	mv "$bb.tmp" "$bb"
}

out=$A_OUT tree=$A_OUT/linux
case $A_BUSYBOX in
fetch)	fetch_busybox
	busybox=$A_OUT/busybox ;;
*)	busybox=/bin/busybox ;;
esac
demo=${VGR_INITRAMFS:-}
spec=$out/initramfs${demo:+-$demo}.list

if [ ! -x "$gen" ] || [ "$tree/usr/gen_init_cpio.c" -nt "$gen" ]; then
	cc -O2 -o "$gen" "$tree/usr/gen_init_cpio.c"
fi

{
	echo "dir /dev 0755 0 0"
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "dir /bin 0755 0 0"
	echo "dir /proc 0755 0 0"
	echo "dir /sys 0755 0 0"
	echo "dir /tmp 1777 0 0"
	echo "file /bin/busybox $busybox 0755 0 0"
	echo "file /init $here/init.sh 0755 0 0"
	echo "dir /tests 0755 0 0"
	echo "file /tests/kernel.release $tree/include/config/kernel.release 0644 0 0"
	if [ -n "$demo" ]; then
		echo "dir /tests/vgetrandom 0755 0 0"
		echo "file /tests/vgetrandom/vgetrandom_demo $out/guest/vgetrandom/vgetrandom_demo 0755 0 0"
	else
		echo "file /tests/list $out/guest/list 0644 0 0"
		(cd "$out/guest" && find . -mindepth 1 -type d | sed 's|^\./||' | LC_ALL=C sort) |
			while read -r d; do echo "dir /tests/$d 0755 0 0"; done
		(cd "$out/guest" && find . -type f -perm -u+x | sed 's|^\./||' | LC_ALL=C sort) |
			while read -r f; do echo "file /tests/$f $out/guest/$f 0755 0 0"; done
	fi
} > "$spec"
img=$out/initramfs${demo:+-$demo}.cpio.gz
"$gen" "$spec" | gzip -1 > "$img.tmp"
mv "$img.tmp" "$img"
