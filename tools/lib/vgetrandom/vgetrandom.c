// SPDX-License-Identifier: GPL-2.0
/*
 * libvgetrandom: getrandom() through the vDSO on per-thread states.
 *
 * The kernel's __vdso_getrandom() generates bytes in userspace from an
 * opaque state that the caller owns; a state must never be used by two
 * threads at once.  This file hands each thread a state on its first call
 * and takes it back when the thread exits, from a process-wide pool that
 * grows in batches (vgetrandom_os.c maps them) and never shrinks.
 *
 * Locking: vgr.lock protects the pool's bookkeeping.  It is never held
 * while calling into the vDSO: not around __vdso_getrandom(), and not
 * around __vdso_vgetrandom_alloc() either (batches are mapped unlocked).
 *
 * Fork: the kernel wipes the states in the child (MAP_DROPPABLE implies
 * wipe-on-fork) and the vDSO rekeys a wiped state, so the generator needs
 * nothing from us.  The pool lock does: it is taken around fork() so that
 * the child never inherits it held, and the child takes back the states
 * of the threads that did not follow it.
 *
 * Signals: a handler that calls vgetrandom() while its thread is inside
 * __vdso_getrandom() on the same state is caught by the vDSO itself (the
 * state is in use; it makes the system call).  A handler that interrupts
 * the first-call path below (pthread_once, the pool lock) must not enter
 * it again: a per-thread busy flag sends it to the system call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
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

static struct {
	pthread_once_t once;
	struct vgr_vdso vdso;	/* written once by vgr_init() */
	pthread_key_t key;	/* its destructor returns a thread's state */

	pthread_mutex_t lock;	/* protects what follows */
	void **all;		/* every state mapped, [0, nall) */
	void **free;		/* states no thread owns, [0, nfree) */
	size_t nall, nfree;
	size_t cap;		/* room in all[] and in free[] */
	size_t bytes;		/* droppable memory mapped */
	size_t by_alloc;	/* states from vgetrandom_alloc() */
} vgr = {
	.once = PTHREAD_ONCE_INIT,
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

/**
 * struct vgr_thread - a thread's view of the library
 * @state:	its state, or NULL before its first call
 * @busy:	inside the first-call path, or past the thread's exit
 *		destructor: calls on this thread take the system call
 */
struct vgr_thread {
	void *state;
	bool busy;
};

static __thread struct vgr_thread vgr_self;

/*
 * Orders vgr_self against a signal handler on the same thread: the
 * compiler must not move the accesses across it; the CPU sees its own
 * program order.
 */
#define vgr_signal_barrier()	atomic_signal_fence(memory_order_seq_cst)

/* --- The pool: _reserve, _add and _pop need vgr.lock; _get and _put take it. --- */

static void *vgr_state_at(const struct vgr_batch *b, size_t i)
{
	size_t per_page = vgr.vdso.page_size / vgr.vdso.state_size;

	return b->addr + i / per_page * vgr.vdso.page_size +
	       i % per_page * vgr.vdso.state_size;
}

/*
 * Room for @more states in both arrays.  free[] is as large as all[], so
 * giving a state back never needs memory.  mmap(), not malloc(): this may
 * run under a signal handler that interrupted malloc().
 */
static bool vgr_pool_reserve(size_t more)
{
	size_t cap = (vgr.nall + more) * 2;
	void **all;

	if (vgr.nall + more <= vgr.cap)
		return true;
	all = vgr_os_map(2 * cap * sizeof(void *));
	if (!all)
		return false;
	if (vgr.all) {
		memcpy(all, vgr.all, vgr.nall * sizeof(void *));
		memcpy(all + cap, vgr.free, vgr.nfree * sizeof(void *));
		vgr_os_unmap(vgr.all, 2 * vgr.cap * sizeof(void *));
	}
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
	vgr.bytes += b->len;
	vgr.by_alloc += b->by_alloc ? b->num : 0;
	return true;
}

static void *vgr_pool_pop(void)
{
	return vgr.nfree ? vgr.free[--vgr.nfree] : NULL;
}

/**
 * vgr_pool_get() - take a free state, mapping a new batch if there is none
 *
 * Takes vgr.lock itself, and drops it to map: several threads may then map
 * a batch each, which only makes the pool a little larger.
 *
 * Returns: a state (zeroed or wiped: the vDSO keys it), or NULL.
 */
static void *vgr_pool_get(void)
{
	struct vgr_batch b;
	void *state;

	pthread_mutex_lock(&vgr.lock);
	state = vgr_pool_pop();
	pthread_mutex_unlock(&vgr.lock);
	if (state)
		return state;

	if (!vgr_os_alloc_states(&vgr.vdso, VGR_BATCH, &b))
		return NULL;
	pthread_mutex_lock(&vgr.lock);
	if (vgr_pool_add(&b))
		state = vgr_pool_pop();
	pthread_mutex_unlock(&vgr.lock);
	if (!state)
		vgr_os_unmap(b.addr, b.len);
	return state;
}

static void vgr_pool_put(void *state)
{
	pthread_mutex_lock(&vgr.lock);
	vgr.free[vgr.nfree++] = state;
	pthread_mutex_unlock(&vgr.lock);
}

/* --- Fork: pthread_atfork() handlers. --- */

static void vgr_fork_prepare(void)
{
	pthread_mutex_lock(&vgr.lock);
}

static void vgr_fork_parent(void)
{
	pthread_mutex_unlock(&vgr.lock);
}

/*
 * Only the forking thread exists in the child.  The states of the others
 * (including one a thread was just taking or giving back) are free again;
 * the kernel wiped them all, ours too.  A batch that another thread had
 * mapped but not yet added is lost to the child: wiped memory, harmless.
 */
static void vgr_fork_child(void)
{
	void *mine = vgr_self.state;

	vgr.nfree = 0;
	for (size_t i = 0; i < vgr.nall; i++)
		if (vgr.all[i] != mine)
			vgr.free[vgr.nfree++] = vgr.all[i];
	pthread_mutex_unlock(&vgr.lock);
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

static void vgr_init(void)
{
	struct vgr_vdso v;

	if (!vgr_os_find_vdso(&v))
		return;
	if (pthread_key_create(&vgr.key, vgr_thread_exit))
		return;
	if (pthread_atfork(vgr_fork_prepare, vgr_fork_parent, vgr_fork_child)) {
		pthread_key_delete(vgr.key);
		return;
	}
	/* pthread_once() publishes it to every thread that calls it. */
	vgr.vdso = v;
}

/* The first-call path of a thread: NULL means "use the system call". */
static void *vgr_thread_attach(void)
{
	int saved_errno = errno;
	void *state;

	pthread_once(&vgr.once, vgr_init);
	if (!vgr.vdso.getrandom)
		return NULL;
	state = vgr_pool_get();
	if (state && pthread_setspecific(vgr.key, state)) {
		vgr_pool_put(state);
		state = NULL;
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
	if (!state) {
		state = vgr_thread_attach();
		vgr_self.state = state;
	}
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
	pthread_once(&vgr.once, vgr_init);
	return vgr.vdso.getrandom != NULL;
}

/* Test hooks (vgetrandom_internal.h). */
void vgetrandom_pool_stats(struct vgr_pool_stats *st)
{
	memset(st, 0, sizeof(*st));
	/* Without the vDSO there is no pool, nor fork handlers for its lock. */
	if (!vgetrandom_vdso_active())
		return;
	pthread_mutex_lock(&vgr.lock);
	st->states = vgr.nall;
	st->free = vgr.nfree;
	st->bytes = vgr.bytes;
	st->by_alloc = vgr.by_alloc;
	pthread_mutex_unlock(&vgr.lock);
}

const void *vgetrandom_thread_state(void)
{
	return vgr_self.state;
}
