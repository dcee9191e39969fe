// SPDX-License-Identifier: GPL-2.0
/*
 * Test of the s390x vDSO ChaCha20 (arch/s390/kernel/vdso64/vgetrandom-chacha.S)
 * built into a static z13 program and run on the x86 host under qemu-s390x.
 * s390x is big-endian, and ChaCha20 is defined on little-endian words: the
 * output is checked byte for byte against libsodium's, carried in as
 * known-answer vectors generated on the (little-endian) host
 * (vgetrandom_chacha_kat.c): every length and starting block of longer
 * runs, so every tail and every element of the counter carry at 2^32 (and
 * the wrap at 2^64); unaligned destinations; both entries (the mainline
 * prototype and the owner-checked one); a token that does not match, at
 * the start or after any block; the key read only once; nothing written to
 * the stack; every vector register it may use cleared and the call-saved
 * registers left alone.  And that the comparison is endian-sensitive: the
 * same cipher with its output words, its key words or its counter words in
 * the other byte or word order fails it on every vector.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../kselftest.h"
#include "vgetrandom_chacha_kat.h"

typedef uint8_t u8;
typedef uint32_t u32;

void __arch_chacha20_blocks_nostack(u8 *dst_bytes, const u32 *key, u32 *counter,
				    size_t nblocks);
bool __arch_chacha20_blocks_owned(u8 *dst_bytes, const u32 *key, u32 *counter,
				  size_t nblocks, const unsigned long *owner,
				  unsigned long token);

#define MAX_BLOCKS	17
#define RUN		KAT_RUN_BLOCKS
#define STACK_SIZE	(64 * 1024)
#define FILL		0xa5
#define TOKEN		0x5555aaaa5555aaaaUL

static uint64_t get_counter(const u32 *c)
{
	return c[0] | (uint64_t)c[1] << 32;
}

static void set_counter(u32 *c, uint64_t v)
{
	c[0] = (u32)v;
	c[1] = v >> 32;
}

/* Through either entry; the owned one with a token that matches. */
static bool blocks(bool owned, u8 *dst, const u32 *key, u32 *counter, size_t n)
{
	unsigned long owner = TOKEN;

	if (owned)
		return __arch_chacha20_blocks_owned(dst, key, counter, n, &owner, TOKEN);
	__arch_chacha20_blocks_nostack(dst, key, counter, n);
	return true;
}

/*
 * What a port that forgot it runs big-endian would compute, for the proof
 * that the comparisons below notice: the real cipher, with one of its
 * inputs or its output in the other order.
 */
enum mistake { RIGHT, OUTPUT_SWAPPED, KEY_SWAPPED, COUNTER_SWAPPED };

static void swap_words(void *p, size_t nwords)
{
	u32 *w = p;

	for (size_t i = 0; i < nwords; i++)
		w[i] = __builtin_bswap32(w[i]);
}

static bool cipher(enum mistake m, bool owned, u8 *dst, const u32 *key, u32 *counter, size_t n)
{
	u32 k[8], c[2];
	bool ret;

	switch (m) {
	case RIGHT:
		return blocks(owned, dst, key, counter, n);
	case OUTPUT_SWAPPED:
		ret = blocks(owned, dst, key, counter, n);
		swap_words(dst, n * 16);
		return ret;
	case KEY_SWAPPED:
		memcpy(k, key, sizeof(k));
		swap_words(k, 8);
		return blocks(owned, dst, k, counter, n);
	case COUNTER_SWAPPED:
		c[0] = counter[1];
		c[1] = counter[0];
		ret = blocks(owned, dst, key, c, n);
		counter[0] = c[1];
		counter[1] = c[0];
		return ret;
	}
	return false;
}

static bool untouched(const u8 *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != FILL)
			return false;
	return true;
}

/* One vector, through one entry; 0 if right. */
static int check_kat(const struct kat *k, bool owned, enum mistake m)
{
	static u8 got[MAX_BLOCKS * 64 + 64];
	size_t len = k->nblocks * 64;
	u32 key[8], counter[2];

	memcpy(key, k->key, sizeof(key));
	memset(got, FILL, sizeof(got));
	set_counter(counter, k->counter);
	if (!cipher(m, owned, got, key, counter, k->nblocks))
		return 1;
	if (memcmp(got, kat_stream + k->offset, len))
		return 2;
	if (!untouched(got + len, sizeof(got) - len))
		return 3;
	return get_counter(counter) != k->counter + k->nblocks ? 4 : 0;
}

static void test_kats(bool owned)
{
	int fails = 0, carries = 0;

	for (size_t i = 0; i < ARRAY_SIZE(kats); i++) {
		fails += !!check_kat(&kats[i], owned, RIGHT);
		carries += (u32)kats[i].counter > (u32)(kats[i].counter + kats[i].nblocks);
	}
	ksft_test_result(!fails && carries,
			 "%s: %zu libsodium vectors (%d across a 32-bit carry): %d wrong\n",
			 owned ? "owned" : "nostack", ARRAY_SIZE(kats), carries, fails);
}

/*
 * The endian proof: each mistake must fail every vector on both entries
 * (an exchanged counter shows in the output, or, from counter 0, in the
 * counter written back).
 */
static void test_endian_sensitive(void)
{
	static const char *const names[] = {
		[OUTPUT_SWAPPED] = "output words byte-swapped",
		[KEY_SWAPPED] = "key words byte-swapped",
		[COUNTER_SWAPPED] = "counter words exchanged",
	};

	for (enum mistake m = OUTPUT_SWAPPED; m <= COUNTER_SWAPPED; m++) {
		size_t caught = 0, calls = 0;

		for (size_t i = 0; i < ARRAY_SIZE(kats); i++)
			for (int owned = 0; owned <= 1; owned++) {
				caught += check_kat(&kats[i], owned, m) != 0;
				calls++;
			}
		ksft_test_result(caught == calls,
				 "endian-sensitive: the cipher with its %s fails %zu of %zu comparisons\n",
				 names[m], caught, calls);
	}
}

/*
 * n blocks from block s of run r, through one entry, into dst + off; 0 if
 * the output, the bytes around it and the counter are right.
 */
static int check_run(const struct kat_run *r, size_t s, size_t n, size_t off, bool owned)
{
	static u8 buf[RUN * 64 + 64];
	u32 key[8], counter[2];

	memcpy(key, r->key, sizeof(key));
	memset(buf, FILL, sizeof(buf));
	set_counter(counter, r->counter + s);
	if (!blocks(owned, buf + off, key, counter, n))
		return 1;
	if (memcmp(buf + off, r->stream + s * 64, n * 64))
		return 2;
	if (!untouched(buf, off) || !untouched(buf + off + n * 64, sizeof(buf) - off - n * 64))
		return 3;
	return get_counter(counter) != r->counter + s + n ? 4 : 0;
}

/*
 * Every length from every starting block: every size of the last group,
 * and the carry out of the low counter word in every element of a group.
 */
static void test_lengths(void)
{
	int fails = 0, calls = 0;

	for (size_t i = 0; i < ARRAY_SIZE(kat_runs); i++)
		for (size_t s = 0; s < RUN; s++)
			for (size_t n = 1; s + n <= RUN; n++) {
				fails += !!check_run(&kat_runs[i], s, n, 0, n & 1);
				calls++;
			}
	ksft_test_result(!fails,
			 "every length 1..%d from every block of %zu runs (across 2^32 and 2^64): %d of %d calls wrong\n",
			 RUN, ARRAY_SIZE(kat_runs), fails, calls);
}

static void test_unaligned(void)
{
	int fails = 0;

	for (size_t off = 1; off < 64; off++)
		for (size_t n = 1; n <= 9; n++)
			fails += !!check_run(&kat_runs[off % ARRAY_SIZE(kat_runs)], off % 20, n,
					     off, off & 1);
	ksft_test_result(!fails, "destinations at offsets 1..63 of a line: %d wrong\n", fails);
}

/* Calls of 1, 2, 3, ... blocks, each from the counter the last one left. */
static void test_continued(void)
{
	static u8 buf[RUN * 64];
	int fails = 0;

	for (size_t i = 0; i < ARRAY_SIZE(kat_runs); i++) {
		const struct kat_run *r = &kat_runs[i];
		u32 key[8], counter[2];
		size_t done = 0;

		memcpy(key, r->key, sizeof(key));
		memset(buf, FILL, sizeof(buf));
		set_counter(counter, r->counter);
		for (size_t n = 1 + i % 3; done < RUN; n++) {
			if (n > RUN - done)
				n = RUN - done;
			blocks(n & 1, buf + done * 64, key, counter, n);
			done += n;
		}
		fails += !!memcmp(buf, r->stream, sizeof(buf));
		fails += get_counter(counter) != r->counter + RUN;
	}
	ksft_test_result(!fails, "successive calls continue the stream: %d wrong\n", fails);
}

static void test_not_owned(void)
{
	static u8 dst[MAX_BLOCKS * 64];
	unsigned long owner = 7;
	u32 key[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, counter[2];
	int fails = 0;

	for (size_t n = 1; n <= MAX_BLOCKS; n++) {
		memset(dst, FILL, sizeof(dst));
		set_counter(counter, 0xfffffffe);
		fails += __arch_chacha20_blocks_owned(dst, key, counter, n, &owner, 8);
		fails += !untouched(dst, sizeof(dst));
		fails += get_counter(counter) != 0xfffffffe;
	}
	ksft_test_result(!fails,
			 "owned: a token that does not match stores nothing, not even the counter (%d)\n",
			 fails);
}

/*
 * The owner word inside block k of the destination: storing that block
 * overwrites the token (with output that is not the token), so the check
 * before the next block must fail. Blocks 0..k are then stored and right,
 * nothing after them is stored, and the counter is not written back (the
 * header leaves it unspecified; this implementation never writes after a
 * failed check).
 */
static void test_taken_over(void)
{
	static u8 dst[(RUN + 1) * 64] __attribute__((aligned(64)));
	const struct kat_run *r = &kat_runs[1];
	int fails = 0, calls = 0;
	u32 key[8], counter[2];

	memcpy(key, r->key, sizeof(key));
	for (size_t n = 1; n <= 20; n++)
		for (size_t k = 0; k < n; k++) {
			unsigned long *owner = (unsigned long *)(dst + k * 64 + k % 8 * 8);
			size_t stored = (k + 1) * 64;
			bool ret;

			memset(dst, FILL, sizeof(dst));
			*owner = TOKEN;
			set_counter(counter, r->counter);
			ret = __arch_chacha20_blocks_owned(dst, key, counter, n, owner, TOKEN);
			fails += ret != (k == n - 1);
			fails += !!memcmp(dst, r->stream, stored);
			fails += !untouched(dst + stored, sizeof(dst) - stored);
			fails += get_counter(counter) != r->counter + (ret ? n : 0);
			calls++;
		}
	ksft_test_result(!fails,
			 "owned: a token lost after any block stops the stores right there (%d of %d calls wrong)\n",
			 fails, calls);
}

/*
 * The key in the first bytes of the destination, which the first block
 * overwrites: every later group must still use the key as it was read.
 * (The header forbids this overlap to callers; it is the test's probe.)
 */
static void test_key_once(void)
{
	static u8 dst[RUN * 64 + 64] __attribute__((aligned(64)));
	int fails = 0;

	for (size_t n = 1; n <= RUN; n++) {
		const struct kat_run *r = &kat_runs[n % ARRAY_SIZE(kat_runs)];
		u32 counter[2];

		memset(dst, FILL, sizeof(dst));
		memcpy(dst, r->key, sizeof(r->key));
		set_counter(counter, r->counter);
		blocks(n & 1, dst, (const u32 *)dst, counter, n);
		fails += !!memcmp(dst, r->stream, n * 64);
	}
	ksft_test_result(!fails, "the key is read once, before any store (%d wrong)\n", fails);
}

/*
 * vgr_call_on_stack(args) saves what it must of its caller's registers,
 * loads every vector register and r7-r11 from args->in, makes the call
 * described by args with r15 at args->stack_top (the sixth argument, the
 * token, is read from 160(%r15) there: the test puts it in place), and
 * right after it stores every general and vector register. basr leaves
 * the return address in r14, and the call itself writes nothing to the
 * stack. r12 holds args and r13 the trampoline's frame across the call.
 */
struct regs {
	u8 vr[32][16];			/*   0 */
};
struct call {
	u8 *dst;			/*   0 */
	const u32 *key;			/*   8 */
	u32 *counter;			/*  16 */
	size_t nblocks;			/*  24 */
	const unsigned long *owner;	/*  32 */
	unsigned long token;		/*  40 */
	void *stack_top;		/*  48 */
	void *fn;			/*  56 */
	const struct regs *in;		/*  64 */
	struct regs *out;		/*  72 */
	unsigned long gpr_in[16];	/*  80: r7-r11 used */
	unsigned long gpr_out[16];	/* 208 */
};
void vgr_call_on_stack(struct call *args);

asm(".text\n"
	".globl vgr_call_on_stack\n"
	".type vgr_call_on_stack, @function\n"
	"vgr_call_on_stack:\n"
	"	stmg %r6, %r15, 48(%r15)\n"
	"	lgr %r1, %r15\n"
	"	aghi %r15, -224\n"
	"	stg %r1, 0(%r15)\n"
	"	.irp x, 8,9,10,11,12,13,14,15\n"
	"	std %f\\x, 160 + 8 * (\\x - 8)(%r15)\n"
	"	.endr\n"
	"	lgr %r12, %r2\n"
	"	lgr %r13, %r15\n"
	"	lg %r1, 64(%r12)\n"
	"	vlm %v0, %v15, 0(%r1)\n"
	"	vlm %v16, %v31, 256(%r1)\n"
	"	lmg %r7, %r11, 80 + 8 * 7(%r12)\n"
	"	lg %r2, 0(%r12)\n"
	"	lg %r3, 8(%r12)\n"
	"	lg %r4, 16(%r12)\n"
	"	lg %r5, 24(%r12)\n"
	"	lg %r6, 32(%r12)\n"
	"	lg %r1, 56(%r12)\n"
	"	lg %r15, 48(%r12)\n"
	"	basr %r14, %r1\n"
	"	stmg %r0, %r15, 208(%r12)\n"
	"	lg %r1, 72(%r12)\n"
	"	vstm %v0, %v15, 0(%r1)\n"
	"	vstm %v16, %v31, 256(%r1)\n"
	"	lgr %r15, %r13\n"
	"	.irp x, 8,9,10,11,12,13,14,15\n"
	"	ld %f\\x, 160 + 8 * (\\x - 8)(%r15)\n"
	"	.endr\n"
	"	aghi %r15, 224\n"
	"	lmg %r6, %r15, 48(%r15)\n"
	"	br %r14\n"
	".size vgr_call_on_stack, . - vgr_call_on_stack\n");

/* v8-v15: the ABI's call-saved f8-f15 are their leftmost halves. */
static bool is_untouchable_vr(int n)
{
	return n >= 8 && n < 16;
}

/* Does a 32-bit half of r0-r5 after the call hold a key word, either way round? */
static int key_in_gprs(const struct call *c, const u32 *key)
{
	int found = 0;

	for (int g = 0; g <= 5; g++)
		for (int w = 0; w < 8; w++)
			for (int half = 0; half < 64; half += 32) {
				u32 v = c->gpr_out[g] >> half;

				found += v == key[w] || v == __builtin_bswap32(key[w]);
			}
	return found;
}

static void test_nostack(void)
{
	static u8 dst[MAX_BLOCKS * 64];
	static struct regs in, out;
	int bad_stack = 0, bad_vol = 0, bad_saved = 0, bad_ret = 0, bad_gpr = 0;
	unsigned long owner = 5;
	u8 *stack, *copy;
	u32 key[8], counter[2];

	stack = aligned_alloc(64, STACK_SIZE);
	copy = malloc(STACK_SIZE);
	if (!stack || !copy)
		ksft_exit_fail_msg("out of memory\n");
	for (size_t i = 0; i < 3 * MAX_BLOCKS; i++) {
		struct call c = {
			.dst = dst, .key = key, .counter = counter, .nblocks = i % MAX_BLOCKS + 1,
			.owner = &owner, .token = i < 2 * MAX_BLOCKS ? 5 : 6,
			.stack_top = stack + STACK_SIZE - 512,
			.fn = i < MAX_BLOCKS ? (void *)__arch_chacha20_blocks_nostack :
					       (void *)__arch_chacha20_blocks_owned,
			.in = &in, .out = &out,
		};

		for (size_t j = 0; j < STACK_SIZE; j++)
			stack[j] = (u8)(j * 131 + i);
		/* The sixth argument, in the caller's parameter area. */
		memcpy((u8 *)c.stack_top + 160, &c.token, sizeof(c.token));
		for (size_t j = 0; j < sizeof(in); j++)
			((u8 *)&in)[j] = (u8)(j * 29 + i + 1) | 1;
		for (int r = 7; r <= 11; r++)
			c.gpr_in[r] = 0x0101010101010101UL * (r + i);
		memset(&out, 0, sizeof(out));
		memcpy(key, kats[i % ARRAY_SIZE(kats)].key, sizeof(key));
		memcpy(copy, stack, STACK_SIZE);
		set_counter(counter, 0xfffffffe);
		vgr_call_on_stack(&c);
		if (i >= MAX_BLOCKS)
			bad_ret += (c.gpr_out[2] & 1) != (i < 2 * MAX_BLOCKS);
		bad_stack += !!memcmp(stack, copy, STACK_SIZE);
		for (int r = 0; r < 32; r++) {
			if (is_untouchable_vr(r))
				bad_saved += !!memcmp(out.vr[r], in.vr[r], 16);
			else
				for (int b = 0; b < 16; b++)
					bad_vol += out.vr[r][b] != 0;
		}
		bad_saved += c.gpr_out[6] != (unsigned long)c.owner;
		for (int r = 7; r <= 11; r++)
			bad_saved += c.gpr_out[r] != c.gpr_in[r];
		bad_saved += c.gpr_out[12] != (unsigned long)&c;
		bad_saved += c.gpr_out[15] != (unsigned long)c.stack_top;
		bad_gpr += key_in_gprs(&c, key);
	}
	ksft_test_result(!bad_stack,
			 "writes nothing to the stack, below r15 or above (%d calls did)\n",
			 bad_stack);
	ksft_test_result(!bad_vol && !bad_gpr && !bad_ret,
			 "leaves v0-v7 and v16-v31 zeroed (%d nonzero bytes), no key word in r0-r5 (%d), right results (%d)\n",
			 bad_vol, bad_gpr, bad_ret);
	ksft_test_result(!bad_saved,
			 "leaves v8-v15 (f8-f15 and the rest of them), r6-r12 and r15 alone (%d changed)\n",
			 bad_saved);
	free(stack);
	free(copy);
}

int main(void)
{
	ksft_print_header();
	ksft_set_plan(14);
	test_kats(false);
	test_kats(true);
	test_endian_sensitive();
	test_lengths();
	test_unaligned();
	test_continued();
	test_not_owned();
	test_taken_over();
	test_key_once();
	test_nostack();
	ksft_finished();
}
