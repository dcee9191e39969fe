#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# initramfs.sh BUILD - pack busybox, harness/init.sh and the guest test
# binaries (BUILD/guest, listed in BUILD/guest/list, plus the demo) into
# BUILD/initramfs.cpio.gz with the base tree's own usr/gen_init_cpio.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
tree=$build/linux
gen=$build/gen_init_cpio
spec=$build/initramfs.list

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
	echo "file /bin/busybox /bin/busybox 0755 0 0"
	echo "file /init $here/init.sh 0755 0 0"
	echo "dir /tests 0755 0 0"
	echo "file /tests/list $build/guest/list 0644 0 0"
	echo "file /tests/kernel.release $tree/include/config/kernel.release 0644 0 0"
	(cd "$build/guest" && find . -mindepth 1 -type d | sed 's|^\./||' | LC_ALL=C sort) |
		while read -r d; do echo "dir /tests/$d 0755 0 0"; done
	(cd "$build/guest" && find . -type f -perm -u+x | sed 's|^\./||' | LC_ALL=C sort) |
		while read -r f; do echo "file /tests/$f $build/guest/$f 0755 0 0"; done
} > "$spec"
"$gen" "$spec" | gzip -1 > "$build/initramfs.cpio.gz.tmp"
mv "$build/initramfs.cpio.gz.tmp" "$build/initramfs.cpio.gz"
