/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ChaCha20 keystream for the arm64 vDSO getrandom(), without touching the
 * stack: four blocks at once in NEON registers, one block per 32-bit lane
 * (register n holds state word n of the four blocks).
 *
 * The AAPCS64 makes the low halves of v8-v15 callee-saved, and saving them
 * would take the stack, so only v0-v7 and v16-v31 are used: state words
 * 0-7 in v0-v7 and 8-15 in v16-v23, the key in v24-v25 for the whole call
 * (loaded once and never re-read, so a state dropped mid-call cannot
 * change the key under the cipher), scratch in v26-v29, the constants in
 * v31 and the rotate-by-8 table in v30. Nothing is parked in memory.
 *
 * The state is MAP_DROPPABLE memory that a signal handler may take over
 * after a drop, so the caller's owner token is checked after the key is
 * read and before every row of output is stored.
 */

#include <linux/linkage.h>
#include <asm/assembler.h>

	.section	.rodata, "a"
	.align	4
.Lsigma:
	.word	0x61707865, 0x3320646e, 0x79622d32, 0x6b206574	/* "expand 32-byte k" */
.Lctr01:
	.quad	0, 1
.Lctr23:
	.quad	2, 3
/* tbl indices rotating each 32-bit lane left by 8 bits */
.Lrot8:
	.byte	3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14
/* The owner word of __arch_chacha20_blocks_nostack(), which owns nothing. */
.Lalways_owned:
	.quad	1

	.text

/* Arguments, and what is kept in general registers. */
DST	.req	x0
KEY	.req	x1
COUNTER	.req	x2
NBLOCKS	.req	x3
OWNER	.req	x4
TOKEN	.req	x5
CTR	.req	x7
ROUNDS	.req	w8
TMP	.req	x9
ADDR	.req	x10

/* Go to .Lnot_owned unless the caller still owns the state. */
.macro	owned
	ldr	TMP, [OWNER]
	cmp	TMP, TOKEN
	b.ne	.Lnot_owned
.endm

/*
 * One quarter round on each of four word quadruples at once: words
 * (a_i, b_i, c_i, d_i) for i = 0..3, given by register number.
 */
.macro	qr4 a0, a1, a2, a3, b0, b1, b2, b3, c0, c1, c2, c3, d0, d1, d2, d3
	add	v\a0\().4s, v\a0\().4s, v\b0\().4s
	add	v\a1\().4s, v\a1\().4s, v\b1\().4s
	add	v\a2\().4s, v\a2\().4s, v\b2\().4s
	add	v\a3\().4s, v\a3\().4s, v\b3\().4s
	eor	v\d0\().16b, v\d0\().16b, v\a0\().16b
	eor	v\d1\().16b, v\d1\().16b, v\a1\().16b
	eor	v\d2\().16b, v\d2\().16b, v\a2\().16b
	eor	v\d3\().16b, v\d3\().16b, v\a3\().16b
	rev32	v\d0\().8h, v\d0\().8h			/* <<< 16 */
	rev32	v\d1\().8h, v\d1\().8h
	rev32	v\d2\().8h, v\d2\().8h
	rev32	v\d3\().8h, v\d3\().8h

	add	v\c0\().4s, v\c0\().4s, v\d0\().4s
	add	v\c1\().4s, v\c1\().4s, v\d1\().4s
	add	v\c2\().4s, v\c2\().4s, v\d2\().4s
	add	v\c3\().4s, v\c3\().4s, v\d3\().4s
	eor	v26.16b, v\b0\().16b, v\c0\().16b
	eor	v27.16b, v\b1\().16b, v\c1\().16b
	eor	v28.16b, v\b2\().16b, v\c2\().16b
	eor	v29.16b, v\b3\().16b, v\c3\().16b
	shl	v\b0\().4s, v26.4s, #12			/* <<< 12 */
	shl	v\b1\().4s, v27.4s, #12
	shl	v\b2\().4s, v28.4s, #12
	shl	v\b3\().4s, v29.4s, #12
	sri	v\b0\().4s, v26.4s, #20
	sri	v\b1\().4s, v27.4s, #20
	sri	v\b2\().4s, v28.4s, #20
	sri	v\b3\().4s, v29.4s, #20

	add	v\a0\().4s, v\a0\().4s, v\b0\().4s
	add	v\a1\().4s, v\a1\().4s, v\b1\().4s
	add	v\a2\().4s, v\a2\().4s, v\b2\().4s
	add	v\a3\().4s, v\a3\().4s, v\b3\().4s
	eor	v\d0\().16b, v\d0\().16b, v\a0\().16b
	eor	v\d1\().16b, v\d1\().16b, v\a1\().16b
	eor	v\d2\().16b, v\d2\().16b, v\a2\().16b
	eor	v\d3\().16b, v\d3\().16b, v\a3\().16b
	tbl	v\d0\().16b, {v\d0\().16b}, v30.16b	/* <<< 8 */
	tbl	v\d1\().16b, {v\d1\().16b}, v30.16b
	tbl	v\d2\().16b, {v\d2\().16b}, v30.16b
	tbl	v\d3\().16b, {v\d3\().16b}, v30.16b

	add	v\c0\().4s, v\c0\().4s, v\d0\().4s
	add	v\c1\().4s, v\c1\().4s, v\d1\().4s
	add	v\c2\().4s, v\c2\().4s, v\d2\().4s
	add	v\c3\().4s, v\c3\().4s, v\d3\().4s
	eor	v26.16b, v\b0\().16b, v\c0\().16b
	eor	v27.16b, v\b1\().16b, v\c1\().16b
	eor	v28.16b, v\b2\().16b, v\c2\().16b
	eor	v29.16b, v\b3\().16b, v\c3\().16b
	shl	v\b0\().4s, v26.4s, #7			/* <<< 7 */
	shl	v\b1\().4s, v27.4s, #7
	shl	v\b2\().4s, v28.4s, #7
	shl	v\b3\().4s, v29.4s, #7
	sri	v\b0\().4s, v26.4s, #25
	sri	v\b1\().4s, v27.4s, #25
	sri	v\b2\().4s, v28.4s, #25
	sri	v\b3\().4s, v29.4s, #25
.endm

/*
 * lo, hi := low and high words of the 64-bit counters CTR + 0..3; v26-v28
 * are scratch, so lo and hi must not be v26 or v27.
 */
.macro	counters lo, hi
	adr	ADDR, .Lctr01
	ld1	{v26.2d, v27.2d}, [ADDR]
	dup	v28.2d, CTR
	add	v26.2d, v26.2d, v28.2d
	add	v27.2d, v27.2d, v28.2d
	uzp1	v\lo\().4s, v26.4s, v27.4s
	uzp2	v\hi\().4s, v26.4s, v27.4s
.endm

/*
 * Four word-sliced registers into one row of 16 bytes per block: on return
 * a, b, c and d hold the row of blocks 0, 1, 2 and 3.
 */
.macro	transpose a, b, c, d
	trn1	v26.4s, v\a\().4s, v\b\().4s
	trn2	v27.4s, v\a\().4s, v\b\().4s
	trn1	v28.4s, v\c\().4s, v\d\().4s
	trn2	v29.4s, v\c\().4s, v\d\().4s
	trn1	v\a\().2d, v26.2d, v28.2d
	trn1	v\b\().2d, v27.2d, v29.2d
	trn2	v\c\().2d, v26.2d, v28.2d
	trn2	v\d\().2d, v27.2d, v29.2d
.endm

/* Store row off of the blocks requested, after checking ownership. */
.macro	store off, a, b, c, d
	owned
	str	q\a, [DST, #\off]
	cmp	NBLOCKS, #2
	b.lo	.Lstored\@
	str	q\b, [DST, #(64 + \off)]
	b.eq	.Lstored\@
	str	q\c, [DST, #(128 + \off)]
	cmp	NBLOCKS, #3
	b.eq	.Lstored\@
	str	q\d, [DST, #(192 + \off)]
.Lstored\@:
.endm

/* v<dst> += lane <lane> of v<src>, in all four lanes; v29 is scratch. */
.macro	addlane dst, src, lane
	dup	v29.4s, v\src\().s[\lane]
	add	v\dst\().4s, v\dst\().4s, v29.4s
.endm

/*
 * bool __arch_chacha20_blocks_owned(u8 *dst_bytes, const u32 *key,
 *				     u32 *counter, size_t nblocks,
 *				     const unsigned long *owner,
 *				     unsigned long token)
 *
 * Writes nblocks * 64 bytes of ChaCha20 stream to dst_bytes and advances
 * the 64-bit counter by nblocks, as long as *owner == token; returns false,
 * with nothing more stored, once it is not. 24 usable vector registers
 * hold everything: nothing is parked in memory.
 */
SYM_FUNC_START(__arch_chacha20_blocks_owned)
.Lstart:
	/* counter[0] is the low word, counter[1] the high: a little-endian u64. */
	ldr	CTR, [COUNTER]
	cbz	NBLOCKS, .Lout
	ld1	{v24.4s, v25.4s}, [KEY]
	/* A key read after a drop would be zeroes, or another call's. */
	owned
	adr	ADDR, .Lrot8
	ld1	{v30.16b}, [ADDR]

.Lgroup:
	adr	ADDR, .Lsigma
	ld1	{v31.4s}, [ADDR]
	dup	v0.4s, v31.s[0]
	dup	v1.4s, v31.s[1]
	dup	v2.4s, v31.s[2]
	dup	v3.4s, v31.s[3]
	dup	v4.4s, v24.s[0]
	dup	v5.4s, v24.s[1]
	dup	v6.4s, v24.s[2]
	dup	v7.4s, v24.s[3]
	dup	v16.4s, v25.s[0]
	dup	v17.4s, v25.s[1]
	dup	v18.4s, v25.s[2]
	dup	v19.4s, v25.s[3]
	counters 20, 21
	/* The nonce, words 14 and 15, is zero. */
	movi	v22.16b, #0
	movi	v23.16b, #0

	mov	ROUNDS, #10
.Ldoubleround:
	/* Columns: (0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15). */
	qr4	0, 1, 2, 3,  4, 5, 6, 7,  16, 17, 18, 19,  20, 21, 22, 23
	/* Diagonals: (0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14). */
	qr4	0, 1, 2, 3,  5, 6, 7, 4,  18, 19, 16, 17,  23, 20, 21, 22
	subs	ROUNDS, ROUNDS, #1
	b.ne	.Ldoubleround

	/* Feed-forward: the constants, the key from registers, the counters. */
	addlane	0, 31, 0
	addlane	1, 31, 1
	addlane	2, 31, 2
	addlane	3, 31, 3
	addlane	4, 24, 0
	addlane	5, 24, 1
	addlane	6, 24, 2
	addlane	7, 24, 3
	addlane	16, 25, 0
	addlane	17, 25, 1
	addlane	18, 25, 2
	addlane	19, 25, 3
	counters 28, 29
	add	v20.4s, v20.4s, v28.4s
	add	v21.4s, v21.4s, v29.4s

	transpose 0, 1, 2, 3
	store	0, 0, 1, 2, 3
	transpose 4, 5, 6, 7
	store	16, 4, 5, 6, 7
	transpose 16, 17, 18, 19
	store	32, 16, 17, 18, 19
	transpose 20, 21, 22, 23
	store	48, 20, 21, 22, 23

	cmp	NBLOCKS, #4
	b.ls	.Llast
	add	CTR, CTR, #4
	sub	NBLOCKS, NBLOCKS, #4
	add	DST, DST, #256
	b	.Lgroup

.Llast:
	add	CTR, CTR, NBLOCKS
	mov	w11, #1
	b	.Lclear

.Lnot_owned:
	mov	w11, #0
.Lclear:
	/* Leave no key-derived data behind in the registers. */
	movi	v0.16b, #0
	movi	v1.16b, #0
	movi	v2.16b, #0
	movi	v3.16b, #0
	movi	v4.16b, #0
	movi	v5.16b, #0
	movi	v6.16b, #0
	movi	v7.16b, #0
	movi	v16.16b, #0
	movi	v17.16b, #0
	movi	v18.16b, #0
	movi	v19.16b, #0
	movi	v20.16b, #0
	movi	v21.16b, #0
	movi	v22.16b, #0
	movi	v23.16b, #0
	movi	v24.16b, #0
	movi	v25.16b, #0
	movi	v26.16b, #0
	movi	v27.16b, #0
	movi	v28.16b, #0
	movi	v29.16b, #0
	movi	v30.16b, #0
	movi	v31.16b, #0
	cbz	w11, .Lfailed
.Lout:
	str	CTR, [COUNTER]
	mov	w0, #1
	ret
.Lfailed:
	mov	w0, #0
	ret
SYM_FUNC_END(__arch_chacha20_blocks_owned)

/*
 * void __arch_chacha20_blocks_nostack(u8 *dst_bytes, const u32 *key,
 *				       u32 *counter, size_t nblocks)
 *
 * Mainline's prototype, for tools written to test it: the same cipher,
 * with an owner word that always matches.
 */
SYM_FUNC_START(__arch_chacha20_blocks_nostack)
	adr	OWNER, .Lalways_owned
	ldr	TOKEN, [OWNER]
	b	.Lstart
SYM_FUNC_END(__arch_chacha20_blocks_nostack)

emit_aarch64_feature_1_and
