// SPDX-License-Identifier: GPL-2.0
/*
 * debian_python_test - an unmodified program of the host's Debian 12,
 * python3, in the guest, with and without libvgetrandom-preload.so.
 *
 * The harness shares the host's /usr and /etc and the directory holding
 * the preload library read-only with the guest (QEMU -virtfs, 9p, tags
 * vgr.usr, vgr.etc and vgr.lib).  This test mounts them into a root of
 * its own (/host: a tmpfs with Debian's merged-/usr links, /proc and
 * /dev), chroots there and runs python3 calling os.urandom(16), counting
 * its getrandom system calls with ptrace: one per call with Debian 12's
 * glibc 2.36 alone (20000 calls: each a traced syscall, slow under
 * emulation), a handful with the preload (100000 calls), which serves
 * them from the vDSO.  Then OpenSSL: python3's ssl.RAND_bytes(16)
 * under a configuration that selects the library's OpenSSL 3 provider
 * (EVP_RAND VGETRANDOM, the module built beside the preload library, in
 * openssl/), with the lines the README gives: a handful of syscalls; and
 * with VGETRANDOM_DISABLE_VDSO=1, one per call, which shows that the bytes
 * come through the library and not from OpenSSL's own generator.  The
 * same two ways for Debian 12's openssl(1): openssl rand of 1 MiB.
 *
 *	debian_python_test [-r] [-p PRELOAD]
 *
 * -r: the shares are required (make test's guest): missing ones fail the
 * test instead of skipping it.  PRELOAD is the library's path inside the
 * new root (default /vgr/libvgetrandom-preload.so).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../kselftest.h"
#include "../vDSO/parse_vdso.h"
#include "vgetrandom_test_util.h"

#define ROOT		"/host"
#define PY_CALLS	100000
#define PY_SYSCALL_CALLS 20000	/* each a syscall under ptrace: slow */
#define MAX_SYSCALLS	8
#define SSL_CALLS	100000
#define SSL_SYSCALL_CALLS 20000	/* each a syscall under ptrace: slow */
#define OSSL_CONF	"/tmp/vgetrandom-openssl.cnf"

static const char *preload = "/vgr/libvgetrandom-preload.so";
static bool with_preload;
/* 0: os.urandom; else python3's ssl.RAND_bytes under the provider. */
static int ssl_calls;
static bool ssl_syscall;
/* Then openssl(1) instead of python3: openssl rand of 1 MiB. */
static bool openssl_rand;
#define RAND_LEN	1048576

/* The README's configuration, in the new root's /tmp. */
static const char ossl_conf[] =
	VGR_OSSL_CONF;

/* The new root: the three shares, the merged-/usr links, /proc, /dev. */
static const char *make_root(void)
{
	static const char *const dirs[] = { "usr", "etc", "vgr", "proc", "dev", "tmp" };
	static const char *const links[][2] = {
		{ "usr/bin", "bin" }, { "usr/sbin", "sbin" },
		{ "usr/lib", "lib" }, { "usr/lib64", "lib64" },
	};
	static const char *const shares[][2] = {
		{ "vgr.usr", "usr" }, { "vgr.etc", "etc" }, { "vgr.lib", "vgr" },
	};
	static char why[128];
	char path[64];

	if (mkdir(ROOT, 0755) && errno != EEXIST)
		return "mkdir " ROOT;
	if (mount("tmpfs", ROOT, "tmpfs", 0, "mode=0755"))
		return "mount tmpfs on " ROOT;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), ROOT "/%s", dirs[i]);
		if (mkdir(path, 0755))
			return "mkdir in " ROOT;
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		snprintf(path, sizeof(path), ROOT "/%s", links[i][1]);
		if (symlink(links[i][0], path))
			return "symlink in " ROOT;
	}
	for (size_t i = 0; i < sizeof(shares) / sizeof(shares[0]); i++) {
		snprintf(path, sizeof(path), ROOT "/%s", shares[i][1]);
		if (mount(shares[i][0], path, "9p", MS_RDONLY,
			  "trans=virtio,version=9p2000.L,cache=loose")) {
			snprintf(why, sizeof(why), "9p share %s: %s (no -virtfs, or no 9p in this kernel)",
				 shares[i][0], strerror(errno));
			return why;
		}
	}
	if (mount("proc", ROOT "/proc", "proc", 0, NULL) ||
	    mount("/dev", ROOT "/dev", NULL, MS_BIND | MS_REC, NULL) ||
	    mount("tmpfs", ROOT "/tmp", "tmpfs", 0, NULL))
		return "mount proc, dev or tmp in " ROOT;
	return NULL;
}

/* In the traced child: python3 in the new root. */
static int python3(void)
{
	char *argv[] = { "python3", "-c", NULL, NULL };
	char urandom_prog[96];
	/*
	 * The first ssl.RAND_bytes() loads the configuration; the name of the
	 * generator in use is not visible from Python, the syscall counts show
	 * whose bytes these are.
	 */
	char ssl_prog[160];
	char env_preload[4200];
	char *envp[] = { "PATH=/usr/bin:/bin", "LC_ALL=C", NULL, NULL, NULL, NULL };

	if (chroot(ROOT) || chdir("/"))
		return 101;
	snprintf(urandom_prog, sizeof(urandom_prog),
		 "import os\nfor _ in range(%d):\n    os.urandom(16)\n",
		 with_preload ? PY_CALLS : PY_SYSCALL_CALLS);
	argv[2] = urandom_prog;
	if (ssl_calls) {
		snprintf(ssl_prog, sizeof(ssl_prog),
			 "import ssl\nfor _ in range(%d):\n    assert len(ssl.RAND_bytes(16)) == 16\n",
			 ssl_calls);
		argv[2] = ssl_prog;
		envp[2] = "OPENSSL_CONF=" OSSL_CONF;
		envp[3] = "OPENSSL_MODULES=/vgr/openssl";
		if (ssl_syscall)
			envp[4] = "VGETRANDOM_DISABLE_VDSO=1";
		if (openssl_rand) {
			char *rand_argv[] = { "openssl", "rand", "-out", "/dev/null",
					      "1048576", NULL };

			execve("/usr/bin/openssl", rand_argv, envp);
			return 103;
		}
	} else if (with_preload) {
		snprintf(env_preload, sizeof(env_preload), "LD_PRELOAD=%s", preload);
		envp[2] = env_preload;
	}
	execve("/usr/bin/python3", argv, envp);
	return 102;
}

int main(int argc, char **argv)
{
	bool required = false;
	const char *why;
	long without, with;
	int opt, code, fd;
	char path[4200];

	while ((opt = getopt(argc, argv, "rp:")) != -1) {
		if (opt == 'r')
			required = true;
		else if (opt == 'p')
			preload = optarg;
		else
			ksft_exit_fail_msg("usage: %s [-r] [-p PRELOAD]\n", argv[0]);
	}
	ksft_print_header();
	ksft_set_plan(6);

	why = make_root();
	if (why && required)
		ksft_exit_fail_msg("%s\n", why);
	if (why)
		ksft_exit_skip("%s\n", why);
	snprintf(path, sizeof(path), ROOT "%s", preload);
	if (access(ROOT "/usr/bin/python3", X_OK) || access(path, R_OK))
		ksft_exit_fail_msg("no /usr/bin/python3 or no %s in the shared root\n", preload);

	with_preload = false;
	without = count_getrandom(python3, &code);
	ksft_test_result(!code && without >= PY_SYSCALL_CALLS,
			 "Debian 12's python3 in a chroot on the host's /usr, os.urandom(16) x %d, glibc 2.36 alone: %ld getrandom syscalls (exit %d)\n",
			 PY_SYSCALL_CALLS, without, code);
	with_preload = true;
	with = count_getrandom(python3, &code);
	ksft_test_result(!code && with >= 0 && with <= MAX_SYSCALLS,
			 "Debian 12's python3, os.urandom(16) x %d, LD_PRELOAD=libvgetrandom-preload.so: %ld getrandom syscalls (at most %d; exit %d)\n",
			 PY_CALLS, with, MAX_SYSCALLS, code);

	/* OpenSSL through the provider: its module beside the preload. */
	fd = open(ROOT OSSL_CONF, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, ossl_conf, strlen(ossl_conf)) != (ssize_t)strlen(ossl_conf))
		ksft_exit_fail_msg("%s: %s\n", ROOT OSSL_CONF, strerror(errno));
	close(fd);
	if (access(ROOT "/vgr/openssl/vgetrandom.so", R_OK))
		ksft_exit_fail_msg("no openssl/vgetrandom.so (the provider) in the shared library directory\n");
	ssl_calls = SSL_CALLS;
	with = count_getrandom(python3, &code);
	ksft_test_result(!code && with >= 0 && with <= MAX_SYSCALLS,
			 "Debian 12's python3, ssl.RAND_bytes(16) x %d, OpenSSL configured for the VGETRANDOM provider: %ld getrandom syscalls (at most %d; exit %d)\n",
			 SSL_CALLS, with, MAX_SYSCALLS, code);
	ssl_calls = SSL_SYSCALL_CALLS;
	ssl_syscall = true;
	with = count_getrandom(python3, &code);
	ksft_test_result(!code && with >= SSL_SYSCALL_CALLS,
			 "the same x %d with VGETRANDOM_DISABLE_VDSO=1: %ld getrandom syscalls, one per call: the bytes are the library's (exit %d)\n",
			 SSL_SYSCALL_CALLS, with, code);

	/* openssl(1) itself: its requests of at most 4 KiB each. */
	if (access(ROOT "/usr/bin/openssl", X_OK))
		ksft_exit_fail_msg("no /usr/bin/openssl in the shared root\n");
	openssl_rand = true;
	ssl_syscall = false;
	with = count_getrandom(python3, &code);
	ksft_test_result(!code && with >= 0 && with <= MAX_SYSCALLS,
			 "Debian 12's openssl rand %d under the configuration: %ld getrandom syscalls (at most %d; exit %d)\n",
			 RAND_LEN, with, MAX_SYSCALLS, code);
	ssl_syscall = true;
	with = count_getrandom(python3, &code);
	ksft_test_result(!code && with >= RAND_LEN / 4096,
			 "the same with VGETRANDOM_DISABLE_VDSO=1: %ld getrandom syscalls, at least one per 4 KiB request: its bytes are the library's (exit %d)\n",
			 with, code);
	ksft_finished();
}
