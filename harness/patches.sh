#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# patches.sh BUILD - export the overlay as a git format-patch series.
#
# harness/series/*.txt, in name order, each make one commit: the first line
# is the subject, then the body, and a last line "Files: GLOB..." naming the
# repository paths (new files and FILE.patch) that belong to it.  Every
# overlay path must belong to exactly one commit.  The series goes to
# BUILD/patches and is checked by "git am" onto the base commit.  A cover
# letter, 0000-cover-letter.patch, comes from series/0000-cover-letter.in
# (subject, empty line, text, in which @SPEED@ becomes the README's speed
# section) and git's shortlog and diffstat.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$(cd "$1" && pwd)
. "$here/base.version"
tree=$build/linux
git=$build/patches-git
out=$build/patches
G() { git -C "$git" -c user.name="$(git -C "$repo" config user.name || echo vgetrandom)" \
	-c user.email="$(git -C "$repo" config user.email || echo vgetrandom@localhost)" "$@"; }

if [ ! -f "$git/.vgr-base" ]; then
	echo "  GIT     importing the base into $git (once)"
	rm -rf "$git"
	cp -a "$build/linux-pristine" "$git"
	rm -f "$git/.vgr-unpacked"
	G init -q
	G add -A -f
	G commit -q -m "Linux $LINUX_SOURCE_VERSION ($LINUX_SOURCE_PACKAGE)"
	G tag base
	touch "$git/.vgr-base"
fi
# What a run that was killed left behind (a lock, a git am half done):
# this scratch repository is ours alone.
rm -rf "$git/.git/index.lock" "$git/.git/rebase-apply"
G checkout -q -f --detach base
G clean -fdxq -e .vgr-base

# Which commit owns each overlay path (as laid into the tree).
LC_ALL=C sort "$tree/.vgr-overlay" > "$build/patches-all.list"
: > "$build/patches-owned.list"
for s in "$here"/series/*.txt; do
	subject=$(head -n1 "$s")
	globs=$(sed -n 's/^Files: *//p' "$s")
	n=0
	for g in $globs; do
		for f in $(cd "$repo" && for m in $g; do
				[ -e "$m" ] && find "$m" -type f; done | LC_ALL=C sort); do
			t=${f%.patch}
			[ -f "$build/linux-pristine/$f" ] && t=$f
			if grep -qxF "$t" "$build/patches-owned.list"; then
				echo "patches: $f is in two commits" >&2
				exit 1
			fi
			echo "$t" >> "$build/patches-owned.list"
			mkdir -p "$git/$(dirname "$t")"
			cp "$tree/$t" "$git/$t"
			G add -f "$t"
			n=$((n + 1))
		done
	done
	[ $n -gt 0 ] || { echo "patches: $(basename "$s"): no files match" >&2; exit 1; }
	sed '1d;/^Files:/d' "$s" > "$build/patches-msg.txt"
	{ echo "$subject"; cat "$build/patches-msg.txt"; } | G commit -q -s -F -
done
LC_ALL=C sort "$build/patches-owned.list" > "$build/patches-owned.sorted"
left=$(LC_ALL=C comm -23 "$build/patches-all.list" "$build/patches-owned.sorted")
if [ -n "$left" ]; then
	echo "patches: these overlay files belong to no commit in harness/series:" >&2
	echo "$left" | sed 's/^/  /' >&2
	exit 1
fi
G tag -f series >/dev/null
rm -rf "$out"
G format-patch -q --cover-letter -o "$out" base..series
# The proof: the series applies with git am onto the base, giving the tree.
G checkout -q -f --detach base
G am -q $(ls "$out"/*.patch | grep -v '/0000-cover-letter.patch$')
G diff --quiet series HEAD || { echo "patches: git am result differs from the series" >&2; exit 1; }

# git's cover letter has the shortlog and the diffstat; ours gives the
# subject and the text.
cover=$out/0000-cover-letter.patch
sed -n '/^## Speed/,/^## /p' "$repo/README.md" | sed '1d;$d' |
	awk 'BEGIN { print "Speed (\"make bench\", as in the README):"; print "" }
		NF { if (seen) while (blank) { print ""; blank-- }
		     blank = 0; seen = 1; print; next }
		{ blank++ }' > "$build/patches-speed.txt"
awk -v subject="$(head -n1 "$here/series/0000-cover-letter.in")" \
    -v text="$here/series/0000-cover-letter.in" -v speed="$build/patches-speed.txt" '
	/\*\*\* SUBJECT HERE \*\*\*/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, subject) }
	/^\*\*\* BLURB HERE \*\*\*$/ {
		n = 0
		while ((getline l < text) > 0) {
			if (++n <= 2)	# the subject and the empty line after it
				continue
			if (l == "@SPEED@")
				while ((getline s < speed) > 0) print s
			else
				print l
		}
		next
	}
	{ print }' "$cover" > "$cover.tmp"
mv "$cover.tmp" "$cover"
if grep -q '\*\*\* .* HERE \*\*\*' "$cover"; then
	echo "patches: the cover letter kept git's placeholders" >&2
	exit 1
fi
echo "  PATCHES $out: $(ls "$out" | grep -vc '^0000-') patches and a cover letter, git am onto $LINUX_SOURCE_VERSION OK"
ls "$out" | sed 's/^/    /'
