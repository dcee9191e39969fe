// SPDX-License-Identifier: GPL-2.0
/*
 * The generic vDSO getrandom() as the benchmark calls it: an object of its
 * own, compiled with the x86_64 vDSO's compiler flags (VDSO_CFLAGS in the
 * Makefile) and bound to one ChaCha20 path, so that the benchmark reaches
 * it through a function pointer as a program reaches __vdso_getrandom().
 *
 * Built once per path, with -DVGR_BENCH_FN=<exported name> and
 * -D__arch_chacha20_blocks_owned=<that path's entry>: the direct call the
 * vDSO's alternatives patching leaves behind, not a dispatch at run time.
 */
#include "lib/vdso/getrandom.c"

ssize_t VGR_BENCH_FN(void *buffer, size_t len, unsigned int flags,
		     void *opaque_state, size_t opaque_len);

ssize_t VGR_BENCH_FN(void *buffer, size_t len, unsigned int flags,
		     void *opaque_state, size_t opaque_len)
{
	return __cvdso_getrandom(buffer, len, flags, opaque_state, opaque_len);
}
