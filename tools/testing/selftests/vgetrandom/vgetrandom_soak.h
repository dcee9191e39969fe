/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vgetrandom_soak.h - the drop + same-state signal handler soak, shared by
 * the host harness (generic code, MADV_DONTNEED as the drop) and the guest
 * (the real vDSO, MADV_PAGEOUT on MAP_DROPPABLE memory).
 *
 * One thread calls getrandom on one state in a loop, with request sizes that
 * are multiples of 16 (so every byte of output keeps its 16-byte alignment
 * from where it was generated, and a byte handed out twice shows as a
 * repeated 16-byte block). Another thread drops the state's page over and
 * over. A timer signal interrupts the calling thread; its handler calls
 * getrandom on the very same state (phase 1), or forks, and the child calls
 * it on the wiped copy and then lets the interrupted call resume there
 * (phase 2). Every 16-byte block produced by anyone is kept; afterwards no
 * block may be all zero and no block may occur twice.
 *
 * Include from one file; define the ops first.
 */
#ifndef _VGETRANDOM_SOAK_H
#define _VGETRANDOM_SOAK_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef unsigned __int128 soak_block;

struct soak_ops {
	/* getrandom on a state: the generic code or the vDSO */
	ssize_t (*getrandom)(void *buf, size_t len, unsigned int flags, void *state);
	/* drop the page holding the state; true if the kernel took the request */
	bool (*drop)(void *page);
	void *page;		/* the state's page */
	void *state;		/* the state in it */
	long run_ns;		/* phase 1 length; phase 2 gets a quarter of it */
	long handler_us;	/* timer period in phase 1 */
	long fork_us;		/* timer period in phase 2 */
	size_t max_blocks;	/* blocks kept from the calling thread */
};

/* Why a child of phase 2 failed: its exit status. */
enum {
	SOAK_CHILD_SHORT_HANDLER = 1,	/* its call in the handler was short */
	SOAK_CHILD_SHORT_RESUMED,	/* the interrupted call, resumed, was short */
	SOAK_CHILD_SHORT_AFTER,		/* its call after that was short */
	SOAK_CHILD_PIPE,		/* it could not hand its bytes over */
	SOAK_CHILD_REASONS
};

struct soak_result {
	unsigned long calls, short_calls, handler_calls, handler_short;
	unsigned long drops, forks, child_blocks, blocks, zero_blocks, repeats;
	unsigned long child_failures, partial_calls;
	/* child failures by exit status; [0]: killed by a signal */
	unsigned long child_why[SOAK_CHILD_REASONS + 1];
};

static struct soak_ops *soak;
static soak_block *soak_main, *soak_handler;
static volatile size_t soak_nmain, soak_nhandler;
static size_t soak_max_handler;
static volatile sig_atomic_t soak_phase, soak_in_child, soak_in_call;
static volatile unsigned long soak_handler_calls, soak_handler_short, soak_forks;
/* Children forked and not yet reaped: a fork waits until there are few. */
static volatile long soak_outstanding;
#define SOAK_MAX_OUTSTANDING	4
static atomic_bool soak_stop;
static atomic_ulong soak_drops;
static int soak_pipe[2];

static long soak_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void soak_keep(soak_block *dst, volatile size_t *n, size_t max,
		      const unsigned char *buf, size_t len)
{
	for (size_t i = 0; i + 16 <= len && *n < max; i += 16)
		memcpy(&dst[(*n)++], buf + i, 16);
}

/*
 * In the child of phase 2, once the interrupted call has returned (it must
 * have returned in full): one more call, whose bytes go to the parent.
 * The interrupted call's own bytes do not: if the fork came after its fill
 * was complete, they were made before the fork and are the parent's too,
 * as they would be after a getrandom() syscall. A call that, resumed in
 * the child, computed bytes from the parent's key after the fork is what
 * phase 1's handlers catch (the same takeover, without the fork).
 */
static void soak_child_exit(bool resumed_in_full)
{
	unsigned char buf[64];

	if (!resumed_in_full)
		_exit(SOAK_CHILD_SHORT_RESUMED);
	if (soak->getrandom(buf, sizeof(buf), 0, soak->state) != sizeof(buf))
		_exit(SOAK_CHILD_SHORT_AFTER);
	_exit(write(soak_pipe[1], buf, sizeof(buf)) == sizeof(buf) ? 0 : SOAK_CHILD_PIPE);
}

static void soak_signal(int sig)
{
	unsigned char buf[32];
	int saved = errno;
	ssize_t ret;

	(void)sig;
	if (soak_in_child)
		goto out;
	if (soak_phase == 2) {
		pid_t pid;

		if (soak_outstanding >= SOAK_MAX_OUTSTANDING)
			goto out;
		pid = fork();
		if (pid > 0) {
			soak_forks++;
			soak_outstanding++;
		}
		if (pid)
			goto out;
		/* The child: the state's page is a wiped copy here. */
		soak_in_child = 1;
		ret = soak->getrandom(buf, sizeof(buf), 0, soak->state);
		if (ret != sizeof(buf))
			_exit(SOAK_CHILD_SHORT_HANDLER);
		if (write(soak_pipe[1], buf, sizeof(buf)) != sizeof(buf))
			_exit(SOAK_CHILD_PIPE);
		/* Back into the interrupted call, which must notice; or done. */
		if (!soak_in_call)
			_exit(0);
		goto out;
	}
	ret = soak->getrandom(buf, sizeof(buf), 0, soak->state);
	soak_handler_calls++;
	if (ret != sizeof(buf))
		soak_handler_short++;
	else
		soak_keep(soak_handler, &soak_nhandler, soak_max_handler, buf, sizeof(buf));
out:
	errno = saved;
}

static void *soak_dropper(void *arg)
{
	(void)arg;
	while (!atomic_load(&soak_stop)) {
		if (soak->drop(soak->page))
			atomic_fetch_add(&soak_drops, 1);
		sched_yield();
	}
	return NULL;
}

/*
 * Room for n blocks, in small pages: every fork child would otherwise copy
 * whole huge pages of it as the parent writes on.
 */
static soak_block *soak_alloc(size_t n)
{
	void *p = mmap(NULL, n * sizeof(soak_block), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, n * sizeof(soak_block), MADV_NOHUGEPAGE);
	return p;
}

static int soak_cmp(const void *a, const void *b)
{
	soak_block x = *(const soak_block *)a, y = *(const soak_block *)b;

	return x < y ? -1 : x > y;
}

static void soak_timer(long us)
{
	struct itimerval it = {
		.it_interval = { .tv_sec = us / 1000000, .tv_usec = us % 1000000 },
		.it_value = { .tv_sec = us / 1000000, .tv_usec = us % 1000000 },
	};

	setitimer(ITIMER_REAL, &it, NULL);
}

/* Read what the children of phase 2 wrote, and reap them. */
static void soak_collect_children(soak_block *dst, size_t *n, size_t max,
				  struct soak_result *res)
{
	unsigned char buf[4096];
	ssize_t got;
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		soak_outstanding--;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			res->child_failures++;
			if (!WIFEXITED(status))
				res->child_why[0]++;
			else
				res->child_why[WEXITSTATUS(status) < SOAK_CHILD_REASONS ?
					       WEXITSTATUS(status) : SOAK_CHILD_REASONS]++;
		}
	}
	while ((got = read(soak_pipe[0], buf, sizeof(buf) - sizeof(buf) % 16)) > 0) {
		for (ssize_t i = 0; i + 16 <= got && *n < max; i += 16)
			memcpy(&dst[(*n)++], buf + i, 16);
		res->child_blocks += got / 16;
	}
}

/**
 * soak_run - run both phases with @ops and count what went wrong
 * @ops:	What to call and how to drop.
 * @res:	Filled with the counts.
 *
 * Returns: 0, or -1 if the run could not be set up (errno set).
 */
static int soak_run(struct soak_ops *ops, struct soak_result *res)
{
	static unsigned char buf[16384];
	size_t max_child = 1 << 16, nchild = 0, total;
	struct sigaction sa = { .sa_handler = soak_signal, .sa_flags = SA_RESTART };
	soak_block *child, *all;
	sigset_t alrm, old;
	uint32_t lcg = 12345;
	pthread_t thread;
	long end;

	memset(res, 0, sizeof(*res));
	soak = ops;
	soak_max_handler = ops->max_blocks / 4;
	soak_main = soak_alloc(ops->max_blocks);
	soak_handler = soak_alloc(soak_max_handler);
	child = soak_alloc(max_child);
	if (!soak_main || !soak_handler || !child || pipe(soak_pipe))
		return -1;
	fcntl(soak_pipe[0], F_SETFL, O_NONBLOCK);

	/* Only the calling thread takes the timer's signal. */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alrm, &old);
	if (pthread_create(&thread, NULL, soak_dropper, NULL))
		return -1;
	sigaction(SIGALRM, &sa, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	for (soak_phase = 1; soak_phase <= 2; soak_phase++) {
		soak_timer(soak_phase == 1 ? ops->handler_us : ops->fork_us);
		end = soak_now_ns() + (soak_phase == 1 ? ops->run_ns : ops->run_ns / 4);
		/* Phase 1 leaves a quarter of the room to phase 2. */
		size_t room = soak_phase == 1 ? ops->max_blocks / 4 * 3 : ops->max_blocks;

		while (soak_nmain < room && soak_now_ns() < end) {
			/* 16..2048 bytes, and now and then 16 KiB: batch and direct paths */
			size_t len;
			ssize_t ret;

			lcg = lcg * 1103515245 + 12345;
			len = (lcg >> 16) % 61 ? 16 * ((lcg >> 8) % 128 + 1) : sizeof(buf);
			soak_in_call = 1;
			ret = ops->getrandom(buf, len, 0, ops->state);
			soak_in_call = 0;
			/*
			 * In the child too, a syscall fallback that the
			 * forking signal interrupted returns what it had.
			 */
			if (soak_in_child)
				soak_child_exit(ret == (ssize_t)len || (ret > 0 && len > 256));
			res->calls++;
			/*
			 * A fallback to the syscall may return less than asked
			 * for above 256 bytes when a signal arrives: what it
			 * returned is kept, as a caller would.
			 */
			if (ret == (ssize_t)len || (ret > 0 && len > 256)) {
				res->partial_calls += ret != (ssize_t)len;
				soak_keep(soak_main, &soak_nmain, ops->max_blocks, buf, ret);
			} else {
				res->short_calls++;
			}
			if (soak_phase == 2 && !(res->calls % 64))
				soak_collect_children(child, &nchild, max_child, res);
		}
		soak_timer(0);
	}
	atomic_store(&soak_stop, true);
	pthread_join(thread, NULL);
	/* The last children, for at most 10 s. */
	for (int i = 0; i < 1000 && soak_outstanding > 0; i++) {
		soak_collect_children(child, &nchild, max_child, res);
		usleep(10000);
	}
	soak_collect_children(child, &nchild, max_child, res);
	res->child_failures += soak_outstanding;

	res->handler_calls = soak_handler_calls;
	res->handler_short = soak_handler_short;
	res->forks = soak_forks;
	res->drops = atomic_load(&soak_drops);

	total = soak_nmain + soak_nhandler + nchild;
	all = malloc(total * sizeof(soak_block));
	if (!all)
		return -1;
	memcpy(all, soak_main, soak_nmain * sizeof(soak_block));
	memcpy(all + soak_nmain, soak_handler, soak_nhandler * sizeof(soak_block));
	memcpy(all + soak_nmain + soak_nhandler, child, nchild * sizeof(soak_block));
	qsort(all, total, sizeof(soak_block), soak_cmp);
	res->blocks = total;
	for (size_t i = 0; i < total; i++) {
		res->zero_blocks += !all[i];
		res->repeats += i && all[i] == all[i - 1];
	}
	free(all);
	munmap(child, sizeof(soak_block) * max_child);
	munmap(soak_main, sizeof(soak_block) * ops->max_blocks);
	munmap(soak_handler, sizeof(soak_block) * soak_max_handler);
	return 0;
}

/* The TAP results of one run, the same on the host and in the guest. */
static void soak_report(const char *what, const struct soak_result *res)
{
	ksft_print_msg("%s: %lu calls, %lu handler calls, %lu forks, %lu drops, %lu blocks compared\n",
		       what, res->calls, res->handler_calls, res->forks, res->drops, res->blocks);
	ksft_test_result(res->drops > 0 && res->handler_calls > 0 && res->forks > 0,
			 "%s: drops (%lu), same-state handler calls (%lu) and forks in handlers (%lu) happened\n",
			 what, res->drops, res->handler_calls, res->forks);
	if (res->child_failures)
		ksft_print_msg("%s: children failed: %lu killed, %lu short in the handler, %lu short on resuming, %lu short after, %lu pipe, %lu other, %lu never exited\n",
			       what, res->child_why[0],
			       res->child_why[SOAK_CHILD_SHORT_HANDLER],
			       res->child_why[SOAK_CHILD_SHORT_RESUMED],
			       res->child_why[SOAK_CHILD_SHORT_AFTER],
			       res->child_why[SOAK_CHILD_PIPE],
			       res->child_why[SOAK_CHILD_REASONS],
			       res->child_failures - res->child_why[0] -
			       res->child_why[1] - res->child_why[2] - res->child_why[3] -
			       res->child_why[4] - res->child_why[5]);
	ksft_test_result(!res->short_calls && !res->handler_short && !res->child_failures,
			 "%s: every call returned its full length, or the interrupted syscall's part of it (%lu short, %lu partial, %lu short in handlers, %lu children failed)\n",
			 what, res->short_calls, res->partial_calls, res->handler_short,
			 res->child_failures);
	ksft_test_result(!res->zero_blocks, "%s: no all-zero 16-byte block among %lu (%lu)\n",
			 what, res->blocks, res->zero_blocks);
	ksft_test_result(!res->repeats && res->child_blocks > 0,
			 "%s: no 16-byte block twice among %lu, %lu of them from fork children (%lu repeats)\n",
			 what, res->blocks, res->child_blocks, res->repeats);
}

#endif /* _VGETRANDOM_SOAK_H */
