/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ChaCha20 keystream for the powerpc64le vDSO getrandom(), without touching
 * the stack: four blocks at once in VMX registers, one block per 32-bit lane
 * (register n holds state word n of the four blocks, block i in word
 * element i). POWER8 (ISA 2.07) VMX and VSX instructions only.
 *
 * The ELFv2 ABI makes v20-v31 and the FPR halves of vs14-vs31 non-volatile,
 * and saving them would take the stack, so only volatile registers are used:
 *
 *	v0-v15		state words 0-15 of the four blocks
 *	v16-v19		rotate counts 16, 12, 8, 7 during the rounds;
 *			scratch for the counters and the feed-forward
 *	vs0, vs1	the key, words 0-3 and 4-7, for the whole call (loaded
 *			once and never re-read, so a state dropped mid-call
 *			cannot change the key under the cipher)
 *	vs2		the constants "expand 32-byte k"
 *	vs3		the lane offsets 0, 1, 2, 3 of the block counter
 *	vs4, vs5	low and high counter words of this group's four blocks
 *	vs6-vs9		scratch of the transposition
 *
 * vs10-vs13 are not used, but cleared with the others: every volatile
 * vector register is zero on return.
 *
 * Every constant is built in registers: there is no data to address, so
 * nothing needs a TOC. Nothing is parked in memory; the key and keystream
 * never pass through a GPR.
 *
 * lxvw4x and stxvw4x move word element i from and to address + 4 * i with
 * the word in the machine's byte order, so on little-endian a u32 array is
 * loaded in order and each stored word is ChaCha20's little-endian output
 * word; both accept any alignment.
 *
 * The state is MAP_DROPPABLE memory that a signal handler may take over
 * after a drop, so the caller's owner token is checked after the key is
 * read and before the stores of every block.
 */

#include <asm/ppc_asm.h>
#include <asm/vdso.h>

/* Arguments, and what is kept in general registers. */
#define DST	r3
#define KEY	r4
#define COUNTER	r5
#define NBLOCKS	r6
#define OWNER	r7
#define TOKEN	r8
#define CTR	r9
#define OFF16	r10
#define OFF32	r11
#define OFF48	r12
#define TMP	r0

/* VSX registers, by number (VMX register n is VSX register 32 + n). */
#define KEY_LO	0
#define KEY_HI	1
#define SIGMA	2
#define LANES	3
#define CTR_LO	4
#define CTR_HI	5

	.text

/*
 * One quarter round on each of four word quadruples at once: words
 * (a_i, b_i, c_i, d_i) for i = 0..3, given by VMX register number. vrlw
 * rotates each word by the low five bits of the matching word of v16-v19.
 */
.macro	qr4 a0, a1, a2, a3, b0, b1, b2, b3, c0, c1, c2, c3, d0, d1, d2, d3
	vadduwm	\a0, \a0, \b0
	vadduwm	\a1, \a1, \b1
	vadduwm	\a2, \a2, \b2
	vadduwm	\a3, \a3, \b3
	vxor	\d0, \d0, \a0
	vxor	\d1, \d1, \a1
	vxor	\d2, \d2, \a2
	vxor	\d3, \d3, \a3
	vrlw	\d0, \d0, 16			/* <<< 16 */
	vrlw	\d1, \d1, 16
	vrlw	\d2, \d2, 16
	vrlw	\d3, \d3, 16

	vadduwm	\c0, \c0, \d0
	vadduwm	\c1, \c1, \d1
	vadduwm	\c2, \c2, \d2
	vadduwm	\c3, \c3, \d3
	vxor	\b0, \b0, \c0
	vxor	\b1, \b1, \c1
	vxor	\b2, \b2, \c2
	vxor	\b3, \b3, \c3
	vrlw	\b0, \b0, 17			/* <<< 12 */
	vrlw	\b1, \b1, 17
	vrlw	\b2, \b2, 17
	vrlw	\b3, \b3, 17

	vadduwm	\a0, \a0, \b0
	vadduwm	\a1, \a1, \b1
	vadduwm	\a2, \a2, \b2
	vadduwm	\a3, \a3, \b3
	vxor	\d0, \d0, \a0
	vxor	\d1, \d1, \a1
	vxor	\d2, \d2, \a2
	vxor	\d3, \d3, \a3
	vrlw	\d0, \d0, 18			/* <<< 8 */
	vrlw	\d1, \d1, 18
	vrlw	\d2, \d2, 18
	vrlw	\d3, \d3, 18

	vadduwm	\c0, \c0, \d0
	vadduwm	\c1, \c1, \d1
	vadduwm	\c2, \c2, \d2
	vadduwm	\c3, \c3, \d3
	vxor	\b0, \b0, \c0
	vxor	\b1, \b1, \c1
	vxor	\b2, \b2, \c2
	vxor	\b3, \b3, \c3
	vrlw	\b0, \b0, 19			/* <<< 7 */
	vrlw	\b1, \b1, 19
	vrlw	\b2, \b2, 19
	vrlw	\b3, \b3, 19
.endm

/* v<dst> = word <word> of VSX register <src> in all four lanes. */
.macro	splat dst, src, word
	xxspltw	32 + \dst, \src, \word
.endm

/* v<dst> += word <word> of VSX register <src>, in all four lanes. */
.macro	addsplat dst, src, word, tmp
	xxspltw	32 + \tmp, \src, \word
	vadduwm	\dst, \dst, \tmp
.endm

/*
 * Four word-sliced registers into one row of 16 bytes per block: on return
 * a, b, c and d hold the row of blocks 0, 1, 2 and 3.
 */
.macro	transpose a, b, c, d
	xxmrghw	6, 32 + \a, 32 + \b		/* a0 b0 a1 b1 */
	xxmrglw	7, 32 + \a, 32 + \b		/* a2 b2 a3 b3 */
	xxmrghw	8, 32 + \c, 32 + \d		/* c0 d0 c1 d1 */
	xxmrglw	9, 32 + \c, 32 + \d		/* c2 d2 c3 d3 */
	xxpermdi 32 + \a, 6, 8, 0		/* a0 b0 c0 d0 */
	xxpermdi 32 + \b, 6, 8, 3		/* a1 b1 c1 d1 */
	xxpermdi 32 + \c, 7, 9, 0		/* a2 b2 c2 d2 */
	xxpermdi 32 + \d, 7, 9, 3		/* a3 b3 c3 d3 */
.endm

/* Go to .Lnot_owned unless the caller still owns the state. */
.macro	owned
	ld	TMP, 0(OWNER)
	cmpld	TMP, TOKEN
	bne	.Lnot_owned
.endm

/*
 * Store the block whose rows are in VMX registers row0-row3, after checking
 * ownership, and count it; cr0 is eq once the last block requested is
 * stored.
 */
.macro	block row0, row1, row2, row3
	owned
	stxvw4x	32 + \row0, 0, DST
	stxvw4x	32 + \row1, OFF16, DST
	stxvw4x	32 + \row2, OFF32, DST
	stxvw4x	32 + \row3, OFF48, DST
	addi	DST, DST, 64
	addi	CTR, CTR, 1
	addi	NBLOCKS, NBLOCKS, -1
	cmpldi	NBLOCKS, 0
.endm

/*
 * bool __arch_chacha20_blocks_owned(u8 *dst_bytes, const u32 *key,
 *				     u32 *counter, size_t nblocks,
 *				     const unsigned long *owner,
 *				     unsigned long token)
 *
 * Writes nblocks * 64 bytes of ChaCha20 stream to dst_bytes and advances
 * the 64-bit counter by nblocks, as long as *owner == token; returns false,
 * with nothing more stored (not even the counter), once it is not.
 */
V_FUNCTION_BEGIN(__arch_chacha20_blocks_owned)
  .cfi_startproc
.Lstart:
	/* counter[0] is the low word, counter[1] the high: a little-endian u64. */
	ld	CTR, 0(COUNTER)
	cmpldi	NBLOCKS, 0
	beq	.Lout

	li	OFF16, 16
	li	OFF32, 32
	li	OFF48, 48
	lxvw4x	KEY_LO, 0, KEY
	lxvw4x	KEY_HI, OFF16, KEY
	/*
	 * A key read after a drop would be zeroes, or another call's: no
	 * need to compute anything with it.
	 */
	owned

	/*
	 * "expa" "nd 3" and "2-by" "te k": mtvsrd sets doubleword 0 (words 0
	 * and 1) of a register, xxpermdi joins two such. vs4 is free until
	 * the first group.
	 */
	lis	TMP, 0x6170
	ori	TMP, TMP, 0x7865
	sldi	TMP, TMP, 32
	oris	TMP, TMP, 0x3320
	ori	TMP, TMP, 0x646e
	mtvsrd	SIGMA, TMP
	lis	TMP, 0x7962
	ori	TMP, TMP, 0x2d32
	sldi	TMP, TMP, 32
	oris	TMP, TMP, 0x6b20
	ori	TMP, TMP, 0x6574
	mtvsrd	CTR_LO, TMP
	xxpermdi SIGMA, SIGMA, CTR_LO, 0
	/* 0, 1, 2, 3: what each lane adds to the group's first counter. */
	li	TMP, 1
	mtvsrd	LANES, TMP
	li	TMP, 2
	sldi	TMP, TMP, 32
	ori	TMP, TMP, 3
	mtvsrd	CTR_LO, TMP
	xxpermdi LANES, LANES, CTR_LO, 0

.Lgroup:
	splat	0, SIGMA, 0
	splat	1, SIGMA, 1
	splat	2, SIGMA, 2
	splat	3, SIGMA, 3
	splat	4, KEY_LO, 0
	splat	5, KEY_LO, 1
	splat	6, KEY_LO, 2
	splat	7, KEY_LO, 3
	splat	8, KEY_HI, 0
	splat	9, KEY_HI, 1
	splat	10, KEY_HI, 2
	splat	11, KEY_HI, 3

	/*
	 * Words 12 and 13, the 64-bit counters CTR + 0..3: the low words
	 * wrap where a lane crosses 2^32, and that lane's high word takes
	 * the carry (vcmpgtuw gives it as -1).
	 */
	mtvsrwz	32 + 16, CTR
	splat	16, 32 + 16, 1
	srdi	TMP, CTR, 32
	mtvsrwz	32 + 17, TMP
	splat	17, 32 + 17, 1
	xxlor	32 + 18, LANES, LANES
	vadduwm	12, 16, 18
	vcmpgtuw 18, 16, 12
	vsubuwm	13, 17, 18
	xxlor	CTR_LO, 32 + 12, 32 + 12
	xxlor	CTR_HI, 32 + 13, 32 + 13
	/* The nonce, words 14 and 15, is zero. */
	vxor	14, 14, 14
	vxor	15, 15, 15

	/* Rotate counts; vrlw uses the low five bits, so -16 is 16. */
	vspltisw 16, -16
	vspltisw 17, 12
	vspltisw 18, 8
	vspltisw 19, 7

	li	TMP, 10
	mtctr	TMP
.Ldoubleround:
	/* Columns: (0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15). */
	qr4	0, 1, 2, 3,  4, 5, 6, 7,  8, 9, 10, 11,  12, 13, 14, 15
	/* Diagonals: (0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14). */
	qr4	0, 1, 2, 3,  5, 6, 7, 4,  10, 11, 8, 9,  15, 12, 13, 14
	bdnz	.Ldoubleround

	/* Feed-forward: the constants, the key from registers, the counters. */
	addsplat 0, SIGMA, 0, 16
	addsplat 1, SIGMA, 1, 17
	addsplat 2, SIGMA, 2, 18
	addsplat 3, SIGMA, 3, 19
	addsplat 4, KEY_LO, 0, 16
	addsplat 5, KEY_LO, 1, 17
	addsplat 6, KEY_LO, 2, 18
	addsplat 7, KEY_LO, 3, 19
	addsplat 8, KEY_HI, 0, 16
	addsplat 9, KEY_HI, 1, 17
	addsplat 10, KEY_HI, 2, 18
	addsplat 11, KEY_HI, 3, 19
	xxlor	32 + 16, CTR_LO, CTR_LO
	xxlor	32 + 17, CTR_HI, CTR_HI
	vadduwm	12, 12, 16
	vadduwm	13, 13, 17

	/* Into rows: block i's end up in v<i>, v<4 + i>, v<8 + i>, v<12 + i>. */
	transpose 0, 1, 2, 3
	transpose 4, 5, 6, 7
	transpose 8, 9, 10, 11
	transpose 12, 13, 14, 15

	block	0, 4, 8, 12
	beq	.Ldone
	block	1, 5, 9, 13
	beq	.Ldone
	block	2, 6, 10, 14
	beq	.Ldone
	block	3, 7, 11, 15
	bne	.Lgroup

.Ldone:
	li	TMP, 1
	b	.Lclear

.Lnot_owned:
	li	TMP, 0
.Lclear:
	/*
	 * Leave no key-derived data behind in the registers: every volatile
	 * vector register is zero on return, whatever it held before.
	 */
	vxor	0, 0, 0
	vxor	1, 1, 1
	vxor	2, 2, 2
	vxor	3, 3, 3
	vxor	4, 4, 4
	vxor	5, 5, 5
	vxor	6, 6, 6
	vxor	7, 7, 7
	vxor	8, 8, 8
	vxor	9, 9, 9
	vxor	10, 10, 10
	vxor	11, 11, 11
	vxor	12, 12, 12
	vxor	13, 13, 13
	vxor	14, 14, 14
	vxor	15, 15, 15
	vxor	16, 16, 16
	vxor	17, 17, 17
	vxor	18, 18, 18
	vxor	19, 19, 19
	xxlxor	0, 0, 0
	xxlxor	1, 1, 1
	xxlxor	2, 2, 2
	xxlxor	3, 3, 3
	xxlxor	4, 4, 4
	xxlxor	5, 5, 5
	xxlxor	6, 6, 6
	xxlxor	7, 7, 7
	xxlxor	8, 8, 8
	xxlxor	9, 9, 9
	xxlxor	10, 10, 10
	xxlxor	11, 11, 11
	xxlxor	12, 12, 12
	xxlxor	13, 13, 13
	cmpldi	TMP, 0
	beq	.Lfailed
.Lout:
	std	CTR, 0(COUNTER)
	li	r3, 1
	blr
.Lfailed:
	li	r3, 0
	blr
  .cfi_endproc
V_FUNCTION_END(__arch_chacha20_blocks_owned)

/*
 * void __arch_chacha20_blocks_nostack(u8 *dst_bytes, const u32 *key,
 *				       u32 *counter, size_t nblocks)
 *
 * Mainline's prototype, for tools written to test it: the same cipher,
 * with an owner word that always matches. The counter serves (as 64 bits,
 * so its own value is the token): it does not overlap dst_bytes, and it is
 * written only after the last check.
 */
V_FUNCTION_BEGIN(__arch_chacha20_blocks_nostack)
  .cfi_startproc
	mr	OWNER, COUNTER
	ld	TOKEN, 0(COUNTER)
	b	.Lstart
  .cfi_endproc
V_FUNCTION_END(__arch_chacha20_blocks_nostack)
