// SPDX-License-Identifier: GPL-2.0
/*
 * Go's own use of the vDSO getrandom(): Go 1.24's runtime serves
 * crypto/rand from states it maps as the parameter query says, one per
 * thread.  vgetrandom_go (Go, built by Debian 13's Go 1.24 beside this
 * program, static) makes the calls; this runs it traced with ptrace and
 * counts its getrandom system calls: a handful (the states being keyed)
 * on a kernel whose vDSO has getrandom(), one per call without it (a
 * kernel booted with vdso=0; s390x without the vector facility, whose
 * vDSO is never ready, cannot run Go at all).  Where the vDSO has it, the program runs
 * once more with its MAP_DROPPABLE mappings refused (ENOMEM, by a seccomp
 * filter: vgr_refuse_droppable()): Go must fall back to the system call,
 * one per call.
 *
 *	vgetrandom_go_test [CALLS]
 *
 * CALLS defaults to 100000, and to 20000 where each is a system call
 * (ptrace makes those slow under emulation).
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest.h"
#include "../vDSO/parse_vdso.h"
#include "vgetrandom_test_util.h"

#define VDSO_CALLS	100000
#define SYSCALL_CALLS	20000
#if defined(__s390x__)
/*
 * Go tries again for a state at every call once one was refused, and
 * on s390x each refusal is a round trip through the supervisor of
 * vgr_refuse_droppable(), itself traced here: fewer calls.
 */
#define REFUSED_CALLS	800
#else
#define REFUSED_CALLS	8000
#endif
/*
 * The states of the Go program's 8 threads (and any of the runtime's own)
 * keyed, again after each reseed: a young guest's CRNG reseeds often.
 */
#define MAX_SYSCALLS	64

static char go_prog[PATH_MAX];
static char calls_arg[24];
static bool vdso_mode;
static bool refused;

/* The traced child: the Go program, with a watchdog it inherits. */
static int run_go(void)
{
	char *argv[4] = { go_prog, calls_arg, NULL, NULL };

	if (vdso_mode && !refused)
		argv[2] = "droppable";

	alarm(600);
	if (refused && vgr_refuse_droppable())
		return 126;
	execv(go_prog, argv);
	return 127;
}

int main(int argc, char **argv)
{
	unsigned long calls;
	ssize_t len;
	int code;
	long n;

	ksft_print_header();
	/* Go's s390x runtime needs the vector facility itself. */
	if (!vgr_vdso_rng_usable())
		ksft_exit_skip("Go needs the vector facility, which this machine keeps from userspace (its runtime stops: \"This CPU has no floating point hardware\")\n");
	vdso_mode = vgr_vdso_sym("__vdso_getrandom") != NULL;
	calls = argc > 1 ? strtoul(argv[1], NULL, 0) : vdso_mode ? VDSO_CALLS : SYSCALL_CALLS;
	/* The Go program makes the same number of calls on each thread. */
	calls -= calls % 8;
	if (!calls)
		ksft_exit_fail_msg("CALLS: at least 8\n");
	snprintf(calls_arg, sizeof(calls_arg), "%lu", calls);

	/* vgetrandom_go sits beside this program. */
	len = readlink("/proc/self/exe", go_prog, sizeof(go_prog) - sizeof("vgetrandom_go"));
	if (len <= 0)
		ksft_exit_fail_msg("readlink /proc/self/exe: %s\n", strerror(errno));
	go_prog[len] = '\0';
	strcpy(strrchr(go_prog, '/') + 1, "vgetrandom_go");
	if (access(go_prog, X_OK))
		ksft_exit_fail_msg("%s: %s (make builds it with Debian 13's Go 1.24)\n",
				   go_prog, strerror(errno));

	/* test.sh checks that each guest saw what it was booted for. */
	ksft_print_msg("vgr-go: %s: expect %s\n",
		       vdso_mode ? "vDSO getrandom" : "no vDSO getrandom",
		       vdso_mode ? "a handful of syscalls" : "one syscall per call");
	ksft_set_plan(vdso_mode ? 3 : 2);

	/* The program's own "# vgr-go:" line is written to our stdout. */
	fflush(stdout);
	n = count_getrandom(run_go, &code);
	ksft_test_result(!code, "Go: %lu crypto/rand.Read calls of 1 B to 4 KiB on 8 threads: full lengths, threads distinct, no zero reads%s (status %d)\n",
			 calls, vdso_mode ? ", states in MAP_DROPPABLE memory" : "", code);
	if (vdso_mode)
		ksft_test_result(n >= 0 && n <= MAX_SYSCALLS,
				 "Go on the vDSO: %lu calls made %ld getrandom syscalls (at most %d)\n",
				 calls, n, MAX_SYSCALLS);
	else
		ksft_test_result(n >= (long)calls,
				 "Go without a vDSO getrandom(): %lu calls made %ld getrandom syscalls, one per call\n",
				 calls, n);
	if (!vdso_mode)
		ksft_finished();
	if (!VGR_CAN_REFUSE_DROPPABLE) {
		ksft_test_result_skip("Go, MAP_DROPPABLE refused: no seccomp audit architecture known for this build\n");
		ksft_finished();
	}

	/* The states refused: one system call per call. */
	refused = true;
	snprintf(calls_arg, sizeof(calls_arg), "%d", REFUSED_CALLS);
	fflush(stdout);
	n = count_getrandom(run_go, &code);
	ksft_test_result(!code && n >= REFUSED_CALLS,
			 "Go, MAP_DROPPABLE refused (ENOMEM): %d calls made %ld getrandom syscalls, one per call; full lengths, threads distinct (status %d)\n",
			 REFUSED_CALLS, n, code);
	ksft_finished();
}
