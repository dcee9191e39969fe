// SPDX-License-Identifier: GPL-2.0
/*
 * libvgetrandom: getrandom() through the vDSO on per-thread states.
 *
 * The kernel's __vdso_getrandom() generates bytes in userspace from an
 * opaque state that the caller owns; a state must never be used by two
 * threads at once.  This file hands each thread a state on its first call
 * and takes it back when the thread exits, from a process-wide pool that
 * grows in batches (vgetrandom_os.c maps them) and only shrinks to nothing,
 * in the destructor, when no other thread holds a state.
 *
 * Initialisation happens when the library is loaded (a constructor), so
 * that no call, not even a first one made inside a signal handler, runs
 * code that is not async-signal-safe; the thread's block (vgr_self) is in
 * static TLS, so that no access to it calls malloc() either.  The
 * destructor deletes the thread key, so that a dlclose()d copy of this
 * code leaves no destructor behind.
 *
 * Locking: the pool lock protects the pool's bookkeeping.  It is a spin
 * lock that records its holder (the holder's thread-local block), held
 * only for a few instructions (and, when the pool grows, one mmap()).  A
 * signal handler that finds its own thread holding it does not wait: the
 * call takes the system call instead.  It is never held while calling into
 * the vDSO, nor around __vdso_vgetrandom_alloc().
 *
 * Fork: the kernel wipes the states in the child (MAP_DROPPABLE implies
 * wipe-on-fork) and the vDSO rekeys a wiped state, so the generator needs
 * nothing from us.  The pool does: the lock is taken around fork(), so the
 * child never inherits it from a thread that does not exist there, and the
 * child takes back the states of the threads that did not follow it.  A
 * fork() from a handler that interrupted its own thread inside the pool
 * leaves the pool to that thread, which finishes once the handler returns;
 * one from a handler that interrupted the fork handlers themselves nests
 * inside them and leaves the lock to the outer ones.  A thread's state is
 * recorded as its own in the same critical section that takes it from the
 * pool, so a fork at any point can tell it apart.
 *
 * Signals: a handler that calls vgetrandom() while its thread is inside
 * __vdso_getrandom() on the same state is caught by the vDSO itself (the
 * state is owned; it makes the system call).  A handler that interrupts
 * the first-call path below must not enter it again: a per-thread busy
 * flag sends it to the system call.
 *
 * States that cannot be had (no memory, a seccomp filter refusing
 * vgetrandom_alloc() or the mmap()): after a thread's n-th failed attempt
 * in a row, its next 2^n - 1 calls (at most 65535) use the system call
 * without trying again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#include "vgetrandom.h"
#include "vgetrandom_internal.h"

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

/*
 * States asked for per batch: one page of mainline's (28 of 144 bytes, the
 * page is used whole), four pages of ours (1024 bytes).
 */
#define VGR_BATCH	16

/* The longest back-off after failed state allocations: 2^16 - 1 calls. */
#define VGR_MAX_BACKOFF_SHIFT	16

/* A mapping of states, to be unmapped whole. */
struct vgr_map {
	void *addr;
	size_t len;
};

static struct {
	struct vgr_vdso vdso;	/* written once, by the constructor */
	pthread_key_t key;	/* its destructor returns a thread's state */
	bool have_key;
	_Atomic(void *) owner;	/* the lock: its holder's vgr_self, or NULL */

	/* Protected by the lock: */
	bool closed;		/* unmapped by the destructor: hand out nothing */
	void **all;		/* every state mapped, [0, nall) */
	void **free;		/* states no thread owns, [0, nfree) */
	struct vgr_map *maps;	/* the mappings they lie in, [0, nmaps) */
	size_t nall, nfree, nmaps;
	size_t cap;		/* room in all[], free[] and maps[] */
	size_t bytes;		/* droppable memory mapped */
	size_t by_alloc;	/* states from vgetrandom_alloc() */

	atomic_size_t alloc_attempts, alloc_failures;
} vgr;

/**
 * struct vgr_thread - a thread's view of the library
 * @state:	its state, or NULL before its first call
 * @busy:	inside the first-call path, or past the thread's exit
 *		destructor: calls on this thread take the system call
 * @fork_depth:	fork() handlers of ours entered and not yet left: more than
 *		one when a signal handler forked inside a fork()
 * @fork_locked_at: the depth whose prepare handler took the pool lock, 0
 *		if none did; only the handlers at that depth release it
 * @fails:	failed attempts in a row to get a state
 * @backoff:	calls left before the next attempt
 */
struct vgr_thread {
	void *state;
	bool busy;
	unsigned int fork_depth;
	unsigned int fork_locked_at;
	unsigned int fails;
	unsigned int backoff;
};

/*
 * glibc: initial-exec, static TLS, set up when a thread is created (for a
 * library loaded by dlopen(), placed in the surplus glibc reserves for
 * such libraries, 512 bytes by default since 2.32; this takes 32).  With
 * the general-dynamic model of -fPIC, glibc would malloc() the block on a
 * thread's first access, in __tls_get_addr(): a deadlock for a first call
 * made in a signal handler that interrupted malloc().
 *
 * musl sets up a dlopen()ed library's TLS for every thread at dlopen() and
 * pthread_create(), so no access allocates; and its dynamic linker refuses
 * to load a library with initial-exec TLS.  It keeps the default.
 */
#ifdef __GLIBC__
#define VGR_TLS_MODEL	__attribute__((tls_model("initial-exec")))
#else
#define VGR_TLS_MODEL
#endif

static __thread struct vgr_thread vgr_self VGR_TLS_MODEL;

/*
 * Orders vgr_self against a signal handler on the same thread: the
 * compiler must not move the accesses across it; the CPU sees its own
 * program order.
 */
#define vgr_signal_barrier()	atomic_signal_fence(memory_order_seq_cst)

/**
 * vgr_lock() - take the pool lock
 *
 * Returns: true once taken; false at once if this thread holds it already
 * (a signal handler interrupted it in the pool): the caller must then do
 * without the pool.
 */
static bool vgr_lock(void)
{
	void *me = &vgr_self;

	if (atomic_load_explicit(&vgr.owner, memory_order_relaxed) == me)
		return false;
	for (unsigned int spins = 0;; spins++) {
		void *expected = NULL;

		if (atomic_compare_exchange_weak_explicit(&vgr.owner, &expected, me,
							  memory_order_acquire,
							  memory_order_relaxed))
			return true;
		if (spins > 64)
			sched_yield();
	}
}

static void vgr_unlock(void)
{
	atomic_store_explicit(&vgr.owner, NULL, memory_order_release);
}

/* --- The pool: _reserve, _add and _pop need the lock; _get and _put take it. --- */

static void *vgr_state_at(const struct vgr_batch *b, size_t i)
{
	size_t per_page = vgr.vdso.page_size / vgr.vdso.state_size;

	return b->addr + i / per_page * vgr.vdso.page_size +
	       i % per_page * vgr.vdso.state_size;
}

/* The bookkeeping for @cap states: maps[], then all[] and free[]. */
static size_t vgr_book_len(size_t cap)
{
	return cap * (sizeof(struct vgr_map) + 2 * sizeof(void *));
}

/*
 * Room for @more states in the three arrays.  free[] is as large as all[],
 * so giving a state back never needs memory; maps[] too, as every mapping
 * holds a state at least.  mmap(), not malloc(): this may run under a
 * signal handler that interrupted malloc().
 */
static bool vgr_pool_reserve(size_t more)
{
	size_t cap = (vgr.nall + more) * 2;
	struct vgr_map *maps;
	void **all;

	if (vgr.nall + more <= vgr.cap)
		return true;
	maps = vgr_os_map(vgr_book_len(cap));
	if (!maps)
		return false;
	all = (void **)(maps + cap);
	if (vgr.maps) {
		memcpy(maps, vgr.maps, vgr.nmaps * sizeof(*maps));
		memcpy(all, vgr.all, vgr.nall * sizeof(void *));
		memcpy(all + cap, vgr.free, vgr.nfree * sizeof(void *));
		vgr_os_unmap(vgr.maps, vgr_book_len(vgr.cap));
	}
	vgr.maps = maps;
	vgr.all = all;
	vgr.free = all + cap;
	vgr.cap = cap;
	return true;
}

static bool vgr_pool_add(const struct vgr_batch *b)
{
	if (!vgr_pool_reserve(b->num))
		return false;
	for (size_t i = 0; i < b->num; i++) {
		void *state = vgr_state_at(b, i);

		vgr.all[vgr.nall++] = state;
		vgr.free[vgr.nfree++] = state;
	}
	vgr.maps[vgr.nmaps++] = (struct vgr_map){ b->addr, b->len };
	vgr.bytes += b->len;
	vgr.by_alloc += b->by_alloc ? b->num : 0;
	return true;
}

/* After the destructor unmapped the pool, nfree is 0 and stays so. */
static void *vgr_pool_pop(void)
{
	return vgr.nfree ? vgr.free[--vgr.nfree] : NULL;
}

/*
 * Take a free state and make it this thread's, in one critical section: a
 * fork() at any moment then finds it in vgr_self.state (the fork handlers
 * take the lock, or, if they interrupted this very section, leave the pool
 * alone).
 */
static void *vgr_pool_take(void)
{
	void *state = vgr_pool_pop();

	vgr_self.state = state;
	return state;
}

/**
 * vgr_pool_get() - give this thread a free state, mapping a batch if needed
 *
 * Takes the lock itself, and drops it to map: several threads may then map
 * a batch each, which only makes the pool a little larger.
 *
 * Returns: the state, also recorded in vgr_self.state (zeroed or wiped:
 * the vDSO keys it), or NULL.
 */
static void *vgr_pool_get(void)
{
	struct vgr_batch b;
	bool closed;
	void *state;

	if (!vgr_lock())
		return NULL;
	state = vgr_pool_take();
	closed = vgr.closed;
	vgr_unlock();
	if (state || closed)
		return state;

	atomic_fetch_add(&vgr.alloc_attempts, 1);
	if (!vgr_os_alloc_states(&vgr.vdso, VGR_BATCH, &b)) {
		atomic_fetch_add(&vgr.alloc_failures, 1);
		return NULL;
	}
	if (!vgr_lock()) {
		vgr_os_unmap(b.addr, b.len);
		return NULL;
	}
	if (!vgr.closed && vgr_pool_add(&b))
		state = vgr_pool_take();
	vgr_unlock();
	if (!state)
		vgr_os_unmap(b.addr, b.len);
	return state;
}

/*
 * Give a state back.  If a handler interrupted this thread inside the
 * pool, the state is lost to the pool: memory, never a shared state.  A
 * closed pool cannot hold a state (none was held when it closed).
 */
static void vgr_pool_put(void *state)
{
	if (!vgr_lock())
		return;
	if (!vgr.closed)
		vgr.free[vgr.nfree++] = state;
	vgr_unlock();
}

/*
 * --- Fork: pthread_atfork() handlers. ---
 *
 * They nest when a signal handler forks while its thread is between our
 * prepare and parent (or child) handler: glibc and musl allow that in a
 * single-threaded process (in others their own fork lock deadlocks
 * first).  The inner prepare cannot take the lock (this thread holds it,
 * vgr_lock() says no), so the inner parent and child must not release it:
 * only the depth that took it does, which fork_locked_at records.  Both
 * fields are this thread's and change in an order that keeps this true
 * wherever a handler interrupts: the depth is raised before the lock is
 * taken and lowered after it is released.
 */

static void vgr_fork_prepare(void)
{
	unsigned int depth = ++vgr_self.fork_depth;

	vgr_signal_barrier();
	/*
	 * A fork() nested between taking the lock and recording the depth
	 * finds the lock this thread's and takes nothing.
	 */
	if (vgr_lock())
		vgr_self.fork_locked_at = depth;
	vgr_signal_barrier();
}

/*
 * Leave the handlers at this depth, releasing the lock if this depth took
 * it.  A fork() nested before the release (the lock still this thread's,
 * fork_locked_at already 0 or another depth) takes nothing and releases
 * nothing; one nested after it, before the depth drops, takes and releases
 * the lock at the depth above.
 */
static void vgr_fork_leave(unsigned int depth)
{
	if (vgr_self.fork_locked_at == depth) {
		vgr_self.fork_locked_at = 0;
		vgr_signal_barrier();
		vgr_unlock();
	}
	vgr_signal_barrier();
	vgr_self.fork_depth = depth - 1;
}

static void vgr_fork_parent(void)
{
	unsigned int depth = vgr_self.fork_depth;

	if (depth)
		vgr_fork_leave(depth);
}

/*
 * Only the forking thread exists in the child.  The states of the others
 * (including one a thread was just giving back) are free again; the kernel
 * wiped them all, ours too.  A batch that another thread had mapped but
 * not yet added is lost to the child: wiped memory, harmless.  If the fork
 * came from a handler that interrupted this thread inside the pool, or
 * inside our outer fork handlers (this depth did not take the lock), the
 * interrupted code finishes with the pool when the handler returns, and
 * the other threads' states stay lost to the child (after a nested fork
 * there are none: the process had a single thread).
 */
static void vgr_fork_child(void)
{
	unsigned int depth = vgr_self.fork_depth;
	void *mine = vgr_self.state;

	if (!depth)
		return;
	if (vgr_self.fork_locked_at == depth) {
		vgr.nfree = 0;
		for (size_t i = 0; i < vgr.nall; i++)
			if (vgr.all[i] != mine)
				vgr.free[vgr.nfree++] = vgr.all[i];
	}
	vgr_fork_leave(depth);
}

/* --- Threads. --- */

/*
 * The key's destructor, at thread exit.  Once busy is set and the state
 * forgotten, a signal handler, or a later destructor that calls
 * vgetrandom(), takes the system call: a new state taken now would never
 * be given back.  The state is zeroed before another thread can take it:
 * a free state holds no key.
 */
static void vgr_thread_exit(void *state)
{
	vgr_self.busy = true;
	vgr_self.state = NULL;
	vgr_signal_barrier();
	explicit_bzero(state, vgr.vdso.state_size);
	vgr_pool_put(state);
}

__attribute__((constructor))
static void vgr_init(void)
{
	struct vgr_vdso v;

	if (!vgr_os_find_vdso(&v))
		return;
	if (pthread_key_create(&vgr.key, vgr_thread_exit))
		return;
	vgr.have_key = true;
	if (pthread_atfork(vgr_fork_prepare, vgr_fork_parent, vgr_fork_child))
		return;
	vgr.vdso = v;
}

/*
 * Unmap the pool if that is safe, and close it.  The destructor cannot
 * tell exit() from dlclose(): glibc runs it for both, and at exit() other
 * threads go on running, in vgetrandom() too, until the process ends.  So
 * the pool goes only if no other thread holds a state: then none can be
 * inside the vDSO on one, and the closed pool sends a thread that comes
 * later to the system call.  This thread's own state goes too, as no call
 * can be running on it (a handler that interrupted one and exits never
 * returns to it); its later calls find no state and no key.  Otherwise
 * (exit() with threads that hold states, or dlclose() of a copy of this
 * code while they do) all stays mapped: memory, never a fault.
 *
 * Never waits for the lock: a thread that holds it may never let go
 * (stopped in a signal handler), and exit() must not hang on it.
 */
static void vgr_pool_release(void)
{
	void *expected = NULL, *mine = vgr_self.state;

	if (!atomic_compare_exchange_strong_explicit(&vgr.owner, &expected, &vgr_self,
						     memory_order_acquire, memory_order_relaxed))
		return;
	if (vgr.nfree + (mine ? 1 : 0) == vgr.nall) {
		vgr_self.state = NULL;
		vgr_signal_barrier();
		for (size_t i = 0; i < vgr.nmaps; i++)
			vgr_os_unmap(vgr.maps[i].addr, vgr.maps[i].len);
		if (vgr.maps)
			vgr_os_unmap(vgr.maps, vgr_book_len(vgr.cap));
		vgr.maps = NULL;
		vgr.all = vgr.free = NULL;
		vgr.nall = vgr.nfree = vgr.nmaps = vgr.cap = 0;
		vgr.bytes = vgr.by_alloc = 0;
		vgr.closed = true;
	}
	vgr_unlock();
}

/*
 * At exit, or at dlclose() of a shared object with this code (not
 * libvgetrandom.so.1 itself, which is never unloaded): threads that still
 * hold a state must not run our key destructor later, when our code may
 * be gone; then the pool, if no other thread holds a state.
 */
__attribute__((destructor))
static void vgr_fini(void)
{
	if (vgr.have_key)
		pthread_key_delete(vgr.key);
	vgr.have_key = false;
	vgr_pool_release();
}

void (*vgetrandom_test_attach_hook)(void);

/* The first-call path of a thread: NULL means "use the system call". */
static void *vgr_thread_attach(void)
{
	int saved_errno = errno;
	void *state;

	if (!vgr.vdso.getrandom || !vgr.have_key)
		return NULL;
	if (vgr_self.backoff) {
		vgr_self.backoff--;
		return NULL;
	}
	state = vgr_pool_get();
	if (!state) {
		unsigned int shift = vgr_self.fails < VGR_MAX_BACKOFF_SHIFT ?
				     ++vgr_self.fails : VGR_MAX_BACKOFF_SHIFT;

		vgr_self.backoff = (1U << shift) - 1;
		errno = saved_errno;
		return NULL;
	}
	if (unlikely(vgetrandom_test_attach_hook))
		vgetrandom_test_attach_hook();
	if (pthread_setspecific(vgr.key, state)) {
		vgr_self.state = NULL;
		vgr_signal_barrier();
		vgr_pool_put(state);
		state = NULL;
	} else {
		vgr_self.fails = 0;
	}
	errno = saved_errno;
	return state;
}

/**
 * vgr_thread_state() - the calling thread's state
 *
 * Returns: the state, or NULL if this call must use the system call: no
 * usable vDSO, no memory for a state, or this thread is already inside
 * this function (a signal handler interrupted it) or exiting.
 */
static void *vgr_thread_state(void)
{
	void *state = vgr_self.state;

	if (likely(state))
		return state;
	if (vgr_self.busy)
		return NULL;
	vgr_self.busy = true;
	vgr_signal_barrier();
	/*
	 * A handler that ran between the two tests above attached a state
	 * of its own to this thread: use that one, take no second.
	 */
	state = vgr_self.state;
	if (!state)
		state = vgr_thread_attach();
	vgr_signal_barrier();
	vgr_self.busy = false;
	return state;
}

/* --- The API. --- */

static bool vgr_flags_valid(unsigned int flags)
{
	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return false;
	/* As the system call: blocking and insecure at once makes no sense. */
	return (flags & (GRND_RANDOM | GRND_INSECURE)) != (GRND_RANDOM | GRND_INSECURE);
}

ssize_t vgetrandom(void *buf, size_t len, unsigned int flags)
{
	ssize_t ret;
	void *state;

	if (unlikely(!vgr_flags_valid(flags))) {
		errno = EINVAL;
		return -1;
	}
	state = vgr_thread_state();
	if (unlikely(!state))
		return vgr_os_getrandom(buf, len, flags);

	/*
	 * The vDSO makes the system call itself whenever it cannot do the
	 * job (RNG not ready, state in use by an interrupted call, rekeying
	 * failed), so an error from it is the system call's own.
	 */
	ret = vgr.vdso.getrandom(buf, len, flags, state, vgr.vdso.state_size);
	if (unlikely(ret < 0)) {
		errno = -ret;
		return -1;
	}
	return ret;
}

int vgetrandom_vdso_active(void)
{
	return vgr.vdso.getrandom != NULL;
}

/* Test hooks (vgetrandom_internal.h). */
void vgetrandom_pool_stats(struct vgr_pool_stats *st)
{
	memset(st, 0, sizeof(*st));
	/* Without the vDSO there is no pool, nor fork handlers for its lock. */
	if (!vgetrandom_vdso_active())
		return;
	st->alloc_attempts = atomic_load(&vgr.alloc_attempts);
	st->alloc_failures = atomic_load(&vgr.alloc_failures);
	if (!vgr_lock())
		return;
	st->states = vgr.nall;
	st->free = vgr.nfree;
	st->bytes = vgr.bytes;
	st->by_alloc = vgr.by_alloc;
	vgr_unlock();
}

const void *vgetrandom_thread_state(void)
{
	return vgr_self.state;
}
