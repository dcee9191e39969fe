// SPDX-License-Identifier: GPL-2.0
/*
 * boot_test - the guest runs the kernel we built, with a vDSO to test.
 *
 * The first guest test of the harness: if it fails, nothing after it
 * means anything.  The kernel release the harness built is passed in the
 * environment (VGR_KERNEL_RELEASE) by the guest's init.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../kselftest.h"
#include "../vDSO/parse_vdso.h"
#include "vgetrandom_test_util.h"

#define CRNG_WAIT_MS	60000

static int maps_have(const char *what)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	int found = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, what))
			found = 1;
	fclose(f);
	return found;
}

int main(void)
{
	const char *want = getenv("VGR_KERNEL_RELEASE");
	unsigned long ehdr = getauxval(AT_SYSINFO_EHDR);
	struct utsname u;
	unsigned char buf[16];
	int waited;

	ksft_print_header();
	ksft_set_plan(6);

	if (uname(&u))
		ksft_exit_fail_msg("uname: %m\n");
	ksft_print_msg("running %s %s\n", u.release, u.version);
	if (!want)
		ksft_test_result_skip(
			"kernel release is the one built (VGR_KERNEL_RELEASE unset)\n");
	else
		ksft_test_result(!strcmp(u.release, want),
				 "kernel release is the one built (%s)\n", want);

	ksft_test_result(ehdr && !memcmp((void *)ehdr, ELFMAG, SELFMAG),
			 "the vDSO is mapped and is an ELF image\n");
	ksft_test_result(maps_have("[vdso]") && maps_have("[vvar]"),
			 "/proc/self/maps shows [vdso] and [vvar]\n");

	ksft_test_result(vgr_vdso_sym("__vdso_clock_gettime") != NULL,
			 "the vDSO symbol table parses (%sclock_gettime@%s found)\n",
			 VGR_VDSO_PREFIX, VGR_VDSO_VERSION);

	/*
	 * The harness gives the guest virtio-rng, whose entropy the hwrng
	 * thread feeds in shortly after boot: on a slow guest (KASAN under
	 * TCG on a busy machine) that can come a moment after init starts.
	 * The tests after this one need a ready CRNG, so wait for it, a
	 * bounded time, polling with GRND_NONBLOCK.
	 */
	for (waited = 0; waited < CRNG_WAIT_MS; waited += 100) {
		if (getrandom(buf, sizeof(buf), GRND_NONBLOCK) == sizeof(buf))
			break;
		usleep(100 * 1000);
	}
	ksft_test_result(waited < CRNG_WAIT_MS,
			 "the CRNG is ready (getrandom with GRND_NONBLOCK succeeds; after %d ms, at most %d)\n",
			 waited, CRNG_WAIT_MS);

	/* Thread and fork tests mean more with two CPUs (QEMU -smp 2). */
	ksft_test_result(sysconf(_SC_NPROCESSORS_ONLN) >= 2,
			 "two or more CPUs online (%ld)\n",
			 sysconf(_SC_NPROCESSORS_ONLN));

	ksft_finished();
}
