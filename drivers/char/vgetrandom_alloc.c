// SPDX-License-Identifier: GPL-2.0
/*
 * vgetrandom_alloc() - allocate states for the vDSO getrandom()
 *
 * The vDSO getrandom() keeps its generator in an opaque state that userspace
 * allocates, one per thread, in MAP_DROPPABLE memory: never swapped, zeroed
 * in fork children, discarded under memory pressure (the vDSO rekeys a
 * zeroed state).  A C library can do that itself from the parameter query of
 * __vdso_getrandom(); this system call does it in one step and hands out a
 * batch of states with their layout.
 *
 * It is not in mainline Linux.  On x86_64 it is number 1000, far from the
 * numbers mainline hands out in sequence, and userspace learns that the
 * running kernel has it from the vDSO symbol __vdso_vgetrandom_alloc, never
 * by calling the number blindly.  See
 * Documentation/vgetrandom/vgetrandom_alloc.2.
 */

#include <linux/err.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/random.h>
#include <linux/syscalls.h>
#include <linux/uaccess.h>
#include <vdso/getrandom.h>

/*
 * Most states one call hands out: 4096 states of 1 KiB are a 4 MiB mapping.
 * A caller asking for more gets this many and learns so from @num; it can
 * call again.  Not ABI: it may be raised.
 */
#define VGETRANDOM_ALLOC_MAX_STATES	4096

/**
 * vgetrandom_alloc_len - length of the mapping for a number of states
 * @num:	number of states, 1 to VGETRANDOM_ALLOC_MAX_STATES
 *
 * States are packed PAGE_SIZE / stride to a page, so that none straddles a
 * page boundary (the vDSO returns -EFAULT for one that does).
 *
 * Returns: the length in bytes, a multiple of PAGE_SIZE.
 */
static size_t vgetrandom_alloc_len(size_t num)
{
	size_t per_page = PAGE_SIZE / sizeof(struct vgetrandom_state);

	return DIV_ROUND_UP(num, per_page) << PAGE_SHIFT;
}

/**
 * sys_vgetrandom_alloc - map a batch of states for the vDSO getrandom()
 * @uargs:	&struct vgetrandom_alloc_args: @flags and @num in; @num,
 *		@size_of_opaque_state, @map_addr and @map_len out
 * @usize:	size of *@uargs, at least VGETRANDOM_ALLOC_ARGS_SIZE_VER0;
 *		bytes beyond what this kernel knows must be zero
 *
 * Maps PROT_READ | PROT_WRITE, MAP_DROPPABLE | MAP_ANONYMOUS memory for
 * min(@num, VGETRANDOM_ALLOC_MAX_STATES) states and reports it.  The states
 * are zero, which the vDSO treats as "not keyed yet".  The mapping belongs
 * to the caller from then on: it is freed with munmap(@map_addr, @map_len).
 *
 * Returns: 0 on success; -EINVAL for a @usize below VER0, unknown @flags or
 * @num == 0; -E2BIG for a @usize above PAGE_SIZE or non-zero bytes past the
 * known struct; -EFAULT if *@uargs cannot be read or written (nothing stays
 * mapped then); the mmap error otherwise (-ENOMEM).
 */
SYSCALL_DEFINE2(vgetrandom_alloc, struct vgetrandom_alloc_args __user *, uargs,
		size_t, usize)
{
	struct vgetrandom_alloc_args args;
	unsigned long addr;
	size_t num, len;
	int ret;

	BUILD_BUG_ON(sizeof(args) != VGETRANDOM_ALLOC_ARGS_SIZE_VER0);
	/* Whole states to a page: the stride is the size, nothing is wasted. */
	BUILD_BUG_ON(PAGE_SIZE % sizeof(struct vgetrandom_state));

	if (unlikely(usize > PAGE_SIZE))
		return -E2BIG;
	if (unlikely(usize < VGETRANDOM_ALLOC_ARGS_SIZE_VER0))
		return -EINVAL;
	ret = copy_struct_from_user(&args, sizeof(args), uargs, usize);
	if (ret)
		return ret;
	if (unlikely(args.flags || !args.num))
		return -EINVAL;

	num = min_t(u64, args.num, VGETRANDOM_ALLOC_MAX_STATES);
	len = vgetrandom_alloc_len(num);
	addr = vm_mmap(NULL, 0, len, PROT_READ | PROT_WRITE,
		       MAP_DROPPABLE | MAP_ANONYMOUS, 0);
	if (IS_ERR_VALUE(addr))
		return addr;

	args.num = num;
	args.size_of_opaque_state = sizeof(struct vgetrandom_state);
	args.map_addr = addr;
	args.map_len = len;
	/*
	 * Only the fields this kernel knows are written back; a longer tail
	 * was checked to be zero and stays so.  A caller that cannot learn
	 * where the mapping is could never free it: undo it.  Until then the
	 * range is the caller's like any fresh mmap(); a thread that unmapped
	 * and reused it by guessing its address loses what it put there.
	 */
	if (copy_to_user(uargs, &args, sizeof(args))) {
		vm_munmap(addr, len);
		return -EFAULT;
	}
	return 0;
}
