// SPDX-License-Identifier: GPL-2.0
/*
 * Test of libvgetrandom (tools/lib/vgetrandom): getrandom() through the
 * vDSO on per-thread states from a pool.  Written against mainline's vDSO
 * ABI, so it passes on a mainline kernel (states mapped with mmap()) and on
 * ours (states from vgetrandom_alloc()) alike; on a kernel without the
 * vDSO function the vDSO-only checks skip.
 *
 * The same source is also linked against a build of the library by
 * musl-gcc (libvgetrandom_test_musl in the top Makefile).
 *
 * "--fallback" is the mode the test re-executes itself in, with
 * VGETRANDOM_DISABLE_VDSO=1, to check the system-call path.
 *
 * Build static: gcc -static -O2 -Wall libvgetrandom_test.c
 *	../../../lib/vgetrandom/vgetrandom.c ../../../lib/vgetrandom/vgetrandom_buf.c
 *	../../../lib/vgetrandom/vgetrandom_os.c ../vDSO/parse_vdso.c -I../vDSO -lpthread
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest.h"
#include "../vDSO/parse_vdso.h"
#include "vgetrandom_test_util.h"
#include "../../../lib/vgetrandom/vgetrandom.h"
#include "../../../lib/vgetrandom/vgetrandom_internal.h"

#define MAX_LEN			(3 * 4096)
#define NTHREADS		16
#define THREAD_CALLS		1000
#define ROUNDS			5
#define FORKS			30
/*
 * A child that has not finished after this long is hung (a lock held
 * across fork, a spin): it never finishes.  Generous, since a child
 * shares 2 emulated CPUs with the parent's busy threads, and a slow
 * emulator (s390x under TCG) took over 5 s for some; the parent reports
 * the slowest child's time.
 */
#define CHILD_HANG_SECONDS	60
#define STEADY_CALLS		100000
#define STEADY_MAX_SYSCALLS	4
#define FALLBACK_MAX_LEN	4200

static bool have_vdso;		/* the vDSO exports __vdso_getrandom */
static bool have_alloc;		/* and __vdso_vgetrandom_alloc (our kernel) */

static bool fill(void *buf, size_t len)
{
	return vgetrandom(buf, len, 0) == (ssize_t)len;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Run @fn in a child and return its exit status; -1 if it died of a
 * signal, -2 if it was still running after @timeout seconds (killed).
 */
static int run_watched(int (*fn)(void), int timeout)
{
	double end = now_s() + timeout;
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		ksft_exit_fail_msg("fork failed\n");
	if (!pid)
		_exit(fn());
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now_s() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -2;
		}
		usleep(10000);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Total size of the VMAs whose VmFlags have "dp"; -1 without smaps. */
static long droppable_bytes(void)
{
	unsigned long kb = 0, total = 0;
	char line[512];
	FILE *f;

	f = fopen("/proc/self/smaps", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Size: %lu kB", &kb) == 1)
			continue;
		if (!strncmp(line, "VmFlags:", 8) && strstr(line, " dp"))
			total += kb;
	}
	fclose(f);
	return total * 1024;
}

/* --- Single-threaded API checks. --- */

static void test_vdso_active(void)
{
	if (getenv(VGR_DISABLE_ENV))
		ksft_test_result_skip("%s is set: the system call is used (active %d)\n",
				      VGR_DISABLE_ENV, vgetrandom_vdso_active());
	else if (!have_vdso)
		ksft_test_result_skip("no __vdso_getrandom in this vDSO: the system call is used (active %d)\n",
				      vgetrandom_vdso_active());
	else
		ksft_test_result(vgetrandom_vdso_active() == 1,
				 "__vdso_getrandom is in the vDSO and the library uses it\n");
}

/* Every length in [0, max] gives exactly that many bytes, nothing past. */
static bool check_lengths(size_t max)
{
	static unsigned char buf[MAX_LEN + 64];

	for (size_t len = 0; len <= max; len++) {
		memset(buf, 0, len + 64);
		if (vgetrandom(buf, len, 0) != (ssize_t)len || !all_zero(buf + len, 64) ||
		    (len >= 16 && all_zero(buf + len - 16, 16))) {
			ksft_print_msg("length %zu failed\n", len);
			return false;
		}
	}
	return true;
}

static void test_lengths(void)
{
	ksft_test_result(check_lengths(MAX_LEN),
			 "every length 0..%d returns exactly that many bytes\n", MAX_LEN);
}

/* Output is not constant: 1000 outputs, each unlike the one before. */
static bool check_differs(void)
{
	unsigned char prev[32] = { 0 }, cur[32];

	for (int i = 0; i < 1000; i++) {
		if (!fill(cur, sizeof(cur)) || all_zero(cur, sizeof(cur)) ||
		    !memcmp(cur, prev, sizeof(cur)))
			return false;
		memcpy(prev, cur, sizeof(cur));
	}
	return true;
}

static void test_differs(void)
{
	ksft_test_result(check_differs(), "output differs from call to call\n");
}

static bool check_bad_flags(void)
{
	unsigned int bad[] = { 0x8, 0x100, ~0U, GRND_RANDOM | GRND_INSECURE,
			       GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE };
	unsigned char buf[16] = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		if (vgetrandom(buf, sizeof(buf), bad[i]) != -1 || errno != EINVAL ||
		    !all_zero(buf, sizeof(buf))) {
			ksft_print_msg("flags %#x: not EINVAL\n", bad[i]);
			return false;
		}
	}
	return true;
}

static void test_bad_flags(void)
{
	ksft_test_result(check_bad_flags(),
			 "unknown or conflicting flags -> -1/EINVAL, buffer untouched\n");
}

static void test_nonblock(void)
{
	unsigned char buf[64] = { 0 };
	ssize_t ret = vgetrandom(buf, sizeof(buf), GRND_NONBLOCK);

	ksft_test_result(ret == sizeof(buf) && !all_zero(buf, sizeof(buf)),
			 "GRND_NONBLOCK returns full length (%zd)\n", ret);
}

static void test_other_flags(void)
{
	unsigned char a[64] = { 0 }, b[64] = { 0 };
	ssize_t ra = vgetrandom(a, sizeof(a), GRND_RANDOM);
	ssize_t rb = vgetrandom(b, sizeof(b), GRND_INSECURE);

	ksft_test_result(ra == sizeof(a) && rb == sizeof(b) && !all_zero(a, sizeof(a)) &&
			 !all_zero(b, sizeof(b)),
			 "GRND_RANDOM and GRND_INSECURE return full length (%zd, %zd)\n", ra, rb);
}

/* --- vgetrandom_buf(), vgetrandom_u32(), vgetrandom_uniform(). --- */

/* Every length in [0, max] is filled whole, nothing past; errno kept. */
static bool check_buf_lengths(size_t max)
{
	static unsigned char buf[MAX_LEN + 64];

	for (size_t len = 0; len <= max; len++) {
		memset(buf, 0, len + 64);
		errno = 12345;
		vgetrandom_buf(buf, len);
		if (errno != 12345 || !all_zero(buf + len, 64) ||
		    (len >= 16 && all_zero(buf + len - 16, 16))) {
			ksft_print_msg("vgetrandom_buf() length %zu failed\n", len);
			return false;
		}
	}
	return true;
}

static void test_buf_lengths(void)
{
	size_t big = 4 << 20;
	unsigned char *p = malloc(big);
	bool ok = check_buf_lengths(MAX_LEN);

	vgetrandom_buf(NULL, 0);
	/* A large buffer: no 16-byte block of it left as it was. */
	if (p) {
		memset(p, 0, big);
		vgetrandom_buf(p, big);
		for (size_t i = 0; i < big && ok; i += 16)
			ok = !all_zero(p + i, 16);
		free(p);
	}
	ksft_test_result(ok && p, "vgetrandom_buf(): every length 0..%d and %zu bytes filled whole, nothing past, errno kept\n",
			 MAX_LEN, big);
}

static void test_u32(void)
{
	uint32_t seen_or = 0, seen_and = ~0U, prev = 0;
	int repeats = 0;

	for (int i = 0; i < 10000; i++) {
		uint32_t v = vgetrandom_u32();

		seen_or |= v;
		seen_and &= v;
		repeats += v == prev;
		prev = v;
	}
	/* 10000 draws: each bit both set and clear; a repeat is 1 in 430000. */
	ksft_test_result(seen_or == ~0U && !seen_and && repeats <= 1,
			 "vgetrandom_u32(): every bit seen set and clear, %d repeats in 10000\n",
			 repeats);
}

static void test_uniform_small(void)
{
	static const uint32_t bounds[] = { 2, 3, 7, 10, 1000, 0x80000001, 0xfffffffe, 0xffffffff };
	bool ok = true, both = true;
	int seen[2] = { 0 };

	for (int i = 0; i < 1000; i++) {
		errno = 12345;
		ok &= !vgetrandom_uniform(0) && !vgetrandom_uniform(1) && errno == 12345;
	}
	for (size_t b = 0; b < ARRAY_SIZE(bounds); b++)
		for (int i = 0; i < 1000; i++)
			ok &= vgetrandom_uniform(bounds[b]) < bounds[b];
	for (int i = 0; i < 1000; i++)
		seen[vgetrandom_uniform(2)]++;
	both = seen[0] && seen[1];
	ksft_test_result(ok && both, "vgetrandom_uniform(): 0 for bounds 0 and 1, results below the bound for 2..2^32-1 (bound 2: %d zeros, %d ones)\n",
			 seen[0], seen[1]);
}

/* Pearson's chi-square of @nbins counts that should all be @expect. */
static double chi_square(const unsigned int *count, unsigned int nbins, double expect)
{
	double chi = 0;

	for (unsigned int b = 0; b < nbins; b++)
		chi += (count[b] - expect) * (count[b] - expect) / expect;
	return chi;
}

/*
 * Thresholds that chance exceeds with probability 1e-6: 180.8 for 99
 * degrees of freedom, 42.7 for 8.
 *
 * The bound 3 * 2^30 is where a bias would show most: 2^32 mod bound is
 * 2^30, so without the rejection a quarter of the results would come
 * twice as often as the rest.  Which quarter depends on the mapping: the
 * results below 2^30 for x % bound, every third result for
 * x * bound / 2^32.  Counting results by third (r / 2^30) and by residue
 * (r % 3) in 9 bins sees either: a chi-square of about draws / 8 (4500),
 * not something chance explains.
 */
static void test_uniform_chi_square(void)
{
	static unsigned int count[100];
	const unsigned int small_draws = 200000, big_draws = 36000;
	double small, big;

	memset(count, 0, sizeof(count));
	for (unsigned int i = 0; i < small_draws; i++)
		count[vgetrandom_uniform(100)]++;
	small = chi_square(count, 100, small_draws / 100.0);

	memset(count, 0, sizeof(count));
	for (unsigned int i = 0; i < big_draws; i++) {
		uint32_t r = vgetrandom_uniform(3U << 30);

		count[(r >> 30) * 3 + r % 3]++;
	}
	big = chi_square(count, 9, big_draws / 9.0);

	ksft_test_result(small < 180.8,
			 "vgetrandom_uniform(100): chi-square %.1f over the 100 results, %u draws (< 180.8, p = 1e-6)\n",
			 small, small_draws);
	ksft_test_result(big < 42.7,
			 "vgetrandom_uniform(3 * 2^30): chi-square %.1f over 9 bins (third x residue mod 3), %u draws (< 42.7; a bias gives about 4500)\n",
			 big, big_draws);
}

/* --- Threads: states are taken and given back. --- */

static unsigned char thread_first[NTHREADS][16];
static const void *thread_state[NTHREADS];
static atomic_int thread_bad;
static pthread_barrier_t all_have_states;

/*
 * All threads of a round hold a state at once (the barrier): once round 1
 * has mapped enough for them, a later round never finds the pool empty.
 */
static void *thread_calls(void *arg)
{
	unsigned char buf[80];

	for (int i = 0; i < THREAD_CALLS; i++) {
		size_t len = 16 + (i * 13) % (sizeof(buf) - 16);

		if (!fill(buf, len))
			thread_bad++;
		if (!i) {
			memcpy(thread_first[(long)arg], buf, 16);
			thread_state[(long)arg] = vgetrandom_thread_state();
			pthread_barrier_wait(&all_have_states);
		}
	}
	return NULL;
}

static void test_threads(void)
{
	struct vgr_pool_stats st[ROUNDS];
	long dp[ROUNDS];
	bool distinct = true, own = true, bounded, mem;
	bool vdso = vgetrandom_vdso_active();

	pthread_barrier_init(&all_have_states, NULL, NTHREADS);
	for (int r = 0; r < ROUNDS; r++) {
		pthread_t tid[NTHREADS];

		for (long t = 0; t < NTHREADS; t++)
			if (pthread_create(&tid[t], NULL, thread_calls, (void *)t))
				ksft_exit_fail_msg("pthread_create failed\n");
		for (int t = 0; t < NTHREADS; t++)
			pthread_join(tid[t], NULL);
		for (int t = 0; t < NTHREADS; t++) {
			own &= !vdso || (thread_state[t] &&
					 thread_state[t] != vgetrandom_thread_state());
			for (int u = 0; u < t; u++) {
				distinct &= !!memcmp(thread_first[t], thread_first[u], 16);
				own &= !vdso || thread_state[t] != thread_state[u];
			}
		}
		vgetrandom_pool_stats(&st[r]);
		dp[r] = droppable_bytes();
	}
	pthread_barrier_destroy(&all_have_states);
	ksft_test_result(!thread_bad && distinct,
			 "%d rounds of %d threads x %d calls: full lengths, threads' outputs distinct\n",
			 ROUNDS, NTHREADS, THREAD_CALLS);

	if (!vdso) {
		ksft_test_result_skip("no vDSO: no states\n");
		ksft_test_result_skip("no vDSO: no states to map\n");
		ksft_test_result_skip("no vDSO: no states to recycle\n");
		ksft_test_result_skip("no vDSO: no droppable memory\n");
		return;
	}
	/* Including threads that run on the reused stacks of exited ones. */
	ksft_test_result(own, "every thread of every round has a state, no two live threads the same\n");
	ksft_test_result(st[0].states && st[0].by_alloc == (have_alloc ? st[0].states : 0),
			 "states mapped by %s (%zu of %zu by vgetrandom_alloc())\n",
			 have_alloc ? "vgetrandom_alloc(), which the vDSO offers" :
			 "mmap(): the vDSO offers no vgetrandom_alloc()",
			 st[0].by_alloc, st[0].states);
	/* After the joins every state but the main thread's is free again. */
	bounded = st[0].states >= NTHREADS + 1 && st[ROUNDS - 1].states == st[0].states &&
		  st[ROUNDS - 1].free == st[0].states - 1;
	ksft_test_result(bounded,
			 "states recycled: %zu after round 1, %zu after round %d, %zu free\n",
			 st[0].states, st[ROUNDS - 1].states, ROUNDS, st[ROUNDS - 1].free);
	if (dp[0] <= 0) {
		ksft_test_result_skip("no droppable VMAs in /proc/self/smaps (%ld)\n", dp[0]);
		return;
	}
	mem = dp[ROUNDS - 1] == dp[0] && dp[0] == (long)st[0].bytes;
	ksft_test_result(mem, "droppable memory (smaps dp) stays at %ld bytes: %ld after round %d\n",
			 dp[0], dp[ROUNDS - 1], ROUNDS);
}

/* --- Fork while other threads are inside vgetrandom(). --- */

static atomic_bool stop_hammer;

/* Fast path: other threads inside the vDSO when fork() comes. */
static void *hammer(void *arg)
{
	unsigned char buf[48];

	while (!stop_hammer)
		if (!fill(buf, sizeof(buf)))
			thread_bad++;
	return NULL;
}

/* Slow path: short-lived threads keep the pool lock busy. */
static void *churn_one(void *arg)
{
	unsigned char buf[16];

	if (!fill(buf, sizeof(buf)))
		thread_bad++;
	return NULL;
}

static void *churn(void *arg)
{
	while (!stop_hammer) {
		pthread_t t;

		if (!pthread_create(&t, NULL, churn_one, NULL))
			pthread_join(t, NULL);
	}
	return NULL;
}

/* The test hook takes the pool lock too: hold it as often as possible. */
static void *lock_hammer(void *arg)
{
	struct vgr_pool_stats st;

	while (!stop_hammer)
		vgetrandom_pool_stats(&st);
	return NULL;
}

static void *(*const fork_threads[])(void *) = {
	hammer, hammer, hammer, hammer, churn, churn, lock_hammer,
};

/*
 * The child: 32 bytes from the forking thread at once, 32 from a new
 * thread (a state from the pool the child inherited), both to the pipe.
 * Exit status 6: the states of the threads that did not follow the fork
 * are not free in the child (only the forking thread's may be taken).
 */
static void fork_child(int fd)
{
	struct vgr_pool_stats st;
	unsigned char out[64];
	pthread_t t;

	alarm(CHILD_HANG_SECONDS);
	if (!fill(out, 32))
		_exit(2);
	if (pthread_create(&t, NULL, churn_one, NULL) || pthread_join(t, NULL))
		_exit(3);
	if (!fill(out + 32, 32) || thread_bad)
		_exit(4);
	vgetrandom_pool_stats(&st);
	if (vgetrandom_vdso_active() && st.free != st.states - 1)
		_exit(6);
	if (write(fd, out, sizeof(out)) != sizeof(out))
		_exit(5);
	_exit(0);
}

static void test_fork(void)
{
	pthread_t tid[ARRAY_SIZE(fork_threads)];
	int hung = 0, failed = 0, same = 0, leaked = 0;
	double slowest = 0;

	stop_hammer = false;
	for (size_t i = 0; i < ARRAY_SIZE(fork_threads); i++)
		if (pthread_create(&tid[i], NULL, fork_threads[i], NULL))
			ksft_exit_fail_msg("pthread_create failed\n");
	usleep(20000);
	for (int i = 0; i < FORKS; i++) {
		unsigned char parent[32], child[64];
		int fds[2], status;
		struct timespec t0, t1;
		pid_t pid;

		if (pipe(fds))
			ksft_exit_fail_msg("pipe failed\n");
		clock_gettime(CLOCK_MONOTONIC, &t0);
		pid = fork();
		if (pid < 0)
			ksft_exit_fail_msg("fork failed\n");
		if (!pid)
			fork_child(fds[1]);
		close(fds[1]);
		if (!fill(parent, sizeof(parent)))
			thread_bad++;
		if (read(fds[0], child, sizeof(child)) != sizeof(child))
			memset(child, 0, sizeof(child));
		close(fds[0]);
		waitpid(pid, &status, 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9 > slowest)
			slowest = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
			hung++;
		else if (WIFEXITED(status) && WEXITSTATUS(status) == 6)
			leaked++;
		else if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
		else if (!memcmp(parent, child, 32) || !memcmp(child, child + 32, 32) ||
			 all_zero(child, 32) || all_zero(child + 32, 32))
			same++;
	}
	stop_hammer = true;
	for (size_t i = 0; i < ARRAY_SIZE(fork_threads); i++)
		pthread_join(tid[i], NULL);

	ksft_test_result(!hung, "fork amid threads in vgetrandom() and holding the pool lock: %d of %d children hung (%d s without finishing; the slowest took %.2f s)\n",
			 hung, FORKS, CHILD_HANG_SECONDS, slowest);
	ksft_test_result(!failed && !thread_bad,
			 "fork children get full lengths at once and from a new thread (%d failed)\n",
			 failed);
	ksft_test_result(!same && !failed && !hung && !leaked,
			 "fork children's bytes differ from the parent's (%d alike)\n", same);
	ksft_test_result(!leaked && !hung,
			 "fork children get back the states of the threads left behind (%d did not)\n",
			 leaked);
}

/* --- Signal handlers calling vgetrandom(). --- */

static volatile sig_atomic_t handler_runs, handler_bad;

static void alarm_handler(int sig)
{
	unsigned char buf[40];
	int saved_errno = errno;

	if (vgetrandom(buf, sizeof(buf), 0) != sizeof(buf) || all_zero(buf, sizeof(buf)))
		handler_bad++;
	handler_runs++;
	errno = saved_errno;
}

static void start_storm(void)
{
	struct itimerval it = { { 0, 20 }, { 0, 20 } };
	struct sigaction sa = { .sa_handler = alarm_handler };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

static void stop_storm(void)
{
	struct itimerval it = { 0 };

	setitimer(ITIMER_REAL, &it, NULL);
}

/* Child: the main thread's calls interrupted by handlers that call too. */
static int storm_main(void)
{
	unsigned long calls = 0, bad = 0;
	unsigned char buf[300];
	double end = now_s() + 0.3;

	start_storm();
	while (now_s() < end) {
		for (int i = 0; i < 1000; i++, calls++) {
			size_t len = 1 + (calls * 7) % sizeof(buf);

			if (vgetrandom(buf, len, 0) != (ssize_t)len ||
			    (len >= 16 && all_zero(buf, len)))
				bad++;
		}
	}
	stop_storm();
	ksft_print_msg("main-thread storm: %lu calls, %d in handlers, %lu+%d bad\n",
		       calls, (int)handler_runs, bad, (int)handler_bad);
	return bad || handler_bad || !handler_runs;
}

static void *storm_thread(void *arg)
{
	unsigned char buf[64];
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	for (int i = 0; i < 4; i++)
		if (!fill(buf, 1 + i * 20))
			thread_bad++;
	return NULL;
}

/*
 * Child: threads born, making their first call (which takes a state) and
 * exiting (which gives it back) while the signals go to them.
 */
static int storm_threads(void)
{
	double end = now_s() + 0.3;
	int threads = 0;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	start_storm();
	while (now_s() < end) {
		pthread_t t;

		if (pthread_create(&t, NULL, storm_thread, NULL))
			return 2;
		pthread_join(t, NULL);
		threads++;
	}
	stop_storm();
	ksft_print_msg("thread storm: %d threads, %d handler calls, %d+%d bad\n",
		       threads, (int)handler_runs, (int)thread_bad, (int)handler_bad);
	return thread_bad || handler_bad;
}

static void test_signals(void)
{
	int ret;

	ret = run_watched(storm_main, 30);
	ksft_test_result(!ret, "SIGALRM storm, handlers calling vgetrandom() on the main thread: all full lengths, no deadlock (%d)\n",
			 ret);
	ret = run_watched(storm_threads, 30);
	ksft_test_result(!ret, "SIGALRM storm on threads' first call and exit: all full lengths, no deadlock (%d)\n",
			 ret);
}

/* --- Steady state and fallback: counted system calls. --- */

static int steady_child(void)
{
	unsigned char buf[16];

	for (int i = 0; i < STEADY_CALLS; i++)
		if (!fill(buf, sizeof(buf)))
			return 1;
	return 0;
}

static void test_steady_state(void)
{
	long n;
	int code;

	if (!vgetrandom_vdso_active()) {
		ksft_test_result_skip("no vDSO: every call is a system call\n");
		return;
	}
	n = count_getrandom(steady_child, &code);
	ksft_test_result(!code && n >= 0 && n <= STEADY_MAX_SYSCALLS,
			 "steady state: %d calls made %ld getrandom syscalls\n", STEADY_CALLS, n);
}

static char *self_exe;

static int fallback_exec(void)
{
	char *argv[] = { self_exe, "--fallback", NULL };

	setenv(VGR_DISABLE_ENV, "1", 1);
	execv("/proc/self/exe", argv);
	return 99;
}

/* Calls that fallback_main() makes, each one system call. */
#define FALLBACK_CALLS	(FALLBACK_MAX_LEN + 1 + 1000 + 1)

/* The re-executed test, VGETRANDOM_DISABLE_VDSO=1: 0 if all is right. */
static int fallback_main(void)
{
	unsigned char buf[64] = { 0 };

	alarm(120);
	if (vgetrandom_vdso_active())
		return 10;
	if (!check_lengths(FALLBACK_MAX_LEN))
		return 11;
	if (!check_differs())
		return 12;
	if (vgetrandom(buf, sizeof(buf), GRND_NONBLOCK) != sizeof(buf))
		return 13;
	if (!check_bad_flags())
		return 14;
	return 0;
}

static void test_fallback(void)
{
	int code;
	long n = count_getrandom(fallback_exec, &code);

	ksft_test_result(!code, "%s=1: correct bytes, lengths and errors from the system call (exit %d)\n",
			 VGR_DISABLE_ENV, code);
	ksft_test_result(n >= FALLBACK_CALLS,
			 "%s=1: every call is a getrandom syscall (%ld for %d calls)\n",
			 VGR_DISABLE_ENV, n, FALLBACK_CALLS);
}

/* --- Fork and signals meeting the library's own fork handlers (#14). --- */

/*
 * A fork handler registered before the library's (a constructor of higher
 * priority runs first) raises a signal between the library's prepare and
 * child handlers; the signal's handler calls vgetrandom() on a thread that
 * has no state yet, so it needs the pool, whose lock the fork holds.
 */
static volatile sig_atomic_t raise_in_atfork, usr1_runs, usr1_bad;

static void atfork_test_prepare(void)
{
	if (raise_in_atfork == 1) {
		raise(SIGUSR1);
	} else if (raise_in_atfork == 3) {
		/* Once: the nested fork() runs this handler too. */
		raise_in_atfork = 4;
		raise(SIGUSR2);
	}
}

static void atfork_test_child(void)
{
	if (raise_in_atfork == 2)
		raise(SIGUSR1);
}

__attribute__((constructor(101)))
static void register_before_library(void)
{
	pthread_atfork(atfork_test_prepare, NULL, atfork_test_child);
}

static void usr1_handler(int sig)
{
	unsigned char buf[32];
	int saved_errno = errno;

	if (vgetrandom(buf, sizeof(buf), 0) != sizeof(buf) || all_zero(buf, sizeof(buf)))
		usr1_bad++;
	usr1_runs++;
	errno = saved_errno;
}

static void *fork_from_fresh_thread(void *arg)
{
	unsigned char buf[16];
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return (void *)1L;
	if (!pid)
		_exit((vgetrandom(buf, sizeof(buf), 0) != sizeof(buf)) |
		      (usr1_bad ? 2 : 0) | (raise_in_atfork == 2 && !usr1_runs ? 4 : 0));
	waitpid(pid, &status, 0);
	return (void *)(long)(WIFEXITED(status) ? WEXITSTATUS(status) : 8);
}

static int atfork_signal_main(void)
{
	struct sigaction sa = { .sa_handler = usr1_handler };
	void *ret;
	pthread_t t;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	for (raise_in_atfork = 1; raise_in_atfork <= 2; raise_in_atfork++) {
		if (pthread_create(&t, NULL, fork_from_fresh_thread, NULL))
			return 16;
		pthread_join(t, &ret);
		if (ret)
			return 32 | (int)(long)ret;
	}
	return usr1_bad || usr1_runs != 1 ? 64 : 0;
}

static void test_atfork_signal(void)
{
	int ret = run_watched(atfork_signal_main, 20);

	ksft_test_result(!ret, "a signal between the library's fork handlers, its handler calling vgetrandom() on a thread without a state: no deadlock, full lengths (%d)\n",
			 ret);
}

/*
 * A signal handler that forks while its thread is between taking a state
 * from the pool and registering it: the child must still know the state
 * is that thread's, and never give it to a second thread.
 */
static volatile sig_atomic_t in_attach_child;
static volatile pid_t attach_child_pid;

static void usr2_fork_handler(int sig)
{
	pid_t pid = fork();

	if (!pid)
		in_attach_child = 1;
	else
		attach_child_pid = pid;
}

static void attach_hook(void)
{
	vgetrandom_test_attach_hook = NULL;
	raise(SIGUSR2);
}

#define ATTACH_CHILD_THREADS	64
static pthread_barrier_t attach_barrier;

/* Holds a state until all the child's threads have one. */
static void *child_other_thread(void *arg)
{
	unsigned char buf[16];
	const void *state = NULL;

	if (vgetrandom(buf, sizeof(buf), 0) == sizeof(buf))
		state = vgetrandom_thread_state();
	pthread_barrier_wait(&attach_barrier);
	return (void *)state;
}

static void *attach_thread(void *arg)
{
	pthread_t t[ATTACH_CHILD_THREADS];
	unsigned char buf[16];
	const void *mine;
	int shared = 0;

	vgetrandom_test_attach_hook = attach_hook;
	if (vgetrandom(buf, sizeof(buf), 0) != sizeof(buf))
		_exit(in_attach_child ? 3 : 4);
	if (!in_attach_child)
		return NULL;
	/*
	 * The child: more threads than the pool had states, all holding one
	 * at once, so that every free state is handed out; none may be ours.
	 */
	mine = vgetrandom_thread_state();
	pthread_barrier_init(&attach_barrier, NULL, ATTACH_CHILD_THREADS);
	for (int i = 0; i < ATTACH_CHILD_THREADS; i++)
		if (pthread_create(&t[i], NULL, child_other_thread, NULL))
			_exit(5);
	for (int i = 0; i < ATTACH_CHILD_THREADS; i++) {
		void *other;

		pthread_join(t[i], &other);
		shared += !other || other == mine;
	}
	_exit(mine && !shared ? 0 : 1);
}

static int attach_fork_main(void)
{
	struct sigaction sa = { .sa_handler = usr2_fork_handler };
	int status;
	pthread_t t;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);
	if (pthread_create(&t, NULL, attach_thread, NULL))
		return 16;
	pthread_join(t, NULL);
	if (!attach_child_pid)
		return 17;
	waitpid(attach_child_pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 18;
}

static void test_fork_in_attach(void)
{
	int ret;

	if (!vgetrandom_vdso_active()) {
		ksft_test_result_skip("no vDSO: no states to share\n");
		return;
	}
	ret = run_watched(attach_fork_main, 20);
	ksft_test_result(!ret, "fork() from a handler while a thread takes its first state: the child never gives that state to another thread (%d)\n",
			 ret);
}

/*
 * fork() from a signal handler that runs while its thread is inside fork(),
 * between the library's prepare handler (which took the pool lock) and
 * its parent or child handler: the library's handlers nest on one thread.
 * The inner ones must leave the lock to the outer ones, which must release
 * it, in each of the four processes that result: the parent, the inner
 * fork's child (which goes on to make the outer fork's child too), and
 * the outer fork's two children.  Afterwards a new thread's first call,
 * which needs the pool lock, must get a state in each.
 *
 * glibc and musl let a fork() nest only in a process that has never had a
 * second thread (otherwise their own fork lock deadlocks first), so this
 * runs in a freshly executed copy of the test.
 */
static volatile pid_t nested_fork_pid = -1;

static void nested_fork_handler(int sig)
{
	nested_fork_pid = fork();
}

static int nested_fork_exec(void)
{
	char *argv[] = { self_exe, "--nested-fork", NULL };

	execv("/proc/self/exe", argv);
	return 99;
}

/* A new thread's first call: 0 if it got its bytes (and a state if it can). */
static void *nested_fork_first_call(void *arg)
{
	unsigned char buf[16];

	if (vgetrandom(buf, sizeof(buf), 0) != sizeof(buf))
		return (void *)1L;
	if (vgetrandom_vdso_active() && !vgetrandom_thread_state())
		return (void *)2L;
	return NULL;
}

/* The same check in every process; a spinning lock ends in SIGALRM. */
static int nested_fork_check(void)
{
	void *ret;
	pthread_t t;

	alarm(CHILD_HANG_SECONDS);	/* not inherited: each process sets its own */
	if (pthread_create(&t, NULL, nested_fork_first_call, NULL) || pthread_join(t, &ret))
		return 4;
	return (int)(long)ret;
}

/* @pid's result folded into a small exit code: 8 for a signal (SIGALRM). */
static int nested_fork_wait(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return 16;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 8;
}

static int nested_fork_main(void)
{
	struct sigaction sa = { .sa_handler = nested_fork_handler };
	int ret;
	pid_t pid;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);
	raise_in_atfork = 3;
	pid = fork();
	if (pid < 0 || nested_fork_pid < 0)
		return 32;
	ret = nested_fork_check();
	/* Outer fork's children, the inner one's child last. */
	if (!pid)
		_exit(ret);
	ret |= nested_fork_wait(pid);
	if (!nested_fork_pid)
		_exit(ret);
	return ret | nested_fork_wait(nested_fork_pid);
}

static void test_nested_fork(void)
{
	int ret;

	if (!vgetrandom_vdso_active()) {
		ksft_test_result_skip("no vDSO: no pool lock, no fork handlers\n");
		return;
	}
	ret = run_watched(nested_fork_exec, 20);
	ksft_test_result(!ret, "fork() from a handler inside fork() after the library's prepare handler: the pool lock is free again in all 4 processes, a new thread gets a state in each (%d)\n",
			 ret);
}

/*
 * Under a seccomp filter that refuses vgetrandom_alloc() and droppable
 * mmap() with EPERM (as sandboxes do), the library must fall back, give
 * correct bytes, and not ask again on every call: re-executed, so that
 * the pool starts empty.
 */
#define SECCOMP_CALLS		1001
#define SECCOMP_MAX_ATTEMPTS	12

/*
 * This project's system call, 1000 on every architecture.  glibc's
 * <sys/syscall.h> takes the number from the kernel's headers; musl's has
 * a list of its own.
 */
#if !defined(__NR_vgetrandom_alloc)
#define __NR_vgetrandom_alloc	1000
#endif

static int seccomp_exec(void)
{
	char *argv[] = { self_exe, "--seccomp", NULL };

	execv("/proc/self/exe", argv);
	return 99;
}

/* Where the low 32 bits of a 64-bit seccomp_data argument are. */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define SECCOMP_LOW_WORD	4
#else
#define SECCOMP_LOW_WORD	0
#endif

static int seccomp_main(void)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#ifdef __NR_vgetrandom_alloc
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_vgetrandom_alloc, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
#endif
#if defined(__s390x__)
		/*
		 * s390's mmap is old_mmap: its arguments are in memory, where
		 * seccomp cannot look, so every mmap is refused (this process
		 * maps nothing else once the filter is on).
		 */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
#else
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 0, 3),
		/* flags, low word (its place depends on the byte order): MAP_DROPPABLE's bit of MAP_TYPE */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[3]) + SECCOMP_LOW_WORD),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MAP_DROPPABLE, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
#endif
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(filter), .filter = filter };
	unsigned char prev[16] = { 0 }, buf[16];
	struct vgr_pool_stats st;

	alarm(60);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		return 20;
	for (int i = 0; i < SECCOMP_CALLS; i++) {
		if (vgetrandom(buf, sizeof(buf), 0) != sizeof(buf) || all_zero(buf, sizeof(buf)) ||
		    !memcmp(buf, prev, sizeof(buf)))
			return 21;
		memcpy(prev, buf, sizeof(buf));
	}
	vgetrandom_pool_stats(&st);
	if (st.states)
		return 22;
	printf("# seccomp: %zu attempts to get states for %d calls, %zu failed\n",
	       st.alloc_attempts, SECCOMP_CALLS, st.alloc_failures);
	return st.alloc_attempts >= 1 && st.alloc_attempts <= SECCOMP_MAX_ATTEMPTS ? 0 : 23;
}

static void test_seccomp_backoff(void)
{
	int ret;

	if (!vgetrandom_vdso_active()) {
		ksft_test_result_skip("no vDSO: the library never asks for states\n");
		return;
	}
	ret = run_watched(seccomp_exec, 60);
	ksft_test_result(!ret, "seccomp refusing vgetrandom_alloc() and droppable mmap() with EPERM: %d correct calls, at most %d attempts to get a state (%d)\n",
			 SECCOMP_CALLS, SECCOMP_MAX_ATTEMPTS, ret);
}

/*
 * An allow-list filter written before vgetrandom_alloc() existed, as
 * systemd's SystemCallFilter=@system-service is, kills the process on it
 * (SIGSYS).  A library that every process of a system loads (the preload
 * from /etc/ld.so.preload) must never make that system call under a
 * filter: it maps its states with mmap() instead, and the vDSO works on
 * them all the same.  Re-executed, so that the pool starts empty.
 */
static int seccomp_kill_exec(void)
{
	char *argv[] = { self_exe, "--seccomp-kill", NULL };

	execv("/proc/self/exe", argv);
	return 99;
}

static void *seccomp_kill_thread(void *arg)
{
	unsigned char buf[32];

	return (void *)(long)!fill(buf, sizeof(buf));
}

static int seccomp_kill_main(void)
{
#ifdef __NR_vgetrandom_alloc
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_vgetrandom_alloc, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(filter), .filter = filter };
	struct vgr_pool_stats st;
	unsigned char buf[64];
	pthread_t tid[4];
	void *bad;

	alarm(60);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		return 20;
	if (!fill(buf, sizeof(buf)) || all_zero(buf, sizeof(buf)))
		return 21;
	for (int i = 0; i < 4; i++)
		if (pthread_create(&tid[i], NULL, seccomp_kill_thread, NULL))
			return 22;
	for (int i = 0; i < 4; i++)
		if (pthread_join(tid[i], &bad) || bad)
			return 23;
	vgetrandom_pool_stats(&st);
	/* The states came from mmap() and the vDSO used them. */
	if (!st.states || st.by_alloc || vgetrandom_vdso_active() != 1)
		return 24;
	return 0;
#else
	return 25;
#endif
}

static void test_seccomp_kill(void)
{
	int ret;

	if (!have_alloc) {
		ksft_test_result_skip("no vgetrandom_alloc() in this vDSO: nothing a filter could kill\n");
		return;
	}
#ifndef __NR_vgetrandom_alloc
	ksft_test_result_skip("no number for vgetrandom_alloc() in this C library's headers\n");
	return;
#endif
	ret = run_watched(seccomp_kill_exec, 60);
	ksft_test_result(!ret, "a seccomp filter that kills on vgetrandom_alloc() (systemd's @system-service): never called, states mapped with mmap(), 5 threads served by the vDSO (%d)\n",
			 ret);
}

/*
 * vgetrandom_buf() when the getrandom system call is refused (ENOSYS, as
 * a sandbox built for an older kernel may answer): the bytes come from
 * /dev/urandom; with that refused too, the process aborts and says why.
 * Each in a child, whose stderr the parent reads.
 */
static int refuse_getrandom(bool and_open)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getrandom, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
#ifdef __NR_open		/* not on arm64 */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_open, 1, 0),
#endif
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_openat, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, and_open ? SECCOMP_RET_ERRNO | EACCES :
						     SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(filter), .filter = filter };

	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	       prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* 0: the buffer was filled; 1: it was not; 2: no filter. */
static int buf_refused_child(bool and_open)
{
	unsigned char buf[4096] = { 0 };
	ssize_t ret;

	alarm(20);
	if (refuse_getrandom(and_open))
		return 2;
	errno = 0;
	ret = vgetrandom(buf, 16, 0);
	if (ret != -1 || errno != ENOSYS)
		return 3;
	vgetrandom_buf(buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i += 16)
		if (all_zero(buf + i, 16))
			return 1;
	return 0;
}

/* Run it; its wait status, and what it wrote to stderr in @err. */
static int run_buf_refused(bool and_open, char *err, size_t errlen)
{
	int fds[2], status = -1;
	ssize_t n;
	pid_t pid;

	if (pipe(fds))
		ksft_exit_fail_msg("pipe failed\n");
	pid = fork();
	if (pid < 0)
		ksft_exit_fail_msg("fork failed\n");
	if (!pid) {
		dup2(fds[1], STDERR_FILENO);
		_exit(buf_refused_child(and_open));
	}
	close(fds[1]);
	n = read(fds[0], err, errlen - 1);
	err[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	return status;
}

static void test_buf_refused(void)
{
	char err[256];
	int status;

	status = run_buf_refused(false, err, sizeof(err));
	ksft_test_result(WIFEXITED(status) && !WEXITSTATUS(status) && !err[0],
			 "getrandom refused with ENOSYS: vgetrandom() fails with it, vgetrandom_buf() fills from /dev/urandom (status %#x)\n",
			 status);
	status = run_buf_refused(true, err, sizeof(err));
	ksft_test_result(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT &&
			 strstr(err, "libvgetrandom: "),
			 "getrandom and open refused: vgetrandom_buf() aborts with a message, never returns (status %#x)\n",
			 status);
}

int main(int argc, char **argv)
{
	unsigned long ehdr;

	if (argc > 1 && !strcmp(argv[1], "--fallback"))
		return fallback_main();
	if (argc > 1 && !strcmp(argv[1], "--seccomp-kill"))
		return seccomp_kill_main();
	if (argc > 1 && !strcmp(argv[1], "--seccomp"))
		return seccomp_main();
	if (argc > 1 && !strcmp(argv[1], "--nested-fork"))
		return nested_fork_main();

	/* Children print and fork: keep nothing buffered. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
#ifdef __GLIBC__
	ksft_print_msg("C library: glibc %d.%d\n", __GLIBC__, __GLIBC_MINOR__);
#else
	ksft_print_msg("C library: not glibc (musl, in this project's build)\n");
#endif
	self_exe = argv[0];
	ehdr = getauxval(AT_SYSINFO_EHDR);
	if (ehdr) {
		vdso_init_from_sysinfo_ehdr(ehdr);
		have_vdso = vdso_sym(VGR_VDSO_VERSION, VGR_VDSO_GETRANDOM) != NULL;
		have_alloc = vdso_sym(VGR_VDSO_VERSION, VGR_VDSO_ALLOC) != NULL;
	}

	ksft_set_plan(32);
	test_vdso_active();
	test_lengths();
	test_differs();
	test_bad_flags();
	test_nonblock();
	test_other_flags();
	test_buf_lengths();
	test_u32();
	test_uniform_small();
	test_uniform_chi_square();
	test_buf_refused();
	test_threads();
	test_fork();
	test_signals();
	test_steady_state();
	test_fallback();
	test_atfork_signal();
	test_fork_in_attach();
	test_nested_fork();
	test_seccomp_backoff();
	test_seccomp_kill();
	ksft_finished();
}
