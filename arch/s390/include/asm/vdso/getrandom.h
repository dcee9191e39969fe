/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s390 hooks of the generic vDSO getrandom() (lib/vdso/getrandom.c).
 */
#ifndef __ASM_S390_VDSO_GETRANDOM_H
#define __ASM_S390_VDSO_GETRANDOM_H

#ifndef __ASSEMBLY__

#include <asm/page.h>
#include <asm/syscall.h>
#include <asm/unistd.h>
#include <vdso/datapage.h>
#include <vdso/getrandom.h>

/**
 * getrandom_syscall - the getrandom() system call, from the vDSO
 * @buffer:	destination buffer
 * @len:	number of bytes to fill
 * @flags:	GRND_* flags, passed unchanged
 *
 * svc 0 with the number in r1, the arguments in r2-r4, the result (or a
 * negative errno) in r2 (asm/syscall.h).
 *
 * Returns: the number of bytes written, or a negative errno.
 */
static __always_inline ssize_t getrandom_syscall(void *buffer, size_t len,
						 unsigned int flags)
{
	return syscall3(__NR_getrandom, (long)buffer, (long)len, (long)flags);
}

/**
 * __arch_get_vdso_rng_data - where the kernel publishes its RNG state
 *
 * Right after the vdso_data array in the vDSO data page (see
 * arch/s390/kernel/vdso.c).  Inside a time namespace the data page's
 * place holds the namespace's page, whose clock_mode is
 * VDSO_CLOCKMODE_TIMENS; vvar_fault() then maps the real data page where
 * the timens page normally is, and the RNG data is read from there.
 *
 * Returns: the RNG data of the running kernel.
 */
static __always_inline const struct vdso_rng_data *__arch_get_vdso_rng_data(void)
{
	const struct vdso_data *vd = _vdso_data;

	if (IS_ENABLED(CONFIG_TIME_NS) && vd->clock_mode == VDSO_CLOCKMODE_TIMENS)
		vd = _timens_data;
	return (const struct vdso_rng_data *)&vd[CS_BASES];
}

/*
 * What __kernel_getrandom and __kernel_vgetrandom_alloc call
 * (vdso_user_wrapper.S gives them a stack frame first).
 */
ssize_t __s390_vdso_getrandom(void *buffer, size_t len, unsigned int flags,
			      void *opaque_state, size_t opaque_len);
struct vgetrandom_alloc_args;
long __s390_vdso_vgetrandom_alloc(struct vgetrandom_alloc_args *uargs, size_t usize);

#endif /* !__ASSEMBLY__ */

#endif /* __ASM_S390_VDSO_GETRANDOM_H */
