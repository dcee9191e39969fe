// SPDX-License-Identifier: GPL-2.0
/*
 * vdso_rng_data_test - the RNG state the kernel publishes for the vDSO.
 *
 * Reads struct vdso_rng_data straight out of the [vvar] mapping, at the
 * offset this project's x86 vvar layout gives it (arch/x86/include/asm/
 * vvar.h), and checks what lib/vdso/getrandom.c relies on: the CRNG is
 * marked ready, the generation is never 0, RNDRESEEDCRNG changes it, and
 * the kernel's own schedule changes it with no getrandom() calls at all.
 * The layout is ours, not mainline's ABI: on other kernels this skips.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <linux/random.h>

#include "../kselftest.h"

/*
 * Where our kernel puts the RNG data in the [vvar] mapping: at 640 on
 * x86_64 (DECLARE_VVAR_SINGLE(640, ...)); on arm64 right after the two
 * struct vdso_data of the data page, 2 * 240 bytes; on powerpc64 at the
 * end of struct vdso_arch_data: 384 bytes of header and syscall maps
 * (two of 32 words each, for NR_syscalls 1001), then the two struct
 * vdso_data; on s390x right after the two struct vdso_data of the data
 * page, 2 * 256 bytes (240 and s390's struct arch_vdso_data).
 */
#if defined(__aarch64__)
#define VVAR_RNG_DATA_OFFSET	480
#elif defined(__powerpc64__)
#define VVAR_RNG_DATA_OFFSET	(384 + 480)
#elif defined(__s390x__)
#define VVAR_RNG_DATA_OFFSET	512
#else
#define VVAR_RNG_DATA_OFFSET	640
#endif

struct rng_data {
	uint64_t generation;
	uint8_t is_ready;
};

/* The kernel changes these behind our back: load them anew every time. */
#define generation(rng)	__atomic_load_n(&(rng)->generation, __ATOMIC_ACQUIRE)
#define is_ready(rng)	__atomic_load_n(&(rng)->is_ready, __ATOMIC_RELAXED)

static struct rng_data *find_rng_data(void)
{
	unsigned long start, end;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	struct rng_data *rng = NULL;

	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "[vvar]") &&
		    sscanf(line, "%lx-%lx", &start, &end) == 2)
			rng = (void *)(start + VVAR_RNG_DATA_OFFSET);
	fclose(f);
	return rng;
}

static double uptime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	struct rng_data *rng;
	struct utsname u;
	uint64_t gen, before;
	double waited, limit;
	int fd;

	ksft_print_header();
	uname(&u);
	if (!strstr(u.release, "-vgetrandom"))
		ksft_exit_skip("not a vgetrandom kernel (%s): its vvar layout is unknown\n",
			       u.release);
	rng = find_rng_data();
	if (!rng)
		ksft_exit_fail_msg("no [vvar] mapping\n");
	ksft_set_plan(5);

	ksft_test_result(is_ready(rng) == 1, "is_ready is 1 once the CRNG is ready\n");
	gen = generation(rng);
	ksft_test_result(gen != 0, "generation is not 0 (%llu)\n", (unsigned long long)gen);
	/*
	 * It starts at a random 64-bit value each boot, not at the base CRNG's
	 * small count: a state from another boot never matches by accident.
	 * (Below 2^32 with probability 2^-32.)
	 */
	ksft_test_result(gen >> 32, "generation starts at a random 64-bit value (%#llx)\n",
			 (unsigned long long)gen);

	fd = open("/dev/urandom", O_RDONLY);
	if (fd < 0 || ioctl(fd, RNDRESEEDCRNG) < 0) {
		ksft_test_result_skip("RNDRESEEDCRNG: %s\n", strerror(errno));
	} else {
		ksft_test_result(generation(rng) != gen && generation(rng) != 0,
				 "RNDRESEEDCRNG changes the generation (%llu -> %llu)\n",
				 (unsigned long long)gen,
				 (unsigned long long)generation(rng));
	}
	if (fd >= 0)
		close(fd);

	/*
	 * No getrandom() from here on: only the kernel's delayed work can
	 * move the generation.  In early boot crng_reseed_interval() is half
	 * the uptime, later 60 s; wait for one interval and a margin.
	 */
	limit = uptime() < 120 ? uptime() / 2 + 5 : 65;
	before = generation(rng);
	waited = 0;
	while (generation(rng) == before && waited < limit) {
		usleep(100000);
		waited += 0.1;
	}
	ksft_test_result(generation(rng) != before,
			 "the kernel reseeds on its own: generation moved after %.1f s with no syscall (limit %.0f s)\n",
			 waited, limit);
	ksft_finished();
}
