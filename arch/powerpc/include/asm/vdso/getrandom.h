/* SPDX-License-Identifier: GPL-2.0 */
/*
 * powerpc64 hooks of the generic vDSO getrandom() (lib/vdso/getrandom.c).
 */
#ifndef _ASM_POWERPC_VDSO_GETRANDOM_H
#define _ASM_POWERPC_VDSO_GETRANDOM_H

#ifndef __ASSEMBLY__

#include <asm/page.h>
#include <asm/unistd.h>
#include <asm/vdso_datapage.h>
#include <vdso/datapage.h>
#include <vdso/getrandom.h>

/**
 * getrandom_syscall - the getrandom() system call, from the vDSO
 * @buffer:	destination buffer
 * @len:	number of bytes to fill
 * @flags:	GRND_* flags, passed unchanged
 *
 * sc takes the number in r0 and the arguments in r3-r5; it returns a
 * positive errno in r3 with CR0[SO] set on failure.  The generic code
 * wants a negative errno, so the sign is turned here.
 *
 * Returns: the number of bytes written, or a negative errno.
 */
static __always_inline ssize_t getrandom_syscall(void *buffer, size_t len,
						 unsigned int flags)
{
	register long r0 asm("r0") = __NR_getrandom;
	register long r3 asm("r3") = (long)buffer;
	register long r4 asm("r4") = len;
	register long r5 asm("r5") = flags;

	asm volatile ("	sc\n"
		      "	bns+	1f\n"
		      "	neg	%0, %0\n"
		      "1:\n"
		      : "+r" (r3), "+r" (r4), "+r" (r5), "+r" (r0)
		      :
		      : "memory", "r6", "r7", "r8", "r9", "r10", "r11", "r12",
			"cr0", "ctr", "xer");
	return r3;
}

/**
 * __arch_get_vdso_rng_data - where the kernel publishes its RNG state
 *
 * In struct vdso_arch_data, after the vdso_data array (see
 * arch/powerpc/kernel/vdso.c).  The vDSO has no TOC of its own, so the
 * data page is found as the assembly's get_datapage does: the address
 * of a local label, from bcl, plus the link-time distance to
 * _vdso_datapage.  Inside a time namespace the data page's place holds
 * the namespace's page, whose clock_mode is VDSO_CLOCKMODE_TIMENS;
 * vvar_fault() then maps the real data page one page further, and the
 * RNG data is read from there (get_realdatapage does the same).
 *
 * Returns: the RNG data of the running kernel.
 */
static __always_inline const struct vdso_rng_data *__arch_get_vdso_rng_data(void)
{
	const struct vdso_arch_data *ad;

	asm ("	bcl	20, 31, 1f\n"
	     "1:	mflr	%0\n"
	     "	addis	%0, %0, (_vdso_datapage - 1b)@ha\n"
	     "	addi	%0, %0, (_vdso_datapage - 1b)@l\n"
	     : "=b" (ad) : : "lr");
	if (IS_ENABLED(CONFIG_TIME_NS) &&
	    ad->data[0].clock_mode == VDSO_CLOCKMODE_TIMENS)
		ad = (const void *)ad + PAGE_SIZE;
	return &ad->rng_data;
}

/*
 * What the vDSO exports (arch/powerpc/kernel/vdso/getrandom.S): the
 * functions of the ELFv2 ABI, with errors reported as sc reports them.
 */
ssize_t __c_kernel_getrandom(void *buffer, size_t len, unsigned int flags,
			     void *opaque_state, size_t opaque_len);

#endif /* !__ASSEMBLY__ */

#endif /* _ASM_POWERPC_VDSO_GETRANDOM_H */
