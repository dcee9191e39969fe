/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvgetrandom internals: what the pool logic (vgetrandom.c) needs from
 * the operating system (vgetrandom_os.c), and a hook for the tests.
 */
#ifndef _VGETRANDOM_INTERNAL_H
#define _VGETRANDOM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <linux/random.h>
#include <linux/types.h>

/*
 * uapi values of mainline Linux 6.11+ and of this project's kernel, for
 * headers that predate them.  The values are ABI and cannot change.
 */
#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE	0x08
#endif
#ifndef GRND_NONBLOCK
#define GRND_NONBLOCK	0x0001
#endif
#ifndef GRND_RANDOM
#define GRND_RANDOM	0x0002
#endif
#ifndef GRND_INSECURE
#define GRND_INSECURE	0x0004
#endif

/*
 * struct vgetrandom_opaque_params under a name of our own: <linux/random.h>
 * has no macro that would tell whether it defines the struct.
 */
struct vgr_opaque_params {
	uint32_t size_of_opaque_state;
	uint32_t mmap_prot;
	uint32_t mmap_flags;
	uint32_t reserved[13];
};

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

#include "vgetrandom_vdso_abi.h"

#define VGR_VDSO_GETRANDOM	VGR_VDSO_PREFIX "getrandom"
#define VGR_VDSO_ALLOC		VGR_VDSO_PREFIX "vgetrandom_alloc"

/* Environment variable that keeps the library off the vDSO (tests). */
#define VGR_DISABLE_ENV		"VGETRANDOM_DISABLE_VDSO"

typedef ssize_t (*vgr_getrandom_fn)(void *buf, size_t len, unsigned int flags,
				    void *opaque_state, size_t opaque_len);

/**
 * struct vgr_vdso - what the library knows of the running kernel
 * @getrandom:	__vdso_getrandom(), or NULL: use the system call
 * @alloc:	__vdso_vgetrandom_alloc(), or NULL: allocate with mmap()
 * @state_size:	size of one opaque state, the opaque_len to pass
 * @prot:	mmap() prot for states, from the parameter query
 * @flags:	mmap() flags for states, from the parameter query
 * @page_size:	no state straddles a page of this size
 */
struct vgr_vdso {
	vgr_getrandom_fn getrandom;
	long (*alloc)(struct vgetrandom_alloc_args *args, size_t size);
	size_t state_size;
	int prot;
	int flags;
	size_t page_size;
};

/**
 * struct vgr_batch - states mapped in one go
 * @addr:	start of the mapping
 * @len:	its length
 * @num:	states in it, packed page_size / state_size to a page
 * @by_alloc:	mapped by vgetrandom_alloc(), not by mmap()
 */
struct vgr_batch {
	char *addr;
	size_t len;
	size_t num;
	bool by_alloc;
};

/*
 * The vDSO parser of tools/testing/selftests/vDSO/parse_vdso.c, built into
 * the library; its prototypes, as in parse_vdso.h there.
 */
void vdso_init_from_sysinfo_ehdr(uintptr_t base);
void *vdso_sym(const char *version, const char *name);

/* OS hooks (vgetrandom_os.c); none takes a lock or calls malloc(). */
bool vgr_os_find_vdso(struct vgr_vdso *v);
bool vgr_os_alloc_states(const struct vgr_vdso *v, size_t want, struct vgr_batch *b);
void *vgr_os_map(size_t len);
void vgr_os_unmap(void *addr, size_t len);
ssize_t vgr_os_getrandom(void *buf, size_t len, unsigned int flags);

/**
 * struct vgr_pool_stats - test hook: how many states the pool has
 * @states:	states mapped so far (unmapped only by the destructor)
 * @free:	of those, owned by no thread
 * @bytes:	droppable memory they occupy
 * @by_alloc:	states that vgetrandom_alloc() mapped
 */
struct vgr_pool_stats {
	size_t states;
	size_t free;
	size_t bytes;
	size_t by_alloc;
	size_t alloc_attempts;	/* batches asked of the kernel, all threads */
	size_t alloc_failures;	/* of which failed */
};

void vgetrandom_pool_stats(struct vgr_pool_stats *st);
/*
 * Test hook: called, when set, in a thread's first call between taking a
 * state from the pool and registering it for the thread's exit: where a
 * signal handler that forks is most dangerous.
 */
extern void (*vgetrandom_test_attach_hook)(void);

/* Test hook: the calling thread's state, NULL if it has none. */
const void *vgetrandom_thread_state(void);

#endif /* _VGETRANDOM_INTERNAL_H */
