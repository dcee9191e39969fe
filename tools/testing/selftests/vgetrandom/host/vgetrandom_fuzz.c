// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target over the generic vDSO getrandom() state machine
 * (lib/vdso/getrandom.c), built unchanged with the host shim, ASan and UBSan.
 *
 * The input is a program: each step is an opcode byte and its arguments.
 * Steps call the function with any length, flags, opaque_len, state
 * placement and buffer; change the published generation and readiness;
 * zero the state (or leave only what a drop mid-rekey brings back: the
 * generation, maybe a key), do what a late store of a call that lost the
 * state does (zero a word, move the count of what is left back), or write
 * input bytes into it; make the next rekey
 * syscalls fail, or have them bump the generation or zero the state while
 * the call is inside them (a reseed or a drop mid-call).
 *
 * Oracles, checked after every call:
 *  - the return value is what the rules of the ABI say: -EFAULT for a
 *    state straddling a page, the syscall's own answer for flags it
 *    rejects, and otherwise all the bytes asked for (the fake syscall never
 *    gives fewer);
 *  - no 16 bytes of the output are ChaCha20 output of an all-zero key (at
 *    any counter a call could use), and no 16 bytes are zero, unless the
 *    input itself forged a state that the vDSO must trust;
 *  - a state that was free before the call is free after it.
 * ASan and UBSan turn any out-of-bounds access or undefined behaviour
 * into a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sodium.h>

#include "vgetrandom_host.h"

#define STATE_SIZE	sizeof(struct vgetrandom_state)
#define PAGE		4096UL
#define MAX_LEN		(3 * PAGE + 200)
#define WINDOW		16

/*
 * A zero key could only produce blocks at counters below this: a call
 * starts a key's counter at 0, and one call makes at most MAX_LEN bytes of
 * direct blocks plus one batch.
 */
#define ZERO_BLOCKS	(MAX_LEN / 64 + 2 * VGETRANDOM_BATCH_BLOCKS + 2)
#define ZERO_BYTES	(ZERO_BLOCKS * 64)

/* Sorted 64-bit prefixes of every 16-byte window of the zero-key stream. */
static u8 zero_stream[ZERO_BYTES];
static u64 zero_prefix[ZERO_BYTES];
static size_t zero_prefixes;

static u8 *area;		/* two pages of state memory */
static u8 *outbuf;		/* MAX_LEN bytes, its own allocation for ASan */
static u8 expect_buf[MAX_LEN];

/* What one input has done so far. */
static struct {
	struct vgetrandom_state *state;
	/* The input wrote into the state since the vDSO last rekeyed it. */
	bool		forged;
	/* Rekeys (32-byte syscalls into the state) seen, and keys given. */
	unsigned long	rekeys;
	/* The next rekeys to fail, and with what. */
	unsigned int	fail_next;
	int		fail_errno;
	/* What the next rekey does "during" the syscall. */
	unsigned int	during;
} fz;

enum { DURING_NONE, DURING_RESEED, DURING_DROP, DURING_BOTH, DURING_MAX };

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void zero_stream_init(void)
{
	static const u8 zero_key[32], zero_nonce[8];

	crypto_stream_chacha20(zero_stream, sizeof(zero_stream), zero_nonce, zero_key);
	for (size_t i = 0; i + WINDOW <= sizeof(zero_stream); i++)
		memcpy(&zero_prefix[zero_prefixes++], zero_stream + i, sizeof(u64));
	qsort(zero_prefix, zero_prefixes, sizeof(u64), cmp_u64);
}

/* Whether the 16 bytes at @p appear anywhere in the zero-key stream. */
static bool in_zero_stream(const u8 *p)
{
	size_t lo = 0, hi = zero_prefixes;
	u64 v;

	memcpy(&v, p, sizeof(v));
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (zero_prefix[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == zero_prefixes || zero_prefix[lo] != v)
		return false;
	/* Rare: confirm the whole window by a scan. */
	for (size_t i = 0; i + WINDOW <= sizeof(zero_stream); i++)
		if (!memcmp(zero_stream + i, p, WINDOW))
			return true;
	return false;
}

static void fail(const char *what, size_t len, unsigned int flags, size_t opaque_len,
		 ssize_t ret, ssize_t want)
{
	fprintf(stderr, "vgetrandom_fuzz: %s: len %zu flags %#x opaque_len %zu ret %zd want %zd\n",
		what, len, flags, opaque_len, ret, want);
	abort();
}

/*
 * The fake syscall's hook. A 32-byte request into the state's key is a
 * rekey: it gets a fresh nonzero key (distinct per rekey), or fails as the
 * input asked, and may first change the generation or zero the state, as a
 * reseed or a drop between the generation store and the key would.
 * Anything else is a fallback and gets the real syscall.
 */
static u8 rekey_bytes[32];

static void fuzz_hook(unsigned long nr, void *buf, size_t len, unsigned int flags)
{
	struct vgetrandom_state *state = fz.state;

	vgr_harness.rekey_with = NULL;
	vgr_harness.fail_errno = 0;
	if (buf != (void *)state->key || len != sizeof(state->key))
		return;

	fz.rekeys++;
	if (fz.during == DURING_RESEED || fz.during == DURING_BOTH)
		vgr_harness.rng.generation += 1 + (vgr_harness.rng.generation == ~0ULL);
	if (fz.during == DURING_DROP || fz.during == DURING_BOTH) {
		memset(state, 0, STATE_SIZE);
		fz.forged = false;
	}
	fz.during = DURING_NONE;

	if (fz.fail_next) {
		fz.fail_next--;
		vgr_harness.fail_errno = fz.fail_errno;
		vgr_harness.fail_count = 1;
		return;
	}
	/* After a rekey nothing of a forged state is handed out: the batch is emptied. */
	fz.forged = false;
	memset(rekey_bytes, 0, sizeof(rekey_bytes));
	memcpy(rekey_bytes, &fz.rekeys, sizeof(fz.rekeys));
	rekey_bytes[31] = 0xa5;
	vgr_harness.rekey_with = rekey_bytes;
}

/* A cursor over the input; reads past its end give zeroes. */
struct input {
	const u8 *p;
	size_t left;
};

static u64 take(struct input *in, size_t n)
{
	u64 v = 0;

	for (size_t i = 0; i < n && in->left; i++, in->left--)
		v |= (u64)*in->p++ << (8 * i);
	return v;
}

static const unsigned int flag_choices[] = {
	0, GRND_NONBLOCK, GRND_RANDOM, GRND_INSECURE,
	GRND_NONBLOCK | GRND_RANDOM, GRND_NONBLOCK | GRND_INSECURE,
	GRND_RANDOM | GRND_INSECURE, GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE,
	0x8, 0x80000000, ~0U,
};

static unsigned int pick_flags(struct input *in)
{
	unsigned int c = take(in, 1);

	if (c < 240)
		return flag_choices[c % ARRAY_SIZE(flag_choices)];
	return take(in, 4);
}

static size_t pick_opaque_len(struct input *in)
{
	switch (take(in, 1) % 8) {
	case 0: return STATE_SIZE - 1;
	case 1: return STATE_SIZE + 1;
	case 2: return 144;		/* mainline's size */
	case 3: return ~0UL;		/* the parameter query's */
	case 4: return take(in, 8);
	default: return STATE_SIZE;
	}
}

static size_t pick_len(struct input *in)
{
	unsigned int c = take(in, 1);

	if (c < 128)
		return c % 64;
	if (c < 224)
		return take(in, 2) % (VGETRANDOM_BATCH_SIZE + 200);
	return take(in, 2) % (MAX_LEN + 1);
}

/* What the real syscall answers for these flags: its errno, or 0 if it accepts them. */
static ssize_t syscall_verdict(unsigned int flags)
{
	ssize_t ret = syscall(SYS_getrandom, expect_buf, 1, flags);

	return ret < 0 ? -errno : 0;
}

static bool flags_known(unsigned int flags)
{
	return !(flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE));
}

static void check_output(const u8 *buf, size_t len, unsigned int flags, size_t opaque_len,
			 ssize_t ret)
{
	static const u8 zero[WINDOW];

	for (size_t i = 0; i + WINDOW <= len; i++) {
		if (!memcmp(buf + i, zero, WINDOW))
			fail("16 zero bytes in the output", len, flags, opaque_len, ret, i);
		if (in_zero_stream(buf + i))
			fail("output of an all-zero key", len, flags, opaque_len, ret, i);
	}
}

static void step_call(struct input *in)
{
	size_t len = pick_len(in);
	unsigned int flags = pick_flags(in);
	size_t opaque_len = pick_opaque_len(in);
	unsigned int where = take(in, 1);
	bool null_buf = where & 0x80;
	u8 *buf = null_buf ? NULL : outbuf + (MAX_LEN - len);
	bool straddles, trusted, was_free;
	ssize_t ret, want;

	/*
	 * Now and then the state moves: across the end of the first page, or
	 * to an offset in the second page that is not a multiple of its size.
	 */
	if ((where & 0x70) == 0x70) {
		void *old = fz.state;

		if (where & 8)
			fz.state = (void *)(area + PAGE - 8 * (1 + (where & 7) * 16));
		else
			fz.state = (void *)(area + PAGE + (((where & 7) * 376) & ~7UL));
		if ((void *)fz.state != old)
			fz.forged = true;	/* another place's bytes */
	}
	straddles = ((unsigned long)fz.state & (PAGE - 1)) + STATE_SIZE > PAGE;
	trusted = fz.forged && fz.state->generation == vgr_harness.rng.generation;
	was_free = !fz.state->owner;

	if (buf)
		memset(buf, 0x5a, len);
	vgr_harness.calls = 0;
	ret = vgr_getrandom(buf, len, flags, fz.state, opaque_len);

	if (opaque_len == ~0UL && !buf && !len && !flags) {
		/* The parameter query, which wrote into the "state". */
		if (ret)
			fail("parameter query", len, flags, opaque_len, ret, 0);
		fz.forged = true;
		return;
	}
	if (straddles)
		want = -EFAULT;
	else if (!flags_known(flags) ||
		 (flags & (GRND_RANDOM | GRND_INSECURE)) == (GRND_RANDOM | GRND_INSECURE))
		want = syscall_verdict(flags) ?: (ssize_t)len;
	else if (!buf && len)
		want = -EFAULT;
	else
		want = len;
	if (ret != want)
		fail("return value", len, flags, opaque_len, ret, want);
	if (straddles && vgr_harness.calls)
		fail("syscall for a straddling state", len, flags, opaque_len, ret, 0);
	if (was_free && !straddles && fz.state->owner)
		fail("state left owned", len, flags, opaque_len, ret, 0);
	if (ret > 0 && !trusted)
		check_output(buf, ret, flags, opaque_len, ret);
}

static void step_generation(struct input *in)
{
	u64 g = vgr_harness.rng.generation + 1 + take(in, 1);

	/* As the kernel: never 0. */
	vgr_harness.rng.generation = g ?: 1;
}

static void step_scribble(struct input *in)
{
	size_t off = take(in, 2) % STATE_SIZE;
	size_t n = take(in, 1) % 64 + 1;
	u8 *p = (u8 *)fz.state;

	if (take(in, 1) & 1) {
		/* A state the vDSO must trust: the current generation, any key. */
		u64 g = vgr_harness.rng.generation;

		memcpy(&fz.state->generation, &g, sizeof(g));
	}
	for (size_t i = 0; i < n && off + i < STATE_SIZE; i++)
		p[off + i] = take(in, 1);
	fz.forged = true;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct input in = { data, size };

	if (!area) {
		if (sodium_init() < 0)
			abort();
		area = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		outbuf = malloc(MAX_LEN);
		if (area == MAP_FAILED || !outbuf)
			abort();
		zero_stream_init();
	}

	memset(&vgr_harness, 0, sizeof(vgr_harness));
	vgr_harness.rng.generation = 1 + take(&in, 1);
	vgr_harness.rng.is_ready = 1;
	vgr_harness.hook = fuzz_hook;
	memset(area, 0, 2 * PAGE);
	memset(&fz, 0, sizeof(fz));
	fz.state = (void *)(area + PAGE);

	for (unsigned int steps = 0; in.left && steps < 256; steps++) {
		switch (take(&in, 1) % 10) {
		case 0: case 1: case 2:
			step_call(&in);
			break;
		case 3:
			step_generation(&in);
			break;
		case 4:
			vgr_harness.rng.is_ready = !vgr_harness.rng.is_ready;
			break;
		case 5: {
			/*
			 * A fork child's wipe, or a drop, between calls; or a
			 * drop that a rekeying call's generation store (and
			 * then its syscall's key) brought partly back, which
			 * must serve nothing either.
			 */
			unsigned int c = take(&in, 1);

			if (c & 4) {
				/*
				 * Or what a late store of a call that lost the
				 * state leaves: zeroed words (two, for the
				 * oracle's 16 bytes), or a count of what is
				 * left moved back over words handed out.
				 */
				size_t w = take(&in, 1) % (VGETRANDOM_BATCH_SIZE / 8 - 1);
				u32 left = fz.state->left + 8 * (take(&in, 1) % 32);

				if (c & 8)
					fz.state->left = left < VGETRANDOM_BATCH_SIZE ?
							 left : VGETRANDOM_BATCH_SIZE;
				else
					memset(fz.state->batch + 8 * w, 0, 16);
				break;
			}
			memset(fz.state, 0, STATE_SIZE);
			if (c & 1)
				fz.state->generation = vgr_harness.rng.generation;
			if (c & 2)
				for (size_t i = 0; i < sizeof(fz.state->key); i++)
					((u8 *)fz.state->key)[i] = take(&in, 1);
			fz.forged = false;
			break;
		}
		case 6:
			step_scribble(&in);
			break;
		case 7: {
			static const int errnos[] = { EINTR, EAGAIN, EFAULT, ENOMEM, EPERM };
			unsigned int c = take(&in, 1);

			fz.fail_next = c % 4 + 1;
			fz.fail_errno = errnos[(c >> 2) % 5];
			break;
		}
		case 8:
			fz.during = take(&in, 1) % DURING_MAX;
			break;
		case 9:
			/* Back to the first slot of the second page. */
			if ((void *)fz.state != area + PAGE)
				fz.forged = true;
			fz.state = (void *)(area + PAGE);
			break;
		}
	}
	return 0;
}
