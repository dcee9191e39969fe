/* SPDX-License-Identifier: GPL-2.0 */
/* Shim: what a vDSO .S file needs of the kernel header of this name, outside the kernel. */
#ifndef _VGR_PPC64LE_SHIM_PPC_ASM_H
#define _VGR_PPC64LE_SHIM_PPC_ASM_H

#ifdef __ASSEMBLY__
#include "ppc_asm.inc"
#endif

#endif
