/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvgetrandom: getrandom() through the vDSO, on per-thread states.
 *
 * See README.md next to this file.
 */
#ifndef _VGETRANDOM_H
#define _VGETRANDOM_H

#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * vgetrandom() - fill a buffer with random bytes, like getrandom(2)
 * @buf:	where to write
 * @len:	how many bytes
 * @flags:	GRND_NONBLOCK, GRND_RANDOM and GRND_INSECURE, as for getrandom(2)
 *
 * Uses the vDSO's __vdso_getrandom() on a state of the calling thread when
 * the kernel has it, the getrandom system call otherwise; the bytes are of
 * the same quality either way, and no byte is ever made up by the library.
 * Safe to call from any thread, from a signal handler and in a fork child.
 *
 * Unlike the system call, the vDSO writes to @buf from userspace: an
 * invalid @buf may fault (SIGSEGV) where the system call returns EFAULT.
 *
 * Returns: the number of bytes written (@len, capped at the system call's
 * limit of a little under 2 GiB), or -1 with errno set as getrandom(2)
 * sets it: EINVAL for unknown or conflicting @flags, EAGAIN for
 * GRND_NONBLOCK before the kernel's RNG is ready, EINTR, EFAULT.
 */
ssize_t vgetrandom(void *buf, size_t len, unsigned int flags);

/**
 * vgetrandom_vdso_active() - does vgetrandom() use the vDSO?
 *
 * Initialises the library if that has not happened yet.  For tests and
 * diagnostics; a program never needs to know.
 *
 * Returns: 1 if the vDSO's getrandom() is found, answers the parameter
 * query and is not disabled by VGETRANDOM_DISABLE_VDSO=1; 0 if every call
 * goes to the system call.
 */
int vgetrandom_vdso_active(void);

/**
 * vgetrandom_buf() - fill a buffer with random bytes; never fails
 * @buf:	where to write
 * @len:	how many bytes, any number
 *
 * vgetrandom() with no flags, repeated until all of @buf is written (a
 * large request interrupted by a signal returns short, EINTR before the
 * kernel's RNG is ready).  If the getrandom system call is refused (a
 * seccomp filter), the rest is read from /dev/urandom; if that fails
 * too, the process is aborted: no byte is ever made up.  Leaves errno
 * as it was.  Async-signal-safe, like vgetrandom().
 */
void vgetrandom_buf(void *buf, size_t len);

/**
 * vgetrandom_u32() - a random 32-bit number; never fails
 *
 * Returns: four bytes of vgetrandom_buf().
 */
uint32_t vgetrandom_u32(void);

/**
 * vgetrandom_uniform() - a random number below a bound, unbiased
 * @upper_bound:	the results are 0 .. @upper_bound - 1
 *
 * Every result is equally likely: draws that would favour some results
 * are rejected and drawn again.  Never fails.
 *
 * Returns: the number; 0 if @upper_bound is 0 or 1.
 */
uint32_t vgetrandom_uniform(uint32_t upper_bound);

#ifdef __cplusplus
}
#endif

#endif /* _VGETRANDOM_H */
