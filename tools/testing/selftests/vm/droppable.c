// SPDX-License-Identifier: GPL-2.0
/*
 * MAP_DROPPABLE: functional tests that need no memory pressure.
 *
 * The mapping type, its implied VMA flags, every refused combination, what
 * madvise, mlock, mprotect, mremap, munmap, fork, userfaultfd and KSM do to
 * it, and (with -s, as root) that core dumps leave its contents out and that
 * ksmd never merges it.  -s changes /proc/sys/kernel/core_pattern and
 * the KSM knobs in /sys/kernel/mm/ksm for the duration of a test and restores them.
 *
 * Skips everything on a kernel without MAP_DROPPABLE.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <linux/userfaultfd.h>

#include "../kselftest.h"
#include "droppable_util.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT	0x01
#endif

#define NPAGES	16

static bool system_tests;

static void test_map(void)
{
	size_t len = NPAGES * page_size;
	unsigned char *p = map_droppable(len, 0);
	struct region_census c;

	if (p == MAP_FAILED) {
		ksft_test_result_fail("map: %s\n", strerror(errno));
		return;
	}
	fill_region(p, len, 1);
	c = census(p, len, 1);
	ksft_test_result(c.intact == NPAGES, "map: pattern reads back\n");
	ksft_test_result(vma_has_flag(p, "dp"), "map: smaps VmFlags has dp\n");
	ksft_test_result(vma_has_flag(p, "wf") && vma_has_flag(p, "dd") &&
			 vma_has_flag(p, "nr"),
			 "map: implied wf dd nr (wipe on fork, no dump, no reserve)\n");
	ksft_test_result(!vma_has_flag(p, "ac") && !vma_has_flag(p, "lo"),
			 "map: not accounted, not locked\n");
	munmap(p, len);
}

static void expect_refused(const char *what, int flags, int fd, int want)
{
	void *p = mmap(NULL, page_size, PROT_READ | PROT_WRITE, flags, fd, 0);

	if (p != MAP_FAILED) {
		munmap(p, page_size);
		ksft_test_result_fail("refuse %s: mapped\n", what);
		return;
	}
	ksft_test_result(errno == want, "refuse %s: %s (want %s)\n", what,
			 strerror(errno), strerror(want));
}

/*
 * Whether the kernel has a huge page size: without one (s390 under QEMU's
 * TCG, which lacks EDAT), hugetlbfs is disabled and mmap() with
 * MAP_HUGETLB fails setting up its file, with ENOENT, before any flag is
 * checked.
 */
static bool have_huge_pages(void)
{
	DIR *d = opendir("/sys/kernel/mm/hugepages");
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d)))
		found = !strncmp(e->d_name, "hugepages-", 10);
	closedir(d);
	return found;
}

static void test_refused(void)
{
	int fd = memfd_create("droppable", 0);

	if (fd >= 0 && ftruncate(fd, page_size))
		fd = -1;
	expect_refused("MAP_SHARED|MAP_DROPPABLE",
		       MAP_SHARED | MAP_DROPPABLE | MAP_ANONYMOUS, -1, EINVAL);
	expect_refused("MAP_PRIVATE|MAP_DROPPABLE",
		       MAP_PRIVATE | MAP_DROPPABLE | MAP_ANONYMOUS, -1, EINVAL);
	expect_refused("MAP_SHARED_VALIDATE|MAP_DROPPABLE",
		       MAP_SHARED_VALIDATE | MAP_DROPPABLE | MAP_ANONYMOUS, -1,
		       EINVAL);
	if (fd >= 0)
		expect_refused("file (memfd)", MAP_DROPPABLE, fd, EINVAL);
	else
		ksft_test_result_skip("refuse file: no memfd\n");
	expect_refused("MAP_LOCKED", MAP_DROPPABLE | MAP_ANONYMOUS | MAP_LOCKED,
		       -1, EINVAL);
	if (have_huge_pages())
		expect_refused("MAP_HUGETLB",
			       MAP_DROPPABLE | MAP_ANONYMOUS | MAP_HUGETLB, -1, EINVAL);
	else
		ksft_test_result_skip("refuse MAP_HUGETLB: no huge page size here (every MAP_HUGETLB mmap fails with ENOENT)\n");
	expect_refused("MAP_GROWSDOWN",
		       MAP_DROPPABLE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, EINVAL);
	if (fd >= 0)
		close(fd);
}

static void test_madvise(void)
{
	size_t len = NPAGES * page_size;
	unsigned char *p = map_droppable(len, 0);
	struct region_census c;
	int i, ret = -1;

	if (p == MAP_FAILED) {
		ksft_test_result_fail("madvise: map: %s\n", strerror(errno));
		return;
	}
	ret = madvise(p, len, MADV_KEEPONFORK);
	ksft_test_result(ret == -1 && errno == EINVAL,
			 "madvise: MADV_KEEPONFORK refused (EINVAL)\n");
	ret = madvise(p, len, MADV_DODUMP);
	ksft_test_result(ret == -1 && errno == EINVAL,
			 "madvise: MADV_DODUMP refused (EINVAL)\n");
	ksft_test_result(vma_has_flag(p, "wf") && vma_has_flag(p, "dd"),
			 "madvise: wf dd still set\n");

	fill_region(p, len, 2);
	ret = madvise(p, len, MADV_DONTNEED);
	c = census(p, len, 2);
	ksft_test_result(!ret && c.zero == NPAGES,
			 "madvise: MADV_DONTNEED zeroes (%zu/%d zero)\n",
			 c.zero, NPAGES);

	/*
	 * Reclaim drops the pages, dirty as they are, without swap.  A page
	 * still in a per-CPU LRU batch of another CPU cannot be isolated
	 * yet, so give it a few tries.
	 */
	fill_region(p, len, 3);
	for (i = 0; i < 20; i++) {
		ret = madvise(p, len, MADV_PAGEOUT);
		if (ret && errno == EINVAL)
			break;
		c = census(p, len, 3);
		if (c.zero == NPAGES)
			break;
		usleep(50000);
	}
	if (ret && errno == EINVAL)
		ksft_test_result_skip("madvise: MADV_PAGEOUT not supported\n");
	else
		ksft_test_result(c.zero == NPAGES && !c.other,
				 "madvise: MADV_PAGEOUT drops to zeroes (%zu zero, %zu intact, %zu other)\n",
				 c.zero, c.intact, c.other);
	munmap(p, len);
}

static void test_fork(void)
{
	size_t len = NPAGES * page_size;
	unsigned char *p = map_droppable(len, 0);
	struct region_census c;
	int status;
	pid_t pid;

	if (p == MAP_FAILED) {
		ksft_test_result_fail("fork: map: %s\n", strerror(errno));
		return;
	}
	fill_region(p, len, 4);
	pid = fork();
	if (pid == 0) {
		c = census(p, len, 4);
		if (c.zero != NPAGES || !vma_has_flag(p, "dp"))
			_exit(1);
		fill_region(p, len, 5);	/* the child may use it */
		c = census(p, len, 5);
		_exit(c.intact == NPAGES ? 0 : 2);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		ksft_test_result_fail("fork: %s\n", strerror(errno));
		munmap(p, len);
		return;
	}
	ksft_test_result(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			 "fork: child inherits the mapping wiped (status %#x)\n",
			 status);
	c = census(p, len, 4);
	ksft_test_result(c.intact == NPAGES, "fork: parent keeps its data\n");
	munmap(p, len);
}

/* Locked and VmLck both 0, no "lo": nothing in the droppable VMA is locked. */
static bool not_locked(const void *p)
{
	return !vma_has_flag(p, "lo") && vma_field_kb(p, "Locked") == 0;
}

static long vmlck_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void test_mlock(void)
{
	size_t len = NPAGES * page_size;
	unsigned char *p = map_droppable(len, 0), *q;
	int ret;

	if (p == MAP_FAILED) {
		ksft_test_result_fail("mlock: map: %s\n", strerror(errno));
		return;
	}
	fill_region(p, len, 6);

	ret = mlock(p, len);
	ksft_test_result(!ret && not_locked(p) && vmlck_kb() == 0,
			 "mlock: leaves it unlocked (ret %d, VmLck %ld kB)\n",
			 ret, vmlck_kb());
	munlock(p, len);

	ret = syscall(__NR_mlock2, p, len, MLOCK_ONFAULT);
	ksft_test_result(!ret && not_locked(p) && vmlck_kb() == 0,
			 "mlock2(MLOCK_ONFAULT): leaves it unlocked (ret %d)\n",
			 ret);
	munlock(p, len);

	ret = mlockall(MCL_CURRENT | MCL_FUTURE);
	if (ret) {
		ksft_test_result_skip("mlockall: %s\n", strerror(errno));
		ksft_test_result_skip("mlockall: MCL_FUTURE\n");
		munmap(p, len);
		return;
	}
	ksft_test_result(not_locked(p),
			 "mlockall(MCL_CURRENT): leaves it unlocked\n");
	q = map_droppable(len, 0);
	if (q != MAP_FAILED) {
		fill_region(q, len, 7);
		ksft_test_result(not_locked(q) && census(q, len, 7).intact == NPAGES,
				 "mlockall(MCL_FUTURE): new mapping unlocked\n");
		munmap(q, len);
	} else {
		ksft_test_result_fail("mlockall(MCL_FUTURE): map: %s\n",
				      strerror(errno));
	}
	munlockall();
	munmap(p, len);
}

/* Clear CAP_IPC_LOCK from the effective set so RLIMIT_MEMLOCK applies. */
static int drop_ipc_lock(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(__NR_capget, &hdr, data))
		return -1;
	data[CAP_TO_INDEX(CAP_IPC_LOCK)].effective &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	return syscall(__NR_capset, &hdr, data);
}

/*
 * With RLIMIT_MEMLOCK at one page and mlockall(MCL_FUTURE) in force, an
 * ordinary 1 MiB mapping is refused (EAGAIN): a droppable one is not,
 * because nothing in it is locked.
 */
static void test_memlock_rlimit(void)
{
	struct rlimit rl = { page_size, page_size };
	size_t len = 256 * page_size;
	int status;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		void *p;

		if (drop_ipc_lock() || setrlimit(RLIMIT_MEMLOCK, &rl) ||
		    mlockall(MCL_FUTURE))
			_exit(10);
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED || errno != EAGAIN)
			_exit(11);	/* the limit is not in force */
		p = map_droppable(len, 0);
		if (p == MAP_FAILED)
			_exit(errno == EAGAIN ? 3 : 1);
		fill_region(p, len, 8);
		if (!not_locked(p) || vmlck_kb() != 0)
			_exit(2);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		ksft_test_result_fail("RLIMIT_MEMLOCK: %s\n", strerror(errno));
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
		ksft_test_result_fail(
			"RLIMIT_MEMLOCK: droppable mmap refused with EAGAIN: the limit was applied to memory that is never locked\n");
	else if (WIFEXITED(status) && WEXITSTATUS(status) >= 10)
		ksft_test_result_skip("RLIMIT_MEMLOCK: cannot set up the limit (%d)\n",
				      WEXITSTATUS(status));
	else
		ksft_test_result(WIFEXITED(status) && !WEXITSTATUS(status),
				 "RLIMIT_MEMLOCK one page + MCL_FUTURE: droppable mmap works, unlocked (status %#x)\n",
				 status);
}

static void test_vma_ops(void)
{
	size_t len = NPAGES * page_size;
	unsigned char *p = map_droppable(len, 0), *q;
	struct region_census c;
	bool ok;

	if (p == MAP_FAILED) {
		ksft_test_result_fail("vma ops: map: %s\n", strerror(errno));
		return;
	}
	fill_region(p, len, 9);

	/* mprotect splits it in three: every part stays droppable */
	ok = !mprotect(p + 4 * page_size, 4 * page_size, PROT_READ);
	ok = ok && vma_has_flag(p, "dp") && vma_has_flag(p + 4 * page_size, "dp") &&
	     vma_has_flag(p + 8 * page_size, "dp") &&
	     !vma_has_flag(p + 4 * page_size, "wr");
	ok = ok && !mprotect(p + 4 * page_size, 4 * page_size,
			     PROT_READ | PROT_WRITE);
	ksft_test_result(ok, "mprotect: split parts keep dp\n");

	/* grow and move */
	q = mremap(p, len, 2 * len, MREMAP_MAYMOVE);
	if (q == MAP_FAILED) {
		ksft_test_result_fail("mremap: %s\n", strerror(errno));
		munmap(p, len);
		return;
	}
	c = census(q, len, 9);
	ok = c.intact == NPAGES && vma_has_flag(q, "dp") &&
	     vma_has_flag(q + len, "dp") && vma_has_flag(q, "wf") &&
	     vma_has_flag(q, "dd");
	ksft_test_result(ok, "mremap: grown mapping keeps dp wf dd and data\n");

	/* punch a hole: what remains on both sides is still droppable */
	ok = !munmap(q + 2 * page_size, 2 * page_size);
	ok = ok && vma_has_flag(q, "dp") && vma_has_flag(q + 4 * page_size, "dp");
	ksft_test_result(ok, "munmap: remaining parts keep dp\n");
	munmap(q, 2 * len);
}

static void test_userfaultfd(void)
{
	size_t len = NPAGES * page_size;
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	void *p, *anon;
	int uffd, ret;

	uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api)) {
		ksft_test_result_skip("userfaultfd: unavailable: %s\n",
				      strerror(errno));
		if (uffd >= 0)
			close(uffd);
		return;
	}
	/* a control: an ordinary private mapping registers */
	anon = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	reg.range.start = (unsigned long)anon;
	reg.range.len = len;
	if (anon == MAP_FAILED || ioctl(uffd, UFFDIO_REGISTER, &reg)) {
		ksft_test_result_skip("userfaultfd: cannot register anon memory: %s\n",
				      strerror(errno));
		close(uffd);
		return;
	}
	p = map_droppable(len, 0);
	reg.range.start = (unsigned long)p;
	ret = ioctl(uffd, UFFDIO_REGISTER, &reg);
	ksft_test_result(ret == -1 && errno == EINVAL,
			 "userfaultfd: register refused (%s)\n",
			 ret ? strerror(errno) : "registered");
	munmap(p, len);
	munmap(anon, len);
	close(uffd);
}

static int read_long(const char *path, long *val)
{
	FILE *f = fopen(path, "r");
	int ret;

	if (!f)
		return -1;
	ret = fscanf(f, "%ld", val) == 1 ? 0 : -1;
	fclose(f);
	return ret;
}

static int read_str(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/*
 * MADV_MERGEABLE on a droppable range is ignored (or refused): never "mg".
 * With -s, run ksmd over identical droppable pages and an identical ordinary
 * control region: the control merges, the droppable pages never do.
 */
static void test_ksm(void)
{
	const int n = 32;
	size_t len = n * page_size;
	char saved_run[16], saved_sleep[16], saved_scan[16];
	long sharing0, sharing1, full0, full, control;
	unsigned char *p, *ctl;
	int ret, i;

	p = map_droppable(len, 0);
	memset(p, 0x5a, len);
	ret = madvise(p, len, MADV_MERGEABLE);
	if (ret && errno == EINVAL && access("/sys/kernel/mm/ksm", F_OK)) {
		ksft_test_result_skip("ksm: not built in\n");
		ksft_test_result_skip("ksm: ksmd scan\n");
		munmap(p, len);
		return;
	}
	ksft_test_result(!vma_has_flag(p, "mg"),
			 "ksm: MADV_MERGEABLE does not mark it mergeable (ret %d)\n",
			 ret);

	if (!system_tests || geteuid() ||
	    read_str("/sys/kernel/mm/ksm/run", saved_run, sizeof(saved_run))) {
		ksft_test_result_skip("ksm: ksmd scan needs -s, root and KSM\n");
		munmap(p, len);
		return;
	}
	read_str("/sys/kernel/mm/ksm/sleep_millisecs", saved_sleep,
		 sizeof(saved_sleep));
	read_str("/sys/kernel/mm/ksm/pages_to_scan", saved_scan,
		 sizeof(saved_scan));

	ctl = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(ctl, 0xa5, len);
	madvise(ctl, len, MADV_MERGEABLE);

	read_long("/sys/kernel/mm/ksm/pages_sharing", &sharing0);
	read_long("/sys/kernel/mm/ksm/full_scans", &full0);
	write_str("/sys/kernel/mm/ksm/sleep_millisecs", "10");
	write_str("/sys/kernel/mm/ksm/pages_to_scan", "1000");
	write_str("/sys/kernel/mm/ksm/run", "1");
	/* two full scans: a page merges on its second visit */
	for (i = 0; i < 300; i++) {
		usleep(100000);
		if (!read_long("/sys/kernel/mm/ksm/full_scans", &full) &&
		    full >= full0 + 3)
			break;
	}
	read_long("/sys/kernel/mm/ksm/pages_sharing", &sharing1);
	control = sharing1 - sharing0;

	/*
	 * The n identical control pages share one KSM page: n - 1 sharers.
	 * Had the n droppable pages (another content) merged, they would add
	 * n - 1 more.
	 */
	if (control < n - 1)
		ksft_test_result_skip("ksm: control region did not merge (%ld)\n",
				      control);
	else
		ksft_test_result(control == n - 1 && p[0] == 0x5a,
				 "ksm: ksmd merged the control but no droppable page (sharing +%ld, want +%d)\n",
				 control, n - 1);
	write_str("/sys/kernel/mm/ksm/run", saved_run);
	write_str("/sys/kernel/mm/ksm/sleep_millisecs", saved_sleep);
	write_str("/sys/kernel/mm/ksm/pages_to_scan", saved_scan);
	munmap(ctl, len);
	munmap(p, len);
}

/*
 * Does the file at @path contain the first 64 bytes of page (@seed, 0)?  The
 * child may leave the 8-byte tag on its stack, never 64 bytes of the page.
 */
static int file_has_page(const char *path, uint64_t seed, long *pages_read)
{
	unsigned char *buf = malloc(page_size), *ref = malloc(page_size);
	int fd = open(path, O_RDONLY), found = 0;
	size_t have = 0, off;
	ssize_t n;

	*pages_read = 0;
	if (fd < 0 || !buf || !ref) {
		free(buf);
		free(ref);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fill_page(ref, seed, 0);
	/* ELF core segments are page aligned, but look every 8 bytes anyway */
	while ((n = read(fd, buf + have, page_size - have)) > 0) {
		have += n;
		if (have < page_size)
			continue;
		(*pages_read)++;
		for (off = 0; off + 64 <= page_size; off += 8)
			if (!memcmp(buf + off, ref, 64))
				found = 1;
		have = 0;
	}
	close(fd);
	free(buf);
	free(ref);
	return found;
}

/*
 * A child crashes holding one page pattern in droppable memory and another in
 * ordinary memory: the core file must have the second and not the first.
 */
static void test_coredump(void)
{
	const char *dir = "/tmp/droppable-core";
	char saved[256], pattern[128], core[256];
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	uint64_t seed_drop, seed_ctl;
	long pages;
	int status, has_drop, has_ctl;
	pid_t pid;

	if (!system_tests || geteuid() ||
	    read_str("/proc/sys/kernel/core_pattern", saved, sizeof(saved))) {
		ksft_test_result_skip("coredump: needs -s and root\n");
		return;
	}
	mkdir(dir, 0700);
	snprintf(pattern, sizeof(pattern), "%s/core.%%p", dir);
	if (write_str("/proc/sys/kernel/core_pattern", pattern)) {
		ksft_test_result_skip("coredump: cannot set core_pattern\n");
		return;
	}
	seed_drop = 0xd509ab1e0000ull ^ ((uint64_t)getpid() << 20);
	seed_ctl = seed_drop ^ 0xc0ffee;

	pid = fork();
	if (pid == 0) {
		void *d = map_droppable(page_size, 0);
		void *c = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		setrlimit(RLIMIT_CORE, &rl);
		prctl(PR_SET_DUMPABLE, 1);
		fill_page(d, seed_drop, 0);
		fill_page(c, seed_ctl, 0);
		abort();
	}
	waitpid(pid, &status, 0);
	write_str("/proc/sys/kernel/core_pattern", saved);
	snprintf(core, sizeof(core), "%s/core.%d", dir, pid);
	if (!WIFSIGNALED(status) || !WCOREDUMP(status)) {
		ksft_test_result_skip("coredump: no core dumped (status %#x)\n",
				      status);
		return;
	}
	has_drop = file_has_page(core, seed_drop, &pages);
	has_ctl = file_has_page(core, seed_ctl, &pages);
	if (has_ctl != 1)
		ksft_test_result_fail("coredump: control page missing from %s (%ld pages)\n",
				      core, pages);
	else
		ksft_test_result(has_drop == 0,
				 "coredump: droppable contents left out, control present\n");
	unlink(core);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	const char *why;
	int opt;

	while ((opt = getopt(argc, argv, "s")) != -1) {
		if (opt == 's')
			system_tests = true;
		else
			ksft_exit_fail_msg("usage: %s [-s]\n", argv[0]);
	}

	ksft_print_header();
	why = droppable_unsupported();
	if (why)
		ksft_exit_skip("%s\n", why);
	ksft_set_plan(30);

	test_map();		/* 4 */
	test_refused();		/* 7 */
	test_madvise();		/* 5 */
	test_fork();		/* 2 */
	test_mlock();		/* 4 */
	test_memlock_rlimit();	/* 1 */
	test_vma_ops();		/* 3 */
	test_userfaultfd();	/* 1 */
	test_ksm();		/* 2 */
	test_coredump();	/* 1 */

	ksft_finished();
}
