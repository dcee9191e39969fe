// SPDX-License-Identifier: GPL-2.0
/*
 * The OpenSSL provider (tools/lib/vgetrandom/openssl/vgetrandom.so) under
 * the system's OpenSSL 3, selected by configuration alone: the test writes
 * openssl.cnf files into a scratch directory and runs itself, openssl(1)
 * and python3 under them (OPENSSL_CONF, OPENSSL_MODULES), checking
 *
 *   - that OpenSSL's primary, public and private generators are VGETRANDOM
 *     instances, with truthful parameters and life cycle;
 *   - that RAND_bytes() and RAND_priv_bytes() take our path: getrandom
 *     system calls counted with ptrace, a handful for CALLS calls on the
 *     vDSO, one per call with VGETRANDOM_DISABLE_VDSO=1;
 *   - fork and thread uniqueness, RAND_seed()/RAND_add(), 1 MiB requests;
 *   - a getrandom the kernel refuses failing RAND_bytes(), not served;
 *   - that a configuration without the provider still works, and that
 *     one that selects it fails closed when the module is missing;
 *   - openssl rand and python3's ssl.RAND_bytes() under the configuration.
 *
 *	libvgetrandom_openssl_test [MODULE-DIR]
 *
 * MODULE-DIR holds vgetrandom.so; by default lib/openssl beside the test.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <unistd.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include "../../kselftest.h"
#include "../../vDSO/parse_vdso.h"
#include "../vgetrandom_test_util.h"

#define CALLS		100000	/* half RAND_bytes(), half RAND_priv_bytes() */
#define MAX_SYSCALLS	8	/* served by the vDSO: a handful */
#define FORKS		20
#define NTHREADS	8
#define DRAWS		64	/* per thread, of each function */
#define LARGE		(1 << 20)
#define OPENSSL_BIN	"/usr/bin/openssl"
#define PYTHON3		"/usr/bin/python3"
#define PY_CALLS	10000

static char self[PATH_MAX];
static char module_dir[PATH_MAX];
static char scratch[PATH_MAX];
static char conf_vgr[PATH_MAX + 16], conf_plain[PATH_MAX + 16], empty_dir[PATH_MAX + 16];

/* The lines the README gives, and a configuration without them. */
static const char conf_vgr_text[] =
	VGR_OSSL_CONF;
static const char conf_plain_text[] =
	"openssl_conf = openssl_init\n\n"
	"[openssl_init]\nproviders = provider_sect\n\n"
	"[provider_sect]\ndefault = default_sect\n\n"
	"[default_sect]\nactivate = 1\n";

/* --- The child modes: what a program using OpenSSL does. --- */

static bool is_vgr(EVP_RAND_CTX *ctx)
{
	return ctx && !strcmp(EVP_RAND_get0_name(EVP_RAND_CTX_get0_rand(ctx)), "VGETRANDOM");
}

/* 0 if the three shared generators are VGETRANDOM, else a bit for each not. */
static int mode_names(void)
{
	return !is_vgr(RAND_get0_primary(NULL)) << 0 | !is_vgr(RAND_get0_public(NULL)) << 1 |
	       !is_vgr(RAND_get0_private(NULL)) << 2;
}

/* 0 if there is no shared generator at all (a bit for each there is). */
static int mode_none(void)
{
	return !!RAND_get0_primary(NULL) << 0 | !!RAND_get0_public(NULL) << 1 |
	       !!RAND_get0_private(NULL) << 2;
}

/* 0 if the public generator is OpenSSL's own CTR-DRBG and gives bytes. */
static int mode_default(void)
{
	unsigned char buf[32] = { 0 };
	EVP_RAND_CTX *pub = RAND_get0_public(NULL);

	if (!pub || strcmp(EVP_RAND_get0_name(EVP_RAND_CTX_get0_rand(pub)), "CTR-DRBG"))
		return 1;
	return (RAND_bytes(buf, sizeof(buf)) != 1 || all_zero(buf, sizeof(buf))) << 1;
}

/* Exit status 0 if RAND_bytes() and RAND_priv_bytes() both succeed, 1 if both fail. */
static int mode_bytes(void)
{
	unsigned char buf[32];
	int pub = RAND_bytes(buf, sizeof(buf)), priv = RAND_priv_bytes(buf, sizeof(buf));

	return pub == 1 && priv == 1 ? 0 : pub != 1 && priv != 1 ? 1 : 2;
}

/* The parameters, life cycle and parent role of VGETRANDOM instances. */
static int mode_params(void)
{
	EVP_RAND_CTX *pub = RAND_get0_public(NULL), *ctx, *child;
	unsigned char buf[64] = { 0 };
	size_t max_request = 0;
	OSSL_PARAM params[] = {
		OSSL_PARAM_size_t(OSSL_RAND_PARAM_MAX_REQUEST, &max_request),
		OSSL_PARAM_END
	};
	EVP_RAND *rand, *ctr;
	int bad = 0;

	bad |= (!pub || EVP_RAND_get_strength(pub) != 256 ||
		EVP_RAND_get_state(pub) != EVP_RAND_STATE_READY) << 0;
	bad |= (!pub || !EVP_RAND_CTX_get_params(pub, params) || max_request < LARGE) << 1;

	/* A fresh instance: generates only between instantiate and uninstantiate. */
	rand = EVP_RAND_fetch(NULL, "VGETRANDOM", "provider=vgetrandom");
	ctx = rand ? EVP_RAND_CTX_new(rand, NULL) : NULL;
	if (!ctx)
		return bad | 1 << 2;
	bad |= (EVP_RAND_get_state(ctx) != EVP_RAND_STATE_UNINITIALISED ||
		EVP_RAND_generate(ctx, buf, 16, 0, 0, NULL, 0)) << 3;
	bad |= EVP_RAND_instantiate(ctx, 512, 0, NULL, 0, NULL) << 4;
	bad |= (!EVP_RAND_instantiate(ctx, 256, 0, NULL, 0, NULL) ||
		EVP_RAND_get_state(ctx) != EVP_RAND_STATE_READY ||
		!EVP_RAND_generate(ctx, buf, 16, 256, 1, NULL, 0) ||
		!EVP_RAND_generate(ctx, buf + 16, 16, 128, 0, NULL, 0) ||
		!EVP_RAND_nonce(ctx, buf + 32, 16) || !EVP_RAND_verify_zeroization(ctx) ||
		all_zero(buf, 16) || all_zero(buf + 16, 16) || all_zero(buf + 32, 16)) << 5;

	/* The parent of OpenSSL's CTR-DRBG: seed and nonce come from us. */
	ctr = EVP_RAND_fetch(NULL, "CTR-DRBG", "provider=default");
	child = ctr ? EVP_RAND_CTX_new(ctr, ctx) : NULL;
	if (child) {
		OSSL_PARAM cipher[] = {
			OSSL_PARAM_construct_utf8_string(OSSL_DRBG_PARAM_CIPHER, "AES-256-CTR", 0),
			OSSL_PARAM_construct_end()
		};

		memset(buf, 0, sizeof(buf));
		bad |= (!EVP_RAND_CTX_set_params(child, cipher) ||
			!EVP_RAND_instantiate(child, 256, 0, NULL, 0, NULL) ||
			!EVP_RAND_generate(child, buf, 32, 256, 0, NULL, 0) ||
			all_zero(buf, 32)) << 6;
	} else {
		bad |= 1 << 6;
	}
	EVP_RAND_CTX_free(child);
	EVP_RAND_free(ctr);

	bad |= (!EVP_RAND_uninstantiate(ctx) ||
		EVP_RAND_get_state(ctx) != EVP_RAND_STATE_UNINITIALISED ||
		EVP_RAND_generate(ctx, buf, 16, 0, 0, NULL, 0)) << 7;
	EVP_RAND_CTX_free(ctx);
	EVP_RAND_free(rand);
	return bad;
}

/* CALLS calls of 16 bytes; 0 if all of them succeeded. */
static int mode_workload(void)
{
	unsigned char buf[16];
	int bad = 0;

	for (int i = 0; i < CALLS / 2; i++) {
		bad |= RAND_bytes(buf, sizeof(buf)) != 1;
		bad |= RAND_priv_bytes(buf, sizeof(buf)) != 1;
	}
	return bad;
}

/* 32 bytes of each function into @out. */
static bool draw(unsigned char out[64])
{
	return RAND_bytes(out, 32) == 1 && RAND_priv_bytes(out + 32, 32) == 1;
}

/*
 * After fork(), parent and child each draw from the generators that
 * existed before it (the thread's public and private instances were
 * made by the draw before the fork): no half of one may equal any half of
 * the other.
 */
static int mode_fork(void)
{
	unsigned char before[64], mine[64], child[64];
	int bad = 0;

	for (int i = 0; i < FORKS; i++) {
		int fds[2], status;
		pid_t pid;

		if (!draw(before) || pipe(fds))
			return 1;
		pid = fork();
		if (pid < 0)
			return 1;
		if (!pid) {
			bool ok = draw(child);

			_exit(!ok || write(fds[1], child, sizeof(child)) != sizeof(child));
		}
		close(fds[1]);
		bad |= !draw(mine) << 1;
		bad |= (read(fds[0], child, sizeof(child)) != sizeof(child) ||
			waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
			WEXITSTATUS(status)) << 2;
		close(fds[0]);
		for (int a = 0; a < 64; a += 32)
			for (int b = 0; b < 64; b += 32)
				bad |= !memcmp(mine + a, child + b, 32) << 3;
	}
	return bad;
}

static unsigned char samples[NTHREADS][DRAWS][64];
static EVP_RAND_CTX *thread_pub[NTHREADS];
static pthread_barrier_t threads_done;

static void *thread_fn(void *arg)
{
	long t = (long)arg;
	void *ret = NULL;

	thread_pub[t] = RAND_get0_public(NULL);
	for (int i = 0; i < DRAWS; i++)
		if (!draw(samples[t][i]))
			ret = (void *)1;
	if (!is_vgr(thread_pub[t]) || !is_vgr(RAND_get0_private(NULL)))
		ret = (void *)2;
	/*
	 * OpenSSL frees a thread's instances when it exits: all stay alive
	 * until every thread has made its own, so that equal addresses
	 * would mean one shared instance, not a freed one reused.
	 */
	pthread_barrier_wait(&threads_done);
	return ret;
}

static int cmp32(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/* Threads at once: their own instances, no 32-byte block seen twice. */
static int mode_threads(void)
{
	static unsigned char all[NTHREADS * DRAWS * 2][32];
	pthread_t tid[NTHREADS];
	int bad = 0;
	size_t n = 0;

	if (pthread_barrier_init(&threads_done, NULL, NTHREADS))
		return 1;
	for (long t = 0; t < NTHREADS; t++)
		if (pthread_create(&tid[t], NULL, thread_fn, (void *)t))
			return 1;
	for (int t = 0; t < NTHREADS; t++) {
		void *ret;

		pthread_join(tid[t], &ret);
		bad |= (ret != NULL) << 1;
		for (int u = 0; u < t; u++)
			bad |= (thread_pub[u] == thread_pub[t]) << 2;
	}
	for (int t = 0; t < NTHREADS; t++)
		for (int i = 0; i < DRAWS; i++) {
			memcpy(all[n++], samples[t][i], 32);
			memcpy(all[n++], samples[t][i] + 32, 32);
		}
	qsort(all, n, 32, cmp32);
	for (size_t i = 1; i < n; i++)
		bad |= !memcmp(all[i - 1], all[i], 32) << 3;
	return bad;
}

/* RAND_seed(), RAND_add(), RAND_poll(): accepted, and change nothing. */
static int mode_seed(void)
{
	unsigned char seed[48] = { 0 }, a[64], b[64];
	int bad = 0;

	RAND_seed(seed, sizeof(seed));
	RAND_add(seed, sizeof(seed), 0.0);
	RAND_add(seed, sizeof(seed), sizeof(seed));
	bad |= (RAND_poll() != 1 || RAND_status() != 1) << 0;
	bad |= (!draw(a) || !draw(b) || !memcmp(a, b, 64) || all_zero(a, 32) ||
		all_zero(a + 32, 32)) << 1;
	bad |= mode_names() << 2;
	return bad;
}

/*
 * The kernel refuses getrandom (a seccomp filter: ENOSYS), the library on
 * the system call (VGETRANDOM_DISABLE_VDSO=1): RAND_bytes() must fail, the
 * instance report ERROR, and OpenSSL's queue hold our error.
 */
static int mode_refused(void)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getrandom, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(insns), .filter = insns };
	EVP_RAND_CTX *pub = RAND_get0_public(NULL);
	unsigned char buf[32];
	unsigned long err;
	int bad = 0;

	if (!is_vgr(pub) || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		return 1;
	ERR_clear_error();
	bad |= (RAND_bytes(buf, sizeof(buf)) != 0 || RAND_priv_bytes(buf, sizeof(buf)) != 0) << 1;
	bad |= (EVP_RAND_get_state(pub) != EVP_RAND_STATE_ERROR) << 2;
	err = ERR_peek_error();
	bad |= (!err || ERR_GET_REASON(err) != 1 || !ERR_lib_error_string(err) ||
		strcmp(ERR_lib_error_string(err), "vgetrandom")) << 3;
	return bad;
}

/* 1 MiB from each function in one call each. */
static int mode_large(void)
{
	unsigned char *a = calloc(2, LARGE);
	int bad;

	if (!a)
		return 1;
	bad = (RAND_bytes(a, LARGE) != 1 || RAND_priv_bytes(a + LARGE, LARGE) != 1) << 1;
	for (size_t off = 0; off < 2 * LARGE; off += LARGE / 4)
		bad |= all_zero(a + off + LARGE / 4 - 64, 64) << 2;
	bad |= !memcmp(a + LARGE - 64, a + 2 * LARGE - 64, 64) << 3;
	free(a);
	return bad;
}

static const struct {
	const char *name;
	int (*fn)(void);
} modes[] = {
	{ "--names", mode_names }, { "--none", mode_none }, { "--default", mode_default },
	{ "--bytes", mode_bytes },
	{ "--params", mode_params }, { "--workload", mode_workload }, { "--fork", mode_fork },
	{ "--threads", mode_threads }, { "--seed", mode_seed }, { "--large", mode_large },
	{ "--refused", mode_refused },
};

/* --- The parent: children run under a configuration of our choosing. --- */

enum conf { VGR, VGR_NO_VDSO, VGR_NO_MODULE, PLAIN };
static enum conf conf;
static char *const *child_argv;

static int exec_child(void)
{
	unsetenv("VGETRANDOM_DISABLE_VDSO");
	setenv("OPENSSL_CONF", conf == PLAIN ? conf_plain : conf_vgr, 1);
	setenv("OPENSSL_MODULES", conf == VGR_NO_MODULE ? empty_dir : module_dir, 1);
	if (conf == VGR_NO_VDSO)
		setenv("VGETRANDOM_DISABLE_VDSO", "1", 1);
	execv(child_argv[0], child_argv);
	return 99;
}

/* Run @argv under @c: the getrandom syscalls it made, its status in @code. */
static long run_argv(enum conf c, char *const *argv, int *code)
{
	conf = c;
	child_argv = argv;
	return count_getrandom(exec_child, code);
}

static long run_mode(enum conf c, const char *mode, int *code)
{
	char *argv[] = { self, (char *)mode, NULL };

	return run_argv(c, argv, code);
}

/* Run @argv under @c with stdout into @out (NUL-terminated); its status. */
static int run_capture(enum conf c, char *const *argv, char *out, size_t size)
{
	int fds[2], status;
	ssize_t n, len = 0;
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		/* OpenSSL's error queue on stderr: what fails is checked here. */
		dup2(fds[1], 1);
		dup2(null, 2);
		close(fds[0]);
		close(fds[1]);
		conf = c;
		child_argv = argv;
		_exit(exec_child());
	}
	close(fds[1]);
	while ((n = read(fds[0], out + len, size - 1 - len)) > 0)
		len += n;
	out[len] = 0;
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static bool write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	return f && fputs(text, f) >= 0 && !fclose(f);
}

static void test_openssl_rand(bool vdso)
{
	char *hex[] = { OPENSSL_BIN, "rand", "-hex", "32", NULL };
	char *bulk[] = { OPENSSL_BIN, "rand", "-out", "/dev/null", "1048576", NULL };
	char out[256];
	long n;
	int code;

	if (access(OPENSSL_BIN, X_OK)) {
		for (int i = 0; i < 4; i++)
			ksft_test_result_skip("no %s here\n", OPENSSL_BIN);
		return;
	}
	code = run_capture(VGR, hex, out, sizeof(out));
	ksft_test_result(!code && strlen(out) == 65 && strspn(out, "0123456789abcdef") == 64,
			 "openssl rand -hex 32 under the configuration: %.64s\n", out);
	/* openssl rand asks RAND_bytes() for its output in chunks. */
	n = run_argv(VGR_NO_VDSO, bulk, &code);
	ksft_test_result(!code && n >= 256,
			 "openssl rand 1 MiB, VGETRANDOM_DISABLE_VDSO=1: %ld getrandom syscalls (at least 256: its requests reach us)\n",
			 n);
	n = run_argv(VGR, bulk, &code);
	if (!vdso)
		ksft_test_result_skip("openssl rand 1 MiB: %ld getrandom syscalls (no vDSO getrandom() here)\n",
				      n);
	else
		ksft_test_result(!code && n >= 0 && n <= MAX_SYSCALLS,
				 "openssl rand 1 MiB under the configuration: %ld getrandom syscalls (at most %d)\n",
				 n, MAX_SYSCALLS);
	code = run_capture(VGR_NO_MODULE, hex, out, sizeof(out));
	ksft_test_result(code > 0 && !out[0],
			 "openssl rand with the module missing fails closed (status %d, no output)\n",
			 code);
}

/* An unmodified OpenSSL program of the distribution: python3's ssl module. */
static void test_python3(bool vdso)
{
	char script[128], out[256];
	char *argv[] = { PYTHON3, "-c", script, NULL };
	long with, without;
	int code;

	snprintf(script, sizeof(script), "import ssl\n");
	if (access(PYTHON3, X_OK) || run_capture(PLAIN, argv, out, sizeof(out))) {
		/* python3-minimal alone has no ssl module. */
		ksft_test_result_skip("no %s with its ssl module here\n", PYTHON3);
		ksft_test_result_skip("no %s with its ssl module here\n", PYTHON3);
		return;
	}
	snprintf(script, sizeof(script), "import ssl\nfor i in range(%d): ssl.RAND_bytes(16)\n",
		 PY_CALLS);
	without = run_argv(VGR_NO_VDSO, argv, &code);
	ksft_test_result(!code && without >= PY_CALLS,
			 "python3 ssl.RAND_bytes(16) x %d, VGETRANDOM_DISABLE_VDSO=1: %ld getrandom syscalls (one per call)\n",
			 PY_CALLS, without);
	with = run_argv(VGR, argv, &code);
	/* python3 makes a few dozen itself, for its hash seed and imports. */
	if (!vdso)
		ksft_test_result_skip("python3 under the configuration: %ld getrandom syscalls (no vDSO getrandom() here)\n",
				      with);
	else
		ksft_test_result(!code && with >= 0 && with < PY_CALLS / 100,
				 "python3 ssl.RAND_bytes(16) x %d under the configuration: %ld getrandom syscalls (python3's own)\n",
				 PY_CALLS, with);
}

static void cleanup(void)
{
	unlink(conf_vgr);
	unlink(conf_plain);
	rmdir(empty_dir);
	rmdir(scratch);
}

int main(int argc, char **argv)
{
	bool vdso;
	long n;
	int code;

	for (size_t i = 0; argc > 1 && i < ARRAY_SIZE(modes); i++)
		if (!strcmp(argv[1], modes[i].name))
			return modes[i].fn();

	ksft_print_header();
	if (readlink("/proc/self/exe", self, sizeof(self) - 1) < 0)
		ksft_exit_fail_msg("/proc/self/exe unreadable\n");
	if (argc > 1)
		snprintf(module_dir, sizeof(module_dir), "%s", argv[1]);
	else
		snprintf(module_dir, sizeof(module_dir), "%s/lib/openssl", dirname(strdup(self)));
	snprintf(conf_vgr, sizeof(conf_vgr), "%s/vgetrandom.so", module_dir);
	if (access(conf_vgr, R_OK))
		ksft_exit_fail_msg("%s: not found\n", conf_vgr);
	snprintf(scratch, sizeof(scratch), "/tmp/vgr-openssl-XXXXXX");
	if (!mkdtemp(scratch))
		ksft_exit_fail_msg("mkdtemp: %s\n", strerror(errno));
	snprintf(conf_vgr, sizeof(conf_vgr), "%s/vgetrandom.cnf", scratch);
	snprintf(conf_plain, sizeof(conf_plain), "%s/plain.cnf", scratch);
	snprintf(empty_dir, sizeof(empty_dir), "%s/no-modules", scratch);
	atexit(cleanup);
	if (!write_file(conf_vgr, conf_vgr_text) || !write_file(conf_plain, conf_plain_text) ||
	    mkdir(empty_dir, 0755))
		ksft_exit_fail_msg("%s: cannot write the configurations\n", scratch);
	vdso = vgr_vdso_sym("__vdso_getrandom") != NULL;

	ksft_set_plan(14 + 4 + 2);
	run_mode(VGR, "--names", &code);
	ksft_test_result(!code, "primary, public and private generators are VGETRANDOM (failed %#x)\n",
			 code);
	run_mode(VGR, "--params", &code);
	ksft_test_result(!code, "strength 256, READY, max_request; life cycle; nonce; parent of a CTR-DRBG (failed checks %#x)\n",
			 code);
	n = run_mode(VGR, "--workload", &code);
	if (code)
		ksft_test_result_fail("%d calls failed (%d)\n", CALLS, code);
	else if (!vdso)
		ksft_test_result_skip("%d calls: %ld getrandom syscalls (no vDSO getrandom() here)\n",
				      CALLS, n);
	else
		ksft_test_result(n >= 0 && n <= MAX_SYSCALLS,
				 "RAND_bytes() and RAND_priv_bytes(), %d calls: %ld getrandom syscalls (at most %d)\n",
				 CALLS, n, MAX_SYSCALLS);
	n = run_mode(VGR_NO_VDSO, "--workload", &code);
	ksft_test_result(!code && n >= CALLS,
			 "VGETRANDOM_DISABLE_VDSO=1: %d calls, %ld getrandom syscalls (one per call: the bytes are ours)\n",
			 CALLS, n);
	run_mode(VGR, "--fork", &code);
	ksft_test_result(!code, "fork: parent and child never draw the same bytes, %d forks (failed %#x)\n",
			 FORKS, code);
	run_mode(VGR_NO_VDSO, "--fork", &code);
	ksft_test_result(!code, "fork on the system call path (failed %#x)\n", code);
	run_mode(VGR, "--threads", &code);
	ksft_test_result(!code, "%d threads: instances of their own, %d draws each, all distinct (failed %#x)\n",
			 NTHREADS, 2 * DRAWS, code);
	run_mode(VGR, "--seed", &code);
	ksft_test_result(!code, "RAND_seed(), RAND_add(), RAND_poll() accepted and harmless (failed %#x)\n",
			 code);
	run_mode(VGR_NO_VDSO, "--refused", &code);
	ksft_test_result(!code, "getrandom refused (seccomp, ENOSYS): RAND_bytes() fails, state ERROR, error of library vgetrandom (failed %#x)\n",
			 code);
	run_mode(VGR, "--large", &code);
	ksft_test_result(!code, "1 MiB from RAND_bytes() and RAND_priv_bytes() in one call each (failed %#x)\n",
			 code);
	run_mode(PLAIN, "--default", &code);
	ksft_test_result(!code, "a configuration without the provider: OpenSSL's CTR-DRBG, working (failed %#x)\n",
			 code);
	run_mode(PLAIN, "--bytes", &code);
	ksft_test_result(!code, "RAND_bytes(), RAND_priv_bytes() without the provider (status %d)\n",
			 code);
	run_mode(VGR_NO_MODULE, "--bytes", &code);
	ksft_test_result(code == 1, "module missing: RAND_bytes() and RAND_priv_bytes() fail, closed (status %d)\n",
			 code);
	run_mode(VGR_NO_MODULE, "--none", &code);
	ksft_test_result(!code, "module missing: no generator at all, not OpenSSL's own either (there: %#x)\n",
			 code);
	test_openssl_rand(vdso);
	test_python3(vdso);
	ksft_finished();
}
