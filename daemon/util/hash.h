/* SPDX-License-Identifier: GPL-2.0 */
/*
 * FNV-1a, the one hash of the daemon: short keys (label sets, frame names)
 * into buckets, and the stable stack id, which users keep (a change here
 * changes every stack id they have seen, so the 64-bit form stays as it is).
 * Each call continues the hash h: start from FNV1A32_INIT or FNV1A64_INIT.
 */
#ifndef SKBTRACE_HASH_H
#define SKBTRACE_HASH_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A32_INIT 2166136261u
#define FNV1A64_INIT 0xcbf29ce484222325ull

static inline uint32_t fnv1a32(uint32_t h, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static inline uint64_t fnv1a64(uint64_t h, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

#endif
