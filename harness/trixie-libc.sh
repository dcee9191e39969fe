#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# trixie-libc.sh BUILD [ARCH] - Debian 13 (trixie)'s libc6 for ARCH (amd64,
# the default, or arm64), unpacked under BUILD/trixie/root (arm64:
# BUILD/trixie-arm64/root): glibc 2.41, the first glibc to use the vDSO's
# getrandom(), for the guest test that runs a program on it.
#
# Fetched once, from the Debian archive this machine's apt already uses
# (read from its configuration now, never written down here), with a
# throwaway apt configuration: a sources.list naming trixie, lists and
# cache under BUILD/trixie/apt.  Nothing on this machine is upgraded or
# reconfigured.  Later runs find the unpacked libc and do nothing.
set -eu
build=$(cd "$1" && pwd)
arch=${2:-amd64}
case $arch in
amd64)	dir=$build/trixie triplet=x86_64-linux-gnu ;;
arm64)	dir=$build/trixie-arm64 triplet=aarch64-linux-gnu ;;
*)	echo "trixie-libc: ARCH $arch: amd64 or arm64" >&2; exit 2 ;;
esac
root=$dir/root
apt=$dir/apt
suite=trixie
pkg=libc6
min=2.41

[ -f "$dir/stamp" ] && [ -f "$root/usr/lib/$triplet/libc.so.6" ] && exit 0

# The Debian archive this machine's apt fetches bookworm from: what apt
# would download on an update (its own parsing of every sources format),
# asked with lists of our own so that it needs no lists, nor the host's lock.
rm -rf "$dir"
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/parts" "$dir/debs"
mirror=$(apt-get -o Dir::State::Lists="$apt/lists" --print-uris update 2>/dev/null |
	sed -n "s|^'\(.*/\)dists/bookworm/\(In\)\{0,1\}Release'.*|\1|p" | head -1)
if [ -z "$mirror" ]; then
	echo "trixie-libc: no Debian bookworm archive in this machine's apt sources" >&2
	exit 1
fi

echo "  FETCH   $pkg:$arch from $suite ($mirror), once"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
	> "$apt/sources.list"
# Only our sources, lists, cache and no preferences of this machine's.
set -- -o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts="$apt/parts" \
	-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts="$apt/parts" \
	-o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" \
	-o APT::Architecture="$arch" -o APT::Architectures::="$arch" \
	-o APT::Sandbox::User=root -q
if ! apt-get "$@" update > "$dir/fetch.log" 2>&1 ||
   ! (cd "$dir/debs" && apt-get "$@" download "$pkg") >> "$dir/fetch.log" 2>&1; then
	tail -5 "$dir/fetch.log" >&2
	echo "trixie-libc: could not fetch $pkg from $suite (log: $dir/fetch.log)" >&2
	exit 1
fi
deb=$(ls "$dir/debs/${pkg}_"*_"$arch".deb)
version=$(dpkg-deb -f "$deb" Version)
# The upstream version: 2.41-12 -> 2.41.
upstream=${version%%-*}
if [ "$(printf '%s\n%s\n' "$min" "$upstream" | sort -V | head -1)" != "$min" ]; then
	echo "trixie-libc: $suite has $pkg $version, older than glibc $min" >&2
	exit 1
fi
dpkg -x "$deb" "$root"
echo "$pkg $version $mirror" > "$dir/stamp"
echo "  GLIBC   $version in $root"
