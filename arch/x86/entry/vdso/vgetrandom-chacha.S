/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ChaCha20 keystream for the vDSO getrandom(), without touching the stack.
 *
 * Four paths, chosen when the vDSO image is patched at boot. SSE2, which
 * runs on every x86_64, computes three blocks at once and AVX2 six; both
 * keep each block in four registers, one row of four words per register
 * (AVX2: two blocks, one per 128-bit half), and turn the rows between the
 * column and the diagonal rounds with pshufd. That takes twelve registers
 * for the words, one for the rotations' scratch and two for the key rows
 * of the feed-forward: nothing has to be parked outside the registers.
 * AVX-512VL computes eight blocks at once with one block per 32-bit lane
 * (register n holds word n of every block), which needs sixteen registers
 * for the words and its seventeenth, %ymm16, for the transposes; on CPUs
 * whose clock does not drop after 512-bit work (X86_FEATURE_ZMM_FAST) it
 * computes sixteen at once in ZMM registers while more than eight are
 * left.
 *
 * No path writes anything but final output to memory: not the stack
 * (key-derived data there would outlive the call and be copied into fork
 * children), not the caller's buffer (others may watch or write it), and
 * not the getrandom state (a handler that took the state over after a drop
 * would hand out what a store that landed there late left behind). The
 * key and the constants are reloaded from memory for the feed-forward, or
 * kept in spare registers, rather than saved anywhere.
 *
 * The state is MAP_DROPPABLE memory: it can turn into zeroes at any moment,
 * and a signal handler on the same thread may then take it over. So the
 * caller's ownership token is checked after every read of the key and
 * before the stores of every block: blocks of a zero key, or of a key that
 * is no longer the caller's, are never stored anywhere.
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
/* Row 0 of a block, "expand 32-byte k", for each 128-bit half. */
.Lsigma_row:
	.long	0x61707865, 0x3320646e, 0x79622d32, 0x6b206574
	.long	0x61707865, 0x3320646e, 0x79622d32, 0x6b206574
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
/*
 * Row 3 of blocks 2g and 2g + 1 (AVX2): the counter as a 64-bit word, then
 * the zero nonce, in each 128-bit half; added to [counter, 0, counter, 0].
 */
.Lrow3_01:
	.quad	0, 0, 1, 0
.Lrow3_23:
	.quad	2, 0, 3, 0
.Lrow3_45:
	.quad	4, 0, 5, 0
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
#define OWNER		%r8
#define TOKEN		%r9
#define CTR		%r11
/* The round counter, and outside the rounds a temporary. */
#define ROUNDS		%eax
#define TMP		%rax

/* Go to fail unless the caller still owns the state. */
.macro OWNED fail
	cmp	TOKEN, (OWNER)
	jne	\fail
.endm

/*
 * SSE2 and AVX2, by register number: block b (AVX2: blocks 2b and 2b + 1)
 * sits in registers 4b..4b+3, rows 0..3; %xmm12 is the rotations' scratch,
 * %xmm13 and %xmm14 hold key rows 1 and 2, %xmm15 (AVX2) the counters.
 */

/* x <<<= n on every lane of %xmm\x, with %xmm12 as scratch. */
.macro ROT x, n
	.if \n == 16
	/* Swap the 16-bit halves of each lane: needs no scratch. */
	pshuflw	$0xb1, %xmm\x, %xmm\x
	pshufhw	$0xb1, %xmm\x, %xmm\x
	.else
	movdqa	%xmm\x, %xmm12
	pslld	$\n, %xmm\x
	psrld	$(32 - \n), %xmm12
	por	%xmm12, %xmm\x
	.endif
.endm

/*
 * One step of a quarter round on the rows of the three blocks, interleaved
 * so that the three dependency chains overlap: a += b; d ^= a; d <<<= n,
 * then (the second macro) c += d; b ^= c; b <<<= n.
 */
.macro QSTEP_AD n
	paddd	%xmm1, %xmm0
	paddd	%xmm5, %xmm4
	paddd	%xmm9, %xmm8
	pxor	%xmm0, %xmm3
	ROT	3, \n
	pxor	%xmm4, %xmm7
	ROT	7, \n
	pxor	%xmm8, %xmm11
	ROT	11, \n
.endm

.macro QSTEP_CB n
	paddd	%xmm3, %xmm2
	paddd	%xmm7, %xmm6
	paddd	%xmm11, %xmm10
	pxor	%xmm2, %xmm1
	ROT	1, \n
	pxor	%xmm6, %xmm5
	ROT	5, \n
	pxor	%xmm10, %xmm9
	ROT	9, \n
.endm

/*
 * Turn rows 1, 2 and 3 of each block left by the given pshufd orders:
 * 0x39, 0x4e, 0x93 puts the diagonals in the columns, 0x93, 0x4e, 0x39
 * puts them back.
 */
.macro TURN r1, r2, r3
	.irp x, 1, 5, 9
	pshufd	$\r1, %xmm\x, %xmm\x
	.endr
	.irp x, 2, 6, 10
	pshufd	$\r2, %xmm\x, %xmm\x
	.endr
	.irp x, 3, 7, 11
	pshufd	$\r3, %xmm\x, %xmm\x
	.endr
.endm

/* Store block b of the group, rows in r0..r3, if it was asked for. */
.macro STORE b, r0, r1, r2, r3
	.if \b
	cmp	$\b, NBLOCKS
	je	.Lsse2_stored
	.endif
	OWNED	.Lnot_owned
	movdqu	%xmm\r0, (64 * \b)(DST)
	movdqu	%xmm\r1, (64 * \b + 16)(DST)
	movdqu	%xmm\r2, (64 * \b + 32)(DST)
	movdqu	%xmm\r3, (64 * \b + 48)(DST)
.endm

/* The same for AVX2, on the YMM registers. */
.macro ROTV x, n
	.if \n == 16
	vpshufb	.Lrot16(%rip), %ymm\x, %ymm\x
	.elseif \n == 8
	vpshufb	.Lrot8(%rip), %ymm\x, %ymm\x
	.else
	vpslld	$\n, %ymm\x, %ymm12
	vpsrld	$(32 - \n), %ymm\x, %ymm\x
	vpor	%ymm12, %ymm\x, %ymm\x
	.endif
.endm

.macro QSTEPV_AD n
	vpaddd	%ymm1, %ymm0, %ymm0
	vpaddd	%ymm5, %ymm4, %ymm4
	vpaddd	%ymm9, %ymm8, %ymm8
	vpxor	%ymm0, %ymm3, %ymm3
	ROTV	3, \n
	vpxor	%ymm4, %ymm7, %ymm7
	ROTV	7, \n
	vpxor	%ymm8, %ymm11, %ymm11
	ROTV	11, \n
.endm

.macro QSTEPV_CB n
	vpaddd	%ymm3, %ymm2, %ymm2
	vpaddd	%ymm7, %ymm6, %ymm6
	vpaddd	%ymm11, %ymm10, %ymm10
	vpxor	%ymm2, %ymm1, %ymm1
	ROTV	1, \n
	vpxor	%ymm6, %ymm5, %ymm5
	ROTV	5, \n
	vpxor	%ymm10, %ymm9, %ymm9
	ROTV	9, \n
.endm

/* vpshufd works within each 128-bit half: both blocks turn alike. */
.macro TURNV r1, r2, r3
	.irp x, 1, 5, 9
	vpshufd	$\r1, %ymm\x, %ymm\x
	.endr
	.irp x, 2, 6, 10
	vpshufd	$\r2, %ymm\x, %ymm\x
	.endr
	.irp x, 3, 7, 11
	vpshufd	$\r3, %ymm\x, %ymm\x
	.endr
.endm

/*
 * Store blocks 2b and 2b + 1 of the group (the low and the high halves of
 * registers r0..r3), each only if it was asked for.
 */
.macro STOREV b, r0, r1, r2, r3
	.if \b
	cmp	$(2 * \b), NBLOCKS
	je	.Lavx2_stored
	.endif
	OWNED	.Lavx2_not_owned
	vmovdqu	%xmm\r0, (128 * \b)(DST)
	vmovdqu	%xmm\r1, (128 * \b + 16)(DST)
	vmovdqu	%xmm\r2, (128 * \b + 32)(DST)
	vmovdqu	%xmm\r3, (128 * \b + 48)(DST)
	cmp	$(2 * \b + 1), NBLOCKS
	je	.Lavx2_stored
	OWNED	.Lavx2_not_owned
	vextracti128 $1, %ymm\r0, (128 * \b + 64)(DST)
	vextracti128 $1, %ymm\r1, (128 * \b + 80)(DST)
	vextracti128 $1, %ymm\r2, (128 * \b + 96)(DST)
	vextracti128 $1, %ymm\r3, (128 * \b + 112)(DST)
.endm

/*
 * bool __arch_chacha20_blocks_owned(u8 *dst_bytes, const u32 *key,
 *				     u32 *counter, size_t nblocks,
 *				     const unsigned long *owner,
 *				     unsigned long token)
 *
 * Writes nblocks * 64 bytes of ChaCha20 stream to dst_bytes (which must not
 * overlap key or counter) and advances the 64-bit counter by nblocks, as
 * long as *owner == token; returns false, with nothing more stored, once
 * it is not. A last group of fewer blocks than the path computes at once
 * is computed whole but only the blocks asked for are stored.
 */
SYM_FUNC_START(__arch_chacha20_blocks_owned)
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

/* AVX2: six blocks, two per register, as SSE2 does three (below). */
.Lavx2_group:
	vbroadcasti128 0(KEY), %ymm13
	vbroadcasti128 16(KEY), %ymm14
	/* A key read after a drop would be zeroes, or another call's. */
	OWNED	.Lavx2_not_owned
	/* %ymm15 := [CTR, 0, CTR, 0]: the base of every row 3. */
	vmovq	CTR, %xmm15
	vpermq	$0x44, %ymm15, %ymm15
	vbroadcasti128 .Lsigma_row(%rip), %ymm0
	vmovdqa	%ymm13, %ymm1
	vmovdqa	%ymm14, %ymm2
	vpaddq	.Lrow3_01(%rip), %ymm15, %ymm3
	vmovdqa	%ymm0, %ymm4
	vmovdqa	%ymm13, %ymm5
	vmovdqa	%ymm14, %ymm6
	vpaddq	.Lrow3_23(%rip), %ymm15, %ymm7
	vmovdqa	%ymm0, %ymm8
	vmovdqa	%ymm13, %ymm9
	vmovdqa	%ymm14, %ymm10
	vpaddq	.Lrow3_45(%rip), %ymm15, %ymm11

	mov	$10, ROUNDS
.Lavx2_doubleround:
	QSTEPV_AD 16
	QSTEPV_CB 12
	QSTEPV_AD 8
	QSTEPV_CB 7
	TURNV	0x39, 0x4e, 0x93
	QSTEPV_AD 16
	QSTEPV_CB 12
	QSTEPV_AD 8
	QSTEPV_CB 7
	TURNV	0x93, 0x4e, 0x39
	dec	ROUNDS
	jnz	.Lavx2_doubleround

	/* Feed-forward: the rows as they went in. */
	vbroadcasti128 .Lsigma_row(%rip), %ymm12
	.irp x, 0, 4, 8
	vpaddd	%ymm12, %ymm\x, %ymm\x
	.endr
	.irp x, 1, 5, 9
	vpaddd	%ymm13, %ymm\x, %ymm\x
	.endr
	.irp x, 2, 6, 10
	vpaddd	%ymm14, %ymm\x, %ymm\x
	.endr
	vpaddq	.Lrow3_01(%rip), %ymm15, %ymm12
	vpaddd	%ymm12, %ymm3, %ymm3
	vpaddq	.Lrow3_23(%rip), %ymm15, %ymm12
	vpaddd	%ymm12, %ymm7, %ymm7
	vpaddq	.Lrow3_45(%rip), %ymm15, %ymm12
	vpaddd	%ymm12, %ymm11, %ymm11

	STOREV	0, 0, 1, 2, 3
	STOREV	1, 4, 5, 6, 7
	STOREV	2, 8, 9, 10, 11
.Lavx2_stored:
	cmp	$6, NBLOCKS
	jbe	.Lavx2_last
	add	$6, CTR
	sub	$6, NBLOCKS
	add	$384, DST
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
 * lo, hi := low and high words of the 64-bit counters CTR + 0..7, in lane
 * order; t is scratch (all by register number). vshufps works within
 * 128-bit halves, which leaves the lanes in the order 0 1 4 5 | 2 3 6 7,
 * hence the vpermq.
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

/*
 * AVX-512VL: eight blocks, one in each 32-bit lane of %ymm0-15, with
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
 * number), unless fewer blocks were asked for, and only while the state is
 * still the caller's. A lane goes to memory
 * without a shuffle: vextracti32x4 to memory takes only the store ports,
 * where a transpose across lanes would take the shuffle port that the
 * rounds need, for 7% of the bulk rate.
 */
.macro STOREB n, l, r0, r1, r2, r3
	.if \n
	cmp	$\n, NBLOCKS
	je	.Lzmm_stored
	.endif
	OWNED	.Lavx512_not_owned
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

/*
 * SSE2: three blocks, block b in %xmm(4b)..%xmm(4b+3), one row per
 * register. The key rows stay in %xmm13 and %xmm14 for the feed-forward.
 */
.Lgroup:
	movdqu	0(KEY), %xmm13
	movdqu	16(KEY), %xmm14
	/* A key read after a drop would be zeroes, or another call's. */
	OWNED	.Lnot_owned
	movdqa	.Lsigma_row(%rip), %xmm0
	movdqa	%xmm13, %xmm1
	movdqa	%xmm14, %xmm2
	/* Row 3: the 64-bit counter, then the zero nonce. */
	movq	CTR, %xmm3
	movdqa	%xmm0, %xmm4
	movdqa	%xmm13, %xmm5
	movdqa	%xmm14, %xmm6
	lea	1(CTR), TMP
	movq	TMP, %xmm7
	movdqa	%xmm0, %xmm8
	movdqa	%xmm13, %xmm9
	movdqa	%xmm14, %xmm10
	lea	2(CTR), TMP
	movq	TMP, %xmm11

	mov	$10, ROUNDS
.Ldoubleround:
	QSTEP_AD 16
	QSTEP_CB 12
	QSTEP_AD 8
	QSTEP_CB 7
	TURN	0x39, 0x4e, 0x93
	QSTEP_AD 16
	QSTEP_CB 12
	QSTEP_AD 8
	QSTEP_CB 7
	TURN	0x93, 0x4e, 0x39
	dec	ROUNDS
	jnz	.Ldoubleround

	/* Feed-forward: the rows as they went in. */
	.irp x, 0, 4, 8
	paddd	.Lsigma_row(%rip), %xmm\x
	.endr
	.irp x, 1, 5, 9
	paddd	%xmm13, %xmm\x
	.endr
	.irp x, 2, 6, 10
	paddd	%xmm14, %xmm\x
	.endr
	movq	CTR, %xmm12
	paddd	%xmm12, %xmm3
	lea	1(CTR), TMP
	movq	TMP, %xmm12
	paddd	%xmm12, %xmm7
	lea	2(CTR), TMP
	movq	TMP, %xmm12
	paddd	%xmm12, %xmm11

	STORE	0, 0, 1, 2, 3
	STORE	1, 4, 5, 6, 7
	STORE	2, 8, 9, 10, 11
.Lsse2_stored:
	cmp	$3, NBLOCKS
	jbe	.Llast
	add	$3, CTR
	sub	$3, NBLOCKS
	add	$192, DST
	jmp	.Lgroup

.Llast:
	add	NBLOCKS, CTR
	mov	$1, %eax
	jmp	.Lclear

.Lnot_owned:
	xor	%eax, %eax
.Lclear:
	/* Leave no key-derived data behind in the registers. */
	.irp x, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	pxor	%xmm\x, %xmm\x
	.endr
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
 * with an owner word that always matches.
 */
SYM_FUNC_START(__arch_chacha20_blocks_nostack)
	lea	.Lalways_owned(%rip), OWNER
	mov	(OWNER), TOKEN
	jmp	.Lstart
SYM_FUNC_END(__arch_chacha20_blocks_nostack)
