// SPDX-License-Identifier: GPL-2.0
/*
 * Test of vgetrandom_alloc(), this project's state allocator for the vDSO
 * getrandom() (Documentation/vgetrandom/vgetrandom_alloc.2).
 *
 * The system call is not in mainline Linux, and its number may mean
 * anything there, so the test finds it as any program must: by the vDSO
 * symbol __vdso_vgetrandom_alloc@LINUX_2.6.  Without the symbol it skips
 * everything and never makes the system call; that is what it does on a
 * mainline kernel.
 *
 * Build static: gcc -static -O2 -Wall vgetrandom_alloc_test.c ../vDSO/parse_vdso.c -lpthread
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/random.h>

#include "../kselftest.h"
#include "../vDSO/parse_vdso.h"
#include "vgetrandom_test_util.h"

#ifndef VGETRANDOM_ALLOC_ARGS_SIZE_VER0
struct vgetrandom_alloc_args {
	__aligned_u64 flags;
	__aligned_u64 num;
	__aligned_u64 size_of_opaque_state;
	__aligned_u64 map_addr;
	__aligned_u64 map_len;
};
#define VGETRANDOM_ALLOC_ARGS_SIZE_VER0	40
#endif
#ifndef __NR_vgetrandom_alloc
#define __NR_vgetrandom_alloc	1000
#endif

/* The cap the man page documents for this kernel. */
#define MAX_STATES	4096
#define NTHREADS	8
#define THREAD_STATES	5

typedef long (*vgr_alloc_t)(struct vgetrandom_alloc_args *uargs, size_t usize);

static vgr_alloc_t vgr_alloc;
static vgetrandom_t vgetrandom;
static size_t page_size;

static struct vgetrandom_alloc_args args_for(uint64_t num)
{
	struct vgetrandom_alloc_args args = { .num = num };

	return args;
}

/* Where state i is, per the layout rule of the man page. */
static char *state_at(const struct vgetrandom_alloc_args *a, uint64_t i)
{
	uint64_t per_page = page_size / a->size_of_opaque_state;

	return (char *)(uintptr_t)a->map_addr + (i / per_page) * page_size +
	       (i % per_page) * a->size_of_opaque_state;
}

/* Pages needed for a->num states at a->size_of_opaque_state per state. */
static uint64_t expected_len(const struct vgetrandom_alloc_args *a)
{
	uint64_t per_page = page_size / a->size_of_opaque_state;

	return (a->num + per_page - 1) / per_page * page_size;
}

static void unmap(const struct vgetrandom_alloc_args *a)
{
	munmap((void *)(uintptr_t)a->map_addr, a->map_len);
}

/* Is any of [start, start + len) mapped, per /proc/self/maps? */
static bool range_mapped(uint64_t start, uint64_t len)
{
	unsigned long lo, hi;
	bool found = false;
	char line[512];
	FILE *f;

	f = fopen("/proc/self/maps", "r");
	if (!f)
		ksft_exit_fail_msg("/proc/self/maps: %s\n", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo < start + len && hi > start)
			found = true;
	fclose(f);
	return found;
}

/*
 * VmFlags of the VMA that starts at @start, into @flags; false if there is
 * no such VMA or no smaps.
 */
static bool vma_flags(uint64_t start, char *flags, size_t size)
{
	bool in_vma = false, found = false;
	unsigned long lo, hi;
	char line[512];
	FILE *f;

	f = fopen("/proc/self/smaps", "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			in_vma = lo == start;
			continue;
		}
		if (in_vma && !strncmp(line, "VmFlags:", 8)) {
			snprintf(flags, size, "%s", line + 8);
			found = true;
			break;
		}
	}
	fclose(f);
	return found;
}

/* Number of VMAs with the droppable flag "dp"; -1 without smaps. */
static int count_droppable(void)
{
	char line[512];
	int n = 0;
	FILE *f;

	f = fopen("/proc/self/smaps", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmFlags:", 8) && strstr(line, " dp"))
			n++;
	fclose(f);
	return n;
}

static void test_raw_syscall(void)
{
	struct vgetrandom_alloc_args a = args_for(1), b = args_for(1);
	long ra, rb;

	/* The symbol was found: only now may the number be called. */
	ra = vgr_alloc(&a, sizeof(a));
	rb = syscall(__NR_vgetrandom_alloc, &b, sizeof(b));
	ksft_test_result(!ra && !rb && a.num == b.num && a.map_len == b.map_len &&
			 a.size_of_opaque_state == b.size_of_opaque_state &&
			 a.map_addr != b.map_addr,
			 "system call %d does what __vdso_vgetrandom_alloc does (%ld, %ld)\n",
			 __NR_vgetrandom_alloc, ra, rb);
	if (!ra)
		unmap(&a);
	if (!rb)
		unmap(&b);
}

static void test_layout_and_use(void)
{
	struct vgr_query_params params;
	struct vgetrandom_alloc_args a = args_for(13);
	bool zero = true, straddle = false, usable = true, distinct = true;
	unsigned char prev[32] = { 0 }, out[32];
	long ret;

	ret = vgr_alloc(&a, sizeof(a));
	if (ret) {
		ksft_test_result_fail("13 states: returned %ld\n", ret);
		ksft_test_result_skip("no mapping to check the layout of\n");
		ksft_test_result_skip("no mapping to check the states' contents of\n");
		ksft_test_result_skip("no states to use\n");
		ksft_test_result_skip("no mapping to look for in smaps\n");
		ksft_test_result_skip("no mapping to unmap\n");
		return;
	}
	ksft_test_result(a.num == 13 && a.size_of_opaque_state &&
			 a.size_of_opaque_state <= page_size &&
			 !(a.map_addr % page_size) && a.map_len == expected_len(&a),
			 "13 states: got %llu at stride %llu in %llu bytes at %#llx\n",
			 (unsigned long long)a.num, (unsigned long long)a.size_of_opaque_state,
			 (unsigned long long)a.map_len, (unsigned long long)a.map_addr);
	if (!a.size_of_opaque_state || a.size_of_opaque_state > page_size ||
	    page_size % a.size_of_opaque_state) {
		for (int i = 0; i < 5; i++)
			ksft_test_result_skip("no usable stride (%llu)\n",
					      (unsigned long long)a.size_of_opaque_state);
		return;
	}

	for (uint64_t i = 0; i < a.num; i++) {
		uint64_t off = state_at(&a, i) - (char *)(uintptr_t)a.map_addr;

		if (off % page_size + a.size_of_opaque_state > page_size ||
		    off + a.size_of_opaque_state > a.map_len)
			straddle = true;
	}
	ksft_test_result(!straddle, "no state straddles a page or leaves the mapping\n");

	for (uint64_t i = 0; i < a.num; i++)
		zero &= all_zero(state_at(&a, i), a.size_of_opaque_state);
	ksft_test_result(zero, "states start zeroed\n");

	/* The stride must be the opaque_len the vDSO itself wants. */
	if (!vgetrandom || vgetrandom(NULL, 0, 0, &params, ~0UL)) {
		ksft_test_result_skip("__vdso_getrandom missing or its query failed\n");
	} else {
		for (uint64_t i = 0; i < a.num; i++) {
			ssize_t n = vgetrandom(out, sizeof(out), 0, state_at(&a, i),
					       a.size_of_opaque_state);

			usable &= n == sizeof(out) && !all_zero(out, sizeof(out));
			distinct &= memcmp(out, prev, sizeof(out)) != 0;
			memcpy(prev, out, sizeof(out));
		}
		ksft_test_result(params.size_of_opaque_state == a.size_of_opaque_state &&
				 usable && distinct,
				 "every state serves __vdso_getrandom at opaque_len = stride %u\n",
				 params.size_of_opaque_state);
	}

	{
		char flags[512] = "";

		if (!vma_flags(a.map_addr, flags, sizeof(flags)))
			ksft_test_result_skip("no /proc/self/smaps entry for the mapping\n");
		else
			ksft_test_result(strstr(flags, " dp") != NULL,
					 "mapping is droppable: VmFlags has dp\n");
	}

	ret = munmap((void *)(uintptr_t)a.map_addr, a.map_len);
	ksft_test_result(!ret && !range_mapped(a.map_addr, a.map_len),
			 "munmap(map_addr, map_len) removes the whole mapping\n");
}

static void test_einval(void)
{
	struct vgetrandom_alloc_args a;
	long r1, r2, r3, r4, r5;

	a = args_for(1);
	a.flags = 1;
	r1 = vgr_alloc(&a, sizeof(a));
	a.flags = 1ULL << 63;
	r2 = vgr_alloc(&a, sizeof(a));
	ksft_test_result(r1 == -EINVAL && r2 == -EINVAL,
			 "unknown flags -> EINVAL (%ld, %ld)\n", r1, r2);

	a = args_for(0);
	r1 = vgr_alloc(&a, sizeof(a));
	ksft_test_result(r1 == -EINVAL, "num 0 -> EINVAL (%ld)\n", r1);

	a = args_for(1);
	r1 = vgr_alloc(&a, VGETRANDOM_ALLOC_ARGS_SIZE_VER0 - 8);
	r2 = vgr_alloc(&a, VGETRANDOM_ALLOC_ARGS_SIZE_VER0 - 1);
	r3 = vgr_alloc(&a, 0);
	r4 = vgr_alloc(NULL, 0);
	r5 = a.map_addr;
	ksft_test_result(r1 == -EINVAL && r2 == -EINVAL && r3 == -EINVAL && r4 == -EINVAL &&
			 !r5, "usize below VER0 -> EINVAL (%ld, %ld, %ld, %ld)\n",
			 r1, r2, r3, r4);
}

static void test_usize(void)
{
	size_t big = page_size + sizeof(uint64_t);
	struct vgetrandom_alloc_args *a = calloc(1, big);
	uint64_t *tail;
	long r1, r2;
	bool ok;

	if (!a)
		ksft_exit_fail_msg("calloc failed\n");
	tail = (uint64_t *)(a + 1);

	/* A newer caller's struct: longer, its new fields zero. */
	*a = args_for(2);
	r1 = vgr_alloc(a, sizeof(*a) + 16);
	ok = !r1 && a->num == 2 && a->map_len == expected_len(a) && !tail[0] && !tail[1];
	ksft_test_result(ok, "larger usize, zero tail -> success, tail untouched (%ld)\n", r1);
	if (!r1)
		unmap(a);

	*a = args_for(2);
	tail[1] = 1;
	r1 = vgr_alloc(a, sizeof(*a) + 16);
	tail[1] = 0;
	r2 = vgr_alloc(a, sizeof(*a) + 16 + 1);	/* odd size, still zero */
	ksft_test_result(r1 == -E2BIG && !r2,
			 "larger usize, non-zero tail -> E2BIG (%ld; odd size ok: %ld)\n", r1, r2);
	if (!r2)
		unmap(a);

	*a = args_for(2);
	r1 = vgr_alloc(a, page_size + 1);
	ksft_test_result(r1 == -E2BIG, "usize above the page size -> E2BIG (%ld)\n", r1);
	free(a);
}

static void test_efault(void)
{
	struct vgetrandom_alloc_args *ro;
	int before, after;
	long r1, r2;

	r1 = vgr_alloc(NULL, sizeof(*ro));
	r2 = vgr_alloc((void *)(uintptr_t)-4096, sizeof(*ro));
	ksft_test_result(r1 == -EFAULT && r2 == -EFAULT,
			 "unreadable args -> EFAULT (%ld, %ld)\n", r1, r2);

	/* Readable but not writable: the kernel maps, cannot report, unmaps. */
	ro = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED)
		ksft_exit_fail_msg("mmap failed\n");
	*ro = args_for(3);
	mprotect(ro, page_size, PROT_READ);
	before = count_droppable();
	r1 = vgr_alloc(ro, sizeof(*ro));
	after = count_droppable();
	ksft_test_result(r1 == -EFAULT && before == after && before >= 0,
			 "read-only args -> EFAULT, nothing left mapped (%ld; dp VMAs %d -> %d)\n",
			 r1, before, after);
	munmap(ro, page_size);
}

static void test_cap(void)
{
	uint64_t wants[] = { ~0ULL, 1ULL << 62, (~0ULL) / 1024 + 1, MAX_STATES + 1 };
	bool ok = true;
	char why[128] = "";

	for (size_t i = 0; i < ARRAY_SIZE(wants); i++) {
		struct vgetrandom_alloc_args a = args_for(wants[i]);
		long ret = vgr_alloc(&a, sizeof(a));

		if (ret || !a.num || a.num > MAX_STATES || a.map_len != expected_len(&a) ||
		    a.map_len > MAX_STATES * page_size) {
			ok = false;
			snprintf(why, sizeof(why), ": %#llx -> ret %ld, num %llu, len %llu",
				 (unsigned long long)wants[i], ret,
				 (unsigned long long)a.num, (unsigned long long)a.map_len);
		} else {
			snprintf(why, sizeof(why), ": gave %llu states in %llu bytes",
				 (unsigned long long)a.num, (unsigned long long)a.map_len);
		}
		if (!ret)
			unmap(&a);
	}
	ksft_test_result(ok, "huge num is capped at %d%s\n", MAX_STATES, why);
}

/*
 * In a child whose address space may grow by 1 MiB (room for its stack),
 * a 4 MiB mapping fails with ENOMEM and the child lives on to say so.
 */
static void test_enomem(void)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		ksft_exit_fail_msg("fork failed\n");
	if (!pid) {
		struct vgetrandom_alloc_args a = args_for(MAX_STATES);
		struct rlimit rl = { 0, 0 };
		unsigned long vsize = 0;
		char line[128];
		FILE *f;

		f = fopen("/proc/self/status", "r");
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "VmSize: %lu kB", &vsize) == 1)
				break;
		if (f)
			fclose(f);
		if (!vsize)
			_exit(2);
		rl.rlim_cur = rl.rlim_max = (vsize + 1024) * 1024;
		if (setrlimit(RLIMIT_AS, &rl))
			_exit(3);
		_exit(vgr_alloc(&a, sizeof(a)) == -ENOMEM ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	ksft_test_result(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			 "RLIMIT_AS exhausted -> ENOMEM, caller not killed (%s %d)\n",
			 WIFEXITED(status) ? "exit" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

struct thread_result {
	struct vgetrandom_alloc_args a[2];
	long ret[2];
};

static pthread_barrier_t start_line;

static void *thread_alloc(void *arg)
{
	struct thread_result *r = arg;

	pthread_barrier_wait(&start_line);
	for (int i = 0; i < 2; i++) {
		r->a[i] = args_for(THREAD_STATES);
		r->ret[i] = vgr_alloc(&r->a[i], sizeof(r->a[i]));
		if (!r->ret[i])	/* write all of it: it is this thread's */
			memset((void *)(uintptr_t)r->a[i].map_addr, 0x5a, r->a[i].map_len);
	}
	return NULL;
}

static void test_threads(void)
{
	struct thread_result res[NTHREADS] = { 0 };
	struct vgetrandom_alloc_args *all[NTHREADS * 2];
	pthread_t tid[NTHREADS];
	bool ok = true;
	int n = 0;

	pthread_barrier_init(&start_line, NULL, NTHREADS);
	for (int t = 0; t < NTHREADS; t++)
		if (pthread_create(&tid[t], NULL, thread_alloc, &res[t]))
			ksft_exit_fail_msg("pthread_create failed\n");
	for (int t = 0; t < NTHREADS; t++)
		pthread_join(tid[t], NULL);
	pthread_barrier_destroy(&start_line);

	for (int t = 0; t < NTHREADS; t++)
		for (int i = 0; i < 2; i++) {
			if (res[t].ret[i] || res[t].a[i].num != THREAD_STATES)
				ok = false;
			else
				all[n++] = &res[t].a[i];
		}
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (all[i]->map_addr < all[j]->map_addr + all[j]->map_len &&
			    all[j]->map_addr < all[i]->map_addr + all[i]->map_len)
				ok = false;
	for (int i = 0; i < n; i++) {
		const unsigned char *p = (void *)(uintptr_t)all[i]->map_addr;

		for (uint64_t k = 0; k < all[i]->map_len; k++)
			ok &= p[k] == 0x5a;
		unmap(all[i]);
	}
	ksft_test_result(ok && n == NTHREADS * 2,
			 "%d threads allocating at once get %d disjoint mappings\n",
			 NTHREADS, n);
}

static void test_fork(void)
{
	struct vgetrandom_alloc_args a = args_for(6);
	unsigned char *p;
	int status;
	bool kept = true;
	pid_t pid;

	if (vgr_alloc(&a, sizeof(a))) {
		ksft_test_result_fail("fork: allocation failed\n");
		return;
	}
	p = (void *)(uintptr_t)a.map_addr;
	memset(p, 0xa5, a.map_len);
	pid = fork();
	if (pid < 0)
		ksft_exit_fail_msg("fork failed\n");
	if (!pid) {
		/* Still mapped (a fault here would be a signal), but wiped. */
		_exit(range_mapped(a.map_addr, a.map_len) && all_zero(p, a.map_len) ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	for (uint64_t k = 0; k < a.map_len; k++)
		kept &= p[k] == 0xa5;
	ksft_test_result(WIFEXITED(status) && !WEXITSTATUS(status) && kept,
			 "fork child inherits the mapping wiped, parent's data stays\n");
	unmap(&a);
}

int main(void)
{
	/* Children flush stdout: keep nothing buffered across fork(). */
	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	page_size = sysconf(_SC_PAGESIZE);
	vgr_alloc = (vgr_alloc_t)vgr_vdso_sym("__vdso_vgetrandom_alloc");
	if (!vgr_alloc)
		ksft_exit_skip(
			"__vdso_vgetrandom_alloc@LINUX_2.6 not in the vDSO: this kernel has no vgetrandom_alloc(), so system call %d is not made\n",
			__NR_vgetrandom_alloc);
	vgetrandom = (vgetrandom_t)vgr_vdso_sym("__vdso_getrandom");

	ksft_set_plan(20);
	ksft_test_result_pass("__vdso_vgetrandom_alloc@LINUX_2.6 found\n");
	test_raw_syscall();
	test_layout_and_use();
	test_einval();
	test_usize();
	test_efault();
	test_cap();
	test_enomem();
	test_threads();
	test_fork();
	ksft_finished();
}
