#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# check-config.sh BUILD - compile what the overlay changes under Debian's
# full amd64 configuration (linux-config-6.1), not only the minimal guest's:
# every changed or new .c file of the kernel, and the vDSO images (64, x32,
# 32).  Warnings count as failures.  The tree is BUILD/linux-debian.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$(cd "$1" && pwd)
tree=$build/linux-debian
config=/usr/src/linux-config-6.1/config.amd64_none_amd64.xz

[ -f "$config" ] || { echo "check-config: $config missing (apt-get install linux-config-6.1)" >&2; exit 1; }
if [ ! -f "$tree/.vgr-copied" ]; then
	rm -rf "$tree"
	cp -a "$build/linux-pristine" "$tree"
	touch "$tree/.vgr-copied"
fi
"$here/overlay.sh" "$repo" "$build/linux-pristine" "$tree" >/dev/null
xz -dc "$config" > "$tree/.config"
# Debian's signing setup is not ours; BTF needs pahole.
(cd "$tree" && scripts/config --set-str SYSTEM_TRUSTED_KEYS "" \
	--set-str SYSTEM_REVOCATION_KEYS "" --disable MODULE_SIG \
	--disable DEBUG_INFO_BTF)
make -s -C "$tree" olddefconfig >/dev/null
grep -q '^CONFIG_VDSO_GETRANDOM=y' "$tree/.config" || {
	echo "check-config: CONFIG_VDSO_GETRANDOM is not on under Debian's config" >&2
	exit 1
}

# The kernel's .c files the overlay touches, as object targets (lib/vdso/
# is built as part of the vDSO, which is its own target).
objs=$(grep -E '^(arch|drivers|fs|kernel|lib|mm)/.*\.c$' "$tree/.vgr-overlay" |
	grep -v -e '^arch/x86/entry/vdso/' -e '^lib/vdso/' | sed 's/\.c$/.o/')
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
