// SPDX-License-Identifier: GPL-2.0
/*
 * vdso_kat_test - the running kernel's real vDSO getrandom() against
 * known answers: a fresh state is rekeyed once by the getrandom syscall;
 * a tracer replaces the 32 bytes that syscall returned into the state by
 * a fixed key, and the output of a fixed call sequence must then equal
 * what the host computed for that key (vgetrandom_vdso_kat.h, from the
 * generic code and the x86 ChaCha20 checked there against libsodium).
 * So the arch ChaCha20 in the vDSO (SSE2, AVX2, arm64 NEON) and the whole
 * generic path are checked inside the guest, on our kernel only (mainline's
 * vDSO batches differently).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest.h"
#include "../vDSO/parse_vdso.h"
#include "vgetrandom_test_util.h"
#include "vgetrandom_vdso_kat_calls.h"
#include "vgetrandom_vdso_kat.h"

static vgetrandom_t vgetrandom;
static struct vgr_query_params params;

/* The traced child: the call sequence on a fresh state, output to @fd. */
static int child(int fd)
{
	static unsigned char out[VDSO_KAT_TOTAL];
	size_t off = 0;
	void *page;

	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
		return 10;
	raise(SIGSTOP);
	page = mmap(NULL, getpagesize(), params.mmap_prot, params.mmap_flags, -1, 0);
	if (page == MAP_FAILED)
		return 11;
	for (size_t i = 0; i < VDSO_KAT_CALLS; i++) {
		if (vgetrandom(out + off, vdso_kat_lens[i], 0, page,
			       params.size_of_opaque_state) != (ssize_t)vdso_kat_lens[i])
			return 12;
		off += vdso_kat_lens[i];
	}
	return write(fd, out, sizeof(out)) == sizeof(out) ? 0 : 13;
}

/*
 * The syscall number and first two arguments at a syscall-entry stop, with
 * PTRACE_GET_SYSCALL_INFO: the same on every architecture.
 */
static int syscall_args(pid_t pid, long *nr, unsigned long *a0, unsigned long *a1)
{
	struct __ptrace_syscall_info info;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof(info), &info) <= 0 ||
	    info.op != PTRACE_SYSCALL_INFO_ENTRY)
		return -1;
	*nr = info.entry.nr;
	*a0 = info.entry.args[0];
	*a1 = info.entry.args[1];
	return 0;
}

int main(void)
{
	static unsigned char got[VDSO_KAT_TOTAL];
	unsigned long buf = 0, len = 0;
	int fds[2], status, rekeys = 0, code = -1;
	bool entering = true;
	pid_t pid;

	ksft_print_header();
	vgetrandom = (vgetrandom_t)vgr_vdso_sym("__vdso_getrandom");
	if (!vgetrandom)
		ksft_exit_skip("no vDSO getrandom()\n");
	if (vgetrandom(NULL, 0, 0, &params, ~0UL) || params.size_of_opaque_state != 1024)
		ksft_exit_skip("not this project's vDSO (state size %u)\n",
			       params.size_of_opaque_state);
	ksft_set_plan(2);
	if (pipe(fds))
		ksft_exit_fail_msg("pipe: %s\n", strerror(errno));
	pid = fork();
	if (!pid)
		_exit(child(fds[1]));
	close(fds[1]);
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
		ksft_exit_fail_msg("the child did not stop\n");
	ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)PTRACE_O_TRACESYSGOOD);
	for (int sig = 0;;) {
		if (ptrace(PTRACE_SYSCALL, pid, NULL, (void *)(long)sig) ||
		    waitpid(pid, &status, 0) != pid)
			ksft_exit_fail_msg("tracing failed\n");
		if (WIFEXITED(status)) {
			code = WEXITSTATUS(status);
			break;
		}
		if (WIFSIGNALED(status))
			break;
		sig = 0;
		if (WSTOPSIG(status) != (SIGTRAP | 0x80)) {
			sig = WSTOPSIG(status);
			continue;
		}
		if (entering) {
			long nr;

			if (syscall_args(pid, &nr, &buf, &len))
				ksft_exit_fail_msg("PTRACE_GET_SYSCALL_INFO failed\n");
			if (nr != SYS_getrandom)
				len = 0;
		} else if (len == sizeof(vdso_kat_key)) {
			/* The rekey: its 32 bytes in the state become the known key. */
			for (size_t i = 0; i < sizeof(vdso_kat_key); i += sizeof(long)) {
				long word;

				memcpy(&word, vdso_kat_key + i, sizeof(word));
				if (ptrace(PTRACE_POKEDATA, pid, (void *)(buf + i), (void *)word))
					ksft_exit_fail_msg("PTRACE_POKEDATA failed\n");
			}
			rekeys++;
		}
		entering = !entering;
	}
	if (code || read(fds[0], got, sizeof(got)) != sizeof(got))
		ksft_exit_fail_msg("the child failed (exit %d)\n", code);
	if (rekeys != 1)
		ksft_exit_skip("%d rekeys (a reseed during the run?): run again\n", rekeys);
	ksft_test_result_pass("one rekey, its key replaced by the tracer\n");
	ksft_test_result(!memcmp(got, vdso_kat_out, sizeof(got)),
			 "%zu bytes from %zu calls equal the host's known answers\n",
			 sizeof(got), VDSO_KAT_CALLS);
	ksft_finished();
}
