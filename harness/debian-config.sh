#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# debian-config.sh BUILD TREE overlay|base - a copy of the base in TREE
# configured with Debian's full amd64 configuration (linux-config-6.1),
# with the overlay laid over it (overlay) or without (base).  Shared by
# check-config.sh and check-sparse.sh.
#
# Prints the kernel objects the overlay changes (the .c files of arch/x86,
# drivers, fs, kernel, lib and mm it adds or patches, as .o targets; the
# vDSO is its own target, arch/x86/entry/vdso/); in base mode, those of
# the overlaid tree BUILD/linux-debian that the base has.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$(cd "$1" && pwd)
tree=$2 mode=$3
config=/usr/src/linux-config-6.1/config.amd64_none_amd64.xz

[ -f "$config" ] || { echo "debian-config: $config missing (apt-get install linux-config-6.1)" >&2; exit 1; }
if [ ! -f "$tree/.vgr-copied" ]; then
	rm -rf "$tree"
	cp -a "$build/linux-pristine" "$tree"
	rm -f "$tree/.vgr-unpacked"
	touch "$tree/.vgr-copied"
fi
case $mode in
overlay)
	"$here/overlay.sh" "$repo" "$build/linux-pristine" "$tree" >/dev/null
	list=$tree/.vgr-overlay ;;
base)
	list=$build/linux-debian/.vgr-overlay ;;
*)
	echo "debian-config: unknown mode $mode" >&2; exit 2 ;;
esac
xz -dc "$config" > "$tree/.config"
# Debian's signing setup is not ours; BTF needs pahole.
(cd "$tree" && scripts/config --set-str SYSTEM_TRUSTED_KEYS "" \
	--set-str SYSTEM_REVOCATION_KEYS "" --disable MODULE_SIG \
	--disable DEBUG_INFO_BTF)
make -s -C "$tree" olddefconfig >/dev/null
if [ "$mode" = overlay ] && ! grep -q '^CONFIG_VDSO_GETRANDOM=y' "$tree/.config"; then
	echo "debian-config: CONFIG_VDSO_GETRANDOM is not on under Debian's config" >&2
	exit 1
fi

[ -f "$list" ] || { echo "debian-config: no $list: run 'make overlay'" >&2; exit 1; }
grep -E '^(arch/x86|drivers|fs|kernel|lib|mm)/.*\.c$' "$list" |
	grep -v -e '^arch/x86/entry/vdso/' -e '^lib/vdso/' |
	while read -r f; do
		[ "$mode" = base ] && [ ! -f "$tree/$f" ] && continue
		echo "${f%.c}.o"
	done
