/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Builds the generic vDSO getrandom() unchanged into a host program, with
 * the hooks of include/asm/vdso/getrandom.h in this directory.
 * Include from exactly one file per program.
 */
#ifndef _VGETRANDOM_HOST_H
#define _VGETRANDOM_HOST_H

#include "lib/vdso/getrandom.c"

struct vgr_harness vgr_harness;

/*
 * The two builds of arch/x86/entry/vdso/vgetrandom-chacha.S; the generic
 * code calls whichever vgr_chacha20 points at (AVX2 where the CPU has it,
 * as the boot-time patching of the vDSO would pick).
 */
void vgr_chacha20_sse2(u8 *dst_bytes, const u32 *key, u32 *counter, size_t nblocks);
void vgr_chacha20_avx2(u8 *dst_bytes, const u32 *key, u32 *counter, size_t nblocks);
static void (*vgr_chacha20)(u8 *, const u32 *, u32 *, size_t);

void __arch_chacha20_blocks_nostack(u8 *dst_bytes, const u32 *key, u32 *counter,
				    size_t nblocks)
{
	if (!vgr_chacha20)
		vgr_chacha20 = __builtin_cpu_supports("avx2") ? vgr_chacha20_avx2 :
								vgr_chacha20_sse2;
	vgr_chacha20(dst_bytes, key, counter, nblocks);
}

static inline ssize_t vgr_getrandom(void *buffer, size_t len, unsigned int flags,
				    void *opaque_state, size_t opaque_len)
{
	return __cvdso_getrandom(buffer, len, flags, opaque_state, opaque_len);
}

#endif
