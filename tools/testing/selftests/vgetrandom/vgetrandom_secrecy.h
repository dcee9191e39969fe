/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Forward-secrecy scan shared by the host and guest secrecy tests: could
 * any 32 bytes of a state, used as a ChaCha20 key at any block counter a
 * state may use, reproduce output already returned?  Plus a set of the
 * 16-byte windows of a byte stream, to look for returned output anywhere
 * (in the state itself, on the stack).
 *
 * The ChaCha20 here is a plain C one (the guest has no libsodium): the
 * original (DJB) variant the vDSO uses, 64-bit counter in words 12-13,
 * zero nonce.  vgr_chacha20_selftest() checks it against known output.
 */
#ifndef _VGETRANDOM_SECRECY_H
#define _VGETRANDOM_SECRECY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define VGR_WINDOW		16
/*
 * Blocks per key the scan tries: more than any one call of these tests
 * makes with one key (4 KiB of direct blocks, then a 15-block batch).
 */
#define VGR_SCAN_BLOCKS		128

#define VGR_ROTL(v, n)	(((v) << (n)) | ((v) >> (32 - (n))))
#define VGR_QR(a, b, c, d) do {						\
	a += b; d ^= a; d = VGR_ROTL(d, 16);				\
	c += d; b ^= c; b = VGR_ROTL(b, 12);				\
	a += b; d ^= a; d = VGR_ROTL(d, 8);				\
	c += d; b ^= c; b = VGR_ROTL(b, 7);				\
} while (0)

static inline uint32_t vgr_le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* One 64-byte block of ChaCha20 under @key (32 bytes, any alignment). */
static inline void vgr_chacha20_block(const uint8_t *key, uint64_t counter, uint8_t *out)
{
	uint32_t in[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 }, x[16];

	for (int i = 0; i < 8; i++)
		in[4 + i] = vgr_le32(key + 4 * i);
	in[12] = (uint32_t)counter;
	in[13] = counter >> 32;
	memcpy(x, in, sizeof(x));
	for (int i = 0; i < 10; i++) {
		VGR_QR(x[0], x[4], x[8], x[12]);
		VGR_QR(x[1], x[5], x[9], x[13]);
		VGR_QR(x[2], x[6], x[10], x[14]);
		VGR_QR(x[3], x[7], x[11], x[15]);
		VGR_QR(x[0], x[5], x[10], x[15]);
		VGR_QR(x[1], x[6], x[11], x[12]);
		VGR_QR(x[2], x[7], x[8], x[13]);
		VGR_QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++) {
		uint32_t v = x[i] + in[i];

		out[4 * i] = v;
		out[4 * i + 1] = v >> 8;
		out[4 * i + 2] = v >> 16;
		out[4 * i + 3] = v >> 24;
	}
}

/* The first 16 bytes of blocks 0 and 1 under the all-zero key. */
static inline bool vgr_chacha20_selftest(void)
{
	static const uint8_t want0[16] = {
		0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90,
		0x40, 0x5d, 0x6a, 0xe5, 0x53, 0x86, 0xbd, 0x28,
	};
	static const uint8_t want1[16] = {
		0x9f, 0x07, 0xe7, 0xbe, 0x55, 0x51, 0x38, 0x7a,
		0x98, 0xba, 0x97, 0x7c, 0x73, 0x2d, 0x08, 0x0d,
	};
	static const uint8_t zero_key[32];
	uint8_t b0[64], b1[64];

	vgr_chacha20_block(zero_key, 0, b0);
	vgr_chacha20_block(zero_key, 1, b1);
	return !memcmp(b0, want0, sizeof(want0)) && !memcmp(b1, want1, sizeof(want1));
}

/*
 * A set of the 16-byte windows of @base at every offset: hashes in an
 * open-addressed table, confirmed against @base on a hit.
 */
struct vgr_wset {
	const uint8_t	*base;
	uint64_t	*hash;
	uint32_t	*pos;
	size_t		mask;
};

static inline uint64_t vgr_whash(const uint8_t *p)
{
	uint64_t a, b;

	memcpy(&a, p, 8);
	memcpy(&b, p + 8, 8);
	a = (a ^ (b * 0x9e3779b97f4a7c15ULL)) * 0xbf58476d1ce4e5b9ULL;
	return (a ^ (a >> 29)) | 1;	/* 0 marks an empty slot */
}

/* Build the set of @base[0..@len); false if out of memory. */
static inline bool vgr_wset_init(struct vgr_wset *s, const uint8_t *base, size_t len)
{
	size_t n = len >= VGR_WINDOW ? len - VGR_WINDOW + 1 : 0, size = 64;

	while (size < 2 * n)
		size *= 2;
	s->base = base;
	s->mask = size - 1;
	s->hash = calloc(size, sizeof(*s->hash));
	s->pos = calloc(size, sizeof(*s->pos));
	if (!s->hash || !s->pos)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint64_t h = vgr_whash(base + i);
		size_t slot = h & s->mask;

		while (s->hash[slot])
			slot = (slot + 1) & s->mask;
		s->hash[slot] = h;
		s->pos[slot] = i;
	}
	return true;
}

static inline void vgr_wset_free(struct vgr_wset *s)
{
	free(s->hash);
	free(s->pos);
}

/* Whether the 16 bytes at @p are a window of the set's stream. */
static inline bool vgr_wset_has(const struct vgr_wset *s, const uint8_t *p)
{
	uint64_t h = vgr_whash(p);

	for (size_t slot = h & s->mask; s->hash[slot]; slot = (slot + 1) & s->mask)
		if (s->hash[slot] == h && !memcmp(s->base + s->pos[slot], p, VGR_WINDOW))
			return true;
	return false;
}

/* How many 16-byte windows of @p[0..@len), at any offset, are in @s. */
static inline size_t vgr_wset_count_in(const struct vgr_wset *s, const uint8_t *p, size_t len)
{
	size_t found = 0;

	for (size_t i = 0; i + VGR_WINDOW <= len; i++)
		found += vgr_wset_has(s, p + i);
	return found;
}

/*
 * How many of the 32-byte windows of @state (every byte offset), used as
 * keys at counters 0..VGR_SCAN_BLOCKS-1, produce a 16-byte-aligned window
 * of keystream that is in @returned: every run of at least 31 bytes of one
 * key's keystream in the returned stream is caught.
 */
static inline size_t vgr_scan_state(const uint8_t *state, size_t size,
				    const struct vgr_wset *returned)
{
	uint8_t block[64];
	size_t hits = 0;

	for (size_t off = 0; off + 32 <= size; off++) {
		bool hit = false;

		for (uint64_t ctr = 0; ctr < VGR_SCAN_BLOCKS && !hit; ctr++) {
			vgr_chacha20_block(state + off, ctr, block);
			for (int w = 0; w < 64 && !hit; w += VGR_WINDOW)
				hit = vgr_wset_has(returned, block + w);
		}
		hits += hit;
	}
	return hits;
}

#endif /* _VGETRANDOM_SECRECY_H */
