/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The entry points of the powerpc64 vDSO getrandom() and vgetrandom_alloc().
 *
 * powerpc's vDSO functions report errors as the sc instruction does: a
 * positive errno in r3 with CR0[SO] set; success clears CR0[SO].  C
 * libraries call them expecting exactly that.
 */
#include <asm/ppc_asm.h>
#include <asm/unistd.h>
#include <asm/vdso.h>

	.text
/*
 * ssize_t __kernel_getrandom(void *buffer, size_t len, unsigned int flags,
 *			      void *opaque_state, size_t opaque_len);
 *
 * Calls __c_kernel_getrandom() (vgetrandom.c) with the arguments as they
 * are, in r3-r7.  As in gettimeofday.S, two stack frames: the caller need
 * not have made one, so the first keeps the C code's save area off
 * whatever the caller has below its stack pointer.  r2 is the caller's
 * TOC, kept for it: the C code needs none, and a call through its local
 * entry point does not set one up.  The result is a 64-bit count or a
 * negative errno.
 */
V_FUNCTION_BEGIN(__kernel_getrandom)
  .cfi_startproc
	PPC_STLU	r1, -PPC_MIN_STKFRM(r1)
  .cfi_adjust_cfa_offset PPC_MIN_STKFRM
	mflr		r0
	PPC_STLU	r1, -PPC_MIN_STKFRM(r1)
  .cfi_adjust_cfa_offset PPC_MIN_STKFRM
	PPC_STL		r0, PPC_MIN_STKFRM + PPC_LR_STKOFF(r1)
  .cfi_rel_offset lr, PPC_MIN_STKFRM + PPC_LR_STKOFF
	PPC_STL		r2, PPC_MIN_STKFRM + STK_GOT(r1)
  .cfi_rel_offset r2, PPC_MIN_STKFRM + STK_GOT
	bl		DOTSYM(__c_kernel_getrandom)
	PPC_LL		r0, PPC_MIN_STKFRM + PPC_LR_STKOFF(r1)
	PPC_LL		r2, PPC_MIN_STKFRM + STK_GOT(r1)
  .cfi_restore r2
	cmpdi		r3, 0
	mtlr		r0
	addi		r1, r1, 2 * PPC_MIN_STKFRM
  .cfi_restore lr
  .cfi_def_cfa_offset 0
	crclr		so
	bgelr+
	crset		so
	neg		r3, r3
	blr
  .cfi_endproc
V_FUNCTION_END(__kernel_getrandom)

/*
 * long __kernel_vgetrandom_alloc(struct vgetrandom_alloc_args *uargs,
 *				  size_t usize);
 *
 * vgetrandom_alloc() is not a mainline system call, and its number (1000)
 * may mean something else or nothing on another kernel.  This symbol is
 * how userspace learns that the running kernel has it: it is exported
 * exactly when the system call is built, and it makes that system call,
 * so a caller that found it can use it and need not know the number.
 * sc leaves the result in r3 and CR0[SO] as this function returns them.
 */
V_FUNCTION_BEGIN(__kernel_vgetrandom_alloc)
  .cfi_startproc
	li		r0, __NR_vgetrandom_alloc
	sc
	blr
  .cfi_endproc
V_FUNCTION_END(__kernel_vgetrandom_alloc)
