// SPDX-License-Identifier: GPL-2.0
/*
 * vgetrandom.so: an OpenSSL 3 provider with one EVP_RAND, "VGETRANDOM",
 * whose generate is libvgetrandom's vgetrandom(): the vDSO's getrandom()
 * on a state of the calling thread where the kernel has it, the getrandom
 * system call otherwise.  The library is compiled into the module, so it
 * needs nothing installed beside OpenSSL.
 *
 * Selected from openssl.cnf ([random] random = VGETRANDOM), OpenSSL makes
 * its primary, public and private generators VGETRANDOM instances
 * (RAND_set_DRBG_type(3)).  None of them holds a byte of state: every
 * request goes to the kernel's generator, through the calling thread's
 * vDSO state, so nothing above the kernel can repeat output after fork()
 * (the kernel wipes the states in the child) and no two threads share
 * anything but the context's READY flag.  Hence no lock (enable_locking
 * answers yes, there is nothing to lock), no reseeding (the kernel reseeds
 * its own generator; RAND_add() and RAND_seed() bytes are accepted and
 * not used), no strength but the kernel's 256 bits.
 *
 * Fails closed: a request the kernel does not serve fails (RAND_bytes()
 * returns 0); no byte is made up, and no other source is tried.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "../vgetrandom.h"
#include "../vgetrandom_internal.h"

#ifndef VGR_VERSION
#define VGR_VERSION	"unknown"
#endif

/* The kernel's ChaCha20 generator: a 256-bit key. */
#define VGR_STRENGTH		256
/* The most one getrandom() call writes (MAX_RW_COUNT with 4 KiB pages). */
#define VGR_MAX_REQUEST		((size_t)0x7ffff000)

/* Reason codes of the errors this provider raises. */
enum {
	VGR_R_GETRANDOM_FAILED = 1,
	VGR_R_NOT_INSTANTIATED,
	VGR_R_STRENGTH_TOO_HIGH,
	VGR_R_SEED_TOO_SHORT,
};

/**
 * struct vgr_prov - the provider context: how to raise errors
 * @handle:	the core's handle for this provider
 * @new_error:	the core's functions that raise an error, or NULL
 * @set_debug:	...
 * @vset_error:	...
 */
struct vgr_prov {
	const OSSL_CORE_HANDLE *handle;
	OSSL_FUNC_core_new_error_fn *new_error;
	OSSL_FUNC_core_set_error_debug_fn *set_debug;
	OSSL_FUNC_core_vset_error_fn *vset_error;
};

/**
 * struct vgr_rand - a VGETRANDOM instance
 * @prov:	its provider
 * @state:	EVP_RAND_STATE_UNINITIALISED, _READY, or _ERROR after a
 *		request the kernel failed (the next success clears it)
 *
 * Shared by every thread for OpenSSL's primary instance: @state is the
 * only thing written, atomically.
 */
struct vgr_rand {
	struct vgr_prov *prov;
	atomic_int state;
};

static void vgr_raise(struct vgr_prov *prov, const char *func, uint32_t reason,
		      const char *fmt, ...)
{
	va_list ap;

	if (!prov->new_error || !prov->set_debug || !prov->vset_error)
		return;
	prov->new_error(prov->handle);
	prov->set_debug(prov->handle, __FILE__, __LINE__, func);
	va_start(ap, fmt);
	prov->vset_error(prov->handle, reason, fmt, ap);
	va_end(ap);
}

static void *vgr_rand_newctx(void *provctx, void *parent, const OSSL_DISPATCH *parent_calls)
{
	struct vgr_rand *r = calloc(1, sizeof(*r));

	/* A live source: the parent OpenSSL offers is never needed. */
	if (r) {
		r->prov = provctx;
		atomic_init(&r->state, EVP_RAND_STATE_UNINITIALISED);
	}
	return r;
}

static void vgr_rand_freectx(void *vctx)
{
	free(vctx);
}

static int vgr_rand_instantiate(void *vctx, unsigned int strength, int prediction_resistance,
				const unsigned char *pstr, size_t pstr_len,
				const OSSL_PARAM params[])
{
	struct vgr_rand *r = vctx;

	/*
	 * The personalisation string and the DRBG parameters OpenSSL passes
	 * (reseed_requests, reseed_time_interval) have nothing to act on.
	 */
	if (strength > VGR_STRENGTH) {
		vgr_raise(r->prov, __func__, VGR_R_STRENGTH_TOO_HIGH,
			  "%u bits asked, the kernel's generator has %d", strength, VGR_STRENGTH);
		return 0;
	}
	atomic_store(&r->state, EVP_RAND_STATE_READY);
	return 1;
}

static int vgr_rand_uninstantiate(void *vctx)
{
	struct vgr_rand *r = vctx;

	atomic_store(&r->state, EVP_RAND_STATE_UNINITIALISED);
	return 1;
}

/*
 * Fill @out from the kernel's generator: the calling thread's vDSO state,
 * or with @direct the getrandom system call itself (what OpenSSL's own
 * seed source reads).  Short counts (a signal during a large request) and
 * EINTR go round again.  Returns: 1, or 0 with an error raised.
 */
static int vgr_fill(struct vgr_rand *r, const char *func, unsigned char *out, size_t len,
		    bool direct)
{
	while (len) {
		ssize_t n = direct ? vgr_os_getrandom(out, len, 0) : vgetrandom(out, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? errno : EIO;

			atomic_store(&r->state, EVP_RAND_STATE_ERROR);
			vgr_raise(r->prov, func, VGR_R_GETRANDOM_FAILED, "getrandom: errno %d",
				  err);
			return 0;
		}
		out += n;
		len -= n;
	}
	return 1;
}

/*
 * The fast path: one vgetrandom() call, no lock.  OpenSSL splits requests
 * above max_request; vgr_fill() loops over what the kernel returns short.
 */
static int vgr_rand_generate(void *vctx, unsigned char *out, size_t outlen,
			     unsigned int strength, int prediction_resistance,
			     const unsigned char *addin, size_t addin_len)
{
	struct vgr_rand *r = vctx;
	int ret, error = EVP_RAND_STATE_ERROR;

	if (atomic_load_explicit(&r->state, memory_order_relaxed) == EVP_RAND_STATE_UNINITIALISED) {
		vgr_raise(r->prov, __func__, VGR_R_NOT_INSTANTIATED, "generate before instantiate");
		return 0;
	}
	if (strength > VGR_STRENGTH) {
		vgr_raise(r->prov, __func__, VGR_R_STRENGTH_TOO_HIGH,
			  "%u bits asked, the kernel's generator has %d", strength, VGR_STRENGTH);
		return 0;
	}
	/* Prediction resistance: as fresh as OpenSSL's own seed source. */
	ret = vgr_fill(r, __func__, out, outlen, prediction_resistance);
	/* Out of the error state, but never back from uninstantiate. */
	if (ret && atomic_load_explicit(&r->state, memory_order_relaxed) == error)
		atomic_compare_exchange_strong(&r->state, &error, EVP_RAND_STATE_READY);
	return ret;
}

/* RAND_add(), RAND_seed(): accepted; the kernel seeds its own generator. */
static int vgr_rand_reseed(void *vctx, int prediction_resistance,
			   const unsigned char *ent, size_t ent_len,
			   const unsigned char *addin, size_t addin_len)
{
	return 1;
}

/* A nonce for a DRBG we are the parent of: half the strength, in bytes. */
static size_t vgr_rand_nonce(void *vctx, unsigned char *out, unsigned int strength,
			     size_t min_noncelen, size_t max_noncelen)
{
	size_t len = strength / 16;

	if (len < min_noncelen)
		len = min_noncelen;
	if (len > max_noncelen)
		len = max_noncelen;
	if (!out)
		return len;
	return vgr_fill(vctx, __func__, out, len, false) ? len : 0;
}

/*
 * Seed material for a DRBG we are the parent or the seed source of
 * ([random] seed = VGETRANDOM): @entropy bits, at least @min_len bytes;
 * our full strength when neither says how much.
 */
static size_t vgr_rand_get_seed(void *vctx, unsigned char **buffer, int entropy,
				size_t min_len, size_t max_len, int prediction_resistance,
				const unsigned char *adin, size_t adin_len)
{
	struct vgr_rand *r = vctx;
	size_t len = entropy > 0 ? ((size_t)entropy + 7) / 8 : VGR_STRENGTH / 8;
	unsigned char *buf;

	if (entropy > VGR_STRENGTH) {
		vgr_raise(r->prov, __func__, VGR_R_STRENGTH_TOO_HIGH,
			  "%d bits asked, the kernel's generator has %d", entropy, VGR_STRENGTH);
		return 0;
	}
	if (len < min_len)
		len = min_len;
	if (len > max_len) {
		vgr_raise(r->prov, __func__, VGR_R_SEED_TOO_SHORT,
			  "no seed length fits %zu..%zu bytes", min_len, max_len);
		return 0;
	}
	buf = malloc(len);
	if (!buf)
		return 0;
	if (!vgr_fill(r, __func__, buf, len, prediction_resistance)) {
		free(buf);
		return 0;
	}
	*buffer = buf;
	return len;
}

static void vgr_rand_clear_seed(void *vctx, unsigned char *buffer, size_t b_len)
{
	if (buffer)
		explicit_bzero(buffer, b_len);
	free(buffer);
}

/* Nothing to lock: every thread generates on a state of its own. */
static int vgr_rand_enable_locking(void *vctx)
{
	return 1;
}

/* The context holds no key or output: it is always "zeroized". */
static int vgr_rand_verify_zeroization(void *vctx)
{
	return 1;
}

static const OSSL_PARAM vgr_rand_gettable[] = {
	OSSL_PARAM_int(OSSL_RAND_PARAM_STATE, NULL),
	OSSL_PARAM_uint(OSSL_RAND_PARAM_STRENGTH, NULL),
	OSSL_PARAM_size_t(OSSL_RAND_PARAM_MAX_REQUEST, NULL),
	OSSL_PARAM_END
};

static const OSSL_PARAM *vgr_rand_gettable_ctx_params(void *vctx, void *provctx)
{
	return vgr_rand_gettable;
}

/*
 * OpenSSL asks for max_request before every generate: one pass over
 * @params, that name tried first, rather than a search per name.
 */
static int vgr_rand_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
	struct vgr_rand *r = vctx;
	int ok = 1;

	for (OSSL_PARAM *p = params; p && p->key; p++) {
		if (!strcmp(p->key, OSSL_RAND_PARAM_MAX_REQUEST))
			ok &= OSSL_PARAM_set_size_t(p, VGR_MAX_REQUEST);
		else if (!strcmp(p->key, OSSL_RAND_PARAM_STATE))
			ok &= OSSL_PARAM_set_int(p, atomic_load(&r->state));
		else if (!strcmp(p->key, OSSL_RAND_PARAM_STRENGTH))
			ok &= OSSL_PARAM_set_uint(p, VGR_STRENGTH);
	}
	return ok;
}

static const OSSL_DISPATCH vgr_rand_functions[] = {
	{ OSSL_FUNC_RAND_NEWCTX, (void (*)(void))vgr_rand_newctx },
	{ OSSL_FUNC_RAND_FREECTX, (void (*)(void))vgr_rand_freectx },
	{ OSSL_FUNC_RAND_INSTANTIATE, (void (*)(void))vgr_rand_instantiate },
	{ OSSL_FUNC_RAND_UNINSTANTIATE, (void (*)(void))vgr_rand_uninstantiate },
	{ OSSL_FUNC_RAND_GENERATE, (void (*)(void))vgr_rand_generate },
	{ OSSL_FUNC_RAND_RESEED, (void (*)(void))vgr_rand_reseed },
	{ OSSL_FUNC_RAND_NONCE, (void (*)(void))vgr_rand_nonce },
	{ OSSL_FUNC_RAND_GET_SEED, (void (*)(void))vgr_rand_get_seed },
	{ OSSL_FUNC_RAND_CLEAR_SEED, (void (*)(void))vgr_rand_clear_seed },
	{ OSSL_FUNC_RAND_ENABLE_LOCKING, (void (*)(void))vgr_rand_enable_locking },
	{ OSSL_FUNC_RAND_VERIFY_ZEROIZATION, (void (*)(void))vgr_rand_verify_zeroization },
	{ OSSL_FUNC_RAND_GETTABLE_CTX_PARAMS, (void (*)(void))vgr_rand_gettable_ctx_params },
	{ OSSL_FUNC_RAND_GET_CTX_PARAMS, (void (*)(void))vgr_rand_get_ctx_params },
	{ 0, NULL }
};

static const OSSL_ALGORITHM vgr_rands[] = {
	{ "VGETRANDOM", "provider=vgetrandom", vgr_rand_functions,
	  "the kernel's getrandom() through the vDSO (libvgetrandom)" },
	{ NULL, NULL, NULL, NULL }
};

/* --- The provider --- */

static const OSSL_ALGORITHM *vgr_query(void *provctx, int operation_id, int *no_cache)
{
	*no_cache = 0;
	return operation_id == OSSL_OP_RAND ? vgr_rands : NULL;
}

static const OSSL_PARAM vgr_prov_gettable[] = {
	OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_NAME, NULL, 0),
	OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_VERSION, NULL, 0),
	OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_BUILDINFO, NULL, 0),
	OSSL_PARAM_uint(OSSL_PROV_PARAM_STATUS, NULL),
	OSSL_PARAM_END
};

static const OSSL_PARAM *vgr_gettable_params(void *provctx)
{
	return vgr_prov_gettable;
}

static int vgr_get_params(void *provctx, OSSL_PARAM params[])
{
	OSSL_PARAM *p;

	p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME);
	if (p && !OSSL_PARAM_set_utf8_ptr(p, "vgetrandom: getrandom() through the vDSO"))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_VERSION);
	if (p && !OSSL_PARAM_set_utf8_ptr(p, VGR_VERSION))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_BUILDINFO);
	if (p && !OSSL_PARAM_set_utf8_ptr(p, vgetrandom_vdso_active() ?
					  "libvgetrandom, vDSO getrandom() in use" :
					  "libvgetrandom, getrandom system call in use"))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS);
	if (p && !OSSL_PARAM_set_uint(p, 1))
		return 0;
	return 1;
}

static const OSSL_ITEM vgr_reasons[] = {
	{ VGR_R_GETRANDOM_FAILED, "the kernel's getrandom() failed" },
	{ VGR_R_NOT_INSTANTIATED, "not instantiated" },
	{ VGR_R_STRENGTH_TOO_HIGH, "strength above 256 bits asked" },
	{ VGR_R_SEED_TOO_SHORT, "seed length out of range" },
	{ 0, NULL }
};

static const OSSL_ITEM *vgr_reason_strings(void *provctx)
{
	return vgr_reasons;
}

static void vgr_teardown(void *provctx)
{
	free(provctx);
}

static const OSSL_DISPATCH vgr_prov_functions[] = {
	{ OSSL_FUNC_PROVIDER_TEARDOWN, (void (*)(void))vgr_teardown },
	{ OSSL_FUNC_PROVIDER_GETTABLE_PARAMS, (void (*)(void))vgr_gettable_params },
	{ OSSL_FUNC_PROVIDER_GET_PARAMS, (void (*)(void))vgr_get_params },
	{ OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))vgr_query },
	{ OSSL_FUNC_PROVIDER_GET_REASON_STRINGS, (void (*)(void))vgr_reason_strings },
	{ 0, NULL }
};

/* The module's one exported symbol (vgetrandom-provider.map). */
int OSSL_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
		       const OSSL_DISPATCH **out, void **provctx)
{
	struct vgr_prov *prov = calloc(1, sizeof(*prov));

	if (!prov)
		return 0;
	prov->handle = handle;
	for (; in->function_id; in++) {
		switch (in->function_id) {
		case OSSL_FUNC_CORE_NEW_ERROR:
			prov->new_error = OSSL_FUNC_core_new_error(in);
			break;
		case OSSL_FUNC_CORE_SET_ERROR_DEBUG:
			prov->set_debug = OSSL_FUNC_core_set_error_debug(in);
			break;
		case OSSL_FUNC_CORE_VSET_ERROR:
			prov->vset_error = OSSL_FUNC_core_vset_error(in);
			break;
		}
	}
	*out = vgr_prov_functions;
	*provctx = prov;
	return 1;
}
