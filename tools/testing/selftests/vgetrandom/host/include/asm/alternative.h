/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim: no boot-time patching in a host program. ALTERNATIVE and
 * ALTERNATIVE_2 pick at build time, as the kernel's patching would on a
 * CPU with the features the file is assembled for: X86_FEATURE_AVX2 with
 * -DVGR_HOST_AVX2=1, X86_FEATURE_AVX512VL with -DVGR_HOST_AVX512=1,
 * X86_FEATURE_ZMM_FAST with -DVGR_HOST_ZMM=1.
 */
#ifndef _VGR_SHIM_ASM_ALTERNATIVE_H
#define _VGR_SHIM_ASM_ALTERNATIVE_H

#include <asm/cpufeatures.h>

#ifndef VGR_HOST_AVX2
#define VGR_HOST_AVX2	0
#endif
#ifndef VGR_HOST_AVX512
#define VGR_HOST_AVX512	0
#endif
#ifndef VGR_HOST_ZMM
#define VGR_HOST_ZMM	0
#endif

/* Nonzero if the CPU this build stands for has feature f. */
#define VGR_HOST_HAS(f)	((((f) == X86_FEATURE_AVX2) && VGR_HOST_AVX2) || \
			 (((f) == X86_FEATURE_AVX512VL) && VGR_HOST_AVX512) || \
			 (((f) == X86_FEATURE_ZMM_FAST) && VGR_HOST_ZMM))

#ifdef __ASSEMBLY__
.macro ALTERNATIVE oldinstr, newinstr, feature
	.if VGR_HOST_HAS(\feature)
	\newinstr
	.else
	\oldinstr
	.endif
.endm

/* As in the kernel, the second replacement wins when both features are there. */
.macro ALTERNATIVE_2 oldinstr, newinstr1, feature1, newinstr2, feature2
	.if VGR_HOST_HAS(\feature2)
	\newinstr2
	.elseif VGR_HOST_HAS(\feature1)
	\newinstr1
	.else
	\oldinstr
	.endif
.endm
#endif

#endif
