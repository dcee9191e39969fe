// SPDX-License-Identifier: GPL-2.0
/*
 * libvgetrandom, operating-system side: find the vDSO functions, map
 * states, map ordinary memory for the pool's bookkeeping, make the
 * system call.  Nothing here knows of threads, locks or the pool
 * (vgetrandom.c); nothing calls malloc(), so every hook may run with the
 * pool lock held and on a path a signal handler can reach.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vgetrandom_internal.h"

/*
 * VGETRANDOM_DISABLE_VDSO set to anything but "" or "0": tests only.  Not
 * in a set-user-ID or set-group-ID program (secure_getenv()), which the
 * preload library reaches from /etc/ld.so.preload: its caller's
 * environment does not choose how it gets random bytes.
 */
static bool vgr_vdso_disabled(void)
{
	const char *val = secure_getenv(VGR_DISABLE_ENV);

	return val && *val && strcmp(val, "0");
}

/**
 * vgr_os_find_vdso() - look up the vDSO getrandom() and ask its parameters
 * @v:	filled in; all zero when the vDSO is not to be used
 *
 * The parameter query (NULL buffer, zero length and flags, opaque_len ~0UL)
 * must answer 0 with a state size that fits in a page; anything else means
 * a vDSO whose ABI we do not know, which is never called again.
 *
 * Returns: true if @v->getrandom may be used.
 */
bool vgr_os_find_vdso(struct vgr_vdso *v)
{
	struct vgr_opaque_params params;
	vgr_getrandom_fn fn;
	unsigned long ehdr;
	long page_size;

	memset(v, 0, sizeof(*v));
	if (vgr_vdso_disabled())
		return false;
	ehdr = getauxval(AT_SYSINFO_EHDR);
	page_size = sysconf(_SC_PAGESIZE);
	if (!ehdr || page_size <= 0)
		return false;

	vdso_init_from_sysinfo_ehdr(ehdr);
	/* Callable with C's conventions (vgetrandom_vdso_abi.h). */
	fn = (vgr_getrandom_fn)vgr_vdso_callable(VGR_VDSO_GETRANDOM,
			vdso_sym(VGR_VDSO_VERSION, VGR_VDSO_GETRANDOM));
	if (!fn)
		return false;
	memset(&params, 0, sizeof(params));
	if (fn(NULL, 0, 0, &params, ~0UL) != 0 || !params.size_of_opaque_state ||
	    params.size_of_opaque_state > (unsigned long)page_size)
		return false;

	v->getrandom = fn;
	v->state_size = params.size_of_opaque_state;
	v->prot = params.mmap_prot;
	v->flags = params.mmap_flags;
	v->page_size = page_size;
	/* Only a kernel that has vgetrandom_alloc() exports this. */
	v->alloc = (long (*)(struct vgetrandom_alloc_args *, size_t))
		   vgr_vdso_callable(VGR_VDSO_ALLOC, vdso_sym(VGR_VDSO_VERSION, VGR_VDSO_ALLOC));
	return true;
}

/*
 * Whether the calling thread may be under a seccomp filter: the "Seccomp:"
 * line of /proc/thread-self/status is not 0, or cannot be read (no /proc,
 * a kernel before 3.17).  Only open(), read() and close(), which every
 * filter allows and a signal handler may call; errno is kept.
 */
static bool vgr_os_seccomp(void)
{
	static const char key[] = "Seccomp:";
	bool filtered = true, done = false;
	int fd, saved = errno;
	char buf[256], line[24];
	size_t n = 0;
	ssize_t got;

	fd = open("/proc/thread-self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		errno = saved;
		return true;
	}
	while (!done && ((got = read(fd, buf, sizeof(buf))) > 0 ||
			 (got < 0 && errno == EINTR))) {
		for (ssize_t i = 0; i < got && !done; i++) {
			if (buf[i] != '\n') {
				if (n < sizeof(line) - 1)
					line[n++] = buf[i];
				continue;
			}
			line[n] = '\0';
			n = 0;
			if (strncmp(line, key, sizeof(key) - 1))
				continue;
			/* "Seccomp:\t0": mode 0, SECCOMP_MODE_DISABLED. */
			filtered = strspn(line + sizeof(key) - 1, " \t0") !=
				   strlen(line + sizeof(key) - 1);
			done = true;
		}
	}
	close(fd);
	errno = saved;
	return filtered;
}

/*
 * Our kernel: one vgetrandom_alloc() call maps and lays out the states.
 * Never under a seccomp filter: an allow-list written before the system
 * call existed (systemd's SystemCallFilter=@system-service, a container
 * runtime's default) kills the process on it, and a library loaded into
 * every process (the preload) would take each such one down at its first
 * call.  mmap() of the query's flags gives the same states there.
 */
static bool vgr_alloc_by_syscall(const struct vgr_vdso *v, size_t want,
				 struct vgr_batch *b)
{
	struct vgetrandom_alloc_args args = { .num = want };
	size_t per_page = v->page_size / v->state_size;

	if (!v->alloc || vgr_os_seccomp() || v->alloc(&args, sizeof(args)))
		return false;
	/* A stride the vDSO does not expect would make every call a syscall. */
	if (args.size_of_opaque_state != v->state_size || !args.num || args.num > want ||
	    args.map_len < (args.num + per_page - 1) / per_page * v->page_size) {
		munmap((void *)(uintptr_t)args.map_addr, args.map_len);
		return false;
	}
	b->addr = (char *)(uintptr_t)args.map_addr;
	b->len = args.map_len;
	b->num = args.num;
	b->by_alloc = true;
	return true;
}

/* Mainline: map whole pages as the parameter query says, use all of them. */
static bool vgr_alloc_by_mmap(const struct vgr_vdso *v, size_t want,
			      struct vgr_batch *b)
{
	size_t per_page = v->page_size / v->state_size;
	size_t pages = (want + per_page - 1) / per_page;
	void *map;

	map = mmap(NULL, pages * v->page_size, v->prot, v->flags, -1, 0);
	if (map == MAP_FAILED)
		return false;
	b->addr = map;
	b->len = pages * v->page_size;
	b->num = pages * per_page;
	b->by_alloc = false;
	return true;
}

/**
 * vgr_os_alloc_states() - map a batch of zeroed states
 * @v:		the vDSO's parameters
 * @want:	states wanted; the batch may hold fewer (vgetrandom_alloc()
 *		caps the count) or more (the rest of the last page)
 * @b:		where the batch is; state i lies at
 *		addr + (i / per_page) * page_size + (i % per_page) * state_size
 *
 * With vgetrandom_alloc() when the vDSO exports it and no seccomp filter
 * may stand in the way, else (mainline, a filtered thread, or if that
 * fails) with mmap() and the query's prot and flags.
 *
 * Returns: true on success; @b is unmapped with vgr_os_unmap().
 */
bool vgr_os_alloc_states(const struct vgr_vdso *v, size_t want, struct vgr_batch *b)
{
	return vgr_alloc_by_syscall(v, want, b) || vgr_alloc_by_mmap(v, want, b);
}

/* Ordinary private memory; NULL on failure. */
void *vgr_os_map(size_t len)
{
	void *map = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return map == MAP_FAILED ? NULL : map;
}

void vgr_os_unmap(void *addr, size_t len)
{
	munmap(addr, len);
}

/* The system call: -1 and errno on failure. */
ssize_t vgr_os_getrandom(void *buf, size_t len, unsigned int flags)
{
	return syscall(SYS_getrandom, buf, len, flags);
}
