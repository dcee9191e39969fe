// SPDX-License-Identifier: GPL-2.0
/*
 * vgetrandom_stress_test - everything at once, for about a minute.
 *
 * In a memory cgroup kept under pressure, one process runs:
 *   - threads calling the vDSO getrandom() on states of their own (from
 *     vgetrandom_alloc(), or mapped as the vDSO asks on mainline kernels),
 *   - threads calling the library's vgetrandom(),
 *   - a thread that starts short-lived library threads, each of which exits
 *     while holding a state,
 *   - a thread that forks (so from a multi-threaded parent); each child
 *     calls the library and the vDSO, on the wiped copy of its thread's
 *     state, from two threads,
 *   - a thread that has the CRNG reseeded (RNDRESEEDCRNG) over and over,
 *   - a thread that has the vDSO threads' state pages paged out.
 * Beside it, a process in the same cgroup touches droppable memory beyond
 * the cgroup's limit without end, so reclaim keeps dropping droppable
 * pages, the states among them.
 *
 * Every call must return its full length.  Every 16-byte block of every
 * output, from every thread and every process, is kept (as a 64-bit mix
 * of it, in shared memory, as many as the log holds) and must be unique;
 * none may be all zero.
 * Nothing may be killed: no OOM kill in the cgroup, no child failing.
 * The kernel's console is read by the harness (oops, BUG, WARNING).
 *
 * Runs until at least -b BLOCKS blocks were kept (default 10000000) and
 * MIN_SECONDS passed, or for -t SECONDS at most (default 90).  The log
 * holds 1.6 times BLOCKS (128 MiB by default); blocks past it are checked
 * for zeroes only.  A slow emulator (s390x under TCG: 0.5 ms a page fault,
 * 3 s a million blocks sorted) takes a smaller BLOCKS from its
 * architecture's description (harness/arch/), which the result states.
 * Needs root and cgroup2 with the memory controller; runs on mainline
 * kernels too (without the allocator).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/random.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest.h"
#include "../vDSO/parse_vdso.h"
#include "../vm/droppable_util.h"
#include "../../../lib/vgetrandom/vgetrandom.h"
#include "vgetrandom_test_util.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif
#ifndef __NR_vgetrandom_alloc
#define __NR_vgetrandom_alloc	1000
#endif

#define CG_ROOT		"/sys/fs/cgroup"
#define CG		CG_ROOT "/vgetrandom_stress"
#define CG_MAX		(48UL << 20)	/* the cgroup's limit */
#define HOG_LEN		(4 * CG_MAX)	/* droppable memory touched beyond it */
#define MIN_SECONDS	30
#define NVDSO		2
#define NLIB		2
#define CHILD_CALLS	16
#define MAX_CHILDREN	4

/* Kept in shared memory: what every thread and process produced. */
struct stress_log {
	_Atomic uint64_t n;		/* blocks kept */
	_Atomic uint64_t calls, short_calls, zero_blocks;
	_Atomic uint64_t child_calls;
	uint64_t v[];
};

struct vgetrandom_alloc_args_v0 {
	uint64_t flags, num, size_of_opaque_state, map_addr, map_len;
};

static struct stress_log *slog;
static vgetrandom_t vdso_getrandom;
static struct vgr_query_params params;
static void *states[NVDSO + 1];	/* the vDSO threads' and the forker's */
static atomic_bool stop;
static atomic_ulong thread_exits, forks, child_failures, reseeds, pageouts;
static atomic_ulong reseed_errno;

static uint64_t mix(const unsigned char *b)
{
	uint64_t lo, hi;

	memcpy(&lo, b, 8);
	memcpy(&hi, b + 8, 8);
	return lo ^ (hi << 29 | hi >> 35) ^ (hi * 0x9e3779b97f4a7c15ULL);
}

/* Blocks to compare at least (-b), and kept at most: 1.6 times that. */
static unsigned long min_blocks = 10000000UL, log_cap;

/* Keep every 16-byte block of @buf; false if one is all zero. */
static void keep(const unsigned char *buf, size_t len)
{
	size_t nb = len / 16;
	uint64_t at = atomic_fetch_add(&slog->n, nb);

	for (size_t i = 0; i < nb; i++) {
		if (all_zero(buf + 16 * i, 16))
			atomic_fetch_add(&slog->zero_blocks, 1);
		if (at + i < log_cap)
			slog->v[at + i] = mix(buf + 16 * i);
	}
}

/* 16..4096 bytes, in whole blocks; a quarter of the calls small. */
static size_t next_len(uint32_t *seed)
{
	*seed = *seed * 1103515245 + 12345;
	if ((*seed >> 16) % 4 == 0)
		return 16 * ((*seed >> 8) % 16 + 1);
	return 16 * ((*seed >> 8) % 256 + 1);
}

static bool one_call(bool lib, void *state, unsigned char *buf, size_t len)
{
	ssize_t ret;

	if (lib)
		ret = vgetrandom(buf, len, 0);
	else
		ret = vdso_getrandom(buf, len, 0, state, params.size_of_opaque_state);
	atomic_fetch_add(&slog->calls, 1);
	if (ret != (ssize_t)len) {
		atomic_fetch_add(&slog->short_calls, 1);
		return false;
	}
	keep(buf, len);
	return true;
}

static void *worker(void *arg)
{
	long idx = (long)arg;
	bool lib = idx >= NVDSO;
	static unsigned char bufs[NVDSO + NLIB][4096];
	uint32_t seed = 777 * (idx + 1);

	while (!atomic_load(&stop))
		one_call(lib, lib ? NULL : states[idx], bufs[idx], next_len(&seed));
	return NULL;
}

/* A library thread that takes a state and exits holding it. */
static void *short_lived(void *arg)
{
	unsigned char buf[64];

	(void)arg;
	one_call(true, NULL, buf, sizeof(buf));
	return NULL;
}

static void *churner(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		pthread_t t;

		if (pthread_create(&t, NULL, short_lived, NULL))
			continue;
		pthread_join(t, NULL);
		atomic_fetch_add(&thread_exits, 1);
	}
	return NULL;
}

/* In a child: calls from two threads, the library and the vDSO. */
static void *child_thread(void *arg)
{
	unsigned char buf[512];
	bool ok = true;

	for (int i = 0; i < CHILD_CALLS; i++) {
		ok &= one_call(true, NULL, buf, sizeof(buf));
		if (arg)
			ok &= one_call(false, arg, buf, sizeof(buf));
		atomic_fetch_add(&slog->child_calls, 1 + !!arg);
	}
	return (void *)(long)ok;
}

static void *forker(void *arg)
{
	unsigned char buf[64];
	long outstanding = 0;
	int status;
	pid_t pid;

	(void)arg;
	while (!atomic_load(&stop)) {
		while ((pid = waitpid(-1, &status, outstanding >= MAX_CHILDREN ? 0 : WNOHANG)) > 0) {
			outstanding--;
			if (!WIFEXITED(status) || WEXITSTATUS(status))
				atomic_fetch_add(&child_failures, 1);
		}
		/* The state the child inherits holds a key and a batch. */
		one_call(false, states[NVDSO], buf, sizeof(buf));
		pid = fork();
		if (pid < 0)
			continue;
		if (!pid) {
			/* The parent's other threads are gone; their states stay. */
			pthread_t t;
			void *r1, *r2;

			if (pthread_create(&t, NULL, child_thread, NULL))
				_exit(2);
			r1 = child_thread(states[NVDSO]);
			pthread_join(t, &r2);
			_exit(r1 && r2 ? 0 : 1);
		}
		outstanding++;
		atomic_fetch_add(&forks, 1);
		usleep(2000);
	}
	while (outstanding > 0 && (pid = waitpid(-1, &status, 0)) > 0) {
		outstanding--;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			atomic_fetch_add(&child_failures, 1);
	}
	return NULL;
}

static void *reseeder(void *arg)
{
	int fd = open("/dev/urandom", O_RDONLY);

	(void)arg;
	while (fd >= 0 && !atomic_load(&stop)) {
		if (ioctl(fd, RNDRESEEDCRNG))
			atomic_store(&reseed_errno, errno);
		else
			atomic_fetch_add(&reseeds, 1);
		usleep(5000);
	}
	if (fd < 0)
		atomic_store(&reseed_errno, errno);
	else
		close(fd);
	return NULL;
}

static void *pager(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		for (int i = 0; i <= NVDSO; i++) {
			void *page = (void *)((uintptr_t)states[i] & ~(page_size - 1));

			if (!madvise(page, page_size, MADV_PAGEOUT))
				atomic_fetch_add(&pageouts, 1);
		}
		usleep(1000);
	}
	return NULL;
}

/* States for the vDSO threads: from the allocator, or as the vDSO asks. */
static int get_states(void)
{
	long (*alloc)(struct vgetrandom_alloc_args_v0 *args, size_t size) =
		vgr_vdso_sym("__vdso_vgetrandom_alloc");
	struct vgetrandom_alloc_args_v0 a = { .num = NVDSO + 1 };
	char *map;
	size_t per_page;

	if (alloc) {
		if (alloc(&a, sizeof(a)) || a.num < NVDSO + 1)
			return -1;
		map = (char *)(uintptr_t)a.map_addr;
	} else {
		map = mmap(NULL, (NVDSO + 1) * page_size, params.mmap_prot,
			   params.mmap_flags, -1, 0);
		if (map == MAP_FAILED)
			return -1;
		a.size_of_opaque_state = params.size_of_opaque_state;
	}
	/* The allocator's layout rule (its man page); else one state a page. */
	per_page = page_size / a.size_of_opaque_state;
	for (int i = 0; i <= NVDSO; i++)
		states[i] = alloc ? map + (i / per_page) * page_size + (i % per_page) *
				a.size_of_opaque_state : map + i * page_size;
	return 0;
}

/* Seconds since the first call, for the phase times printed. */
static double elapsed(void)
{
	static struct timespec t0;
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	if (!t0.tv_sec && !t0.tv_nsec)
		t0 = t;
	return t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9;
}

/* The process under the cgroup's limit: what the hog squeezes. */
static int stress(long max_seconds)
{
	pthread_t t[NVDSO + NLIB + 4];
	int nt = 0, bad = 0;
	struct timespec ts;
	time_t start;

	if (get_states())
		return 3;
	for (long i = 0; i < NVDSO + NLIB; i++)
		bad |= pthread_create(&t[nt++], NULL, worker, (void *)i);
	bad |= pthread_create(&t[nt++], NULL, churner, NULL);
	bad |= pthread_create(&t[nt++], NULL, forker, NULL);
	bad |= pthread_create(&t[nt++], NULL, reseeder, NULL);
	bad |= pthread_create(&t[nt++], NULL, pager, NULL);
	if (bad)
		return 4;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	start = ts.tv_sec;
	for (;;) {
		sleep(1);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		if (ts.tv_sec - start >= max_seconds ||
		    (ts.tv_sec - start >= MIN_SECONDS && atomic_load(&slog->n) >= min_blocks))
			break;
	}
	atomic_store(&stop, true);
	ksft_print_msg("%.1f s: stopping\n", elapsed());
	for (int i = 0; i < nt; i++)
		pthread_join(t[i], NULL);
	ksft_print_msg("%.1f s: every thread joined\n", elapsed());
	ksft_print_msg("%lu s: %lu thread exits, %lu forks (%lu children failed), %lu reseeds (errno %lu), %lu pageouts\n",
		       (unsigned long)(ts.tv_sec - start), atomic_load(&thread_exits),
		       atomic_load(&forks), atomic_load(&child_failures), atomic_load(&reseeds),
		       atomic_load(&reseed_errno), atomic_load(&pageouts));
	fflush(stdout);	/* this process ends with _exit() */
	if (atomic_load(&child_failures))
		return 10;
	if (!atomic_load(&thread_exits) || !atomic_load(&forks) || !atomic_load(&reseeds) ||
	    !atomic_load(&pageouts))
		return 11;
	return 0;
}

/*
 * Droppable memory touched for ever, beyond the cgroup's limit.  A page
 * that lost its mark since the last pass was dropped: the count so far is
 * written to @report_fd every 1024 pages.
 */
static void hog(int report_fd)
{
	unsigned char *p = map_droppable(HOG_LEN, 0);
	unsigned long dropped = 0;
	bool first = true;

	if (!p)
		_exit(5);
	for (;;) {
		for (size_t off = 0; off < HOG_LEN; off += page_size) {
			if (!first && p[off] != 1)
				dropped++;
			p[off] = 1;
			if (!(off / page_size % 1024) &&
			    pwrite(report_fd, &dropped, sizeof(dropped), 0) != sizeof(dropped))
				_exit(6);
		}
		first = false;
	}
}

/* Radix sort (16 bits a pass) of @n values, through @tmp. */
static void sort_u64(uint64_t *v, uint64_t *tmp, size_t n)
{
	static size_t count[1 << 16];

	for (int shift = 0; shift < 64; shift += 16) {
		size_t sum = 0;

		memset(count, 0, sizeof(count));
		for (size_t i = 0; i < n; i++)
			count[(v[i] >> shift) & 0xffff]++;
		for (size_t i = 0; i < 1 << 16; i++) {
			size_t c = count[i];

			count[i] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[count[(v[i] >> shift) & 0xffff]++] = v[i];
		memcpy(v, tmp, n * sizeof(*v));
	}
}

static void cg_join(void)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", getpid());
	if (write_str(CG "/cgroup.procs", buf))
		_exit(90);
}

int main(int argc, char **argv)
{
	size_t log_len;
	long max_seconds = 90, oom, steal;
	unsigned long dropped = 0;
	pid_t hog_pid, pid;
	uint64_t n, repeats = 0, *tmp;
	int opt, status, rc;
	char tmpl[] = "/tmp/vgr-stress-XXXXXX", buf[32];
	int report_fd;

	while ((opt = getopt(argc, argv, "b:t:")) != -1) {
		char *end;

		if (opt == 'b')
			min_blocks = strtoul(optarg, &end, 0);
		else if (opt == 't')
			max_seconds = strtol(optarg, &end, 0);
		if ((opt != 'b' && opt != 't') || *end || !min_blocks || max_seconds <= 0 ||
		    min_blocks > (1UL << 28))
			ksft_exit_fail_msg("usage: %s [-b BLOCKS (1..2^28)] [-t SECONDS (> 0)]\n",
					   argv[0]);
	}
	log_cap = min_blocks / 5 * 8 + 8;
	log_len = sizeof(struct stress_log) + log_cap * sizeof(uint64_t);
	elapsed();
	ksft_print_header();
	ksft_set_plan(4);
	page_size = getpagesize();

	vdso_getrandom = vgr_vdso_sym("__vdso_getrandom");
	if (!vdso_getrandom)
		ksft_exit_skip("no vDSO getrandom() on this kernel\n");
	if (vdso_getrandom(NULL, 0, 0, &params, ~0UL))
		ksft_exit_fail_msg("the vDSO does not answer the parameter query\n");
	if (droppable_unsupported())
		ksft_exit_skip("MAP_DROPPABLE: %s\n", droppable_unsupported());
	if (geteuid() || write_str(CG_ROOT "/cgroup.subtree_control", "+memory"))
		ksft_exit_skip("needs root and cgroup2 at " CG_ROOT " with the memory controller\n");
	rmdir(CG);
	snprintf(buf, sizeof(buf), "%lu", CG_MAX);
	if (mkdir(CG, 0755) || write_str(CG "/memory.max", buf))
		ksft_exit_fail_msg("cannot set up " CG ": %s\n", strerror(errno));

	/* Populated here, outside the cgroup: the log is not what it squeezes. */
	slog = mmap(NULL, log_len, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	report_fd = mkstemp(tmpl);
	if (slog == MAP_FAILED || report_fd < 0)
		ksft_exit_fail_msg("setup: %s\n", strerror(errno));
	unlink(tmpl);

	ksft_print_msg("%.1f s: set up\n", elapsed());
	fflush(stdout);	/* not again from the children */
	hog_pid = fork();
	if (!hog_pid) {
		cg_join();
		hog(report_fd);
	}
	pid = fork();
	if (!pid) {
		cg_join();
		alarm(max_seconds + 120);	/* a hang ends as SIGALRM */
		_exit(stress(max_seconds));
	}
	if (hog_pid < 0 || pid < 0)
		ksft_exit_fail_msg("fork: %s\n", strerror(errno));
	rc = waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (rc == -1 && WIFSIGNALED(status))
		ksft_print_msg("the stress process was killed by signal %d\n", WTERMSIG(status));
	ksft_print_msg("%.1f s: the stress process ended\n", elapsed());
	kill(hog_pid, SIGKILL);
	waitpid(hog_pid, &status, 0);
	if (pread(report_fd, &dropped, sizeof(dropped), 0) != sizeof(dropped))
		dropped = 0;
	oom = flat_key(CG "/memory.events", "oom_kill");
	steal = flat_key(CG "/memory.stat", "pgsteal");
	rmdir(CG);

	n = atomic_load(&slog->n);
	if (n > log_cap)
		n = log_cap;
	/* The sort's buffer, only now: the children's forks need not copy it. */
	tmp = mmap(NULL, n * sizeof(uint64_t) + 1, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (tmp == MAP_FAILED)
		ksft_exit_fail_msg("mmap of the sort buffer: %s\n", strerror(errno));
	ksft_print_msg("%llu calls (%llu in fork children), %llu blocks kept; cgroup: %ld pages reclaimed, the hog saw %lu of its pages dropped, %ld OOM kills\n",
		       (unsigned long long)atomic_load(&slog->calls),
		       (unsigned long long)atomic_load(&slog->child_calls),
		       (unsigned long long)n, steal, dropped, oom);
	ksft_test_result(rc == 0 && oom == 0 && steal > 0,
			 "threads, library threads exiting, forks from a threaded parent, reseeds, pageouts and cgroup pressure ran to the end (status %d, %ld OOM kills, %ld pages reclaimed)\n",
			 rc, oom, steal);
	ksft_test_result(!atomic_load(&slog->short_calls),
			 "every one of %llu calls returned its full length (%llu short)\n",
			 (unsigned long long)atomic_load(&slog->calls),
			 (unsigned long long)atomic_load(&slog->short_calls));
	ksft_test_result(!atomic_load(&slog->zero_blocks), "no all-zero 16-byte block (%llu)\n",
			 (unsigned long long)atomic_load(&slog->zero_blocks));

	sort_u64(slog->v, tmp, n);
	for (uint64_t i = 1; i < n; i++)
		repeats += slog->v[i] == slog->v[i - 1];
	ksft_print_msg("%.1f s: %llu blocks sorted and compared\n", elapsed(), (unsigned long long)n);
	ksft_test_result(!repeats && n >= min_blocks,
			 "no 16-byte block twice among %llu from all threads and processes (%llu repeats; at least %lu compared)\n",
			 (unsigned long long)n, (unsigned long long)repeats, min_blocks);
	ksft_finished();
}
