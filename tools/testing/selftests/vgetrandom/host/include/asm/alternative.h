/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim: no boot-time patching in a host program. ALTERNATIVE picks
 * the replacement at build time: for X86_FEATURE_AVX2 when the file is
 * assembled with -DVGR_HOST_AVX2=1, the original instruction otherwise.
 */
#ifndef _VGR_SHIM_ASM_ALTERNATIVE_H
#define _VGR_SHIM_ASM_ALTERNATIVE_H

#include <asm/cpufeatures.h>

#ifndef VGR_HOST_AVX2
#define VGR_HOST_AVX2	0
#endif

#ifdef __ASSEMBLY__
.macro ALTERNATIVE oldinstr, newinstr, feature
	.if \feature == X86_FEATURE_AVX2
	.if VGR_HOST_AVX2
	\newinstr
	.else
	\oldinstr
	.endif
	.else
	\oldinstr
	.endif
.endm
#endif

#endif
