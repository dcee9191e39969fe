// SPDX-License-Identifier: GPL-2.0
/*
 * vgetrandom_drop_test - __vdso_getrandom() while the kernel drops its state.
 *
 * A state lives in MAP_DROPPABLE memory, so reclaim may replace its page by
 * a zero page at any moment, also between two instructions of a call.  The
 * vDSO must notice (a zero generation never matches the kernel's), rekey,
 * and never hand out bytes computed from a zeroed batch or key.  One thread
 * calls it in a loop while another has the state's page dropped over and
 * over with MADV_PAGEOUT; every output must be full length, free of
 * 16-byte runs of zeroes, and unlike every other output.  Runs on any
 * kernel with the vDSO function, MAP_DROPPABLE and MADV_PAGEOUT.
 *
 * This is a soak of the real kernel and vDSO together: a drop inside the
 * few instructions of one call is rare here.  The deterministic checks of
 * a state zeroed mid-fill are in host/vgetrandom_state_test.c, which
 * fails when the re-check after the fill is removed; this test does not
 * reliably.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest.h"
#include "../vDSO/parse_vdso.h"
#include "vgetrandom_test_util.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define RUN_NS		(2 * 1000000000LL)
#define MAX_CALLS	(1 << 20)
#define MAX_LEN		1500	/* crosses the batch, so direct blocks too */

static vgetrandom_t vgetrandom;
static struct vgr_query_params params;
static void *state_page;
static atomic_bool stop;
static atomic_long drops, seen_gone;

/* The first 16 bytes of every output, to find repeats afterwards. */
static unsigned __int128 *firsts;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Has the kernel dropped the page: is it absent from the page tables? */
static bool page_gone(void)
{
	unsigned char vec;

	return !mincore(state_page, getpagesize(), &vec) && !(vec & 1);
}

static void *dropper(void *arg)
{
	while (!atomic_load(&stop)) {
		if (!madvise(state_page, getpagesize(), MADV_PAGEOUT))
			atomic_fetch_add(&drops, 1);
		if (page_gone())
			atomic_fetch_add(&seen_gone, 1);
		sched_yield();
	}
	return NULL;
}

/* A droppable page, written, paged out: is it gone? Up to 10 tries. */
static bool probe_dropped(void)
{
	unsigned char vec = 1;
	char *probe;

	probe = mmap(NULL, getpagesize(), params.mmap_prot, params.mmap_flags, -1, 0);
	if (probe == MAP_FAILED)
		return false;
	for (int i = 0; i < 10 && (vec & 1); i++) {
		memset(probe, 0x5a, getpagesize());
		if (madvise(probe, getpagesize(), MADV_PAGEOUT) ||
		    mincore(probe, getpagesize(), &vec))
			break;
	}
	munmap(probe, getpagesize());
	return !(vec & 1);
}

static bool has_zero_run(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i + 16 <= len; i += 16)
		if (all_zero(p + i, 16))
			return true;
	return false;
}

static int cmp_u128(const void *a, const void *b)
{
	unsigned __int128 x = *(const unsigned __int128 *)a;
	unsigned __int128 y = *(const unsigned __int128 *)b;

	return x < y ? -1 : x > y;
}

int main(void)
{
	static unsigned char buf[MAX_LEN];
	unsigned long calls = 0, short_calls = 0, zero_runs = 0, repeats = 0;
	pthread_t thread;
	int64_t end;
	size_t len = 16;

	ksft_print_header();
	vgetrandom = (vgetrandom_t)vgr_vdso_sym("__vdso_getrandom");
	if (!vgetrandom)
		ksft_exit_skip("__vdso_getrandom@LINUX_2.6 not in the vDSO\n");
	if (vgetrandom(NULL, 0, 0, &params, ~0UL))
		ksft_exit_skip("the vDSO's parameter query failed\n");
	state_page = mmap(NULL, getpagesize(), params.mmap_prot, params.mmap_flags, -1, 0);
	if (state_page == MAP_FAILED)
		ksft_exit_skip("mmap of a state with the queried flags: %s\n", strerror(errno));
	if (madvise(state_page, getpagesize(), MADV_PAGEOUT))
		ksft_exit_skip("MADV_PAGEOUT: %s\n", strerror(errno));
	firsts = calloc(MAX_CALLS, sizeof(*firsts));
	if (!firsts)
		ksft_exit_fail_msg("out of memory\n");
	ksft_set_plan(4);

	pthread_create(&thread, NULL, dropper, NULL);
	end = now_ns() + RUN_NS;
	while (calls < MAX_CALLS && now_ns() < end) {
		ssize_t ret = vgetrandom(buf, len, 0, state_page,
					 params.size_of_opaque_state);

		if (ret != (ssize_t)len)
			short_calls++;
		else if (has_zero_run(buf, len))
			zero_runs++;
		memcpy(&firsts[calls++], buf, 16);
		/* 16..MAX_LEN bytes: small batch reads and direct blocks. */
		len = len * 7 % (MAX_LEN - 16) + 16;
	}
	atomic_store(&stop, true);
	pthread_join(thread, NULL);

	qsort(firsts, calls, sizeof(*firsts), cmp_u128);
	for (unsigned long i = 1; i < calls; i++)
		repeats += firsts[i] == firsts[i - 1];

	ksft_print_msg("%lu calls, %ld MADV_PAGEOUTs, page seen dropped %ld times\n",
		       calls, atomic_load(&drops), atomic_load(&seen_gone));
	/*
	 * Whether the dropper catches the state's page absent between two
	 * calls depends on timing (under TCG it often never does); what must
	 * hold is that MADV_PAGEOUT really drops this kind of memory: a probe
	 * page of it, written and paged out, must be gone.
	 */
	ksft_test_result(probe_dropped(),
			 "MADV_PAGEOUT drops droppable pages (the state's page seen dropped %ld times)\n",
			 atomic_load(&seen_gone));
	ksft_test_result(!short_calls, "every call returned the full length (%lu short)\n",
			 short_calls);
	ksft_test_result(!zero_runs,
			 "no output holds bytes from a zeroed state (%lu with 16 zero bytes)\n",
			 zero_runs);
	ksft_test_result(!repeats, "no two of %lu outputs begin alike (%lu repeats)\n",
			 calls, repeats);
	ksft_finished();
}
