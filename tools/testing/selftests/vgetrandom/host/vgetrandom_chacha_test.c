// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of __arch_chacha20_blocks_nostack(): output equal to
 * libsodium's crypto_stream_chacha20 (original ChaCha20, 64-bit nonce of
 * zero) at the same counter, the counter advanced by exactly nblocks, no
 * write to the stack and no key-derived data left in vector registers.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "../../kselftest.h"

typedef uint8_t u8;
typedef uint32_t u32;

typedef void (*chacha_fn)(u8 *dst_bytes, const u32 *key, u32 *counter, size_t nblocks);

/* arch/x86/entry/vdso/vgetrandom-chacha.S built for each path (see Makefile) */
void vgr_chacha20_sse2(u8 *dst_bytes, const u32 *key, u32 *counter, size_t nblocks);
void vgr_chacha20_avx2(u8 *dst_bytes, const u32 *key, u32 *counter, size_t nblocks);

static chacha_fn chacha;
static const char *chacha_name;
static bool use_ymm;

#define MAX_BLOCKS	1100
#define STACK_SIZE	(64 * 1024)

/*
 * vgr_call_on_stack(dst, key, counter, nblocks, stack_top, fn) calls fn
 * with %rsp set to stack_top, then saves %xmm0-15 into vgr_xmm before
 * anything else can touch them. vgr_call_on_stack_ymm() does the same
 * with %ymm0-15 into vgr_ymm.
 */
unsigned char vgr_xmm[16][16];
unsigned char vgr_ymm[16][32];
void vgr_call_on_stack(u8 *dst, const u32 *key, u32 *counter, size_t nblocks,
		       void *stack_top, chacha_fn fn);
void vgr_call_on_stack_ymm(u8 *dst, const u32 *key, u32 *counter, size_t nblocks,
			   void *stack_top, chacha_fn fn);
asm(".text\n"
    ".globl vgr_call_on_stack_ymm\n"
    ".type vgr_call_on_stack_ymm, @function\n"
    "vgr_call_on_stack_ymm:\n"
    "	push %rbx\n"
    "	mov %rsp, %rbx\n"
    "	mov %r8, %rsp\n"
    "	call *%r9\n"
    "	mov %rbx, %rsp\n"
    "	vmovdqu %ymm0, vgr_ymm + 0(%rip)\n"
    "	vmovdqu %ymm1, vgr_ymm + 32(%rip)\n"
    "	vmovdqu %ymm2, vgr_ymm + 64(%rip)\n"
    "	vmovdqu %ymm3, vgr_ymm + 96(%rip)\n"
    "	vmovdqu %ymm4, vgr_ymm + 128(%rip)\n"
    "	vmovdqu %ymm5, vgr_ymm + 160(%rip)\n"
    "	vmovdqu %ymm6, vgr_ymm + 192(%rip)\n"
    "	vmovdqu %ymm7, vgr_ymm + 224(%rip)\n"
    "	vmovdqu %ymm8, vgr_ymm + 256(%rip)\n"
    "	vmovdqu %ymm9, vgr_ymm + 288(%rip)\n"
    "	vmovdqu %ymm10, vgr_ymm + 320(%rip)\n"
    "	vmovdqu %ymm11, vgr_ymm + 352(%rip)\n"
    "	vmovdqu %ymm12, vgr_ymm + 384(%rip)\n"
    "	vmovdqu %ymm13, vgr_ymm + 416(%rip)\n"
    "	vmovdqu %ymm14, vgr_ymm + 448(%rip)\n"
    "	vmovdqu %ymm15, vgr_ymm + 480(%rip)\n"
    "	pop %rbx\n"
    "	ret\n"
    ".size vgr_call_on_stack_ymm, . - vgr_call_on_stack_ymm\n");
asm(".text\n"
    ".globl vgr_call_on_stack\n"
    ".type vgr_call_on_stack, @function\n"
    "vgr_call_on_stack:\n"
    "	push %rbx\n"
    "	mov %rsp, %rbx\n"
    "	mov %r8, %rsp\n"
    "	call *%r9\n"
    "	mov %rbx, %rsp\n"
    "	movdqu %xmm0, vgr_xmm + 0(%rip)\n"
    "	movdqu %xmm1, vgr_xmm + 16(%rip)\n"
    "	movdqu %xmm2, vgr_xmm + 32(%rip)\n"
    "	movdqu %xmm3, vgr_xmm + 48(%rip)\n"
    "	movdqu %xmm4, vgr_xmm + 64(%rip)\n"
    "	movdqu %xmm5, vgr_xmm + 80(%rip)\n"
    "	movdqu %xmm6, vgr_xmm + 96(%rip)\n"
    "	movdqu %xmm7, vgr_xmm + 112(%rip)\n"
    "	movdqu %xmm8, vgr_xmm + 128(%rip)\n"
    "	movdqu %xmm9, vgr_xmm + 144(%rip)\n"
    "	movdqu %xmm10, vgr_xmm + 160(%rip)\n"
    "	movdqu %xmm11, vgr_xmm + 176(%rip)\n"
    "	movdqu %xmm12, vgr_xmm + 192(%rip)\n"
    "	movdqu %xmm13, vgr_xmm + 208(%rip)\n"
    "	movdqu %xmm14, vgr_xmm + 224(%rip)\n"
    "	movdqu %xmm15, vgr_xmm + 240(%rip)\n"
    "	pop %rbx\n"
    "	ret\n"
    ".size vgr_call_on_stack, . - vgr_call_on_stack\n");

static uint64_t get_counter(const u32 *c)
{
	return c[0] | (uint64_t)c[1] << 32;
}

static void set_counter(u32 *c, uint64_t v)
{
	c[0] = (u32)v;
	c[1] = v >> 32;
}

static void reference(u8 *out, const u32 *key, uint64_t counter, size_t nblocks)
{
	static const unsigned char nonce[crypto_stream_chacha20_NONCEBYTES];
	unsigned char k[crypto_stream_chacha20_KEYBYTES];
	size_t len = nblocks * 64;

	memcpy(k, key, sizeof(k));	/* key words are little-endian */
	memset(out, 0, len);
	crypto_stream_chacha20_xor_ic(out, out, len, nonce, counter, k);
}

/* Compare nblocks at counter; returns 0 on match. Uses a guard after dst. */
static int check_one(const u32 *key, uint64_t start, size_t nblocks)
{
	static u8 got[MAX_BLOCKS * 64 + 64], want[MAX_BLOCKS * 64];
	u32 counter[2];
	size_t len = nblocks * 64;

	memset(got, 0xa5, sizeof(got));
	set_counter(counter, start);
	chacha(got, key, counter, nblocks);
	reference(want, key, start, nblocks);
	if (memcmp(got, want, len)) {
		ksft_print_msg("output mismatch: counter %#llx nblocks %zu\n",
			       (unsigned long long)start, nblocks);
		return -1;
	}
	for (size_t i = len; i < len + 64; i++) {
		if (got[i] != 0xa5) {
			ksft_print_msg("wrote past %zu blocks\n", nblocks);
			return -1;
		}
	}
	if (get_counter(counter) != start + nblocks) {
		ksft_print_msg("counter %#llx + %zu gave %#llx\n",
			       (unsigned long long)start, nblocks,
			       (unsigned long long)get_counter(counter));
		return -1;
	}
	return 0;
}

static const uint64_t starts[] = {
	0, 1, 2, 3, 0xfffffffc, 0xfffffffd, 0xfffffffe, 0xffffffff,
	0x1ffffffffULL, 0xfffffffffffffffcULL, 0xfffffffffffffffeULL,
	0xffffffffffffffffULL, 0x123456789abcdefULL,
};

static void test_vs_libsodium(void)
{
	static const size_t large[] = { 31, 32, 33, 64, 255, 256, 257, 1023, MAX_BLOCKS };
	int fails = 0;
	u32 key[8];

	for (int k = 0; k < 64; k++) {
		randombytes_buf(key, sizeof(key));
		for (size_t s = 0; s < sizeof(starts) / sizeof(starts[0]); s++) {
			for (size_t n = 1; n <= 17; n++)
				fails += !!check_one(key, starts[s], n);
			if (k < 8)
				for (size_t n = 0; n < sizeof(large) / sizeof(large[0]); n++)
					fails += !!check_one(key, starts[s], large[n]);
		}
		fails += !!check_one(key, randombytes_random() |
				     (uint64_t)randombytes_random() << 32, 1 + k % 9);
	}
	ksft_test_result(!fails, "%s: equals libsodium crypto_stream_chacha20 (%d mismatches)\n",
			 chacha_name, fails);
}

static void test_counter_zero_blocks(void)
{
	u32 key[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, counter[2] = { 0xffffffff, 7 };
	u8 dst[64];

	memset(dst, 0x5a, sizeof(dst));
	chacha(dst, key, counter, 0);
	ksft_test_result(counter[0] == 0xffffffff && counter[1] == 7 && dst[0] == 0x5a &&
			 dst[63] == 0x5a, "%s: nblocks 0 writes nothing and keeps the counter\n",
			 chacha_name);
}

static void test_nostack(void)
{
	static u8 dst[17 * 64];
	u8 *stack, *copy, *top;
	int bad_stack = 0, bad_regs = 0;
	u32 key[8], counter[2];

	stack = aligned_alloc(64, STACK_SIZE);
	copy = malloc(STACK_SIZE);
	if (!stack || !copy)
		ksft_exit_fail_msg("out of memory\n");
	for (size_t n = 1; n <= 17; n++) {
		randombytes_buf(key, sizeof(key));
		randombytes_buf(stack, STACK_SIZE);
		memcpy(copy, stack, STACK_SIZE);
		set_counter(counter, 0xfffffffe);
		/* The call pushes the return address just below top. */
		top = stack + STACK_SIZE - 256;
		if (use_ymm)
			vgr_call_on_stack_ymm(dst, key, counter, n, top, chacha);
		else
			vgr_call_on_stack(dst, key, counter, n, top, chacha);
		if (memcmp(stack, copy, top - 8 - stack) ||
		    memcmp(top, copy + (top - stack), stack + STACK_SIZE - top))
			bad_stack++;
		for (int r = 0; r < 16; r++)
			for (int i = 0; i < (use_ymm ? 32 : 16); i++)
				bad_regs += (use_ymm ? vgr_ymm[r][i] : vgr_xmm[r][i]) != 0;
	}
	ksft_test_result(!bad_stack, "%s: writes nothing to the stack\n", chacha_name);
	ksft_test_result(!bad_regs, "%s: leaves %s0-15 zeroed (%d nonzero bytes)\n",
			 chacha_name, use_ymm ? "ymm" : "xmm", bad_regs);
	free(stack);
	free(copy);
}

int main(void)
{
	if (sodium_init() < 0)
		ksft_exit_fail_msg("sodium_init failed\n");
	ksft_print_header();
	ksft_set_plan(8);

	chacha = vgr_chacha20_sse2;
	chacha_name = "sse2";
	use_ymm = false;
	test_vs_libsodium();
	test_counter_zero_blocks();
	test_nostack();

	if (!__builtin_cpu_supports("avx2")) {
		for (int i = 0; i < 4; i++)
			ksft_test_result_skip("avx2: CPU lacks AVX2\n");
		ksft_finished();
	}
	chacha = vgr_chacha20_avx2;
	chacha_name = "avx2";
	use_ymm = true;
	test_vs_libsodium();
	test_counter_zero_blocks();
	test_nostack();
	ksft_finished();
}
