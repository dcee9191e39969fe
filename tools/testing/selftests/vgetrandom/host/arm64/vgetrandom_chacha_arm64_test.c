// SPDX-License-Identifier: GPL-2.0
/*
 * Test of the arm64 vDSO ChaCha20 (arch/arm64/kernel/vdso/vgetrandom-chacha.S)
 * built into a static arm64 program: run on the x86 host under qemu-aarch64
 * and in the arm64 guest. Checked against libsodium's output, carried in
 * as known-answer vectors generated on the host (vgetrandom_chacha_kat.c),
 * with the counter carry at 2^32 and the wrap at 2^64; both entries (the
 * mainline prototype and the owner-checked one); nothing written to the
 * stack; the vector registers it used cleared; a token that does not
 * match stores nothing.
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
#define STACK_SIZE	(64 * 1024)

static uint64_t get_counter(const u32 *c)
{
	return c[0] | (uint64_t)c[1] << 32;
}

static void set_counter(u32 *c, uint64_t v)
{
	c[0] = (u32)v;
	c[1] = v >> 32;
}

/* One vector, through one entry; 0 if right. */
static int check_kat(const struct kat *k, bool owned)
{
	static u8 got[MAX_BLOCKS * 64 + 64];
	unsigned long owner = 42;
	size_t len = k->nblocks * 64;
	u32 key[8], counter[2];

	memcpy(key, k->key, sizeof(key));
	memset(got, 0xa5, sizeof(got));
	set_counter(counter, k->counter);
	if (owned) {
		if (!__arch_chacha20_blocks_owned(got, key, counter, k->nblocks,
						  &owner, 42))
			return 1;
	} else {
		__arch_chacha20_blocks_nostack(got, key, counter, k->nblocks);
	}
	if (memcmp(got, kat_stream + k->offset, len))
		return 2;
	for (size_t i = len; i < sizeof(got); i++)
		if (got[i] != 0xa5)
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

static void test_not_owned(void)
{
	static u8 dst[MAX_BLOCKS * 64];
	unsigned long owner = 7;
	u32 key[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, counter[2];
	int fails = 0;

	for (size_t n = 1; n <= MAX_BLOCKS; n++) {
		memset(dst, 0xa5, sizeof(dst));
		set_counter(counter, 0);
		fails += __arch_chacha20_blocks_owned(dst, key, counter, n, &owner, 8);
		for (size_t i = 0; i < sizeof(dst); i++)
			fails += dst[i] != 0xa5;
	}
	ksft_test_result(!fails, "owned: a token that does not match stores nothing (%d)\n",
			 fails);
}

/*
 * vgr_call_on_stack(args) makes the call described by args with sp at
 * args->stack_top, then saves v0-v7 and v16-v31 (the registers the cipher
 * may use) before anything else can touch them. bl leaves the return
 * address in x30, so the call itself writes nothing to the stack.
 */
struct call {
	u8 *dst;
	const u32 *key;
	u32 *counter;
	size_t nblocks;
	const unsigned long *owner;
	unsigned long token;
	void *stack_top;
	void *fn;
	long ret;
};
unsigned char vgr_vregs[24][16];
void vgr_call_on_stack(struct call *args);
asm(".text\n"
	".globl vgr_call_on_stack\n"
	".type vgr_call_on_stack, %function\n"
	"vgr_call_on_stack:\n"
	"	stp x29, x30, [sp, #-32]!\n"
	"	stp x19, x20, [sp, #16]\n"
	"	mov x19, x0\n"
	"	mov x20, sp\n"
	"	ldp x0, x1, [x19]\n"
	"	ldp x2, x3, [x19, #16]\n"
	"	ldp x4, x5, [x19, #32]\n"
	"	ldp x9, x10, [x19, #48]\n"
	"	mov sp, x9\n"
	"	blr x10\n"
	"	mov sp, x20\n"
	"	str x0, [x19, #64]\n"
	"	adrp x9, vgr_vregs\n"
	"	add x9, x9, :lo12:vgr_vregs\n"
	"	st1 {v0.16b-v3.16b}, [x9], #64\n"
	"	st1 {v4.16b-v7.16b}, [x9], #64\n"
	"	st1 {v16.16b-v19.16b}, [x9], #64\n"
	"	st1 {v20.16b-v23.16b}, [x9], #64\n"
	"	st1 {v24.16b-v27.16b}, [x9], #64\n"
	"	st1 {v28.16b-v31.16b}, [x9], #64\n"
	"	ldp x19, x20, [sp, #16]\n"
	"	ldp x29, x30, [sp], #32\n"
	"	ret\n"
	".size vgr_call_on_stack, . - vgr_call_on_stack\n");

static void test_nostack(void)
{
	static u8 dst[MAX_BLOCKS * 64];
	int bad_stack = 0, bad_regs = 0, bad_ret = 0;
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
		};

		for (size_t j = 0; j < STACK_SIZE; j++)
			stack[j] = (u8)(j * 131 + i);
		memcpy(key, kats[i % ARRAY_SIZE(kats)].key, sizeof(key));
		memcpy(copy, stack, STACK_SIZE);
		set_counter(counter, 0xfffffffe);
		vgr_call_on_stack(&c);
		if (i >= MAX_BLOCKS)
			bad_ret += (c.ret & 1) != (i < 2 * MAX_BLOCKS);
		bad_stack += !!memcmp(stack, copy, STACK_SIZE);
		for (int r = 0; r < 24; r++)
			for (int b = 0; b < 16; b++)
				bad_regs += vgr_vregs[r][b] != 0;
	}
	ksft_test_result(!bad_stack, "writes nothing to the stack (%d calls did)\n", bad_stack);
	ksft_test_result(!bad_regs && !bad_ret,
			 "leaves v0-v7 and v16-v31 zeroed (%d nonzero bytes), right results (%d)\n",
			 bad_regs, bad_ret);
	free(stack);
	free(copy);
}

int main(void)
{
	ksft_print_header();
	ksft_set_plan(5);
	test_kats(false);
	test_kats(true);
	test_not_owned();
	test_nostack();
	ksft_finished();
}
