/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: enough of <linux/linkage.h> to assemble vDSO .S files. */
#ifndef _VGR_SHIM_LINUX_LINKAGE_H
#define _VGR_SHIM_LINUX_LINKAGE_H

#define SYM_FUNC_START(name)	\
	.globl name;		\
	.type name, @function;	\
	.p2align 4, 0x90;	\
	name:
#define SYM_FUNC_END(name)	\
	.size name, . - name
#define RET	ret

#endif
