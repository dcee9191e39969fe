// SPDX-License-Identifier: GPL-2.0
/*
 * libvgetrandom.so.1 loaded with dlopen(), used by threads, unloaded with
 * dlclose() while those threads still hold their states, then the threads
 * exit: nothing of the library may run after it is gone (its thread key's
 * destructor ran in unmapped code once). Runs against the host kernel's
 * vDSO; without one there are no states, and the test still checks that
 * unloading and exiting are clean.
 *
 *	libvgetrandom_dlclose_test [PATH-TO-libvgetrandom.so.1]
 *
 * The default path is lib/libvgetrandom.so.1 beside the test binary.
 */
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../kselftest.h"

#define NTHREADS	4
#define ROUNDS		20

typedef ssize_t (*vgetrandom_fn)(void *buf, size_t len, unsigned int flags);

static vgetrandom_fn fn;
static pthread_barrier_t used, closed;

static void *user(void *arg)
{
	unsigned char buf[32];
	long bad = fn(buf, sizeof(buf), 0) != sizeof(buf);

	pthread_barrier_wait(&used);
	pthread_barrier_wait(&closed);
	return (void *)bad;	/* and exit with the library gone */
}

/* One load, use, unload and thread exit; 0 if all went right. */
static int round_trip(const char *path)
{
	pthread_t t[NTHREADS];
	long bad = 0;
	void *lib;

	lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return 10;
	fn = (vgetrandom_fn)dlsym(lib, "vgetrandom");
	if (!fn)
		return 11;
	pthread_barrier_init(&used, NULL, NTHREADS + 1);
	pthread_barrier_init(&closed, NULL, NTHREADS + 1);
	for (int i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, user, NULL))
			return 12;
	pthread_barrier_wait(&used);
	if (dlclose(lib))
		return 13;
	pthread_barrier_wait(&closed);
	for (int i = 0; i < NTHREADS; i++) {
		void *ret;

		pthread_join(t[i], &ret);
		bad |= (long)ret;
	}
	return bad ? 14 : 0;
}

int main(int argc, char **argv)
{
	char exe[PATH_MAX] = "", path[PATH_MAX + 32];
	int status, code = 0;
	pid_t pid;

	ksft_print_header();
	ksft_set_plan(1);
	if (argc > 1) {
		snprintf(path, sizeof(path), "%s", argv[1]);
	} else {
		if (readlink("/proc/self/exe", exe, sizeof(exe) - 1) < 0)
			ksft_exit_fail_msg("/proc/self/exe unreadable\n");
		snprintf(path, sizeof(path), "%s/lib/libvgetrandom.so.1", dirname(exe));
	}
	if (access(path, R_OK))
		ksft_exit_fail_msg("%s: not found\n", path);
	pid = fork();
	if (!pid) {
		for (int r = 0; r < ROUNDS && !code; r++)
			code = round_trip(path);
		_exit(code);
	}
	waitpid(pid, &status, 0);
	ksft_test_result(WIFEXITED(status) && !WEXITSTATUS(status),
			 "%d rounds of dlopen, %d threads using it, dlclose, threads exiting: %s %d\n",
			 ROUNDS, NTHREADS, WIFEXITED(status) ? "exit" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	ksft_finished();
}
