/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the MAP_DROPPABLE selftests: mapping, recognisable page
 * contents and /proc/self/smaps look-ups.
 */
#ifndef DROPPABLE_UTIL_H
#define DROPPABLE_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE	0x08
#endif

static size_t page_size;

/*
 * The value of @key in a flat-keyed file such as a cgroup's memory.events
 * ("key value" lines), or -1 if the file or the key is missing.
 */
static inline long flat_key(const char *path, const char *key)
{
	char line[256], k[64];
	long v, ret = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", k, &v) == 2 && !strcmp(k, key))
			ret = v;
	fclose(f);
	return ret;
}

/* Write @s to a sysfs/procfs/cgroup file: 0, or -1 if it was refused. */
static inline int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

static inline void *map_droppable(size_t len, int extra_flags)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_DROPPABLE | MAP_ANONYMOUS | extra_flags, -1, 0);
}

/*
 * Return NULL when the running kernel supports MAP_DROPPABLE, else a reason
 * to skip.  Kernels without it refuse the unknown mapping type with EINVAL;
 * 32-bit builds of a kernel that has it answer EOPNOTSUPP.
 */
static inline const char *droppable_unsupported(void)
{
	void *p;

	page_size = sysconf(_SC_PAGESIZE);
	p = map_droppable(page_size, 0);
	if (p != MAP_FAILED) {
		munmap(p, page_size);
		return NULL;
	}
	if (errno == EINVAL)
		return "MAP_DROPPABLE not supported by this kernel (EINVAL)";
	if (errno == EOPNOTSUPP)
		return "MAP_DROPPABLE not supported by this build (EOPNOTSUPP)";
	return strerror(errno);
}

/*
 * Fill page @idx with bytes that depend on @seed and @idx only, computed one
 * at a time so that the whole sequence never exists anywhere else in memory
 * (core dump and swap device searches rely on that).  The first 8 bytes are
 * the tag "seed ^ idx" so pages can be recognised in a device image.
 */
#define PAGE_TAG_MUL	0x9e3779b97f4a7c15ull

static inline uint64_t page_tag(uint64_t seed, size_t idx)
{
	return seed ^ (PAGE_TAG_MUL * (idx + 1));
}

/*
 * The index whose page_tag() under @seed is @tag (the multiplier is odd,
 * so invertible modulo 2^64: Newton's iteration doubles the correct low
 * bits from the 3 that x = a has); a tag of another seed gives some
 * index, which the caller bounds and checks against the whole tag.
 */
static inline uint64_t page_tag_index(uint64_t seed, uint64_t tag)
{
	uint64_t inv = PAGE_TAG_MUL;

	for (int i = 0; i < 5; i++)
		inv *= 2 - PAGE_TAG_MUL * inv;
	return (tag ^ seed) * inv - 1;
}

static inline void fill_page(unsigned char *page, uint64_t seed, size_t idx)
{
	uint64_t x = page_tag(seed, idx);
	size_t i;

	memcpy(page, &x, sizeof(x));
	for (i = sizeof(x); i < page_size; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		page[i] = x >> 56;
	}
}

static inline bool page_matches(const unsigned char *page, uint64_t seed, size_t idx)
{
	uint64_t x = page_tag(seed, idx);
	size_t i;

	if (memcmp(page, &x, sizeof(x)))
		return false;
	for (i = sizeof(x); i < page_size; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (page[i] != (unsigned char)(x >> 56))
			return false;
	}
	return true;
}

static inline bool page_is_zero(const unsigned char *page)
{
	size_t i;

	for (i = 0; i < page_size; i++)
		if (page[i])
			return false;
	return true;
}

static inline void fill_region(void *p, size_t len, uint64_t seed)
{
	size_t i;

	for (i = 0; i < len / page_size; i++)
		fill_page((unsigned char *)p + i * page_size, seed, i);
}

/* Count pages still holding their pattern, zeroed, and anything else. */
struct region_census {
	size_t intact, zero, other;
};

static inline struct region_census census(const void *p, size_t len, uint64_t seed)
{
	struct region_census c = { 0 };
	size_t i;

	for (i = 0; i < len / page_size; i++) {
		const unsigned char *page = (const unsigned char *)p + i * page_size;

		if (page_matches(page, seed, i))
			c.intact++;
		else if (page_is_zero(page))
			c.zero++;
		else
			c.other++;
	}
	return c;
}

/*
 * Copy the smaps entry of the VMA containing @addr into @buf (the lines after
 * its header, up to and including VmFlags).  Returns false if there is none.
 */
static inline bool smaps_entry(const void *addr, char *buf, size_t size)
{
	unsigned long start, end, a = (unsigned long)addr;
	char line[512];
	bool in = false;
	size_t used = 0;
	FILE *f;

	f = fopen("/proc/self/smaps", "r");
	if (!f)
		return false;
	buf[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		if (!in) {
			if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
			    strchr(line, '-') < strchr(line, ' ') &&
			    a >= start && a < end)
				in = true;
			continue;
		}
		if (used + strlen(line) < size) {
			strcpy(buf + used, line);
			used += strlen(line);
		}
		if (!strncmp(line, "VmFlags:", 8))
			break;
	}
	fclose(f);
	return in;
}

/* Does the VMA containing @addr carry VmFlags mnemonic @flag? */
static inline bool vma_has_flag(const void *addr, const char *flag)
{
	char buf[4096], want[8];
	char *flags;

	if (!smaps_entry(addr, buf, sizeof(buf)))
		return false;
	flags = strstr(buf, "VmFlags:");
	if (!flags)
		return false;
	snprintf(want, sizeof(want), " %s", flag);
	for (flags += 8; (flags = strstr(flags, want)); flags++)
		if (flags[3] == ' ' || flags[3] == '\n' || !flags[3])
			return true;
	return false;
}

/* Value in kB of smaps field @field ("Swap", "Locked"...), or -1. */
static inline long vma_field_kb(const void *addr, const char *field)
{
	char buf[4096], want[64];
	char *s;

	if (!smaps_entry(addr, buf, sizeof(buf)))
		return -1;
	snprintf(want, sizeof(want), "\n%s:", field);
	s = strstr(buf, want);
	if (!s && !strncmp(buf, want + 1, strlen(want + 1)))
		s = buf - 1;
	if (!s)
		return -1;
	return strtol(s + strlen(want), NULL, 10);
}

#endif /* DROPPABLE_UTIL_H */
