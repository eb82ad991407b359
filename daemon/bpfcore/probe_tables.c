// SPDX-License-Identifier: GPL-2.0
/*
 * A probe is a table (probe.h, series.h), and a table can be wrong in ways
 * the compiler does not see: a map or program name that the object lacks, a
 * label outside its map's key.  Checked here against the opened object, before
 * anything is loaded, with a message naming the probe and the entry.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "probe.h"
#include "series.h"

static int bad(char *err, size_t errlen, const struct probe_ops *ops, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "probe %s: ", ops->name);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const struct bpf_map *map_of(const struct bpf_object *obj, const char *name)
{
	return name ? bpf_object__find_map_by_name(obj, name) : NULL;
}

static bool has_program(const struct bpf_object *obj, const char *name)
{
	return name && bpf_object__find_program_by_name(obj, name);
}

static int check_series(const struct probe_ops *ops, const struct bpf_object *obj, size_t i,
			char *err, size_t errlen)
{
	const struct series_desc *d = &ops->series[i];
	const struct bpf_map *m = map_of(obj, d->map);
	size_t n = series_n_labels(d);
	uint32_t key_size;

	if (!d->name || !d->help)
		return bad(err, errlen, ops, "series[%zu]: no name or help", i);
	if (!m)
		return bad(err, errlen, ops, "series %s: no map \"%s\" in the BPF object", d->name,
			   d->map ? d->map : "(none)");
	if (d->cache && !map_of(obj, d->cache))
		return bad(err, errlen, ops, "series %s: no count cache \"%s\" in the BPF object",
			   d->name, d->cache);
	if (!n)
		return bad(err, errlen, ops, "series %s: no label", d->name);
	for (size_t l = n; l < SERIES_MAX_LABELS; l++) {
		if (d->labels[l].decoder || d->labels[l].size)
			return bad(err, errlen, ops, "series %s: labels[%zu] has no name", d->name,
				   l);
	}
	key_size = bpf_map__key_size(m);
	for (size_t l = 0; l < n; l++) {
		const struct series_label *sl = &d->labels[l];

		if (sl->decoder == SERIES_STRING
			    ? sl->size < 2 || sl->size > 64
			    : sl->size != 1 && sl->size != 2 && sl->size != 4 && sl->size != 8)
			return bad(err, errlen, ops,
				   "series %s: label %s: a field of %u bytes (%s)", d->name,
				   sl->name, sl->size,
				   sl->decoder == SERIES_STRING ? "2 to 64" : "1, 2, 4 or 8");
		if ((uint32_t)sl->off + sl->size > key_size)
			return bad(err, errlen, ops,
				   "series %s: label %s: bytes %u to %u, beyond the %u-byte key of "
				   "map %s",
				   d->name, sl->name, sl->off, sl->off + sl->size, key_size,
				   d->map);
		if (sl->decoder == SERIES_ENUM &&
		    (sl->which < 0 || (size_t)sl->which >= ops->n_enums))
			return bad(err, errlen, ops, "series %s: label %s: enums[%d] is not loaded",
				   d->name, sl->name, sl->which);
		if (sl->decoder == SERIES_NAMES && !sl->names)
			return bad(err, errlen, ops, "series %s: label %s: no names", d->name,
				   sl->name);
		if (sl->decoder == SERIES_CUSTOM && !sl->custom)
			return bad(err, errlen, ops, "series %s: label %s: no custom decoder",
				   d->name, sl->name);
	}
	if (d->hint_label && series_hint_index(d) < 0)
		return bad(err, errlen, ops,
			   "series %s: hint_label \"%s\" is not one of its labels", d->name,
			   d->hint_label);
	return 0;
}

int probe_ops_validate(const struct probe_ops *ops, const struct bpf_object *obj, char *err,
		       size_t errlen)
{
	bool found = false;
	int ret;

	for (size_t i = 0; i < ops->n_programs; i++) {
		if (!has_program(obj, ops->programs[i].name))
			return bad(err, errlen, ops,
				   "programs[%zu]: no program \"%s\" in the BPF object", i,
				   ops->programs[i].name ? ops->programs[i].name : "(none)");
	}
	if (ops->cache_sweeper && !has_program(obj, ops->cache_sweeper))
		return bad(err, errlen, ops, "cache_sweeper: no program \"%s\" in the BPF object",
			   ops->cache_sweeper);
	for (size_t i = 0; i < ops->n_map_limits; i++) {
		if (!map_of(obj, ops->map_limits[i].map))
			return bad(err, errlen, ops,
				   "map_limits[%zu]: no map \"%s\" in the BPF object", i,
				   ops->map_limits[i].map ? ops->map_limits[i].map : "(none)");
	}
	for (size_t i = 0; i < ops->n_netns_keys; i++) {
		const struct probe_netns_key *k = &ops->netns_keys[i];
		const struct bpf_map *m = map_of(obj, k->map);

		if (!m)
			return bad(err, errlen, ops,
				   "netns_keys[%zu]: no map \"%s\" in the BPF object", i,
				   k->map ? k->map : "(none)");
		if (k->netns_off + 4 > bpf_map__key_size(m))
			return bad(
				err, errlen, ops,
				"netns_keys[%zu]: bytes %u to %u, beyond the %u-byte key of map %s",
				i, k->netns_off, k->netns_off + 4, bpf_map__key_size(m), k->map);
	}
	for (size_t i = 0; i < ops->n_enums && i < PROBE_MAX_ENUMS; i++)
		found = found || (ops->reason_enum && ops->enums[i].name &&
				  !strcmp(ops->enums[i].name, ops->reason_enum));
	if (ops->reason_enum && !found)
		return bad(err, errlen, ops, "reason_enum \"%s\" is not one of its enums",
			   ops->reason_enum);
	for (size_t i = 0; i < ops->n_series; i++) {
		ret = check_series(ops, obj, i, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}
