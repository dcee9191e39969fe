/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: x86 is TSO, so an acquire load is a load plus a compiler barrier. */
#ifndef _VGR_SHIM_ASM_BARRIER_H
#define _VGR_SHIM_ASM_BARRIER_H

#include <linux/compiler.h>

#define smp_load_acquire(p)				\
({							\
	__typeof__(*(p)) ___v = READ_ONCE(*(p));	\
	barrier();					\
	___v;						\
})

#endif
