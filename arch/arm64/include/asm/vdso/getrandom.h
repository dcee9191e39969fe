/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 hooks of the generic vDSO getrandom() (lib/vdso/getrandom.c).
 */
#ifndef __ASM_VDSO_GETRANDOM_H
#define __ASM_VDSO_GETRANDOM_H

#ifndef __ASSEMBLY__

#include <asm/page-def.h>
#include <asm/unistd.h>
#include <vdso/datapage.h>
#include <vdso/getrandom.h>

/*
 * A system call from the vDSO with up to three arguments: the number in
 * x8, the arguments in x0-x2, the result in x0.  The callee may read and
 * write memory through the arguments.
 */
static __always_inline long vdso_syscall3(long nr, long a1, long a2, long a3)
{
	register long x8 asm("x8") = nr;
	register long x0 asm("x0") = a1;
	register long x1 asm("x1") = a2;
	register long x2 asm("x2") = a3;

	asm volatile ("svc #0"
		      : "+r" (x0)
		      : "r" (x8), "r" (x1), "r" (x2)
		      : "memory");
	return x0;
}

/**
 * getrandom_syscall - the getrandom() system call, from the vDSO
 * @buffer:	destination buffer
 * @len:	number of bytes to fill
 * @flags:	GRND_* flags, passed unchanged
 *
 * Returns: the number of bytes written, or a negative errno.
 */
static __always_inline ssize_t getrandom_syscall(void *buffer, size_t len,
						 unsigned int flags)
{
	return vdso_syscall3(__NR_getrandom, (long)buffer, len, flags);
}

/**
 * __arch_get_vdso_rng_data - where the kernel publishes its RNG state
 *
 * Right after the vdso_data array in the vDSO data page (see
 * arch/arm64/kernel/vdso.c).  Inside a time namespace the data page's
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

/* What the vDSO exports (arch/arm64/kernel/vdso/vgetrandom.c). */
ssize_t __kernel_getrandom(void *buffer, size_t len, unsigned int flags,
			   void *opaque_state, size_t opaque_len);
struct vgetrandom_alloc_args;
long __kernel_vgetrandom_alloc(struct vgetrandom_alloc_args *uargs, size_t usize);

#endif /* !__ASSEMBLY__ */

#endif /* __ASM_VDSO_GETRANDOM_H */
