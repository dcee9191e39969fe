// SPDX-License-Identifier: GPL-2.0
/*
 * Host soak of the generic vDSO getrandom() (lib/vdso/getrandom.c and the
 * x86 ChaCha20, built unchanged) against a state that is dropped while a
 * signal handler on the same thread re-enters it: see ../vgetrandom_soak.h.
 *
 * The state sits in a private anonymous page marked MADV_WIPEONFORK;
 * MADV_DONTNEED from another thread stands in for a drop (the page reads
 * back as zeroes, as a dropped MAP_DROPPABLE page does), far more often
 * than reclaim would drop a page. The RNG data page is the harness's, with
 * a fixed generation; the rekeys go to the real getrandom syscall.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../../kselftest.h"
#include "vgetrandom_host.h"
#include "../vgetrandom_soak.h"

static ssize_t host_getrandom(void *buf, size_t len, unsigned int flags, void *state)
{
	return vgr_getrandom(buf, len, flags, state, sizeof(struct vgetrandom_state));
}

static bool host_drop(void *page)
{
	return !madvise(page, getpagesize(), MADV_DONTNEED);
}

int main(int argc, char **argv)
{
	struct soak_ops ops = {
		.getrandom = host_getrandom,
		.drop = host_drop,
		.run_ns = (argc > 1 ? atol(argv[1]) : 8) * 1000000000L,
		.handler_us = 30,
		.fork_us = 2000,
		.max_blocks = 6 << 20,
	};
	struct soak_result res;

	ksft_print_header();
	vgr_harness.rng.generation = 1;
	vgr_harness.rng.is_ready = 1;
	ops.page = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ops.page == MAP_FAILED || madvise(ops.page, getpagesize(), MADV_WIPEONFORK))
		ksft_exit_fail_msg("state page: %s\n", strerror(errno));
	/* The last state of the page, as a library carving states would use it. */
	ops.state = (char *)ops.page + getpagesize() - sizeof(struct vgetrandom_state);
	ksft_set_plan(4);
	if (soak_run(&ops, &res))
		ksft_exit_fail_msg("soak setup: %s\n", strerror(errno));
	soak_report("drop+handler", &res);
	ksft_finished();
}
