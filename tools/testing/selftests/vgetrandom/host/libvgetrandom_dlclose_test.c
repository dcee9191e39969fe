// SPDX-License-Identifier: GPL-2.0
/*
 * libvgetrandom.so.1 loaded with dlopen(), used by threads, unloaded with
 * dlclose() while those threads still hold their states, then the threads
 * exit: nothing of the library may run after it is gone (its thread key's
 * destructor ran in unmapped code once). Runs against the host kernel's
 * vDSO; without one there are no states, and the test still checks that
 * unloading and exiting are clean.
 *
 * Then the same cycle 300 times, counting the process's mappings and its
 * resident memory: they must not grow (every cycle left the pool behind
 * once, a droppable page and the bookkeeping). Once with libvgetrandom.so.1,
 * which is never unloaded, the threads holding their states across
 * dlclose(); once with the library's sources built into a shared object of
 * the program's own (lib/libvgetrandom_plugin.so), which dlclose() does
 * unload, the threads exiting first: its destructor unmaps the pool.
 *
 *	libvgetrandom_dlclose_test [PATH-TO-libvgetrandom.so.1 [PATH-TO-PLUGIN]]
 *
 * The default paths are lib/libvgetrandom.so.1 and
 * lib/libvgetrandom_plugin.so beside the test binary.
 */
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../kselftest.h"

#define NTHREADS	4
#define ROUNDS		20
#define LEAK_WARMUP	20
#define LEAK_CYCLES	300
/*
 * Growth allowed over the LEAK_CYCLES - LEAK_WARMUP cycles measured: a
 * leaked page a cycle would be 1120 KiB, the pool left behind was 2
 * mappings and 8 KiB a cycle. glibc's own caches settle within about
 * 200 KiB (thread stacks touched deeper, the dynamic linker's allocations).
 */
#define LEAK_MAX_MAPS	2
#define LEAK_MAX_KB	512

typedef ssize_t (*vgetrandom_fn)(void *buf, size_t len, unsigned int flags);

static vgetrandom_fn fn;
static pthread_barrier_t used, closed;

static void *user(void *arg)
{
	unsigned char buf[32];
	long bad = fn(buf, sizeof(buf), 0) != sizeof(buf);

	if (!arg)
		return (void *)bad;	/* exit before the dlclose() */
	pthread_barrier_wait(&used);
	pthread_barrier_wait(&closed);
	return (void *)bad;	/* and exit with the library gone */
}

/*
 * One load, use (by this thread too: dlclose() runs the destructor on a
 * thread with a state), unload and thread exit, the threads holding their
 * states across the dlclose() if @hold; 0 if all went right.
 */
static int round_trip(const char *path, bool hold)
{
	pthread_t t[NTHREADS];
	unsigned char buf[32];
	long bad = 0;
	void *lib;

	lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return 10;
	fn = (vgetrandom_fn)dlsym(lib, "vgetrandom");
	if (!fn)
		return 11;
	if (fn(buf, sizeof(buf), 0) != sizeof(buf))
		return 15;
	pthread_barrier_init(&used, NULL, NTHREADS + 1);
	pthread_barrier_init(&closed, NULL, NTHREADS + 1);
	for (int i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, user, (void *)(long)hold))
			return 12;
	if (hold)
		pthread_barrier_wait(&used);
	for (int i = 0; i < NTHREADS && !hold; i++) {
		void *ret;

		pthread_join(t[i], &ret);
		bad |= (long)ret;
	}
	if (dlclose(lib))
		return 13;
	if (hold)
		pthread_barrier_wait(&closed);
	for (int i = 0; i < NTHREADS && hold; i++) {
		void *ret;

		pthread_join(t[i], &ret);
		bad |= (long)ret;
	}
	pthread_barrier_destroy(&used);
	pthread_barrier_destroy(&closed);
	return bad ? 14 : 0;
}

/* Lines of /proc/self/maps: one per mapping. */
static long count_maps(void)
{
	char line[512];
	long n = 0;
	FILE *f;

	f = fopen("/proc/self/maps", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += !!strchr(line, '\n');
	fclose(f);
	return n;
}

/* Resident memory in KiB, from /proc/self/statm. */
static long rss_kb(void)
{
	long size, resident = -1;
	FILE *f;

	f = fopen("/proc/self/statm", "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &resident) != 2)
		resident = -1;
	fclose(f);
	return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* What a child that cycles reports through its pipe. */
struct leak_report {
	int code;		/* round_trip()'s first failure, 0 */
	int loaded;		/* the library still there after the last dlclose() */
	long maps[2];		/* after LEAK_WARMUP cycles, after LEAK_CYCLES */
	long kb[2];
};

/*
 * LEAK_CYCLES round trips in a child. The first LEAK_WARMUP let the C
 * library's own caches (thread stacks, the dynamic linker's bookkeeping)
 * reach their size; after them nothing may grow.
 */
static bool leak_cycles(const char *path, bool hold, struct leak_report *r)
{
	int fds[2], status;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (pipe(fds))
		return false;
	pid = fork();
	if (pid < 0)
		return false;
	if (!pid) {
		void *lib;

		alarm(60);
		for (int c = 0; c < LEAK_CYCLES && !r->code; c++) {
			if (c == LEAK_WARMUP) {
				r->maps[0] = count_maps();
				r->kb[0] = rss_kb();
			}
			r->code = round_trip(path, hold);
		}
		r->maps[1] = count_maps();
		r->kb[1] = rss_kb();
		lib = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
		r->loaded = !!lib;
		if (lib)
			dlclose(lib);
		_exit(write(fds[1], r, sizeof(*r)) != sizeof(*r));
	}
	close(fds[1]);
	if (read(fds[0], r, sizeof(*r)) != sizeof(*r))
		r->code = -1;
	close(fds[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && !WEXITSTATUS(status) && !r->code;
}

static bool leak_flat(const struct leak_report *r)
{
	return r->maps[0] > 0 && r->kb[0] > 0 && r->maps[1] - r->maps[0] <= LEAK_MAX_MAPS &&
	       r->kb[1] - r->kb[0] <= LEAK_MAX_KB;
}

int main(int argc, char **argv)
{
	char exe[PATH_MAX] = "", path[PATH_MAX + 32], plugin[PATH_MAX + 32];
	struct leak_report r;
	int status, code = 0;
	bool ok;
	pid_t pid;

	ksft_print_header();
	ksft_set_plan(3);
	if (readlink("/proc/self/exe", exe, sizeof(exe) - 1) < 0)
		ksft_exit_fail_msg("/proc/self/exe unreadable\n");
	dirname(exe);
	snprintf(path, sizeof(path), "%s", argc > 1 ? argv[1] : exe);
	snprintf(plugin, sizeof(plugin), "%s", argc > 2 ? argv[2] : exe);
	if (argc < 2)
		strcat(path, "/lib/libvgetrandom.so.1");
	if (argc < 3)
		strcat(plugin, "/lib/libvgetrandom_plugin.so");
	if (access(path, R_OK))
		ksft_exit_fail_msg("%s: not found\n", path);
	pid = fork();
	if (!pid) {
		for (int r = 0; r < ROUNDS && !code; r++)
			code = round_trip(path, true);
		_exit(code);
	}
	waitpid(pid, &status, 0);
	ksft_test_result(WIFEXITED(status) && !WEXITSTATUS(status),
			 "%d rounds of dlopen, %d threads using it, dlclose, threads exiting: %s %d\n",
			 ROUNDS, NTHREADS, WIFEXITED(status) ? "exit" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));

	ok = leak_cycles(path, true, &r) && leak_flat(&r);
	ksft_test_result(ok, "libvgetrandom.so.1: %d cycles of dlopen, %d threads holding states across dlclose: mappings %ld -> %ld, RSS %ld -> %ld KiB after cycle %d (still loaded: %d; code %d)\n",
			 LEAK_CYCLES, NTHREADS, r.maps[0], r.maps[1], r.kb[0], r.kb[1],
			 LEAK_WARMUP, r.loaded, r.code);

	if (access(plugin, R_OK)) {
		ksft_test_result_skip("%s: not found\n", plugin);
	} else {
		/* Unloaded each time, or its destructor would never have run. */
		ok = leak_cycles(plugin, false, &r) && leak_flat(&r) && !r.loaded;
		ksft_test_result(ok, "the library built into a plugin: %d cycles of dlopen, %d threads exiting before dlclose: mappings %ld -> %ld, RSS %ld -> %ld KiB after cycle %d (unloaded: %d; code %d)\n",
				 LEAK_CYCLES, NTHREADS, r.maps[0], r.maps[1], r.kb[0], r.kb[1],
				 LEAK_WARMUP, !r.loaded, r.code);
	}
	ksft_finished();
}
