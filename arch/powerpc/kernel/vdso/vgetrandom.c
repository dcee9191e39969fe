// SPDX-License-Identifier: GPL-2.0
/*
 * Fast user context implementation of getrandom() for powerpc64: the C
 * half, called by __kernel_getrandom (getrandom.S), which gives it a stack
 * frame and turns its negative errno into sc's convention.
 */
#include <linux/kernel.h>
#include <linux/types.h>

#include "../../../../lib/vdso/getrandom.c"

ssize_t __c_kernel_getrandom(void *buffer, size_t len, unsigned int flags,
			     void *opaque_state, size_t opaque_len)
{
	return __cvdso_getrandom(buffer, len, flags, opaque_state, opaque_len);
}
