// SPDX-License-Identifier: GPL-2.0
/*
 * The kallsyms parser, on a file of the input (a memfd).  Input: one byte
 * N (low 4 bits), N little-endian 64-bit addresses to resolve, then the
 * kallsyms text.  Addresses near those of the text's lines are resolved too,
 * so that the fuzzer need not guess them.
 *
 * The daemon resolves two ways: one scan of the file per resolve, or, within
 * a scrape (ksym_cache_begin/end), one sorted table for all of them.  Both
 * must give every address the same name, or a series would change its
 * labels depending on when it was first seen; the target fails if not.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "ksyms.h"

#define MAX_ADDRS 64

static size_t addrs_from_text(const char *text, size_t len, uint64_t *addrs, size_t n)
{
	static const uint64_t deltas[] = { 0, 1, (uint64_t)-1, 1 << 20, (1 << 20) - 1 };

	for (size_t i = 0; i < len && n + 5 <= MAX_ADDRS; i++) {
		uint64_t a;

		if ((i && text[i - 1] != '\n') || sscanf(text + i, "%16" SCNx64, &a) != 1)
			continue;
		for (size_t d = 0; d < sizeof(deltas) / sizeof(deltas[0]); d++)
			addrs[n++] = a + deltas[d];
	}
	return n;
}

static struct ksym_cache *resolve(const char *path, const uint64_t *addrs, size_t n, bool batch)
{
	struct ksym_cache *c = ksym_cache_new(path);

	if (!c)
		abort();
	if (batch)
		ksym_cache_begin(c);
	/* Half at once, then the rest one by one, as scrapes meet them. */
	ksym_cache_resolve(c, addrs, n / 2);
	for (size_t i = n / 2; i < n; i++)
		ksym_cache_name(c, addrs[i]);
	if (batch)
		ksym_cache_end(c);
	return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t addrs[MAX_ADDRS];
	struct ksym_cache *scan, *table;
	size_t n = 0, text_len;
	const char *text;
	char path[64], *copy;
	int fd;

	if (size)
		n = data[0] & 15;
	if (size < 1 + 8 * n)
		return 0;
	memcpy(addrs, data + 1, 8 * n);
	text = (const char *)data + 1 + 8 * n;
	text_len = size - 1 - 8 * n;
	/* sscanf needs a terminated string. */
	copy = strndup(text, text_len);
	if (!copy)
		abort();
	n = addrs_from_text(copy, strlen(copy), addrs, n);
	free(copy);

	fd = memfd_create("fuzz-kallsyms", MFD_CLOEXEC);
	if (fd < 0 || write(fd, text, text_len) != (ssize_t)text_len)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	scan = resolve(path, addrs, n, false);
	table = resolve(path, addrs, n, true);
	for (size_t i = 0; i < n; i++) {
		const char *a = ksym_cache_name(scan, addrs[i]);
		const char *b = ksym_cache_name(table, addrs[i]);

		if (!a || !b || strcmp(a, b)) {
			fprintf(stderr, "0x%" PRIx64 ": scan says %s, table says %s\n", addrs[i],
				a ? a : "(null)", b ? b : "(null)");
			abort();
		}
	}
	kallsyms_file_has(path, "kfree_skb");
	ksym_cache_free(scan);
	ksym_cache_free(table);
	close(fd);
	return 0;
}
