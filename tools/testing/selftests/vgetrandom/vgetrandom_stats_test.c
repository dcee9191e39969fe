// SPDX-License-Identifier: GPL-2.0
/*
 * vgetrandom_stats_test - statistical sanity of the vDSO getrandom()'s
 * output, as the guest's real vDSO makes it.
 *
 * The bytes of calls of every size from 1 to 4096 bytes (the batch, its
 * refill and the direct path alike), on one state, are fed to:
 *   - rngtest (rng-tools5): the FIPS 140-2 tests over RNGTEST_BLOCKS blocks
 *     of 20000 bits, 100 MB; a good source fails about 0.1 % of blocks, so
 *     more than 0.3 % fails the test;
 *   - dieharder: a subset of its tests that runs in bounded time under
 *     emulation; any FAILED assessment fails the test (WEAK is reported).
 * The tools are Debian 12's, run through the wrapper scripts of -d DIR
 * (default: ../stats beside this program), which bring their libraries.
 * A passing test proves no more than "not obviously broken": the
 * known-answer tests prove that the output is the ChaCha20 it should be.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest.h"
#include "../vDSO/parse_vdso.h"
#include "vgetrandom_test_util.h"

#define RNGTEST_BLOCKS	40000		/* of 2500 bytes: 100 MB */
#define RNGTEST_MAX_FAIL (RNGTEST_BLOCKS * 3 / 1000)
#define TOOL_SECONDS	600		/* a tool that hangs ends the test */

static vgetrandom_t vdso_getrandom;
static struct vgr_query_params params;
static void *state;
static char dir[4096];
static unsigned long long fed;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The next @len bytes of the stream: calls of 1, 2, ... 4096 bytes. */
static bool stream(unsigned char *buf, size_t len)
{
	static size_t next = 1;

	for (size_t at = 0; at < len;) {
		size_t n = next < len - at ? next : len - at;

		if (vdso_getrandom(buf + at, n, 0, state, params.size_of_opaque_state) != (ssize_t)n)
			return false;
		at += n;
		next = next % 4096 + 1;
	}
	return true;
}

/*
 * Run the wrapper @tool with @args, its standard input fed from stream()
 * until it stops reading, its output into @out.  Returns the exit status,
 * or -1.
 */
static int feed(const char *tool, char *const args[], char *out, size_t size)
{
	static unsigned char buf[1 << 16];
	char path[4200], *argv[16] = { path };
	int in[2], res[2], status;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", dir, tool);
	for (int i = 0; args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	if (pipe(in) || pipe(res))
		return -1;
	pid = fork();
	if (!pid) {
		dup2(in[0], 0);
		dup2(res[1], 1);
		dup2(res[1], 2);
		close(in[1]);
		close(res[0]);
		alarm(TOOL_SECONDS);
		execv(path, argv);
		_exit(127);
	}
	close(in[0]);
	close(res[1]);
	/* The tool reads all it wants, then exits and says what it found. */
	while (stream(buf, sizeof(buf)) && write(in[1], buf, sizeof(buf)) == sizeof(buf))
		fed += sizeof(buf);
	close(in[1]);
	while (got + 1 < size && (n = read(res[0], out + got, size - got - 1)) > 0)
		got += n;
	out[got] = '\0';
	close(res[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static long field(const char *out, const char *key)
{
	const char *p = strstr(out, key);

	return p ? atol(p + strlen(key)) : -1;
}

static void run_rngtest(void)
{
	static char out[1 << 14];
	char blocks[16];
	char *args[] = { "-c", blocks, NULL };
	double t = now_s();
	long ok, bad;

	snprintf(blocks, sizeof(blocks), "%d", RNGTEST_BLOCKS);
	fed = 0;
	feed("rngtest", args, out, sizeof(out));
	t = now_s() - t;
	ok = field(out, "FIPS 140-2 successes: ");
	bad = field(out, "FIPS 140-2 failures: ");
	ksft_print_msg("rngtest: %llu bytes fed in %.1f s, %ld blocks passed, %ld failed (monobit %ld, poker %ld, runs %ld, long run %ld, continuous run %ld)\n",
		       fed, t, ok, bad, field(out, "Monobit: "), field(out, "Poker: "),
		       field(out, "Runs: "), field(out, "Long run: "),
		       field(out, "Continuous run: "));
	ksft_test_result(ok >= 0 && bad >= 0 && ok + bad == RNGTEST_BLOCKS &&
			 bad <= RNGTEST_MAX_FAIL,
			 "rngtest: FIPS 140-2 over %d blocks (100 MB): %ld failed, at most %d allowed\n",
			 RNGTEST_BLOCKS, bad, RNGTEST_MAX_FAIL);
}

/* The dieharder tests run: quick ones, each reading its own stream. */
static const char *const dh_tests[] = {
	"0",	/* diehard_birthdays */
	"8",	/* diehard_count_1s_str */
	"15",	/* diehard_runs */
	"100",	/* sts_monobit */
	NULL,
};

static void run_dieharder(void)
{
	static char out[1 << 14];
	int passed = 0, weak = 0, failed = 0, runs = 0;

	for (int i = 0; dh_tests[i]; i++) {
		char *args[] = { "-g", "200", "-d", (char *)dh_tests[i], NULL };
		double t = now_s();
		char *line, *save;

		fed = 0;
		feed("dieharder", args, out, sizeof(out));
		t = now_s() - t;
		runs++;
		for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			if (!strchr(line, '|'))
				continue;
			if (strstr(line, "PASSED"))
				passed++;
			else if (strstr(line, "WEAK"))
				weak++;
			else if (strstr(line, "FAILED"))
				failed++;
			else
				continue;
			ksft_print_msg("dieharder:%s (%llu bytes fed, %.1f s)\n", line, fed, t);
		}
	}
	ksft_test_result(!failed && passed + weak >= runs,
			 "dieharder: %d tests: %d assessments PASSED, %d WEAK, %d FAILED\n",
			 runs, passed, weak, failed);
}

int main(int argc, char **argv)
{
	char self[4096];
	int opt;

	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(dir, sizeof(dir), "%s/../stats", dirname(self));
	while ((opt = getopt(argc, argv, "d:")) != -1) {
		if (opt != 'd')
			ksft_exit_fail_msg("usage: %s [-d TOOLS-DIR]\n", argv[0]);
		snprintf(dir, sizeof(dir), "%s", optarg);
	}
	ksft_print_header();
	ksft_set_plan(2);
	signal(SIGPIPE, SIG_IGN);

	vdso_getrandom = vgr_vdso_sym("__vdso_getrandom");
	if (!vdso_getrandom)
		ksft_exit_skip("no vDSO getrandom() on this kernel\n");
	if (vdso_getrandom(NULL, 0, 0, &params, ~0UL))
		ksft_exit_fail_msg("the vDSO does not answer the parameter query\n");
	state = mmap(NULL, params.size_of_opaque_state, params.mmap_prot, params.mmap_flags,
		     -1, 0);
	if (state == MAP_FAILED)
		ksft_exit_fail_msg("a state: %s\n", strerror(errno));

	run_rngtest();
	run_dieharder();
	ksft_finished();
}
