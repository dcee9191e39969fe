// SPDX-License-Identifier: GPL-2.0
/*
 * Interleaving explorer for the generic vDSO getrandom() (lib/vdso/getrandom.c)
 * and each x86 ChaCha20 path, built unchanged into a host program.
 *
 * The call under test runs once per (path, kind of call), single-stepped
 * with the trap flag: every instruction boundary of it delivers a SIGTRAP,
 * and the handler is a signal handler interrupting the call exactly there.
 * At each boundary, for each event, a timeline is run to its end: the
 * handler injects the event (a drop, which zeroes the state as reclaim of
 * a MAP_DROPPABLE page does; a same-state getrandom() from the handler; a
 * reseed; a siglongjmp() out of the handler; a second handler a few
 * instructions on; a handler interrupted by another in its rekey), the
 * interrupted call finishes (or is abandoned), more ordinary calls follow
 * on the state (so that a late effect shows), and every byte handed out is
 * checked. Then the process is rewound to the boundary and the next event
 * runs from the very same point.
 *
 * Rewinding, rather than fork() per boundary: fork() costs over a
 * millisecond on the machines this runs on (page tables), the run would
 * take hours. A timeline can only change the state, the output buffer, the
 * harness, a few globals of this file and the stack below the frame that
 * started the call (the code under test has no writable data of its own,
 * as the vDSO has none); all of that is saved at the boundary, with the
 * registers and the extended (vector) register state from the SIGTRAP
 * frame. The handlers run on an alternate stack, so they never write into
 * the saved stack range. At the end of a timeline the memory is copied
 * back and raise(SIGUSR1) enters a handler that writes the saved registers
 * into its own frame: sigreturn() then resumes the call at the boundary
 * with every register as it was, the trap flag included, and stepping goes
 * on. That the undisturbed call, stepped and rewound thousands of times,
 * ends with the output and the state of an unstepped run is checked too.
 *
 * The stepped range is the call alone: the trap flag is set right before
 * it and cleared right after. The harness's getrandom syscall hook (which
 * stands for the kernel writing a key into the state) is stepped too, so a
 * drop can land between the two halves of a key being written; the hook's
 * own instructions are counted as boundaries. The real syscall, which only
 * fallbacks reach, is never reached while stepping the undisturbed call.
 *
 * The oracle, for every successful output (the interrupted call's, the
 * handlers', the calls after, and those that prepared the state), word by
 * word (8 bytes at offsets that are multiples of 8; the batch goes out in
 * whole words, so each such word is one word of keystream; a last partial
 * word is not checked):
 *  - it is not zero (a dropped or wiped word is refused, never handed out);
 *  - it is a word of the ChaCha20 keystream (libsodium's, 8-byte zero nonce)
 *    at some block counter of a key the state could legitimately hold: a
 *    key the rekey hook handed in during this timeline (the hook hands out
 *    keys of its own, in order, and records them), or a fast-key-erasure
 *    successor of one (the first 32 bytes of a refill, which starts at
 *    block 0, or at block 8 after direct blocks), recursively. Anything
 *    else (a round value, stale registers, another state's bytes) is not;
 *  - it is not a word of a key: of a rekey key, or of a successor key that
 *    the state went on to use in this timeline (or that it keeps, at the
 *    end): whoever got such a word could compute the output that followed;
 *  - it was not handed out before in this timeline;
 *  - after a reseed, the calls that start later use keys handed in after it.
 * The key a call finds in a free state of the current generation (and the
 * one the state keeps at the end) must be one the state could hold, or
 * that key with a word replaced by the same word of another such key: a
 * late store of vgetrandom_take() into the key does that, and only that
 * (counted in the results, not a failure: every word is still unused key
 * material). Output that the syscall produced (a fallback: the hook saw a
 * request for the caller's own buffer) is only checked for zero words. A
 * call must return the length asked for: the syscall would.
 *
 * One TAP result per (path, kind of call, event) with the number of
 * boundaries explored and of bad words; the first bad word of each is
 * described: boundary, instruction, word and why.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <ucontext.h>
#include <sodium.h>

#include "../../kselftest.h"
#include "vgetrandom_host.h"

#define STATE_SIZE	sizeof(struct vgetrandom_state)
#define X86_TF		0x100UL

/*
 * A second handler, or a longjmp out of one, 1 to EX_LATER instructions
 * after the first: the interrupted call makes a store or two in between,
 * which is what a late store needs to show. Each of those instructions
 * costs a trap, and traps are what the run time is made of.
 */
#define EX_LATER	8

/* What a handler does, in this order. */
enum {
	EV_DROP		= 1 << 0,	/* zero the state, as reclaim does */
	EV_RESEED	= 1 << 1,	/* bump the RNG generation */
	EV_CALL		= 1 << 2,	/* getrandom() of .len bytes on the same state */
	EV_NEST		= 1 << 3,	/* ... interrupted in its rekey by drop + 16 bytes */
	EV_LONGJMP	= 1 << 4,	/* siglongjmp() out: abandon the interrupted call */
};

/*
 * An event: what a handler at the boundary does, and what a second one
 * does 1 to EX_LATER instructions later. Where two lengths are given, the
 * boundaries take them in turn, so that every 2 * 2 * EX_LATER boundaries
 * see each pair of lengths at each distance.
 */
struct ex_event {
	const char *name;
	unsigned int now;
	size_t len[2];
	unsigned int later;
	size_t later_len[2];
};

/* A second handler asking for all that is left in the batch (or 1000 bytes if nothing). */
#define EX_REST		SIZE_MAX

static const struct ex_event ex_events[] = {
	{ "drop", EV_DROP },
	{ "drop+handler(1)", EV_DROP | EV_CALL, { 1 } },
	{ "drop+handler(16)", EV_DROP | EV_CALL, { 16 } },
	{ "drop+handler(200)", EV_DROP | EV_CALL, { 200 } },
	{ "drop+handler(1000)", EV_DROP | EV_CALL, { 1000 } },
	{ "reseed", EV_RESEED },
	/*
	 * Late stores of the interrupted call, and a state a drop left half
	 * made, show to whoever comes next: a second handler, and, after a
	 * longjmp() abandons the call, the calls after. A late wipe needs a
	 * first handler that leaves most of its batch; a late store of what
	 * is left needs one that took more than the interrupted call did. All
	 * that is left goes out through vgetrandom_take(), 1000 bytes through
	 * vgetrandom_copy(): both must refuse a wiped word.
	 */
	{ "drop, handler(1000) 1-8 later", EV_DROP, { 0 }, EV_CALL, { 1000 } },
	{ "drop+handler(16|200), handler(rest|1000)+longjmp 1-8 later", EV_DROP | EV_CALL,
	  { 16, 200 }, EV_CALL | EV_LONGJMP, { EX_REST, 1000 } },
	{ "drop+handler(200)+longjmp", EV_DROP | EV_CALL | EV_LONGJMP, { 200 } },
	{ "longjmp", EV_LONGJMP },
	{ "drop+handler(200) nested drop+handler(16)", EV_DROP | EV_CALL | EV_NEST, { 200 } },
};
#define EX_NEVENTS	ARRAY_SIZE(ex_events)

/* The kinds of call under test, and how the state is prepared for each. */
struct ex_kind {
	const char *name;
	size_t warm[2];		/* calls before it; 0: none, ~0: all but 24 bytes left */
	bool reseed;		/* bump the generation before it */
	size_t len;		/* its length */
};

static const struct ex_kind ex_kinds[] = {
	/* Served from the batch. */
	{ "fast", { 16, 0 }, false, 40 },
	/* 24 bytes left: they are copied, then a refill. */
	{ "refill", { 16, ~0UL }, false, 100 },
	/* 24 left, then eight blocks straight into the buffer, then a refill. */
	{ "direct", { 16, ~0UL }, false, 24 + 8 * VGETRANDOM_CHACHA_BLOCK_SIZE + 40 },
	/* A new generation: a rekey through the hook, then a refill. */
	{ "rekey", { 16, 0 }, true, 100 },
};
#define EX_NKINDS	ARRAY_SIZE(ex_kinds)

/* The ChaCha20 paths, and the CPU feature each needs (none: every x86_64 has SSE2). */
static const struct {
	const char *name, *sym;
	vgr_chacha20_owned_fn *fn;
	const char *feature;
} ex_paths[] = {
#define EX_PATH(p, feature) { #p, "vgr_chacha20_owned_" #p, vgr_chacha20_owned_##p, feature }
	EX_PATH(sse2, NULL),
	EX_PATH(avx2, "avx2"),
	EX_PATH(avx512vl, "avx512vl"),
	EX_PATH(avx512, "avx512vl"),
#undef EX_PATH
};
#define EX_NPATHS	ARRAY_SIZE(ex_paths)

/* ---- The oracle's keys ---- */

/*
 * Blocks of keystream indexed per key. A refill starts at block 0, or at 8
 * after direct blocks (requests here stay below 16 blocks beyond what is
 * left), and makes 15 blocks: 23 blocks cover every legitimate word.
 */
#define EX_BLOCKS	24
#define EX_MAX_ROOTS	128
/* The root of the all-zero key, what a drop leaves: never legitimate. */
#define EX_ROOT_ZERO	INT_MAX
#define EX_SUCC_CTRS	2	/* a successor at block 0, and at block 8 */

struct ex_key {
	u8 key[VGETRANDOM_CHACHA_KEY_SIZE];
	int root;		/* index of the rekey key it descends from */
	int succ[EX_SUCC_CTRS];	/* successor keys, -1 until derived */
	bool expanded;
	unsigned long used;	/* the last timeline with output from it */
};

enum { SLOT_EMPTY, SLOT_STREAM, SLOT_KEY };

struct ex_slot {
	u64 word;
	u32 key;
	u16 pos;		/* block * 8 + word, for SLOT_STREAM */
	u16 kind;
};

static struct ex_key *keys;
static size_t nkeys, keys_cap;
static struct ex_slot *slots;
static size_t slots_mask, nslots_used;
static int root_key[EX_MAX_ROOTS];

static u64 ex_hash(u64 w)
{
	w ^= w >> 31;
	w *= 0x7fb5d329728ea185ULL;
	w ^= w >> 27;
	return w;
}

static struct ex_slot *ex_lookup(u64 w)
{
	for (size_t i = ex_hash(w) & slots_mask; slots[i].kind; i = (i + 1) & slots_mask)
		if (slots[i].word == w)
			return &slots[i];
	return NULL;
}

static void ex_insert_slot(const struct ex_slot *s)
{
	size_t i;

	for (i = ex_hash(s->word) & slots_mask; slots[i].kind; i = (i + 1) & slots_mask)
		if (slots[i].word == s->word)
			return;		/* 2^-64: keep the first */
	slots[i] = *s;
	nslots_used++;
}

static void ex_insert(u64 w, u32 key, u16 pos, u16 kind)
{
	struct ex_slot s = { .word = w, .key = key, .pos = pos, .kind = kind };

	/* At most half full, so that probes stay short. */
	if (2 * (nslots_used + 1) > slots_mask + 1) {
		struct ex_slot *old = slots;
		size_t n = slots_mask + 1;

		slots = calloc(2 * n, sizeof(*slots));
		if (!slots)
			ksft_exit_fail_msg("oracle table: out of memory\n");
		slots_mask = 2 * n - 1;
		nslots_used = 0;
		for (size_t i = 0; i < n; i++)
			if (old[i].kind)
				ex_insert_slot(&old[i]);
		free(old);
	}
	ex_insert_slot(&s);
}

static const u8 ex_nonce[crypto_stream_chacha20_NONCEBYTES];

/* Index the keystream of a key; returns its number. */
static int ex_add_key(const u8 *key, int root)
{
	static u8 stream[EX_BLOCKS * VGETRANDOM_CHACHA_BLOCK_SIZE];
	struct ex_key *k;
	u64 w;

	if (nkeys == keys_cap) {
		keys_cap = keys_cap ? 2 * keys_cap : 256;
		keys = realloc(keys, keys_cap * sizeof(*keys));
		if (!keys)
			ksft_exit_fail_msg("oracle keys: out of memory\n");
	}
	k = &keys[nkeys];
	memset(k, 0, sizeof(*k));
	memcpy(k->key, key, sizeof(k->key));
	k->root = root;
	k->succ[0] = k->succ[1] = -1;
	crypto_stream_chacha20(stream, sizeof(stream), ex_nonce, key);
	for (size_t i = 0; i < sizeof(stream) / sizeof(w); i++) {
		memcpy(&w, stream + i * sizeof(w), sizeof(w));
		ex_insert(w, nkeys, i, SLOT_STREAM);
	}
	return nkeys++;
}

/*
 * A key's successors: the first 32 bytes of block 0 and of block 8 of its
 * stream, where a refill starts.
 */
static void ex_expand(int k)
{
	u8 block[VGETRANDOM_CHACHA_BLOCK_SIZE];
	static const u8 zero[sizeof(block)];

	if (keys[k].expanded)
		return;
	keys[k].expanded = true;
	for (int c = 0; c < EX_SUCC_CTRS; c++) {
		int s;

		crypto_stream_chacha20_xor_ic(block, zero, sizeof(block), ex_nonce,
					      c * VGETRANDOM_DIRECT_BLOCKS, keys[k].key);
		s = ex_add_key(block, keys[k].root);
		keys[k].succ[c] = s;
	}
}

/* The rekey keys: fixed, distinct, and recorded before anything runs. */
static u8 root_bytes[EX_MAX_ROOTS][VGETRANDOM_CHACHA_KEY_SIZE];

static void ex_make_roots(void)
{
	static const u8 master[crypto_stream_chacha20_KEYBYTES] = "vgetrandom explorer rekey keys";
	static const u8 zero[VGETRANDOM_CHACHA_KEY_SIZE];
	u8 nonce[crypto_stream_chacha20_NONCEBYTES];
	u64 w;

	/* Known, so that output of a dropped key is named as such. */
	ex_add_key(zero, EX_ROOT_ZERO);

	for (int i = 0; i < EX_MAX_ROOTS; i++) {
		memset(nonce, 0, sizeof(nonce));
		nonce[0] = i;
		crypto_stream_chacha20(root_bytes[i], sizeof(root_bytes[i]), nonce, master);
		root_key[i] = ex_add_key(root_bytes[i], i);
		/* A rekey key's own words must never come out. */
		for (size_t j = 0; j < sizeof(root_bytes[i]) / sizeof(w); j++) {
			memcpy(&w, root_bytes[i] + j * sizeof(w), sizeof(w));
			ex_insert(w, root_key[i], j, SLOT_KEY);
		}
	}
}

/* ---- The world a timeline may change, and the explorer's bookkeeping ---- */

#define EX_MAX_RECS	64
#define EX_ARENA	(16 * 1024)
#define EX_OBUF_MAX	1024
#define EX_STACK_MAX	(64 * 1024)
#define EX_FP_MAX	(16 * 1024)

enum ex_who { WHO_PREP, WHO_CALL, WHO_HANDLER, WHO_SECOND, WHO_NESTED, WHO_AFTER, WHO_NEXT };
static const char * const who_names[] = {
	"preparing call", "interrupted call", "handler", "second handler",
	"nested handler", "later call", "next call",
};

struct ex_rec {
	const u8 *buf;
	size_t len;
	ssize_t ret;
	enum ex_who who;
	bool syscall;		/* the fallback syscall wrote it */
};

enum ex_mode { EX_OFF, EX_BASE, EX_TIMELINE };

static struct {
	/* The call under test and where it runs. */
	struct vgetrandom_state *state;
	size_t olen;
	u8 obuf[EX_OBUF_MAX];
	ssize_t ret;
	/* Trap handling. */
	/*
	 * Shared with the handlers: READ_ONCE()/WRITE_ONCE() keep their order
	 * around the call (the mode is read after stepping stops).
	 */
	int stepping;
	enum ex_mode mode;
	unsigned long boundary;		/* in the undisturbed call */
	unsigned long rip;		/* of that boundary */
	unsigned int event;
	unsigned int later_left;
	bool abandoned;
	bool nest_armed;
	int depth;
	sigjmp_buf abandon;
	uintptr_t stack_top;
	/* Timeline records: the preparing calls', then the timeline's. */
	unsigned int nrekey;
	unsigned int reseed_rekey;	/* rekeys before a reseed, or ~0 */
	struct ex_rec recs[EX_MAX_RECS];
	unsigned int nrec, nrec_base;
	void *fallback[EX_MAX_RECS];
	unsigned int nfallback;
	struct {
		u8 key[VGETRANDOM_CHACHA_KEY_SIZE];
		enum ex_who who;
	} keyrec[EX_MAX_RECS];
	unsigned int nkeyrec;
	u8 arena[EX_ARENA];
	size_t arena_used, arena_base;
	bool overflow;
	unsigned long timeline;		/* stamp, never 0 */
} ex;

/* Saved at a boundary, put back at the end of each timeline. */
static struct {
	greg_t gregs[NGREG];
	u8 fp[EX_FP_MAX];
	size_t fp_size;
	u8 stack[EX_STACK_MAX];
	uintptr_t stack_lo;
	size_t stack_len;
	struct vgr_harness harness;
	u8 state[STATE_SIZE];
	u8 obuf[EX_OBUF_MAX];
	unsigned int nrekey;
} snap;

/* Results per event of the current (path, kind). */
struct ex_result {
	unsigned long boundaries, bad, bad_boundaries;
	unsigned long mixed;	/* timelines where a late store mixed a key */
	bool have_first;
	char first[256];
};

static struct ex_result results[EX_NEVENTS];
static const char *cur_path;

static void *ex_alloc(size_t len)
{
	void *p;

	if (ex.arena_used + len > sizeof(ex.arena)) {
		ex.overflow = true;
		ex.arena_used = ex.arena_base;
	}
	p = ex.arena + ex.arena_used;
	ex.arena_used += (len + 63) & ~63UL;
	return p;
}

static void ex_record(const u8 *buf, size_t len, ssize_t ret, enum ex_who who)
{
	struct ex_rec *r;

	if (ex.nrec == EX_MAX_RECS) {
		ex.overflow = true;
		return;
	}
	r = &ex.recs[ex.nrec++];
	r->buf = buf;
	r->len = len;
	r->ret = ret;
	r->who = who;
	r->syscall = false;
	for (unsigned int i = 0; i < ex.nfallback && i < EX_MAX_RECS; i++)
		if (ex.fallback[i] == buf)
			r->syscall = true;
}

/* Not inlined: the generic code lands here, one symbol for the reports. */
static noinline ssize_t ex_getrandom(void *buf, size_t len)
{
	return vgr_getrandom(buf, len, 0, ex.state, STATE_SIZE);
}

/*
 * The key a call finds in a free state of the current generation is the
 * one it computes with if it needs more than the batch: noted, for the
 * oracle to check that the state could hold it.
 */
static void ex_note_key(enum ex_who who)
{
	const struct vgetrandom_state *st = ex.state;

	if (st->owner || st->generation != vgr_harness.rng.generation ||
	    vgetrandom_key_zero(st))
		return;
	if (ex.nkeyrec == EX_MAX_RECS) {
		ex.overflow = true;
		return;
	}
	memcpy(ex.keyrec[ex.nkeyrec].key, st->key, sizeof(st->key));
	ex.keyrec[ex.nkeyrec++].who = who;
}

static void ex_call(size_t len, enum ex_who who)
{
	const unsigned char *rekey_with = vgr_harness.rekey_with;
	u8 *buf = ex_alloc(len);
	ssize_t ret;

	ex_note_key(who);
	ex.depth++;
	ret = ex_getrandom(buf, len);
	ex.depth--;
	vgr_harness.rekey_with = rekey_with;
	ex_record(buf, len, ret, who);
}

/*
 * The getrandom syscall hook, stepped with the call: a request for 32
 * bytes into the state's key is a rekey and gets the next recorded key;
 * anything else is a fallback, which the real syscall serves, and whose
 * buffer is noted. A nested event fires here, in the first handler's
 * rekey, where a real signal would be delivered: on the syscall's return.
 * A handler may interrupt the hook itself (it stands for the kernel, where
 * none could): the counters move with one instruction each, and ex_call()
 * puts back the key pointer the interrupted hook chose.
 */
static void ex_hook(unsigned long nr, void *buf, size_t len, unsigned int flags)
{
	unsigned int i;

	if (ex.nest_armed && ex.depth == 1) {
		ex.nest_armed = false;
		memset(ex.state, 0, STATE_SIZE);
		ex_call(16, WHO_NESTED);
	}
	if (len == sizeof(ex.state->key) && buf == ex.state->key) {
		i = __atomic_fetch_add(&ex.nrekey, 1, __ATOMIC_RELAXED);
		vgr_harness.rekey_with = i < EX_MAX_ROOTS ? root_bytes[i] : NULL;
		return;
	}
	vgr_harness.rekey_with = NULL;
	i = __atomic_fetch_add(&ex.nfallback, 1, __ATOMIC_RELAXED);
	if (i < EX_MAX_RECS)
		ex.fallback[i] = buf;
}

/* ---- Stepping, saving and rewinding ---- */

static void ex_tf(ucontext_t *uc, bool on)
{
	if (on)
		uc->uc_mcontext.gregs[REG_EFL] |= X86_TF;
	else
		uc->uc_mcontext.gregs[REG_EFL] &= ~X86_TF;
}

/*
 * The size of the extended state in a signal frame: the kernel describes
 * it in the software-reserved bytes at the end of the legacy FXSAVE area.
 */
#define EX_FXSAVE_SW_BYTES	464

static size_t ex_fp_size(const ucontext_t *uc)
{
	const struct _fpx_sw_bytes *sw =
		(const void *)((const u8 *)uc->uc_mcontext.fpregs + EX_FXSAVE_SW_BYTES);

	return sw->magic1 == FP_XSTATE_MAGIC1 ? sw->extended_size : 512;
}

/* In a handler, where nothing of stdio may run. */
static void ex_fatal(const char *msg)
{
	static const char bail[] = "Bail out! vgetrandom_explore_test: ";

	if (write(1, bail, sizeof(bail) - 1) < 0 || write(1, msg, strlen(msg)) < 0)
		_exit(2);
	_exit(1);
}

static void ex_snapshot(const ucontext_t *uc)
{
	/* The red zone below the stack pointer is the interrupted code's. */
	uintptr_t lo = uc->uc_mcontext.gregs[REG_RSP] - 128;

	memcpy(snap.gregs, uc->uc_mcontext.gregs, sizeof(snap.gregs));
	snap.fp_size = ex_fp_size(uc);
	if (snap.fp_size > sizeof(snap.fp) || lo > ex.stack_top ||
	    ex.stack_top - lo > sizeof(snap.stack))
		ex_fatal("the registers or the stack do not fit the snapshot\n");
	memcpy(snap.fp, uc->uc_mcontext.fpregs, snap.fp_size);
	snap.stack_lo = lo;
	snap.stack_len = ex.stack_top - lo;
	memcpy(snap.stack, (void *)lo, snap.stack_len);
	snap.harness = vgr_harness;
	memcpy(snap.state, ex.state, STATE_SIZE);
	memcpy(snap.obuf, ex.obuf, sizeof(snap.obuf));
	snap.nrekey = ex.nrekey;
}

/* Runs on the alternate stack: the range it writes is nobody's frame now. */
static void ex_restore(ucontext_t *uc)
{
	memcpy((void *)snap.stack_lo, snap.stack, snap.stack_len);
	memcpy(uc->uc_mcontext.gregs, snap.gregs, sizeof(snap.gregs));
	if (ex_fp_size(uc) != snap.fp_size)
		ex_fatal("signal frames of different sizes\n");
	memcpy(uc->uc_mcontext.fpregs, snap.fp, snap.fp_size);
	vgr_harness = snap.harness;
	memcpy(ex.state, snap.state, STATE_SIZE);
	memcpy(ex.obuf, snap.obuf, sizeof(ex.obuf));
	ex.nrekey = snap.nrekey;
	WRITE_ONCE(ex.stepping, 1);
}

static size_t ex_len(const size_t len[2], unsigned long turn)
{
	size_t n = len[1] && turn % 2 ? len[1] : len[0];

	if (n == EX_REST) {
		n = READ_ONCE(ex.state->left);
		if (!n || n > VGETRANDOM_BATCH_SIZE)
			n = 1000;
	}
	return n;
}

/* What a handler does; does not return if it jumps out. */
static void ex_act(unsigned int what, size_t len, enum ex_who who)
{
	if (what & EV_DROP)
		memset(ex.state, 0, STATE_SIZE);
	if (what & EV_RESEED) {
		vgr_harness.rng.generation++;
		ex.reseed_rekey = ex.nrekey;
	}
	if (what & EV_CALL) {
		ex.nest_armed = what & EV_NEST;
		ex_call(len, who);
		ex.nest_armed = false;
	}
	if (what & EV_LONGJMP)
		siglongjmp(ex.abandon, 1);
}

/* Start the timeline of the current event, from a handler at the boundary. */
static void ex_start(ucontext_t *uc)
{
	const struct ex_event *ev = &ex_events[ex.event];

	WRITE_ONCE(ex.mode, EX_TIMELINE);
	ex.timeline++;
	ex.nrec = ex.nrec_base;
	ex.nfallback = 0;
	ex.nkeyrec = 0;
	ex.arena_used = ex.arena_base;
	ex.overflow = false;
	ex.abandoned = false;
	ex.reseed_rekey = ~0U;
	ex.later_left = 1 + ex.boundary % EX_LATER;
	ex_tf(uc, ev->later);
	ex_act(ev->now, ex_len(ev->len, ex.boundary / EX_LATER / 2), WHO_HANDLER);
}

static void ex_trap(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	const struct ex_event *ev = &ex_events[ex.event];

	if (!READ_ONCE(ex.stepping)) {
		/* Past the call: a second handler not placed yet goes here. */
		ex_tf(uc, false);
		if (ex.mode == EX_TIMELINE && ev->later && ex.later_left) {
			ex.later_left = 0;
			ex_act(ev->later & ~EV_LONGJMP,
			       ex_len(ev->later_len, ex.boundary / EX_LATER), WHO_SECOND);
		}
		return;
	}
	if (ex.mode == EX_BASE) {
		ex.boundary++;
		ex.rip = uc->uc_mcontext.gregs[REG_RIP];
		ex_snapshot(uc);
		ex.event = 0;
		ex_start(uc);
		return;
	}
	if (ex.mode == EX_TIMELINE && ev->later && ex.later_left && !--ex.later_left) {
		ex_tf(uc, false);
		ex_act(ev->later, ex_len(ev->later_len, ex.boundary / EX_LATER), WHO_SECOND);
	}
}

/* The end of a timeline: back to the boundary, for the next event or to step on. */
static void ex_rewind(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	ex_restore(uc);
	if (ex.event < EX_NEVENTS) {
		ex_start(uc);
	} else {
		/* The saved flags have the trap flag: the next boundary traps. */
		WRITE_ONCE(ex.mode, EX_BASE);
	}
}

/* ---- The oracle ---- */

struct ex_word {
	u64 w;
	const struct ex_rec *rec;
	size_t off;
	struct ex_slot slot;	/* a copy: the table moves as it grows */
};

#define EX_MAX_WORDS	4096
static struct ex_word words[EX_MAX_WORDS];
static size_t nwords;

/* Words handed out in this timeline, stamped with it: no clearing needed. */
#define EX_SEEN_SIZE	8192
static struct {
	u64 w;
	unsigned long stamp;
} seen[EX_SEEN_SIZE];

static bool ex_seen_before(u64 w)
{
	size_t i;

	for (i = ex_hash(w) & (EX_SEEN_SIZE - 1); seen[i].stamp == ex.timeline;
	     i = (i + 1) & (EX_SEEN_SIZE - 1))
		if (seen[i].w == w)
			return true;
	seen[i].w = w;
	seen[i].stamp = ex.timeline;
	return false;
}

static void ex_explore_call(void);

/* Where a boundary is, for the reports: the nearest function of ours below it. */
static const struct {
	const char *name;
	const void *addr;
} ex_syms[] = {
	{ "ex_getrandom", ex_getrandom },
	{ "ex_hook", ex_hook },
	{ "ex_explore_call", ex_explore_call },
};

extern char __executable_start[];

static void ex_nearest(const char *name, const void *addr, unsigned long rip,
		       const char **best, unsigned long *base)
{
	unsigned long a = (unsigned long)addr;

	if (a <= rip && a > *base) {
		*base = a;
		*best = name;
	}
}

static void ex_where(char *buf, size_t size, unsigned long rip)
{
	const char *name = "?";
	unsigned long base = 0;

	for (size_t i = 0; i < EX_NPATHS; i++)
		ex_nearest(ex_paths[i].sym, ex_paths[i].fn, rip, &name, &base);
	for (size_t i = 0; i < ARRAY_SIZE(ex_syms); i++)
		ex_nearest(ex_syms[i].name, ex_syms[i].addr, rip, &name, &base);
	snprintf(buf, size, "%s+%#lx (addr2line -e <test> %#lx)", name, rip - base,
		 rip - (unsigned long)__executable_start);
}

static void ex_fail(struct ex_result *res, const char *what)
{
	char where[128];

	res->bad++;
	if (res->have_first)
		return;
	res->have_first = true;
	ex_where(where, sizeof(where), ex.rip);
	snprintf(res->first, sizeof(res->first), "boundary %lu at %s: %s", ex.boundary, where,
		 what);
}

static void ex_bad(struct ex_result *res, const struct ex_rec *rec, size_t off, u64 w,
		   const char *why)
{
	char what[192];

	snprintf(what, sizeof(what), "%s's bytes %zu-%zu of %zu = %016llx: %s",
		 who_names[rec->who], off, off + 7, rec->len, (unsigned long long)w, why);
	ex_fail(res, what);
}

/* Mark the keys with output in this timeline; true if all words are known. */
static bool ex_resolve(void)
{
	bool all = true;

	for (size_t i = 0; i < nwords; i++) {
		struct ex_word *x = &words[i];

		if (!x->slot.kind && x->w) {
			const struct ex_slot *s = ex_lookup(x->w);

			if (s)
				x->slot = *s;
		}
		if (!x->slot.kind) {
			all &= !x->w;
			continue;
		}
		if (x->slot.kind == SLOT_STREAM && keys[x->slot.key].root < (int)ex.nrekey)
			keys[x->slot.key].used = ex.timeline;
	}
	return all;
}

/*
 * Derive the successors of the keys in use, level by level, until every
 * word is known or three levels found nothing: a refill whose output was
 * all in partial words leaves a key with no word of its own in the output.
 */
static void ex_resolve_all(void)
{
	for (int depth = 1; depth <= 3 && !ex_resolve(); depth++) {
		size_t n = nkeys;

		for (size_t k = 0; k < n; k++) {
			int frontier[64], nf = 0;

			/* From the keys in use, and the rekey keys handed in. */
			if (keys[k].used != ex.timeline &&
			    !(keys[k].root < (int)ex.nrekey && k == (size_t)root_key[keys[k].root]))
				continue;
			frontier[nf++] = k;
			for (int d = 0; d < depth; d++) {
				int next[64], nn = 0;

				for (int f = 0; f < nf; f++) {
					ex_expand(frontier[f]);
					for (int c = 0; c < EX_SUCC_CTRS && nn < 64; c++)
						next[nn++] = keys[frontier[f]].succ[c];
				}
				memcpy(frontier, next, nn * sizeof(*next));
				nf = nn;
			}
		}
	}
}

/* A word of a key the state could hold, at the same place in that key. */
static bool ex_key_word(u64 w, int j, int *root)
{
	const struct ex_slot *s = ex_lookup(w);
	int b;

	if (!s)
		return false;
	*root = keys[s->key].root;
	if (s->kind == SLOT_KEY)
		return s->pos == j && *root < (int)ex.nrekey;
	b = s->pos / 8;
	return s->pos % 8 == j && b % VGETRANDOM_DIRECT_BLOCKS == 0 &&
	       b / VGETRANDOM_DIRECT_BLOCKS < EX_SUCC_CTRS && *root < (int)ex.nrekey;
}

/*
 * A key found in the state where a call would use it: a key the state
 * could hold (then it counts as used), or one where a late store of an
 * interrupted call's vgetrandom_take() replaced a word by the same word of
 * that call's next key. The latter is the documented effect of a late
 * store: every word is still secret key material, never output, so its
 * output is fresh. It is learnt as a key, and counted. Anything else is a
 * key no one gave the state.
 */
static void ex_check_key(struct ex_result *res, const u8 *key, enum ex_who who, bool *mixed)
{
	const struct ex_slot *s;
	char what[160];
	int root, top = 0;
	u64 w;

	memcpy(&w, key, sizeof(w));
	s = ex_lookup(w);
	if (s && s->kind == SLOT_KEY && !memcmp(keys[s->key].key, key, VGETRANDOM_CHACHA_KEY_SIZE))
		return;
	if (s && s->kind == SLOT_STREAM && s->pos % 8 == 0 &&
	    s->pos / 8 % VGETRANDOM_DIRECT_BLOCKS == 0 &&
	    s->pos / 8 / VGETRANDOM_DIRECT_BLOCKS < EX_SUCC_CTRS) {
		int k = s->key, c = s->pos / 8 / VGETRANDOM_DIRECT_BLOCKS;

		ex_expand(k);
		if (!memcmp(keys[keys[k].succ[c]].key, key, VGETRANDOM_CHACHA_KEY_SIZE)) {
			keys[keys[k].succ[c]].used = ex.timeline;
			return;
		}
	}
	for (int j = 0; j < VGETRANDOM_CHACHA_KEY_SIZE / 8; j++) {
		memcpy(&w, key + 8 * j, sizeof(w));
		if (!ex_key_word(w, j, &root)) {
			snprintf(what, sizeof(what),
				 "%s found a key (%016llx at word %d) the state could not hold",
				 who_names[who], (unsigned long long)w, j);
			ex_fail(res, what);
			return;
		}
		top = root > top ? root : top;
	}
	/* Learnt once: its stream then resolves as any key's. */
	for (size_t k = 0; k < nkeys; k++) {
		if (!memcmp(keys[k].key, key, VGETRANDOM_CHACHA_KEY_SIZE)) {
			keys[k].used = ex.timeline;
			*mixed = true;
			return;
		}
	}
	keys[ex_add_key(key, top)].used = ex.timeline;
	*mixed = true;
}

static void ex_oracle(struct ex_result *res)
{
	bool mixed = false;
	u64 w;

	nwords = 0;
	for (unsigned int r = 0; r < ex.nrec; r++) {
		const struct ex_rec *rec = &ex.recs[r];

		if (rec->ret != (ssize_t)rec->len) {
			char why[64];

			snprintf(why, sizeof(why), "the call returned %zd", rec->ret);
			ex_bad(res, rec, 0, 0, why);
			continue;
		}
		for (size_t off = 0; off + sizeof(w) <= rec->len; off += sizeof(w)) {
			memcpy(&w, rec->buf + off, sizeof(w));
			if (rec->syscall) {
				if (!w)
					ex_bad(res, rec, off, w, "a zero word from the syscall");
				continue;
			}
			if (nwords == EX_MAX_WORDS) {
				ex.overflow = true;
				break;
			}
			words[nwords++] = (struct ex_word){ .w = w, .rec = rec, .off = off };
		}
	}
	if (ex.overflow)
		ex_fail(res, "the explorer's limits were exceeded");

	ex_resolve_all();
	for (unsigned int i = 0; i < ex.nkeyrec; i++)
		ex_check_key(res, ex.keyrec[i].key, ex.keyrec[i].who, &mixed);
	/* What the state keeps, free and current, is the next call's key. */
	ex_note_key(WHO_NEXT);
	if (ex.nkeyrec && ex.keyrec[ex.nkeyrec - 1].who == WHO_NEXT)
		ex_check_key(res, ex.keyrec[ex.nkeyrec - 1].key, WHO_NEXT, &mixed);
	if (mixed) {
		res->mixed++;
		ex_resolve_all();
	}

	for (size_t i = 0; i < nwords; i++) {
		const struct ex_word *x = &words[i];
		const struct ex_slot *s = &x->slot;
		char why[128];

		if (!x->w) {
			ex_bad(res, x->rec, x->off, x->w, "a zero word");
			continue;
		}
		if (!s->kind) {
			ex_bad(res, x->rec, x->off, x->w,
			       "not ChaCha20 output of any key the state could hold");
			continue;
		}
		if (s->kind == SLOT_KEY) {
			snprintf(why, sizeof(why), "a word of rekey key %d", keys[s->key].root);
			ex_bad(res, x->rec, x->off, x->w, why);
			continue;
		}
		if (keys[s->key].root == EX_ROOT_ZERO) {
			ex_bad(res, x->rec, x->off, x->w, "output of the all-zero key");
			continue;
		}
		if (keys[s->key].root >= (int)ex.nrekey) {
			snprintf(why, sizeof(why), "output from rekey key %d, not handed in",
				 keys[s->key].root);
			ex_bad(res, x->rec, x->off, x->w, why);
			continue;
		}
		if (s->pos % 8 < 4 && s->pos / 8 % VGETRANDOM_DIRECT_BLOCKS == 0 &&
		    s->pos / 8 / VGETRANDOM_DIRECT_BLOCKS < EX_SUCC_CTRS) {
			int succ = keys[s->key].succ[s->pos / 8 / VGETRANDOM_DIRECT_BLOCKS];

			if (succ >= 0 && keys[succ].used == ex.timeline) {
				snprintf(why, sizeof(why),
					 "word %d of a key the state then used (block %d of its parent)",
					 s->pos % 8, s->pos / 8);
				ex_bad(res, x->rec, x->off, x->w, why);
				continue;
			}
		}
		/* A call that starts after a reseed rekeys: nothing older comes out. */
		if (x->rec->who == WHO_AFTER && keys[s->key].root < (int)ex.reseed_rekey) {
			ex_bad(res, x->rec, x->off, x->w, "output of a key from before the reseed");
			continue;
		}
		if (ex_seen_before(x->w))
			ex_bad(res, x->rec, x->off, x->w, "handed out twice");
	}
}

/* ---- Driving one (path, kind) ---- */

/* Calls after each timeline: the batch's tail, then blocks of the key. */
static const size_t ex_after[] = { 1000, 600 };

static void ex_finish_timeline(void)
{
	unsigned long bad = results[ex.event].bad;

	if (!ex.abandoned)
		ex_record(ex.obuf, ex.olen, ex.ret, WHO_CALL);
	for (size_t i = 0; i < ARRAY_SIZE(ex_after); i++)
		ex_call(ex_after[i], WHO_AFTER);
	ex_oracle(&results[ex.event]);
	results[ex.event].boundaries++;
	results[ex.event].bad_boundaries += results[ex.event].bad != bad;
	ex.event++;
	raise(SIGUSR1);
	abort();	/* the handler resumes the call at the boundary instead */
}

/*
 * The call under test. Everything this frame and those below it hold is in
 * the saved stack range, so a rewind puts it back with the registers.
 */
static noinline void ex_explore_call(void)
{
	if (!sigsetjmp(ex.abandon, 1)) {
		WRITE_ONCE(ex.stepping, 1);
		asm volatile("pushfq; orq %0, (%%rsp); popfq" : : "i" (X86_TF) : "memory", "cc");
		ex.ret = ex_getrandom(ex.obuf, ex.olen);
		/* The trap after this store clears the trap flag. */
		WRITE_ONCE(ex.stepping, 0);
	} else {
		WRITE_ONCE(ex.stepping, 0);
		ex.abandoned = true;
	}
	if (READ_ONCE(ex.mode) == EX_TIMELINE)
		ex_finish_timeline();
}

static noinline void ex_explore(void)
{
	ex.stack_top = (uintptr_t)__builtin_frame_address(0);
	WRITE_ONCE(ex.mode, EX_BASE);
	ex_explore_call();
	WRITE_ONCE(ex.mode, EX_OFF);
}

static void ex_prepare(const struct ex_kind *kind)
{
	memset(&vgr_harness, 0, sizeof(vgr_harness));
	vgr_harness.rng.generation = 1;
	vgr_harness.rng.is_ready = 1;
	vgr_harness.hook = ex_hook;
	memset(ex.state, 0, STATE_SIZE);
	ex.nrekey = 0;
	ex.nrec = 0;
	ex.nfallback = 0;
	ex.nkeyrec = 0;
	ex.arena_used = 0;
	ex.overflow = false;
	ex.depth = 0;
	for (size_t i = 0; i < ARRAY_SIZE(kind->warm) && kind->warm[i]; i++) {
		size_t len = kind->warm[i] == ~0UL ? ex.state->left - 24 : kind->warm[i];
		u8 *buf = ex_alloc(len);

		ex_record(buf, len, ex_getrandom(buf, len), WHO_PREP);
	}
	if (kind->reseed)
		vgr_harness.rng.generation++;
	ex.nrec_base = ex.nrec;
	ex.arena_base = ex.arena_used;
	ex.olen = kind->len;
	memset(ex.obuf, 0, sizeof(ex.obuf));
}

/* The undisturbed call's result, unstepped: stepping and rewinding must not change it. */
static struct {
	ssize_t ret;
	u8 obuf[EX_OBUF_MAX];
	u8 state[STATE_SIZE];
} ex_undisturbed;

/* The undisturbed timeline, checked as any other: the oracle's own test. */
static bool ex_sanity(const struct ex_kind *kind)
{
	struct ex_result res = { 0 };

	ex_prepare(kind);
	ex.timeline++;
	ex.reseed_rekey = ~0U;
	ex_undisturbed.ret = ex_getrandom(ex.obuf, ex.olen);
	memcpy(ex_undisturbed.obuf, ex.obuf, sizeof(ex.obuf));
	memcpy(ex_undisturbed.state, ex.state, STATE_SIZE);
	ex_record(ex.obuf, ex.olen, ex_undisturbed.ret, WHO_CALL);
	for (size_t i = 0; i < ARRAY_SIZE(ex_after); i++)
		ex_call(ex_after[i], WHO_AFTER);
	ex_oracle(&res);
	if (res.bad || ex.nfallback)
		ksft_print_msg("%s %s undisturbed: %s\n", cur_path, kind->name,
			       res.bad ? res.first : "fell back to the syscall");
	return !res.bad && !ex.nfallback;
}

static const char *ex_note(const struct ex_result *res)
{
	static char note[96];
	int n = 0;

	note[0] = 0;
	if (res->bad)
		n = snprintf(note, sizeof(note), " at %lu boundaries", res->bad_boundaries);
	if (res->mixed)
		snprintf(note + n, sizeof(note) - n, " (%lu with a key mixed by a late store)",
			 res->mixed);
	return note;
}

static void ex_run(const struct ex_kind *kind)
{
	bool sane = ex_sanity(kind), same;

	memset(results, 0, sizeof(results));
	ex_prepare(kind);
	ex.boundary = 0;
	ex_explore();
	same = ex.ret == ex_undisturbed.ret &&
	       !memcmp(ex.obuf, ex_undisturbed.obuf, sizeof(ex.obuf)) &&
	       !memcmp(ex.state, ex_undisturbed.state, STATE_SIZE);
	if (!same)
		ksft_print_msg("%s %s: stepped and rewound, the call ends otherwise than undisturbed\n",
			       cur_path, kind->name);
	for (size_t e = 0; e < EX_NEVENTS; e++) {
		struct ex_result *res = &results[e];
		bool ok = sane && same && !res->bad && res->boundaries == ex.boundary &&
			  res->boundaries > 0;

		if (res->boundaries != ex.boundary)
			ksft_print_msg("%s %s %s: timelines at %lu of %lu boundaries\n", cur_path,
				       kind->name, ex_events[e].name, res->boundaries, ex.boundary);
		if (res->have_first)
			ksft_print_msg("%s %s %s: first bad: %s\n", cur_path, kind->name,
				       ex_events[e].name, res->first);
		ksft_test_result(ok, "%s %s %s: %lu boundaries, %lu bad words%s\n", cur_path,
				 kind->name, ex_events[e].name, res->boundaries, res->bad,
				 ex_note(res));
	}
}

/* __builtin_cpu_supports() takes a string literal only. */
static bool ex_cpu_has(const char *feature)
{
	if (!feature)
		return true;
	if (!strcmp(feature, "avx2"))
		return __builtin_cpu_supports("avx2");
	return __builtin_cpu_supports("avx512vl");
}

static void ex_timeout(int sig)
{
	ex_fatal("time limit\n");
}

int main(void)
{
	/* No trap is ever blocked: a blocked one would kill the process. */
	struct sigaction sa = { .sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER };
	stack_t alt = { .ss_size = 1 << 20 };
	struct timespec t0, t1;
	void *page;

	ksft_print_header();
	/* A hang anywhere fails the test instead of blocking the run (it takes 15-40 s). */
	signal(SIGALRM, ex_timeout);
	alarm(240);
	if (sodium_init() < 0)
		ksft_exit_fail_msg("sodium_init\n");

	/*
	 * Ordinary private memory, as the other host tests: the drops are
	 * memset()s in the handlers, at instruction boundaries of the call.
	 */
	page = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	alt.ss_sp = mmap(NULL, alt.ss_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED || alt.ss_sp == MAP_FAILED || sigaltstack(&alt, NULL))
		ksft_exit_fail_msg("setup: %s\n", strerror(errno));
	ex.state = (void *)((u8 *)page + getpagesize() - STATE_SIZE);
	sa.sa_sigaction = ex_trap;
	if (sigaction(SIGTRAP, &sa, NULL))
		ksft_exit_fail_msg("sigaction: %s\n", strerror(errno));
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sa.sa_sigaction = ex_rewind;
	if (sigaction(SIGUSR1, &sa, NULL))
		ksft_exit_fail_msg("sigaction: %s\n", strerror(errno));

	slots_mask = (1 << 16) - 1;
	slots = calloc(slots_mask + 1, sizeof(*slots));
	if (!slots)
		ksft_exit_fail_msg("oracle table: out of memory\n");
	ex_make_roots();

	ksft_set_plan(EX_NPATHS * EX_NKINDS * EX_NEVENTS);
	for (size_t p = 0; p < EX_NPATHS; p++) {
		cur_path = ex_paths[p].name;
		if (!ex_cpu_has(ex_paths[p].feature)) {
			for (size_t k = 0; k < EX_NKINDS; k++)
				for (size_t e = 0; e < EX_NEVENTS; e++)
					ksft_test_result_skip("%s %s %s: CPU lacks %s\n", cur_path,
							      ex_kinds[k].name, ex_events[e].name,
							      ex_paths[p].feature);
			continue;
		}
		vgr_chacha20_owned = ex_paths[p].fn;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (size_t k = 0; k < EX_NKINDS; k++)
			ex_run(&ex_kinds[k]);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ksft_print_msg("%s: %.1f s\n", cur_path,
			       t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	}
	ksft_finished();
}
