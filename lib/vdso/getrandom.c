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
#include <asm/vdso/getrandom.h>
#include <uapi/linux/mman.h>
#include <uapi/linux/random.h>

#ifndef MAX_RW_COUNT
#define MAX_RW_COUNT (INT_MAX & PAGE_MASK)
#endif

/**
 * vgetrandom_owned - whether the calling call still owns the state
 * @state:	The state.
 * @token:	The caller's token, as stored in &vgetrandom_state.owner.
 *
 * The state is only ever touched by its thread, so a volatile read, placed
 * in program order by the compiler barriers around it, sees everything a
 * signal handler that interrupted us did; a drop from another CPU shows as
 * a zero here.
 */
static __always_inline bool vgetrandom_owned(const struct vgetrandom_state *state,
					     unsigned long token)
{
	return READ_ONCE(state->owner) == token;
}

/*
 * The batch is handed out in whole 8-byte words: a request takes
 * VGETRANDOM_WORDS(len) of them, and the last one's unused bytes are wiped
 * with it. So every wipe is a whole zero word, and so is everything before
 * what is left: a word that reads as zero has been handed out already,
 * wiped by a store that landed late (below), or dropped, and is never
 * handed out again. A word of ChaCha20 output is zero with probability
 * 2^-64.
 */
#define VGETRANDOM_WORD		sizeof(u64)
#define VGETRANDOM_WORDS(len)	(((len) + VGETRANDOM_WORD - 1) & ~(VGETRANDOM_WORD - 1))

/**
 * vgetrandom_take - copy bytes out of the state and wipe them there
 * @state:	The state, owned through @token.
 * @token:	The caller's token.
 * @dst:	Destination, any alignment; may be &vgetrandom_state.key.
 * @src:	Source inside @state's batch, at a word boundary, with at least
 *		VGETRANDOM_WORDS(@len) bytes from there on.
 * @len:	Number of bytes to copy; VGETRANDOM_WORDS(@len) are wiped.
 *
 * Ownership is checked before every store into the state. That leaves two
 * instructions between a check and its stores: a drop there, and a signal
 * handler that takes the state over, make these two stores land in the
 * handler's state after the handler is done. The wipe zeroes one word of
 * the batch, which no call hands out (a zero word fails the call, which
 * then invalidates the state and rekeys it). The copy lands in @dst: in the
 * caller's buffer, or, during a refill, one word of this call's next key
 * in the handler's key. That key then mixes two fresh secret keys; this
 * call's next check fails and it invalidates the state, so at most a
 * second handler in between computes with it, a key nobody else has. The
 * barrier()s keep the compiler from turning the loop into memcpy() and
 * memset(), which the vDSO lacks, and from moving the check after the
 * store it guards.
 *
 * Returns: true if all @len bytes were moved under ownership, and none of
 * the words read as zero.
 */
static __always_inline bool vgetrandom_take(struct vgetrandom_state *state,
					    unsigned long token, void *dst,
					    void *src, size_t len)
{
	static const u64 zero64;
	u8 *d = dst, *s = src;
	u64 v64;

	for (; len >= sizeof(v64); len -= sizeof(v64), d += sizeof(v64), s += sizeof(v64)) {
		__builtin_memcpy(&v64, s, sizeof(v64));
		barrier();
		if (unlikely(!v64 || !vgetrandom_owned(state, token)))
			return false;
		barrier();
		__builtin_memcpy(s, &zero64, sizeof(v64));
		__builtin_memcpy(d, &v64, sizeof(v64));
		barrier();
	}
	if (len) {
		/* The first bytes of the last word, then all of it wiped. */
		u8 *p = s;
		u32 v32;
		u16 v16;

		__builtin_memcpy(&v64, s, sizeof(v64));
		barrier();
		if (unlikely(!v64 || !vgetrandom_owned(state, token)))
			return false;
		barrier();
		if (len & 4) {
			__builtin_memcpy(&v32, p, sizeof(v32));
			__builtin_memcpy(d, &v32, sizeof(v32));
			d += sizeof(v32);
			p += sizeof(v32);
		}
		if (len & 2) {
			__builtin_memcpy(&v16, p, sizeof(v16));
			__builtin_memcpy(d, &v16, sizeof(v16));
			d += sizeof(v16);
			p += sizeof(v16);
		}
		if (len & 1)
			*d = *p;
		barrier();
		__builtin_memcpy(s, &zero64, sizeof(v64));
	}
	return true;
}

/**
 * vgetrandom_copy - copy words out of the state, leaving them there
 * @dst:	Destination in the caller's buffer, any alignment.
 * @src:	Source inside the state's batch, at a word boundary.
 * @len:	Number of bytes, a multiple of VGETRANDOM_WORD.
 *
 * Only for what is left in the batch when the same call refills it next:
 * the refill overwrites every byte of the batch before the call can
 * return them, and a call that fails before the refill never returns
 * them (its buffer is written again, or wiped). Nothing is stored into
 * the state, so nothing needs an ownership check: what is read after a
 * takeover is garbage that the final check discards. barrier() keeps the
 * compiler from turning the loop into memcpy(), which the vDSO lacks.
 *
 * Returns: true if no word read as zero (then the call fails: a late store
 * of a call that lost the state zeroed it, see vgetrandom_take()).
 */
static __always_inline bool vgetrandom_copy(u8 *dst, const u8 *src, size_t len)
{
	u64 v64;

	for (; len; len -= sizeof(v64), dst += sizeof(v64), src += sizeof(v64)) {
		__builtin_memcpy(&v64, src, sizeof(v64));
		if (unlikely(!v64))
			return false;
		__builtin_memcpy(dst, &v64, sizeof(v64));
		barrier();
	}
	return true;
}

/**
 * vgetrandom_set_left - record how much of the batch is still unused
 * @state:	The state, owned through @token.
 * @token:	The caller's token.
 * @left:	New &vgetrandom_state.left, computed from what this call read.
 *
 * Returns: true if the state was still owned, and @left stored.
 */
static __always_inline bool vgetrandom_set_left(struct vgetrandom_state *state,
						unsigned long token, u32 left)
{
	barrier();
	if (unlikely(!vgetrandom_owned(state, token)))
		return false;
	barrier();
	WRITE_ONCE(state->left, left);
	return true;
}

/**
 * vgetrandom_key_zero - whether the state's key is all zeroes
 * @state:	The state.
 *
 * A zero key is what a drop leaves; no key the syscall gives is zero but
 * with probability 2^-256. A state whose page was dropped between a
 * rekeying call's store of its token and its store of the generation comes
 * back with that valid generation over a zero key (until the syscall
 * writes one): a call that finds it so must not compute output with it.
 *
 * Returns: true if all eight key words read as 0.
 */
static __always_inline bool vgetrandom_key_zero(const struct vgetrandom_state *state)
{
	u32 acc = 0;

	for (size_t i = 0; i < ARRAY_SIZE(state->key); i++)
		acc |= READ_ONCE(state->key[i]);
	return !acc;
}

/**
 * vgetrandom_refill - refill the batch and replace the key
 * @state:	State to refill, owned through @token.
 * @token:	The caller's token.
 * @counter:	Block counter to continue from: blocks the current key has
 *		already produced for the caller must not be produced again.
 *
 * Fast key erasure: the first VGETRANDOM_CHACHA_KEY_SIZE bytes of the new
 * batch become the next key and are wiped from the batch, so once this
 * returns nothing in the state can recompute any output given out before.
 * The caller records what is left of the batch (all of it after the key,
 * less what it takes at once).
 *
 * Returns: true if done under ownership throughout.
 */
static __always_inline bool vgetrandom_refill(struct vgetrandom_state *state,
					      unsigned long token, u32 *counter)
{
	if (!__arch_chacha20_blocks_owned(state->batch, state->key, counter,
					  VGETRANDOM_BATCH_BLOCKS, &state->owner, token))
		return false;
	return vgetrandom_take(state, token, state->key, state->batch, sizeof(state->key));
}

/**
 * vgetrandom_fill - produce @len bytes with the state's current key
 * @state:	State, keyed for the current generation, owned through @token.
 * @token:	The caller's token.
 * @buffer:	Destination.
 * @len:	Number of bytes, at most MAX_RW_COUNT.
 *
 * Small requests are served from the batch, in whole words. Larger ones,
 * if the key is not a dropped one (all zeroes), copy what is left in the
 * batch (not wiped: the refill below overwrites it), then get whole blocks
 * generated straight into @buffer with the current key, in multiples of
 * VGETRANDOM_DIRECT_BLOCKS, after which a refill (continuing the same
 * counter) replaces the key and the whole batch; the tail, which may be up
 * to VGETRANDOM_DIRECT_BLOCKS blocks, comes from the fresh batch.
 *
 * Everything is read from the state afresh and written back only while the
 * state is still ours: no value read before a takeover is stored after it.
 *
 * Returns: true if all of @buffer was filled under ownership, and nothing
 * in it came from a zero word of the batch or from a zero key.
 */
static __always_inline bool vgetrandom_fill(struct vgetrandom_state *state,
					    unsigned long token, u8 *buffer, size_t len)
{
	u32 counter[2] = { 0, 0 };
	size_t nblocks;
	u32 left = READ_ONCE(state->left);

	/* A state scribbled on must not index outside it, nor between words. */
	if (unlikely(left > sizeof(state->batch)))
		left = 0;
	left &= ~(VGETRANDOM_WORD - 1);

	if (likely(len <= left))
		return vgetrandom_take(state, token, buffer,
				       state->batch + sizeof(state->batch) - left, len) &&
		       vgetrandom_set_left(state, token, left - VGETRANDOM_WORDS(len));

	if (unlikely(vgetrandom_key_zero(state)))
		return false;
	if (unlikely(!vgetrandom_copy(buffer, state->batch + sizeof(state->batch) - left, left)))
		return false;
	buffer += left;
	len -= left;

	nblocks = len / VGETRANDOM_CHACHA_BLOCK_SIZE;
	nblocks -= nblocks % VGETRANDOM_DIRECT_BLOCKS;
	if (nblocks) {
		if (!__arch_chacha20_blocks_owned(buffer, state->key, counter, nblocks,
						  &state->owner, token))
			return false;
		buffer += nblocks * VGETRANDOM_CHACHA_BLOCK_SIZE;
		len -= nblocks * VGETRANDOM_CHACHA_BLOCK_SIZE;
	}

	if (!vgetrandom_refill(state, token, counter))
		return false;
	left = sizeof(state->batch) - sizeof(state->key);
	return vgetrandom_take(state, token, buffer, state->batch + sizeof(state->key), len) &&
	       vgetrandom_set_left(state, token, left - VGETRANDOM_WORDS(len));
}

/**
 * vgetrandom_wipe - clear what a failed attempt left in the caller's buffer
 * @buffer:	The caller's buffer.
 * @len:	Its length.
 *
 * Only on the way to the syscall after an attempt failed its final check:
 * the syscall may fill less than @len (or nothing), and the rest must not
 * be output of a key that was not ours.
 */
static __always_inline void vgetrandom_wipe(u8 *buffer, size_t len)
{
	static const u64 zero64;

	for (; len >= sizeof(zero64); len -= sizeof(zero64), buffer += sizeof(zero64)) {
		__builtin_memcpy(buffer, &zero64, sizeof(zero64));
		barrier();
	}
	for (; len; len--, buffer++) {
		*buffer = 0;
		barrier();
	}
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
 * at a time only; signal handlers on that thread may call this on the same
 * state at any moment, even while the state is being dropped.
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
	bool have_retried = false, filled = false;
	/*
	 * The address of a variable of this frame: no other call live on this
	 * thread can have the same one (nested calls run in frames further
	 * down the stack or on the signal stack), and it is never 0.
	 */
	unsigned char frame_anchor;
	unsigned long token = (unsigned long)&frame_anchor;

	BUILD_BUG_ON(sizeof(*state) != VGETRANDOM_STATE_SIZE);
	BUILD_BUG_ON(PAGE_SIZE % VGETRANDOM_STATE_SIZE);
	BUILD_BUG_ON(sizeof(state->key) >= VGETRANDOM_BATCH_SIZE);
	BUILD_BUG_ON(VGETRANDOM_DIRECT_BLOCKS * VGETRANDOM_CHACHA_BLOCK_SIZE >
		     sizeof(state->batch) - sizeof(state->key));
	BUILD_BUG_ON(sizeof(state->batch) % VGETRANDOM_WORD ||
		     sizeof(state->key) % VGETRANDOM_WORD);

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

	/* As the syscall: GRND_INSECURE means "whatever the pool", not "from it". */
	if (unlikely((flags & (GRND_RANDOM | GRND_INSECURE)) == (GRND_RANDOM | GRND_INSECURE)))
		return -EINVAL;

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
	 * If the handler arrives after this check but before the token is
	 * stored, it runs to completion, leaving the state free, before we go
	 * on. A call abandoned by a longjmp() out of a handler leaves its
	 * token behind: the state then stays on the syscall, which is safe.
	 */
	if (unlikely(READ_ONCE(state->owner)))
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
	 * Take the state (again, on a retry: a drop or a handler may have
	 * taken it from us since). From here on, every store into the state
	 * is made only after checking that the token is still ours.
	 */
	WRITE_ONCE(state->owner, token);
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
		 * reads 0 again and the final check catches it. In the other
		 * order, a wipe between the key and the generation stores would
		 * leave a valid generation over a zero key. barrier() keeps the
		 * compiler from sinking the store past the call.
		 */
		WRITE_ONCE(state->generation, current_generation);
		barrier();

		/* The syscall writes only into the state, never into @buffer. */
		ret = getrandom_syscall(state->key, sizeof(state->key), 0);
		if (unlikely(ret != sizeof(state->key)))
			goto invalidate;

		/* Bytes batched under the old key are not handed out anymore. */
		if (unlikely(!vgetrandom_set_left(state, token, 0)))
			goto check_failed;
	}

	filled = true;
	if (unlikely(!vgetrandom_fill(state, token, buffer, len)))
		goto check_failed;

	/*
	 * Success only if the whole fill ran on a state that was ours from
	 * start to end, under one generation: the token still there means no
	 * drop (which zeroes it) and no nested call (which clears it, or, if
	 * abandoned by a longjmp(), leaves its own); the generation still
	 * current means no reseed. The barrier() keeps the compiler from
	 * reading either before the fill's last access to the state.
	 */
	barrier();
	/* Pairs with the smp_store_release() in random.c, as above. */
	current_generation = smp_load_acquire(&rng_info->generation);
	if (unlikely(!vgetrandom_owned(state, token) ||
		     READ_ONCE(state->generation) != current_generation))
		goto check_failed;

	/* All state accesses above happen before the state is released. */
	barrier();
	WRITE_ONCE(state->owner, 0);
	return len;

check_failed:
	/*
	 * @buffer may hold output of an old key, of a zero key (read after a
	 * drop) or of someone else's batch, and the state may hold our stale
	 * writes or another call's fresh ones. Whoever owns it now, it must
	 * not be trusted again: a zero generation makes the next call, ours
	 * included, rekey it and discard its batch before anything is handed
	 * out. Then the whole of @buffer is written once more.
	 */
	WRITE_ONCE(state->generation, 0);
	barrier();
	if (!have_retried) {
		have_retried = true;
		goto retry_generation;
	}
	goto release;

invalidate:
	/* Never keep a half-keyed state. */
	WRITE_ONCE(state->generation, 0);
	barrier();
release:
	/* Release the state only if it is still ours to release. */
	if (vgetrandom_owned(state, token)) {
		barrier();
		WRITE_ONCE(state->owner, 0);
	}
	if (filled)
		vgetrandom_wipe(buffer, len);
fallback_syscall:
	return getrandom_syscall(buffer, orig_len, flags);
}
