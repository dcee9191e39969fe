/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: the compiler helpers the generic vDSO code uses. */
#ifndef _VGR_SHIM_LINUX_COMPILER_H
#define _VGR_SHIM_LINUX_COMPILER_H

#include <linux/compiler_attributes.h>	/* the base's: __always_inline */
#define likely(x)	(__builtin_expect(!!(x), 1))
#define unlikely(x)	(__builtin_expect(!!(x), 0))
#define barrier()	do { asm volatile("" : : : "memory"); } while (0)
#define READ_ONCE(x)	((*(const volatile __typeof__(x) *)&(x)))
#define WRITE_ONCE(x, val)	do { *(volatile __typeof__(x) *)&(x) = (val); } while (0)

#endif
