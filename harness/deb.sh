#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# deb.sh BUILD full|test - our kernel as Debian binary packages, built by
# the kernel's own bindeb-pkg from Debian's amd64 configuration
# (linux-config-6.1, as check-config uses it) with what the product needs
# merged in (harness/config/vdso.config; Debian has the rest).
#
#   full: every module of Debian's configuration, the kernel a user would
#         install: BUILD/deb-full/.  Hours on two cores.
#   test: the same configuration trimmed by localmodconfig to the modules
#         the QEMU machine needs (harness/debian-modules.lsmod: virtio,
#         ext4, zram, ...), everything built in kept as Debian has it:
#         BUILD/deb/, for the Debian system guests of make test.
#
# Both leave linux-image-*, linux-headers-* and linux-libc-dev packages
# whose version says what they are: kernel release 6.1.N-vgetrandom (the
# test variant: 6.1.N-vgetrandom-qemu), package version
# 6.1.N-vgetrandom.C, C being the number of commits of this repository.
# They install with `apt install ./linux-image-....deb` on Debian 12 and
# 13: the package's postinst runs /etc/kernel/postinst.d, which makes the
# initramfs and updates the bootloader.
#
# Differences from Debian's own build, and why: no debug information (the
# -dbg package would be gigabytes; Debian ships its own separately, and BTF
# needs it), and modules signed with a key the build makes (Debian's key is
# Debian's); module signature enforcement stays as Debian has it (off
# unless lockdown).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$(cd "$1" && pwd)
variant=${2:-test}
. "$here/base.version"
config=/usr/src/linux-config-6.1/config.amd64_none_amd64.xz
pristine=$build/linux-pristine

case $variant in
full)	out=$build/deb-full localversion=-vgetrandom ;;
test)	out=$build/deb localversion=-vgetrandom-qemu ;;
*)	echo "usage: deb.sh BUILD full|test" >&2; exit 2 ;;
esac
tree=$out/linux
[ -f "$config" ] || { echo "deb: $config missing (make deps)" >&2; exit 1; }

# The pristine base (kernel.sh unpacks it once), and our copy of it.
"$here/kernel.sh" "$build" overlay >/dev/null
if [ ! -f "$tree/.vgr-copied" ]; then
	rm -rf "$tree"
	mkdir -p "$out"
	cp -a "$pristine" "$tree"
	rm -f "$tree/.vgr-unpacked"
	touch "$tree/.vgr-copied"
fi
"$here/overlay.sh" "$repo" "$pristine" "$tree" >/dev/null

# What the product needs: vdso.config merged in; droppable.config's
# options (the mm tests' swap, zram, memcg, ...) only checked, since
# Debian has them all, some as modules.
frags=$here/config/vdso.config
need="$frags $here/config/droppable.config"
mods=$here/debian-modules.lsmod
sum=$( { cat $need "$here/base.version"; xz -dc "$config";
	 [ "$variant" = test ] && cat "$mods"; } | sha256sum | cut -d' ' -f1)
if [ "$(cat "$tree/.vgr-config" 2>/dev/null)" != "$sum" ]; then
	echo "  CONFIG  Debian amd64 + vdso.config ($variant)"
	xz -dc "$config" > "$tree/.config"
	(cd "$tree" && scripts/config --set-str SYSTEM_TRUSTED_KEYS "" \
		--set-str SYSTEM_REVOCATION_KEYS "" --set-str MODULE_SIG_KEY certs/signing_key.pem \
		--disable DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT --disable DEBUG_INFO_DWARF4 \
		--disable DEBUG_INFO_DWARF5 --enable DEBUG_INFO_NONE)
	(cd "$tree" && scripts/kconfig/merge_config.sh -m .config $frags) > "$out/merge_config.log" 2>&1
	make -s -C "$tree" olddefconfig >/dev/null
	if [ "$variant" = test ]; then
		# Modules of the list stay modules; every other module goes.
		yes '' | make -s -C "$tree" LSMOD="$mods" localmodconfig > "$out/localmodconfig.log" 2>&1
	fi
	bad=
	for line in $(cat $need | grep -E '^CONFIG_[A-Za-z0-9_]+=y$'); do
		opt=${line%=y}
		grep -qx -e "$opt=y" -e "$opt=m" "$tree/.config" || bad="$bad $opt"
	done
	if [ -n "$bad" ]; then
		echo "deb: not in the configuration:$bad" >&2
		exit 1
	fi
	echo "$sum" > "$tree/.vgr-config"
fi

count=$(git -C "$repo" rev-list --count HEAD 2>/dev/null || echo 0)
kver=$(make -s -C "$tree" kernelversion)
pkgver=$kver-vgetrandom.$count
cc=gcc
[ -n "${HOME:-}" ] || export CCACHE_DIR="$build/ccache"
command -v ccache >/dev/null && ccache -s >/dev/null 2>&1 && cc="ccache gcc"
log=$out/build.log
echo "  DEB     linux-image-$kver$localversion $pkgver ($variant; log: $log)"
rm -f "$out"/*.deb "$out"/*.buildinfo "$out"/*.changes
start=$(date +%s)
if ! flock /tmp/kbuild.lock make -C "$tree" CC="$cc" -j"$(nproc)" \
	LOCALVERSION="$localversion" KDEB_PKGVERSION="$pkgver" \
	KDEB_CHANGELOG_DIST=bookworm bindeb-pkg > "$log" 2>&1; then
	grep -E 'error|Error' "$log" | head -20 >&2
	tail -20 "$log" >&2
	echo "deb: build failed (log: $log)" >&2
	exit 1
fi
echo "  DEB     $(ls "$out"/*.deb | xargs -n1 basename | tr '\n' ' ')in $(( $(date +%s) - start )) s"
