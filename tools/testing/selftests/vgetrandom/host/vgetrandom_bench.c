// SPDX-License-Identifier: GPL-2.0
/*
 * Host benchmark: our vDSO getrandom() against what programs use instead,
 * side by side in one process, 1 B to 1 MiB, one thread and two.
 *
 *   ours, ours-sse2, ours-avx2,	the generic vDSO code and x86 ChaCha20, built
 *   ours-avx512vl, ours-avx512
 *				as objects of their own with the vDSO's
 *				compiler flags (vgetrandom_bench_ours.c),
 *				called through a function pointer; "ours" is
 *				the path this CPU's alternatives would pick
 *				(avx512vl: eight blocks in YMM registers, as
 *				on Skylake-SP; avx512: sixteen in ZMM ones
 *				too, X86_FEATURE_ZMM_FAST)
 *   mainline			the host kernel's own __vdso_getrandom()
 *   syscall			the getrandom system call
 *   library			tools/lib/vgetrandom's vgetrandom(): thread
 *				state lookup, then our code (vgetrandom_bench_os.c)
 *   openssl			OpenSSL's RAND_bytes()
 *   openssl-vgetrandom		OpenSSL's RAND_bytes_ex() in a library context
 *				whose generators are the provider's VGETRANDOM
 *				(tools/lib/vgetrandom/openssl), its source built
 *				in (OSSL_PROVIDER_add_builtin()) over the
 *				library as "library" has it: on our code
 *   openssl-vgr-module		the same through the module as make install
 *				ships it (lib/openssl/vgetrandom.so beside this
 *				program): on the host kernel's own vDSO, so
 *				mainline's ChaCha20 where the host runs mainline
 *   libbsd			libbsd's arc4random_buf() (dlopen()ed: glibc
 *				2.36 exports the same name)
 *   glibc-arc4random		glibc's arc4random_buf()
 *   glibc-getrandom		glibc's getrandom()
 *   sodium-randombytes		libsodium's randombytes_buf()
 *   sodium-chacha20		libsodium's crypto_stream_chacha20()
 *   floor			a noinline function, called through a pointer,
 *				that copies and zeroes N bytes of a static
 *				buffer: the least any call per request costs
 *
 * Each figure is the median over repetitions of one timed loop (about
 * 10 ms, calls calibrated per impl and size); the repetitions of all impls
 * at one size are interleaved. With two threads both run the loop at once,
 * each on its own state and buffer, and a repetition counts as long as its
 * slower thread: ns per call is then the time one thread takes per call,
 * and equal figures for one and two threads mean perfect scaling.
 *
 * Usage: vgetrandom_bench [-r repetitions] [-j out.json] [-d out.dat] [-i impl,...]
 * The .dat file holds the one-thread curves for gnuplot (vgetrandom_bench.gp);
 * -i measures only the impls named.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <sodium.h>

#include <linux/compiler.h>		/* the host shim: __aligned() */
#include <linux/kernel.h>		/* ARRAY_SIZE() */
#include <asm/vdso/getrandom.h>		/* struct vgr_harness */
#include <uapi/linux/random.h>		/* struct vgetrandom_opaque_params */
#include "../../vDSO/parse_vdso.h"
#include "vgetrandom.h"			/* tools/lib/vgetrandom */
#include "vgetrandom_bench.h"

struct vgr_harness vgr_harness;

#define MAX_LEN		(1UL << 20)
#define MAX_THREADS	2
#define MAX_REPS	64
#define REP_NS		10000000.0	/* aim of one timed loop */

static const size_t sizes[] = {
	1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 1048576
};
#define NR_SIZES	ARRAY_SIZE(sizes)

enum impl {
	OURS, OURS_SSE2, OURS_AVX2, OURS_AVX512VL, OURS_AVX512, MAINLINE, SYSCALL, LIBRARY, OPENSSL,
	OPENSSL_VGR, OPENSSL_VGR_MODULE, LIBBSD,
	GLIBC_ARC4RANDOM, GLIBC_GETRANDOM, SODIUM_RANDOMBYTES, SODIUM_CHACHA20,
	FLOOR, NR_IMPL
};
static const char * const impl_names[NR_IMPL] = {
	[OURS] = "ours", [OURS_SSE2] = "ours-sse2", [OURS_AVX2] = "ours-avx2",
	[OURS_AVX512VL] = "ours-avx512vl", [OURS_AVX512] = "ours-avx512",
	[MAINLINE] = "mainline", [SYSCALL] = "syscall", [LIBRARY] = "library",
	[OPENSSL] = "openssl", [OPENSSL_VGR] = "openssl-vgetrandom",
	[OPENSSL_VGR_MODULE] = "openssl-vgr-module", [LIBBSD] = "libbsd",
	[GLIBC_ARC4RANDOM] = "glibc-arc4random", [GLIBC_GETRANDOM] = "glibc-getrandom",
	[SODIUM_RANDOMBYTES] = "sodium-randombytes",
	[SODIUM_CHACHA20] = "sodium-chacha20", [FLOOR] = "floor",
};
#define NR_OURS		(OURS_AVX512 + 1)

/* Called through pointers, set at run time: never devirtualized. */
vgr_bench_fn ours_fn[NR_OURS];
void (*floor_fn)(uint8_t *dst, uint8_t *src, size_t len);
static bool have[NR_IMPL];
static const char *ours_path;
static size_t ours_state_size;

static vgr_bench_fn mainline_fn;
static size_t mainline_state_size;
static void (*bsd_arc4random_buf)(void *buf, size_t n);
/* Library contexts whose generators are VGETRANDOM: built in, the module. */
static OSSL_LIB_CTX *vgr_libctx, *module_libctx;

struct bench_thread {
	uint8_t *dst;			/* MAX_LEN bytes, populated */
	void *ours_state[NR_OURS];	/* one per build */
	void *mainline_state;
	double ns;			/* the last loop's time */
	int failed;
};

static struct bench_thread threads[MAX_THREADS];
static uint8_t floor_src[MAX_THREADS][MAX_LEN] __aligned(64);

/* ns_per_call[threads - 1][impl][size], < 0 when not measured */
static double result[MAX_THREADS][NR_IMPL][NR_SIZES];

static noinline void floor_copy(uint8_t *dst, uint8_t *src, size_t len)
{
	memcpy(dst, src, len);
	memset(src, 0, len);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* @iters calls of @impl for @len bytes; -1 if one of them failed. */
static int bench_loop(enum impl impl, struct bench_thread *t, uint8_t *floor_buf,
		      size_t len, size_t iters)
{
	static const unsigned char nonce[crypto_stream_chacha20_NONCEBYTES];
	static const unsigned char key[crypto_stream_chacha20_KEYBYTES] = { 1 };
	uint8_t *dst = t->dst;
	bool fails = false;
	size_t i;

	switch (impl) {
	case OURS:
	case OURS_SSE2:
	case OURS_AVX2:
	case OURS_AVX512VL:
	case OURS_AVX512:
		for (i = 0; i < iters; i++)
			fails |= ours_fn[impl](dst, len, 0, t->ours_state[impl],
					       ours_state_size) != (ssize_t)len;
		break;
	case MAINLINE:
		for (i = 0; i < iters; i++)
			fails |= mainline_fn(dst, len, 0, t->mainline_state,
					     mainline_state_size) != (ssize_t)len;
		break;
	case SYSCALL:
		for (i = 0; i < iters; i++)
			fails |= syscall(SYS_getrandom, dst, len, 0) != (long)len;
		break;
	case LIBRARY:
		for (i = 0; i < iters; i++)
			fails |= vgetrandom(dst, len, 0) != (ssize_t)len;
		break;
	case OPENSSL:
		for (i = 0; i < iters; i++)
			fails |= RAND_bytes(dst, len) != 1;
		break;
	case OPENSSL_VGR:
		for (i = 0; i < iters; i++)
			fails |= RAND_bytes_ex(vgr_libctx, dst, len, 0) != 1;
		break;
	case OPENSSL_VGR_MODULE:
		for (i = 0; i < iters; i++)
			fails |= RAND_bytes_ex(module_libctx, dst, len, 0) != 1;
		break;
	case LIBBSD:
		for (i = 0; i < iters; i++)
			bsd_arc4random_buf(dst, len);
		break;
	case GLIBC_ARC4RANDOM:
		for (i = 0; i < iters; i++)
			arc4random_buf(dst, len);
		break;
	case GLIBC_GETRANDOM:
		for (i = 0; i < iters; i++)
			fails |= getrandom(dst, len, 0) != (ssize_t)len;
		break;
	case SODIUM_RANDOMBYTES:
		for (i = 0; i < iters; i++)
			randombytes_buf(dst, len);
		break;
	case SODIUM_CHACHA20:
		for (i = 0; i < iters; i++)
			fails |= crypto_stream_chacha20(dst, len, nonce, key) != 0;
		break;
	case FLOOR:
		for (i = 0; i < iters; i++)
			floor_fn(dst, floor_buf, len);
		break;
	default:
		fails = true;
	}
	return fails ? -1 : 0;
}

/*
 * The loop all threads run next. A second thread waits for it at @go, and
 * reports at @done; with one thread, the first runs alone.
 */
static struct {
	enum impl impl;
	size_t len, iters;
	bool stop;
	pthread_barrier_t go, done;
} job;

static void run_job(struct bench_thread *t)
{
	uint64_t t0 = now_ns();

	t->failed |= bench_loop(job.impl, t, floor_src[t - threads], job.len, job.iters);
	t->ns = now_ns() - t0;
}

static void *worker(void *arg)
{
	for (;;) {
		pthread_barrier_wait(&job.go);
		if (job.stop)
			return NULL;
		run_job(arg);
		pthread_barrier_wait(&job.done);
	}
}

/* One loop of @iters calls on @nthreads threads: ns per call of the slower. */
static double run_round(enum impl impl, size_t len, size_t iters, int nthreads)
{
	double worst = 0;

	job.impl = impl;
	job.len = len;
	job.iters = iters;
	for (int i = 1; i < nthreads; i++)
		pthread_barrier_wait(&job.go);
	run_job(&threads[0]);
	for (int i = 1; i < nthreads; i++)
		pthread_barrier_wait(&job.done);
	for (int i = 0; i < nthreads; i++) {
		if (threads[i].failed)
			return -1;
		if (threads[i].ns > worst)
			worst = threads[i].ns;
	}
	return worst / iters;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Calls of @impl at @len that take about REP_NS on one thread. */
static size_t calibrate(enum impl impl, size_t len)
{
	size_t iters = 1;

	/* First calls set things up (OpenSSL's DRBGs, our state's key). */
	if (bench_loop(impl, &threads[0], floor_src[0], len, 4))
		return 0;
	for (;;) {
		uint64_t t0 = now_ns(), dt;

		if (bench_loop(impl, &threads[0], floor_src[0], len, iters))
			return 0;
		dt = now_ns() - t0;
		if (dt >= REP_NS / 8 || iters >= (1UL << 30)) {
			double want = REP_NS * iters / (dt ? dt : 1);

			return want < 1 ? 1 : (size_t)want;
		}
		iters *= 4;
	}
}

/*
 * Every impl at @len on @nthreads threads: the medians of @reps rounds,
 * taken in turn (one loop of each impl per round), so that a change in the
 * machine's load during the run weighs on all of them alike.
 */
static int measure_size(size_t s, int nthreads, int reps)
{
	static double samples[NR_IMPL][MAX_REPS];
	size_t iters[NR_IMPL];
	int i;

	for (i = 0; i < NR_IMPL; i++) {
		if (!have[i])
			continue;
		iters[i] = calibrate(i, sizes[s]);
		/* Warms up the other thread too (its first library call maps). */
		if (!iters[i] || run_round(i, sizes[s], iters[i] / 8 + 1, nthreads) < 0)
			goto failed;
	}
	for (int r = 0; r < reps; r++)
		for (i = 0; i < NR_IMPL; i++) {
			if (!have[i])
				continue;
			samples[i][r] = run_round(i, sizes[s], iters[i], nthreads);
			if (samples[i][r] < 0)
				goto failed;
		}
	for (i = 0; i < NR_IMPL; i++) {
		if (!have[i])
			continue;
		qsort(samples[i], reps, sizeof(samples[i][0]), cmp_double);
		result[nthreads - 1][i][s] = samples[i][reps / 2];
	}
	return 0;
failed:
	fprintf(stderr, "vgetrandom_bench: %s failed at %zu bytes, %d threads\n",
		impl_names[i], sizes[s], nthreads);
	return -1;
}

static void find_mainline(void)
{
	struct vgetrandom_opaque_params params;
	unsigned long ehdr = getauxval(AT_SYSINFO_EHDR);

	if (!ehdr)
		return;
	vdso_init_from_sysinfo_ehdr(ehdr);
	mainline_fn = (vgr_bench_fn)vdso_sym("LINUX_2.6", "__vdso_getrandom");
	if (!mainline_fn || mainline_fn(NULL, 0, 0, &params, ~0UL) ||
	    params.size_of_opaque_state > 4096) {
		mainline_fn = NULL;
		return;
	}
	mainline_state_size = params.size_of_opaque_state;
	for (int i = 0; i < MAX_THREADS; i++) {
		threads[i].mainline_state = mmap(NULL, 4096, params.mmap_prot,
						 params.mmap_flags, -1, 0);
		if (threads[i].mainline_state == MAP_FAILED) {
			mainline_fn = NULL;
			return;
		}
	}
	have[MAINLINE] = true;
}

/*
 * A library context of its own whose primary, public and private
 * generators are the provider's, as openssl.cnf's [random] section makes
 * them in the default one (README): the provider's source built into this
 * program when @dir is NULL, else the module in @dir.  NULL if that fails.
 */
static OSSL_LIB_CTX *vgetrandom_libctx(const char *dir)
{
	OSSL_LIB_CTX *ctx = OSSL_LIB_CTX_new();
	EVP_RAND_CTX *pub;

	if (!ctx)
		return NULL;
	if ((dir ? !OSSL_PROVIDER_set_default_search_path(ctx, dir) :
		   !OSSL_PROVIDER_add_builtin(ctx, "vgetrandom", vgr_ossl_provider_init)) ||
	    !OSSL_PROVIDER_load(ctx, "vgetrandom") ||
	    !RAND_set_DRBG_type(ctx, "VGETRANDOM", "provider=vgetrandom", NULL, NULL))
		goto fail;
	pub = RAND_get0_public(ctx);
	if (!pub || strcmp(EVP_RAND_get0_name(EVP_RAND_CTX_get0_rand(pub)), "VGETRANDOM"))
		goto fail;
	return ctx;
fail:
	OSSL_LIB_CTX_free(ctx);
	return NULL;
}

static void load_provider(void)
{
	char self[4096], dir[4200];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	vgr_libctx = vgetrandom_libctx(NULL);
	have[OPENSSL_VGR] = vgr_libctx != NULL;
	if (n <= 0)
		return;
	self[n] = 0;
	*strrchr(self, '/') = 0;
	snprintf(dir, sizeof(dir), "%s/lib/openssl", self);
	module_libctx = vgetrandom_libctx(dir);
	have[OPENSSL_VGR_MODULE] = module_libctx != NULL;
}

static int setup(void)
{
	struct vgetrandom_opaque_params params;

	if (sodium_init() < 0)
		return -1;
	/* Our code's RNG data: ready, one fixed generation. */
	vgr_harness.rng.generation = 1;
	vgr_harness.rng.is_ready = 1;

	ours_fn[OURS] = vgr_bench_best_path(&ours_path);
	ours_fn[OURS_SSE2] = vgr_bench_sse2;
	ours_fn[OURS_AVX2] = vgr_bench_avx2;
	ours_fn[OURS_AVX512VL] = vgr_bench_avx512vl;
	ours_fn[OURS_AVX512] = vgr_bench_avx512;
	have[OURS] = have[OURS_SSE2] = true;
	have[OURS_AVX2] = __builtin_cpu_supports("avx2");
	have[OURS_AVX512VL] = have[OURS_AVX512] = __builtin_cpu_supports("avx512vl");
	if (ours_fn[OURS](NULL, 0, 0, &params, ~0UL))
		return -1;
	ours_state_size = params.size_of_opaque_state;
	if (ours_state_size > 4096)
		return -1;

	/* Each thread's state of each build on a page of its own. */
	for (int i = 0; i < MAX_THREADS; i++) {
		size_t len = NR_OURS * 4096;
		uint8_t *pages = mmap(NULL, len, params.mmap_prot, params.mmap_flags, -1, 0);

		if (pages == MAP_FAILED)	/* a host kernel without MAP_DROPPABLE */
			pages = mmap(NULL, len, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		threads[i].dst = mmap(NULL, MAX_LEN, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (pages == MAP_FAILED || threads[i].dst == MAP_FAILED)
			return -1;
		for (int j = 0; j < NR_OURS; j++)
			threads[i].ours_state[j] = pages + j * 4096;
	}

	find_mainline();
	have[SYSCALL] = have[GLIBC_ARC4RANDOM] = have[GLIBC_GETRANDOM] = true;
	have[LIBRARY] = vgetrandom_vdso_active();
	have[OPENSSL] = have[SODIUM_RANDOMBYTES] = have[SODIUM_CHACHA20] = true;
	load_provider();
	bsd_arc4random_buf = dlsym(dlopen("libbsd.so.0", RTLD_NOW | RTLD_LOCAL),
				   "arc4random_buf");
	have[LIBBSD] = bsd_arc4random_buf != NULL;
	floor_fn = floor_copy;
	have[FLOOR] = true;
	return 0;
}

static void cpu_model(char *buf, size_t size)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(buf, size, "unknown");
	while (f && fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && v) {
			snprintf(buf, size, "%s", v + 2);
			buf[strcspn(buf, "\n")] = 0;
			break;
		}
	}
	if (f)
		fclose(f);
}

static void read_loadavg(char *buf, size_t size)
{
	FILE *f = fopen("/proc/loadavg", "r");

	snprintf(buf, size, "unknown");
	if (f && fgets(buf, size, f))
		buf[strcspn(buf, "\n")] = 0;
	if (f)
		fclose(f);
}

static void print_table(int nthreads)
{
	printf("\n# %d thread%s: median ns per call (per thread)\n", nthreads,
	       nthreads > 1 ? "s, each on its own state, at once" : "");
	printf("%-19s", "impl \\ bytes");
	for (size_t s = 0; s < NR_SIZES; s++)
		printf(" %9zu", sizes[s]);
	printf("\n");
	for (int i = 0; i < NR_IMPL; i++) {
		if (!have[i])
			continue;
		printf("%-19s", impl_names[i]);
		for (size_t s = 0; s < NR_SIZES; s++) {
			double v = result[nthreads - 1][i][s];

			printf(v < 1000 ? " %9.1f" : " %9.0f", v);
		}
		printf("\n");
	}
}

static size_t size_index(size_t len)
{
	for (size_t s = 0; s < NR_SIZES; s++)
		if (sizes[s] == len)
			return s;
	abort();
}

/* The targets, judged on this run's figures (one thread). */
static void print_targets(void)
{
	double (*r)[NR_SIZES] = result[0];
	double worst;
	size_t at;
	bool ok;

	printf("\n# targets, ratios from this run (1 thread unless said)\n");
	worst = 0;
	at = 0;
	for (size_t s = 0; sizes[s] <= 16384; s++) {
		if (r[OURS][s] / r[OPENSSL][s] > worst) {
			worst = r[OURS][s] / r[OPENSSL][s];
			at = sizes[s];
		}
	}
	printf("%s ours <= openssl up to 16 KiB: worst ours/openssl %.2f at %zu B\n",
	       worst <= 1 ? "met:    " : "NOT met:", worst, at);
	worst = r[OURS][size_index(65536)] / r[OPENSSL][size_index(65536)];
	if (r[OURS][size_index(MAX_LEN)] / r[OPENSSL][size_index(MAX_LEN)] > worst)
		worst = r[OURS][size_index(MAX_LEN)] / r[OPENSSL][size_index(MAX_LEN)];
	printf("%s ours within 1.5x of openssl at 64 KiB and 1 MiB: worst %.2fx\n",
	       worst <= 1.5 ? "met:    " : "NOT met:", worst);
	worst = r[SODIUM_CHACHA20][size_index(65536)] / r[OURS][size_index(65536)];
	printf("%s ours >= 2x sodium-chacha20 at 64 KiB: %.2fx\n",
	       worst >= 2 ? "met:    " : "NOT met:", worst);
	worst = 0;
	at = 0;
	for (size_t s = 0; sizes[s] <= 64; s++) {
		if (r[OURS][s] / r[FLOOR][s] > worst) {
			worst = r[OURS][s] / r[FLOOR][s];
			at = sizes[s];
		}
	}
	printf("%s 1-64 B within 1.3x of floor: worst ours/floor %.2f at %zu B\n",
	       worst <= 1.3 ? "met:    " : "NOT met:", worst, at);
	if (have[MAINLINE]) {
		worst = 1e9;
		at = 0;
		for (size_t s = size_index(16); s < NR_SIZES; s++) {
			if (r[MAINLINE][s] / r[OURS][s] < worst) {
				worst = r[MAINLINE][s] / r[OURS][s];
				at = sizes[s];
			}
		}
		printf("%s >= 3x mainline from 16 B up: least mainline/ours %.2fx at %zu B\n",
		       worst >= 3 ? "met:    " : "NOT met:", worst, at);
	}
	if (have[OPENSSL_VGR]) {
		worst = 1e9;
		at = 0;
		for (size_t s = 0; sizes[s] <= 256; s++) {
			if (r[OPENSSL][s] / r[OPENSSL_VGR][s] < worst) {
				worst = r[OPENSSL][s] / r[OPENSSL_VGR][s];
				at = sizes[s];
			}
		}
		printf("%s openssl-vgetrandom >= 10x openssl at 1-256 B: least %.2fx at %zu B\n",
		       worst >= 10 ? "met:    " : "NOT met:", worst, at);
		worst = 1e9;
		at = 0;
		for (size_t s = 0; s < NR_SIZES; s++) {
			if (r[OPENSSL][s] / r[OPENSSL_VGR][s] < worst) {
				worst = r[OPENSSL][s] / r[OPENSSL_VGR][s];
				at = sizes[s];
			}
		}
		printf("%s openssl-vgetrandom never slower than openssl: least %.2fx at %zu B\n",
		       worst >= 1 ? "met:    " : "NOT met:", worst, at);
	}
	ok = true;
	worst = 1e9;
	at = 0;
	for (size_t s = 0; s < NR_SIZES; s++) {
		for (int n = 0; n < MAX_THREADS; n++)
			ok &= result[n][OURS][s] <= result[n][SYSCALL][s];
		if (r[SYSCALL][s] / r[OURS][s] < worst) {
			worst = r[SYSCALL][s] / r[OURS][s];
			at = sizes[s];
		}
	}
	printf("%s never slower than the syscall: least syscall/ours %.2fx at %zu B\n",
	       ok ? "met:    " : "NOT met:", worst, at);
	worst = 1e9;
	at = 0;
	for (size_t s = 0; s < NR_SIZES; s++) {
		double scale = 2 * result[0][OURS][s] / result[1][OURS][s];

		if (scale < worst) {
			worst = scale;
			at = sizes[s];
		}
	}
	/* The floor has no shared state: how much two CPUs were there to have. */
	printf("%s 2 threads >= 1.8x one thread: least %.2fx at %zu B (floor %.2fx there)\n",
	       worst >= 1.8 ? "met:    " : "NOT met:", worst, at,
	       2 * result[0][FLOOR][size_index(at)] / result[1][FLOOR][size_index(at)]);
}

/* Keep only the impls named in @list (comma-separated); -1 on an unknown one. */
static int select_impls(char *list)
{
	bool want[NR_IMPL] = { false };

	for (char *name = strtok(list, ","); name; name = strtok(NULL, ",")) {
		int i;

		for (i = 0; i < NR_IMPL && strcmp(name, impl_names[i]); i++)
			;
		if (i == NR_IMPL) {
			fprintf(stderr, "vgetrandom_bench: no impl named %s\n", name);
			return -1;
		}
		want[i] = true;
	}
	for (int i = 0; i < NR_IMPL; i++)
		have[i] &= want[i];
	return 0;
}

static int write_json(const char *path, const char *cpu, int reps,
		      const char *load0, const char *load1)
{
	FILE *f = fopen(path, "w");
	struct utsname u;
	bool first = true;

	if (!f)
		return -1;
	uname(&u);
	fprintf(f, "{\n  \"cpu\": \"%s\",\n", cpu);
	fprintf(f, "  \"cpu_flags\": \"sse2%s%s%s\",\n",
		__builtin_cpu_supports("avx2") ? " avx2" : "",
		__builtin_cpu_supports("avx512vl") ? " avx512vl" : "",
		vgr_bench_zmm_fast() ? " zmm_fast" : "");
	fprintf(f, "  \"ours_path\": \"%s\",\n", ours_path);
	fprintf(f, "  \"ours_cflags\": \"%s\",\n", VGR_BENCH_CFLAGS);
	fprintf(f, "  \"host_kernel\": \"%s\",\n", u.release);
	fprintf(f, "  \"cpus_online\": %ld,\n", sysconf(_SC_NPROCESSORS_ONLN));
	fprintf(f, "  \"loadavg_before\": \"%s\",\n  \"loadavg_after\": \"%s\",\n", load0, load1);
	fprintf(f, "  \"repetitions\": %d,\n", reps);
	fprintf(f, "  \"ns_per_call\": \"%s\",\n",
		"median over repetitions of one thread's loop time / its calls; threads at once");
	fprintf(f, "  \"records\": [");
	for (int n = 0; n < MAX_THREADS; n++) {
		for (int i = 0; i < NR_IMPL; i++) {
			for (size_t s = 0; have[i] && s < NR_SIZES; s++) {
				fprintf(f, "%s\n    {\"impl\": \"%s\", \"bytes\": %zu, ",
					first ? "" : ",", impl_names[i], sizes[s]);
				fprintf(f, "\"threads\": %d, \"ns_per_call\": %.2f}",
					n + 1, result[n][i][s]);
				first = false;
			}
		}
	}
	fprintf(f, "\n  ]\n}\n");
	return fclose(f);
}

/* One block per impl, one thread: "impl", then "bytes ns" lines. */
static int write_dat(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	for (int i = 0, n = 0; i < NR_IMPL; i++) {
		if (!have[i])
			continue;
		/* Two blank lines between blocks, none after the last. */
		fprintf(f, "%s\"%s\"\n", n++ ? "\n\n" : "", impl_names[i]);
		for (size_t s = 0; s < NR_SIZES; s++)
			fprintf(f, "%zu %.2f\n", sizes[s], result[0][i][s]);
	}
	return fclose(f);
}

int main(int argc, char **argv)
{
	const char *json = NULL, *dat = NULL;
	char *only = NULL;
	char cpu[128], load0[64], load1[64];
	int reps = 7, opt;
	pthread_t tid;

	while ((opt = getopt(argc, argv, "r:j:d:i:")) != -1) {
		switch (opt) {
		case 'r':
			reps = atoi(optarg);
			break;
		case 'j':
			json = optarg;
			break;
		case 'd':
			dat = optarg;
			break;
		case 'i':
			only = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-r reps] [-j json] [-d dat] [-i impl,...]\n",
				argv[0]);
			return 2;
		}
	}
	if (reps < 1 || reps > MAX_REPS)
		reps = 7;
	if (setup()) {
		fprintf(stderr, "vgetrandom_bench: setup failed\n");
		return 1;
	}
	if (only && select_impls(only))
		return 2;
	cpu_model(cpu, sizeof(cpu));
	read_loadavg(load0, sizeof(load0));
	printf("# %s, %ld CPUs online; ours = ours-%s (what the vDSO would pick here)\n",
	       cpu, sysconf(_SC_NPROCESSORS_ONLN), ours_path);
	printf("# load average before: %s\n", load0);
	if (!mainline_fn)
		printf("# host vDSO has no __vdso_getrandom: no mainline row\n");
	if (!bsd_arc4random_buf)
		printf("# no libbsd.so.0: no libbsd row\n");
	if (!have[OPENSSL_VGR_MODULE])
		printf("# no lib/openssl/vgetrandom.so beside this program: no openssl-vgr-module row\n");

	if (pthread_barrier_init(&job.go, NULL, 2) ||
	    pthread_barrier_init(&job.done, NULL, 2) ||
	    pthread_create(&tid, NULL, worker, &threads[1]))
		return 1;
	for (int n = 1; n <= MAX_THREADS; n++)
		for (size_t s = 0; s < NR_SIZES; s++)
			if (measure_size(s, n, reps))
				return 1;
	job.stop = true;
	pthread_barrier_wait(&job.go);
	pthread_join(tid, NULL);
	read_loadavg(load1, sizeof(load1));
	print_table(1);
	print_table(2);
	printf("\n# 1 MiB, 1 thread, GB/s:");
	for (int i = 0; i < NR_IMPL; i++)
		if (have[i])
			printf(" %s %.2f", impl_names[i], MAX_LEN / result[0][i][NR_SIZES - 1]);
	printf("\n");
	printf("# rekey syscalls made by ours (all builds): %lu\n", vgr_harness.calls);
	printf("# load average after: %s\n", load1);
	if (!only)
		print_targets();
	if (json && write_json(json, cpu, reps, load0, load1))
		return 1;
	if (dat && write_dat(dat))
		return 1;
	return 0;
}
