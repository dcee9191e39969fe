/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim for the x86 vDSO getrandom hooks: the RNG data comes from a
 * struct the test controls, and the syscall hook counts and records every
 * call, can be told to fail or to run a callback first (to bump the
 * generation, wipe the state or re-enter, "during" a call), and otherwise
 * makes the real getrandom syscall.
 */
#ifndef _VGR_SHIM_ASM_VDSO_GETRANDOM_H
#define _VGR_SHIM_ASM_VDSO_GETRANDOM_H

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/types.h>
#include <asm/page_types.h>
#include <vdso/getrandom.h>

#define VGR_MAX_RECORDED	16

struct vgr_syscall_record {
	void		*buf;
	size_t		len;
	unsigned int	flags;
};

struct vgr_harness {
	struct vdso_rng_data	rng;
	/* Number of getrandom_syscall() calls, and the first few of them. */
	unsigned long		calls;
	struct vgr_syscall_record rec[VGR_MAX_RECORDED];
	/* While nonzero, calls fail with -fail_errno, counting down fail_count. */
	int			fail_errno;
	unsigned long		fail_count;
	/* When set, a 32-byte request (a rekey) gets these bytes, no syscall. */
	const unsigned char	*rekey_with;
	/* Called before each syscall, with the call's number (0-based). */
	void			(*hook)(unsigned long nr, void *buf, size_t len,
					unsigned int flags);
};

extern struct vgr_harness vgr_harness;

static inline const struct vdso_rng_data *__arch_get_vdso_rng_data(void)
{
	return &vgr_harness.rng;
}

static inline ssize_t getrandom_syscall(void *buf, size_t len, unsigned int flags)
{
	unsigned long nr = vgr_harness.calls++;
	long ret;

	if (nr < VGR_MAX_RECORDED) {
		vgr_harness.rec[nr].buf = buf;
		vgr_harness.rec[nr].len = len;
		vgr_harness.rec[nr].flags = flags;
	}
	if (vgr_harness.hook)
		vgr_harness.hook(nr, buf, len, flags);
	if (vgr_harness.rekey_with && len == 32) {
		__builtin_memcpy(buf, vgr_harness.rekey_with, 32);
		return 32;
	}
	if (vgr_harness.fail_errno && vgr_harness.fail_count) {
		vgr_harness.fail_count--;
		return -vgr_harness.fail_errno;
	}
	ret = syscall(SYS_getrandom, buf, len, flags);
	return ret < 0 ? -errno : ret;
}

#endif
