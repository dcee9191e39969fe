// SPDX-License-Identifier: GPL-2.0
/*
 * libvgetrandom.so.1 loaded with dlopen(): a thread's very first
 * vgetrandom(), made in a signal handler, must not call malloc().
 *
 * glibc gives a dlopen()ed object's thread-local variables, if they use the
 * general-dynamic model, a block it allocates with malloc() on each thread's
 * first access (__tls_get_addr()). A handler that interrupted malloc() on
 * that thread then deadlocks on the arena lock. The library keeps its
 * thread-local block in static TLS (the initial-exec model), which glibc
 * sets up at thread creation and, for an object loaded later, at dlopen()
 * from the surplus it reserves for that.
 *
 * Rather than waiting for a timer to hit malloc() (a race), this program
 * defines malloc(), calloc() and realloc() itself, which glibc's dynamic
 * linker also uses for TLS blocks once the program is running, and counts
 * the calls made while the handler is inside the library.
 *
 *	libvgetrandom_tls_test [PATH-TO-libvgetrandom.so.1]
 *
 * The default path is lib/libvgetrandom.so.1 beside the test binary.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../kselftest.h"

#define NTHREADS	8
#define CALL_LEN	32

typedef ssize_t (*vgetrandom_fn)(void *buf, size_t len, unsigned int flags);

/* Set by the handler around its call; counted from any thread. */
static volatile sig_atomic_t counting;
static atomic_int allocs;

#ifdef __GLIBC__
/* glibc's allocator under its exported internal names. */
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t nmemb, size_t size);
void *__libc_realloc(void *ptr, size_t size);

void *malloc(size_t size)
{
	if (counting)
		atomic_fetch_add(&allocs, 1);
	return __libc_malloc(size);
}

void *calloc(size_t nmemb, size_t size)
{
	if (counting)
		atomic_fetch_add(&allocs, 1);
	return __libc_calloc(nmemb, size);
}

void *realloc(void *ptr, size_t size)
{
	if (counting)
		atomic_fetch_add(&allocs, 1);
	return __libc_realloc(ptr, size);
}
#endif

static vgetrandom_fn fn;
static atomic_int short_calls;

/*
 * The thread's first call into the library. Only one thread is in here at
 * a time (the main thread joins each before starting the next), so the
 * count is this call's.
 */
static void usr1_handler(int sig)
{
	unsigned char buf[CALL_LEN];
	int saved_errno = errno;
	ssize_t ret;

	counting = 1;
	atomic_signal_fence(memory_order_seq_cst);
	ret = fn(buf, sizeof(buf), 0);
	atomic_signal_fence(memory_order_seq_cst);
	counting = 0;
	if (ret != sizeof(buf))
		atomic_fetch_add(&short_calls, 1);
	errno = saved_errno;
}

/* A new thread, so that nothing of the library has touched its TLS yet. */
static void *first_call_in_handler(void *arg)
{
	raise(SIGUSR1);
	return NULL;
}

int main(int argc, char **argv)
{
	char exe[PATH_MAX] = "", path[PATH_MAX + 32];
	struct sigaction sa = { .sa_handler = usr1_handler };
	int (*active)(void);
	void *lib;

	ksft_print_header();
	ksft_set_plan(2);
#ifndef __GLIBC__
	ksft_test_result_skip("not glibc: malloc() is not interposed here\n");
	ksft_test_result_skip("not glibc: malloc() is not interposed here\n");
	ksft_finished();
#endif
	if (argc > 1) {
		snprintf(path, sizeof(path), "%s", argv[1]);
	} else {
		if (readlink("/proc/self/exe", exe, sizeof(exe) - 1) < 0)
			ksft_exit_fail_msg("/proc/self/exe unreadable\n");
		snprintf(path, sizeof(path), "%s/lib/libvgetrandom.so.1", dirname(exe));
	}
	/* A deadlock in malloc() becomes a failure, not a hang. */
	alarm(20);
	lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		ksft_exit_fail_msg("dlopen %s: %s\n", path, dlerror());
	fn = (vgetrandom_fn)dlsym(lib, "vgetrandom");
	active = (int (*)(void))dlsym(lib, "vgetrandom_vdso_active");
	if (!fn || !active)
		ksft_exit_fail_msg("%s: no vgetrandom or vgetrandom_vdso_active\n", path);
	ksft_print_msg("vDSO %s\n", active() ? "in use" : "not in use: the system call");

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		ksft_exit_fail_msg("sigaction failed\n");
	for (int i = 0; i < NTHREADS; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, first_call_in_handler, NULL) ||
		    pthread_join(t, NULL))
			ksft_exit_fail_msg("pthread_create failed\n");
	}
	ksft_test_result(!short_calls,
			 "%d threads' first vgetrandom(), each in a signal handler: %d bytes each (%d short)\n",
			 NTHREADS, CALL_LEN, (int)short_calls);
	ksft_test_result(!allocs,
			 "%d threads' first vgetrandom() in a handler, library dlopen()ed: %d malloc/calloc/realloc calls (0: the library's TLS is static)\n",
			 NTHREADS, (int)allocs);
	ksft_finished();
}
