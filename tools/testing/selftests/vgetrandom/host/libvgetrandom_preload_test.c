// SPDX-License-Identifier: GPL-2.0
/*
 * libvgetrandom-preload.so under an unmodified, dynamically linked program:
 * this one, which calls the C library's getrandom(), getentropy(),
 * arc4random(), arc4random_buf() and arc4random_uniform() as any program
 * does.  It runs itself three times over, with LD_PRELOAD unset, set, and
 * set with the vDSO disabled, and checks in each run
 *
 *   - the C library's contract, the same checks whichever serves the
 *     calls: return values, errno values, getentropy()'s 256-byte limit;
 *   - the getrandom system calls made for CALLS calls of each function
 *     (ptrace): one per call from Debian 12's glibc (2.36) on its own and
 *     with the vDSO disabled, a handful with the preload and the vDSO.
 *
 * Then the same count for a program of the distribution, Debian's
 * /usr/bin/python3 calling os.urandom(16) PY_CALLS times, without and
 * with the preload.
 *
 *	libvgetrandom_preload_test [PATH-TO-libvgetrandom-preload.so]
 *
 * The default path is lib/libvgetrandom-preload.so beside the test binary.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <gnu/libc-version.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "../../kselftest.h"
#include "../../vDSO/parse_vdso.h"
#include "../vgetrandom_test_util.h"

#define CALLS		20000	/* of each of the five functions */
#define KINDS		5
#define MAX_SYSCALLS	8	/* served by the vDSO: a handful */
#define PYTHON3		"/usr/bin/python3"
#define PY_CALLS	100000

static char self[PATH_MAX];
static char preload[PATH_MAX + 32];

/* --- The child modes: what an ordinary program does. --- */

/* 0 if each function keeps the C library's contract, else a bit per check. */
static int contract(void)
{
	unsigned char buf[300];
	int bad = 0, ret;

	memset(buf, 0, sizeof(buf));
	errno = 0;
	ret = getentropy(buf, 257);
	bad |= (ret != -1 || errno != EIO || !all_zero(buf, sizeof(buf))) << 0;
	bad |= (getentropy(buf, 256) || all_zero(buf + 240, 16)) << 1;
	bad |= getentropy(buf, 0) << 2;

	memset(buf, 0, sizeof(buf));
	errno = 0;
	bad |= (getrandom(buf, 16, 0x40) != -1 || errno != EINVAL) << 3;
	errno = 0;
	bad |= (getrandom(buf, 16, GRND_RANDOM | GRND_INSECURE) != -1 || errno != EINVAL) << 4;
	bad |= !all_zero(buf, 16) << 5;
	bad |= (getrandom(buf, 64, GRND_NONBLOCK) != 64 || all_zero(buf + 48, 16)) << 6;
	bad |= (getrandom(buf, 64, GRND_INSECURE) != 64 || getrandom(buf, 64, GRND_RANDOM) != 64) << 7;
	bad |= (getrandom(buf, 0, 0) != 0 || getrandom(NULL, 0, 0) != 0) << 8;

	bad |= (arc4random_uniform(0) || arc4random_uniform(1)) << 9;
	for (int i = 0; i < 1000; i++)
		bad |= (arc4random_uniform(7) >= 7 || arc4random_uniform(0xfffffffe) >= 0xfffffffe) << 10;
	bad |= (arc4random() == arc4random() && arc4random() == arc4random()) << 11;
	memset(buf, 0, sizeof(buf));
	arc4random_buf(buf, sizeof(buf));
	bad |= all_zero(buf + sizeof(buf) - 16, 16) << 12;
	return bad;
}

/* CALLS calls of each function; 0 if all of them succeeded. */
static int workload(void)
{
	unsigned char buf[16];
	int bad = 0;

	for (int i = 0; i < CALLS; i++) {
		bad |= getrandom(buf, sizeof(buf), 0) != sizeof(buf);
		bad |= getentropy(buf, sizeof(buf));
		bad |= arc4random_uniform(1000) >= 1000;
		arc4random_buf(buf, sizeof(buf));
		buf[0] ^= arc4random();
	}
	return bad;
}

/* Which library serves getrandom() here: 1 the preload, 0 the libc. */
static int served_by_preload(void)
{
	Dl_info info;

	return dladdr((void *)getrandom, &info) && info.dli_fname &&
	       strstr(info.dli_fname, "libvgetrandom-preload");
}

/* --- The parent: the child runs with an environment of our choosing. --- */

enum run { LIBC, PRELOAD, PRELOAD_NO_VDSO };
static const char *const run_name[] = {
	"glibc alone", "LD_PRELOAD", "LD_PRELOAD, VGETRANDOM_DISABLE_VDSO=1",
};
static enum run run;
static const char *mode;

static char py_script[128];

static int exec_child(void)
{
	char *argv[] = { self, (char *)mode, NULL };
	char *py_argv[] = { PYTHON3, "-c", py_script, NULL };

	unsetenv("LD_PRELOAD");
	unsetenv("VGETRANDOM_DISABLE_VDSO");
	if (run != LIBC)
		setenv("LD_PRELOAD", preload, 1);
	if (run == PRELOAD_NO_VDSO)
		setenv("VGETRANDOM_DISABLE_VDSO", "1", 1);
	if (!strcmp(mode, "python3"))
		execv(py_argv[0], py_argv);
	else
		execv(self, argv);
	return 99;
}

/* Run @m under @r; the getrandom syscalls it made, its status in @code. */
static long run_child(enum run r, const char *m, int *code)
{
	run = r;
	mode = m;
	return count_getrandom(exec_child, code);
}

/*
 * A program of the distribution: python3's os.urandom() calls the C
 * library's getrandom().  Skipped where there is no python3.
 */
static void test_python3(void)
{
	long without, with;
	int code;

	if (access(PYTHON3, X_OK)) {
		ksft_test_result_skip("no %s here\n", PYTHON3);
		ksft_test_result_skip("no %s here\n", PYTHON3);
		return;
	}
	snprintf(py_script, sizeof(py_script),
		 "import os\nfor i in range(%d): os.urandom(16)\n", PY_CALLS);
	without = run_child(LIBC, "python3", &code);
	ksft_test_result(!code && without >= PY_CALLS,
			 "python3, os.urandom(16) x %d, glibc alone: %ld getrandom syscalls\n",
			 PY_CALLS, without);
	with = run_child(PRELOAD, "python3", &code);
	if (!vgr_vdso_sym("__vdso_getrandom"))
		ksft_test_result_skip("python3 with LD_PRELOAD: %ld getrandom syscalls (no vDSO getrandom() on this kernel)\n",
				      with);
	else
		ksft_test_result(!code && with >= 0 && with <= MAX_SYSCALLS,
				 "python3, os.urandom(16) x %d, LD_PRELOAD: %ld getrandom syscalls (at most %d)\n",
				 PY_CALLS, with, MAX_SYSCALLS);
}

int main(int argc, char **argv)
{
	int major, minor, code;
	bool old_glibc;

	if (argc > 1 && !strcmp(argv[1], "--contract"))
		return contract();
	if (argc > 1 && !strcmp(argv[1], "--workload"))
		return workload();
	if (argc > 1 && !strcmp(argv[1], "--served"))
		return served_by_preload();

	ksft_print_header();
	if (readlink("/proc/self/exe", self, sizeof(self) - 1) < 0)
		ksft_exit_fail_msg("/proc/self/exe unreadable\n");
	if (argc > 1)
		snprintf(preload, sizeof(preload), "%s", argv[1]);
	else
		snprintf(preload, sizeof(preload), "%s/lib/libvgetrandom-preload.so",
			 dirname(strdup(self)));
	if (access(preload, R_OK))
		ksft_exit_fail_msg("%s: not found\n", preload);
	/* glibc 2.41 and later use the vDSO themselves. */
	old_glibc = sscanf(gnu_get_libc_version(), "%d.%d", &major, &minor) == 2 &&
		    (major < 2 || (major == 2 && minor < 41));

	ksft_set_plan(3 * 3 + 2);
	for (enum run r = LIBC; r <= PRELOAD_NO_VDSO; r++) {
		long n;
		bool few;

		run_child(r, "--served", &code);
		ksft_test_result(code == (r != LIBC),
				 "%s: getrandom() is %s's\n", run_name[r],
				 code == 1 ? "the preload" : code == 0 ? "the C library" : "nobody");
		run_child(r, "--contract", &code);
		ksft_test_result(!code, "%s: return values, errno (EIO above 256 bytes for getentropy, EINVAL for bad flags), bounds as the C library's contract (failed checks %#x)\n",
				 run_name[r], code);
		n = run_child(r, "--workload", &code);
		few = r == PRELOAD && vgr_vdso_sym("__vdso_getrandom");
		if (code) {
			ksft_test_result_fail("%s: %d calls of each of the %d functions failed (%d)\n",
					      run_name[r], CALLS, KINDS, code);
		} else if (few) {
			ksft_test_result(n >= 0 && n <= MAX_SYSCALLS,
					 "%s: %d calls (%d of each function) made %ld getrandom syscalls (at most %d)\n",
					 run_name[r], CALLS * KINDS, CALLS, n, MAX_SYSCALLS);
		} else if (r == PRELOAD || !old_glibc) {
			ksft_test_result_skip("%s: %d calls made %ld getrandom syscalls (%s)\n",
					      run_name[r], CALLS * KINDS, n,
					      r == PRELOAD ? "no vDSO getrandom() on this kernel" :
					      "this glibc uses the vDSO itself");
		} else {
			ksft_test_result(n >= CALLS * KINDS,
					 "%s: %d calls made %ld getrandom syscalls, one per call (glibc %s)\n",
					 run_name[r], CALLS * KINDS, n, gnu_get_libc_version());
		}
	}
	test_python3();
	ksft_finished();
}
