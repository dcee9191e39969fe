// SPDX-License-Identifier: GPL-2.0
/*
 * Host benchmark: the generic vDSO getrandom() with the x86 ChaCha20, built
 * unchanged into this program (RNG data ready, generation fixed), against
 * the host kernel's own __vdso_getrandom (if any), the getrandom syscall
 * and libsodium's crypto_stream_chacha20, side by side in one process.
 * Prints the median ns/call of several repetitions and speed-up ratios,
 * then how our code scales from one thread to one per CPU.
 *
 * Usage: vgetrandom_bench [repetitions]
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <time.h>
#include <pthread.h>
#include <unistd.h>
#include <sodium.h>

#include "vgetrandom_host.h"
#include "../../vDSO/parse_vdso.h"

typedef ssize_t (*vgetrandom_t)(void *buffer, size_t len, unsigned int flags,
				void *opaque_state, size_t opaque_len);

static vgetrandom_t host_vgetrandom;
static void *host_state;
static size_t host_state_size;
static void *our_state;
static u8 *buf;

static const size_t sizes[] = { 1, 4, 16, 64, 256, 4096, 65536, 1048576 };

enum impl { OURS, OURS_SSE2, MAINLINE, SYSCALL, SODIUM, NR_IMPL };
static const char * const impl_names[NR_IMPL] = {
	"ours", "ours-sse2", "mainline", "syscall", "sodium"
};
static bool have_avx2;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int run_once(enum impl impl, size_t len)
{
	static const unsigned char nonce[crypto_stream_chacha20_NONCEBYTES];
	static const unsigned char key[crypto_stream_chacha20_KEYBYTES] = { 1 };

	switch (impl) {
	case OURS:
	case OURS_SSE2:
		return vgr_getrandom(buf, len, 0, our_state, sizeof(struct vgetrandom_state)) != len;
	case MAINLINE:
		return host_vgetrandom(buf, len, 0, host_state, host_state_size) != len;
	case SYSCALL:
		return syscall(SYS_getrandom, buf, len, 0) != len;
	case SODIUM:
		return crypto_stream_chacha20(buf, len, nonce, key);
	default:
		return 1;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median over reps of the mean ns per call of a timed loop. */
static double measure(enum impl impl, size_t len, int reps)
{
	size_t iters = (8UL << 20) / len;
	double samples[64];

	if (iters > 200000)
		iters = 200000;
	if (iters < 16)
		iters = 16;
	if (impl == SYSCALL && iters > 20000)
		iters = 20000;
	/* ours: the path the vDSO would patch in on this CPU; ours-sse2: the baseline */
	vgr_chacha20_owned = impl == OURS && have_avx2 ? vgr_chacha20_owned_avx2 :
							     vgr_chacha20_owned_sse2;
	for (size_t i = 0; i < iters / 10 + 1; i++)	/* warm up */
		if (run_once(impl, len))
			return -1;
	for (int r = 0; r < reps; r++) {
		uint64_t t0 = now_ns();

		for (size_t i = 0; i < iters; i++)
			if (run_once(impl, len))
				return -1;
		samples[r] = (double)(now_ns() - t0) / iters;
	}
	qsort(samples, reps, sizeof(samples[0]), cmp_double);
	return samples[reps / 2];
}

static void find_host_vdso(void)
{
	struct vgetrandom_opaque_params params;
	unsigned long ehdr = getauxval(AT_SYSINFO_EHDR);

	if (!ehdr)
		return;
	vdso_init_from_sysinfo_ehdr(ehdr);
	host_vgetrandom = (vgetrandom_t)vdso_sym("LINUX_2.6", "__vdso_getrandom");
	if (!host_vgetrandom)
		return;
	if (host_vgetrandom(NULL, 0, 0, &params, ~0UL)) {
		host_vgetrandom = NULL;
		return;
	}
	host_state_size = params.size_of_opaque_state;
	host_state = mmap(NULL, 4096, params.mmap_prot, params.mmap_flags, -1, 0);
	if (host_state == MAP_FAILED)
		host_vgetrandom = NULL;
}

#define SCALE_CALLS	2000000UL	/* 16-byte calls per thread */

/* One thread's share: its own state, on a page of its own. */
static void *scale_thread(void *arg)
{
	u8 out[16];
	void *state = arg;

	for (unsigned long i = 0; i < SCALE_CALLS; i++)
		if (vgr_getrandom(out, sizeof(out), 0, state,
				  sizeof(struct vgetrandom_state)) != sizeof(out))
			return (void *)1;
	return NULL;
}

/* Calls per second, all threads together: the median of @reps runs. */
static double scale_rate(int nthreads, int reps)
{
	double rates[64];
	pthread_t tids[64];
	u8 *states;

	states = mmap(NULL, nthreads * 4096UL, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (states == MAP_FAILED)
		return -1;
	for (int r = 0; r < reps; r++) {
		uint64_t t0 = now_ns();
		void *ret;
		bool bad = false;

		for (int i = 0; i < nthreads; i++)
			pthread_create(&tids[i], NULL, scale_thread, states + i * 4096UL);
		for (int i = 0; i < nthreads; i++) {
			pthread_join(tids[i], &ret);
			bad |= ret != NULL;
		}
		if (bad)
			return -1;
		rates[r] = nthreads * SCALE_CALLS * 1e9 / (now_ns() - t0);
	}
	munmap(states, nthreads * 4096UL);
	qsort(rates, reps, sizeof(rates[0]), cmp_double);
	return rates[reps / 2];
}

static void scaling(int reps)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	double one, all;

	if (ncpu < 2) {
		printf("# thread scaling: one CPU, nothing to measure\n");
		return;
	}
	if (ncpu > 64)
		ncpu = 64;
	one = scale_rate(1, reps);
	all = scale_rate(ncpu, reps);
	if (one <= 0 || all <= 0) {
		printf("# thread scaling: a thread failed\n");
		return;
	}
	printf("# thread scaling, 16-byte calls, own state per thread: 1 thread %.1f M/s, %ld threads %.1f M/s: %.2fx (ideal %ldx)\n",
	       one / 1e6, ncpu, all / 1e6, all / one, ncpu);
}

int main(int argc, char **argv)
{
	int reps = argc > 1 ? atoi(argv[1]) : 7;
	double t[NR_IMPL];

	if (reps < 1 || reps > 64)
		reps = 7;
	if (sodium_init() < 0)
		return 1;
	vgr_harness.rng.generation = 1;
	vgr_harness.rng.is_ready = 1;
	our_state = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	buf = mmap(NULL, sizes[sizeof(sizes) / sizeof(sizes[0]) - 1], PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (our_state == MAP_FAILED || buf == MAP_FAILED)
		return 1;
	have_avx2 = __builtin_cpu_supports("avx2");
	find_host_vdso();
	if (!host_vgetrandom)
		printf("# host vDSO has no __vdso_getrandom: mainline column skipped\n");

	printf("# median of %d repetitions, ns per call; speed-up = other / ours\n", reps);
	printf("# ours: %s ChaCha20; ours-sse2: the SSE2 baseline path\n",
	       have_avx2 ? "AVX2" : "SSE2");
	printf("%8s %11s %11s %11s %11s %11s %9s %9s %9s\n", "bytes", "ours", "ours-sse2",
	       "mainline", "syscall", "sodium", "vs-mainl", "vs-sysc", "vs-sodium");
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t len = sizes[s];

		for (int i = 0; i < NR_IMPL; i++) {
			if (i == MAINLINE && !host_vgetrandom) {
				t[i] = 0;
				continue;
			}
			t[i] = measure(i, len, reps);
			if (t[i] < 0) {
				fprintf(stderr, "%s failed at %zu bytes\n", impl_names[i], len);
				return 1;
			}
		}
		printf("%8zu %11.1f %11.1f %11.1f %11.1f %11.1f %8.2fx %8.2fx %8.2fx\n", len,
		       t[OURS], t[OURS_SSE2], t[MAINLINE], t[SYSCALL], t[SODIUM],
		       t[MAINLINE] / t[OURS], t[SYSCALL] / t[OURS], t[SODIUM] / t[OURS]);
	}
	printf("# bulk rate at 1 MiB: ours %.2f GB/s, ours-sse2 %.2f GB/s, mainline %.2f GB/s, sodium %.2f GB/s\n",
	       1048576 / t[OURS], 1048576 / t[OURS_SSE2],
	       host_vgetrandom ? 1048576 / t[MAINLINE] : 0, 1048576 / t[SODIUM]);
	printf("# rekey syscalls made by ours: %lu\n", vgr_harness.calls);
	scaling(reps < 5 ? reps : 5);
	return 0;
}
