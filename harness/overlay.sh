#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# overlay.sh REPO PRISTINE TREE - lay the sparse tree in REPO over TREE.
#
# A file at a kernel path is copied to the same path in TREE; FILE.patch is
# applied (patch -p1, no fuzz) to a pristine copy of FILE taken from
# PRISTINE.  TREE is only written where the result differs, so kbuild sees
# new timestamps on exactly the files that changed and rebuilds
# incrementally.  A file the overlay laid down last time but no longer
# provides is put back to its pristine state (or removed if the base lacks
# it), so deleting a patch from the repository takes effect.
set -eu
repo=$1 pristine=$2 tree=$3
list=$tree/.vgr-overlay
tmp=$tree/.vgr-overlay.tmp
new=$list.new
rm -rf "$tmp"
mkdir -p "$tmp"
: > "$new"

# Top-level directories and files of a kernel tree; anything else in REPO
# is tooling.
dirs=
for d in Documentation arch block certs crypto drivers fs include init \
	 io_uring ipc kernel lib mm net samples scripts security sound tools \
	 usr virt MAINTAINERS.patch; do
	[ -e "$repo/$d" ] && dirs="$dirs $d"
done

install_file() { # SRC DEST
	if ! cmp -s "$1" "$2"; then
		mkdir -p "$(dirname "$2")"
		cp "$1" "$2"
		echo "  OVERLAY $3"
	fi
}

[ -n "$dirs" ] && (cd "$repo" && find $dirs -type f | LC_ALL=C sort) |
while read -r f; do
	case $f in
	*.patch)
		target=${f%.patch}
		if [ -f "$pristine/$f" ]; then
			# The base itself ships a file of that name.
			install_file "$repo/$f" "$tree/$f" "$f"
			echo "$f" >> "$new"
			continue
		fi
		if [ ! -f "$pristine/$target" ]; then
			echo "overlay: $f: $target is not in the base (add new files as themselves, not as a patch)" >&2
			exit 1
		fi
		mkdir -p "$tmp/$(dirname "$target")"
		cp "$pristine/$target" "$tmp/$target"
		if ! out=$(patch -p1 -F0 -f --no-backup-if-mismatch -r - \
			   -d "$tmp" < "$repo/$f" 2>&1); then
			echo "overlay: $f does not apply to $target:" >&2
			echo "$out" | sed 's/^/  /' >&2
			exit 1
		fi
		install_file "$tmp/$target" "$tree/$target" "$f"
		echo "$target" >> "$new"
		;;
	*)
		install_file "$repo/$f" "$tree/$f" "$f"
		echo "$f" >> "$new"
		;;
	esac
done

# Undo what an earlier overlay laid down and this one no longer does.
if [ -f "$list" ]; then
	LC_ALL=C sort "$list" > "$tmp/old"
	LC_ALL=C sort "$new" > "$tmp/new"
	LC_ALL=C comm -23 "$tmp/old" "$tmp/new" | while read -r f; do
		if [ -f "$pristine/$f" ]; then
			cp "$pristine/$f" "$tree/$f"
			echo "  RESTORE $f"
		else
			rm -f "$tree/$f"
			echo "  REMOVE  $f"
		fi
	done
fi
mv "$new" "$list"
rm -rf "$tmp"
