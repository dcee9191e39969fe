// SPDX-License-Identifier: GPL-2.0
/*
 * Generic userspace implementation of getrandom().
 *
 * A fast-key-erasure ChaCha20 generator per thread, kept in memory the
 * caller maps with MAP_DROPPABLE and keyed from the getrandom() syscall
 * whenever the kernel's base CRNG has reseeded since the last rekey.
 */
#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/types.h>
#include <vdso/getrandom.h>
#include <vdso/limits.h>
#include <asm/barrier.h>
#include <asm/page_types.h>
#include <asm/vdso/getrandom.h>
#include <uapi/linux/mman.h>
#include <uapi/linux/random.h>

#ifndef MAX_RW_COUNT
#define MAX_RW_COUNT (INT_MAX & PAGE_MASK)
#endif

/**
 * memcpy_and_zero_src - copy bytes out of the batch and wipe them there
 * @dst:	Destination, any alignment.
 * @src:	Source inside the state's batch, any alignment.
 * @len:	Number of bytes.
 *
 * The barrier() in the loop keeps the compiler from turning the loop into
 * calls to memcpy() and memset(), which do not exist in the vDSO.
 */
static __always_inline void memcpy_and_zero_src(void *dst, void *src, size_t len)
{
	static const u64 zero64;
	static const u32 zero32;
	static const u16 zero16;
	u8 *d = dst, *s = src;
	u64 v64;
	u32 v32;
	u16 v16;

	for (; len >= sizeof(v64); len -= sizeof(v64), d += sizeof(v64), s += sizeof(v64)) {
		__builtin_memcpy(&v64, s, sizeof(v64));
		__builtin_memcpy(d, &v64, sizeof(v64));
		__builtin_memcpy(s, &zero64, sizeof(v64));
		barrier();
	}
	if (len & sizeof(v32)) {
		__builtin_memcpy(&v32, s, sizeof(v32));
		__builtin_memcpy(d, &v32, sizeof(v32));
		__builtin_memcpy(s, &zero32, sizeof(v32));
		d += sizeof(v32);
		s += sizeof(v32);
	}
	if (len & sizeof(v16)) {
		__builtin_memcpy(&v16, s, sizeof(v16));
		__builtin_memcpy(d, &v16, sizeof(v16));
		__builtin_memcpy(s, &zero16, sizeof(v16));
		d += sizeof(v16);
		s += sizeof(v16);
	}
	if (len & 1) {
		*d = *s;
		*s = 0;
	}
}

/**
 * vgetrandom_refill - refill the batch and replace the key
 * @state:	State to refill.
 * @counter:	Block counter to continue from: blocks the current key has
 *		already produced for the caller must not be produced again.
 *
 * Fast key erasure: the first VGETRANDOM_CHACHA_KEY_SIZE bytes of the new
 * batch become the next key and are wiped from the batch, so once this
 * returns nothing in the state can recompute any output given out before.
 */
static __always_inline void vgetrandom_refill(struct vgetrandom_state *state, u32 *counter)
{
	__arch_chacha20_blocks_nostack(state->batch, state->key, counter,
				       VGETRANDOM_BATCH_BLOCKS);
	memcpy_and_zero_src(state->key, state->batch, sizeof(state->key));
	state->pos = sizeof(state->key);
}

/**
 * vgetrandom_fill - produce @len bytes with the state's current key
 * @state:	State, keyed for the current generation.
 * @buffer:	Destination.
 * @len:	Number of bytes, at most MAX_RW_COUNT.
 *
 * Small requests are served from the batch. Larger ones take what is left
 * there, then get whole blocks generated straight into @buffer with the
 * current key, after which a refill (continuing the same counter) replaces
 * the key; the tail comes from the fresh batch.
 */
static __always_inline void vgetrandom_fill(struct vgetrandom_state *state,
					    u8 *buffer, size_t len)
{
	u32 counter[2] = { 0, 0 };
	size_t avail, nblocks;
	u32 pos = state->pos;

	/* A state dropped or scribbled on mid-call must not index outside it. */
	if (unlikely(pos > sizeof(state->batch)))
		pos = sizeof(state->batch);
	avail = sizeof(state->batch) - pos;

	if (likely(len <= avail)) {
		memcpy_and_zero_src(buffer, state->batch + pos, len);
		state->pos = pos + len;
		return;
	}

	memcpy_and_zero_src(buffer, state->batch + pos, avail);
	buffer += avail;
	len -= avail;

	nblocks = len / VGETRANDOM_CHACHA_BLOCK_SIZE;
	if (nblocks) {
		__arch_chacha20_blocks_nostack(buffer, state->key, counter, nblocks);
		buffer += nblocks * VGETRANDOM_CHACHA_BLOCK_SIZE;
		len -= nblocks * VGETRANDOM_CHACHA_BLOCK_SIZE;
	}

	vgetrandom_refill(state, counter);
	memcpy_and_zero_src(buffer, state->batch + state->pos, len);
	state->pos += len;
}

/**
 * __cvdso_getrandom - generic vDSO implementation of getrandom()
 * @buffer:		Destination buffer to fill with random bytes.
 * @len:		Size of @buffer in bytes.
 * @flags:		Zero or more GRND_* flags.
 * @opaque_state:	Pointer to an opaque state area, or, for the parameter
 *			query, to a struct vgetrandom_opaque_params.
 * @opaque_len:		Length of @opaque_state in bytes, or ~0UL for the
 *			parameter query.
 *
 * The state must be allocated with mmap() using the prot and flags the
 * parameter query returns, at a stride of its size_of_opaque_state, and
 * must not straddle a page boundary. One state may be used by one thread
 * at a time only (signal handlers on that thread are safe).
 *
 * Returns: the number of random bytes written to @buffer, 0 after a
 * successful parameter query, or a negative errno as getrandom(2) would
 * return it. Never fails where the syscall would succeed: every case this
 * code does not handle itself falls back to the syscall.
 */
static __always_inline ssize_t
__cvdso_getrandom(void *buffer, size_t len, unsigned int flags,
		  void *opaque_state, size_t opaque_len)
{
	const struct vdso_rng_data *rng_info = __arch_get_vdso_rng_data();
	struct vgetrandom_state *state = opaque_state;
	size_t orig_len = len;
	u64 current_generation;
	bool in_use, have_retried = false;

	BUILD_BUG_ON(sizeof(*state) != VGETRANDOM_STATE_SIZE);
	BUILD_BUG_ON(PAGE_SIZE % VGETRANDOM_STATE_SIZE);
	BUILD_BUG_ON(sizeof(state->key) >= VGETRANDOM_BATCH_SIZE);

	if (unlikely(opaque_len == ~0UL && !buffer && !len && !flags)) {
		struct vgetrandom_opaque_params *params = opaque_state;

		params->size_of_opaque_state = sizeof(*state);
		params->mmap_prot = PROT_READ | PROT_WRITE;
		params->mmap_flags = MAP_DROPPABLE | MAP_ANONYMOUS;
		/* No memset() in the vDSO: barrier() keeps this a loop. */
		for (size_t i = 0; i < ARRAY_SIZE(params->reserved); i++) {
			params->reserved[i] = 0;
			barrier();
		}
		return 0;
	}

	/* 1. The state must lie within one page: it is dropped per page. */
	if (unlikely(((unsigned long)opaque_state & ~PAGE_MASK) + sizeof(*state) > PAGE_SIZE))
		return -EFAULT;

	/* 2. Flags this code does not know are the syscall's to judge. */
	if (unlikely(flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)))
		goto fallback_syscall;

	/* 3. A state sized for another kernel (e.g. after checkpoint/restore). */
	if (unlikely(opaque_len != sizeof(*state)))
		goto fallback_syscall;

	/* 4. Before the CRNG is ready, the syscall applies the flags' blocking rules. */
	if (unlikely(!READ_ONCE(rng_info->is_ready)))
		goto fallback_syscall;

	/* 5. */
	if (unlikely(!len))
		return 0;

	/*
	 * Not a check of mainline's, whose fast path then faults: a NULL
	 * buffer gets the syscall's -EFAULT, as a getrandom() would.
	 */
	if (unlikely(!buffer))
		goto fallback_syscall;

	/*
	 * 6. A signal handler interrupted a call working on this very state.
	 * Only this thread uses the state, so compiler barriers order the
	 * flag against the state accesses: a handler runs between two
	 * instructions of this thread and sees program order. If the handler
	 * arrives after the check but before the flag is set, it runs to
	 * completion, leaving the state consistent, before we go on.
	 */
	in_use = READ_ONCE(state->in_use);
	if (unlikely(in_use))
		goto fallback_syscall;

	if (unlikely(len > MAX_RW_COUNT))
		len = MAX_RW_COUNT;

retry_generation:
	/*
	 * Pairs with the smp_store_release() of the generation in random.c.
	 * Nothing is read from the vvar page under this generation: the key
	 * comes from the syscall, which orders itself. The acquire only keeps
	 * this load from being hoisted above the checks that precede it.
	 */
	current_generation = smp_load_acquire(&rng_info->generation);

	/*
	 * (Re)set on every attempt: if the page was dropped since the last
	 * one, the flag reads as false again.
	 */
	WRITE_ONCE(state->in_use, true);
	barrier();

	/*
	 * A zeroed state (fork child, dropped page) has generation 0, which
	 * the kernel never publishes, so it always takes this path.
	 */
	if (unlikely(READ_ONCE(state->generation) != current_generation)) {
		ssize_t ret;

		/*
		 * Write the generation before the syscall writes the key. If the
		 * page is wiped or dropped after this store, the generation
		 * reads 0 again and the check after the fill catches it. In the
		 * other order, a wipe between the key and the generation stores
		 * would leave a valid generation over a zero key. barrier()
		 * keeps the compiler from sinking the store past the call.
		 */
		WRITE_ONCE(state->generation, current_generation);
		barrier();

		/* The syscall writes only into the state, never into @buffer. */
		ret = getrandom_syscall(state->key, sizeof(state->key), 0);
		if (unlikely(ret != sizeof(state->key))) {
			/* Never keep a half-keyed state. */
			WRITE_ONCE(state->generation, 0);
			barrier();
			WRITE_ONCE(state->in_use, false);
			goto fallback_syscall;
		}

		/* Bytes batched under the old key are not handed out anymore. */
		state->pos = sizeof(state->batch);
	}

	vgetrandom_fill(state, buffer, len);

	/*
	 * The fill must have run entirely under one generation with the state
	 * intact. A reseed, or a fork or drop that zeroed the state (reading
	 * back generation 0), means @buffer may hold bytes from an old or zero
	 * key: overwrite them all once, then give up to the syscall. The
	 * barrier() keeps the compiler from reading the state's generation
	 * before the fill's last access to the state.
	 */
	barrier();
	/* Pairs with the smp_store_release() in random.c, as above. */
	current_generation = smp_load_acquire(&rng_info->generation);
	if (unlikely(READ_ONCE(state->generation) != current_generation)) {
		if (!have_retried) {
			have_retried = true;
			goto retry_generation;
		}
		barrier();
		WRITE_ONCE(state->in_use, false);
		goto fallback_syscall;
	}

	/* All state accesses above happen before the state is released. */
	barrier();
	WRITE_ONCE(state->in_use, false);
	return len;

fallback_syscall:
	return getrandom_syscall(buffer, orig_len, flags);
}
