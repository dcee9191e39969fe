#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# debian-guest.sh BUILD SUITE NAME KERNEL.deb [MORE...] - a whole Debian
# SUITE system (harness/debian-image.sh) on the kernel of KERNEL.deb,
# booted under QEMU with systemd as init, its tests run by a system service.
#
# A fresh copy of the suite's root gets, in a chroot, the packages as a
# user installs them (dpkg -i: the kernel package's postinst runs
# update-initramfs through its hook), then the workload and tests of
# harness/debian/ and vgr-tests.service; it becomes an ext4 image (mkfs.ext4
# -d: no loop device, no mount) that QEMU boots from the image's own
# /boot/vmlinuz-* and /boot/initrd.img-* with root=/dev/vda.  MORE are more
# packages (.deb) or directories (a "make install DESTDIR=" tree, copied
# over the root).
#
# Environment:
#   VGR_DEBIAN_LIST     tests to run after the workload: lines "NAME ARGS",
#                       binaries BUILD/guest/NAME (default: none)
#   VGR_DEBIAN_PRELOAD  a library (path in the guest, $LIB allowed) for
#                       /etc/ld.so.preload
#   VGR_DEBIAN_CALLS    calls in each workload step (default 100000)
#   VGR_DEBIAN_TIMEOUT  hard limit on the boot, seconds (default 900)
#   VGR_DEBIAN_APPEND   more kernel parameters
#
# Output under BUILD/debian/NAME/: console.log, results.tap (the second
# serial port), trace.txt (the kernel's trace, read out of the image after
# power-off), install.log, disk.img.  Exit status: 0 if QEMU ran to
# power-off, 124 on the time limit, 1 if the system could not be made.
# Judging the results is the caller's (harness/debian-test.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
suite=$2 name=$3
shift 3
dir=$build/debian/$name
root=$dir/root
img=$dir/disk.img
limit=${VGR_DEBIAN_TIMEOUT:-900}

[ "$(id -u)" -eq 0 ] || { echo "debian-guest: needs root (chroot)" >&2; exit 1; }
"$here/debian-image.sh" "$build" "$suite"

t0=$(date +%s)
rm -rf "$dir"
mkdir -p "$root/tmp/vgr-install"
tar -C "$root" -xf "$build/debian-$suite/root.tar"

debs= release=
for p in "$@"; do
	case $p in
	*.deb)
		cp "$p" "$root/tmp/vgr-install/"
		debs="$debs /tmp/vgr-install/$(basename "$p")"
		pkg=$(dpkg-deb -f "$p" Package)
		case $pkg in
		linux-image-*-dbg) ;;
		linux-image-*) release=${pkg#linux-image-} ;;
		esac
		;;
	*)	[ -d "$p" ] || { echo "debian-guest: $p: not a .deb or a directory" >&2; exit 1; }
		cp -a "$p/." "$root/" ;;
	esac
done
[ -n "$release" ] || { echo "debian-guest: no linux-image package among $*" >&2; exit 1; }

# The guest is a VM with one disk: its initramfs needs the virtio and ext4
# modules, not every storage driver (MODULES=most, Debian's default, makes
# an initramfs four times the size, slower to make and to unpack under
# emulation).  Set before the kernel is installed, as an image builder does.
cat > "$root/etc/initramfs-tools/conf.d/vgr-vm.conf" <<-'EOF'
	# harness/debian-guest.sh: a QEMU guest with its root on virtio-blk
	MODULES=list
EOF
printf '%s\n' virtio_pci virtio_blk ext4 >> "$root/etc/initramfs-tools/modules"
# dpkg without an fsync() per file, as Debian's container images have it:
# the image is made anew for every boot, so a crash mid-install costs
# nothing, and a kernel package's thousands of modules unpack in a third
# of the time.
echo force-unsafe-io > "$root/etc/dpkg/dpkg.cfg.d/vgr-unsafe-io"

# dpkg -i in the root as a user would run it, with /proc, /sys and /dev;
# the mounts live in a mount namespace of their own, so they go when it
# does, whatever happens.
echo "  INSTALL $name ($suite):$(for d in $debs; do printf ' %s' "${d##*/}"; done)"
if ! DEBIAN_FRONTEND=noninteractive unshare --mount --propagation private sh -c '
	set -e
	mount -t proc proc "$1/proc"
	mount -t sysfs sysfs "$1/sys"
	mount --bind /dev "$1/dev"
	root=$1
	shift
	chroot "$root" dpkg -i "$@"' sh "$root" $debs > "$dir/install.log" 2>&1; then
	tail -20 "$dir/install.log" >&2
	echo "debian-guest: dpkg -i failed (log: $dir/install.log)" >&2
	exit 1
fi
vmlinuz=$root/boot/vmlinuz-$release initrd=$root/boot/initrd.img-$release
for f in "$vmlinuz" "$initrd"; do
	[ -s "$f" ] || { echo "debian-guest: the package installed no ${f#$root}" >&2; exit 1; }
done
# The preload library's path may hold $LIB, which ld.so expands (Debian:
# lib/x86_64-linux-gnu), so that one line serves every architecture of a
# multiarch system.
if [ -n "${VGR_DEBIAN_PRELOAD:-}" ]; then
	# shellcheck disable=SC2016 # a literal $LIB
	lib=$(echo "$VGR_DEBIAN_PRELOAD" | sed 's|\$LIB|lib/x86_64-linux-gnu|')
	[ -f "$root$lib" ] || { echo "debian-guest: no $lib in the root" >&2; exit 1; }
	echo "$VGR_DEBIAN_PRELOAD" > "$root/etc/ld.so.preload"
fi
rm -rf "$root/tmp/vgr-install"

# The tests, the workload (one program under two names: the trace tells
# them apart by name) and the service that runs them.
vgr=$root/opt/vgr
mkdir -p "$vgr/tests"
install -m 755 "$here/debian/vgr-tests.sh" "$vgr/"
install -m 755 "$build/debian/vgr-workload" "$vgr/vgr-getrandom"
ln "$vgr/vgr-getrandom" "$vgr/vgr-arc4random"
echo "$release" > "$vgr/release"
echo "${VGR_DEBIAN_CALLS:-100000}" > "$vgr/calls"
: > "$vgr/list"
if [ -n "${VGR_DEBIAN_LIST:-}" ]; then
	cp "$VGR_DEBIAN_LIST" "$vgr/list"
	while read -r t args; do
		[ -n "$t" ] || continue
		mkdir -p "$vgr/tests/$(dirname "$t")"
		cp -a "$build/guest/$t" "$vgr/tests/$t"
	done < "$VGR_DEBIAN_LIST"
fi
# What systemctl enable does, from its [Install] section.
install -m 644 "$here/debian/vgr-tests.service" "$root/etc/systemd/system/"
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -s /etc/systemd/system/vgr-tests.service "$root/etc/systemd/system/multi-user.target.wants/"

cp "$vmlinuz" "$dir/vmlinuz"
cp "$initrd" "$dir/initrd.img"
# Room for what the system and the tests write.
size=$(( $(du -sm "$root" | cut -f1) + 1024 ))
mkfs.ext4 -q -F -L vgr-root -d "$root" "$img" "${size}M" > /dev/null
rm -rf "$root"
t1=$(date +%s)
echo "  BOOT    $name: $release on Debian $suite (systemd), TCG, at most $limit s (image made in $((t1 - t0)) s)"

# The trace: getrandom system calls, and the names processes take on
# (fork, exec, prctl) so that each call can be put to the program that
# made it; 32 MiB a CPU holds some 600 000 calls.
events=syscalls:sys_enter_getrandom,task:task_newtask,task:task_rename
rc=0
timeout -k 10 "$limit" qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 2G \
	-display none -monitor none -no-reboot -nodefaults \
	-device virtio-rng-pci \
	-drive "file=$img,if=virtio,format=raw" \
	-kernel "$dir/vmlinuz" -initrd "$dir/initrd.img" \
	-append "root=/dev/vda rw console=ttyS0 panic=-1 oops=panic \
		trace_buf_size=32M trace_event=$events ${VGR_DEBIAN_APPEND:-}" \
	-serial "file:$dir/console.log" -serial "file:$dir/results.tap" \
	< /dev/null || rc=$?
t2=$(date +%s)
echo "  BOOTED  $name: QEMU exited $rc after $((t2 - t1)) s"
debugfs -R "dump /var/lib/vgr/trace.txt $dir/trace.txt" "$img" > /dev/null 2>&1 || :
exit $rc
