#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# check-fresh.sh BUILD - the README's two commands on a bare Debian 12.
#
# A minimal bookworm root (debootstrap --variant=minbase, plus make) from
# the Debian archive this machine's apt uses, a clean clone of the
# repository's HEAD in it, and there, as root in a chroot, exactly
# "make run" and then "make test": everything else they need they must
# install themselves.  Fails if either fails or if the demo did not run.
#
# The bootstrapped root is made once and kept as a tarball
# (BUILD/fresh/bookworm-minbase.tar); every run unpacks it anew into
# BUILD/fresh/root.  Logs: BUILD/fresh/run.log, BUILD/fresh/test.log.
# VGR_FRESH_ROUNDS=2 runs both commands a second time (the README's
# second-run times); VGR_FRESH_KEEP=1 keeps the root afterwards.
#
# The root borrows this machine's compiler cache: ccache's directory is
# bind-mounted where the root's own ccache looks for it (/root/.cache/ccache).
# That changes build times only: the root still installs ccache and the
# compilers itself, and ccache hashes each compiler (size and mtime, both
# set by dpkg from the package) and the preprocessed source, so a hit is
# the object file this very compiler makes from this very source.
# VGR_FRESH_CCACHE=0 builds with an empty cache instead (first-run times).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$(cd "$1" && pwd)
dir=$build/fresh
root=$dir/root
suite=bookworm
cache=$dir/$suite-minbase.tar
rounds=${VGR_FRESH_ROUNDS:-1}
begin=$(date +%s)

[ "$(id -u)" -eq 0 ] || { echo "check-fresh: needs root (debootstrap, chroot)" >&2; exit 1; }

# sources - "URI SUITE COMPONENTS..." for each Debian 12 archive that
# this machine's apt is configured with, one-line and deb822 formats.
sources() {
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -E -n 's/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//p' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk 'function flush() {
			if (types ~ /(^| )deb( |$)/ && enabled != "no")
				for (i = 1; i <= nu; i++)
					for (j = 1; j <= ns; j++)
						print u[i], s[j], comps
			types = ""; enabled = ""; nu = ns = 0; comps = ""
		}
		/^[[:space:]]*#/ { next }
		/^[[:space:]]*$/ { flush(); next }
		{ key = tolower($1); $1 = "" ; sub(/^ +/, "") }
		key == "types:" { types = $0 }
		key == "enabled:" { enabled = tolower($0) }
		key == "uris:" { nu = split($0, u, " ") }
		key == "suites:" { ns = split($0, s, " ") }
		key == "components:" { comps = $0 }
		END { flush() }' "$f"
	done | awk -v suite="$suite" '$2 == suite || index($2, suite "-") == 1'
}

mirror=$(sources | awk -v suite="$suite" '$2 == suite { print $1; exit }')
[ -n "$mirror" ] || {
	echo "check-fresh: no Debian $suite archive in /etc/apt/sources.list*" >&2
	exit 1
}

# Nothing of ours may stay mounted or running once we are done.
cleanup() {
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && kill -9 "${p#/proc/}" 2>/dev/null
	done
	for m in root/.cache/ccache dev sys proc; do
		mountpoint -q "$root/$m" 2>/dev/null && umount -R "$root/$m"
	done
	mountpoint -q "$root" 2>/dev/null && umount -R "$root"
	return 0
}
mounted() { grep -q " $1[/ ]" /proc/self/mounts; }
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$dir"
stamp="$suite minbase make $mirror"
if [ ! -f "$cache" ] || [ "$(cat "$cache.stamp" 2>/dev/null)" != "$stamp" ]; then
	echo "  FRESH   debootstrap $suite (minbase + make) from $mirror, once"
	tmp=$dir/bootstrap
	mounted "$tmp" && { echo "check-fresh: $tmp has mounts" >&2; exit 1; }
	rm -rf --one-file-system "$tmp"
	start=$(date +%s)
	if ! debootstrap --variant=minbase --include=make "$suite" "$tmp" "$mirror" \
		> "$dir/debootstrap.log" 2>&1; then
		tail -20 "$dir/debootstrap.log" >&2
		echo "check-fresh: debootstrap failed (log: $dir/debootstrap.log)" >&2
		exit 1
	fi
	mounted "$tmp" && { echo "check-fresh: debootstrap left mounts in $tmp" >&2; exit 1; }
	rm -rf "$tmp"/var/cache/apt/archives/*.deb
	tar -C "$tmp" -cf "$cache.new" .
	mv "$cache.new" "$cache"
	echo "$stamp" > "$cache.stamp"
	rm -rf --one-file-system "$tmp"
	echo "  FRESH   root cached in $cache ($(($(date +%s) - start)) s)"
fi

# A pristine root every time.
cleanup
mounted "$root" && { echo "check-fresh: $root still has mounts" >&2; exit 1; }
rm -rf --one-file-system "$root"
mkdir -p "$root"
tar -C "$root" -xf "$cache"
# What a Debian 12 machine set up for this archive has: its suites
# (the base package is in bookworm-security) and name resolution.
sources | sed 's/^/deb /' > "$root/etc/apt/sources.list"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || :
git clone -q "$repo" "$root/root/vgetrandom"
echo "  FRESH   $root: Debian $(cat "$root/etc/debian_version") minbase + make, clone of $(git -C "$repo" rev-parse --short HEAD)"

# The root is a mount point, as a machine's / is: unshare(1) and
# programs like it make / private (mount --make-rprivate /), which a
# directory that is not one refuses (EINVAL).
mount --bind "$root" "$root"
mount --make-private "$root"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --rbind /dev "$root/dev"
mount --make-rslave "$root/dev"
ccache_dir=
if [ "${VGR_FRESH_CCACHE:-1}" != 0 ] && command -v ccache >/dev/null; then
	ccache_dir=$(ccache -k cache_dir 2>/dev/null || :)
	[ -d "$ccache_dir" ] || ccache_dir=
fi
if [ -n "$ccache_dir" ]; then
	mkdir -p "$root/root/.cache/ccache"
	mount --bind "$ccache_dir" "$root/root/.cache/ccache"
	echo "  FRESH   compiler cache: $ccache_dir (VGR_FRESH_CCACHE=0: none)"
fi

# in_root CMD LOG - CMD in the clone, as a fresh root login would run it.
in_root() {
	start=$(date +%s)
	rc=0
	chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/sh -c "cd /root/vgetrandom && $1" > "$2" 2>&1 </dev/null || rc=$?
	secs=$(($(date +%s) - start))
	echo "  FRESH   $1: exit $rc, $((secs / 60)) min $((secs % 60)) s (log: $2)"
	return $rc
}

fail=0
summary=
round=1
while [ "$round" -le "$rounds" ]; do
	sfx=
	[ "$round" -gt 1 ] && sfx=-$round
	if ! in_root "make run" "$dir/run$sfx.log"; then
		tail -20 "$dir/run$sfx.log" | sed 's/^/    /'
		fail=1
	elif ! grep -q '^vgetrandom demo on Linux' "$dir/run$sfx.log" ||
	     ! grep -q '^6\. vgetrandom_alloc(): ' "$dir/run$sfx.log"; then
		tail -20 "$dir/run$sfx.log" | sed 's/^/    /'
		echo "check-fresh: make run did not show the demo" >&2
		fail=1
	fi
	in_root "make test" "$dir/test$sfx.log" || fail=1
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$dir/test$sfx.log" | tail -1)
	grep -E '^FAIL ' "$dir/test$sfx.log" | head -20 | sed 's/^/    /'
	[ -n "$summary" ] || { tail -20 "$dir/test$sfx.log" | sed 's/^/    /'; fail=1; }
	round=$((round + 1))
done

cleanup
if [ "$fail" -eq 0 ] && [ -z "${VGR_FRESH_KEEP:-}" ]; then
	mounted "$root" || rm -rf --one-file-system "$root"
fi
secs=$(($(date +%s) - begin))
echo "  FRESH   $((secs / 60)) min $((secs % 60)) s in all"
echo "fresh: ${summary:-no summary line from make test}"
exit $fail
