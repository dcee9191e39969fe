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
 * The builds of arch/x86/entry/vdso/vgetrandom-chacha.S (host/Makefile); the generic
 * code calls whichever vgr_chacha20_owned points at (AVX-512VL, else AVX2
 * where the CPU has it, as the boot-time patching of the vDSO would pick).
 */
void vgr_chacha20_sse2(u8 *dst_bytes, const u32 *key, u32 *counter, size_t nblocks);
void vgr_chacha20_avx2(u8 *dst_bytes, const u32 *key, u32 *counter, size_t nblocks);
void vgr_chacha20_avx512(u8 *dst_bytes, const u32 *key, u32 *counter, size_t nblocks);
bool vgr_chacha20_owned_sse2(u8 *dst_bytes, const u32 *key, u32 *counter, size_t nblocks,
			     const unsigned long *owner, unsigned long token);
bool vgr_chacha20_owned_avx2(u8 *dst_bytes, const u32 *key, u32 *counter, size_t nblocks,
			     const unsigned long *owner, unsigned long token);
bool vgr_chacha20_owned_avx512vl(u8 *dst_bytes, const u32 *key, u32 *counter, size_t nblocks,
				 const unsigned long *owner, unsigned long token);
bool vgr_chacha20_owned_avx512(u8 *dst_bytes, const u32 *key, u32 *counter, size_t nblocks,
			       const unsigned long *owner, unsigned long token);
typedef bool vgr_chacha20_owned_fn(u8 *, const u32 *, u32 *, size_t,
				   const unsigned long *, unsigned long);
static vgr_chacha20_owned_fn *vgr_chacha20_owned;

bool __arch_chacha20_blocks_owned(u8 *dst_bytes, const u32 *key, u32 *counter,
				  size_t nblocks, const unsigned long *owner,
				  unsigned long token)
{
	if (!vgr_chacha20_owned)
		vgr_chacha20_owned = __builtin_cpu_supports("avx512vl") ?
				     vgr_chacha20_owned_avx512 :
				     __builtin_cpu_supports("avx2") ?
				     vgr_chacha20_owned_avx2 : vgr_chacha20_owned_sse2;
	return vgr_chacha20_owned(dst_bytes, key, counter, nblocks, owner, token);
}

static inline ssize_t vgr_getrandom(void *buffer, size_t len, unsigned int flags,
				    void *opaque_state, size_t opaque_len)
{
	return __cvdso_getrandom(buffer, len, flags, opaque_state, opaque_len);
}

#endif
