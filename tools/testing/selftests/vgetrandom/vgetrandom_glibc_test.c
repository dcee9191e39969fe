// SPDX-License-Identifier: GPL-2.0
/*
 * A C library's own use of the vDSO getrandom(): glibc 2.41 looks up
 * __vdso_getrandom, maps states as its parameter query says and serves
 * getrandom() and arc4random_buf() from them.  This program is built on
 * Debian 12 (glibc 2.36 headers, dynamically linked) and run on Debian
 * 13's glibc 2.41 (the Makefile's trixie_glibc_test wrapper starts it with
 * that glibc's ld.so --library-path): nothing in it knows of the vDSO but
 * the check of what to expect.
 *
 * Threads of two processes (a fork in the middle) call getrandom() and
 * arc4random_buf(), CALLS calls in all (default 100000; 20000 where each
 * is a system call, as ptrace makes those slow under emulation), traced
 * with ptrace: with glibc
 * 2.41+ on a kernel whose vDSO has getrandom() they make a handful of
 * getrandom system calls (the states being keyed), and glibc's states
 * are MAP_DROPPABLE memory; without the vDSO function (a kernel booted
 * with vdso=0, s390x without the vector facility, whose vDSO is never
 * ready, or an older glibc), one per call.  Where the vDSO is used,
 * the workload runs once more with its MAP_DROPPABLE mappings refused
 * (ENOMEM, by a seccomp filter: vgr_refuse_droppable()): glibc must then
 * fall back to the system call, one per call, with the same results.
 *
 *	vgetrandom_glibc_test [CALLS]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <gnu/libc-version.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "../kselftest.h"
#include "../vDSO/parse_vdso.h"
#include "vgetrandom_test_util.h"

#define NTHREADS	4
#define NPROCS		2	/* the process and its fork child */
#define MAX_SYSCALLS	24	/* 10 threads' states keyed, twice at most */

static unsigned long calls = 100000;
#define SYSCALL_CALLS	20000	/* the default where each call is a syscall */
#if defined(__s390x__)
/*
 * The same, with the states refused; on s390x each refusal is a round
 * trip through the traced supervisor of vgr_refuse_droppable(): fewer.
 */
#define REFUSED_CALLS	800
#else
#define REFUSED_CALLS	8000	/* the same, with the states refused */
#endif
static bool vdso_mode;		/* glibc 2.41+ and __vdso_getrandom here */
static bool refused;		/* MAP_DROPPABLE mmap() fails (ENOMEM) */

/* Calls of each function per thread. */
static unsigned long per_thread(void)
{
	return calls / (2 * NTHREADS * NPROCS);
}

static unsigned char first[NTHREADS][16];

/* Half getrandom(), half arc4random_buf(); 0 if all were full length. */
static void *thread_calls(void *arg)
{
	unsigned char buf[16];
	long bad = 0;

	for (unsigned long i = 0; i < per_thread(); i++) {
		bad |= getrandom(buf, sizeof(buf), 0) != sizeof(buf);
		if (!i)
			memcpy(first[(long)arg], buf, sizeof(buf));
		arc4random_buf(buf, sizeof(buf));
	}
	return (void *)bad;
}

/* One process's share: NTHREADS threads; 0 if all went right. */
static int process_calls(void)
{
	pthread_t tid[NTHREADS];
	long bad = 0;

	for (long t = 0; t < NTHREADS; t++)
		if (pthread_create(&tid[t], NULL, thread_calls, (void *)t))
			return 2;
	for (int t = 0; t < NTHREADS; t++) {
		void *ret;

		pthread_join(tid[t], &ret);
		bad |= (long)ret;
	}
	for (int t = 0; t < NTHREADS; t++)
		for (int u = 0; u < t; u++)
			bad |= !memcmp(first[t], first[u], 16);
	return bad ? 3 : 0;
}

/* Size of the droppable (VmFlags "dp") mappings: glibc's states. */
static long droppable_kb(void)
{
	unsigned long kb = 0, total = 0;
	char line[512];
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Size: %lu kB", &kb) == 1)
			continue;
		if (!strncmp(line, "VmFlags:", 8) && strstr(line, " dp"))
			total += kb;
	}
	fclose(f);
	return total;
}

/*
 * The traced child: a first getrandom() keys the main thread's state, a
 * fork follows; parent and child each run the threads, and their bytes
 * right after the fork must differ.  Exit status: 0 all right, 4 the
 * child repeated the parent, 5 no droppable states though the vDSO is
 * used, 6 the seccomp filter could not be installed, 7 droppable memory
 * though it was refused, else the first failure.
 */
static int workload(void)
{
	unsigned char mine[16], child[16];
	int fds[2], status, ret;
	pid_t pid;

	alarm(600);
	if (refused && vgr_refuse_droppable())
		return 6;
	if (getrandom(mine, sizeof(mine), 0) != sizeof(mine) || pipe(fds))
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid) {
		if (getrandom(mine, sizeof(mine), 0) != sizeof(mine) ||
		    write(fds[1], mine, sizeof(mine)) != sizeof(mine))
			_exit(1);
		_exit(process_calls());
	}
	if (getrandom(mine, sizeof(mine), 0) != sizeof(mine) ||
	    read(fds[0], child, sizeof(child)) != sizeof(child))
		return 1;
	ret = process_calls();
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 1;
	if (ret || WEXITSTATUS(status))
		return ret ? ret : WEXITSTATUS(status);
	if (!memcmp(mine, child, sizeof(mine)))
		return 4;
	if (vdso_mode && !refused && droppable_kb() <= 0)
		return 5;
	if (refused && droppable_kb() != 0)
		return 7;
	return 0;
}

int main(int argc, char **argv)
{
	const char *version = gnu_get_libc_version();
	int major = 0, minor = 0, code;
	bool new_glibc, have_vdso;
	long n;

	ksft_print_header();
	new_glibc = sscanf(version, "%d.%d", &major, &minor) == 2 &&
		    (major > 2 || (major == 2 && minor >= 41));
	have_vdso = vgr_vdso_sym("__vdso_getrandom") != NULL && vgr_vdso_rng_usable();
	vdso_mode = new_glibc && have_vdso;
	if (argc > 1)
		calls = strtoul(argv[1], NULL, 0);
	else if (!vdso_mode)
		calls = SYSCALL_CALLS;
	/* test.sh checks that each guest saw what it was booted for. */
	ksft_print_msg("vgr-glibc: glibc %s, %s: expect %s\n", version,
		       have_vdso ? "vDSO getrandom" : vgr_vdso_sym("__vdso_getrandom") ?
		       "no vDSO getrandom it can use (no vector facility)" : "no vDSO getrandom",
		       vdso_mode ? "a handful of syscalls" : "one syscall per call");
	ksft_set_plan(vdso_mode ? 3 : 2);

	n = count_getrandom(workload, &code);
	ksft_test_result(!code, "glibc %s: %lu getrandom() and arc4random_buf() calls, %d threads in each of %d processes (fork): full lengths, threads and fork child distinct%s (%d)\n",
			 version, per_thread() * 2 * NTHREADS * NPROCS, NTHREADS, NPROCS,
			 vdso_mode ? ", states in MAP_DROPPABLE memory" : "", code);
	if (vdso_mode)
		ksft_test_result(n >= 0 && n <= MAX_SYSCALLS,
				 "glibc %s on the vDSO: %lu calls made %ld getrandom syscalls (at most %d)\n",
				 version, per_thread() * 2 * NTHREADS * NPROCS, n, MAX_SYSCALLS);
	else
		ksft_test_result(n >= (long)(per_thread() * 2 * NTHREADS * NPROCS),
				 "glibc %s without %s: %lu calls made %ld getrandom syscalls, one per call\n",
				 version, have_vdso ? "using the vDSO" : "a vDSO getrandom()",
				 per_thread() * 2 * NTHREADS * NPROCS, n);
	if (!vdso_mode)
		ksft_finished();
	if (!VGR_CAN_REFUSE_DROPPABLE) {
		ksft_test_result_skip("glibc %s, MAP_DROPPABLE refused: no seccomp audit architecture known for this build\n", version);
		ksft_finished();
	}

	/* The states refused: one system call per call, nothing else lost. */
	refused = true;
	calls = REFUSED_CALLS;
	n = count_getrandom(workload, &code);
	ksft_test_result(!code && n >= (long)(per_thread() * 2 * NTHREADS * NPROCS),
			 "glibc %s, MAP_DROPPABLE refused (ENOMEM): %lu calls made %ld getrandom syscalls, one per call; full lengths, threads and fork child distinct (%d)\n",
			 version, per_thread() * 2 * NTHREADS * NPROCS, n, code);
	ksft_finished();
}
