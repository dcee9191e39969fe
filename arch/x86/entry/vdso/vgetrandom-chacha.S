/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ChaCha20 keystream for the vDSO getrandom(), without touching the stack.
 *
 * Three paths, chosen when the vDSO image is patched at boot: AVX-512VL and
 * AVX2 compute eight blocks at once, and SSE2, which runs on every x86_64,
 * four. On CPUs whose clock does not drop after 512-bit work
 * (X86_FEATURE_ZMM_FAST), the AVX-512 path computes sixteen blocks at once
 * in ZMM registers while more than eight are left. Either way one block
 * sits in each 32-bit lane: register n holds state word n of all the
 * blocks. That takes all sixteen vector registers
 * of SSE2 and AVX2, and their rotations need a seventeenth as scratch. The
 * stack is off limits (key-derived data there would outlive the call and be
 * copied into fork children), and so is the caller's buffer (others may
 * watch or write it: it gets final output only), so those two paths park
 * one state word at a time in 32 bytes of scratch that the getrandom state
 * owns. AVX-512VL has rotations that need no scratch and sixteen more
 * registers, and parks nothing. The key and the constants are reloaded from
 * memory for the feed-forward rather than kept in registers.
 *
 * The state is MAP_DROPPABLE memory: it can turn into zeroes at any moment,
 * and a signal handler on the same thread may then take it over. So the
 * caller's ownership token is checked after every read of the key and
 * before every store of output: blocks of a zero key, or of a key that is
 * no longer the caller's, are never stored anywhere.
 */

#include <linux/linkage.h>
#include <asm/alternative.h>
#include <asm/cpufeatures.h>

.section	.rodata, "a"
.balign 32
.Lsigma8:
	.long	0x61707865, 0x61707865, 0x61707865, 0x61707865
	.long	0x61707865, 0x61707865, 0x61707865, 0x61707865
	.long	0x3320646e, 0x3320646e, 0x3320646e, 0x3320646e
	.long	0x3320646e, 0x3320646e, 0x3320646e, 0x3320646e
	.long	0x79622d32, 0x79622d32, 0x79622d32, 0x79622d32
	.long	0x79622d32, 0x79622d32, 0x79622d32, 0x79622d32
	.long	0x6b206574, 0x6b206574, 0x6b206574, 0x6b206574
	.long	0x6b206574, 0x6b206574, 0x6b206574, 0x6b206574
/* vpshufb masks rotating each 32-bit lane left by 16 and by 8 bits */
.Lrot16:
	.byte	2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13
	.byte	2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13
.Lrot8:
	.byte	3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14
	.byte	3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14
/* 64-bit counter offsets of lanes 0-3 and 4-7 */
.Lctr0123:
	.quad	0, 1, 2, 3
.Lctr4567:
	.quad	4, 5, 6, 7
/* ... and of lanes 8-15: with the two above, those of sixteen ZMM lanes */
.Lctr89ab:
	.quad	8, 9, 10, 11, 12, 13, 14, 15
/* vpermi2d indices gathering the low and the high words of 16 quadwords */
.balign 64
.Lqlo:
	.long	0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30
.Lqhi:
	.long	1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31
.Lsigma:
	.long	0x61707865, 0x61707865, 0x61707865, 0x61707865	/* "expa" */
	.long	0x3320646e, 0x3320646e, 0x3320646e, 0x3320646e	/* "nd 3" */
	.long	0x79622d32, 0x79622d32, 0x79622d32, 0x79622d32	/* "2-by" */
	.long	0x6b206574, 0x6b206574, 0x6b206574, 0x6b206574	/* "te k" */

/* The owner word of __arch_chacha20_blocks_nostack(), which owns nothing. */
.Lalways_owned:
	.quad	1

.text

#define DST		%rdi
#define KEY		%rsi
#define COUNTER		%rdx
#define NBLOCKS		%rcx
#define SCRATCH		%r8
#define OWNER		%r9
#define TOKEN		%r10
#define CTR		%r11
/* The round counter, and outside the rounds a temporary. */
#define ROUNDS		%eax
#define TMP		%rax

/*
 * The parked word, 16 bytes: the second half of the scratch. In a refill
 * of the batch that is row 3 of the last block, which is stored last.
 */
#define SPILL		16(SCRATCH)

/* Go to fail unless the caller still owns the state. */
.macro OWNED fail
	cmp	TOKEN, (OWNER)
	jne	\fail
.endm

/* x <<<= 16: swap the 16-bit halves of each lane; needs no scratch. */
.macro ROT16 x
	pshuflw	$0xb1, \x, \x
	pshufhw	$0xb1, \x, \x
.endm

/* x <<<= n, with t as scratch. */
.macro ROT x, n, t
	movdqa	\x, \t
	pslld	$\n, \x
	psrld	$(32 - \n), \t
	por	\t, \x
.endm

/* One quarter round on four lanes of words a, b, c, d; t is scratch. */
.macro QR a, b, c, d, t
	paddd	\b, \a
	pxor	\a, \d
	ROT16	\d
	paddd	\d, \c
	pxor	\c, \b
	ROT	\b, 12, \t
	paddd	\b, \a
	pxor	\a, \d
	ROT	\d, 8, \t
	paddd	\d, \c
	pxor	\c, \b
	ROT	\b, 7, \t
.endm

/*
 * lo, hi := low and high words of the 64-bit counters CTR + 0..3 (the
 * carry out of the low word included, wrapping modulo 2^64); t is scratch.
 */
.macro COUNTERS lo, hi, t
	movq	CTR, \lo
	lea	1(CTR), TMP
	movq	TMP, \t
	punpcklqdq \t, \lo
	lea	2(CTR), TMP
	movq	TMP, \hi
	lea	3(CTR), TMP
	movq	TMP, \t
	punpcklqdq \t, \hi
	movdqa	\lo, \t
	shufps	$0x88, \hi, \lo
	shufps	$0xdd, \hi, \t
	movdqa	\t, \hi
.endm

/*
 * Transpose four word-sliced registers into four rows of 16 bytes, one per
 * block, with t as the only scratch. On return the rows of blocks 0, 1, 2
 * and 3 are in a, d, t and c.
 */
.macro TRANSPOSE a, b, c, d, t
	movdqa	\a, \t
	punpckldq \b, \a
	punpckhdq \b, \t
	movdqa	\c, \b
	punpckldq \d, \c
	punpckhdq \d, \b
	movdqa	\a, \d
	punpcklqdq \c, \a
	punpckhqdq \c, \d
	movdqa	\t, \c
	punpcklqdq \b, \t
	punpckhqdq \b, \c
.endm

/* Store the rows of blocks 0..3 at offset off, only for blocks requested. */
.macro STORE off, r0, r1, r2, r3
	movdqu	\r0, \off(DST)
	cmp	$2, NBLOCKS
	jb	.Lstored\@
	movdqu	\r1, (64 + \off)(DST)
	je	.Lstored\@
	movdqu	\r2, (128 + \off)(DST)
	cmp	$3, NBLOCKS
	je	.Lstored\@
	movdqu	\r3, (192 + \off)(DST)
.Lstored\@:
.endm

/* Add key words 4*half .. 4*half+3 to four word registers; t, u scratch. */
.macro ADDKEY half, x0, x1, x2, x3, t, u
	movdqu	(16 * \half)(KEY), \u
	pshufd	$0x00, \u, \t
	paddd	\t, \x0
	pshufd	$0x55, \u, \t
	paddd	\t, \x1
	pshufd	$0xaa, \u, \t
	paddd	\t, \x2
	pshufd	$0xff, \u, \t
	paddd	\t, \x3
.endm

/*
 * bool __arch_chacha20_blocks_owned(u8 *dst_bytes, const u32 *key,
 *				     u32 *counter, size_t nblocks, u8 *scratch,
 *				     const unsigned long *owner,
 *				     unsigned long token)
 *
 * Writes nblocks * 64 bytes of ChaCha20 stream to dst_bytes (which must not
 * overlap key or counter) and advances the 64-bit counter by nblocks, as
 * long as *owner == token; returns false, with nothing more stored, once
 * it is not. A last group of fewer than four (eight) blocks is computed
 * whole but only the blocks asked for are stored. The seventh argument is
 * the only one on the stack, and it is only read.
 */
SYM_FUNC_START(__arch_chacha20_blocks_owned)
	movq	8(%rsp), TOKEN
.Lstart:
	/* counter[0] is the low word, counter[1] the high: a little-endian u64. */
	movq	(COUNTER), CTR
	test	NBLOCKS, NBLOCKS
	jz	.Lout
	/*
	 * Patched to fall through into the AVX2 path on CPUs that have it,
	 * and to jump to the AVX-512VL path on those that have that too.
	 */
#ifdef CONFIG_AS_AVX512
	ALTERNATIVE_2 "jmp .Lgroup", "", X86_FEATURE_AVX2, \
		      "jmp .Lavx512_group", X86_FEATURE_AVX512VL
#else
	ALTERNATIVE "jmp .Lgroup", "", X86_FEATURE_AVX2
#endif

/* AVX2: the same, for eight blocks in the 32-bit lanes of YMM registers. */

/* The parked word, 32 bytes: all of the scratch (rows 2-3 of a last block). */
#define SPILL8		(SCRATCH)

.macro ROT8V x, mask
	vpshufb	\mask(%rip), \x, \x
.endm

.macro ROTV x, n, t
	vpslld	$\n, \x, \t
	vpsrld	$(32 - \n), \x, \x
	vpor	\t, \x, \x
.endm

.macro QRV a, b, c, d, t
	vpaddd	\b, \a, \a
	vpxor	\a, \d, \d
	ROT8V	\d, .Lrot16
	vpaddd	\d, \c, \c
	vpxor	\c, \b, \b
	ROTV	\b, 12, \t
	vpaddd	\b, \a, \a
	vpxor	\a, \d, \d
	ROT8V	\d, .Lrot8
	vpaddd	\d, \c, \c
	vpxor	\c, \b, \b
	ROTV	\b, 7, \t
.endm

/*
 * lo, hi := low and high words of the 64-bit counters CTR + 0..7, in lane
 * order; t is scratch (all by register number). vshufps works within 128-bit halves, which leaves
 * the lanes in the order 0 1 4 5 | 2 3 6 7, hence the vpermq.
 */
.macro COUNTERS8 lo, hi, t
	vmovq	CTR, %xmm\lo
	vpbroadcastq %xmm\lo, %ymm\lo
	vpaddq	.Lctr4567(%rip), %ymm\lo, %ymm\t
	vpaddq	.Lctr0123(%rip), %ymm\lo, %ymm\lo
	vshufps	$0xdd, %ymm\t, %ymm\lo, %ymm\hi
	vshufps	$0x88, %ymm\t, %ymm\lo, %ymm\lo
	vpermq	$0xd8, %ymm\lo, %ymm\lo
	vpermq	$0xd8, %ymm\hi, %ymm\hi
.endm

/*
 * Transpose within each 128-bit half; rows of blocks 0-3 end up in the low
 * halves of a, d, t and c, those of blocks 4-7 in their high halves.
 */
.macro TRANSPOSEV a, b, c, d, t
	vpunpckhdq \b, \a, \t
	vpunpckldq \b, \a, \a
	vpunpckhdq \d, \c, \b
	vpunpckldq \d, \c, \c
	vpunpckhqdq \c, \a, \d
	vpunpcklqdq \c, \a, \a
	vpunpckhqdq \b, \t, \c
	vpunpcklqdq \b, \t, \t
.endm

/* Store row off of blocks 0..7 from registers r0..r3 (by number). */
.macro STORE8 off, r0, r1, r2, r3
	vmovdqu	%xmm\r0, \off(DST)
	cmp	$1, NBLOCKS
	je	.Lstored8\@
	vmovdqu	%xmm\r1, (64 + \off)(DST)
	cmp	$2, NBLOCKS
	je	.Lstored8\@
	vmovdqu	%xmm\r2, (128 + \off)(DST)
	cmp	$3, NBLOCKS
	je	.Lstored8\@
	vmovdqu	%xmm\r3, (192 + \off)(DST)
	cmp	$4, NBLOCKS
	je	.Lstored8\@
	vextracti128 $1, %ymm\r0, (256 + \off)(DST)
	cmp	$5, NBLOCKS
	je	.Lstored8\@
	vextracti128 $1, %ymm\r1, (320 + \off)(DST)
	cmp	$6, NBLOCKS
	je	.Lstored8\@
	vextracti128 $1, %ymm\r2, (384 + \off)(DST)
	cmp	$7, NBLOCKS
	je	.Lstored8\@
	vextracti128 $1, %ymm\r3, (448 + \off)(DST)
.Lstored8\@:
.endm

/* Add key words 4*half .. 4*half+3 to four word registers; t scratch. */
.macro ADDKEYV half, x0, x1, x2, x3, t
	vpbroadcastd (16 * \half + 0)(KEY), \t
	vpaddd	\t, \x0, \x0
	vpbroadcastd (16 * \half + 4)(KEY), \t
	vpaddd	\t, \x1, \x1
	vpbroadcastd (16 * \half + 8)(KEY), \t
	vpaddd	\t, \x2, \x2
	vpbroadcastd (16 * \half + 12)(KEY), \t
	vpaddd	\t, \x3, \x3
.endm

.Lavx2_group:
	vmovdqa	.Lsigma8 + 0(%rip), %ymm0
	vmovdqa	.Lsigma8 + 32(%rip), %ymm1
	vmovdqa	.Lsigma8 + 64(%rip), %ymm2
	vmovdqa	.Lsigma8 + 96(%rip), %ymm3
	vpbroadcastd 0(KEY), %ymm4
	vpbroadcastd 4(KEY), %ymm5
	vpbroadcastd 8(KEY), %ymm6
	vpbroadcastd 12(KEY), %ymm7
	vpbroadcastd 16(KEY), %ymm8
	vpbroadcastd 20(KEY), %ymm9
	vpbroadcastd 24(KEY), %ymm10
	vpbroadcastd 28(KEY), %ymm11
	/* A key read after a drop would be zeroes, or another call's. */
	OWNED	.Lavx2_not_owned
	COUNTERS8 12, 13, 14
	vpxor	%ymm14, %ymm14, %ymm14

	/*
	 * The first column round. x15, the nonce, is 0 until it is needed, so
	 * it need not be parked: the first value parked is x12 after its
	 * quarter round, which depends on the key. (Parking a known value
	 * could show a handler that took the state over a known value.)
	 */
	mov	$10, ROUNDS
	QRV	%ymm0, %ymm4, %ymm8, %ymm12, %ymm15
	QRV	%ymm1, %ymm5, %ymm9, %ymm13, %ymm15
	QRV	%ymm2, %ymm6, %ymm10, %ymm14, %ymm15
	vmovdqu	%ymm12, SPILL8
	vpxor	%ymm15, %ymm15, %ymm15
	jmp	.Lavx2_column3
.Lavx2_doubleround:
	QRV	%ymm0, %ymm4, %ymm8, %ymm12, %ymm15
	QRV	%ymm1, %ymm5, %ymm9, %ymm13, %ymm15
	QRV	%ymm2, %ymm6, %ymm10, %ymm14, %ymm15
	vmovdqu	SPILL8, %ymm15
	vmovdqu	%ymm12, SPILL8
.Lavx2_column3:
	QRV	%ymm3, %ymm7, %ymm11, %ymm15, %ymm12
	QRV	%ymm0, %ymm5, %ymm10, %ymm15, %ymm12
	QRV	%ymm2, %ymm7, %ymm8, %ymm13, %ymm12
	QRV	%ymm3, %ymm4, %ymm9, %ymm14, %ymm12
	vmovdqu	SPILL8, %ymm12
	vmovdqu	%ymm15, SPILL8
	QRV	%ymm1, %ymm6, %ymm11, %ymm12, %ymm15
	dec	ROUNDS
	jnz	.Lavx2_doubleround

	/*
	 * Row 0 first, then take x15 back: rows 2 and 3 of block 0 are the
	 * parking spot.
	 */
	vpaddd	.Lsigma8 + 0(%rip), %ymm0, %ymm0
	vpaddd	.Lsigma8 + 32(%rip), %ymm1, %ymm1
	vpaddd	.Lsigma8 + 64(%rip), %ymm2, %ymm2
	vpaddd	.Lsigma8 + 96(%rip), %ymm3, %ymm3
	TRANSPOSEV %ymm0, %ymm1, %ymm2, %ymm3, %ymm15
	OWNED	.Lavx2_not_owned
	STORE8	0, 0, 3, 15, 2
	vmovdqu	SPILL8, %ymm15

	ADDKEYV	0, %ymm4, %ymm5, %ymm6, %ymm7, %ymm0
	TRANSPOSEV %ymm4, %ymm5, %ymm6, %ymm7, %ymm0
	OWNED	.Lavx2_not_owned
	STORE8	16, 4, 7, 0, 6

	ADDKEYV	1, %ymm8, %ymm9, %ymm10, %ymm11, %ymm0
	TRANSPOSEV %ymm8, %ymm9, %ymm10, %ymm11, %ymm0
	OWNED	.Lavx2_not_owned
	STORE8	32, 8, 11, 0, 10

	COUNTERS8 0, 1, 2
	vpaddd	%ymm0, %ymm12, %ymm12
	vpaddd	%ymm1, %ymm13, %ymm13
	TRANSPOSEV %ymm12, %ymm13, %ymm14, %ymm15, %ymm0
	OWNED	.Lavx2_not_owned
	STORE8	48, 12, 15, 0, 14

	cmp	$8, NBLOCKS
	jbe	.Lavx2_last
	add	$8, CTR
	sub	$8, NBLOCKS
	add	$512, DST
	jmp	.Lavx2_group

.Lavx2_last:
	add	NBLOCKS, CTR
	/* Clears all of ymm0-15: no key-derived data left behind. */
	vzeroall
	jmp	.Lout

.Lavx2_not_owned:
	vzeroall
	xor	%eax, %eax
	RET

#ifdef CONFIG_AS_AVX512
/*
 * AVX-512VL: the AVX2 layout, eight blocks in the lanes of %ymm0-15, with
 * vprold for every rotation. Nothing is parked: the one register the
 * transposes need besides the sixteen words is %ymm16, reachable only
 * with EVEX encodings (hence vmovdqu32 and vextracti32x4 for the stores).
 */
.macro QRX a, b, c, d
	vpaddd	\b, \a, \a
	vpxor	\a, \d, \d
	vprold	$16, \d, \d
	vpaddd	\d, \c, \c
	vpxor	\c, \b, \b
	vprold	$12, \b, \b
	vpaddd	\b, \a, \a
	vpxor	\a, \d, \d
	vprold	$8, \d, \d
	vpaddd	\d, \c, \c
	vpxor	\c, \b, \b
	vprold	$7, \b, \b
.endm

/* STORE8 with EVEX moves, which reach %xmm16-31 too (by number). */
.macro STORE8X off, r0, r1, r2, r3
	vmovdqu32 %xmm\r0, \off(DST)
	cmp	$1, NBLOCKS
	je	.Lstored8x\@
	vmovdqu32 %xmm\r1, (64 + \off)(DST)
	cmp	$2, NBLOCKS
	je	.Lstored8x\@
	vmovdqu32 %xmm\r2, (128 + \off)(DST)
	cmp	$3, NBLOCKS
	je	.Lstored8x\@
	vmovdqu32 %xmm\r3, (192 + \off)(DST)
	cmp	$4, NBLOCKS
	je	.Lstored8x\@
	vextracti32x4 $1, %ymm\r0, (256 + \off)(DST)
	cmp	$5, NBLOCKS
	je	.Lstored8x\@
	vextracti32x4 $1, %ymm\r1, (320 + \off)(DST)
	cmp	$6, NBLOCKS
	je	.Lstored8x\@
	vextracti32x4 $1, %ymm\r2, (384 + \off)(DST)
	cmp	$7, NBLOCKS
	je	.Lstored8x\@
	vextracti32x4 $1, %ymm\r3, (448 + \off)(DST)
.Lstored8x\@:
.endm

/*
 * Leave no key-derived data in any vector register: vzeroall clears all of
 * %zmm0-15 (and nothing above), then %zmm16, the YMM groups' scratch, and
 * %zmm17-25, which only the ZMM groups use (patched in where they run).
 * Nothing here writes %zmm26-31.
 */
.macro CLEARX
	vzeroall
	vpxord	%xmm16, %xmm16, %xmm16
	ALTERNATIVE "jmp .Lcleared\@", "", X86_FEATURE_ZMM_FAST
	.irp r, 17, 18, 19, 20, 21, 22, 23, 24, 25
	vpxord	%xmm\r, %xmm\r, %xmm\r
	.endr
.Lcleared\@:
.endm

.Lavx512_group:
	/*
	 * More than eight blocks to go: sixteen at once in ZMM registers, on
	 * CPUs where 512-bit vectors do not slow the core down (patched to
	 * fall through there).
	 */
	ALTERNATIVE "jmp .Lavx512_ymm", "", X86_FEATURE_ZMM_FAST
	cmp	$8, NBLOCKS
	ja	.Lzmm_group
.Lavx512_ymm:
	vmovdqa	.Lsigma8 + 0(%rip), %ymm0
	vmovdqa	.Lsigma8 + 32(%rip), %ymm1
	vmovdqa	.Lsigma8 + 64(%rip), %ymm2
	vmovdqa	.Lsigma8 + 96(%rip), %ymm3
	vpbroadcastd 0(KEY), %ymm4
	vpbroadcastd 4(KEY), %ymm5
	vpbroadcastd 8(KEY), %ymm6
	vpbroadcastd 12(KEY), %ymm7
	vpbroadcastd 16(KEY), %ymm8
	vpbroadcastd 20(KEY), %ymm9
	vpbroadcastd 24(KEY), %ymm10
	vpbroadcastd 28(KEY), %ymm11
	/* A key read after a drop would be zeroes, or another call's. */
	OWNED	.Lavx512_not_owned
	COUNTERS8 12, 13, 14
	/* The nonce, words 14 and 15, is zero. */
	vpxor	%ymm14, %ymm14, %ymm14
	vpxor	%ymm15, %ymm15, %ymm15

	mov	$10, ROUNDS
.Lavx512_doubleround:
	QRX	%ymm0, %ymm4, %ymm8, %ymm12
	QRX	%ymm1, %ymm5, %ymm9, %ymm13
	QRX	%ymm2, %ymm6, %ymm10, %ymm14
	QRX	%ymm3, %ymm7, %ymm11, %ymm15
	QRX	%ymm0, %ymm5, %ymm10, %ymm15
	QRX	%ymm1, %ymm6, %ymm11, %ymm12
	QRX	%ymm2, %ymm7, %ymm8, %ymm13
	QRX	%ymm3, %ymm4, %ymm9, %ymm14
	dec	ROUNDS
	jnz	.Lavx512_doubleround

	/* Feed-forward and output, one row of the eight blocks at a time. */
	vpaddd	.Lsigma8 + 0(%rip), %ymm0, %ymm0
	vpaddd	.Lsigma8 + 32(%rip), %ymm1, %ymm1
	vpaddd	.Lsigma8 + 64(%rip), %ymm2, %ymm2
	vpaddd	.Lsigma8 + 96(%rip), %ymm3, %ymm3
	TRANSPOSEV %ymm0, %ymm1, %ymm2, %ymm3, %ymm16
	OWNED	.Lavx512_not_owned
	STORE8X	0, 0, 3, 16, 2

	ADDKEYV	0, %ymm4, %ymm5, %ymm6, %ymm7, %ymm0
	TRANSPOSEV %ymm4, %ymm5, %ymm6, %ymm7, %ymm0
	OWNED	.Lavx512_not_owned
	STORE8X	16, 4, 7, 0, 6

	ADDKEYV	1, %ymm8, %ymm9, %ymm10, %ymm11, %ymm0
	TRANSPOSEV %ymm8, %ymm9, %ymm10, %ymm11, %ymm0
	OWNED	.Lavx512_not_owned
	STORE8X	32, 8, 11, 0, 10

	COUNTERS8 0, 1, 2
	vpaddd	%ymm0, %ymm12, %ymm12
	vpaddd	%ymm1, %ymm13, %ymm13
	TRANSPOSEV %ymm12, %ymm13, %ymm14, %ymm15, %ymm0
	OWNED	.Lavx512_not_owned
	STORE8X	48, 12, 15, 0, 14

	cmp	$8, NBLOCKS
	jbe	.Lavx512_last
	add	$8, CTR
	sub	$8, NBLOCKS
	add	$512, DST
	jmp	.Lavx512_group

.Lavx512_last:
	add	NBLOCKS, CTR
	CLEARX
	jmp	.Lout

.Lavx512_not_owned:
	CLEARX
	xor	%eax, %eax
	RET

/*
 * ZMM: sixteen blocks in the lanes of %zmm0-15. %zmm16-25 keep the key and
 * counter words for the feed-forward (so the key is read once, and checked
 * once); %zmm16-19 then serve the transposes.
 */
.macro QRZ a, b, c, d
	vpaddd	%zmm\b, %zmm\a, %zmm\a
	vpxord	%zmm\a, %zmm\d, %zmm\d
	vprold	$16, %zmm\d, %zmm\d
	vpaddd	%zmm\d, %zmm\c, %zmm\c
	vpxord	%zmm\c, %zmm\b, %zmm\b
	vprold	$12, %zmm\b, %zmm\b
	vpaddd	%zmm\b, %zmm\a, %zmm\a
	vpxord	%zmm\a, %zmm\d, %zmm\d
	vprold	$8, %zmm\d, %zmm\d
	vpaddd	%zmm\d, %zmm\c, %zmm\c
	vpxord	%zmm\c, %zmm\b, %zmm\b
	vprold	$7, %zmm\b, %zmm\b
.endm

/*
 * Store block n, its rows 0-3 from 128-bit lane l of registers r0-r3 (by
 * number), unless fewer blocks were asked for. A lane goes to memory
 * without a shuffle: vextracti32x4 to memory takes only the store ports,
 * where a transpose across lanes would take the shuffle port that the
 * rounds need, for 7% of the bulk rate.
 */
.macro STOREB n, l, r0, r1, r2, r3
	.if \n
	cmp	$\n, NBLOCKS
	je	.Lzmm_stored
	.endif
	.if \l
	vextracti32x4 $\l, %zmm\r0, (64 * \n)(DST)
	vextracti32x4 $\l, %zmm\r1, (64 * \n + 16)(DST)
	vextracti32x4 $\l, %zmm\r2, (64 * \n + 32)(DST)
	vextracti32x4 $\l, %zmm\r3, (64 * \n + 48)(DST)
	.else
	vmovdqu32 %xmm\r0, (64 * \n)(DST)
	vmovdqu32 %xmm\r1, (64 * \n + 16)(DST)
	vmovdqu32 %xmm\r2, (64 * \n + 32)(DST)
	vmovdqu32 %xmm\r3, (64 * \n + 48)(DST)
	.endif
.endm

.Lzmm_group:
	vpbroadcastd 0(KEY), %zmm16
	vpbroadcastd 4(KEY), %zmm17
	vpbroadcastd 8(KEY), %zmm18
	vpbroadcastd 12(KEY), %zmm19
	vpbroadcastd 16(KEY), %zmm20
	vpbroadcastd 20(KEY), %zmm21
	vpbroadcastd 24(KEY), %zmm22
	vpbroadcastd 28(KEY), %zmm23
	/* A key read after a drop would be zeroes, or another call's. */
	OWNED	.Lavx512_not_owned
	/* Words 12 and 13: the 64-bit counters CTR + 0..15, low and high. */
	vpbroadcastq CTR, %zmm24
	vpaddq	.Lctr89ab(%rip), %zmm24, %zmm25
	vpaddq	.Lctr0123(%rip), %zmm24, %zmm24
	vmovdqa32 .Lqlo(%rip), %zmm12
	vpermi2d %zmm25, %zmm24, %zmm12
	vmovdqa32 .Lqhi(%rip), %zmm13
	vpermi2d %zmm25, %zmm24, %zmm13
	vmovdqa32 %zmm12, %zmm24
	vmovdqa32 %zmm13, %zmm25
	vpbroadcastd .Lsigma + 0(%rip), %zmm0
	vpbroadcastd .Lsigma + 16(%rip), %zmm1
	vpbroadcastd .Lsigma + 32(%rip), %zmm2
	vpbroadcastd .Lsigma + 48(%rip), %zmm3
	vmovdqa32 %zmm16, %zmm4
	vmovdqa32 %zmm17, %zmm5
	vmovdqa32 %zmm18, %zmm6
	vmovdqa32 %zmm19, %zmm7
	vmovdqa32 %zmm20, %zmm8
	vmovdqa32 %zmm21, %zmm9
	vmovdqa32 %zmm22, %zmm10
	vmovdqa32 %zmm23, %zmm11
	/* The nonce, words 14 and 15, is zero. */
	vpxord	%zmm14, %zmm14, %zmm14
	vpxord	%zmm15, %zmm15, %zmm15

	mov	$10, ROUNDS
.Lzmm_doubleround:
	QRZ	0, 4, 8, 12
	QRZ	1, 5, 9, 13
	QRZ	2, 6, 10, 14
	QRZ	3, 7, 11, 15
	QRZ	0, 5, 10, 15
	QRZ	1, 6, 11, 12
	QRZ	2, 7, 8, 13
	QRZ	3, 4, 9, 14
	dec	ROUNDS
	jnz	.Lzmm_doubleround

	/* Feed-forward (words 14 and 15 add zero). */
	vpaddd	.Lsigma + 0(%rip){1to16}, %zmm0, %zmm0
	vpaddd	.Lsigma + 16(%rip){1to16}, %zmm1, %zmm1
	vpaddd	.Lsigma + 32(%rip){1to16}, %zmm2, %zmm2
	vpaddd	.Lsigma + 48(%rip){1to16}, %zmm3, %zmm3
	vpaddd	%zmm16, %zmm4, %zmm4
	vpaddd	%zmm17, %zmm5, %zmm5
	vpaddd	%zmm18, %zmm6, %zmm6
	vpaddd	%zmm19, %zmm7, %zmm7
	vpaddd	%zmm20, %zmm8, %zmm8
	vpaddd	%zmm21, %zmm9, %zmm9
	vpaddd	%zmm22, %zmm10, %zmm10
	vpaddd	%zmm23, %zmm11, %zmm11
	vpaddd	%zmm24, %zmm12, %zmm12
	vpaddd	%zmm25, %zmm13, %zmm13

	/*
	 * Transpose within 128-bit lanes: afterwards words 4g..4g+3 of block
	 * 4L + j sit in lane L of register 4g, 4g + 3, 16 + g and 4g + 2 for
	 * j = 0, 1, 2 and 3 (TRANSPOSEV's order), and go from there to memory.
	 */
	TRANSPOSEV %zmm0, %zmm1, %zmm2, %zmm3, %zmm16
	TRANSPOSEV %zmm4, %zmm5, %zmm6, %zmm7, %zmm17
	TRANSPOSEV %zmm8, %zmm9, %zmm10, %zmm11, %zmm18
	TRANSPOSEV %zmm12, %zmm13, %zmm14, %zmm15, %zmm19
	OWNED	.Lavx512_not_owned
	STOREB	0, 0, 0, 4, 8, 12
	STOREB	1, 0, 3, 7, 11, 15
	STOREB	2, 0, 16, 17, 18, 19
	STOREB	3, 0, 2, 6, 10, 14
	STOREB	4, 1, 0, 4, 8, 12
	STOREB	5, 1, 3, 7, 11, 15
	STOREB	6, 1, 16, 17, 18, 19
	STOREB	7, 1, 2, 6, 10, 14
	STOREB	8, 2, 0, 4, 8, 12
	STOREB	9, 2, 3, 7, 11, 15
	STOREB	10, 2, 16, 17, 18, 19
	STOREB	11, 2, 2, 6, 10, 14
	STOREB	12, 3, 0, 4, 8, 12
	STOREB	13, 3, 3, 7, 11, 15
	STOREB	14, 3, 16, 17, 18, 19
	STOREB	15, 3, 2, 6, 10, 14
.Lzmm_stored:
	cmp	$16, NBLOCKS
	jbe	.Lavx512_last
	add	$16, CTR
	sub	$16, NBLOCKS
	add	$1024, DST
	jmp	.Lavx512_group
#endif /* CONFIG_AS_AVX512 */

.Lgroup:
	movdqa	.Lsigma + 0(%rip), %xmm0
	movdqa	.Lsigma + 16(%rip), %xmm1
	movdqa	.Lsigma + 32(%rip), %xmm2
	movdqa	.Lsigma + 48(%rip), %xmm3
	movdqu	0(KEY), %xmm7
	pshufd	$0x00, %xmm7, %xmm4
	pshufd	$0x55, %xmm7, %xmm5
	pshufd	$0xaa, %xmm7, %xmm6
	pshufd	$0xff, %xmm7, %xmm7
	movdqu	16(KEY), %xmm11
	pshufd	$0x00, %xmm11, %xmm8
	pshufd	$0x55, %xmm11, %xmm9
	pshufd	$0xaa, %xmm11, %xmm10
	pshufd	$0xff, %xmm11, %xmm11
	/* A key read after a drop would be zeroes, or another call's. */
	OWNED	.Lnot_owned
	COUNTERS %xmm12, %xmm13, %xmm14
	/* The nonce, words 14 and 15, is zero. */
	pxor	%xmm14, %xmm14

	/*
	 * The first column round. x15 is 0 until it is needed, so it need not
	 * be parked: the first value parked is x12 after its quarter round,
	 * which depends on the key. (Parking a known value could show a
	 * handler that took the state over a known value.)
	 */
	mov	$10, ROUNDS
	QR	%xmm0, %xmm4, %xmm8, %xmm12, %xmm15
	QR	%xmm1, %xmm5, %xmm9, %xmm13, %xmm15
	QR	%xmm2, %xmm6, %xmm10, %xmm14, %xmm15
	movdqu	%xmm12, SPILL
	pxor	%xmm15, %xmm15
	jmp	.Lcolumn3
.Ldoubleround:
	/* Column round; x15 is parked, so xmm15 is the scratch register. */
	QR	%xmm0, %xmm4, %xmm8, %xmm12, %xmm15
	QR	%xmm1, %xmm5, %xmm9, %xmm13, %xmm15
	QR	%xmm2, %xmm6, %xmm10, %xmm14, %xmm15
	/* x12 is done for this round: park it and bring back x15. */
	movdqu	SPILL, %xmm15
	movdqu	%xmm12, SPILL
.Lcolumn3:
	QR	%xmm3, %xmm7, %xmm11, %xmm15, %xmm12
	/* Diagonal round, the one that needs x12 last. */
	QR	%xmm0, %xmm5, %xmm10, %xmm15, %xmm12
	QR	%xmm2, %xmm7, %xmm8, %xmm13, %xmm12
	QR	%xmm3, %xmm4, %xmm9, %xmm14, %xmm12
	movdqu	SPILL, %xmm12
	movdqu	%xmm15, SPILL
	QR	%xmm1, %xmm6, %xmm11, %xmm12, %xmm15
	dec	ROUNDS
	jnz	.Ldoubleround

	/*
	 * Feed-forward and output, one row of four words at a time, each
	 * transposed from lanes into blocks. x15 stays parked until the last
	 * row, which is also the row that overwrites the parking spot.
	 */
	paddd	.Lsigma + 0(%rip), %xmm0
	paddd	.Lsigma + 16(%rip), %xmm1
	paddd	.Lsigma + 32(%rip), %xmm2
	paddd	.Lsigma + 48(%rip), %xmm3
	TRANSPOSE %xmm0, %xmm1, %xmm2, %xmm3, %xmm15
	OWNED	.Lnot_owned
	STORE	0, %xmm0, %xmm3, %xmm15, %xmm2

	ADDKEY	0, %xmm4, %xmm5, %xmm6, %xmm7, %xmm0, %xmm1
	TRANSPOSE %xmm4, %xmm5, %xmm6, %xmm7, %xmm0
	OWNED	.Lnot_owned
	STORE	16, %xmm4, %xmm7, %xmm0, %xmm6

	ADDKEY	1, %xmm8, %xmm9, %xmm10, %xmm11, %xmm0, %xmm1
	TRANSPOSE %xmm8, %xmm9, %xmm10, %xmm11, %xmm0
	OWNED	.Lnot_owned
	STORE	32, %xmm8, %xmm11, %xmm0, %xmm10

	movdqu	SPILL, %xmm15
	COUNTERS %xmm0, %xmm1, %xmm2
	paddd	%xmm0, %xmm12
	paddd	%xmm1, %xmm13
	TRANSPOSE %xmm12, %xmm13, %xmm14, %xmm15, %xmm0
	OWNED	.Lnot_owned
	STORE	48, %xmm12, %xmm15, %xmm0, %xmm14

	cmp	$4, NBLOCKS
	jbe	.Llast
	add	$4, CTR
	sub	$4, NBLOCKS
	add	$256, DST
	jmp	.Lgroup

.Llast:
	add	NBLOCKS, CTR
	mov	$1, %eax
	jmp	.Lclear

.Lnot_owned:
	xor	%eax, %eax
.Lclear:
	/* Leave no key-derived data behind in the registers. */
	pxor	%xmm0, %xmm0
	pxor	%xmm1, %xmm1
	pxor	%xmm2, %xmm2
	pxor	%xmm3, %xmm3
	pxor	%xmm4, %xmm4
	pxor	%xmm5, %xmm5
	pxor	%xmm6, %xmm6
	pxor	%xmm7, %xmm7
	pxor	%xmm8, %xmm8
	pxor	%xmm9, %xmm9
	pxor	%xmm10, %xmm10
	pxor	%xmm11, %xmm11
	pxor	%xmm12, %xmm12
	pxor	%xmm13, %xmm13
	pxor	%xmm14, %xmm14
	pxor	%xmm15, %xmm15
	test	%eax, %eax
	jz	.Lfailed
.Lout:
	movq	CTR, (COUNTER)
	mov	$1, %eax
.Lfailed:
	RET
SYM_FUNC_END(__arch_chacha20_blocks_owned)

/*
 * void __arch_chacha20_blocks_nostack(u8 *dst_bytes, const u32 *key,
 *				       u32 *counter, size_t nblocks)
 *
 * Mainline's prototype, for tools written to test it: the same cipher,
 * with the last 32 bytes of dst_bytes as the scratch (the last block's
 * rows 2-3, stored after their last use as scratch) and an owner word that
 * always matches.
 */
SYM_FUNC_START(__arch_chacha20_blocks_nostack)
	mov	NBLOCKS, SCRATCH
	shl	$6, SCRATCH
	lea	-32(DST, SCRATCH), SCRATCH
	lea	.Lalways_owned(%rip), OWNER
	mov	(OWNER), TOKEN
	jmp	.Lstart
SYM_FUNC_END(__arch_chacha20_blocks_nostack)
