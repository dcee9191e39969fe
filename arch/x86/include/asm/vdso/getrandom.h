/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 hooks of the generic vDSO getrandom() (lib/vdso/getrandom.c).
 */
#ifndef __ASM_VDSO_GETRANDOM_H
#define __ASM_VDSO_GETRANDOM_H

#ifndef __ASSEMBLY__

#include <asm/page_types.h>
#include <asm/unistd.h>
#include <vdso/datapage.h>	/* _vdso_data, and asm/vvar.h through it */
#include <vdso/getrandom.h>

/*
 * A system call from the vDSO with up to three arguments.  The kernel's
 * syscall entry clobbers rcx and r11; the callee may read and write memory
 * through the arguments.
 */
static __always_inline long vdso_syscall3(long nr, long a1, long a2, long a3)
{
	long ret;

	asm volatile ("syscall"
		      : "=a" (ret)
		      : "0" (nr), "D" (a1), "S" (a2), "d" (a3)
		      : "rcx", "r11", "memory");
	return ret;
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

#define __vdso_rng_data		(VVAR(_vdso_rng_data))
#define __timens_vdso_rng_data	(TIMENS(_vdso_rng_data))

/**
 * __arch_get_vdso_rng_data - where the kernel publishes its RNG state
 *
 * Inside a time namespace the page at the vvar address is the namespace's
 * own: it holds clock offsets with clock_mode VDSO_CLOCKMODE_TIMENS and
 * nothing else, so is_ready would read as 0 and every call would silently
 * fall back to the syscall.  There, vvar_fault() maps the kernel's real vvar
 * page at the timens page's address instead, and that is where the RNG data
 * is read from.
 *
 * Returns: the RNG data of the running kernel.
 */
static __always_inline const struct vdso_rng_data *__arch_get_vdso_rng_data(void)
{
	if (IS_ENABLED(CONFIG_TIME_NS) &&
	    __arch_get_vdso_data()->clock_mode == VDSO_CLOCKMODE_TIMENS)
		return &__timens_vdso_rng_data;
	return &__vdso_rng_data;
}

/* What the vDSO exports (arch/x86/entry/vdso/vgetrandom.c). */
ssize_t __vdso_getrandom(void *buffer, size_t len, unsigned int flags,
			 void *opaque_state, size_t opaque_len);
struct vgetrandom_alloc_args;
long __vdso_vgetrandom_alloc(struct vgetrandom_alloc_args *uargs, size_t usize);

#endif /* !__ASSEMBLY__ */

#endif /* __ASM_VDSO_GETRANDOM_H */
