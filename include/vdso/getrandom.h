/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared definitions of the vDSO getrandom() implementation: the layout of
 * the per-thread state that userspace only sees as opaque bytes, the RNG
 * data the kernel publishes in the vvar page, and the arch ChaCha20 hook.
 */
#ifndef _VDSO_GETRANDOM_H
#define _VDSO_GETRANDOM_H

#include <linux/types.h>

#define VGETRANDOM_CHACHA_BLOCK_SIZE	64
#define VGETRANDOM_CHACHA_KEY_SIZE	32

/*
 * Blocks made by one refill of the batch. The first VGETRANDOM_CHACHA_KEY_SIZE
 * bytes of a refill become the next key (fast key erasure), the rest is handed
 * out. 15 blocks is what fits a 1 KiB state; the multi-block ChaCha20 computes
 * them as three full groups of four plus one group of which three are kept.
 */
#define VGETRANDOM_BATCH_BLOCKS		15
#define VGETRANDOM_BATCH_SIZE		(VGETRANDOM_BATCH_BLOCKS * VGETRANDOM_CHACHA_BLOCK_SIZE)

/*
 * Blocks generated straight into a caller's buffer come in multiples of this:
 * the multi-block ChaCha20s work in groups of 4, 8 or 16 blocks, and a partial
 * last group costs as much as a whole one. What is left over (fewer than this
 * many blocks) comes from the refilled batch, which must therefore hold it.
 */
#define VGETRANDOM_DIRECT_BLOCKS	8

/*
 * Size of one opaque state, as reported to userspace by the parameter query.
 * A power of two, so that states carved at this stride from the start of a
 * page never straddle a page boundary and each page holds four of them.
 */
#define VGETRANDOM_STATE_SIZE		1024

/**
 * struct vdso_rng_data - RNG state the kernel publishes in the vvar page
 * @generation:	Changes on every reseed of the base CRNG; never 0, so that 0
 *		can mean "invalid" in a userspace state. Published with a
 *		store-release after the new key is in place.
 * @is_ready:	True once the CRNG is ready (crng_ready()).
 */
struct vdso_rng_data {
	u64	generation;
	u8	is_ready;
};

/**
 * __arch_get_k_vdso_rng_data - the kernel's view of its &struct vdso_rng_data
 *
 * Provided by each architecture that selects HAVE_VDSO_GETRANDOM, next to
 * its vDSO data page; drivers/char/random.c writes through it.
 *
 * Returns: the RNG data that the vDSO reads.
 */
struct vdso_rng_data *__arch_get_k_vdso_rng_data(void);

/**
 * struct vgetrandom_state - per-thread state of the vDSO getrandom()
 * @batch:	Output generated ahead of time. Its last @left bytes are still
 *		unused; those before have been handed out (and zeroed).
 * @key:	ChaCha20 key for the next refill, or for blocks generated
 *		directly into a large caller buffer. Never used for two
 *		different outputs: each use is followed by a refill that
 *		replaces it.
 * @generation:	Value of &vdso_rng_data.generation that @key was derived
 *		under; 0 (as in a zeroed, wiped or dropped state) is invalid.
 * @owner:	0 while no call works on this state; otherwise a token that
 *		is unique among the calls live on the thread at that moment
 *		(the address of a variable in the owning call's frame).  A
 *		signal handler interrupting that call on the same thread sees
 *		it and falls back to the syscall.  A drop zeroes it, and a call
 *		that finds someone else's token, or none, where its own should
 *		be knows that the state changed under it.
 * @left:	Number of unused bytes at the end of @batch, a multiple of 8
 *		(the batch is handed out in whole words); 0 when it is empty.
 *
 * Lives in memory mapped with MAP_DROPPABLE: it is zeroed in fork children
 * and may be zeroed at any time under memory pressure, even in the middle of
 * a call. Userspace allocates it but must treat it as opaque bytes.
 *
 * Zero is the safe value of every field, so that a dropped state on which
 * an interrupted call's later stores bring back some fields and not others
 * never hands out a predictable byte: generation 0 is invalid, owner 0 is
 * free, left 0 is an empty batch, an all-zero key is refused, and so is a
 * zero word of the batch (what a late wiping store leaves).
 */
struct vgetrandom_state {
	union {
		struct {
			u8		batch[VGETRANDOM_BATCH_SIZE];
			u32		key[VGETRANDOM_CHACHA_KEY_SIZE / sizeof(u32)];
			u64		generation;
			unsigned long	owner;
			u32		left;
		};
		u8	__size[VGETRANDOM_STATE_SIZE];
	};
};

/**
 * __arch_chacha20_blocks_nostack - generate ChaCha20 stream without using the stack
 * @dst_bytes:	Destination for @nblocks * 64 bytes of output. Must not
 *		overlap @key or @counter.
 * @key:	256-bit key, as eight little-endian u32 words.
 * @counter:	64-bit block counter as two u32 words (low, high); read, and
 *		advanced by @nblocks (with carry) on return.
 * @nblocks:	Number of 64-byte blocks to generate; must be at least 1.
 *
 * Original (DJB) ChaCha20 with 20 rounds: "expand 32-byte k" constants, the
 * counter in words 12-13 and an all-zero 64-bit nonce in words 14-15. The
 * implementation writes nothing to the stack and clears the vector
 * registers it used before returning, so no key-derived data outlives the
 * call except in @dst_bytes. Mainline's name and prototype, for tools that
 * test the arch code; the generic code calls __arch_chacha20_blocks_owned().
 */
void __arch_chacha20_blocks_nostack(u8 *dst_bytes, const u32 *key, u32 *counter,
				    size_t nblocks);

/**
 * __arch_chacha20_blocks_owned - ChaCha20 stream for a state one owns
 * @dst_bytes:	Destination for @nblocks * 64 bytes; receives nothing but
 *		final output, each byte written once.
 * @key:	As for __arch_chacha20_blocks_nostack(); in the state.
 * @counter:	As for __arch_chacha20_blocks_nostack().
 * @nblocks:	As for __arch_chacha20_blocks_nostack().
 * @owner:	The state's &vgetrandom_state.owner.
 * @token:	What *@owner holds while the caller owns the state.
 *
 * Every key word is read while *@owner == @token is checked after the read,
 * and the stores of every block (AVX-512VL: of every row of eight blocks)
 * follow such a check: a state dropped and taken over by a signal handler
 * mid-call never has blocks of a key the caller did not own written into
 * it, or into @dst_bytes. Nothing but final output is ever stored: no
 * intermediate value is parked in the state, on the stack or in
 * @dst_bytes. A check and the stores it guards are not atomic, so after a
 * drop and a takeover right after a check, the stores of one block (64
 * bytes; AVX-512VL: 128) can still land: ChaCha20 output of the key this
 * call read while it owned the state, which this call, failing its final
 * check, never hands out itself.
 *
 * Returns: true if all @nblocks blocks were written under ownership; false
 * as soon as a check fails (then @dst_bytes and @counter are unspecified).
 */
bool __arch_chacha20_blocks_owned(u8 *dst_bytes, const u32 *key, u32 *counter,
				  size_t nblocks, const unsigned long *owner,
				  unsigned long token);

#endif /* _VDSO_GETRANDOM_H */
