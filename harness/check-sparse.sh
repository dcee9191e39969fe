#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# check-sparse.sh BUILD - sparse (make C=2) over the kernel files the
# overlay changes, under Debian's full amd64 configuration, as
# check-config.sh compiles them: every new or patched .c file of the kernel
# and the vDSO (64, x32 and 32-bit).
#
# Fails on any sparse warning or error the overlay brings: one in a file we
# add, or one that the base does not have when the same files are checked
# in a tree without the overlay (BUILD/sparse-base, done once and kept).
# That comparison is what makes the check precise about base files we
# patch (mm/memory.c has warnings of its own in 6.1) and about headers:
# a warning reported in a base header counts if our changes bring it.
# Warnings are compared by file and message, not by line, since our
# patches move lines; a message that occurs more often than in the base
# counts.  Builds take /tmp/kbuild.lock (or the file VGR_KBUILD_LOCK names).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
tree=$build/linux-debian
base=$build/sparse-base

command -v sparse >/dev/null || { echo "check-sparse: sparse missing (make deps)" >&2; exit 1; }
cc=gcc
[ -n "${HOME:-}" ] || export CCACHE_DIR="$build/ccache"
command -v ccache >/dev/null && ccache -s >/dev/null 2>&1 && cc="ccache gcc"

# sparse_run TREE OBJS OUT - C=2 checks every named object (and the vDSO)
# whether or not it needs recompiling; OUT gets the diagnostics.
sparse_run() {
	if ! flock "${VGR_KBUILD_LOCK:-/tmp/kbuild.lock}" make -C "$1" CC="$cc" C=2 -j"$(nproc)" $2 \
		arch/x86/entry/vdso/ > "$3.log" 2>&1; then
		grep -E 'error|Error' "$3.log" | head -20 >&2
		echo "check-sparse: build failed (log: $3.log)" >&2
		exit 1
	fi
	grep -E '^[^ :]+:[0-9]+:[0-9]+: ' "$3.log" > "$3" || :
}

# key FILE - "path: message" for each diagnostic, line and column dropped.
key() {
	sed -E 's/^([^ :]+):[0-9]+:[0-9]+: /\1: /' "$1" | LC_ALL=C sort
}

objs=$("$here/debian-config.sh" "$build" "$tree" overlay)
echo "  SPARSE  Debian amd64 config: $(echo $objs | wc -w) objects and the vDSO images"
sparse_run "$tree" "$objs" "$build/sparse.txt"
checked=$(grep -c '^  CHECK ' "$build/sparse.txt.log" || :)

# The base, checked once for the same files (those it has).
bobjs=$("$here/debian-config.sh" "$build" "$base" base)
stamp=$(printf '%s\n' $bobjs "$(sparse --version)" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$base/.vgr-sparse" 2>/dev/null)" != "$stamp" ]; then
	echo "  SPARSE  the same files in the base, once ($base)"
	sparse_run "$base" "$bobjs" "$build/sparse-base.txt"
	echo "$stamp" > "$base/.vgr-sparse"
fi

key "$build/sparse.txt" > "$build/sparse.keys"
key "$build/sparse-base.txt" > "$build/sparse-base.keys"
# Multiset difference: each base occurrence cancels one of ours.
LC_ALL=C comm -23 "$build/sparse.keys" "$build/sparse-base.keys" > "$build/sparse.new"
if [ -s "$build/sparse.new" ]; then
	echo "check-sparse: $(wc -l < "$build/sparse.new") diagnostics the base does not have:" >&2
	sed 's/^/  /' "$build/sparse.new" | head -40 >&2
	echo "check-sparse: full output in $build/sparse.txt.log" >&2
	exit 1
fi
echo "  OK      sparse: $checked files checked, nothing the base does not have" \
	"($(wc -l < "$build/sparse-base.keys") base diagnostics in them)"
