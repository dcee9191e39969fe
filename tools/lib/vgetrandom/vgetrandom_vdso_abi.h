/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How userspace finds and calls the vDSO getrandom() and
 * vgetrandom_alloc() of each architecture: the symbols' names and version
 * node, and on powerpc64 a call that turns the sc-style error report into
 * a negative errno.  Shared by libvgetrandom and the selftests.
 *
 *   VGR_VDSO_VERSION	the version node of the vDSO functions
 *   VGR_VDSO_PREFIX	the prefix of their names ("__vdso_", "__kernel_")
 *   vgr_vdso_callable(name, fn)
 *			what to call for the vDSO function @fn named
 *			"<prefix>getrandom" or "<prefix>vgetrandom_alloc":
 *			@fn itself where the vDSO returns negative errnos as C
 *			does (x86_64, arm64); on powerpc64 a function of this
 *			file that calls @fn and converts its result.  Either
 *			way the caller gets mainline's C prototype and a
 *			negative errno on failure.
 */
#ifndef _VGETRANDOM_VDSO_ABI_H
#define _VGETRANDOM_VDSO_ABI_H

#include <stddef.h>
#include <string.h>
#include <sys/types.h>

#if defined(__x86_64__)
#define VGR_VDSO_VERSION	"LINUX_2.6"
#define VGR_VDSO_PREFIX		"__vdso_"
#elif defined(__aarch64__)
#define VGR_VDSO_VERSION	"LINUX_2.6.39"
#define VGR_VDSO_PREFIX		"__kernel_"
#elif defined(__powerpc64__)
#define VGR_VDSO_VERSION	"LINUX_2.6.15"
#define VGR_VDSO_PREFIX		"__kernel_"
#elif defined(__s390x__)
#define VGR_VDSO_VERSION	"LINUX_2.6.29"
#define VGR_VDSO_PREFIX		"__kernel_"
#else
#error "vgetrandom: no vDSO getrandom() ABI known for this architecture"
#endif

#if defined(__powerpc64__) && defined(_CALL_ELF) && _CALL_ELF == 2

/*
 * powerpc's vDSO functions report errors as the sc instruction does: a
 * positive errno in r3 with CR0[SO] set, CR0[SO] clear on success.  C
 * cannot see CR0, so the call goes through this stub (ELFv2):
 *
 *   long vgr_ppc64_vdso_call(void *fn, long a1, ..., long a5, int *so)
 *
 * calls @fn(a1, ..., a5) with r12 = @fn as the ABI wants for a global
 * entry point, keeps r2 (the TOC) across it, and stores CR0[SO] into
 * *@so; it returns r3 as is.  A local symbol: every file that includes
 * this header has its own copy, and no library exports it.
 */
long vgr_ppc64_vdso_call(void *fn, long a1, long a2, long a3, long a4, long a5,
			 int *so) __attribute__((visibility("hidden")));
__asm__(
	"	.pushsection .text\n"
	"	.p2align 4\n"
	"	.type	vgr_ppc64_vdso_call, @function\n"
	"vgr_ppc64_vdso_call:\n"
	"	mflr	0\n"
	"	std	0, 16(1)\n"
	"	stdu	1, -48(1)\n"
	"	std	2, 24(1)\n"
	"	std	9, 32(1)\n"
	"	mtctr	3\n"
	"	mr	12, 3\n"
	"	mr	3, 4\n"
	"	mr	4, 5\n"
	"	mr	5, 6\n"
	"	mr	6, 7\n"
	"	mr	7, 8\n"
	"	bctrl\n"
	"	ld	2, 24(1)\n"
	"	ld	9, 32(1)\n"
	"	mfcr	0\n"
	/* CR0[SO] is CR bit 3, 0x10000000 of the word mfcr gives. */
	"	rlwinm	0, 0, 4, 31, 31\n"
	"	stw	0, 0(9)\n"
	"	addi	1, 1, 48\n"
	"	ld	0, 16(1)\n"
	"	mtlr	0\n"
	"	blr\n"
	"	.size	vgr_ppc64_vdso_call, . - vgr_ppc64_vdso_call\n"
	"	.popsection\n");

/* The vDSO functions the two callables below call (set once, then read). */
static void *vgr_ppc64_getrandom_fn __attribute__((unused));
static void *vgr_ppc64_alloc_fn __attribute__((unused));

static inline long vgr_ppc64_result(long r3, int so)
{
	return so ? -r3 : r3;
}

static __attribute__((unused)) ssize_t vgr_ppc64_getrandom(void *buffer, size_t len, unsigned int flags,
				   void *opaque_state, size_t opaque_len)
{
	int so;
	long r3 = vgr_ppc64_vdso_call(vgr_ppc64_getrandom_fn, (long)buffer, len, flags,
				      (long)opaque_state, opaque_len, &so);

	return vgr_ppc64_result(r3, so);
}

static __attribute__((unused)) long vgr_ppc64_alloc(void *uargs, size_t usize)
{
	int so;
	long r3 = vgr_ppc64_vdso_call(vgr_ppc64_alloc_fn, (long)uargs, usize, 0, 0, 0, &so);

	return vgr_ppc64_result(r3, so);
}

static inline void *vgr_vdso_callable(const char *name, void *fn)
{
	const char *base = name + strlen(VGR_VDSO_PREFIX);

	if (!fn || strncmp(name, VGR_VDSO_PREFIX, strlen(VGR_VDSO_PREFIX)))
		return fn;
	if (!strcmp(base, "getrandom")) {
		vgr_ppc64_getrandom_fn = fn;
		return (void *)vgr_ppc64_getrandom;
	}
	if (!strcmp(base, "vgetrandom_alloc")) {
		vgr_ppc64_alloc_fn = fn;
		return (void *)vgr_ppc64_alloc;
	}
	return fn;
}

#elif defined(__powerpc64__)
#error "vgetrandom: only the ELFv2 ABI of powerpc64 is supported"
#else

static inline void *vgr_vdso_callable(const char *name, void *fn)
{
	(void)name;
	return fn;
}

#endif

#endif /* _VGETRANDOM_VDSO_ABI_H */
