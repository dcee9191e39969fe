// SPDX-License-Identifier: GPL-2.0
/*
 * Test of the powerpc64le vDSO ChaCha20
 * (arch/powerpc/kernel/vdso/vgetrandom-chacha.S) built into a static
 * POWER8 program and run on the x86 host under qemu-ppc64le. Checked
 * against libsodium's output, carried in as known-answer vectors generated
 * on the host (vgetrandom_chacha_kat.c): every length and starting block
 * of longer runs, so every tail and every lane of the counter carry at 2^32
 * (and the wrap at 2^64); unaligned destinations; both entries (the
 * mainline prototype and the owner-checked one); a token that does not
 * match, at the start or after any block; the key read only once; nothing
 * written to the stack; every volatile vector register cleared and every
 * non-volatile register left alone.
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

static bool untouched(const u8 *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != FILL)
			return false;
	return true;
}

/* One vector, through one entry; 0 if right. */
static int check_kat(const struct kat *k, bool owned)
{
	static u8 got[MAX_BLOCKS * 64 + 64];
	size_t len = k->nblocks * 64;
	u32 key[8], counter[2];

	memcpy(key, k->key, sizeof(key));
	memset(got, FILL, sizeof(got));
	set_counter(counter, k->counter);
	if (!blocks(owned, got, key, counter, k->nblocks))
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
		fails += !!check_kat(&kats[i], owned);
		carries += (u32)kats[i].counter > (u32)(kats[i].counter + kats[i].nblocks);
	}
	ksft_test_result(!fails && carries,
			 "%s: %zu libsodium vectors (%d across a 32-bit carry): %d wrong\n",
			 owned ? "owned" : "nostack", ARRAY_SIZE(kats), carries, fails);
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
 * and the carry out of the low counter word in every lane of a group.
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
 * loads every VSX register and r14-r29 from args->in, makes the call
 * described by args with r1 at args->stack_top, and right after it stores
 * every GPR and VSX register to args->out. bctrl leaves the return address
 * in the link register, and the call itself writes nothing to the stack.
 */
struct regs {
	u8 vsr[64][16];
	unsigned long gpr[32];
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
	long ret;			/*  64 */
	const struct regs *in;		/*  72 */
	struct regs *out;		/*  80 */
	unsigned long r2, r13;		/*  88, 96: before the call */
};
void vgr_call_on_stack(struct call *args);

#define VGR_NONVOLATILE_VSR "14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31," \
			    "52,53,54,55,56,57,58,59,60,61,62,63"
asm(".text\n"
	".globl vgr_call_on_stack\n"
	".type vgr_call_on_stack, @function\n"
	"vgr_call_on_stack:\n"
	"	mflr 0\n"
	"	std 0, 16(1)\n"
	/* 32 bytes of header, r14-r31, then the non-volatile VSX registers. */
	"	stdu 1, -656(1)\n"
	"	.irp x, 14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
	"	std \\x, 32 + 8 * (\\x - 14)(1)\n"
	"	.endr\n"
	"	addi 9, 1, 176\n"
	"	.irp x, " VGR_NONVOLATILE_VSR "\n"
	"	stxvd2x \\x, 0, 9\n"
	"	addi 9, 9, 16\n"
	"	.endr\n"
	"	mr 31, 3\n"
	"	mr 30, 1\n"
	"	std 2, 88(31)\n"
	"	std 13, 96(31)\n"
	"	ld 9, 72(31)\n"
	"	.irp x, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63\n"
	"	lxvd2x \\x, 0, 9\n"
	"	addi 9, 9, 16\n"
	"	.endr\n"
	"	.irp x, 14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29\n"
	"	ld \\x, 8 * \\x(9)\n"
	"	.endr\n"
	"	ld 3, 0(31)\n"
	"	ld 4, 8(31)\n"
	"	ld 5, 16(31)\n"
	"	ld 6, 24(31)\n"
	"	ld 7, 32(31)\n"
	"	ld 8, 40(31)\n"
	"	ld 12, 56(31)\n"
	"	mtctr 12\n"
	"	ld 1, 48(31)\n"
	"	bctrl\n"
	"	std 3, 64(31)\n"
	"	ld 3, 80(31)\n"
	"	.irp x, 0,1,2,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
	"	std \\x, 1024 + 8 * \\x(3)\n"
	"	.endr\n"
	"	.irp x, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63\n"
	"	stxvd2x \\x, 0, 3\n"
	"	addi 3, 3, 16\n"
	"	.endr\n"
	"	mr 1, 30\n"
	"	addi 9, 1, 176\n"
	"	.irp x, " VGR_NONVOLATILE_VSR "\n"
	"	lxvd2x \\x, 0, 9\n"
	"	addi 9, 9, 16\n"
	"	.endr\n"
	"	.irp x, 14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
	"	ld \\x, 32 + 8 * (\\x - 14)(1)\n"
	"	.endr\n"
	"	addi 1, 1, 656\n"
	"	ld 0, 16(1)\n"
	"	mtlr 0\n"
	"	blr\n"
	".size vgr_call_on_stack, . - vgr_call_on_stack\n");

static bool is_nonvolatile_vsr(int n)
{
	return (n >= 14 && n < 32) || n >= 52;
}

/* Does a 32-bit half of a volatile GPR after the call hold a key word? */
static int key_in_gprs(const struct regs *out, const u32 *key)
{
	static const int volatile_gprs[] = { 0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	int found = 0;

	for (size_t g = 0; g < ARRAY_SIZE(volatile_gprs); g++)
		for (int w = 0; w < 8; w++)
			found += (u32)out->gpr[volatile_gprs[g]] == key[w] ||
				 (u32)(out->gpr[volatile_gprs[g]] >> 32) == key[w];
	return found;
}

static void test_nostack(void)
{
	static u8 dst[MAX_BLOCKS * 64];
	static struct regs in, out;
	int bad_stack = 0, bad_vol = 0, bad_nonvol = 0, bad_ret = 0, bad_gpr = 0;
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
			.stack_top = stack + STACK_SIZE - 256,
			.fn = i < MAX_BLOCKS ? (void *)__arch_chacha20_blocks_nostack :
					       (void *)__arch_chacha20_blocks_owned,
			.in = &in, .out = &out,
		};

		for (size_t j = 0; j < STACK_SIZE; j++)
			stack[j] = (u8)(j * 131 + i);
		for (size_t j = 0; j < sizeof(in); j++)
			((u8 *)&in)[j] = (u8)(j * 29 + i + 1) | 1;
		memset(&out, 0, sizeof(out));
		memcpy(key, kats[i % ARRAY_SIZE(kats)].key, sizeof(key));
		memcpy(copy, stack, STACK_SIZE);
		set_counter(counter, 0xfffffffe);
		vgr_call_on_stack(&c);
		if (i >= MAX_BLOCKS)
			bad_ret += (c.ret & 1) != (i < 2 * MAX_BLOCKS);
		bad_stack += !!memcmp(stack, copy, STACK_SIZE);
		for (int r = 0; r < 64; r++) {
			if (is_nonvolatile_vsr(r))
				bad_nonvol += !!memcmp(out.vsr[r], in.vsr[r], 16);
			else
				for (int b = 0; b < 16; b++)
					bad_vol += out.vsr[r][b] != 0;
		}
		for (int r = 14; r < 30; r++)
			bad_nonvol += out.gpr[r] != in.gpr[r];
		bad_nonvol += out.gpr[1] != (unsigned long)c.stack_top;
		bad_nonvol += out.gpr[2] != c.r2 || out.gpr[13] != c.r13;
		bad_gpr += key_in_gprs(&out, key);
	}
	ksft_test_result(!bad_stack,
			 "writes nothing to the stack, below r1 or above (%d calls did)\n",
			 bad_stack);
	ksft_test_result(!bad_vol && !bad_gpr && !bad_ret,
			 "leaves vs0-vs13 and v0-v19 zeroed (%d nonzero bytes), no key word in r0 or r3-r12 (%d), right results (%d)\n",
			 bad_vol, bad_gpr, bad_ret);
	ksft_test_result(!bad_nonvol,
			 "leaves f14-f31/vs14-vs31, v20-v31, r1, r2, r13 and r14-r29 alone (%d changed)\n",
			 bad_nonvol);
	free(stack);
	free(copy);
}

int main(void)
{
	ksft_print_header();
	ksft_set_plan(11);
	test_kats(false);
	test_kats(true);
	test_lengths();
	test_unaligned();
	test_continued();
	test_not_owned();
	test_taken_over();
	test_key_once();
	test_nostack();
	ksft_finished();
}
