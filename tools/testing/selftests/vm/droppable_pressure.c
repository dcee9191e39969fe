// SPDX-License-Identifier: GPL-2.0
/*
 * MAP_DROPPABLE under memory pressure.  Destructive, for a throwaway guest:
 * needs root, cgroup2 at /sys/fs/cgroup with the memory controller, and for
 * the swap test a zram0 device it may format and swap on.
 *
 * Every test runs twice, with MGLRU on and off (/sys/kernel/mm/lru_gen):
 *  drop:  pattern-filled droppable memory in a small memcg reads back zero
 *         after more droppable memory is touched; no page holds anything but
 *         its pattern or zeroes; no signal, no OOM kill.
 *  swap:  with zram swap on, ordinary anonymous memory is swapped out while
 *         the droppable VMA's smaps Swap: stays 0 and none of its pages is
 *         found on /dev/zram0.
 *  fault: a tiny memcg, a droppable region many times its size written end
 *         to end: the process survives, no OOM kill, no allocation warning.
 *
 * -v prints progress.  Each child has a 240 s alarm, so a hang is a failure.
 * About 5 s under TCG.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "../kselftest.h"
#include "droppable_util.h"

#define CG_ROOT		"/sys/fs/cgroup"
#define CG		CG_ROOT "/droppable_test"
#define LRU_GEN		"/sys/kernel/mm/lru_gen/enabled"
#define ZRAM		"/dev/zram0"
#define MiB		(1024UL * 1024)

static bool swap_on, verbose;

/* "key value" from a flat-keyed file of the test cgroup, or -1 */
static long cg_key(const char *file, const char *key)
{
	char path[256];

	snprintf(path, sizeof(path), CG "/%s", file);
	return flat_key(path, key);
}

static int cg_setup(unsigned long max)
{
	char buf[32];

	if (write_str(CG_ROOT "/cgroup.subtree_control", "+memory"))
		return -1;
	rmdir(CG);
	if (mkdir(CG, 0755))
		return -1;
	snprintf(buf, sizeof(buf), "%lu", max);
	return write_str(CG "/memory.max", buf);
}

static void cg_enter(void)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", getpid());
	if (write_str(CG "/cgroup.procs", buf))
		_exit(90);
}

/* Move everything out so the next test can rmdir and recreate the group. */
static void cg_teardown(void)
{
	rmdir(CG);
}

/* Kernel log lines that must never appear because of droppable memory. */
static const char *const bad_log[] = {
	"page allocation failure", "invoked oom-killer", "Out of memory",
	"VM_FAULT_OOM leaked", "WARNING:", "BUG:", NULL,
};

static const char *kernel_log_bad(void)
{
	static char buf[1 << 17];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);
	int i;

	if (n < 0)
		return NULL;
	buf[n] = '\0';
	for (i = 0; bad_log[i]; i++)
		if (strstr(buf, bad_log[i]))
			return bad_log[i];
	return NULL;
}

/*
 * Run @fn in a child inside the test memcg and report how it ended: the
 * child's own verdict is its exit status (0 = pass).  A signal (SIGBUS,
 * SIGSEGV, SIGKILL from the OOM killer) is a failure in itself.
 */
/* Seconds on the monotonic clock: each result says how long it took. */
static double seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int run_in_cg(int (*fn)(void *), void *arg, char *why, size_t size)
{
	double t0 = seconds();
	int status;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		cg_enter();
		alarm(240);	/* a hang shows as SIGALRM, not a stuck run */
		_exit(fn(arg));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		snprintf(why, size, "fork/wait: %s", strerror(errno));
		return -1;
	}
	if (WIFSIGNALED(status)) {
		snprintf(why, size, "child killed by signal %d", WTERMSIG(status));
		return -1;
	}
	if (WEXITSTATUS(status)) {
		snprintf(why, size, "child failed (%d)", WEXITSTATUS(status));
		return -1;
	}
	if (cg_key("memory.events", "oom_kill") > 0) {
		snprintf(why, size, "oom_kill %ld", cg_key("memory.events", "oom_kill"));
		return -1;
	}
	snprintf(why, size, "ok (%.1f s)", seconds() - t0);
	return 0;
}

/* drop: 8 MiB of pattern in a 16 MiB memcg, then 48 MiB more droppable. */
static int child_drop(void *arg)
{
	size_t len = 8 * MiB, more = 48 * MiB, i;
	unsigned char *p = map_droppable(len, 0), *q = map_droppable(more, 0);
	struct region_census c;

	if (p == MAP_FAILED || q == MAP_FAILED)
		return 1;
	fill_region(p, len, 0xd1);
	for (i = 0; i < more; i += page_size) {
		q[i] = 1;
		if (verbose && !(i % (4 * MiB)))
			ksft_print_msg("drop: %zu MiB touched\n", i / MiB);
	}
	c = census(p, len, 0xd1);
	ksft_print_msg("drop: %zu intact, %zu zero, %zu other of %zu pages\n",
		       c.intact, c.zero, c.other, len / page_size);
	if (c.other)
		return 2;	/* a page neither kept nor zeroed */
	if (c.zero < len / page_size / 2)
		return 3;	/* most of it should have gone */
	/* it is still usable memory */
	fill_region(p, page_size, 0xd2);
	return census(p, page_size, 0xd2).intact == 1 ? 0 : 4;
}

struct swap_arg {
	int go[2], done[2];
};

/*
 * swap: 8 MiB droppable and 24 MiB ordinary memory in a 16 MiB memcg, with
 * swap on: ordinary pages must go to swap, droppable ones must not.  The
 * child stops while the parent scans the swap device, then checks its data.
 */
static int child_swap(void *varg)
{
	struct swap_arg *arg = varg;
	size_t dlen = 8 * MiB, alen = 24 * MiB;
	unsigned char *d = map_droppable(dlen, 0), *a;
	struct region_census c;
	long dswap, aswap;
	char x = 0;

	a = mmap(NULL, alen, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (d == MAP_FAILED || a == MAP_FAILED)
		return 1;
	madvise(a, alen, MADV_NOHUGEPAGE);
	fill_region(d, dlen, 0x5d);
	fill_region(a, alen, 0x5a);
	dswap = vma_field_kb(d, "Swap");
	aswap = vma_field_kb(a, "Swap");
	ksft_print_msg("swap: droppable Swap: %ld kB, ordinary Swap: %ld kB\n",
		       dswap, aswap);
	if (write(arg->go[1], &x, 1) != 1 || read(arg->done[0], &x, 1) != 1)
		return 5;
	if (dswap != 0)
		return 2;
	if (aswap <= 0)
		return 3;	/* no swapping at all: the test proves nothing */
	c = census(a, alen, 0x5a);
	if (c.intact != alen / page_size)
		return 4;	/* ordinary memory must come back from swap */
	c = census(d, dlen, 0x5d);
	ksft_print_msg("swap: droppable %zu intact, %zu zero, %zu other\n",
		       c.intact, c.zero, c.other);
	return c.other ? 6 : 0;
}

/* Count zram pages holding (the start of) a page of region @seed. */
static long device_pages_of(const char *dev, uint64_t seed, size_t npages,
			    long *scanned)
{
	unsigned char *buf = malloc(page_size), *ref = malloc(page_size);
	long found = 0;
	uint64_t tag, i;
	int fd = open(dev, O_RDONLY);

	*scanned = 0;
	if (fd < 0 || !buf || !ref)
		return -1;
	while (read(fd, buf, page_size) == (ssize_t)page_size) {
		(*scanned)++;
		memcpy(&tag, buf, sizeof(tag));
		i = page_tag_index(seed, tag);
		if (i >= npages)
			continue;
		/* 64 bytes: more than a stray tag on a stack page */
		fill_page(ref, seed, i);
		if (!memcmp(buf, ref, 64))
			found++;
	}
	close(fd);
	free(buf);
	free(ref);
	return found;
}

static int run_swap(char *why, size_t size)
{
	struct swap_arg arg;
	double t0 = seconds();
	long dpages, apages, scanned;
	int status;
	char x = 0;
	pid_t pid;

	if (pipe(arg.go) || pipe(arg.done)) {
		snprintf(why, size, "pipe");
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		cg_enter();
		alarm(240);
		_exit(child_swap(&arg));
	}
	if (read(arg.go[0], &x, 1) != 1) {
		snprintf(why, size, "child died before the scan");
		waitpid(pid, &status, 0);
		return -1;
	}
	dpages = device_pages_of(ZRAM, 0x5d, 8 * MiB / page_size, &scanned);
	apages = device_pages_of(ZRAM, 0x5a, 24 * MiB / page_size, &scanned);
	ksft_print_msg("swap: %s: %ld pages scanned, %ld droppable, %ld ordinary\n",
		       ZRAM, scanned, dpages, apages);
	if (write(arg.done[1], &x, 1) != 1 || waitpid(pid, &status, 0) != pid ||
	    WIFSIGNALED(status)) {
		snprintf(why, size, "child lost (status %#x)", status);
		return -1;
	}
	close(arg.go[0]);
	close(arg.go[1]);
	close(arg.done[0]);
	close(arg.done[1]);
	if (WEXITSTATUS(status)) {
		snprintf(why, size, "child failed (%d)", WEXITSTATUS(status));
		return -1;
	}
	if (dpages != 0 || apages <= 0) {
		snprintf(why, size, "on device: %ld droppable, %ld ordinary pages",
			 dpages, apages);
		return -1;
	}
	snprintf(why, size, "ok (%.1f s)", seconds() - t0);
	return 0;
}

/* fault: write 64 MiB of droppable memory end to end in a 4 MiB memcg. */
static int child_fault(void *arg)
{
	size_t len = 64 * MiB, i;
	unsigned char *p = map_droppable(len, 0);
	int pass;

	if (p == MAP_FAILED)
		return 1;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < len; i += page_size)
			p[i] = 0x77;
	return 0;
}

static int swap_setup(void)
{
	unsigned char *hdr;
	size_t len = 64 * MiB;
	int fd;

	if (write_str("/sys/block/zram0/disksize", "64M"))
		return -1;
	/* mkswap: a version 1 header in the first page, "SWAPSPACE2" at its end */
	hdr = calloc(1, page_size);
	if (!hdr)
		return -1;
	((uint32_t *)(hdr + 1024))[0] = 1;			/* version */
	((uint32_t *)(hdr + 1024))[1] = len / page_size - 1;	/* last_page */
	memcpy(hdr + page_size - 10, "SWAPSPACE2", 10);
	fd = open(ZRAM, O_WRONLY);
	if (fd < 0 || write(fd, hdr, page_size) != (ssize_t)page_size) {
		free(hdr);
		return -1;
	}
	fsync(fd);
	close(fd);
	free(hdr);
	if (swapon(ZRAM, 0))
		return -1;
	swap_on = true;
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const modes[] = { "y", "n" };
	char why[256], saved_lru[32] = "";
	const char *reason, *bad;
	bool have_lru_gen;
	int fd, m;

	verbose = argc > 1 && !strcmp(argv[1], "-v");
	ksft_print_header();
	reason = droppable_unsupported();
	if (reason)
		ksft_exit_skip("%s\n", reason);
	if (geteuid())
		ksft_exit_skip("needs root\n");
	if (access(CG_ROOT "/cgroup.subtree_control", W_OK))
		ksft_exit_skip("needs cgroup2 at " CG_ROOT "\n");
	fd = open(LRU_GEN, O_RDONLY);
	have_lru_gen = fd >= 0 && read(fd, saved_lru, sizeof(saved_lru) - 1) > 0;
	if (fd >= 0)
		close(fd);

	ksft_set_plan(2 * 3 + 1);
	if (kernel_log_bad())
		ksft_print_msg("kernel log already has \"%s\": log check is moot\n",
			       kernel_log_bad());

	if (access(ZRAM, F_OK) || swap_setup())
		ksft_print_msg("no zram swap (%s): swap tests will skip\n",
			       strerror(errno));

	for (m = 0; m < 2; m++) {
		const char *mode = modes[m];

		if (!have_lru_gen || write_str(LRU_GEN, mode)) {
			ksft_test_result_skip("MGLRU=%s: drop: no " LRU_GEN "\n", mode);
			ksft_test_result_skip("MGLRU=%s: swap\n", mode);
			ksft_test_result_skip("MGLRU=%s: fault\n", mode);
			continue;
		}

		if (cg_setup(16 * MiB)) {
			ksft_test_result_fail("MGLRU=%s: drop: memcg setup: %s\n",
					      mode, strerror(errno));
		} else {
			int ret = run_in_cg(child_drop, NULL, why, sizeof(why));

			ksft_test_result(!ret,
					 "MGLRU=%s: drop: pattern reads back zero, no signal, no OOM kill: %s\n",
					 mode, why);
		}
		cg_teardown();

		if (!swap_on) {
			ksft_test_result_skip("MGLRU=%s: swap: no zram swap\n", mode);
		} else if (cg_setup(16 * MiB)) {
			ksft_test_result_fail("MGLRU=%s: swap: memcg setup\n", mode);
		} else {
			int ret = run_swap(why, sizeof(why));

			ksft_test_result(!ret,
					 "MGLRU=%s: swap: ordinary memory swapped, droppable never: %s\n",
					 mode, why);
		}
		cg_teardown();

		if (cg_setup(4 * MiB)) {
			ksft_test_result_fail("MGLRU=%s: fault: memcg setup\n", mode);
		} else {
			int ret = run_in_cg(child_fault, NULL, why, sizeof(why));

			ksft_test_result(!ret,
					 "MGLRU=%s: fault: 64 MiB written in a 4 MiB memcg, survives, no OOM kill: %s\n",
					 mode, why);
		}
		cg_teardown();
	}
	if (have_lru_gen)
		write_str(LRU_GEN, saved_lru);
	if (swap_on)
		swapoff(ZRAM);

	bad = kernel_log_bad();
	ksft_test_result(!bad, "kernel log: no allocation failure, OOM or warning (%s)\n",
			 bad ? bad : "clean");
	ksft_finished();
}
