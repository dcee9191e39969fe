/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ChaCha20 keystream for the s390x vDSO getrandom(), without touching the
 * stack: four blocks at once in z13 vector registers, one block per 32-bit
 * element (register n holds state word n of the four blocks, block i in
 * element i).  Vector facility instructions only, through the kernel's
 * vx-insn.h macros.
 *
 * The ELF ABI makes f8-f15, the leftmost halves of v8-v15, call-saved, and
 * saving them would take the stack, so only v0-v7 and v16-v31 are used:
 *
 *	v0-v7, v16-v23	state words 0-7 and 8-15 of the four blocks
 *	v24, v25	the key, words 0-3 and 4-7, for the whole call (loaded
 *			once and never re-read, so a state dropped mid-call
 *			cannot change the key under the cipher)
 *	v26		the constants "expand 32-byte k"
 *	v27, v28	low and high counter words of this group's four blocks;
 *			after the feed-forward, scratch of the transposition
 *	v29		the element offsets 0, 1, 2, 3 of the block counter
 *	v30, v31	byte selectors of the transposition
 *
 * Every one of them is zero on return; v8-v15 are never touched.
 *
 * s390x is big-endian and ChaCha20 is defined on little-endian words: the
 * key (eight words in the byte order of the bytes they were cut from) is
 * byte-swapped word by word when loaded, and every output word is
 * byte-swapped by the same VPERM that gathers it into its block's row, so
 * the bytes stored are ChaCha20's.  The counter is two native u32 words,
 * low then high.
 *
 * The state is MAP_DROPPABLE memory that a signal handler may take over
 * after a drop, so the owned entry checks the caller's token after the key
 * is read and before the stores of every block.  Both entries are the same
 * code (a macro), the owned one with those checks: the ABI passes five
 * arguments in r2-r6 and the sixth, the token, in the caller's parameter
 * area at 160(%r15), which is only read; r6, call-saved, is only read.
 * General registers of the owned entry:
 *
 *	r0	the 64-bit block counter of the next block to store
 *	r1	the token
 *	r2	where the next block goes
 *	r3	the key, then the constants, then the double-round count
 *	r4	the counter (read at the start, written at the end)
 *	r5	blocks still to store
 *	r6	the owner word
 *
 * Nothing is parked in memory; the key and the keystream never pass
 * through a general register.
 */

#include <asm/dwarf.h>
#include <asm/vx-insn.h>

/* VECTOR ADD COMPUTE CARRY, word elements: each element's carry, 0 or 1. */
.macro	VACCF	vr1, vr2, vr3
	VX_NUM	v1, \vr1
	VX_NUM	v2, \vr2
	VX_NUM	v3, \vr3
	.word	0xE700 | ((v1&15) << 4) | (v2&15)
	.word	((v3&15) << 12)
	MRXBOPC	2, 0xF1, v1, v2, v3
.endm

#define KEY0	%v24
#define KEY1	%v25
#define SIGMA	%v26
#define CTRLO	%v27
#define CTRHI	%v28
#define LANES	%v29
#define SELHI	%v30
#define SELLO	%v31
/* Before the constants are loaded: the key's byte swap. */
#define BSWAP	%v27
/* After the feed-forward. */
#define T0	%v27
#define T1	%v28

	.section .rodata
	.balign	16
.Lconstants:
	/* v26: "expa" "nd 3" "2-by" "te k" as numbers. */
	.long	0x61707865, 0x3320646e, 0x79622d32, 0x6b206574
	/* v27: each word's bytes reversed. */
	.byte	3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12
	/* v28: not used (VLM loads it; the counters overwrite it). */
	.long	0, 0, 0, 0
	/* v29: what each element adds to the group's first counter. */
	.long	0, 1, 2, 3
	/*
	 * v30, v31: from a b and c d, where a holds words 0 and 1 of two
	 * blocks' row (a0 b0 a1 b1) and c words 2 and 3 (c0 d0 c1 d1), the
	 * row of the first block (a0 b0 c0 d0) and of the second (a1 b1 c1
	 * d1), each word byte-reversed into ChaCha20's little-endian order.
	 */
	.byte	3, 2, 1, 0, 7, 6, 5, 4, 19, 18, 17, 16, 23, 22, 21, 20
	.byte	11, 10, 9, 8, 15, 14, 13, 12, 27, 26, 25, 24, 31, 30, 29, 28

	.text

/*
 * One quarter round on each of four word quadruples at once: words
 * (a_i, b_i, c_i, d_i) for i = 0..3, four blocks in each register.
 */
.macro	qr4 a0, a1, a2, a3, b0, b1, b2, b3, c0, c1, c2, c3, d0, d1, d2, d3
	VAF	\a0, \a0, \b0
	VAF	\a1, \a1, \b1
	VAF	\a2, \a2, \b2
	VAF	\a3, \a3, \b3
	VX	\d0, \d0, \a0
	VX	\d1, \d1, \a1
	VX	\d2, \d2, \a2
	VX	\d3, \d3, \a3
	VERLLF	\d0, \d0, 16
	VERLLF	\d1, \d1, 16
	VERLLF	\d2, \d2, 16
	VERLLF	\d3, \d3, 16

	VAF	\c0, \c0, \d0
	VAF	\c1, \c1, \d1
	VAF	\c2, \c2, \d2
	VAF	\c3, \c3, \d3
	VX	\b0, \b0, \c0
	VX	\b1, \b1, \c1
	VX	\b2, \b2, \c2
	VX	\b3, \b3, \c3
	VERLLF	\b0, \b0, 12
	VERLLF	\b1, \b1, 12
	VERLLF	\b2, \b2, 12
	VERLLF	\b3, \b3, 12

	VAF	\a0, \a0, \b0
	VAF	\a1, \a1, \b1
	VAF	\a2, \a2, \b2
	VAF	\a3, \a3, \b3
	VX	\d0, \d0, \a0
	VX	\d1, \d1, \a1
	VX	\d2, \d2, \a2
	VX	\d3, \d3, \a3
	VERLLF	\d0, \d0, 8
	VERLLF	\d1, \d1, 8
	VERLLF	\d2, \d2, 8
	VERLLF	\d3, \d3, 8

	VAF	\c0, \c0, \d0
	VAF	\c1, \c1, \d1
	VAF	\c2, \c2, \d2
	VAF	\c3, \c3, \d3
	VX	\b0, \b0, \c0
	VX	\b1, \b1, \c1
	VX	\b2, \b2, \c2
	VX	\b3, \b3, \c3
	VERLLF	\b0, \b0, 7
	VERLLF	\b1, \b1, 7
	VERLLF	\b2, \b2, 7
	VERLLF	\b3, \b3, 7
.endm

/* v<dst> += word <word> of <src>, in all four elements; T0 is scratch. */
.macro	addsplat dst, src, word
	VREPF	T0, \src, \word
	VAF	\dst, \dst, T0
.endm

/*
 * Four word-sliced registers, state words 4r..4r+3 of the four blocks,
 * into row r of each block, byte-swapped: blocks 0, 1, 2 and 3 end up in
 * w2, w3, w0 and w1.
 */
.macro	transpose w0, w1, w2, w3
	VMRHF	T0, \w0, \w1			/* a0 b0 a1 b1 */
	VMRLF	T1, \w0, \w1			/* a2 b2 a3 b3 */
	VMRHF	\w0, \w2, \w3			/* c0 d0 c1 d1 */
	VMRLF	\w1, \w2, \w3			/* c2 d2 c3 d3 */
	VPERM	\w2, T0, \w0, SELHI		/* block 0 */
	VPERM	\w3, T0, \w0, SELLO		/* block 1 */
	VPERM	\w0, T1, \w1, SELHI		/* block 2 */
	VPERM	\w1, T1, \w1, SELLO		/* block 3 */
.endm

/* Go to \fail unless the caller still owns the state. */
.macro	owned owner, fail
.if \owner
	clg	%r1, 0(%r6)
	jne	\fail
.endif
.endm

/*
 * Store the block whose rows are in row0-row3, after checking ownership,
 * and count it; go to \done once the last block requested is stored.
 */
.macro	block owner, fail, done, row0, row1, row2, row3
	owned	\owner, \fail
	VST	\row0, 0, , %r2
	VST	\row1, 16, , %r2
	VST	\row2, 32, , %r2
	VST	\row3, 48, , %r2
	la	%r2, 64(%r2)
	algfi	%r0, 1
	aghi	%r5, -1
	je	\done
.endm

/*
 * The whole function, with ownership checks if \owner; \p prefixes its
 * labels.  On the way out, r2 is 1 if every block was stored and the
 * counter written back, 0 if a check failed (nothing more stored).
 */
.macro	chacha20 owner, p
	/* counter[0] is the low word, counter[1] the high. */
	lg	%r0, 0(%r4)
	rllg	%r0, %r0, 32
	ltgr	%r5, %r5
	je	\p\()out

	VLM	KEY0, KEY1, 0, %r3
	/*
	 * A key read after a drop would be zeroes, or another call's: no
	 * need to compute anything with it.
	 */
	owned	\owner, \p\()not_owned
	larl	%r3, .Lconstants
	VLM	SIGMA, SELLO, 0, %r3
	VPERM	KEY0, KEY0, KEY0, BSWAP
	VPERM	KEY1, KEY1, KEY1, BSWAP

\p\()group:
	/*
	 * Words 12 and 13, the 64-bit counters r0 + 0..3: the low words
	 * wrap where an element crosses 2^32, and that element's high word
	 * takes the carry.  v22 and v23 are free until words 14 and 15.
	 */
	VLVGG	%v22, %r0, 0			/* high, low, -, - */
	VREPF	CTRHI, %v22, 0
	VREPF	CTRLO, %v22, 1
	VACCF	%v23, CTRLO, LANES
	VAF	CTRLO, CTRLO, LANES
	VAF	CTRHI, CTRHI, %v23
	VLR	%v20, CTRLO
	VLR	%v21, CTRHI
	/* The nonce, words 14 and 15, is zero. */
	VZERO	%v22
	VZERO	%v23

	VREPF	%v0, SIGMA, 0
	VREPF	%v1, SIGMA, 1
	VREPF	%v2, SIGMA, 2
	VREPF	%v3, SIGMA, 3
	VREPF	%v4, KEY0, 0
	VREPF	%v5, KEY0, 1
	VREPF	%v6, KEY0, 2
	VREPF	%v7, KEY0, 3
	VREPF	%v16, KEY1, 0
	VREPF	%v17, KEY1, 1
	VREPF	%v18, KEY1, 2
	VREPF	%v19, KEY1, 3

	lghi	%r3, 10
\p\()doubleround:
	/* Columns: (0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15). */
	qr4	%v0, %v1, %v2, %v3, %v4, %v5, %v6, %v7, \
		%v16, %v17, %v18, %v19, %v20, %v21, %v22, %v23
	/* Diagonals: (0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14). */
	qr4	%v0, %v1, %v2, %v3, %v5, %v6, %v7, %v4, \
		%v18, %v19, %v16, %v17, %v23, %v20, %v21, %v22
	brct	%r3, \p\()doubleround

	/*
	 * Feed-forward: the counters first, which frees v27 and v28; then
	 * the constants and the key from registers.  The nonce is zero.
	 */
	VAF	%v20, %v20, CTRLO
	VAF	%v21, %v21, CTRHI
	addsplat %v0, SIGMA, 0
	addsplat %v1, SIGMA, 1
	addsplat %v2, SIGMA, 2
	addsplat %v3, SIGMA, 3
	addsplat %v4, KEY0, 0
	addsplat %v5, KEY0, 1
	addsplat %v6, KEY0, 2
	addsplat %v7, KEY0, 3
	addsplat %v16, KEY1, 0
	addsplat %v17, KEY1, 1
	addsplat %v18, KEY1, 2
	addsplat %v19, KEY1, 3

	transpose %v0, %v1, %v2, %v3
	transpose %v4, %v5, %v6, %v7
	transpose %v16, %v17, %v18, %v19
	transpose %v20, %v21, %v22, %v23

	block	\owner, \p\()not_owned, \p\()done, %v2, %v6, %v18, %v22
	block	\owner, \p\()not_owned, \p\()done, %v3, %v7, %v19, %v23
	block	\owner, \p\()not_owned, \p\()done, %v0, %v4, %v16, %v20
	block	\owner, \p\()not_owned, \p\()done, %v1, %v5, %v17, %v21
	j	\p\()group

\p\()not_owned:
	lghi	%r2, 0
	j	\p\()clear
\p\()done:
	lghi	%r2, 1
\p\()clear:
	/*
	 * Leave no key-derived data behind in the registers: every vector
	 * register this may use is zero on return, whatever it held before.
	 */
	VZERO	%v0
	VZERO	%v1
	VZERO	%v2
	VZERO	%v3
	VZERO	%v4
	VZERO	%v5
	VZERO	%v6
	VZERO	%v7
	VZERO	%v16
	VZERO	%v17
	VZERO	%v18
	VZERO	%v19
	VZERO	%v20
	VZERO	%v21
	VZERO	%v22
	VZERO	%v23
	VZERO	%v24
	VZERO	%v25
	VZERO	%v26
	VZERO	%v27
	VZERO	%v28
	VZERO	%v29
	VZERO	%v30
	VZERO	%v31
	ltgr	%r2, %r2
	jz	\p\()ret
\p\()out:
	rllg	%r0, %r0, 32
	stg	%r0, 0(%r4)
	lghi	%r2, 1
\p\()ret:
	br	%r14
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
	.globl	__arch_chacha20_blocks_owned
	.type	__arch_chacha20_blocks_owned, @function
	.balign	8
__arch_chacha20_blocks_owned:
	CFI_STARTPROC
	lg	%r1, 160(%r15)
	chacha20 1, .Lowned_
	CFI_ENDPROC
	.size	__arch_chacha20_blocks_owned, . - __arch_chacha20_blocks_owned

/*
 * void __arch_chacha20_blocks_nostack(u8 *dst_bytes, const u32 *key,
 *				       u32 *counter, size_t nblocks)
 *
 * Mainline's prototype, for tools written to test it: the same cipher
 * without the ownership checks.
 */
	.globl	__arch_chacha20_blocks_nostack
	.type	__arch_chacha20_blocks_nostack, @function
	.balign	8
__arch_chacha20_blocks_nostack:
	CFI_STARTPROC
	chacha20 0, .Lnostack_
	CFI_ENDPROC
	.size	__arch_chacha20_blocks_nostack, . - __arch_chacha20_blocks_nostack
