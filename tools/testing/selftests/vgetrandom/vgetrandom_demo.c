// SPDX-License-Identifier: GPL-2.0
/*
 * vgetrandom_demo - what "make run" shows: random bytes from the vDSO.
 *
 * Finds __vdso_getrandom in the running kernel's vDSO, asks it for its
 * state parameters, maps states as it says, and shows bytes, a fork that
 * gives parent and child different bytes, and how many getrandom system
 * calls a burst of vDSO calls really made (counted with ptrace), then a
 * batch of states from vgetrandom_alloc(), if the kernel has it.
 */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/mman.h>
#include <linux/random.h>

#include "../vDSO/parse_vdso.h"
#include "vgetrandom_test_util.h"

typedef long (*vgetrandom_alloc_t)(struct vgetrandom_alloc_args *args, size_t size);

static vgetrandom_t vgetrandom;
static struct vgetrandom_opaque_params params;

static void hex(const char *what, const unsigned char *p, size_t n)
{
	printf("  %-9s", what);
	while (n--)
		printf("%02x", *p++);
	printf("\n");
}

static void *new_state(void)
{
	void *p = mmap(NULL, params.size_of_opaque_state, params.mmap_prot,
		       params.mmap_flags, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap(state)");
		exit(1);
	}
	return p;
}

/* The burst that step 5 counts the system calls of, in a traced child. */
static int burst(void)
{
	unsigned char buf[16];
	void *state = new_state();

	for (long i = 0; i < 100000; i++)
		if (vgetrandom(buf, sizeof(buf), 0, state,
			       params.size_of_opaque_state) != sizeof(buf))
			return 1;
	return 0;
}

/* The state allocator, found in the vDSO before it is ever called. */
static int demo_alloc(void)
{
	struct vgetrandom_alloc_args args = { .num = 8 };
	vgetrandom_alloc_t alloc;
	unsigned char buf[16];
	unsigned long i, per_page;
	long ret;

	alloc = (vgetrandom_alloc_t)vgr_vdso_sym("__vdso_vgetrandom_alloc");
	if (!alloc) {
		printf("6. no __vdso_vgetrandom_alloc: this kernel has no vgetrandom_alloc()\n");
		return 0;
	}
	ret = alloc(&args, sizeof(args));
	if (ret) {
		printf("6. vgetrandom_alloc() failed: %s\n", strerror(-ret));
		return 1;
	}
	printf("6. vgetrandom_alloc(): %llu states of %llu bytes",
	       (unsigned long long)args.num,
	       (unsigned long long)args.size_of_opaque_state);
	printf(" in %llu bytes of MAP_DROPPABLE memory at %#llx\n",
	       (unsigned long long)args.map_len,
	       (unsigned long long)args.map_addr);
	per_page = getpagesize() / args.size_of_opaque_state;
	for (i = 0; i < args.num; i++) {
		void *state = (char *)(uintptr_t)args.map_addr +
			      (i / per_page) * getpagesize() +
			      (i % per_page) * args.size_of_opaque_state;

		if (vgetrandom(buf, sizeof(buf), 0, state,
			       args.size_of_opaque_state) != sizeof(buf))
			return 1;
		if (i < 3) {
			char what[16];

			snprintf(what, sizeof(what), "state %lu", i);
			hex(what, buf, sizeof(buf));
		}
	}
	printf("  ... every one of them serves bytes\n");
	return munmap((void *)(uintptr_t)args.map_addr, args.map_len) ? 1 : 0;
}

int main(void)
{
	unsigned char a[32], b[32];
	struct utsname u;
	void *state;
	long n;
	int code, pipefd[2];
	pid_t pid;

	setvbuf(stdout, NULL, _IONBF, 0);
	uname(&u);
	printf("vgetrandom demo on Linux %s\n", u.release);

	vgetrandom = (vgetrandom_t)vgr_vdso_sym("__vdso_getrandom");
	if (!vgetrandom) {
		printf("  this kernel's vDSO does not export __vdso_getrandom:\n"
		       "  the vDSO part of vgetrandom is not built into it (yet).\n");
		return 0;
	}
	printf("1. the vDSO exports %sgetrandom@%s at %p\n", VGR_VDSO_PREFIX, VGR_VDSO_VERSION,
	       vgetrandom);

	if (vgetrandom(NULL, 0, 0, &params, ~0UL)) {
		printf("  the parameter query failed: not usable\n");
		return 1;
	}
	printf("2. parameters: %u-byte states, mmap prot %#x flags %#x%s\n",
	       params.size_of_opaque_state, params.mmap_prot, params.mmap_flags,
	       params.mmap_flags & MAP_DROPPABLE ? " (MAP_DROPPABLE)" : "");

	state = new_state();
	if (vgetrandom(a, sizeof(a), 0, state, params.size_of_opaque_state) != sizeof(a))
		return 1;
	printf("3. 32 bytes from the vDSO (the first call on a state rekeys it once):\n");
	hex("bytes", a, sizeof(a));

	printf("4. fork: the child's wiped state rekeys instead of repeating the parent:\n");
	if (pipe(pipefd))
		return 1;
	pid = fork();
	if (pid == 0) {
		vgetrandom(b, sizeof(b), 0, state, params.size_of_opaque_state);
		if (write(pipefd[1], b, sizeof(b)) != sizeof(b))
			_exit(1);
		_exit(0);
	}
	vgetrandom(a, sizeof(a), 0, state, params.size_of_opaque_state);
	if (read(pipefd[0], b, sizeof(b)) != sizeof(b))
		return 1;
	waitpid(pid, NULL, 0);
	hex("parent", a, sizeof(a));
	hex("child", b, sizeof(b));
	printf("  %s\n", memcmp(a, b, sizeof(a)) ?
	       "different, as they must be" : "IDENTICAL: broken");

	n = count_getrandom(burst, &code);
	if (n < 0 || code)
		return 1;
	printf("5. 100000 calls of 16 bytes served with %ld getrandom syscalls\n", n);
	return demo_alloc();
}
