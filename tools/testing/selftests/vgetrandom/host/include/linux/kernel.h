/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: the UAPI <linux/kernel.h> plus ARRAY_SIZE(). */
#ifndef _VGR_SHIM_LINUX_KERNEL_H
#define _VGR_SHIM_LINUX_KERNEL_H

#include_next <linux/kernel.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(arr)	(sizeof(arr) / sizeof((arr)[0]))
#endif

#endif
