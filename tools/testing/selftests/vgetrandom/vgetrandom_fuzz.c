// SPDX-License-Identifier: GPL-2.0
/*
 * Syscall-sequence fuzzer for MAP_DROPPABLE, vgetrandom_alloc() and the
 * vDSO getrandom(): random sequences of mmap() (every mapping type and
 * flag mix), munmap(), mremap(), mprotect(), madvise() (every advice),
 * mlock()/mlock2()/munlock(), mlockall()/munlockall(), userfaultfd
 * registration, fork(), vgetrandom_alloc() with random arguments, and
 * vDSO getrandom() calls with random arguments on states inside the
 * droppable mappings, some of them scribbled on.
 *
 * Each operation's answer is checked against what the kernel documents
 * (Documentation/vgetrandom/map_droppable.rst, vdso_getrandom.rst,
 * vgetrandom_alloc.2); one TAP result per kind of check at the end, with
 * the seed and the number of operations. A failure names the operation,
 * so that "-s SEED" with the same "-n" replays it.
 *
 * Usage: vgetrandom_fuzz [-s SEED] [-t SECONDS] [-n OPS]
 *   defaults: seed 1, 20 seconds, at most 1000000 operations.
 *
 * Runs on mainline kernels too: there is no vgetrandom_alloc() there (its
 * checks skip, the system call is never made blindly), and a NULL buffer
 * makes mainline's vDSO fault, which counts as the -EFAULT it stands for.
 *
 * Build static: gcc -static -O2 -Wall vgetrandom_fuzz.c ../vDSO/parse_vdso.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/random.h>
#include <linux/userfaultfd.h>

#include "../kselftest.h"
#include "../vDSO/parse_vdso.h"
#include "vgetrandom_test_util.h"

#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE		0x08
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif
#ifndef MAP_SYNC
#define MAP_SYNC		0x80000
#endif
#ifndef MAP_32BIT
#define MAP_32BIT		0	/* x86 only */
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT		0x01
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT		4
#endif
#ifndef GRND_INSECURE
#define GRND_INSECURE		0x0004
#endif
#define VGR_MADV_DONTFORK	10
#define VGR_MADV_DOFORK		11
#define VGR_MADV_DODUMP		17
#define VGR_MADV_WIPEONFORK	18
#define VGR_MADV_KEEPONFORK	19
#define VGR_MADV_LAST		25	/* MADV_COLLAPSE, the last advice of 6.1 */

#ifndef VGETRANDOM_ALLOC_ARGS_SIZE_VER0
struct vgetrandom_alloc_args {
	__aligned_u64 flags;
	__aligned_u64 num;
	__aligned_u64 size_of_opaque_state;
	__aligned_u64 map_addr;
	__aligned_u64 map_len;
};
#define VGETRANDOM_ALLOC_ARGS_SIZE_VER0	40
#endif
#define ALLOC_MAX_STATES	4096	/* the cap vgetrandom_alloc.2 documents */

typedef long (*vgr_alloc_t)(struct vgetrandom_alloc_args *uargs, size_t usize);

#define MAX_REGIONS	24
#define MAX_PAGES	64
#define MAX_OUT		(3 * 4096 + 300)

/* The kinds of checks, one TAP result each. */
enum check {
	C_MMAP, C_DROP_LOCK, C_CONTENTS, C_FORK_WIPE, C_CHILD, C_MADVISE, C_UFFD,
	C_ALLOC, C_VDSO, C_VDSO_OUTPUT, C_NR
};

static const char *const check_name[C_NR] = {
	[C_MMAP]	= "mmap: MAP_DROPPABLE mixes get the documented answers",
	[C_DROP_LOCK]	= "mlock, mlock2, mlockall: a droppable VMA is never VM_LOCKED (smaps: dp, no lo)",
	[C_CONTENTS]	= "contents: every page reads what was written or, if droppable or dropped, zero",
	[C_FORK_WIPE]	= "fork: droppable and wipe-on-fork memory reads zero in the child",
	[C_CHILD]	= "fork: every child's own operations pass and it exits 0",
	[C_MADVISE]	= "madvise: KEEPONFORK and DODUMP on droppable memory fail with EINVAL",
	[C_UFFD]	= "userfaultfd: registering a droppable range fails with EINVAL",
	[C_ALLOC]	= "vgetrandom_alloc: documented errors, usable droppable states",
	[C_VDSO]	= "vDSO getrandom: returns len, or the errno the syscall would give",
	[C_VDSO_OUTPUT]	= "vDSO getrandom: no 16 zero bytes in what it returns",
};

/* Counts, in shared memory: fork children check and count too. */
static unsigned long *checked, *failed;
static unsigned long op_nr;
static unsigned long long seed = 1;
static bool in_child;

static void check(enum check c, bool ok, const char *fmt, ...)
{
	va_list ap;

	checked[c]++;
	if (ok)
		return;
	failed[c]++;
	if (failed[c] > 5)
		return;
	printf("# %sop %lu (seed %llu): ", in_child ? "child: " : "", op_nr, seed);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* splitmix64: the whole run follows from the seed. */
static unsigned long long rng_state;

static unsigned long long rnd(void)
{
	unsigned long long z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned long rnd_below(unsigned long n)
{
	return n ? rnd() % n : 0;
}

static size_t page_size;

struct region {
	char		*addr;
	size_t		len;
	int		prot;
	bool		droppable;
	bool		checkable;	/* private anonymous or droppable */
	bool		wipeonfork;
	bool		dontfork;
	bool		huge;		/* MAP_HUGETLB: unmapped only whole */
	unsigned long long tag;		/* the pattern written into its pages */
};

static struct region regions[MAX_REGIONS];
static int nregions;
static int memfd = -1;
static bool mcl_future;

static vgetrandom_t vgetrandom;
static vgr_alloc_t vgr_alloc;
static struct vgr_query_params params;
static int uffd = -1;

/* A fault is expected only inside a vDSO call given a NULL buffer. */
static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_expected;

static void fault_handler(int sig, siginfo_t *si, void *uc)
{
	static const char msg[] = "# unexpected fault: see the last operation above\n";

	if (fault_expected) {
		fault_expected = 0;
		siglongjmp(fault_jmp, 1);
	}
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	signal(sig, SIG_DFL);
	raise(sig);
}

static unsigned long long page_word(const struct region *r, size_t i)
{
	return r->tag ^ (i * 0x100000001b3ULL) ^ 0x5555aaaa5555aaaaULL;
}

/* Read each page's first word: the pattern, or zero where allowed. */
static void check_contents(struct region *r, bool child)
{
	bool zero_only = child && (r->droppable || r->wipeonfork);

	if (!r->checkable || !(r->prot & PROT_READ) || (child && r->dontfork))
		return;
	for (size_t i = 0; i < r->len / page_size; i++) {
		unsigned long long v = *(volatile unsigned long long *)(r->addr + i * page_size);

		if (zero_only) {
			check(C_FORK_WIPE, !v && all_zero(r->addr + i * page_size, 64),
			      "%s region %p page %zu not wiped in the child: %#llx",
			      r->droppable ? "droppable" : "wipe-on-fork", r->addr, i, v);
			continue;
		}
		/*
		 * Any page may read zero: droppable ones may be dropped, the
		 * others may have been given MADV_DONTNEED, MADV_FREE or
		 * mremap()ed larger. Never anything else.
		 */
		check(C_CONTENTS, !v || v == page_word(r, i),
		      "region %p page %zu reads %#llx, wrote %#llx", r->addr, i, v,
		      page_word(r, i));
	}
}

static void write_contents(struct region *r)
{
	if (!r->checkable || !((r->prot & PROT_WRITE) && (r->prot & PROT_READ)))
		return;
	for (size_t i = 0; i < r->len / page_size; i++)
		*(volatile unsigned long long *)(r->addr + i * page_size) = page_word(r, i);
}

static bool has_flag(const char *flags, const char *mn)
{
	char word[8];

	snprintf(word, sizeof(word), " %s ", mn);
	return strstr(flags, word) != NULL;
}

/*
 * Every VMA that overlaps a droppable region (a partial madvise() may have
 * split it) must show "dp" and must not show "lo" in /proc/self/smaps.
 */
static void check_not_locked(const char *after)
{
	unsigned long start = 0, end = 0, s, e;
	bool seen[MAX_REGIONS] = { false };
	char line[512];
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		ksft_exit_fail_msg("/proc/self/smaps: %s\n", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		/* A VMA's first line: "start-end perms ...". */
		if (sscanf(line, "%lx-%lx ", &s, &e) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			start = s;
			end = e;
			continue;
		}
		if (strncmp(line, "VmFlags:", 8))
			continue;
		for (int i = 0; i < nregions; i++) {
			struct region *r = &regions[i];

			if (!r->droppable || (unsigned long)r->addr >= end ||
			    (unsigned long)r->addr + r->len <= start)
				continue;
			seen[i] = true;
			check(C_DROP_LOCK, has_flag(line, "dp") && !has_flag(line, "lo"),
			      "after %s: droppable VMA %#lx-%#lx has %s", after, start, end, line);
		}
	}
	fclose(f);
	for (int i = 0; i < nregions; i++)
		if (regions[i].droppable && !seen[i])
			check(C_DROP_LOCK, false, "after %s: no VMA at %p", after, regions[i].addr);
}

/*
 * The control for the check above: an mlock()ed ordinary page shows "lo"
 * in the same parse, so a droppable VMA's lack of it means something.
 */
static bool lock_shows(void)
{
	char *p = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long start, end, a = (unsigned long)p;
	bool in = false, locked = false;
	char line[512];
	FILE *f;

	if (p == MAP_FAILED || mlock(p, page_size))
		ksft_exit_fail_msg("mlock control: %s\n", strerror(errno));
	f = fopen("/proc/self/smaps", "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' '))
			in = a >= start && a < end;
		else if (in && !strncmp(line, "VmFlags:", 8))
			locked = has_flag(line, "lo");
	}
	if (f)
		fclose(f);
	munmap(p, page_size);
	return locked;
}

static struct region *pick_region(void)
{
	return nregions ? &regions[rnd_below(nregions)] : NULL;
}

static void forget_region(struct region *r)
{
	*r = regions[--nregions];
}

static struct region *add_region(void *addr, size_t len, int prot, bool droppable,
				 bool checkable)
{
	struct region *r;

	if (nregions == MAX_REGIONS) {
		munmap(addr, len);
		return NULL;
	}
	r = &regions[nregions++];
	memset(r, 0, sizeof(*r));
	r->addr = addr;
	r->len = len;
	r->prot = prot;
	r->droppable = droppable;
	r->wipeonfork = droppable;
	r->checkable = checkable;
	r->tag = rnd();
	write_contents(r);
	return r;
}

static const int prots[] = {
	PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE,
	PROT_NONE, PROT_READ, PROT_WRITE, PROT_READ | PROT_WRITE | PROT_EXEC,
};

static int pick_prot(void)
{
	return prots[rnd_below(ARRAY_SIZE(prots))];
}

static const int extra_flags[] = {
	MAP_ANONYMOUS, MAP_LOCKED, MAP_HUGETLB, MAP_GROWSDOWN, MAP_NORESERVE,
	MAP_POPULATE, MAP_STACK, MAP_NONBLOCK, MAP_SYNC, MAP_32BIT, MAP_FIXED_NOREPLACE,
};

static void op_mmap(void)
{
	static const int types[] = {
		MAP_DROPPABLE, MAP_DROPPABLE | MAP_SHARED, MAP_DROPPABLE | MAP_PRIVATE,
		MAP_DROPPABLE | MAP_SHARED_VALIDATE, MAP_SHARED, MAP_PRIVATE,
		MAP_SHARED_VALIDATE, 0,
	};
	size_t len = (1 + rnd_below(MAX_PAGES)) * page_size;
	int prot = pick_prot(), type, flags = 0, fd = -1;
	bool good, drop, anon;
	void *hint = NULL, *p;
	struct region *r;
	int err;

	if (rnd_below(2)) {
		/* Half the time, a mapping that must work. */
		type = MAP_DROPPABLE;
		flags = MAP_ANONYMOUS | (rnd_below(4) ? 0 : MAP_NORESERVE) |
			(rnd_below(4) ? 0 : MAP_POPULATE) | (rnd_below(4) ? 0 : MAP_STACK);
		prot = rnd_below(4) ? PROT_READ | PROT_WRITE : prot;
	} else {
		type = types[rnd_below(ARRAY_SIZE(types))];
		for (size_t i = 0; i < ARRAY_SIZE(extra_flags); i++)
			if (!rnd_below(i ? 6 : 2))
				flags |= extra_flags[i];
		if (!(flags & MAP_ANONYMOUS) && rnd_below(4))
			fd = memfd;
	}
	if (flags & MAP_FIXED_NOREPLACE) {
		r = pick_region();
		hint = r && !rnd_below(2) ? r->addr : (char *)regions + (64UL << 30);
	}
	p = mmap(hint, len, prot, type | flags, fd, 0);
	err = p == MAP_FAILED ? errno : 0;
	/* The address is chosen before the type is looked at. */
	if (err == EEXIST && (flags & MAP_FIXED_NOREPLACE))
		return;
	anon = flags & MAP_ANONYMOUS;
	drop = type == MAP_DROPPABLE;

	if (type & MAP_DROPPABLE && type != MAP_DROPPABLE && anon && !(flags & MAP_HUGETLB))
		check(C_MMAP, err == EINVAL, "mmap type %#x flags %#x: %s, want EINVAL",
		      type, flags, strerror(err));
	if (drop && (flags & (MAP_LOCKED | MAP_GROWSDOWN)) && anon && !(flags & MAP_HUGETLB))
		check(C_MMAP, err == EINVAL, "droppable mmap flags %#x: %s, want EINVAL",
		      flags, strerror(err));
	if (drop && (flags & MAP_HUGETLB))
		check(C_MMAP, err, "droppable mmap with MAP_HUGETLB succeeded");
	if (drop && !anon && fd >= 0)
		check(C_MMAP, err == EINVAL, "droppable mmap of a file: %s, want EINVAL",
		      strerror(err));
	good = drop && anon &&
	       !(flags & (MAP_LOCKED | MAP_GROWSDOWN | MAP_HUGETLB | MAP_SYNC | MAP_32BIT));
	if (good && !(flags & MAP_FIXED_NOREPLACE))
		check(C_MMAP, !err, "droppable mmap flags %#x prot %#x len %zu: %s",
		      flags, prot, len, strerror(err));
	if (err)
		return;

	r = add_region(p, len, prot, drop,
		       drop || (type == MAP_PRIVATE && anon && !(flags & MAP_HUGETLB)));
	if (r)
		r->huge = flags & MAP_HUGETLB;
	if (drop)
		check_not_locked(mcl_future ? "mmap under mlockall(MCL_FUTURE)" : "mmap");
}

static void op_munmap(void)
{
	struct region *r = pick_region();
	size_t keep;

	if (!r)
		return;
	keep = r->huge ? 0 : rnd_below(r->len / page_size);
	if (munmap(r->addr + keep * page_size, r->len - keep * page_size) && !r->huge)
		ksft_exit_fail_msg("munmap(%p): %s\n", r->addr, strerror(errno));
	if (keep)
		r->len = keep * page_size;
	else
		forget_region(r);
}

static void op_mremap(void)
{
	struct region *r = pick_region();
	size_t len = (1 + rnd_below(MAX_PAGES)) * page_size;
	void *p;

	if (!r)
		return;
	p = mremap(r->addr, r->len, len, rnd_below(4) ? MREMAP_MAYMOVE : 0);
	if (p == MAP_FAILED)
		return;		/* e.g. ENOMEM: no room to grow in place */
	r->addr = p;
	r->len = len;
	if (r->droppable)
		check_not_locked("mremap");
}

static void op_mprotect(void)
{
	struct region *r = pick_region();
	int prot = pick_prot();

	if (r && !mprotect(r->addr, r->len, prot))
		r->prot = prot;
}

static void op_madvise(void)
{
	struct region *r = pick_region();
	int advice = rnd_below(VGR_MADV_LAST + 2), ret, err;
	size_t off, len;

	if (!r)
		return;
	if (advice > VGR_MADV_LAST)
		advice = 26 + rnd_below(70);	/* unknown ones; not HWPOISON (100) and up */
	/* The fork-related advice on whole regions, to know what a child sees. */
	off = advice == VGR_MADV_DONTFORK || advice == VGR_MADV_DOFORK ||
	      advice == VGR_MADV_WIPEONFORK || advice == VGR_MADV_KEEPONFORK ? 0 :
	      rnd_below(r->len / page_size) * page_size;
	len = off ? r->len - off : r->len;
	ret = madvise(r->addr + off, len, advice);
	err = ret ? errno : 0;

	if (r->droppable && (advice == VGR_MADV_KEEPONFORK || advice == VGR_MADV_DODUMP))
		check(C_MADVISE, err == EINVAL, "madvise(%d) on a droppable range: %s",
		      advice, strerror(err));
	if (ret)
		return;
	if (advice == VGR_MADV_DONTFORK)
		r->dontfork = true;
	if (advice == VGR_MADV_DOFORK)
		r->dontfork = false;
	if (advice == VGR_MADV_WIPEONFORK)
		r->wipeonfork = true;
	if (advice == VGR_MADV_KEEPONFORK)
		r->wipeonfork = r->droppable;
	if (r->droppable)
		check_not_locked("madvise");
}

static void op_mlock(void)
{
	struct region *r = pick_region();

	switch (rnd_below(3)) {
	case 0:
		if (r)
			mlock(r->addr, r->len);
		break;
	case 1:
		if (r)
			syscall(SYS_mlock2, r->addr, r->len, rnd_below(2) ? MLOCK_ONFAULT : 0);
		break;
	default:
		if (r)
			munlock(r->addr, r->len);
		break;
	}
	check_not_locked("mlock");
}

static void op_mlockall(void)
{
	int how = rnd_below(8);

	if (how == 0) {
		munlockall();
		mcl_future = false;
		return;
	}
	/* Any non-empty mix of CURRENT, FUTURE, ONFAULT (ONFAULT alone is EINVAL). */
	if (!mlockall(((how & 1) ? MCL_CURRENT : 0) | ((how & 2) ? MCL_FUTURE : 0) |
		      ((how & 4) ? MCL_ONFAULT : 0)))
		mcl_future = how & 2;
	check_not_locked("mlockall");
}

static void op_uffd(void)
{
	struct uffdio_register reg = { 0 };
	struct region *r = pick_region();
	int ret, err;

	if (uffd < 0 || !r)
		return;
	reg.range.start = (unsigned long)r->addr;
	reg.range.len = r->len;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	ret = ioctl(uffd, UFFDIO_REGISTER, &reg);
	err = ret ? errno : 0;
	if (r->droppable)
		check(C_UFFD, err == EINVAL, "UFFDIO_REGISTER on droppable %p: %s",
		      r->addr, ret ? strerror(err) : "registered");
	/* Never leave a range registered: a fault there would wait forever. */
	if (!ret && ioctl(uffd, UFFDIO_UNREGISTER, &reg.range))
		ksft_exit_fail_msg("UFFDIO_UNREGISTER: %s\n", strerror(errno));
}

static void uffd_open(void)
{
	struct uffdio_api api = { .api = UFFD_API };

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd >= 0 && ioctl(uffd, UFFDIO_API, &api)) {
		close(uffd);
		uffd = -1;
	}
	if (uffd < 0)
		printf("# userfaultfd not available: %s\n", strerror(errno));
}

static const unsigned int flag_choices[] = {
	0, 0, 0, GRND_NONBLOCK, GRND_RANDOM, GRND_INSECURE, GRND_NONBLOCK | GRND_RANDOM,
	GRND_NONBLOCK | GRND_INSECURE, GRND_RANDOM | GRND_INSECURE, 0x8, 0x80000000, ~0U,
};

/*
 * Flags the syscall rejects with EINVAL. Unknown ones go to the syscall in
 * every vDSO; GRND_RANDOM | GRND_INSECURE gets this kernel's -EINVAL too
 * (vdso_getrandom.rst), but mainline's vDSO serves it: on a kernel without
 * vgetrandom_alloc() both answers pass.
 */
static bool flags_rejected(unsigned int flags)
{
	return (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) ||
	       (flags & (GRND_RANDOM | GRND_INSECURE)) == (GRND_RANDOM | GRND_INSECURE);
}

static unsigned char out[MAX_OUT];

/* One vDSO call on a state at @state; checks its answer and output. */
static void vdso_call(void *state)
{
	unsigned int flags = flag_choices[rnd_below(ARRAY_SIZE(flag_choices))];
	size_t size = params.size_of_opaque_state;
	size_t opaque_len = rnd_below(8) ? size : rnd_below(2) ? size + 1 : rnd();
	size_t len = rnd_below(4) ? rnd_below(100) : rnd_below(MAX_OUT + 1);
	bool null = !rnd_below(32) && len;
	bool straddles = ((unsigned long)state % page_size) + size > page_size;
	unsigned char *buf = null ? NULL : out;
	ssize_t ret, want;

	if (!rnd_below(5)) {
		/* Scribble: random bytes over part of the state. */
		size_t off = rnd_below(size), n = rnd_below(size - off) + 1;

		for (size_t i = 0; i < n; i++)
			((volatile unsigned char *)state)[off + i] = rnd();
	}
	memset(out, 0, len);
	if (sigsetjmp(fault_jmp, 1)) {
		/* Mainline's vDSO writes to a NULL buffer: its -EFAULT. */
		check(C_VDSO, null, "vDSO getrandom faulted, buffer %p", buf);
		return;
	}
	fault_expected = null;
	ret = vgetrandom(buf, len, flags, state, opaque_len);
	fault_expected = 0;

	if (straddles)
		want = -EFAULT;
	else if (flags_rejected(flags) && (vgr_alloc || (flags & ~(GRND_RANDOM | GRND_INSECURE |
								   GRND_NONBLOCK))))
		want = -EINVAL;
	else if (null)
		want = -EFAULT;
	else
		want = len;
	/* Where the vDSO may give the call to the syscall, its answer will do. */
	if (!straddles && flags_rejected(flags) && ret == -EINVAL)
		want = -EINVAL;
	check(C_VDSO, ret == want,
	      "vDSO getrandom(%p, %zu, %#x, state %p, %zu) = %zd, want %zd",
	      buf, len, flags, state, opaque_len, ret, want);
	if (ret >= 16 && buf) {
		bool zeros = false;

		for (ssize_t i = 0; i + 16 <= ret && !zeros; i++)
			zeros = all_zero(out + i, 16);
		check(C_VDSO_OUTPUT, !zeros, "vDSO getrandom returned %zd bytes with 16 zeros in them",
		      ret);
	}
}

static void op_vdso(void)
{
	struct region *r = pick_region();
	size_t size = params.size_of_opaque_state, off;

	if (!vgetrandom || !r || !r->droppable || r->prot != (PROT_READ | PROT_WRITE))
		return;
	switch (rnd_below(8)) {
	case 0:		/* anywhere 8-aligned: it may straddle a page */
		off = rnd_below((r->len - size) / 8 + 1) * 8;
		break;
	case 1:		/* at the very end of a page */
		off = (1 + rnd_below(r->len / page_size)) * page_size - size / 2;
		if (off + size > r->len)
			off = 0;
		break;
	default:	/* a slot as a C library carves them */
		off = rnd_below(r->len / page_size) * page_size +
		      rnd_below(page_size / size) * size;
		break;
	}
	vdso_call(r->addr + off);
	/* The region's pattern was in that page: it now holds a state. */
	r->checkable = false;
}

/* Where each of the alloc cases points uargs, and what it may answer. */
static void op_alloc(void)
{
	static const size_t usizes[] = { 0, 1, 8, 39, 40, 40, 40, 41, 48, 64, 4095, 4096,
					 4097, 8192 };
	static unsigned char *buf;	/* 3 pages readable, then an inaccessible one */
	struct vgetrandom_alloc_args *args;
	size_t usize = rnd_below(4) ? usizes[rnd_below(ARRAY_SIZE(usizes))] :
		       rnd_below(3 * page_size);
	bool bad_ptr = !rnd_below(16), trailing = false;
	bool e2big, einval, efault;
	uint64_t num, per_page;
	long ret;
	int err;

	if (!vgr_alloc)
		return;
	if (!buf) {
		buf = mmap(NULL, 4 * page_size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED || mprotect(buf + 3 * page_size, page_size, PROT_NONE))
			ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	}
	memset(buf, 0, 3 * page_size);
	args = (void *)buf;
	args->flags = rnd_below(8) ? 0 : 1ULL << rnd_below(64);
	num = rnd_below(4) ? rnd_below(20) : rnd_below(2) ? rnd_below(2 * ALLOC_MAX_STATES) : rnd();
	args->num = num;
	args->size_of_opaque_state = rnd();
	args->map_addr = rnd();
	args->map_len = rnd();
	if (usize > sizeof(*args) && !rnd_below(3)) {
		buf[sizeof(*args) + rnd_below(usize - sizeof(*args))] = 1 + rnd_below(255);
		trailing = true;
	}
	if (bad_ptr)
		args = rnd_below(2) ? NULL : (void *)(buf + 3 * page_size);

	/* The vDSO entry returns the raw result: 0 or a negated errno. */
	ret = vgr_alloc(args, usize);
	err = ret < 0 ? -ret : 0;

	/* Which errors the arguments allow; any one of them will do. */
	e2big = usize > page_size || (trailing && !bad_ptr);
	einval = usize < VGETRANDOM_ALLOC_ARGS_SIZE_VER0 ||
		 (!bad_ptr && (((struct vgetrandom_alloc_args *)buf)->flags || !num));
	efault = bad_ptr;
	if (e2big || einval || efault) {
		check(C_ALLOC, ret < 0 && ((e2big && err == E2BIG) || (einval && err == EINVAL) ||
					     (efault && err == EFAULT)),
		      "vgetrandom_alloc(usize %zu, num %llu, flags %#llx%s%s) = %ld (%s)",
		      usize, (unsigned long long)num,
		      (unsigned long long)((struct vgetrandom_alloc_args *)buf)->flags,
		      trailing ? ", trailing byte" : "", bad_ptr ? ", bad pointer" : "",
		      ret, strerror(err));
		return;
	}
	if (ret) {
		check(C_ALLOC, err == ENOMEM, "vgetrandom_alloc(num %llu): %s",
		      (unsigned long long)num, strerror(err));
		return;
	}
	per_page = page_size / params.size_of_opaque_state;
	check(C_ALLOC, args->num >= 1 && args->num <= num && args->num <= ALLOC_MAX_STATES &&
	      args->size_of_opaque_state == params.size_of_opaque_state &&
	      args->map_addr % page_size == 0 &&
	      args->map_len == (args->num + per_page - 1) / per_page * page_size,
	      "vgetrandom_alloc(num %llu) gave num %llu size %llu addr %#llx len %llu",
	      (unsigned long long)num, (unsigned long long)args->num,
	      (unsigned long long)args->size_of_opaque_state,
	      (unsigned long long)args->map_addr, (unsigned long long)args->map_len);
	if (args->map_len > MAX_PAGES * page_size || nregions == MAX_REGIONS) {
		munmap((void *)(uintptr_t)args->map_addr, args->map_len);
		return;
	}
	add_region((void *)(uintptr_t)args->map_addr, args->map_len, PROT_READ | PROT_WRITE,
		   true, true);
	check_not_locked("vgetrandom_alloc");
}

static void op_touch(void)
{
	struct region *r = pick_region();

	if (!r)
		return;
	check_contents(r, false);
	write_contents(r);
}

static void child_ops(void);

static void op_fork(void)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		ksft_exit_fail_msg("fork: %s\n", strerror(errno));
	if (!pid) {
		in_child = true;
		child_ops();
	}
	if (waitpid(pid, &status, 0) != pid)
		ksft_exit_fail_msg("waitpid: %s\n", strerror(errno));
	check(C_CHILD, WIFEXITED(status) && !WEXITSTATUS(status),
	      "fork child: status %#x", status);
}

/* What a child does: look at what it inherited, a few operations, exit. */
static void child_ops(void)
{
	unsigned long fails = 0, before = 0;

	/* Its own stream, the same on every run of this seed. */
	rng_state ^= 0x6a09e667f3bcc909ULL;
	for (int c = 0; c < C_NR; c++)
		before += failed[c];
	for (int i = 0; i < nregions; i++)
		check_contents(&regions[i], true);
	/* MADV_DONTFORK regions are not there in the child. */
	for (int i = 0; i < nregions; i++)
		if (regions[i].dontfork)
			forget_region(&regions[i--]);
	for (int i = 0; i < 8; i++) {
		switch (rnd_below(4)) {
		case 0:
			op_mmap();
			break;
		case 1:
			op_vdso();
			break;
		case 2:
			op_madvise();
			break;
		default:
			op_mlockall();
			break;
		}
	}
	for (int c = 0; c < C_NR; c++)
		fails += failed[c];
	fflush(stdout);
	_exit(fails != before);
}

static void (*const ops[])(void) = {
	op_mmap, op_mmap, op_mmap, op_munmap, op_munmap, op_mremap, op_mprotect,
	op_madvise, op_madvise, op_madvise, op_mlock, op_mlockall, op_uffd, op_alloc,
	op_alloc, op_vdso, op_vdso, op_vdso, op_vdso, op_touch, op_touch, op_fork,
};

int main(int argc, char **argv)
{
	unsigned long max_ops = 1000000, seconds = 20;
	struct sigaction sa = { .sa_sigaction = fault_handler, .sa_flags = SA_SIGINFO };
	struct timespec start, now;
	void *probe;
	int opt;

	while ((opt = getopt(argc, argv, "s:t:n:")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 't':
			seconds = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			max_ops = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-s SEED] [-t SECONDS] [-n OPS]\n", argv[0]);
			return 2;
		}
	}
	rng_state = seed;
	page_size = sysconf(_SC_PAGESIZE);
	checked = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (checked == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	failed = checked + C_NR;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	ksft_print_header();
	ksft_set_plan(C_NR);
	printf("# seed %llu, at most %lu s and %lu operations (-s SEED -t SECONDS -n OPS)\n",
	       seed, seconds, max_ops);

	probe = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_DROPPABLE | MAP_ANONYMOUS, -1, 0);
	if (probe == MAP_FAILED)
		ksft_exit_skip("no MAP_DROPPABLE on this kernel: %s\n", strerror(errno));
	munmap(probe, page_size);

	vgetrandom = vgr_vdso_sym("__vdso_getrandom");
	if (vgetrandom && (vgetrandom(NULL, 0, 0, &params, ~0UL) ||
			   params.size_of_opaque_state < 64 || params.size_of_opaque_state > page_size))
		vgetrandom = NULL;
	vgr_alloc = vgr_vdso_sym("__vdso_vgetrandom_alloc");
	if (!vgetrandom)
		printf("# no vDSO getrandom() on this kernel\n");
	if (!vgr_alloc)
		printf("# no vgetrandom_alloc() on this kernel (no __vdso_vgetrandom_alloc)\n");
	if (!lock_shows())
		ksft_exit_fail_msg("an mlock()ed page shows no \"lo\" in /proc/self/smaps\n");
	memfd = syscall(SYS_memfd_create, "vgetrandom_fuzz", 0);
	if (memfd < 0 || ftruncate(memfd, MAX_PAGES * page_size))
		ksft_exit_fail_msg("memfd: %s\n", strerror(errno));
	uffd_open();

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (op_nr = 0; op_nr < max_ops; op_nr++) {
		if (!(op_nr % 256)) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if ((unsigned long)(now.tv_sec - start.tv_sec) >= seconds)
				break;
		}
		ops[rnd_below(ARRAY_SIZE(ops))]();
	}
	munlockall();
	clock_gettime(CLOCK_MONOTONIC, &now);
	printf("# seed %llu: %lu operations in %ld s\n", seed, op_nr,
	       (long)(now.tv_sec - start.tv_sec));

	for (int c = 0; c < C_NR; c++) {
		if (!checked[c])
			ksft_test_result_skip("%s: never exercised%s\n", check_name[c],
					      (c == C_ALLOC && !vgr_alloc) ||
					      ((c == C_VDSO || c == C_VDSO_OUTPUT) && !vgetrandom) ?
					      " (not on this kernel)" : "");
		else
			ksft_test_result(!failed[c], "%s (%lu checks, %lu failed)\n",
					 check_name[c], checked[c], failed[c]);
	}
	ksft_finished();
}
