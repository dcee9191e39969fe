// SPDX-License-Identifier: GPL-2.0
/*
 * ABI test of the vDSO getrandom(): __vdso_getrandom@LINUX_2.6 as mainline
 * Linux (6.11+) exports it. Written against the ABI only, so it passes on
 * a mainline kernel and on a kernel with the backport alike.
 *
 * Build static: gcc -static -O2 -Wall -I.. vgetrandom_vdso_test.c parse_vdso.c -lpthread
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/user.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest.h"
#include "parse_vdso.h"
#include "../vgetrandom/vgetrandom_test_util.h"

#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE	0x08
#endif
#ifndef RNDRESEEDCRNG
#define RNDRESEEDCRNG	_IO('R', 0x07)
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME	0x00000080
#endif
#ifndef GRND_NONBLOCK
#define GRND_NONBLOCK	0x0001
#define GRND_RANDOM	0x0002
#endif
#ifndef GRND_INSECURE
#define GRND_INSECURE	0x0004
#endif

static vgetrandom_t vgetrandom;
static struct vgr_query_params params;
static size_t page_size;

#define STEADY_CALLS		100000
#define STEADY_MAX_SYSCALLS	4
#define MAX_LEN			(3 * 4096)

/* Allocate n states per the query, none straddling a page. */
static void **alloc_states(size_t n)
{
	size_t per_page = page_size / params.size_of_opaque_state;
	size_t pages = (n + per_page - 1) / per_page;
	void **states = calloc(n, sizeof(*states));
	char *map;

	if (!states)
		ksft_exit_fail_msg("calloc failed\n");
	map = mmap(NULL, pages * page_size, params.mmap_prot, params.mmap_flags, -1, 0);
	if (map == MAP_FAILED)
		ksft_exit_fail_msg("mmap of states failed: %s\n", strerror(errno));
	for (size_t i = 0; i < n; i++)
		states[i] = map + (i / per_page) * page_size +
			    (i % per_page) * params.size_of_opaque_state;
	return states;
}

static void *new_state(void)
{
	void **states = alloc_states(1);
	void *state = states[0];

	free(states);
	return state;
}

static ssize_t vgr(void *buf, size_t len, unsigned int flags, void *state)
{
	return vgetrandom(buf, len, flags, state, params.size_of_opaque_state);
}

static void test_query(void)
{
	ssize_t ret;

	memset(&params, 0xff, sizeof(params));
	ret = vgetrandom(NULL, 0, 0, &params, ~0UL);
	ksft_test_result(ret == 0 && params.size_of_opaque_state > 0 &&
			 params.size_of_opaque_state <= page_size &&
			 params.mmap_prot == (PROT_READ | PROT_WRITE) &&
			 params.mmap_flags == (MAP_DROPPABLE | MAP_ANONYMOUS) &&
			 all_zero(params.reserved, sizeof(params.reserved)),
			 "query: ret %zd, state size %u, prot %#x, flags %#x\n", ret,
			 params.size_of_opaque_state, params.mmap_prot, params.mmap_flags);
	if (ret)
		ksft_exit_fail_msg("parameter query failed: cannot go on\n");
}

static void test_mmap_states(void)
{
	char *map = mmap(NULL, page_size, params.mmap_prot, params.mmap_flags, -1, 0);

	ksft_test_result(map != MAP_FAILED, "states mmap'ed with the queried prot and flags\n");
	if (map != MAP_FAILED)
		munmap(map, page_size);
}

static void test_differs_across_calls(void)
{
	unsigned char a[32], b[32];
	void *state = new_state();
	bool ok;

	ok = vgr(a, sizeof(a), 0, state) == sizeof(a) && vgr(b, sizeof(b), 0, state) == sizeof(b);
	ksft_test_result(ok && memcmp(a, b, sizeof(a)) && !all_zero(a, sizeof(a)),
			 "output differs across calls\n");
}

#define NTHREADS 4
static unsigned char thread_out[NTHREADS][32];
static void **thread_states;

static void *thread_fn(void *arg)
{
	long i = (long)arg;

	if (vgr(thread_out[i], 32, 0, thread_states[i]) != 32)
		memset(thread_out[i], 0, 32);
	return NULL;
}

static void test_differs_across_threads(void)
{
	pthread_t th[NTHREADS];
	bool ok = true;

	thread_states = alloc_states(NTHREADS);
	for (long i = 0; i < NTHREADS; i++)
		if (pthread_create(&th[i], NULL, thread_fn, (void *)i))
			ksft_exit_fail_msg("pthread_create failed\n");
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < NTHREADS; i++) {
		ok &= !all_zero(thread_out[i], 32);
		for (int j = 0; j < i; j++)
			ok &= !!memcmp(thread_out[i], thread_out[j], 32);
	}
	ksft_test_result(ok, "output differs across threads\n");
}

static void test_differs_across_fork(void)
{
	unsigned char parent[32], child[32], warm[16];
	void *state = new_state();
	bool wiped;
	int fds[2], status;
	pid_t pid;

	vgr(warm, sizeof(warm), 0, state);	/* keyed and batched before the fork */
	if (pipe(fds))
		ksft_exit_fail_msg("pipe failed\n");
	pid = fork();
	if (pid < 0)
		ksft_exit_fail_msg("fork failed\n");
	if (!pid) {
		unsigned char msg[33];

		msg[0] = all_zero(state, params.size_of_opaque_state);
		if (vgr(msg + 1, 32, 0, state) != 32)
			memset(msg + 1, 0, 32);
		if (write(fds[1], msg, sizeof(msg)) != sizeof(msg))
			_exit(1);
		_exit(0);
	}
	if (vgr(parent, sizeof(parent), 0, state) != sizeof(parent))
		memset(parent, 0, sizeof(parent));
	{
		unsigned char msg[33];

		if (read(fds[0], msg, sizeof(msg)) != sizeof(msg))
			memset(msg, 0, sizeof(msg));
		wiped = msg[0];
		memcpy(child, msg + 1, 32);
	}
	waitpid(pid, &status, 0);
	close(fds[0]);
	close(fds[1]);
	ksft_test_result(!all_zero(parent, 32) && !all_zero(child, 32) &&
			 memcmp(parent, child, 32) && WIFEXITED(status) &&
			 !WEXITSTATUS(status),
			 "output differs across fork (parent vs child)\n");
	ksft_test_result(wiped, "state is wiped in the fork child\n");
}

/* Child bodies for count_getrandom_syscalls(); they return the exit code. */
static int steady_child(void)
{
	void *state = new_state();
	unsigned char buf[16];

	for (int i = 0; i < STEADY_CALLS; i++)
		if (vgr(buf, sizeof(buf), 0, state) != sizeof(buf))
			return 1;
	return 0;
}

/* Keyed state, then a forced reseed: the next call must rekey, once. */
static int reseed_child(void)
{
	void *state = new_state();
	unsigned char buf[16];
	int fd, ret;

	if (vgr(buf, sizeof(buf), 0, state) != sizeof(buf))
		return 1;
	fd = open("/dev/urandom", O_RDONLY);
	if (fd < 0)
		return 1;
	ret = ioctl(fd, RNDRESEEDCRNG);
	close(fd);
	if (ret)
		return errno == EPERM ? 3 : 1;
	for (int i = 0; i < 1000; i++)
		if (vgr(buf, sizeof(buf), 0, state) != sizeof(buf))
			return 1;
	return 0;
}

/*
 * Run child_fn in a child traced with PTRACE_SYSCALL and return how many
 * getrandom syscalls it made, -1 on error, or -3 if child_fn returned 3 (skip).
 */
static long count_getrandom_syscalls(int (*child_fn)(void))
{
	int code;
	long n = count_getrandom(child_fn, &code);

	if (n < 0 || code < 0)
		return -1;
	if (code == 3)
		return -3;
	return code ? -1 : n;
}

static void test_steady_state(void)
{
	long n = count_getrandom_syscalls(steady_child);

	ksft_test_result(n >= 0 && n <= STEADY_MAX_SYSCALLS,
			 "steady state: %d calls made %ld getrandom syscalls\n", STEADY_CALLS, n);
}

/*
 * The kernel reseeds on its own too (every few seconds in the first two
 * minutes of uptime, then every 60 s), and a reseed that lands inside the
 * 1000 calls adds one rekey.  So a run may make 3 syscalls; try again a
 * few times.  A state that misses the reseed makes 1 in every run, one
 * that rekeys too often makes more than 2 in every run: neither passes.
 */
#define RESEED_ATTEMPTS	5

static void test_reseed_rekeys(void)
{
	long n = -1, fewest = -1;
	int i;

	for (i = 0; i < RESEED_ATTEMPTS; i++) {
		n = count_getrandom_syscalls(reseed_child);
		if (n == -3) {
			ksft_test_result_skip("RNDRESEEDCRNG needs CAP_SYS_ADMIN\n");
			return;
		}
		if (n < 2)
			break;
		if (fewest < 0 || n < fewest)
			fewest = n;
		if (n == 2)
			break;
		ksft_print_msg("RNDRESEEDCRNG run %d: %ld syscalls (a kernel reseed inside it?)\n",
			       i + 1, n);
	}
	if (n < 2)
		fewest = n;
	ksft_test_result(fewest == 2,
			 "RNDRESEEDCRNG -> the next call rekeys once (%ld syscalls, want 2; %d run(s))\n",
			 fewest, i < RESEED_ATTEMPTS ? i + 1 : i);
}

static void test_steady_state_timens(void)
{
	int status;
	pid_t pid;

	/* In a child, so the rest of the test keeps the initial time namespace. */
	pid = fork();
	if (pid < 0)
		ksft_exit_fail_msg("fork failed\n");
	if (!pid) {
		long n;

		if (unshare(CLONE_NEWTIME))
			_exit(errno == EPERM || errno == EINVAL ? 3 : 2);
		n = count_getrandom_syscalls(steady_child);
		ksft_print_msg("in a time namespace: %ld getrandom syscalls\n", n);
		fflush(stdout);
		_exit(n >= 0 && n <= STEADY_MAX_SYSCALLS ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
		ksft_test_result_skip("steady state in a time namespace: unshare(CLONE_NEWTIME) not permitted or not supported\n");
	else
		ksft_test_result(WIFEXITED(status) && !WEXITSTATUS(status),
				 "steady state in a time namespace makes no syscalls\n");
}

static void *signal_state;
static volatile sig_atomic_t handler_runs, handler_bad;

static void alarm_handler(int sig)
{
	unsigned char buf[40];
	int saved_errno = errno;

	if (vgr(buf, sizeof(buf), 0, signal_state) != sizeof(buf) || all_zero(buf, sizeof(buf)))
		handler_bad++;
	handler_runs++;
	errno = saved_errno;
}

static void test_signal_reentry(void)
{
	struct itimerval it = { { 0, 20 }, { 0, 20 } };
	struct sigaction sa = { .sa_handler = alarm_handler };
	struct timespec start, now;
	unsigned long calls = 0, bad = 0;
	unsigned char buf[300];

	signal_state = new_state();
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		for (int i = 0; i < 1000; i++, calls++) {
			size_t len = 1 + (calls * 7) % sizeof(buf);

			if (vgr(buf, len, 0, signal_state) != (ssize_t)len ||
			    (len >= 16 && all_zero(buf, len)))
				bad++;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start.tv_sec) * 1000000000L + now.tv_nsec - start.tv_nsec <
		 300000000L);
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	signal(SIGALRM, SIG_DFL);
	ksft_test_result(!bad && !handler_bad && handler_runs > 0,
			 "signal handler storm on the same state: %lu calls, %d handler calls, %lu+%d bad\n",
			 calls, (int)handler_runs, bad, (int)handler_bad);
}

/* This project's kernels carry the -vgetrandom local version. */
static int is_vgetrandom_kernel(void)
{
	struct utsname u;

	return !uname(&u) && strstr(u.release, "-vgetrandom");
}

static void test_bad_input(void)
{
	char *map = mmap(NULL, 2 * page_size, params.mmap_prot, params.mmap_flags, -1, 0);
	void *state = new_state();
	unsigned char buf[64];
	ssize_t ret;
	int status;
	pid_t pid;

	if (map == MAP_FAILED)
		ksft_exit_fail_msg("mmap failed\n");
	ret = vgetrandom(buf, 16, 0, map + page_size - params.size_of_opaque_state / 2,
			 params.size_of_opaque_state);
	ksft_test_result(ret == -EFAULT, "page-straddling state -> -EFAULT (%zd)\n", ret);

	memset(buf, 0, sizeof(buf));
	ret = vgetrandom(buf, sizeof(buf), 0, state, params.size_of_opaque_state + 8);
	ksft_test_result(ret == sizeof(buf) && !all_zero(buf, sizeof(buf)),
			 "wrong opaque_len -> bytes from the syscall (%zd)\n", ret);

	ret = vgr(buf, 16, 0x100, state);
	ksft_test_result(ret == -EINVAL, "unknown flags -> -EINVAL (%zd)\n", ret);

	ret = vgetrandom(NULL, 16, 0, state, params.size_of_opaque_state + 8);
	ksft_test_result(ret == -EFAULT,
			 "NULL buffer, len > 0, syscall path -> -EFAULT (%zd)\n", ret);

	/*
	 * On the fast path this project's vDSO hands a NULL buffer to the
	 * syscall, which says -EFAULT; mainline's writes to it and faults,
	 * which is accepted only there.  Anything else, such as "success",
	 * is wrong everywhere.
	 */
	pid = fork();
	if (!pid)
		_exit(vgr(NULL, 16, 0, state) == -EFAULT ? 0 : 1);
	waitpid(pid, &status, 0);
	if (WIFEXITED(status))
		ksft_test_result(!WEXITSTATUS(status),
				 "NULL buffer, len > 0, fast path -> -EFAULT\n");
	else
		ksft_test_result(!is_vgetrandom_kernel() && WIFSIGNALED(status) &&
				 WTERMSIG(status) == SIGSEGV,
				 "NULL buffer, len > 0, fast path -> SIGSEGV (mainline's behaviour; %s kernel)\n",
				 is_vgetrandom_kernel() ? "a vgetrandom" : "not a vgetrandom");
	munmap(map, 2 * page_size);
}

static void test_all_lengths(void)
{
	static unsigned char buf[MAX_LEN + 64];
	void *state = new_state();
	bool ok = true;

	for (size_t len = 0; len <= MAX_LEN; len++) {
		memset(buf, 0, len + 64);
		if (vgr(buf, len, 0, state) != (ssize_t)len || !all_zero(buf + len, 64) ||
		    (len >= 16 && all_zero(buf + len - 16, 16))) {
			ksft_print_msg("length %zu failed\n", len);
			ok = false;
			break;
		}
	}
	ksft_test_result(ok, "every length 0..%d returns that many bytes\n", MAX_LEN);
}

#if defined(__powerpc64__)
/*
 * powerpc's vDSO functions report as the sc instruction does, and glibc
 * 2.41 calls __kernel_getrandom expecting exactly that: called raw (not
 * through vgr_vdso_callable()), success returns the count with CR0[SO]
 * clear, failure a positive errno with CR0[SO] set, from the C code's own
 * checks and from the syscall fallback alike.  __kernel_vgetrandom_alloc
 * is the system call itself and reports the same way.
 */
#define ARCH_TESTS	2

struct vgr_alloc_args {
	uint64_t flags, num, size_of_opaque_state, map_addr, map_len;
};

static void test_sc_convention(void)
{
	void *raw = vdso_sym(VGR_VDSO_VERSION, VGR_VDSO_PREFIX "getrandom");
	void *raw_alloc = vdso_sym(VGR_VDSO_VERSION, VGR_VDSO_PREFIX "vgetrandom_alloc");
	long size = params.size_of_opaque_state;
	struct vgr_query_params q = { 0 };
	struct vgr_alloc_args a = { 0 };
	void *state = new_state();
	unsigned char buf[16];
	int so[5];
	long r[5];

	r[0] = vgr_ppc64_vdso_call(raw, (long)buf, 16, 0, (long)state, size, &so[0]);
	r[1] = vgr_ppc64_vdso_call(raw, 0, 0, 0, (long)&q, ~0L, &so[1]);
	r[2] = vgr_ppc64_vdso_call(raw, (long)buf, 16, 0x100, (long)state, size, &so[2]);
	/* A wrong opaque_len: the syscall fallback, which faults on NULL. */
	r[3] = vgr_ppc64_vdso_call(raw, 0, 16, 0, (long)state, size + 8, &so[3]);
	ksft_test_result(r[0] == 16 && !so[0] && r[1] == 0 && !so[1] &&
			 q.size_of_opaque_state == params.size_of_opaque_state &&
			 r[2] == EINVAL && so[2] && r[3] == EFAULT && so[3],
			 "sc convention: 16 bytes (r3 %ld, SO %d), query (%ld, %d), bad flags (%ld, %d; want EINVAL, 1), fallback fault (%ld, %d; want EFAULT, 1)\n",
			 r[0], so[0], r[1], so[1], r[2], so[2], r[3], so[3]);
	if (!raw_alloc) {
		ksft_test_result_skip("sc convention of vgetrandom_alloc: not in this vDSO\n");
		return;
	}
	/* Too small a size: EINVAL; then one state, mapped. */
	r[0] = vgr_ppc64_vdso_call(raw_alloc, (long)&a, 8, 0, 0, 0, &so[0]);
	a.num = 1;
	r[1] = vgr_ppc64_vdso_call(raw_alloc, (long)&a, sizeof(a), 0, 0, 0, &so[1]);
	ksft_test_result(r[0] == EINVAL && so[0] && r[1] == 0 && !so[1] && a.map_addr,
			 "sc convention of vgetrandom_alloc: bad size (%ld, %d; want EINVAL, 1), one state (%ld, %d)\n",
			 r[0], so[0], r[1], so[1]);
	if (a.map_addr)
		munmap((void *)(uintptr_t)a.map_addr, a.map_len);
}
#else
#define ARCH_TESTS	0
#endif

int main(void)
{
	/* Children flush stdout: keep nothing buffered across fork(). */
	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	page_size = sysconf(_SC_PAGESIZE);
	vgetrandom = (vgetrandom_t)vgr_vdso_sym("__vdso_getrandom");
	if (!vgetrandom)
		ksft_exit_skip("%sgetrandom@%s not in the vDSO\n", VGR_VDSO_PREFIX, VGR_VDSO_VERSION);

	ksft_set_plan(17 + ARCH_TESTS);
	ksft_test_result_pass("%sgetrandom@%s found\n", VGR_VDSO_PREFIX, VGR_VDSO_VERSION);
	test_query();
	test_mmap_states();
	test_differs_across_calls();
	test_differs_across_threads();
	test_differs_across_fork();
	test_steady_state();
	test_reseed_rekeys();
	test_steady_state_timens();
	test_signal_reentry();
	test_bad_input();
	test_all_lengths();
#if defined(__powerpc64__)
	test_sc_convention();
#endif
	ksft_finished();
}
