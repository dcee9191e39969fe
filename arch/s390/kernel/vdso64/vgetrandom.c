// SPDX-License-Identifier: GPL-2.0
/*
 * Fast user context implementation of getrandom() for s390: the C half of
 * __kernel_getrandom and __kernel_vgetrandom_alloc, which
 * vdso_user_wrapper.S enters with a stack frame of their own.
 */
#include <linux/kernel.h>
#include <linux/types.h>

#include "../../../../lib/vdso/getrandom.c"

ssize_t __s390_vdso_getrandom(void *buffer, size_t len, unsigned int flags,
			      void *opaque_state, size_t opaque_len)
{
	return __cvdso_getrandom(buffer, len, flags, opaque_state, opaque_len);
}

/**
 * __s390_vdso_vgetrandom_alloc - the vgetrandom_alloc() system call, from the vDSO
 * @uargs:	struct vgetrandom_alloc_args, as for the system call
 * @usize:	its size, as for the system call
 *
 * vgetrandom_alloc() is not a mainline system call, and its number (1000)
 * may mean something else or nothing on another kernel.  The symbol
 * __kernel_vgetrandom_alloc is how userspace learns that the running
 * kernel has it: it is exported exactly when the system call is built,
 * and it makes that system call, so a caller that found it can use it and
 * need not know the number.
 *
 * Returns: 0, or a negative errno (errno is not set).
 */
long __s390_vdso_vgetrandom_alloc(struct vgetrandom_alloc_args *uargs, size_t usize)
{
	return syscall2(__NR_vgetrandom_alloc, (long)uargs, (long)usize);
}
