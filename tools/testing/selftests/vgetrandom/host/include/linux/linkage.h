/* SPDX-License-Identifier: GPL-2.0 */
/* Shim: enough of <linux/linkage.h> to assemble a vDSO .S file outside the kernel. */
#ifndef _VGR_SHIM_LINUX_LINKAGE_H
#define _VGR_SHIM_LINUX_LINKAGE_H

#ifdef __ASSEMBLY__
#include "linkage.inc"
#endif

#endif
