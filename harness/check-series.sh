#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# check-series.sh BUILD - build the guest kernel after each patch of the
# exported series (BUILD/patches, from harness/patches.sh) in turn, so that
# no commit of the series breaks the build (bisectability).
#
# The tree is BUILD/series-tree, a copy of the base made once.  Each run
# first puts back what the last run's patches changed (only files whose
# content differs are written, so kbuild rebuilds just what changed), then
# applies patch 1, configures and builds, applies patch 2, and so on.  The
# configuration is the guest's (tinyconfig + harness/config/*.config), made
# after the first patch and redone after any patch that touches a Kconfig
# file: options a patch has not added yet are simply absent.  A patch none
# of whose files is an input of the x86_64 build (another architecture's
# files, tools/testing, tools/lib/vgetrandom, Documentation, MAINTAINERS)
# is applied but not built again: the build of the patch before it stands
# for it.  ccache makes repeated runs quick.  Logs: BUILD/series-N.log.
# Builds take the machine's kernel build lock, /tmp/kbuild.lock, or the
# file VGR_KBUILD_LOCK names.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
pristine=$build/linux-pristine
tree=$build/series-tree
touched=$tree/.vgr-series-files

[ -f "$pristine/.vgr-unpacked" ] || { echo "check-series: no base in $pristine: run 'make kernel'" >&2; exit 1; }
set -- $(ls "$build"/patches/[0-9]*.patch 2>/dev/null | grep -v '/0000-' || :)
[ $# -gt 0 ] || { echo "check-series: no series in $build/patches: run 'make patches'" >&2; exit 1; }

if [ ! -f "$tree/.vgr-copied" ]; then
	echo "  COPY    $pristine -> $tree (once)"
	rm -rf "$tree"
	cp -a "$pristine" "$tree"
	rm -f "$tree/.vgr-unpacked"
	touch "$tree/.vgr-copied"
fi

# Undo the last run: every file a patch touched goes back to the base.
if [ -f "$touched" ]; then
	sort -u "$touched" | while read -r f; do
		[ -n "$f" ] || continue
		if [ -f "$pristine/$f" ]; then
			cmp -s "$pristine/$f" "$tree/$f" || cp "$pristine/$f" "$tree/$f"
		else
			rm -f "$tree/$f"
		fi
	done
	rm -f "$touched"
fi

[ -n "${HOME:-}" ] || export CCACHE_DIR="$build/ccache"
cc=gcc
command -v ccache >/dev/null && ccache -s >/dev/null 2>&1 && cc="ccache gcc"
# The x86_64 guest's fragments (harness/arch/x86_64).
. "$here/arch.sh"
arch_load x86_64
frags=$(arch_frags)

# x86_inert FILE... - true if no FILE is an input of the x86_64 build.
x86_inert() {
	for f; do
		case $f in
		arch/x86/*) return 1 ;;
		/dev/null|arch/*|tools/testing/*|tools/lib/vgetrandom/*) ;;
		Documentation/*|MAINTAINERS) ;;
		*Kconfig*) return 1 ;;
		*) return 1 ;;
		esac
	done
	return 0
}

n=0
for p in "$@"; do
	n=$((n + 1))
	name=$(basename "$p" .patch)
	log=$build/series-$n.log
	# The files it touches, recorded before applying so that a patch that
	# fails half-way is undone too.
	files=$(sed -n 's|^+++ b/||p; s|^--- a/||p' "$p" | sort -u)
	echo "$files" >> "$touched"
	if ! patch -p1 -F0 -f -s --no-backup-if-mismatch -d "$tree" < "$p" > "$log" 2>&1; then
		cat "$log" >&2
		echo "check-series: $name does not apply on the patches before it" >&2
		exit 1
	fi
	# shellcheck disable=SC2086 # one file name per word
	if [ "$n" -gt 1 ] && x86_inert $files; then
		echo "  OK      $name (applies; no x86_64 build input: the build of the patch before it stands)"
		continue
	fi
	start=$(date +%s)
	if [ "$n" -eq 1 ] || echo "$files" | grep -q Kconfig; then
		if ! { make -s -C "$tree" tinyconfig &&
		       (cd "$tree" && scripts/kconfig/merge_config.sh -m .config $frags) &&
		       make -s -C "$tree" olddefconfig; } >> "$log" 2>&1; then
			tail -20 "$log" >&2
			echo "check-series: $name: configuration failed (log: $log)" >&2
			exit 1
		fi
	fi
	if ! flock "${VGR_KBUILD_LOCK:-/tmp/kbuild.lock}" make -C "$tree" CC="$cc" -j"$(nproc)" bzImage >> "$log" 2>&1; then
		grep -E 'error|Error' "$log" | head -20 >&2
		echo "check-series: BROKEN by $name: the kernel does not build after it (log: $log)" >&2
		exit 1
	fi
	# A warning that only an intermediate state has is a bisection
	# nuisance too.
	if grep -q ' warning: ' "$log"; then
		grep ' warning: ' "$log" | sort -u | head -10 >&2
		echo "check-series: $name: the build printed warnings (log: $log)" >&2
		exit 1
	fi
	echo "  OK      $name ($(($(date +%s) - start)) s)"
done
echo "  SERIES  the kernel builds after each of the $n patches"
