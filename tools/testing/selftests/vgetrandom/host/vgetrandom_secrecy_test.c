// SPDX-License-Identifier: GPL-2.0
/*
 * Forward secrecy of the generic vDSO getrandom() (lib/vdso/getrandom.c,
 * built unchanged with the host shim): after every call, no 32-byte window
 * of the state, used as a ChaCha20 key at any counter a call uses, gives
 * back any output returned so far, and no returned output is left in the
 * state. Through reseeds, drops between calls and every length class
 * (from the batch, across its end, direct blocks). The guest runs the
 * same scan on the real vDSO's state (vgetrandom_secrecy_test).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sodium.h>

#include "../../kselftest.h"
#include "vgetrandom_host.h"
#include "../vgetrandom_secrecy.h"

#define STATE_SIZE	sizeof(struct vgetrandom_state)
#define MAX_CALL	4096
#define CALLS		64

/* The scan's ChaCha20 against libsodium's, at random keys and counters. */
static void test_chacha_reference(void)
{
	u8 key[32], nonce[8] = { 0 }, ours[64], ref[64];
	bool ok = vgr_chacha20_selftest();

	for (int i = 0; i < 1000 && ok; i++) {
		u64 ctr = i < 500 ? (u64)i : randombytes_random() | (u64)randombytes_random() << 32;

		randombytes_buf(key, sizeof(key));
		vgr_chacha20_block(key, ctr, ours);
		memset(ref, 0, sizeof(ref));
		crypto_stream_chacha20_xor_ic(ref, ref, sizeof(ref), nonce, ctr, key);
		ok = !memcmp(ours, ref, sizeof(ref));
	}
	ksft_test_result(ok, "the scan's ChaCha20 equals libsodium's at 1000 keys and counters\n");
}

static void test_forward_secrecy(struct vgetrandom_state *state)
{
	static const size_t lens[] = { 1, 16, 31, 32, 100, 500, 928, 929, 1000, 2000, 4096, 3000 };
	static u8 returned[CALLS * MAX_CALL], before[STATE_SIZE], buf[MAX_CALL];
	size_t nret = 0, key_hits = 0, left = 0, control = 0, controls = 0;
	struct vgr_wset set, one;
	bool lens_ok = true;

	memset(&vgr_harness, 0, sizeof(vgr_harness));
	vgr_harness.rng.generation = 1;
	vgr_harness.rng.is_ready = 1;
	memset(state, 0, STATE_SIZE);

	for (int i = 0; i < CALLS; i++) {
		size_t len = lens[i % ARRAY_SIZE(lens)];

		/* Now and then a reseed, or a drop, between two calls. */
		if (i % 13 == 12)
			vgr_harness.rng.generation++;
		if (i % 17 == 16)
			memset(state, 0, STATE_SIZE);

		memcpy(before, state, STATE_SIZE);
		if (vgr_getrandom(buf, len, 0, state, STATE_SIZE) != (ssize_t)len)
			lens_ok = false;
		memcpy(returned + nret, buf, len);
		nret += len;

		if (!vgr_wset_init(&set, returned, nret))
			ksft_exit_fail_msg("out of memory\n");
		key_hits += vgr_scan_state((u8 *)state, STATE_SIZE, &set);
		left += vgr_wset_count_in(&set, (u8 *)state, STATE_SIZE);
		vgr_wset_free(&set);

		/* A keyed state before a call larger than its batch predicts it. */
		if (len >= 2000 && ((struct vgetrandom_state *)before)->generation ==
				   vgr_harness.rng.generation) {
			if (!vgr_wset_init(&one, buf, len))
				ksft_exit_fail_msg("out of memory\n");
			controls++;
			control += !!vgr_scan_state(before, STATE_SIZE, &one);
			vgr_wset_free(&one);
		}
	}
	ksft_test_result(lens_ok && !key_hits && !left,
			 "forward secrecy: after each of %d calls (reseeds, drops, all length classes), no 32-byte window of the state, as a key at counters 0..%d, gives back any of the %zu bytes returned (%zu hits), none left in it (%zu)\n",
			 CALLS, VGR_SCAN_BLOCKS - 1, nret, key_hits, left);
	ksft_test_result(controls && control == controls,
			 "forward secrecy control: the state before each of %zu large calls predicts that call's output (%zu)\n",
			 controls, control);
}

int main(void)
{
	void *page;

	ksft_print_header();
	ksft_set_plan(3);
	if (sodium_init() < 0)
		ksft_exit_fail_msg("sodium_init failed\n");
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		ksft_exit_fail_msg("mmap failed\n");
	test_chacha_reference();
	test_forward_secrecy(page);
	ksft_finished();
}
