/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: the CPU feature numbers the vDSO code patches on. */
#ifndef _VGR_SHIM_ASM_CPUFEATURES_H
#define _VGR_SHIM_ASM_CPUFEATURES_H

#define X86_FEATURE_AVX2	(9 * 32 + 5)
#define X86_FEATURE_AVX512VL	(9 * 32 + 31)
#define X86_FEATURE_ZMM_FAST	(11 * 32 + 19)

#endif
