// SPDX-License-Identifier: GPL-2.0
/*
 * libvgetrandom-preload.so: the C library's random functions served by
 * the vDSO, for programs that cannot be rebuilt:
 *
 *	LD_PRELOAD=/usr/lib/libvgetrandom-preload.so program
 *
 * getrandom(), getentropy(), arc4random(), arc4random_buf() and
 * arc4random_uniform() defined here come before the C library's in the
 * dynamic linker's search, so the program's calls (and those of every
 * library it loads) land here.  They are unversioned, which lets them
 * stand for the C library's versioned symbols (getrandom@GLIBC_2.25, ...).
 *
 * Each keeps the C library's contract: return values, errno values,
 * getentropy()'s limit of 256 bytes (EIO above it), flags passed as they
 * are.  Where the vDSO cannot serve (a kernel without it, or flags the
 * library does not know), the C library's own function is called; its
 * address is looked up once, at load time, so that no call needs dlsym()
 * (which is not async-signal-safe).  A call made before that, from another
 * library's constructor, is served by libvgetrandom, which then makes the
 * system call.
 *
 * What changes: no system call per call; getrandom() is not a thread
 * cancellation point when the vDSO serves it (glibc 2.41's neither); a
 * bad buffer faults (SIGSEGV) where the system call fails with EFAULT.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>		/* arc4random*(), to check our prototypes */
#include <sys/random.h>		/* getrandom(), getentropy(), GRND_* */
#include <unistd.h>

#include "vgetrandom.h"

/* getentropy()'s limit: larger requests fail with EIO (POSIX, glibc). */
#define VGR_GETENTROPY_MAX	256

static struct {
	ssize_t (*getrandom)(void *buf, size_t len, unsigned int flags);
	int (*getentropy)(void *buf, size_t len);
	uint32_t (*arc4random)(void);
	void (*arc4random_buf)(void *buf, size_t len);
	uint32_t (*arc4random_uniform)(uint32_t upper_bound);
} vgr_libc;

/* At load time, like libvgetrandom's own lookup of the vDSO. */
__attribute__((constructor))
static void vgr_preload_init(void)
{
	vgr_libc.getrandom = dlsym(RTLD_NEXT, "getrandom");
	vgr_libc.getentropy = dlsym(RTLD_NEXT, "getentropy");
	vgr_libc.arc4random = dlsym(RTLD_NEXT, "arc4random");
	vgr_libc.arc4random_buf = dlsym(RTLD_NEXT, "arc4random_buf");
	vgr_libc.arc4random_uniform = dlsym(RTLD_NEXT, "arc4random_uniform");
}

/* The C library's @fn, if the vDSO cannot serve and the libc has it. */
#define vgr_libc_fn(fn) \
	(!vgetrandom_vdso_active() && vgr_libc.fn ? vgr_libc.fn : NULL)

ssize_t getrandom(void *buf, size_t len, unsigned int flags)
{
	__typeof__(vgr_libc.getrandom) libc_fn = vgr_libc_fn(getrandom);

	/* Flags newer than this library: the kernel's answer, not ours. */
	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		libc_fn = vgr_libc.getrandom;
	if (libc_fn)
		return libc_fn(buf, len, flags);
	return vgetrandom(buf, len, flags);
}

int getentropy(void *buf, size_t len)
{
	__typeof__(vgr_libc.getentropy) libc_fn = vgr_libc_fn(getentropy);
	unsigned char *p = buf;

	if (libc_fn)
		return libc_fn(buf, len);
	if (len > VGR_GETENTROPY_MAX) {
		errno = EIO;
		return -1;
	}
	while (len) {
		ssize_t n = vgetrandom(p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n) {
			/* The system call never returns 0 for a request. */
			errno = EIO;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

uint32_t arc4random(void)
{
	__typeof__(vgr_libc.arc4random) libc_fn = vgr_libc_fn(arc4random);

	return libc_fn ? libc_fn() : vgetrandom_u32();
}

void arc4random_buf(void *buf, size_t len)
{
	__typeof__(vgr_libc.arc4random_buf) libc_fn = vgr_libc_fn(arc4random_buf);

	if (libc_fn)
		libc_fn(buf, len);
	else
		vgetrandom_buf(buf, len);
}

uint32_t arc4random_uniform(uint32_t upper_bound)
{
	__typeof__(vgr_libc.arc4random_uniform) libc_fn = vgr_libc_fn(arc4random_uniform);

	return libc_fn ? libc_fn(upper_bound) : vgetrandom_uniform(upper_bound);
}
