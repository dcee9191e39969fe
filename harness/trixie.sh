#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# trixie.sh BUILD libc [ARCH] - Debian 13 (trixie)'s libc6 for ARCH, a
#	Debian architecture of harness/arch/ (default amd64), unpacked under
#	BUILD/trixie/root (another ARCH: BUILD/trixie-ARCH/root): glibc 2.41,
#	the first glibc to use the vDSO's getrandom(), for the guest test
#	that runs a program on it.
# trixie.sh BUILD go - trixie's Go 1.24 toolchain (golang-1.24-go and
#	golang-1.24-src, amd64), unpacked under BUILD/trixie-go/root: the
#	first Go whose crypto/rand uses the vDSO's getrandom().  It builds
#	the Go consumer test for both guests (Go cross-compiles by itself).
#
# Fetched once, from the Debian archive this machine's apt already uses
# (read from its configuration now, never written down here), with a
# throwaway apt configuration: a sources.list naming trixie, lists and
# cache under the unpacked root's directory.  Nothing on this machine is
# upgraded or reconfigured.  Later runs find the unpacked files and do
# nothing.
set -eu
build=$(cd "$1" && pwd)
what=${2:-}
arch=${3:-amd64}
case $what/$arch in
libc/*)	# The architecture description whose DEB_ARCH this is.
	here=$(cd "$(dirname "$0")" && pwd)
	. "$here/arch.sh"
	for a in $(arch_list); do
		arch_load "$a"
		[ "$A_DEB_ARCH" = "$arch" ] && break
		A_TRIPLET=
	done
	if [ -z "$A_TRIPLET" ]; then
		echo "trixie: $arch: no harness/arch/ description has DEB_ARCH=$arch" >&2
		exit 2
	fi
	dir=$build/trixie$([ "$arch" = amd64 ] || echo "-$arch") pkgs=libc6 min=2.41
	have=usr/lib/$A_TRIPLET/libc.so.6 ;;
go/amd64)	dir=$build/trixie-go pkgs="golang-1.24-go golang-1.24-src" min=1.24
		have=usr/lib/go-1.24/bin/go ;;
*)	echo "usage: trixie.sh BUILD libc [DEB_ARCH] | trixie.sh BUILD go" >&2; exit 2 ;;
esac
root=$dir/root
apt=$dir/apt
suite=trixie

[ -f "$dir/stamp" ] && [ -f "$root/$have" ] && exit 0

# The Debian archive this machine's apt fetches bookworm from: what apt
# would download on an update (its own parsing of every sources format),
# asked with lists of our own so that it needs no lists, nor the host's lock.
rm -rf "$dir"
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/parts" "$dir/debs"
mirror=$(apt-get -o Dir::State::Lists="$apt/lists" --print-uris update 2>/dev/null |
	sed -n "s|^'\(.*/\)dists/bookworm/\(In\)\{0,1\}Release'.*|\1|p" | head -1)
if [ -z "$mirror" ]; then
	echo "trixie: no Debian bookworm archive in this machine's apt sources" >&2
	exit 1
fi

echo "  FETCH   $pkgs ($arch) from $suite ($mirror), once"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
	> "$apt/sources.list"
# Only our sources, lists, cache and no preferences of this machine's.
set -- -o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts="$apt/parts" \
	-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts="$apt/parts" \
	-o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" \
	-o APT::Architecture="$arch" -o APT::Architectures::="$arch" \
	-o APT::Sandbox::User=root -q
# shellcheck disable=SC2086 # $pkgs is a list of package names
if ! apt-get "$@" update > "$dir/fetch.log" 2>&1; then
	tail -5 "$dir/fetch.log" >&2
	echo "trixie: could not read $suite's lists (log: $dir/fetch.log)" >&2
	exit 1
fi
cross=
if ! (cd "$dir/debs" && apt-get "$@" download $pkgs) >> "$dir/fetch.log" 2>&1; then
	# A foreign architecture's libc6 the archive lists but does not hold
	# (seen for ppc64el and s390x: the pool lags the index after a stable
	# update): trixie's libc6-ARCH-cross, the same glibc built by Debian
	# for its cross toolchains (architecture all, same signed lists).
	if [ "$what" != libc ] || [ "$arch" = amd64 ]; then
		tail -5 "$dir/fetch.log" >&2
		echo "trixie: could not fetch $pkgs from $suite (log: $dir/fetch.log)" >&2
		exit 1
	fi
	cross=libc6-$arch-cross
	echo "  FETCH   libc6:$arch is listed but not in the archive: $cross instead"
	rm -f "$dir/debs"/*.deb
	set -- "$@" -o APT::Architecture=amd64 -o APT::Architectures::=amd64
	pkgs=$cross
	if ! apt-get "$@" update >> "$dir/fetch.log" 2>&1 ||
	   ! (cd "$dir/debs" && apt-get "$@" download $pkgs) >> "$dir/fetch.log" 2>&1; then
		tail -5 "$dir/fetch.log" >&2
		echo "trixie: could not fetch libc6:$arch nor $cross from $suite (log: $dir/fetch.log)" >&2
		exit 1
	fi
fi
stamp=
for pkg in $pkgs; do
	deb=$(ls "$dir/debs/${pkg}_"*.deb)
	version=$(dpkg-deb -f "$deb" Version)
	# The upstream version: 2.41-12 -> 2.41, 1.24.4-1 -> 1.24.4.
	upstream=${version%%-*}
	if [ "$(printf '%s\n%s\n' "$min" "$upstream" | sort -V | head -1)" != "$min" ]; then
		echo "trixie: $suite has $pkg $version, older than $min" >&2
		exit 1
	fi
	dpkg -x "$deb" "$root"
	stamp="$stamp$pkg $version "
	echo "  UNPACK  $pkg $version in $root"
done
# The cross package keeps the libraries in /usr/TRIPLET/lib: where libc6
# would have them.
if [ -n "$cross" ]; then
	mkdir -p "$root/usr/lib/$A_TRIPLET"
	cp -a "$root/usr/$A_TRIPLET/lib/." "$root/usr/lib/$A_TRIPLET/"
fi
echo "$stamp$mirror" > "$dir/stamp"
