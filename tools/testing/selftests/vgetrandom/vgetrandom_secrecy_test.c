// SPDX-License-Identifier: GPL-2.0
/*
 * What the vDSO getrandom() and the library must never leave behind, and
 * how they behave where consumers broke in the field:
 *  - forward secrecy on the real vDSO state: after each call, no 32 bytes
 *    of the state, as a ChaCha20 key at any counter a call uses, give back
 *    output already returned, and no returned output is left in it;
 *  - nothing of the output on the stack below the caller after a call
 *    (the vDSO's, and the library's);
 *  - 10 000 library threads that exit holding a state: full lengths, no
 *    output shared, the pool does not grow;
 *  - the library under a seccomp filter that allows only the system calls
 *    its README lists (anything else kills the process);
 *  - a wrong opaque_len (a state restored onto another kernel): every
 *    call is one getrandom system call with correct bytes.
 * Runs on mainline kernels too (skipping what needs this kernel).
 *
 * Build static: gcc -static -O2 -Wall vgetrandom_secrecy_test.c
 *	../../../lib/vgetrandom/vgetrandom{,_buf,_os}.c ../vDSO/parse_vdso.c -lpthread
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/random.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "../kselftest.h"
#include "../vDSO/parse_vdso.h"
#include "../../../lib/vgetrandom/vgetrandom.h"
#include "vgetrandom_test_util.h"
#include "vgetrandom_secrecy.h"

#ifndef __NR_vgetrandom_alloc
#define __NR_vgetrandom_alloc	1000	/* x86_64 and arm64, this project's kernels */
#endif

#define STACK_SCAN	(32 * 1024)
#define MAX_CALL	4096
#define THREAD_EXITS	10000
#define THREADS_AT_ONCE	4
#define OPAQUE_CALLS	100
#define CONTROL_RETRIES	3

static vgetrandom_t vdso_getrandom;
static struct vgr_query_params params;
static size_t page_size;
static char self_exe[4096];

static bool is_vgetrandom_kernel(void)
{
	struct utsname u;

	return !uname(&u) && strstr(u.release, "-vgetrandom");
}

static void *new_state(void)
{
	void *p = mmap(NULL, page_size, params.mmap_prot, params.mmap_flags, -1, 0);

	if (p == MAP_FAILED)
		ksft_exit_fail_msg("mmap of a state: %s\n", strerror(errno));
	return p;
}

/* --- Forward secrecy --- */

static void test_forward_secrecy(void)
{
	static const size_t lens[] = {
		32, 1, 15, 16, 48, 100, 500, 928, 929, 1000, 2000, 4096, 64, 7, 3000, 33,
	};
	/* returned: the lengths' sum (12769) and every call again (4096 each) */
	static uint8_t returned[64 * 1024], before[4096], after[4096], buf[MAX_CALL];
	size_t size = params.size_of_opaque_state, nret = 0, key_hits = 0, left = 0;
	size_t control = 0, controls = 0, retries = 0;
	struct vgr_wset set, one;
	uint8_t *state = new_state();
	bool lens_ok = true;

	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		memcpy(before, state, size);
		if (vdso_getrandom(buf, lens[i], 0, state, size) != (ssize_t)lens[i])
			lens_ok = false;
		memcpy(after, state, size);
		memcpy(returned + nret, buf, lens[i]);
		nret += lens[i];

		if (!vgr_wset_init(&set, returned, nret))
			ksft_exit_fail_msg("out of memory\n");
		key_hits += vgr_scan_state(after, size, &set);
		left += vgr_wset_count_in(&set, after, size);
		vgr_wset_free(&set);

		/*
		 * The control: a call larger than the batch takes blocks of
		 * the key it found, so the state before it predicts them.
		 * The scan must see that, or it proves nothing.
		 */
		if (lens[i] >= 2000) {
			bool hit;

			if (!vgr_wset_init(&one, buf, lens[i]))
				ksft_exit_fail_msg("out of memory\n");
			hit = vgr_scan_state(before, size, &one);
			vgr_wset_free(&one);
			/*
			 * A reseed (the kernel's own, every few seconds after
			 * boot) or a drop between the copy and the call has
			 * the call derive a new key: the same length again.
			 */
			if (!hit && retries < CONTROL_RETRIES) {
				retries++;
				i--;
				continue;
			}
			controls++;
			control += hit;
		}
	}
	munmap(state, page_size);

	ksft_test_result(lens_ok && !key_hits && !left,
			 "forward secrecy: after each of %zu calls, no 32-byte window of the %zu-byte state, as a key at counters 0..%d, gives back any of the %zu bytes returned (%zu hits), none left in it (%zu)\n",
			 ARRAY_SIZE(lens) + retries, size, VGR_SCAN_BLOCKS - 1, nret, key_hits, left);
	if (control == controls)
		ksft_test_result_pass("forward secrecy control: the state before each of %zu large calls predicts that call's output (%zu calls again after a new key)\n",
				      controls, retries);
	else if (!is_vgetrandom_kernel())
		ksft_test_result_skip("forward secrecy control: %zu of %zu large calls predicted: not this kernel's state layout\n",
				      control, controls);
	else
		ksft_test_result_fail("forward secrecy control: only %zu of %zu large calls predicted by the state before them (%zu calls again)\n",
				      control, controls, retries);
}

/* --- The stack below the caller --- */

/* Zero the stack below the caller, where the next call's frames will be. */
static __attribute_noinline__ void clear_below(void)
{
	volatile uint8_t pad[STACK_SCAN + 4096];

	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] = 0;
}

/* The stack pointer of the caller: always inlined, no frame of its own. */
static __always_inline uintptr_t stack_pointer(void)
{
	uintptr_t sp;

#if defined(__x86_64__)
	asm volatile("mov %%rsp, %0" : "=r" (sp));
#elif defined(__aarch64__)
	asm volatile("mov %0, sp" : "=r" (sp));
#elif defined(__powerpc64__)
	asm volatile("mr %0, 1" : "=r" (sp));
#elif defined(__s390x__)
	asm volatile("lgr %0, %%r15" : "=d" (sp));
#else
	sp = (uintptr_t)__builtin_frame_address(0);
#endif
	return sp;
}

/*
 * One call, then a copy of the STACK_SCAN bytes below this frame, where
 * the call's frames were, made with plain loads: no function call may
 * write there before the copy is taken.
 */
static __attribute_noinline__ ssize_t call_and_copy(bool library, uint8_t *buf,
						    size_t len, void *state, uint8_t *copy)
{
	const volatile uint8_t *below;
	ssize_t ret;

	if (library)
		ret = vgetrandom(buf, len, 0);
	else
		ret = vdso_getrandom(buf, len, 0, state, params.size_of_opaque_state);
	below = (const volatile uint8_t *)(stack_pointer() - STACK_SCAN);
	for (size_t i = 0; i < STACK_SCAN; i++)
		copy[i] = below[i];
	return ret;
}

static void test_stack(bool library)
{
	static const size_t lens[] = { 16, 64, 256, 1000, 4096, 32, 2048, 100 };
	static uint8_t buf[MAX_CALL], copy[STACK_SCAN];
	size_t found = 0, calls = 0;
	void *state = new_state();
	bool lens_ok = true;
	struct vgr_wset set;

	for (int round = 0; round < 4; round++) {
		for (size_t i = 0; i < ARRAY_SIZE(lens); i++, calls++) {
			clear_below();
			if (call_and_copy(library, buf, lens[i], state, copy) != (ssize_t)lens[i])
				lens_ok = false;
			if (!vgr_wset_init(&set, buf, lens[i]))
				ksft_exit_fail_msg("out of memory\n");
			found += vgr_wset_count_in(&set, copy, sizeof(copy));
			vgr_wset_free(&set);
		}
		/* Then the same with a wiped state: the rekeying path. */
		memset(state, 0, params.size_of_opaque_state);
	}
	munmap(state, page_size);
	ksft_test_result(lens_ok && !found,
			 "%s: after each of %zu calls, no 16 bytes of its output in the %d KiB of stack below the caller (%zu found)\n",
			 library ? "library vgetrandom()" : "vDSO getrandom()", calls,
			 STACK_SCAN / 1024, found);
}

/* --- Library threads exiting with a state --- */

static uint8_t thread_out[THREAD_EXITS][16];
static atomic_int thread_bad;

static void *exit_holding(void *arg)
{
	size_t i = (size_t)arg;

	if (vgetrandom(thread_out[i], sizeof(thread_out[i]), 0) != sizeof(thread_out[i]) ||
	    all_zero(thread_out[i], sizeof(thread_out[i])))
		atomic_fetch_add(&thread_bad, 1);
	return NULL;
}

static int cmp16(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

/* Total size of the VMAs whose VmFlags have "dp"; -1 without smaps. */
static long droppable_bytes(void)
{
	char line[512];
	long total = 0, size = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Size: %ld kB", &size) == 1)
			continue;
		if (!strncmp(line, "VmFlags:", 8) && strstr(line, " dp "))
			total += size * 1024;
	}
	fclose(f);
	return total;
}

static void test_thread_exits(void)
{
	long dp_first = -1, dp_end;
	pthread_t t[THREADS_AT_ONCE];
	size_t repeats = 0;

	for (size_t i = 0; i < THREAD_EXITS; i += THREADS_AT_ONCE) {
		for (size_t j = 0; j < THREADS_AT_ONCE; j++)
			if (pthread_create(&t[j], NULL, exit_holding, (void *)(i + j)))
				ksft_exit_fail_msg("pthread_create: %s\n", strerror(errno));
		for (size_t j = 0; j < THREADS_AT_ONCE; j++)
			pthread_join(t[j], NULL);
		if (!i)
			dp_first = droppable_bytes();
	}
	dp_end = droppable_bytes();
	qsort(thread_out, THREAD_EXITS, sizeof(thread_out[0]), cmp16);
	for (size_t i = 1; i < THREAD_EXITS; i++)
		repeats += !memcmp(thread_out[i - 1], thread_out[i], 16);

	ksft_test_result(!thread_bad && !repeats,
			 "%d library threads, %d at a time, each exiting holding its state: every call full and non-zero (%d bad), no two threads' 16 bytes equal (%zu)\n",
			 THREAD_EXITS, THREADS_AT_ONCE, atomic_load(&thread_bad), repeats);
	if (!vgetrandom_vdso_active() || dp_first <= 0)
		ksft_test_result_skip("the library uses no states here (vDSO %d, droppable %ld bytes)\n",
				      vgetrandom_vdso_active(), dp_first);
	else
		ksft_test_result(dp_end == dp_first,
				 "states of exited threads are reused: droppable memory %ld bytes after the first %d threads, %ld after all\n",
				 dp_first, THREADS_AT_ONCE, dp_end);
}

/* --- Seccomp: only the library's own system calls --- */

/* VGR_AUDIT_ARCH: vgetrandom_test_util.h. */

/*
 * The filter allows what tools/lib/vgetrandom/README.md lists for
 * vgetrandom() and vgetrandom_buf() with the getrandom system call
 * working: getrandom, mmap, munmap, vgetrandom_alloc, and openat, read and
 * close (the library reads /proc/thread-self/status before it would make
 * vgetrandom_alloc, and under a filter maps with mmap instead); plus
 * exit_group for the end of this program. Anything else kills the process.
 */
static int allowlist_main(void)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, VGR_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getrandom, 8, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 7, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_munmap, 6, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_vgetrandom_alloc, 5, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_openat, 4, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_read, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_close, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_exit_group, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(filter), .filter = filter };
	static uint8_t buf[MAX_CALL];
	uint32_t or = 0;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		return 2;
	/* From here on, no stdio: its first use would fstat(). */
	for (int i = 0; i < 2000; i++) {
		size_t len = 1 + (i * 37) % MAX_CALL;

		if (vgetrandom(buf, len, i % 3 ? 0 : GRND_NONBLOCK) != (ssize_t)len ||
		    (len >= 16 && all_zero(buf, 16)))
			return 1;
	}
	vgetrandom_buf(buf, sizeof(buf));
	for (int i = 0; i < 64; i++)
		or |= vgetrandom_u32();
	if (all_zero(buf, 16) || !or || vgetrandom_uniform(10) >= 10)
		return 1;
	return 0;
}

static void test_allowlist(void)
{
	char *argv[] = { self_exe, "--allowlist", NULL };
	int status = -1;
	pid_t pid;

#ifndef VGR_AUDIT_ARCH
	ksft_test_result_skip("seccomp allow-list: no audit arch for this build\n");
	return;
#endif
	pid = fork();
	if (pid < 0)
		ksft_exit_fail_msg("fork: %s\n", strerror(errno));
	if (!pid) {
		execv(self_exe, argv);
		_exit(3);
	}
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
		ksft_test_result_skip("seccomp allow-list: cannot install a filter\n");
	else
		ksft_test_result(WIFEXITED(status) && !WEXITSTATUS(status),
				 "library under seccomp allowing only getrandom, mmap, munmap, vgetrandom_alloc (README): 2000 calls and the arc4random-style functions correct, never killed (status %#x%s)\n",
				 status, WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS ?
				 ": SIGSYS, a system call outside the list" : "");
}

/* --- A wrong opaque_len --- */

static int wrong_opaque_len_child(void)
{
	static uint8_t buf[256];
	void *state = new_state();

	for (int i = 0; i < OPAQUE_CALLS; i++) {
		size_t len = 16 + i;

		memset(buf, 0, sizeof(buf));
		if (vdso_getrandom(buf, len, 0, state,
				   params.size_of_opaque_state + (i % 2 ? 1 : -1)) != (ssize_t)len ||
		    all_zero(buf, 16))
			return 1;
	}
	/* Untouched: the syscall wrote only into buf. */
	return !all_zero(state, params.size_of_opaque_state);
}

static void test_wrong_opaque_len(void)
{
	int code;
	long n = count_getrandom(wrong_opaque_len_child, &code);

	ksft_test_result(!code && n == OPAQUE_CALLS,
			 "wrong opaque_len (restored from another kernel): %d calls, %ld getrandom syscalls, correct bytes, state untouched (exit %d)\n",
			 OPAQUE_CALLS, n, code);
}

int main(int argc, char **argv)
{
	ssize_t n;

	page_size = sysconf(_SC_PAGESIZE);
	if (argc > 1 && !strcmp(argv[1], "--allowlist"))
		return allowlist_main();

	ksft_print_header();
	ksft_set_plan(9);
	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	if (n <= 0)
		ksft_exit_fail_msg("readlink /proc/self/exe: %s\n", strerror(errno));
	self_exe[n] = '\0';

	ksft_test_result(vgr_chacha20_selftest(), "the test's ChaCha20 gives the known zero-key blocks 0 and 1\n");

	vdso_getrandom = vgr_vdso_sym("__vdso_getrandom");
	if (!vdso_getrandom || vdso_getrandom(NULL, 0, 0, &params, ~0UL) ||
	    !params.size_of_opaque_state || params.size_of_opaque_state > page_size) {
		ksft_test_result_skip("forward secrecy: no vDSO getrandom()\n");
		ksft_test_result_skip("forward secrecy control: no vDSO getrandom()\n");
		ksft_test_result_skip("vDSO stack: no vDSO getrandom()\n");
		ksft_test_result_skip("wrong opaque_len: no vDSO getrandom()\n");
	} else {
		test_forward_secrecy();
		test_stack(false);
		test_wrong_opaque_len();
	}
	test_stack(true);
	test_thread_exits();
	test_allowlist();
	ksft_finished();
}
