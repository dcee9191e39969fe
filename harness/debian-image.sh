#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# debian-image.sh BUILD SUITE - a root file system of Debian SUITE (trixie
# or bookworm) that boots with systemd, kept as BUILD/debian-SUITE/root.tar
# with a stamp beside it; harness/debian-guest.sh unpacks a fresh copy of it
# for every boot, installs a kernel package into it and boots it.
#
# Made once with mmdebstrap from the Debian archive this machine's apt uses
# (asked as harness/trixie.sh asks it: never written down here), and again
# only when what would be made changes (the stamp records the archive, the
# suite and the package list).  Nothing on this machine is upgraded or
# reconfigured: mmdebstrap works with an apt configuration of its own.
#
# What is in it: an ordinary small system (systemd as init, udev, dbus),
# the programs whose random reads the Debian guests count (openssl,
# python3), what a kernel package needs to install (kmod, initramfs-tools,
# linux-base, zstd to compress the initramfs) and the tools the tests'
# service uses (procps).  Documentation, manual pages and translations are
# left out; that changes nothing but the size.
set -eu
build=$(cd "$1" && pwd)
suite=${2:-}
case $suite in
trixie | bookworm) ;;
*)	echo "usage: debian-image.sh BUILD trixie|bookworm" >&2; exit 2 ;;
esac
dir=$build/debian-$suite
tar=$dir/root.tar
pkgs=systemd-sysv,udev,dbus,openssl,python3,kmod,initramfs-tools,linux-base,zstd,procps

[ "$(id -u)" -eq 0 ] || { echo "debian-image: needs root (mmdebstrap)" >&2; exit 1; }

# The Debian archive this machine's apt fetches bookworm from: what apt
# would download on an update, asked with lists of our own so that it needs
# neither the machine's lists nor its lock.
lists=$(mktemp -d)
trap 'rm -rf "$lists"' EXIT
mkdir -p "$lists/partial"
mirror=$(apt-get -o Dir::State::Lists="$lists" --print-uris update 2>/dev/null |
	sed -n "s|^'\(.*/\)dists/bookworm/\(In\)\{0,1\}Release'.*|\1|p" | head -1)
if [ -z "$mirror" ]; then
	echo "debian-image: no Debian bookworm archive in this machine's apt sources" >&2
	exit 1
fi

want="$suite $mirror $pkgs"
[ -f "$tar" ] && [ "$(cat "$dir/stamp" 2>/dev/null)" = "$want" ] && exit 0

echo "  MKROOT  Debian $suite ($mirror), once"
rm -rf "$dir"
mkdir -p "$dir"
start=$(date +%s)
# --variant=minbase: Essential and apt, then our list (no Recommends).
# The hooks name the machine and give it an empty fstab: systemd mounts
# the root read-write from the kernel command line, and nothing else.
if ! mmdebstrap --quiet --mode=root --variant=minbase --format=tar \
	--include="$pkgs" \
	--dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	--dpkgopt='path-include=/usr/share/locale/locale.alias' \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-include=/usr/share/doc/*/copyright' \
	--dpkgopt='path-exclude=/usr/share/info/*' \
	--customize-hook='echo vgr-debian > "$1/etc/hostname"' \
	--customize-hook='echo "127.0.1.1 vgr-debian" >> "$1/etc/hosts"' \
	--customize-hook=': > "$1/etc/fstab"' \
	"$suite" "$tar.part" "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
	> "$dir/mmdebstrap.log" 2>&1; then
	tail -20 "$dir/mmdebstrap.log" >&2
	echo "debian-image: mmdebstrap $suite failed (log: $dir/mmdebstrap.log)" >&2
	exit 1
fi
mv "$tar.part" "$tar"
echo "$want" > "$dir/stamp"
echo "  MKROOT  $tar: $(du -m "$tar" | cut -f1) MiB in $(($(date +%s) - start)) s"
