/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the vgetrandom selftests and the demo: they run on
 * this project's kernels and on mainline ones alike.
 */
#ifndef _VGETRANDOM_TEST_UTIL_H
#define _VGETRANDOM_TEST_UTIL_H

#include <elf.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
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
 * Where mainline puts the vDSO functions: x86_64 calls them __vdso_NAME
 * under LINUX_2.6, arm64 __kernel_NAME under LINUX_2.6.39.
 */
#if defined(__aarch64__)
#define VGR_VDSO_VERSION	"LINUX_2.6.39"
#define VGR_VDSO_PREFIX		"__kernel_"
#else
#define VGR_VDSO_VERSION	"LINUX_2.6"
#define VGR_VDSO_PREFIX		"__vdso_"
#endif

/*
 * A symbol of the running kernel's vDSO, or NULL (no vDSO, or not exported
 * there).  @name is x86's, "__vdso_NAME"; on arm64 __kernel_NAME is looked
 * up.  Needs parse_vdso.h and parse_vdso.c.
 */
static inline void *vgr_vdso_sym(const char *name)
{
	static bool parsed;
	char arch_name[64];

	if (!parsed) {
		unsigned long ehdr = getauxval(AT_SYSINFO_EHDR);

		if (!ehdr)
			return NULL;
		vdso_init_from_sysinfo_ehdr(ehdr);
		parsed = true;
	}
	if (!strncmp(name, "__vdso_", 7))
		snprintf(arch_name, sizeof(arch_name), "%s%s", VGR_VDSO_PREFIX, name + 7);
	else
		snprintf(arch_name, sizeof(arch_name), "%s", name);
	return vdso_sym(VGR_VDSO_VERSION, arch_name);
}

static inline bool all_zero(const void *p, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

/* The number of the system call a tracee is stopped at; -1 on error. */
static inline long vgr_syscall_nr(pid_t pid)
{
	struct user_regs_struct regs;
	struct iovec iov = { .iov_base = &regs, .iov_len = sizeof(regs) };

	if (ptrace(PTRACE_GETREGSET, pid, (void *)NT_PRSTATUS, &iov))
		return -1;
#if defined(__aarch64__)
	return regs.regs[8];
#else
	return regs.orig_rax;
#endif
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
			if (entering) {
				long nr = vgr_syscall_nr(pid);

				if (nr < 0)
					return -1;
				count += nr == SYS_getrandom;
			}
			entering = !entering;
		} else if (WSTOPSIG(status) != SIGTRAP) {	/* SIGTRAP: execve */
			sig = WSTOPSIG(status);
		}
	}
}

#endif /* _VGETRANDOM_TEST_UTIL_H */
