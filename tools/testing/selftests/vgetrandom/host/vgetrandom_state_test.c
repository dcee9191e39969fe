// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of the generic vDSO getrandom() state machine (lib/vdso/getrandom.c),
 * built unchanged with a test-controlled RNG data page and syscall hook.
 * One result per rule of the vDSO getrandom() ABI.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sodium.h>

#include "../../kselftest.h"
#include "vgetrandom_host.h"

#define STATE_SIZE	sizeof(struct vgetrandom_state)
#define MAX_LEN		(3 * 4096 + 100)

static u8 *page;			/* two pages, the state area */
static struct vgetrandom_state *state;	/* at the start of the second page */
static u8 outbuf[MAX_LEN + 64];

static void harness_reset(void)
{
	memset(&vgr_harness, 0, sizeof(vgr_harness));
	vgr_harness.rng.generation = 1;
	vgr_harness.rng.is_ready = 1;
}

static void state_reset(void)
{
	memset(state, 0, STATE_SIZE);
}

static ssize_t call(void *buf, size_t len, unsigned int flags)
{
	return vgr_getrandom(buf, len, flags, state, STATE_SIZE);
}

static bool all_zero(const void *p, size_t len)
{
	const u8 *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

static void test_query(void)
{
	struct vgetrandom_opaque_params params;
	bool reserved_zero;
	ssize_t ret;

	harness_reset();
	memset(&params, 0xff, sizeof(params));
	ret = vgr_getrandom(NULL, 0, 0, &params, ~0UL);
	reserved_zero = all_zero(params.reserved, sizeof(params.reserved));
	ksft_test_result(ret == 0 && params.size_of_opaque_state == STATE_SIZE &&
			 params.size_of_opaque_state <= 2048 &&
			 4096 % params.size_of_opaque_state == 0 &&
			 params.mmap_prot == (PROT_READ | PROT_WRITE) &&
			 params.mmap_flags == (MAP_DROPPABLE | MAP_ANONYMOUS) &&
			 reserved_zero && !vgr_harness.calls,
			 "query: returns 0, size %u, prot %#x, flags %#x, reserved zero\n",
			 params.size_of_opaque_state, params.mmap_prot, params.mmap_flags);
}

/* 1: straddling beats everything else, even a zero length or a not-ready RNG. */
static void test_check1_straddle(void)
{
	void *bad = page + 4096 - STATE_SIZE / 2;
	ssize_t r1, r2, r3, r4;

	harness_reset();
	r1 = vgr_getrandom(outbuf, 16, 0, bad, STATE_SIZE);
	r2 = vgr_getrandom(outbuf, 16, ~0U, bad, STATE_SIZE);
	r3 = vgr_getrandom(outbuf, 16, 0, bad, STATE_SIZE + 1);
	vgr_harness.rng.is_ready = 0;
	r4 = vgr_getrandom(outbuf, 0, 0, bad, STATE_SIZE);
	ksft_test_result(r1 == -EFAULT && r2 == -EFAULT && r3 == -EFAULT && r4 == -EFAULT &&
			 !vgr_harness.calls,
			 "check 1: straddling state -> -EFAULT before any other check\n");
}

/* A fallback: exactly one syscall, with the caller's own arguments. */
static bool fell_back(ssize_t ret, ssize_t want, void *buf, size_t len, unsigned int flags)
{
	return ret == want && vgr_harness.calls == 1 && vgr_harness.rec[0].buf == buf &&
	       vgr_harness.rec[0].len == len && vgr_harness.rec[0].flags == flags;
}

/* 2: unknown flags go to the syscall, before the length and readiness checks. */
static void test_check2_flags(void)
{
	bool ok;

	harness_reset();
	ok = fell_back(call(outbuf, 16, 0x80), -EINVAL, outbuf, 16, 0x80);
	harness_reset();
	ok &= fell_back(call(outbuf, 0, 0x80), -EINVAL, outbuf, 0, 0x80);
	harness_reset();
	ok &= fell_back(vgr_getrandom(outbuf, 16, 0x80, state, 1), -EINVAL, outbuf, 16, 0x80);
	ksft_test_result(ok, "check 2: unknown flags -> syscall with the caller's arguments\n");
}

/* 3: a wrong opaque_len goes to the syscall, even for a zero length. */
static void test_check3_opaque_len(void)
{
	bool ok;

	harness_reset();
	ok = fell_back(vgr_getrandom(outbuf, 16, GRND_NONBLOCK, state, STATE_SIZE - 1), 16,
		       outbuf, 16, GRND_NONBLOCK);
	harness_reset();
	ok &= fell_back(vgr_getrandom(outbuf, 0, 0, state, 144), 0, outbuf, 0, 0);
	ksft_test_result(ok, "check 3: opaque_len mismatch -> syscall\n");
}

/* 4: not ready goes to the syscall, even for a zero length. */
static void test_check4_not_ready(void)
{
	bool ok;

	harness_reset();
	vgr_harness.rng.is_ready = 0;
	ok = fell_back(call(outbuf, 32, GRND_INSECURE), 32, outbuf, 32, GRND_INSECURE);
	harness_reset();
	vgr_harness.rng.is_ready = 0;
	ok &= fell_back(call(outbuf, 0, 0), 0, outbuf, 0, 0);
	ksft_test_result(ok, "check 4: RNG not ready -> syscall\n");
}

/* 5: a zero length returns 0 without a syscall, even on a busy state. */
static void test_check5_len0(void)
{
	ssize_t r1, r2;

	harness_reset();
	state_reset();
	r1 = call(outbuf, 0, 0);
	state->owner = 1;
	r2 = call(NULL, 0, GRND_NONBLOCK);
	state->owner = 0;
	ksft_test_result(r1 == 0 && r2 == 0 && !vgr_harness.calls &&
			 state->generation == 0,
			 "check 5: len 0 -> 0 with no syscall, before the in_use check\n");
}

/* 6: a state in use goes to the syscall and is left alone. */
static void test_check6_in_use(void)
{
	static u8 before[sizeof(struct vgetrandom_state)];
	bool ok;

	harness_reset();
	state_reset();
	call(outbuf, 8, 0);
	state->owner = 1;
	memcpy(before, state, STATE_SIZE);
	harness_reset();
	ok = fell_back(call(outbuf, 100, 0), 100, outbuf, 100, 0);
	ok &= !memcmp(before, state, STATE_SIZE);
	state->owner = 0;
	ksft_test_result(ok, "check 6: state in use -> syscall, state untouched\n");
}

/* A NULL buffer gets the syscall's -EFAULT, not a fault in the fast path. */
static void test_null_buffer(void)
{
	bool ok;

	harness_reset();
	state_reset();
	ok = fell_back(call(NULL, 16, 0), -EFAULT, NULL, 16, 0);
	ok &= state->generation == 0;
	ksft_test_result(ok, "NULL buffer, len > 0 -> the syscall's -EFAULT, state untouched\n");
}

/* The "signal handler": re-enters on the same state from inside a rekey. */
static ssize_t reentry_ret;
static unsigned long reentry_calls;
static u8 reentry_buf[48];

static void reenter_hook(unsigned long nr, void *buf, size_t len, unsigned int flags)
{
	if (nr != 0)
		return;
	reentry_ret = call(reentry_buf, sizeof(reentry_buf), 0);
	reentry_calls = vgr_harness.calls;
}

static void test_reentry(void)
{
	ssize_t ret;

	harness_reset();
	state_reset();
	memset(reentry_buf, 0, sizeof(reentry_buf));
	vgr_harness.hook = reenter_hook;
	ret = call(outbuf, 64, 0);
	ksft_test_result(ret == 64 && reentry_ret == sizeof(reentry_buf) && reentry_calls == 2 &&
			 vgr_harness.rec[1].buf == reentry_buf && vgr_harness.calls == 2 &&
			 !all_zero(reentry_buf, sizeof(reentry_buf)) && !state->owner,
			 "re-entry on a busy state (as from a signal handler) -> syscall\n");
}

static bool is_rekey(int i)
{
	return vgr_harness.rec[i].buf == (void *)state->key &&
	       vgr_harness.rec[i].len == sizeof(state->key);
}

static void test_generation_change(void)
{
	unsigned long after_warm, after_bump, after_more;

	harness_reset();
	state_reset();
	for (int i = 0; i < 10; i++)
		call(outbuf, 100, 0);
	after_warm = vgr_harness.calls;
	vgr_harness.rng.generation = 0x1234567890ULL;
	call(outbuf, 100, 0);
	after_bump = vgr_harness.calls;
	for (int i = 0; i < 100; i++)
		call(outbuf, 100, 0);
	after_more = vgr_harness.calls;
	ksft_test_result(after_warm == 1 && after_bump == 2 && is_rekey(1) &&
			 after_more == 2 && state->generation == 0x1234567890ULL,
			 "generation change -> exactly one rekey syscall (into the state)\n");
}

static u64 gen_at_rekey;

static void gen_hook(unsigned long nr, void *buf, size_t len, unsigned int flags)
{
	if (nr == 0)
		gen_at_rekey = state->generation;
}

static void test_generation_before_rekey(void)
{
	harness_reset();
	state_reset();
	vgr_harness.rng.generation = 0xabcdef;
	vgr_harness.hook = gen_hook;
	gen_at_rekey = 0;
	ksft_test_result(call(outbuf, 8, 0) == 8 && vgr_harness.calls == 1 &&
			 gen_at_rekey == 0xabcdef,
			 "state generation is written before the rekey syscall\n");
}

static void test_zero_state(void)
{
	bool ok;

	harness_reset();
	state_reset();
	vgr_harness.rng.generation = ~0ULL;
	memset(outbuf, 0, 64);
	ok = call(outbuf, 64, 0) == 64 && vgr_harness.calls == 1 && is_rekey(0) &&
	     !all_zero(outbuf, 64) && state->generation == ~0ULL;
	/* Wiped again, as in a fork child or after a drop. */
	state_reset();
	ok &= call(outbuf, 64, 0) == 64 && vgr_harness.calls == 2 && is_rekey(1);
	ksft_test_result(ok, "all-zero state -> rekeyed\n");
}

/* Change the generation from inside the rekey syscall, bump_times times. */
static unsigned long bump_times;
static bool wipe_instead;

static void bump_hook(unsigned long nr, void *buf, size_t len, unsigned int flags)
{
	if (nr >= bump_times)
		return;
	if (wipe_instead)
		memset(state, 0, STATE_SIZE);	/* dropped page */
	else
		vgr_harness.rng.generation++;
}

static void test_change_during_fill(void)
{
	bool redo_ok, fallback_ok, drop_ok;
	size_t len = 5000;

	harness_reset();
	state_reset();
	vgr_harness.hook = bump_hook;
	bump_times = 1;
	wipe_instead = false;
	redo_ok = call(outbuf, len, 0) == len && vgr_harness.calls == 2 &&
		  is_rekey(0) && is_rekey(1) && state->generation == 2;

	harness_reset();
	state_reset();
	vgr_harness.hook = bump_hook;
	bump_times = 100;
	fallback_ok = call(outbuf, len, GRND_NONBLOCK) == len && vgr_harness.calls == 3 &&
		      is_rekey(0) && is_rekey(1) && vgr_harness.rec[2].buf == outbuf &&
		      vgr_harness.rec[2].len == len &&
		      vgr_harness.rec[2].flags == GRND_NONBLOCK && !state->owner;

	harness_reset();
	state_reset();
	vgr_harness.hook = bump_hook;
	bump_times = 1;
	wipe_instead = true;
	memset(outbuf, 0, len);
	drop_ok = call(outbuf, len, 0) == len && vgr_harness.calls == 2 &&
		  is_rekey(0) && is_rekey(1) && state->generation == 1 &&
		  !all_zero(outbuf + len - 64, 64);
	wipe_instead = false;

	ksft_test_result(redo_ok, "generation change during a fill -> one redo\n");
	ksft_test_result(fallback_ok, "generation changes again during the redo -> syscall\n");
	ksft_test_result(drop_ok, "state dropped during a fill -> redo with a new key\n");
}

static void test_failed_rekey(void)
{
	bool ok;

	harness_reset();
	state_reset();
	call(outbuf, 16, 0);
	vgr_harness.rng.generation = 7;
	vgr_harness.calls = 0;
	vgr_harness.fail_errno = EINTR;
	vgr_harness.fail_count = 1;
	ok = call(outbuf, 100, 0) == 100 && vgr_harness.calls == 2 && is_rekey(0) &&
	     vgr_harness.rec[1].buf == outbuf && vgr_harness.rec[1].len == 100 &&
	     state->generation == 0 && !state->owner;
	/* And the next call rekeys again. */
	ok &= call(outbuf, 100, 0) == 100 && vgr_harness.calls == 3 && is_rekey(2) &&
	      state->generation == 7;
	ksft_test_result(ok, "failed rekey -> generation invalidated, syscall fallback\n");
}

static void test_zeroed_batch(void)
{
	static struct vgetrandom_state before;
	bool ok = true;
	u32 pos;

	harness_reset();
	state_reset();
	call(outbuf, 1, 0);
	/* Refill happened: the new key's bytes are gone from the batch. */
	ok &= all_zero(state->batch, sizeof(state->key) + 1);
	for (size_t len = 1; len < 200 && ok; len += 7) {
		memcpy(&before, state, STATE_SIZE);
		pos = sizeof(state->batch) - state->left;
		if (pos + VGETRANDOM_WORDS(len) > sizeof(state->batch))
			break;
		call(outbuf, len, 0);
		ok &= !memcmp(outbuf, before.batch + pos, len);
		/* Whole words go: the last one's unused bytes too. */
		ok &= all_zero(state->batch, pos + VGETRANDOM_WORDS(len));
		ok &= !memcmp(state->batch + pos + VGETRANDOM_WORDS(len),
			      before.batch + pos + VGETRANDOM_WORDS(len),
			      sizeof(state->batch) - pos - VGETRANDOM_WORDS(len));
		ok &= !memcmp(state->key, before.key, sizeof(state->key));
	}
	ksft_test_result(ok, "bytes handed out of the batch are zeroed there\n");
}

/* Reference model of fast key erasure with libsodium, for a known first key. */
static void model_chacha(u8 *out, const u8 *key, uint64_t ctr, size_t nblocks)
{
	static const u8 nonce[8];

	memset(out, 0, nblocks * 64);
	crypto_stream_chacha20_xor_ic(out, out, nblocks * 64, nonce, ctr, key);
}

struct model {
	u8 key[32];
	u8 batch[VGETRANDOM_BATCH_SIZE];
	size_t pos;
};

static void model_fill(struct model *m, u8 *out, size_t len)
{
	size_t avail = sizeof(m->batch) - m->pos, n;

	if (len <= avail) {
		memcpy(out, m->batch + m->pos, len);
		m->pos += VGETRANDOM_WORDS(len);
		return;
	}
	memcpy(out, m->batch + m->pos, avail);
	out += avail;
	len -= avail;
	/* Whole groups straight into the buffer, the rest from the new batch. */
	n = len / 64 / VGETRANDOM_DIRECT_BLOCKS * VGETRANDOM_DIRECT_BLOCKS;
	if (n)
		model_chacha(out, m->key, 0, n);
	model_chacha(m->batch, m->key, n, VGETRANDOM_BATCH_BLOCKS);
	memcpy(m->key, m->batch, 32);
	m->pos = 32;
	memcpy(out + n * 64, m->batch + m->pos, len - n * 64);
	m->pos += VGETRANDOM_WORDS(len - n * 64);
}

static const u8 fixed_key[32] = "vgetrandom host test, fixed key";

static void key_hook(unsigned long nr, void *buf, size_t len, unsigned int flags)
{
	memcpy(buf, fixed_key, len < 32 ? len : 32);
}

static void test_lengths_and_model(void)
{
	static u8 want[MAX_LEN];
	struct model m = { .pos = VGETRANDOM_BATCH_SIZE };
	bool lengths_ok = true, model_ok = true;
	unsigned long fallbacks = 0;

	harness_reset();
	state_reset();
	memcpy(m.key, fixed_key, 32);
	/*
	 * The one rekey: the hook writes the fixed key, and instead of the real
	 * syscall the harness returns -fail_errno, i.e. 32 bytes written.
	 */
	vgr_harness.hook = key_hook;
	vgr_harness.fail_errno = -32;
	vgr_harness.fail_count = 1;
	for (size_t len = 0; len <= MAX_LEN; len += (len < 300 ? 1 : 61)) {
		memset(outbuf, 0xa5, len + 64);
		if (call(outbuf, len, 0) != len)
			lengths_ok = false;
		for (size_t i = len; i < len + 64; i++)
			lengths_ok &= outbuf[i] == 0xa5;
		if (len >= 16)
			lengths_ok &= !all_zero(outbuf, len);
		model_fill(&m, want, len);
		if (memcmp(outbuf, want, len))
			model_ok = false;
	}
	fallbacks = vgr_harness.calls - 1;
	ksft_test_result(lengths_ok && !fallbacks,
			 "every length 0..%d returns exactly that many bytes\n", MAX_LEN);
	ksft_test_result(model_ok,
			 "output is fast-key-erasure ChaCha20 (batch, direct blocks, rotated key)\n");
}

static void test_buffer_never_to_syscall(void)
{
	bool ok = true;

	harness_reset();
	state_reset();
	for (int i = 0; i < 2000; i++) {
		unsigned long before = vgr_harness.calls;
		size_t len = randombytes_uniform(MAX_LEN);

		if (i % 97 == 0)
			vgr_harness.rng.generation++;
		if (i % 301 == 0)
			state_reset();
		if (call(outbuf, len, 0) != len)
			ok = false;
		for (unsigned long c = before; c < vgr_harness.calls && c < VGR_MAX_RECORDED; c++) {
			u8 *b = vgr_harness.rec[c].buf;

			if (b + vgr_harness.rec[c].len > outbuf && b < outbuf + sizeof(outbuf))
				ok = false;
			if (!is_rekey(c))
				ok = false;
		}
		if (vgr_harness.calls > VGR_MAX_RECORDED / 2)
			vgr_harness.calls = 0;
	}
	ksft_test_result(ok, "the output buffer never reaches the syscall on the fast path\n");
}

/*
 * The drop + handler sequence of the review, made deterministic: inside
 * the outer call's rekey syscall the state is zeroed (a drop) and a nested
 * call (a handler) takes it over, rekeys it, serves and releases it. The
 * outer call must notice, rekey once more and hand out bytes unlike the
 * nested call's; the state must be free afterwards and the next calls must
 * not repeat any of it.
 */
static u8 takeover_buf[64];
static ssize_t takeover_ret;

static void takeover_hook(unsigned long nr, void *buf, size_t len, unsigned int flags)
{
	if (nr != 0)
		return;
	state_reset();
	takeover_ret = call(takeover_buf, sizeof(takeover_buf), 0);
}

static bool share_block(const u8 *a, size_t alen, const u8 *b, size_t blen)
{
	for (size_t i = 0; i + 16 <= alen; i += 16)
		for (size_t j = 0; j + 16 <= blen; j += 16)
			if (!memcmp(a + i, b + j, 16))
				return true;
	return false;
}

static void test_takeover_during_rekey(void)
{
	static u8 next[4096];
	bool fresh = true;
	ssize_t ret;

	harness_reset();
	state_reset();
	vgr_harness.hook = takeover_hook;
	ret = call(outbuf, 2048, 0);
	vgr_harness.hook = NULL;
	for (int i = 0; i < 4; i++) {
		fresh &= call(next, sizeof(next), 0) == sizeof(next) &&
			 !share_block(next, sizeof(next), outbuf, 2048) &&
			 !share_block(next, sizeof(next), takeover_buf, sizeof(takeover_buf));
	}
	ksft_test_result(ret == 2048 && takeover_ret == sizeof(takeover_buf) &&
			 vgr_harness.calls == 3 && is_rekey(2) && !state->owner &&
			 !share_block(outbuf, 2048, takeover_buf, sizeof(takeover_buf)) && fresh,
			 "drop + handler takeover during the rekey: the outer call rekeys again, nothing shared\n");
}

/*
 * The drop one instruction earlier: between the outer call's store of its
 * token and its store of the generation for a rekey. That store brings the
 * page back with a valid generation and nothing else (the syscall may yet
 * write the key, if the handler comes after it): a handler taking the
 * state over then finds a zero batch, a zero position and a zero key,
 * none of which may be handed out.
 */
static u8 revived_buf[2048];
static size_t revived_len;
static bool revived_key;
static bool revived_ok;

static void revive_hook(unsigned long nr, void *buf, size_t len, unsigned int flags)
{
	u64 generation = state->generation;

	if (nr != 0)
		return;
	state_reset();
	state->generation = generation;
	if (revived_key)
		randombytes_buf(state->key, sizeof(state->key));
	memset(revived_buf, 0, sizeof(revived_buf));
	revived_ok = call(revived_buf, revived_len, 0) == (ssize_t)revived_len;
}

static void test_takeover_of_revived_state(void)
{
	static const u8 zero_key[32], zero_nonce[8];
	static u8 zero_stream[64 * 64];
	bool ok = true;

	/* What a zero key makes, at counters 0-63. */
	crypto_stream_chacha20(zero_stream, sizeof(zero_stream), zero_nonce, zero_key);
	for (int i = 0; i < 4; i++) {
		revived_key = i & 1;
		revived_len = i & 2 ? sizeof(revived_buf) : 64;
		harness_reset();
		state_reset();
		vgr_harness.hook = revive_hook;
		revived_ok = false;
		ok &= call(outbuf, 2048, 0) == 2048;
		vgr_harness.hook = NULL;
		ok &= revived_ok && !state->owner;
		for (size_t off = 0; off + 16 <= revived_len; off += 16)
			ok &= !all_zero(revived_buf + off, 16);
		ok &= !share_block(revived_buf, revived_len, zero_stream, sizeof(zero_stream)) &&
		      !share_block(outbuf, 2048, revived_buf, revived_len);
	}
	ksft_test_result(ok, "drop before a rekey's generation store + handler: no zero batch, no zero-key block handed out\n");
}

/* Whether any aligned 8-byte word of @p is zero. */
static bool zero_word(const u8 *p, size_t len)
{
	for (size_t off = 0; off + 8 <= len; off += 8)
		if (all_zero(p + off, 8))
			return true;
	return false;
}

/*
 * What one late store of a call that lost its state (dropped, then taken
 * over by a handler between a check and the store) does to the handler's
 * state: one word of the batch zeroed, or the count of what is left moved
 * back over words already handed out (and zeroed). No call may hand those
 * out: each must fail, invalidate the state and rekey it.
 */
static void test_late_stores(void)
{
	static const size_t lens[] = { 1, 13, 64, 2048 };
	bool ok = true;

	for (size_t i = 0; i < 2 * ARRAY_SIZE(lens); i++) {
		size_t len = lens[i / 2];
		unsigned long calls;

		harness_reset();
		state_reset();
		ok &= call(outbuf, 100, 0) == 100;
		calls = vgr_harness.calls;
		if (i & 1)
			/* Back over the 104 bytes just handed out. */
			state->left += 104;
		else
			memset(state->batch + sizeof(state->batch) - state->left, 0, 8);
		memset(outbuf, 0, sizeof(outbuf));
		ok &= call(outbuf, len, 0) == (ssize_t)len &&
		      vgr_harness.calls == calls + 1 && is_rekey(calls) &&
		      !zero_word(outbuf, len);
	}
	ksft_test_result(ok, "a word wiped late, or a stale count of what is left: refused, rekeyed\n");
}

/* A token left by a call abandoned with longjmp(): the syscall, for good. */
static void test_abandoned_owner(void)
{
	ssize_t r1, r2;

	harness_reset();
	state_reset();
	state->owner = (unsigned long)&r1;
	r1 = call(outbuf, 16, 0);
	r2 = call(outbuf, 16, 0);
	ksft_test_result(r1 == 16 && r2 == 16 && vgr_harness.calls == 2 &&
			 vgr_harness.rec[1].buf == outbuf && state->owner == (unsigned long)&r1,
			 "a state left owned by an abandoned call stays on the syscall\n");
	state->owner = 0;
}

/* As the syscall: GRND_RANDOM | GRND_INSECURE is -EINVAL, without a syscall. */
static void test_random_insecure(void)
{
	ssize_t ret;

	harness_reset();
	state_reset();
	ret = call(outbuf, 16, GRND_RANDOM | GRND_INSECURE);
	ksft_test_result(ret == -EINVAL && !vgr_harness.calls &&
			 call(outbuf, 16, GRND_INSECURE) == 16,
			 "GRND_RANDOM | GRND_INSECURE -> -EINVAL, as the syscall returns\n");
}

int main(void)
{
	if (sodium_init() < 0)
		ksft_exit_fail_msg("sodium_init failed\n");
	page = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		ksft_exit_fail_msg("mmap failed\n");
	state = (struct vgetrandom_state *)(page + 4096);

	ksft_print_header();
	ksft_set_plan(25);
	test_query();
	test_check1_straddle();
	test_check2_flags();
	test_check3_opaque_len();
	test_check4_not_ready();
	test_check5_len0();
	test_check6_in_use();
	test_null_buffer();
	test_reentry();
	test_generation_change();
	test_generation_before_rekey();
	test_zero_state();
	test_change_during_fill();
	test_failed_rekey();
	test_zeroed_batch();
	test_lengths_and_model();
	test_buffer_never_to_syscall();
	test_takeover_during_rekey();
	test_takeover_of_revived_state();
	test_late_stores();
	test_abandoned_owner();
	test_random_insecure();
	ksft_finished();
}
