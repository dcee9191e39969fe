#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh - install, with apt-get, what the build and the tests need.
# Quiet and quick when everything is there already.  Needs root to install.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/base.version"

pkgs="build-essential flex bison bc libelf-dev libssl-dev cpio xz-utils
rsync patch perl git ccache busybox-static libsodium-dev
man-db util-linux coreutils gawk gzip linux-config-6.1 sparse debootstrap
pkg-config python3 musl-tools rng-tools5 dieharder clang-14
libclang-rt-14-dev libbsd-dev gnuplot-nox dpkg-dev debhelper lintian
mmdebstrap e2fsprogs kmod openssl"

# Every external command the harness, the Makefiles and the base's build
# call, checked once everything is installed: a missing one is named here
# rather than found minutes into a kernel build.
cmds="make gcc cc ld as ar flex bison bc perl git patch rsync cpio xz gzip
awk sed sha256sum timeout ccache busybox man dpkg-query
apt-get install tar find sort cmp diff sparse debootstrap chroot mount umount
flock comm mountpoint readlink dpkg-deb
pkg-config musl-gcc dpkg ldd rngtest dieharder clang-14 gnuplot
dpkg-buildpackage dpkg-parsechangelog dpkg-architecture dh lintian setpriv
mmdebstrap mkfs.ext4 debugfs unshare apt-cache depmod openssl
dpkg-gencontrol"

# Each guest architecture's own (harness/arch/*: emulators, cross tools).
. "$here/arch.sh"
for a in $(arch_list); do
	arch_load "$a"
	pkgs="$pkgs $A_PACKAGES"
	cmds="$cmds $A_COMMANDS"
done

installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

missing=
for p in $pkgs; do
	installed "$p" || missing="$missing $p"
done

apt_install() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: need root to install:$*" >&2
		exit 1
	fi
	if [ -z "${updated:-}" ]; then
		apt-get update -qq
		updated=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if [ -n "$missing" ]; then
	echo "deps: installing$missing"
	apt_install $missing
fi

# The base: the pinned version while the archive has it.
have=$(dpkg-query -W -f='${Version}' "$LINUX_SOURCE_PACKAGE" 2>/dev/null || true)
if [ "$have" != "$LINUX_SOURCE_VERSION" ] || ! installed "$LINUX_SOURCE_PACKAGE"; then
	echo "deps: installing $LINUX_SOURCE_PACKAGE=$LINUX_SOURCE_VERSION"
	if ! apt_install "$LINUX_SOURCE_PACKAGE=$LINUX_SOURCE_VERSION" 2>/dev/null; then
		echo "deps: ################################################################" >&2
		echo "deps: $LINUX_SOURCE_PACKAGE $LINUX_SOURCE_VERSION is no longer in the archive." >&2
		echo "deps: Trying the version the archive has; patches may not apply." >&2
		echo "deps: ################################################################" >&2
		[ -n "$have" ] && installed "$LINUX_SOURCE_PACKAGE" || apt_install "$LINUX_SOURCE_PACKAGE"
	fi
	have=$(dpkg-query -W -f='${Version}' "$LINUX_SOURCE_PACKAGE")
fi
if [ "$have" = "$LINUX_SOURCE_VERSION" ]; then
	sum=$(sha256sum "$LINUX_SOURCE_TARBALL" | cut -d' ' -f1)
	if [ "$sum" != "$LINUX_SOURCE_SHA256" ]; then
		echo "deps: $LINUX_SOURCE_TARBALL: sha256 $sum, expected $LINUX_SOURCE_SHA256" >&2
		exit 1
	fi
else
	echo "deps: WARNING: building on $LINUX_SOURCE_PACKAGE $have, not the pinned $LINUX_SOURCE_VERSION" >&2
fi

absent=
for c in $cmds; do
	command -v "$c" >/dev/null 2>&1 || absent="$absent $c"
done
if [ -n "$absent" ]; then
	echo "deps: missing commands after installing:$absent" >&2
	exit 1
fi
