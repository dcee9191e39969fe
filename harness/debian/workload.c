// SPDX-License-Identifier: GPL-2.0
/*
 * The C library's side of the Debian guests' fixed workload: COUNT calls
 * of getrandom() or of arc4random(), as any program makes them.  It knows
 * nothing of the vDSO: built on this machine against its glibc (2.36),
 * dynamically linked, it runs on the image's glibc, which alone decides how
 * the bytes are made (glibc 2.41: the vDSO where the kernel has it, else a
 * system call per call; 2.36: a system call per call, unless a preloaded
 * library serves them).  The image has it under two names, vgr-getrandom
 * and vgr-arc4random, so that the kernel's trace tells the two apart by
 * the process's name alone.
 *
 *	vgr-getrandom|vgr-arc4random COUNT
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	unsigned long count = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000;
	unsigned char buf[16], seen = 0;
	int arc4 = !strcmp(name, "vgr-arc4random");

	for (unsigned long i = 0; i < count; i++) {
		if (arc4) {
			unsigned int r = arc4random();

			seen |= r ^ (r >> 8) ^ (r >> 16) ^ (r >> 24);
		} else {
			if (getrandom(buf, sizeof(buf), 0) != sizeof(buf)) {
				perror("getrandom");
				return 1;
			}
			seen |= buf[0];
		}
	}
	/* All-zero output 100000 times over is no random generator's. */
	printf("%s: %lu calls of %s\n", name, count, arc4 ? "arc4random()" : "getrandom(16)");
	return count > 8 && !seen;
}
