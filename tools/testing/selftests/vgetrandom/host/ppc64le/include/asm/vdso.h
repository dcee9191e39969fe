/* SPDX-License-Identifier: GPL-2.0 */
/* Shim: the 64-bit vDSO function markers of the kernel header of this name. */
#ifndef _VGR_PPC64LE_SHIM_VDSO_H
#define _VGR_PPC64LE_SHIM_VDSO_H

#ifdef __ASSEMBLY__
#include "vdso.inc"
#endif

#endif
