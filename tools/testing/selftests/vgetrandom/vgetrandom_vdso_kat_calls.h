/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The call sequence of the vDSO known-answer test, shared by its generator
 * (host/vgetrandom_vdso_kat.c) and the guest test (vdso_kat_test.c): sizes
 * that take every path of the generic code, from a fresh state: a refill
 * and small reads, the end of the batch, direct blocks, a single byte.
 */
#ifndef _VGETRANDOM_VDSO_KAT_CALLS_H
#define _VGETRANDOM_VDSO_KAT_CALLS_H

static const unsigned int vdso_kat_lens[] = { 16, 16, 100, 900, 5000, 1, 64, 3, 2049 };
#define VDSO_KAT_CALLS	(sizeof(vdso_kat_lens) / sizeof(vdso_kat_lens[0]))
#define VDSO_KAT_TOTAL	(16 + 16 + 100 + 900 + 5000 + 1 + 64 + 3 + 2049)

#endif
