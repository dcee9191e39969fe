/* SPDX-License-Identifier: GPL-2.0 */
/* User-mode shim: enough of <linux/linkage.h> to assemble the arm64 vDSO ChaCha20. */
#ifndef _VGR_ARM64_SHIM_LINKAGE_H
#define _VGR_ARM64_SHIM_LINKAGE_H

#define SYM_FUNC_START(name)	\
	.globl name;		\
	.type name, %function;	\
	.p2align 2;		\
	name:
#define SYM_FUNC_END(name)	\
	.size name, . - name

#endif
