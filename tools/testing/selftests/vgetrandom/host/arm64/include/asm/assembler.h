/* SPDX-License-Identifier: GPL-2.0 */
/* User-mode shim: the kernel's BTI property note is not needed here. */
#ifndef _VGR_ARM64_SHIM_ASSEMBLER_H
#define _VGR_ARM64_SHIM_ASSEMBLER_H

.macro emit_aarch64_feature_1_and
.endm

#endif
