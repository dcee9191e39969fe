// SPDX-License-Identifier: GPL-2.0
/*
 * libvgetrandom: the calls that cannot fail, for programs that want random
 * numbers rather than a system call's contract (arc4random's interface):
 * a buffer filled whole, a 32-bit word, an unbiased number below a bound.
 *
 * All of them go through vgetrandom(), so they are served by the vDSO when
 * it is there, and are async-signal-safe and fork-safe as it is.  The only
 * way they fail is abort(): when neither the getrandom system call nor
 * /dev/urandom gives a single byte.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "vgetrandom.h"

/*
 * The last resort, for a process whose getrandom system call is refused
 * (a seccomp filter answering ENOSYS or EPERM, as some sandboxes do).
 * Returns the bytes read; fewer than @len only if reading failed.
 */
static size_t vgr_read_urandom(unsigned char *buf, size_t len)
{
	size_t done = 0;
	int fd;

	do {
		fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return 0;
	while (done < len) {
		ssize_t n = read(fd, buf + done, len - done);

		if (n > 0)
			done += n;
		else if (n < 0 && errno == EINTR)
			continue;
		else
			break;
	}
	close(fd);
	return done;
}

/* Say why on stderr if it can be said; abort either way. */
static void vgr_no_entropy(void)
{
	static const char msg[] =
		"libvgetrandom: neither getrandom nor /dev/urandom gives random bytes\n";

	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	abort();
}

void vgetrandom_buf(void *buf, size_t len)
{
	unsigned char *p = buf;
	int saved_errno = errno;

	while (len) {
		ssize_t n = vgetrandom(p, len, 0);

		if (n > 0) {
			/* Short only when a signal interrupted a large request. */
			p += n;
			len -= n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		/* Refused (or, impossibly, nothing written): try the device. */
		if (vgr_read_urandom(p, len) != len)
			vgr_no_entropy();
		break;
	}
	errno = saved_errno;
}

uint32_t vgetrandom_u32(void)
{
	uint32_t v;

	vgetrandom_buf(&v, sizeof(v));
	return v;
}

/*
 * Multiply a random 32-bit x by the bound: the high word of the 64-bit
 * product is x * bound / 2^32, in [0, bound).  Each result is hit by
 * either floor(2^32 / bound) or one more values of x; the extra ones are
 * exactly those whose low word is below 2^32 mod bound, so rejecting
 * them leaves every result equally likely.  The remainder (a division)
 * is computed only when the low word is below the bound, which is rare
 * for small bounds; a draw is rejected with probability
 * (2^32 mod bound) / 2^32, below 1/2 for any bound.
 */
uint32_t vgetrandom_uniform(uint32_t upper_bound)
{
	uint64_t product;
	uint32_t reject_below;

	if (upper_bound < 2)
		return 0;
	product = (uint64_t)vgetrandom_u32() * upper_bound;
	if ((uint32_t)product < upper_bound) {
		/* 2^32 mod upper_bound, in 32-bit arithmetic. */
		reject_below = -upper_bound % upper_bound;
		while ((uint32_t)product < reject_below)
			product = (uint64_t)vgetrandom_u32() * upper_bound;
	}
	return product >> 32;
}
