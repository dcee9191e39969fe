/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the vgetrandom selftests and the demo: they run on
 * this project's kernels and on mainline ones alike.
 */
#ifndef _VGETRANDOM_TEST_UTIL_H
#define _VGETRANDOM_TEST_UTIL_H

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
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

#include "../../../lib/vgetrandom/vgetrandom_vdso_abi.h"

/*
 * vgr_vdso_rng_usable() - whether the vDSO getrandom() may take its fast
 * path on this machine at all.  s390x's ChaCha20 needs the vector
 * facility: where userspace lacks it (AT_HWCAP without the vector bit,
 * HWCAP_S390_VXRS, 1 << 11: a machine without it, or the novx parameter)
 * the kernel keeps the vDSO never ready, and every call is a system call.
 */
static inline bool vgr_vdso_rng_usable(void)
{
#ifdef __s390x__
	return getauxval(AT_HWCAP) & (1UL << 11);
#else
	return true;
#endif
}

/*
 * A symbol of the running kernel's vDSO, or NULL (no vDSO, or not exported
 * there).  @name is x86's, "__vdso_NAME"; elsewhere VGR_VDSO_PREFIX NAME
 * is looked up.  getrandom and vgetrandom_alloc come back callable with
 * mainline's C prototype, returning negative errnos (vgr_vdso_callable()).
 * Needs parse_vdso.h and parse_vdso.c.
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
	return vgr_vdso_callable(arch_name, vdso_sym(VGR_VDSO_VERSION, arch_name));
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
 * Run @fn in a child traced with PTRACE_SYSCALL, with its threads and the
 * processes it forks; return how many getrandom system calls they made in
 * all (-1 on a tracing error), the child's exit status in @code (-1 if
 * killed by a signal).  Signals other than the tracing stops are
 * delivered, so an alarm() watchdog in the child still works.  The caller
 * must have no other child meanwhile: this waits for any.  The entry stops
 * are told apart with PTRACE_GET_SYSCALL_INFO, the same on every
 * architecture, and need no state per task.
 */
static inline long count_getrandom(int (*fn)(void), int *code)
{
	const long opts = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE |
			  PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK;
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
	if (ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)opts) ||
	    ptrace(PTRACE_SYSCALL, pid, NULL, NULL))
		return -1;
	/* Until every task traced, the child's threads and forks too, is gone. */
	for (;;) {
		struct __ptrace_syscall_info info;
		pid_t tid = waitpid(-1, &status, __WALL);
		int sig = 0;

		if (tid < 0)
			return errno == ECHILD ? count : -1;
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			if (tid == pid && WIFEXITED(status))
				*code = WEXITSTATUS(status);
			continue;
		}
		if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
			/*
			 * Entry or exit: only the entry counts.  ESRCH: the
			 * task was killed since it stopped (another thread's
			 * exit_group()), so its call is not made; its exit
			 * comes next.
			 */
			if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof(info), &info) <= 0) {
				if (errno != ESRCH)
					return -1;
				continue;
			}
			count += info.op == PTRACE_SYSCALL_INFO_ENTRY &&
				 info.entry.nr == SYS_getrandom;
		} else if (WSTOPSIG(status) != SIGTRAP && WSTOPSIG(status) != SIGSTOP) {
			/*
			 * SIGTRAP: an exec, clone or fork event; SIGSTOP: a
			 * new task's first stop.  Anything else is the
			 * child's own signal.
			 */
			sig = WSTOPSIG(status);
		}
		/* A task killed meanwhile (ESRCH) reports its exit next. */
		ptrace(PTRACE_SYSCALL, tid, NULL, (void *)(long)sig);
	}
}

/*
 * vgr_refuse_droppable() - from now on, in this process and what it
 * starts, every mmap() asking for MAP_DROPPABLE fails with ENOMEM, as it
 * would under memory pressure or a tight RLIMIT_AS: what a C library or a
 * Go runtime does when it cannot have a state.  A seccomp filter (no new
 * privileges needed but PR_SET_NO_NEW_PRIVS); 0 or -1 with errno.
 *
 * s390x's mmap() takes its arguments in a structure in memory (old_mmap),
 * which a filter cannot read: there the filter hands every mmap() to a
 * supervisor process (SECCOMP_RET_USER_NOTIF), which reads the flags from
 * the caller's memory and refuses MAP_DROPPABLE or lets the call go on.
 */
#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE	0x08
#endif
#if defined(__x86_64__)
#define VGR_AUDIT_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define VGR_AUDIT_ARCH	AUDIT_ARCH_AARCH64
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define VGR_AUDIT_ARCH	AUDIT_ARCH_PPC64LE
#elif defined(__s390x__)
#define VGR_AUDIT_ARCH	AUDIT_ARCH_S390X
#endif
#if defined(VGR_AUDIT_ARCH)
#define VGR_CAN_REFUSE_DROPPABLE 1
#else
#define VGR_CAN_REFUSE_DROPPABLE 0
#endif

/*
 * The start of vgr_refuse_droppable()'s filters: every system call but
 * this architecture's mmap() is allowed.
 */
#define VGR_FILTER_ONLY_MMAP \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, VGR_AUDIT_ARCH, 1, 0), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW), \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap, 1, 0), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

#if defined(__s390x__)
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

/*
 * The supervisor: each mmap() the filter hands over fails with ENOMEM if
 * the flags in its argument structure (old_mmap's: addr, len, prot, flags,
 * fd, offset) ask for MAP_DROPPABLE, and goes on as asked otherwise.  It
 * ends when the listener does, or with the process that made it.
 */
static inline void vgr_refuse_serve(int listener)
{
	for (;;) {
		struct seccomp_notif req;
		struct seccomp_notif_resp resp;
		unsigned long args[6];
		char path[32];
		int mem;

		memset(&req, 0, sizeof(req));
		/*
		 * ENOENT: a signal took the caller out of its wait before
		 * the notification was read (Go's preemption signals do,
		 * often); the call is made again after the handler.
		 */
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req)) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			return;
		}
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		snprintf(path, sizeof(path), "/proc/%d/mem", req.pid);
		mem = open(path, O_RDONLY);
		if (mem >= 0) {
			if (pread(mem, args, sizeof(args), (off_t)req.data.args[0]) == sizeof(args) &&
			    (args[3] & MAP_DROPPABLE)) {
				resp.flags = 0;
				resp.error = -ENOMEM;
			}
			close(mem);
		}
		/* ENOENT: the caller is gone (killed) meanwhile. */
		ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
}

static inline int vgr_refuse_droppable(void)
{
	struct sock_filter insns[] = {
		VGR_FILTER_ONLY_MMAP,
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	};
	struct sock_fprog prog = {
		.len = sizeof(insns) / sizeof(insns[0]),
		.filter = insns,
	};
	char ctl[CMSG_SPACE(sizeof(int))], byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	pid_t parent = getpid(), pid;
	int sv[2], listener, ret;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	/* The supervisor comes first: the filter must not cover it. */
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		close(sv[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent || recvmsg(sv[1], &msg, 0) != 1 ||
		    !CMSG_FIRSTHDR(&msg))
			_exit(1);
		memcpy(&listener, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
		vgr_refuse_serve(listener);
		_exit(0);
	}
	close(sv[1]);
	listener = -1;
	if (!prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				   SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (listener < 0) {
		kill(pid, SIGKILL);
		close(sv[0]);
		return -1;
	}
	memset(ctl, 0, sizeof(ctl));
	CMSG_FIRSTHDR(&msg)->cmsg_level = SOL_SOCKET;
	CMSG_FIRSTHDR(&msg)->cmsg_type = SCM_RIGHTS;
	CMSG_FIRSTHDR(&msg)->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(CMSG_FIRSTHDR(&msg)), &listener, sizeof(int));
	/*
	 * Without the supervisor every mmap() from now on would wait for
	 * ever: on -1 here the caller must exit without mapping anything.
	 */
	ret = sendmsg(sv[0], &msg, 0) == 1 ? 0 : -1;
	close(listener);
	close(sv[0]);
	return ret;
}
#else
static inline int vgr_refuse_droppable(void)
{
#if VGR_CAN_REFUSE_DROPPABLE
	/* The low 32 bits of the flags argument (args[3], 64 bits wide). */
	const unsigned int flags_lo = offsetof(struct seccomp_data, args[3]) +
		(__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? 4 : 0);
	struct sock_filter insns[] = {
		VGR_FILTER_ONLY_MMAP,
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, flags_lo),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MAP_DROPPABLE, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOMEM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(insns) / sizeof(insns[0]),
		.filter = insns,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
#else
	errno = ENOSYS;
	return -1;
#endif
}
#endif

/*
 * The OpenSSL configuration the README gives for the library's provider
 * (EVP_RAND VGETRANDOM), with OpenSSL's default provider beside it.
 */
#define VGR_OSSL_CONF \
	"openssl_conf = openssl_init\n\n" \
	"[openssl_init]\nproviders = provider_sect\nrandom = random_sect\n\n" \
	"[provider_sect]\ndefault = default_sect\nvgetrandom = vgetrandom_sect\n\n" \
	"[default_sect]\nactivate = 1\n\n" \
	"[vgetrandom_sect]\nactivate = 1\n\n" \
	"[random_sect]\nrandom = VGETRANDOM\nproperties = provider=vgetrandom\n"

#endif /* _VGETRANDOM_TEST_UTIL_H */
