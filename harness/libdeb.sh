#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# libdeb.sh BUILD - libvgetrandom as Debian packages: libvgetrandom1,
#	libvgetrandom-dev and libvgetrandom-preload (and their -dbgsym),
#	built with debhelper from the repository's debian/, left in
#	BUILD/deb/lib and checked with lintian: an error (E:) fails, the
#	rest is printed.  Root (Rules-Requires-Root: no, so no fakeroot).
#
# The source package is assembled afresh in BUILD/libdeb/vgetrandom-VERSION:
# the library's files and debian/ from the repository, and the
# kernel's vDSO parser that the library builds in, under linux/ at its
# kernel path (debian/rules then passes KSRC=linux): BUILD/linux-pristine's
# copy with the repository's change to it applied, as overlay.sh does.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$(cd "$1" && pwd)
lib=$repo/tools/lib/vgetrandom
deb=$repo/debian
pristine=$build/linux-pristine
out=$build/deb/lib
vdso=tools/testing/selftests/vDSO

# The upstream version is the library's (its API's) version; debian/changelog
# must name it, so that a new API cannot ship under the old version.
version=$(sed -n 's/^VERSION := *//p' "$lib/Makefile")
debversion=$(dpkg-parsechangelog -l "$deb/changelog" -S Version)
if [ "${debversion%-*}" != "$version" ]; then
	echo "libdeb: debian/changelog is at $debversion, the library at $version: add a changelog entry" >&2
	exit 1
fi

# The symbols file lists what vgetrandom.map exports, each symbol (and
# its version node) at the version that added the node: VGETRANDOM_1.1 ->
# 1.1.  dpkg-gensymbols then holds the built library to the same list.
expected=$(awk '
	/^[A-Z_0-9.]+ *\{/ { node = $1; ver = node; sub(/^[A-Z]+_/, "", ver)
			     print " " node "@" node " " ver; global = 0; next }
	/global:/	   { global = 1; next }
	/local:/ || /^\}/  { global = 0; next }
	global && /;/	   { sym = $1; sub(/;.*/, "", sym); print " " sym "@" node " " ver }
	' "$lib/vgetrandom.map" | LC_ALL=C sort)
listed=$(grep '^ ' "$deb/libvgetrandom1.symbols" | LC_ALL=C sort)
if [ "$expected" != "$listed" ]; then
	echo "libdeb: debian/libvgetrandom1.symbols does not list what vgetrandom.map exports; it should list:" >&2
	echo "$expected" >&2
	exit 1
fi

if [ ! -f "$pristine/$vdso/parse_vdso.c" ]; then
	echo "libdeb: no $pristine/$vdso/parse_vdso.c: unpack the base first (make overlay)" >&2
	exit 1
fi

src=$build/libdeb/vgetrandom-$version
rm -rf "$build/libdeb"
mkdir -p "$src/linux"

# The library as the repository has it, without what a build in place
# (make with O=., dpkg-buildpackage) may have left there.
rsync -a --exclude='*.o' --exclude='*.a' --exclude='*.so' --exclude='*.so.*' \
	--exclude=/pic/ "$lib/" "$src/"
# debian/ sits at the repository's top, outside the kernel paths, so that
# the exported kernel series does not carry it.
rsync -a --exclude=/build/ --exclude=/tmp/ --exclude=/.debhelper/ \
	--exclude='/libvgetrandom*/' --exclude=/files --exclude='/*.substvars' \
	--exclude='/*debhelper*' "$deb/" "$src/debian/"

# A kernel file: the repository's own, or the base's with the repository's
# FILE.patch applied (no fuzz), or the base's.
kfile() {
	mkdir -p "$src/linux/$(dirname "$1")"
	if [ -f "$repo/$1" ]; then
		cp "$repo/$1" "$src/linux/$1"
		return
	fi
	cp "$pristine/$1" "$src/linux/$1"
	if [ -f "$repo/$1.patch" ]; then
		patch -s -p1 -F0 -f --no-backup-if-mismatch -r - -d "$src/linux" \
			< "$repo/$1.patch"
	fi
}
kfile $vdso/parse_vdso.c
kfile $vdso/parse_vdso.h

# Nothing of the caller's make (make deb) leaks into the package's build.
echo "  DEB     libvgetrandom $debversion"
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) > "$build/libdeb/build.log" 2>&1; then
	tail -20 "$build/libdeb/build.log" >&2
	echo "libdeb: dpkg-buildpackage failed (log: $build/libdeb/build.log)" >&2
	exit 1
fi

rm -rf "$out"
mkdir -p "$out"
changes=vgetrandom_${debversion}_$(dpkg-architecture -qDEB_HOST_ARCH).changes
(cd "$build/libdeb" && mv ./*.deb ./*.buildinfo "$changes" "$out/")
for deb in "$out"/*.deb; do
	echo "  DEB     $deb"
done

# lintian on the .changes: every .deb in it, the .buildinfo and the
# .changes itself.  It exits 1 on an error tag, 2 if it could not check.
# Not as root, which it advises against, where nobody can read the files.
echo "  LINTIAN $changes"
user=
if [ "$(id -u)" -eq 0 ]; then
	user="setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME=/tmp"
	$user test -r "$out/$changes" || user=
fi
rc=0
$user lintian --display-info --fail-on error "$out/$changes" > "$build/libdeb/lintian.log" 2>&1 || rc=$?
sed 's/^/  /' "$build/libdeb/lintian.log"
if [ "$rc" -ne 0 ]; then
	echo "libdeb: lintian: $(grep -c '^E: ' "$build/libdeb/lintian.log") error(s), exit status $rc" >&2
	exit 1
fi
