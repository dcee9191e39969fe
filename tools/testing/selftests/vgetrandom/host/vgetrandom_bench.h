/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark's builds of the generic vDSO getrandom(), one per ChaCha20
 * path (vgetrandom_bench_ours.c), and the one this CPU would get.
 */
#ifndef _VGETRANDOM_BENCH_H
#define _VGETRANDOM_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef ssize_t (*vgr_bench_fn)(void *buffer, size_t len, unsigned int flags,
				void *opaque_state, size_t opaque_len);

ssize_t vgr_bench_sse2(void *buffer, size_t len, unsigned int flags,
		       void *opaque_state, size_t opaque_len);
ssize_t vgr_bench_avx2(void *buffer, size_t len, unsigned int flags,
		       void *opaque_state, size_t opaque_len);
ssize_t vgr_bench_avx512vl(void *buffer, size_t len, unsigned int flags,
			   void *opaque_state, size_t opaque_len);
ssize_t vgr_bench_avx512(void *buffer, size_t len, unsigned int flags,
			 void *opaque_state, size_t opaque_len);

/*
 * The OpenSSL provider's entry point (tools/lib/vgetrandom/openssl),
 * renamed where it is built into the benchmark; its prototype is
 * OSSL_provider_init_fn of <openssl/core.h>.
 */
struct ossl_core_handle_st;
struct ossl_dispatch_st;
int vgr_ossl_provider_init(const struct ossl_core_handle_st *handle,
			   const struct ossl_dispatch_st *in,
			   const struct ossl_dispatch_st **out, void **provctx);

/* Whether the kernel would set X86_FEATURE_ZMM_FAST on this CPU. */
bool vgr_bench_zmm_fast(void);

/**
 * vgr_bench_best_path() - what the vDSO's alternatives would pick here
 * @name:	if not NULL, set to the path's name ("avx2", ...)
 *
 * Returns: the build of the generic code bound to that path.
 */
vgr_bench_fn vgr_bench_best_path(const char **name);

#endif
