#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kernel.sh BUILD [overlay|config|build] - prepare and build the guest kernel.
#
# VGR_ARCH (default x86_64) picks the guest, one of harness/arch/
# (harness/arch.sh): x86_64 builds in BUILD/linux and leaves BUILD/bzImage
# and BUILD/headers; another builds in its own copy, BUILD/DIR/linux, with
# its cross compiler, and leaves BUILD/DIR/KTARGET and BUILD/DIR/headers.
# VGR_VARIANT (below) builds a second kernel beside either.
#
#   overlay: unpack the base once into BUILD/linux-pristine and BUILD/linux,
#            then lay the repository over BUILD/linux (harness/overlay.sh).
#   config:  overlay, then (only when a fragment changed) tinyconfig merged
#            with harness/config/*.config; fails if a requested option did
#            not stick.
#   build:   config, then bzImage (ccache) and the uapi headers for tests.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$1
step=${2:-build}
. "$here/base.version"

pristine=$build/linux-pristine
. "$here/arch.sh"
arch_load "${VGR_ARCH:-x86_64}"
frags=$(arch_frags)
tree=$A_OUT/linux out=$A_OUT
# ARCH given explicitly: a make ARCH=arm64 above must not leak in.
kargs="ARCH=$A_KARCH${A_CROSS_COMPILE:+ CROSS_COMPILE=$A_CROSS_COMPILE}"
target=$A_KTARGET image=$A_KIMAGE cc=$A_CC arch=$A_NAME
# VGR_VARIANT=NAME: a second kernel of the same architecture with the
# fragments of harness/config/NAME/ on top (e.g. kasan: the sanitizers), in
# its own copy of the tree, OUT/NAME/linux, leaving OUT/NAME/<image>.
variant=${VGR_VARIANT:-}
if [ -n "$variant" ]; then
	[ -d "$here/config/$variant" ] || {
		echo "kernel.sh: VGR_VARIANT=$variant: no harness/config/$variant/" >&2
		exit 2
	}
	out=$out/$variant tree=$out/linux
	frags="$frags $(ls "$here"/config/"$variant"/*.config | LC_ALL=C sort)"
fi
mkdir -p "$build" "$out"

unpack() {
	[ -f "$pristine/.vgr-unpacked" ] && return 0
	[ -f "$LINUX_SOURCE_TARBALL" ] || {
		echo "kernel: $LINUX_SOURCE_TARBALL missing: run 'make deps'" >&2
		exit 1
	}
	echo "  UNPACK  $LINUX_SOURCE_TARBALL"
	rm -rf "$pristine" "$tree" "$build/unpack"
	mkdir -p "$build/unpack"
	tar -C "$build/unpack" -xf "$LINUX_SOURCE_TARBALL"
	mv "$build/unpack"/* "$pristine"
	rmdir "$build/unpack"
	touch "$pristine/.vgr-unpacked"
}

# The pristine copy is never built in; each work tree is a copy of it.
worktree() {
	[ -d "$tree" ] && return 0
	mkdir -p "$(dirname "$tree")"
	cp -a "$pristine" "$tree"
	rm -f "$tree/.vgr-unpacked"
}

overlay() {
	unpack
	worktree
	"$here/overlay.sh" "$repo" "$pristine" "$tree"
}

config() {
	overlay
	sum=$(cat $frags "$here/base.version" | sha256sum | cut -d' ' -f1)
	if [ -f "$tree/.config" ] && [ "$(cat "$tree/.vgr-config" 2>/dev/null)" = "$sum" ]; then
		return 0
	fi
	echo "  CONFIG  tinyconfig + $(echo $frags | xargs -n1 basename | tr '\n' ' ')"
	make -s -C "$tree" $kargs tinyconfig >/dev/null
	(cd "$tree" && env $kargs scripts/kconfig/merge_config.sh -m .config $frags) >"$out/merge_config.log" 2>&1
	make -s -C "$tree" $kargs olddefconfig >/dev/null
	# merge_config.sh only warns: insist that every request took effect.
	bad=0
	for f in $frags; do
		grep -E '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set)' "$f" |
		while read -r line; do
			case $line in
			"# "*)	opt=${line#\# }; opt=${opt%% *}
				if grep -q "^$opt=" "$tree/.config"; then
					echo "kernel: $(basename "$f"): $opt is set but should not be" >&2
					echo x
				fi ;;
			*)	if ! grep -qxF "$line" "$tree/.config"; then
					opt=${line%%=*}
					got=$(grep -E "^$opt=|^# $opt is not set" "$tree/.config" || echo "absent (dependency missing?)")
					echo "kernel: $(basename "$f"): wanted $line, got $got" >&2
					echo x
				fi ;;
			esac
		done
	done > "$out/config-check.out"
	if [ -s "$out/config-check.out" ]; then
		rm -f "$tree/.vgr-config"
		echo "kernel: requested options did not stick (see above)" >&2
		exit 1
	fi
	echo "$sum" > "$tree/.vgr-config"
}

kbuild() {
	config
	# ccache keeps its cache under $HOME; without one, keep it in BUILD.
	[ -n "${HOME:-}" ] || export CCACHE_DIR="$build/ccache"
	command -v ccache >/dev/null && ccache -s >/dev/null 2>&1 && cc="ccache $cc"
	log=$out/kernel-build.log
	echo "  BUILD   $target for $arch${variant:+ ($variant)} (log: $log)"
	# One kernel build at a time on this machine (helpers share the lock).
	if ! flock /tmp/kbuild.lock make -C "$tree" $kargs CC="$cc" -j"$(nproc)" \
		"$target" > "$log" 2>&1; then
		grep -E 'error|Error|warning:' "$log" | head -40 >&2
		tail -20 "$log" >&2
		echo "kernel: build failed (full log: $log)" >&2
		exit 1
	fi
	if grep -q ' warning: ' "$log"; then
		echo "kernel: the build printed warnings:" >&2
		grep ' warning: ' "$log" | sort -u | head -20 >&2
	fi
	make -s -C "$tree" $kargs headers_install INSTALL_HDR_PATH="$(cd "$out" && pwd)/headers" >/dev/null
	cp "$tree/$image" "$out/$target"
	echo "  KERNEL  $out/$target ($(cat "$tree/include/config/kernel.release"))"
}

case $step in
overlay) overlay ;;
config) config ;;
build) kbuild ;;
*) echo "kernel.sh: unknown step $step" >&2; exit 2 ;;
esac
