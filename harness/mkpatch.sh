#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mkpatch.sh TREE PATH... - write <repo>/PATH.patch from TREE/PATH against
# the pristine base (BASE, default build/linux-pristine).
#
# The diff uses a/ and b/ prefixes so that the overlay step applies it with
# "patch -p1" from the top of the kernel tree.  A leading paragraph already
# present in PATH.patch (text before its first "--- " line) is kept: it is
# where a patch says why it exists.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
base=${BASE:-$top/build/linux-pristine}
tree=$1
shift
for path in "$@"; do
	out=$top/$path.patch
	[ -f "$base/$path" ] || { echo "mkpatch: $path is not in the base: add it as a new file" >&2; exit 1; }
	head=
	[ -f "$out" ] && head=$(sed -n '/^--- /q;p' "$out")
	mkdir -p "$(dirname "$out")"
	{
		[ -n "$head" ] && printf '%s\n' "$head"
		diff -u --label "a/$path" --label "b/$path" "$base/$path" "$tree/$path" || [ $? -eq 1 ]
	} > "$out.tmp"
	if ! grep -q '^@@' "$out.tmp"; then
		rm -f "$out.tmp" "$out"
		echo "mkpatch: $path: no change, patch removed"
		continue
	fi
	mv "$out.tmp" "$out"
	echo "mkpatch: wrote $path.patch"
done
