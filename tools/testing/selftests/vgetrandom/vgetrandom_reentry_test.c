// SPDX-License-Identifier: GPL-2.0
/*
 * vgetrandom_reentry_test - __vdso_getrandom() on a state that the kernel
 * drops while signal handlers on the same thread re-enter it, and fork
 * children of such handlers resume the interrupted call: see
 * vgetrandom_soak.h. The drops are real: MADV_PAGEOUT on MAP_DROPPABLE
 * memory. No 16-byte block of output may be all zero or occur twice.
 *
 * Not one of the tests run on a mainline host kernel: mainline's vDSO has
 * the defect this test was written for (a nested call on a dropped state).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../kselftest.h"
#include "../vDSO/parse_vdso.h"
#include "vgetrandom_test_util.h"
#include "vgetrandom_soak.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

static vgetrandom_t vgetrandom;
static struct vgr_query_params params;

static ssize_t vdso_getrandom(void *buf, size_t len, unsigned int flags, void *state)
{
	return vgetrandom(buf, len, flags, state, params.size_of_opaque_state);
}

static bool pageout(void *page)
{
	return !madvise(page, getpagesize(), MADV_PAGEOUT);
}

int main(int argc, char **argv)
{
	struct soak_ops ops = {
		.getrandom = vdso_getrandom,
		.drop = pageout,
		.run_ns = (argc > 1 ? atol(argv[1]) : 6) * 1000000000L,
		.handler_us = 200,
		.fork_us = 5000,
		.max_blocks = 1 << 20,
	};
	struct soak_result res;

	ksft_print_header();
	vgetrandom = (vgetrandom_t)vgr_vdso_sym("__vdso_getrandom");
	if (!vgetrandom)
		ksft_exit_skip("__vdso_getrandom@LINUX_2.6 not in the vDSO\n");
	if (vgetrandom(NULL, 0, 0, &params, ~0UL))
		ksft_exit_skip("the vDSO's parameter query failed\n");
	ops.page = mmap(NULL, getpagesize(), params.mmap_prot, params.mmap_flags, -1, 0);
	if (ops.page == MAP_FAILED)
		ksft_exit_skip("mmap of a state with the queried flags: %s\n", strerror(errno));
	if (!pageout(ops.page))
		ksft_exit_skip("MADV_PAGEOUT: %s\n", strerror(errno));
	ops.state = (char *)ops.page + getpagesize() - params.size_of_opaque_state;
	ksft_set_plan(4);
	if (soak_run(&ops, &res))
		ksft_exit_fail_msg("soak setup: %s\n", strerror(errno));
	soak_report("pageout+handler", &res);
	ksft_finished();
}
