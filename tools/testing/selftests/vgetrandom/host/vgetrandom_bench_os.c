// SPDX-License-Identifier: GPL-2.0
/*
 * The operating-system hooks of tools/lib/vgetrandom for the benchmark: the
 * library's pool and thread logic (vgetrandom.c) unchanged, bound to our
 * generic vDSO code (vgetrandom_bench_ours.c, the path this CPU would get)
 * instead of the host kernel's __vdso_getrandom(). States are mapped as the
 * parameter query says (the host kernel has MAP_DROPPABLE).
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vgetrandom_internal.h"
#include "vgetrandom_bench.h"

/* X86_FEATURE_ZMM_FAST as identify_cpu() decides it: not on Skylake-SP (model 0x55). */
bool vgr_bench_zmm_fast(void)
{
	return __builtin_cpu_supports("avx512f") &&
	       !__builtin_cpu_is("skylake-avx512") && !__builtin_cpu_is("cascadelake") &&
	       !__builtin_cpu_is("cooperlake");
}

vgr_bench_fn vgr_bench_best_path(const char **name)
{
	if (__builtin_cpu_supports("avx512vl")) {
		bool zmm = vgr_bench_zmm_fast();

		if (name)
			*name = zmm ? "avx512" : "avx512vl";
		return zmm ? vgr_bench_avx512 : vgr_bench_avx512vl;
	}
	if (__builtin_cpu_supports("avx2")) {
		if (name)
			*name = "avx2";
		return vgr_bench_avx2;
	}
	if (name)
		*name = "sse2";
	return vgr_bench_sse2;
}

/* As vgetrandom_os.c, with our code in place of the kernel's vDSO. */
bool vgr_os_find_vdso(struct vgr_vdso *v)
{
	struct vgr_opaque_params params;
	vgr_getrandom_fn fn = vgr_bench_best_path(NULL);
	long page_size = sysconf(_SC_PAGESIZE);

	memset(v, 0, sizeof(*v));
	memset(&params, 0, sizeof(params));
	if (page_size <= 0 || fn(NULL, 0, 0, &params, ~0UL) != 0 ||
	    !params.size_of_opaque_state ||
	    params.size_of_opaque_state > (unsigned long)page_size)
		return false;
	v->getrandom = fn;
	v->state_size = params.size_of_opaque_state;
	v->prot = params.mmap_prot;
	v->flags = params.mmap_flags;
	v->page_size = page_size;
	return true;
}

bool vgr_os_alloc_states(const struct vgr_vdso *v, size_t want, struct vgr_batch *b)
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

ssize_t vgr_os_getrandom(void *buf, size_t len, unsigned int flags)
{
	return syscall(SYS_getrandom, buf, len, flags);
}
