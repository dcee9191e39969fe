/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the vgetrandom selftests and the demo: they run on
 * this project's kernels and on mainline ones alike.
 */
#ifndef _VGETRANDOM_TEST_UTIL_H
#define _VGETRANDOM_TEST_UTIL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

/* Mainline's prototype of __vdso_getrandom(). */
typedef ssize_t (*vgetrandom_t)(void *buffer, size_t len, unsigned int flags,
				void *opaque_state, size_t opaque_len);

/*
 * struct vgetrandom_opaque_params of <linux/random.h> (mainline 6.11+ and
 * ours), under a name of its own: older headers lack it, and the uapi
 * header has no macro to test for it.
 */
struct vgr_query_params {
	uint32_t size_of_opaque_state;
	uint32_t mmap_prot;
	uint32_t mmap_flags;
	uint32_t reserved[13];
};

/*
 * A LINUX_2.6 symbol of the running kernel's vDSO, or NULL (no vDSO, or
 * not exported there).  Needs parse_vdso.h and parse_vdso.c.
 */
static inline void *vgr_vdso_sym(const char *name)
{
	static bool parsed;

	if (!parsed) {
		unsigned long ehdr = getauxval(AT_SYSINFO_EHDR);

		if (!ehdr)
			return NULL;
		vdso_init_from_sysinfo_ehdr(ehdr);
		parsed = true;
	}
	return vdso_sym("LINUX_2.6", name);
}

static inline bool all_zero(const void *p, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

/*
 * Run @fn in a child traced with PTRACE_SYSCALL; return how many getrandom
 * system calls it made (-1 on a tracing error), its exit status in @code
 * (-1 if killed by a signal).  Signals other than the tracing SIGTRAPs are
 * delivered, so an alarm() watchdog in the child still works.
 */
static inline long count_getrandom(int (*fn)(void), int *code)
{
	bool entering = true;
	long count = 0;
	int status;
	pid_t pid;

	*code = -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
			_exit(100);
		raise(SIGSTOP);
		_exit(fn());
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
		return -1;
	ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)PTRACE_O_TRACESYSGOOD);
	for (int sig = 0;; ) {
		if (ptrace(PTRACE_SYSCALL, pid, NULL, (void *)(long)sig))
			return -1;
		if (waitpid(pid, &status, 0) != pid)
			return -1;
		if (WIFEXITED(status)) {
			*code = WEXITSTATUS(status);
			return count;
		}
		if (WIFSIGNALED(status))
			return count;
		sig = 0;
		if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
			struct user_regs_struct regs;

			if (entering) {
				if (ptrace(PTRACE_GETREGS, pid, NULL, &regs))
					return -1;
				count += regs.orig_rax == SYS_getrandom;
			}
			entering = !entering;
		} else if (WSTOPSIG(status) != SIGTRAP) {	/* SIGTRAP: execve */
			sig = WSTOPSIG(status);
		}
	}
}

#endif /* _VGETRANDOM_TEST_UTIL_H */
