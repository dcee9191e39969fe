// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of __arch_chacha20_blocks_nostack() and
 * __arch_chacha20_blocks_owned(): output equal to libsodium's
 * crypto_stream_chacha20 (original ChaCha20, 64-bit nonce of zero) at the
 * same counter, the counter advanced by exactly nblocks, no write to the
 * stack and no key-derived data left in vector registers; for the owned
 * entry also: the destination never holds anything but its old contents
 * or final output, writes into it do not change the output, and a lost
 * owner token stops the stores.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <sodium.h>

#include "../../kselftest.h"

typedef uint8_t u8;
typedef uint32_t u32;

typedef void (*chacha_fn)(u8 *dst_bytes, const u32 *key, u32 *counter, size_t nblocks);

/* arch/x86/entry/vdso/vgetrandom-chacha.S built for each path (see Makefile) */
void vgr_chacha20_sse2(u8 *dst_bytes, const u32 *key, u32 *counter, size_t nblocks);
void vgr_chacha20_avx2(u8 *dst_bytes, const u32 *key, u32 *counter, size_t nblocks);
void vgr_chacha20_avx512vl(u8 *dst_bytes, const u32 *key, u32 *counter, size_t nblocks);
void vgr_chacha20_avx512(u8 *dst_bytes, const u32 *key, u32 *counter, size_t nblocks);

typedef bool (*chacha_owned_fn)(u8 *dst_bytes, const u32 *key, u32 *counter, size_t nblocks,
				const unsigned long *owner, unsigned long token);
bool vgr_chacha20_owned_sse2(u8 *dst_bytes, const u32 *key, u32 *counter, size_t nblocks,
			     const unsigned long *owner, unsigned long token);
bool vgr_chacha20_owned_avx2(u8 *dst_bytes, const u32 *key, u32 *counter, size_t nblocks,
			     const unsigned long *owner, unsigned long token);
bool vgr_chacha20_owned_avx512vl(u8 *dst_bytes, const u32 *key, u32 *counter, size_t nblocks,
				 const unsigned long *owner, unsigned long token);
bool vgr_chacha20_owned_avx512(u8 *dst_bytes, const u32 *key, u32 *counter, size_t nblocks,
			       const unsigned long *owner, unsigned long token);

static chacha_fn chacha;
static chacha_owned_fn chacha_owned;
static const char *chacha_name;

/* The vector registers a path may use, as the trampolines below save them. */
enum regs { REGS_XMM, REGS_YMM, REGS_ZMM };
static enum regs regs;

#define MAX_BLOCKS	1100
#define STACK_SIZE	(64 * 1024)

/*
 * vgr_call_on_stack(dst, key, counter, nblocks, stack_top, fn) calls fn
 * with %rsp set to stack_top, then saves %xmm0-15 into vgr_xmm before
 * anything else can touch them. vgr_call_on_stack_ymm() does the same
 * with %ymm0-15 into vgr_ymm, vgr_call_on_stack_zmm() with all of
 * %zmm0-31 into vgr_zmm; it zeroes them before the call, since the C
 * library's string functions leave data in %zmm16-31 on such CPUs: what
 * is nonzero after the call came from the call.
 */
unsigned char vgr_xmm[16][16];
unsigned char vgr_ymm[16][32];
unsigned char vgr_zmm[32][64];
void vgr_call_on_stack(u8 *dst, const u32 *key, u32 *counter, size_t nblocks,
		       void *stack_top, chacha_fn fn);
void vgr_call_on_stack_ymm(u8 *dst, const u32 *key, u32 *counter, size_t nblocks,
			   void *stack_top, chacha_fn fn);
void vgr_call_on_stack_zmm(u8 *dst, const u32 *key, u32 *counter, size_t nblocks,
			   void *stack_top, chacha_fn fn);
asm(".text\n"
	".globl vgr_call_on_stack_zmm\n"
	".type vgr_call_on_stack_zmm, @function\n"
	"vgr_call_on_stack_zmm:\n"
	"	push %rbx\n"
	"	mov %rsp, %rbx\n"
	"	mov %r8, %rsp\n"
	"	.irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
	"	vpxord %zmm\\r, %zmm\\r, %zmm\\r\n"
	"	.endr\n"
	"	call *%r9\n"
	"	mov %rbx, %rsp\n"
	"	.irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
	"	vmovdqu64 %zmm\\r, vgr_zmm + 64 * \\r(%rip)\n"
	"	.endr\n"
	"	pop %rbx\n"
	"	ret\n"
	".size vgr_call_on_stack_zmm, . - vgr_call_on_stack_zmm\n");
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

/*
 * vgr_call_owned_on_stack(args) makes the six-argument call described by
 * args with %rsp at args->stack_top, then saves %xmm0-15, %ymm0-15 or
 * %zmm0-31 (args->regs; those zeroed before the call, as above) and the
 * return value before anything else can touch them.
 */
struct owned_call {
	u8 *dst;
	const u32 *key;
	u32 *counter;
	size_t nblocks;
	const unsigned long *owner;
	unsigned long token;
	void *stack_top;
	chacha_owned_fn fn;
	long regs;		/* enum regs */
};
int vgr_owned_ret;
void vgr_call_owned_on_stack(struct owned_call *args);
asm(".text\n"
	".globl vgr_call_owned_on_stack\n"
	".type vgr_call_owned_on_stack, @function\n"
	"vgr_call_owned_on_stack:\n"
	"	push %rbx\n"
	"	push %r12\n"
	"	push %r13\n"
	"	mov %rsp, %rbx\n"
	"	mov %rdi, %rax\n"
	"	mov 48(%rax), %r11\n"
	"	mov 56(%rax), %r12\n"
	"	mov 64(%rax), %r13\n"
	"	mov 0(%rax), %rdi\n"
	"	mov 8(%rax), %rsi\n"
	"	mov 16(%rax), %rdx\n"
	"	mov 24(%rax), %rcx\n"
	"	mov 32(%rax), %r8\n"
	"	mov 40(%rax), %r9\n"
	"	cmp $2, %r13\n"
	"	jne 4f\n"
	"	.irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
	"	vpxord %zmm\\r, %zmm\\r, %zmm\\r\n"
	"	.endr\n"
	"4:	mov %r11, %rsp\n"
	"	call *%r12\n"
	"	mov %rbx, %rsp\n"
	"	mov %eax, vgr_owned_ret(%rip)\n"
	"	cmp $2, %r13\n"
	"	je 3f\n"
	"	test %r13, %r13\n"
	"	jz 1f\n"
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
	"	jmp 2f\n"
	"1:	movdqu %xmm0, vgr_xmm + 0(%rip)\n"
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
	"	jmp 2f\n"
	"3:	.irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
	"	vmovdqu64 %zmm\\r, vgr_zmm + 64 * \\r(%rip)\n"
	"	.endr\n"
	"2:	pop %r13\n"
	"	pop %r12\n"
	"	pop %rbx\n"
	"	ret\n"
	".size vgr_call_owned_on_stack, . - vgr_call_owned_on_stack\n");

/* Nonzero bytes left in the registers the last trampoline saved. */
static int dirty_regs(void)
{
	int n = 0;

	for (int r = 0; r < 32; r++)
		for (int i = 0; i < 64; i++)
			switch (regs) {
			case REGS_XMM:
				n += r < 16 && i < 16 && vgr_xmm[r][i];
				break;
			case REGS_YMM:
				n += r < 16 && i < 32 && vgr_ymm[r][i];
				break;
			case REGS_ZMM:
				n += vgr_zmm[r][i] != 0;
				break;
			}
	return n;
}

static const char * const regs_name[] = {
	[REGS_XMM] = "xmm0-15", [REGS_YMM] = "ymm0-15", [REGS_ZMM] = "zmm0-31"
};

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
			/* Every mix of 16-, 8- and 4-block groups, whole and partial. */
			for (size_t n = 1; n <= 40; n++)
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
		if (regs == REGS_ZMM)
			vgr_call_on_stack_zmm(dst, key, counter, n, top, chacha);
		else if (regs == REGS_YMM)
			vgr_call_on_stack_ymm(dst, key, counter, n, top, chacha);
		else
			vgr_call_on_stack(dst, key, counter, n, top, chacha);
		if (memcmp(stack, copy, top - 8 - stack) ||
		    memcmp(top, copy + (top - stack), stack + STACK_SIZE - top))
			bad_stack++;
		bad_regs += dirty_regs();
	}
	ksft_test_result(!bad_stack, "%s: writes nothing to the stack\n", chacha_name);
	ksft_test_result(!bad_regs, "%s: leaves %s zeroed (%d nonzero bytes)\n",
			 chacha_name, regs_name[regs], bad_regs);
	free(stack);
	free(copy);
}


/* The owned entry: same output as libsodium, nothing past dst. */
static void test_owned_vs_libsodium(void)
{
	static u8 got[MAX_BLOCKS * 64 + 64], want[MAX_BLOCKS * 64];
	static const size_t ns[] = { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 255, MAX_BLOCKS };
	unsigned long owner = 0x1234;
	int fails = 0;
	u32 key[8], counter[2];

	for (int k = 0; k < 16; k++) {
		randombytes_buf(key, sizeof(key));
		for (size_t s = 0; s < sizeof(starts) / sizeof(starts[0]); s++) {
			for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
				size_t len = ns[i] * 64;
				bool ok;

				memset(got, 0xa5, sizeof(got));
				set_counter(counter, starts[s]);
				ok = chacha_owned(got, key, counter, ns[i], &owner, 0x1234);
				reference(want, key, starts[s], ns[i]);
				fails += !ok || memcmp(got, want, len) || got[len] != 0xa5 ||
					 got[len + 63] != 0xa5 ||
					 get_counter(counter) != starts[s] + ns[i];
			}
		}
	}
	ksft_test_result(!fails, "%s owned: equals libsodium (%d mismatches)\n",
			 chacha_name, fails);
}

/* A state someone else owns: false, and not one byte stored. */
static void test_owned_not_owned(void)
{
	static u8 dst[17 * 64];
	unsigned long owner = 0x1234;
	int fails = 0;
	u32 key[8], counter[2];

	for (size_t n = 1; n <= 17; n++) {
		randombytes_buf(key, sizeof(key));
		memset(dst, 0xa5, sizeof(dst));
		set_counter(counter, 5);
		fails += chacha_owned(dst, key, counter, n, &owner, 0x4321);
		for (size_t i = 0; i < sizeof(dst); i++)
			fails += dst[i] != 0xa5;
	}
	ksft_test_result(!fails, "%s owned: a token that does not match stores nothing (%d)\n",
			 chacha_name, fails);
}

static void test_owned_nostack(void)
{
	static u8 dst[17 * 64];
	int bad_stack = 0, bad_regs = 0, bad_ret = 0;
	unsigned long owner = 77;
	u8 *stack, *copy, *top;
	u32 key[8], counter[2];

	stack = aligned_alloc(64, STACK_SIZE);
	copy = malloc(STACK_SIZE);
	if (!stack || !copy)
		ksft_exit_fail_msg("out of memory\n");
	for (size_t n = 1; n <= 34; n++) {
		struct owned_call call = {
			.dst = dst, .key = key, .counter = counter, .nblocks = (n - 1) % 17 + 1,
			.owner = &owner, .token = n <= 17 ? 77 : 78,	/* then the failure path */
			.fn = chacha_owned, .regs = regs,
		};

		randombytes_buf(key, sizeof(key));
		randombytes_buf(stack, STACK_SIZE);
		top = stack + STACK_SIZE - 256;
		memcpy(copy, stack, STACK_SIZE);
		call.stack_top = top;		/* the return address goes below */
		set_counter(counter, 0xfffffffe);
		vgr_call_owned_on_stack(&call);
		bad_ret += vgr_owned_ret != (n <= 17);
		if (memcmp(stack, copy, top - 8 - stack) ||
		    memcmp(top, copy + (top - stack), stack + STACK_SIZE - top))
			bad_stack++;
		bad_regs += dirty_regs();
	}
	ksft_test_result(!bad_stack && !bad_regs && !bad_ret,
			 "%s owned: no stack write, %s zeroed, right result, also when not owned (%d %d %d)\n",
			 chacha_name, regs_name[regs], bad_stack, bad_regs, bad_ret);
	free(stack);
	free(copy);
}

/*
 * Others watching or writing the destination. A timer signal samples the
 * destination in the middle of calls: every 16-byte row must be what was
 * there before (zeroes) or its final output. A thread keeps writing into
 * the rows where a cipher would most like to park a word (rows 2-3 of each
 * group's first block): the other blocks must still come out right.
 */
#define WATCH_BLOCKS	64
static u8 watch_dst[WATCH_BLOCKS * 64], watch_want[WATCH_BLOCKS * 64];
static volatile sig_atomic_t watching;
static volatile unsigned long watch_samples, watch_bad;
static atomic_bool scribbling;

static void watch_signal(int sig)
{
	u8 snap[WATCH_BLOCKS * 64];

	(void)sig;
	if (!watching)
		return;
	memcpy(snap, watch_dst, sizeof(snap));
	watch_samples++;
	for (size_t r = 0; r < sizeof(snap); r += 16) {
		static const u8 zero[16];

		if (memcmp(snap + r, zero, 16) && memcmp(snap + r, watch_want + r, 16))
			watch_bad++;
	}
}

static void *scribbler(void *arg)
{
	size_t group = (size_t)arg;

	while (atomic_load(&scribbling))
		for (size_t b = 0; b < WATCH_BLOCKS; b += group)
			memset((u8 *)watch_dst + b * 64 + 32, 0xff, 32);
	return NULL;
}

static void test_owned_watch_and_scribble(void)
{
	struct sigaction sa = { .sa_handler = watch_signal };
	struct itimerval it = { { 0, 20 }, { 0, 20 } }, off = { 0 };
	unsigned long owner = 9, wrong = 0, calls = 0, mainline_bad;
	u32 key[8], counter[2];
	pthread_t thread;
	time_t end;

	randombytes_buf(key, sizeof(key));
	reference(watch_want, key, 0, WATCH_BLOCKS);
	sigaction(SIGALRM, &sa, NULL);

	/* First the entry of mainline's prototype: informative. */
	watch_samples = watch_bad = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	for (end = time(NULL) + 1; time(NULL) <= end;) {
		memset(watch_dst, 0, sizeof(watch_dst));
		set_counter(counter, 0);
		watching = 1;
		chacha(watch_dst, key, counter, WATCH_BLOCKS);
		watching = 0;
	}
	mainline_bad = watch_bad;

	watch_samples = watch_bad = 0;
	for (end = time(NULL) + 1; time(NULL) <= end;) {
		memset(watch_dst, 0, sizeof(watch_dst));
		set_counter(counter, 0);
		watching = 1;
		chacha_owned(watch_dst, key, counter, WATCH_BLOCKS, &owner, 9);
		watching = 0;
		wrong += !!memcmp(watch_dst, watch_want, sizeof(watch_dst));
		calls++;
	}
	setitimer(ITIMER_REAL, &off, NULL);
	ksft_print_msg("%s: the entry of mainline's prototype showed %lu non-final rows to the sampler\n",
		       chacha_name, mainline_bad);
	ksft_test_result(watch_samples > 100 && !watch_bad && !wrong,
			 "%s owned: %lu mid-call samples of the destination saw only zeroes or final output (%lu other rows, %lu wrong of %lu outputs)\n",
			 chacha_name, watch_samples, watch_bad, wrong, calls);

	atomic_store(&scribbling, true);
	pthread_create(&thread, NULL, scribbler, (void *)(size_t)(regs == REGS_XMM ? 4 : 8));
	wrong = calls = 0;
	for (end = time(NULL) + 1; time(NULL) <= end; calls++) {
		set_counter(counter, 0);
		chacha_owned(watch_dst, key, counter, WATCH_BLOCKS, &owner, 9);
		for (size_t b = 0; b < WATCH_BLOCKS; b++)
			if (b % (regs == REGS_XMM ? 4 : 8))
				wrong += !!memcmp(watch_dst + b * 64, watch_want + b * 64, 64);
	}
	atomic_store(&scribbling, false);
	pthread_join(thread, NULL);
	ksft_test_result(!wrong, "%s owned: writes into the destination do not change the output (%lu wrong blocks in %lu calls)\n",
			 chacha_name, wrong, calls);
}

/*
 * The owner token taken away mid-call, as a drop would: the call must
 * report it, and the destination then holds, row by row, its old contents
 * or final output, nothing else.
 */
static unsigned long *takeover_owner;

static void takeover_signal(int sig)
{
	(void)sig;
	*takeover_owner = 0;
}

static void test_owned_takeover(void)
{
	struct sigaction sa = { .sa_handler = takeover_signal };
	unsigned long owner, failed = 0, bad = 0, tries = 0;
	u32 key[8], counter[2];

	takeover_owner = &owner;
	randombytes_buf(key, sizeof(key));
	reference(watch_want, key, 0, WATCH_BLOCKS);
	sigaction(SIGALRM, &sa, NULL);
	for (time_t end = time(NULL) + 1; time(NULL) <= end; tries++) {
		struct itimerval it = { { 0, 0 }, { 0, 1 + tries % 50 } }, off = { 0 };
		bool ok;

		memset(watch_dst, 0, sizeof(watch_dst));
		owner = 5;
		set_counter(counter, 0);
		setitimer(ITIMER_REAL, &it, NULL);
		ok = chacha_owned(watch_dst, key, counter, WATCH_BLOCKS, &owner, 5);
		setitimer(ITIMER_REAL, &off, NULL);
		failed += !ok;
		for (size_t r = 0; r < sizeof(watch_dst); r += 16) {
			static const u8 zero[16];

			if (memcmp(watch_dst + r, zero, 16) && memcmp(watch_dst + r, watch_want + r, 16))
				bad++;
		}
		if (ok && memcmp(watch_dst, watch_want, sizeof(watch_dst)))
			bad++;
	}
	ksft_test_result(failed && !bad,
			 "%s owned: a token lost mid-call stops it (%lu of %lu calls), leaving only old or final rows (%lu bad)\n",
			 chacha_name, failed, tries, bad);
}

static void test_path(void)
{
	test_vs_libsodium();
	test_counter_zero_blocks();
	test_nostack();
	test_owned_vs_libsodium();
	test_owned_not_owned();
	test_owned_nostack();
	test_owned_watch_and_scribble();
	test_owned_takeover();
}

int main(void)
{
	if (sodium_init() < 0)
		ksft_exit_fail_msg("sodium_init failed\n");
	ksft_print_header();
	ksft_set_plan(4 * 10);

	chacha = vgr_chacha20_sse2;
	chacha_owned = vgr_chacha20_owned_sse2;
	chacha_name = "sse2";
	regs = REGS_XMM;
	test_path();

	if (!__builtin_cpu_supports("avx2")) {
		for (int i = 0; i < 3 * 10; i++)
			ksft_test_result_skip("avx2, avx512vl, avx512: CPU lacks AVX2\n");
		ksft_finished();
	}
	chacha = vgr_chacha20_avx2;
	chacha_owned = vgr_chacha20_owned_avx2;
	chacha_name = "avx2";
	regs = REGS_YMM;
	test_path();

	if (!__builtin_cpu_supports("avx512vl")) {
		for (int i = 0; i < 2 * 10; i++)
			ksft_test_result_skip("avx512vl, avx512: CPU lacks AVX-512VL\n");
		ksft_finished();
	}
	/* As patched where ZMM registers slow the core: AVX-512VL, ymm only. */
	chacha = vgr_chacha20_avx512vl;
	chacha_owned = vgr_chacha20_owned_avx512vl;
	chacha_name = "avx512vl";
	regs = REGS_ZMM;
	test_path();

	/* As patched everywhere else (X86_FEATURE_ZMM_FAST): 16 blocks in ZMM. */
	chacha = vgr_chacha20_avx512;
	chacha_owned = vgr_chacha20_owned_avx512;
	chacha_name = "avx512";
	regs = REGS_ZMM;
	test_path();
	ksft_finished();
}
