#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# check-config.sh BUILD - compile what the overlay changes under Debian's
# full amd64 configuration (linux-config-6.1), not only the minimal guest's:
# every changed or new .c file of the kernel, and the vDSO images (64, x32,
# 32).  Warnings count as failures.  The tree is BUILD/linux-debian.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
tree=$build/linux-debian

# The tree, its configuration, and the kernel's .c files the overlay
# touches as object targets (lib/vdso/ is built as part of the vDSO).
objs=$("$here/debian-config.sh" "$build" "$tree" overlay)
cc=gcc
command -v ccache >/dev/null && ccache -s >/dev/null 2>&1 && cc="ccache gcc"
echo "  CHECK   Debian amd64 config: $(echo $objs | wc -w) objects and the vDSO images"
if ! flock /tmp/kbuild.lock make -C "$tree" CC="$cc" -j"$(nproc)" $objs \
	arch/x86/entry/vdso/ > "$build/check-config.log" 2>&1; then
	grep -E 'error|warning:' "$build/check-config.log" | head -20 >&2
	echo "check-config: build failed (log: $build/check-config.log)" >&2
	exit 1
fi
if grep -q 'warning:' "$build/check-config.log"; then
	grep 'warning:' "$build/check-config.log" | head -20 >&2
	echo "check-config: warnings (log: $build/check-config.log)" >&2
	exit 1
fi
echo "  OK      every changed file compiles without warnings under Debian's config"
