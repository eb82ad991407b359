// SPDX-License-Identifier: GPL-2.0
/*
 * Every registered probe's table against its own BPF object, opened from the
 * skeleton's ELF but not loaded (no privilege needed), and tables broken one
 * entry at a time: each fails with a message naming the probe and the entry.
 */
#include <errno.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "check.h"
#include "probe.h"
#include "series.h"

static struct bpf_object *open_obj(const struct probe_ops *ops)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = ops->name);
	size_t size = 0;
	const void *elf = ops->elf_bytes(&size);

	return bpf_object__open_mem(elf, size, &opts);
}

static const struct probe_ops *find(const char *name)
{
	size_t n = 0;
	const struct probe_ops *const *all = probe_ops_all(&n);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}

static void test_registered(void)
{
	size_t n = 0;
	const struct probe_ops *const *all = probe_ops_all(&n);
	char err[256];

	CHECK(n >= 4);
	for (size_t i = 0; i < n; i++) {
		struct bpf_object *obj = open_obj(all[i]);

		CHECK(obj != NULL);
		if (!obj)
			continue;
		err[0] = '\0';
		CHECK(probe_ops_validate(all[i], obj, err, sizeof(err)) == 0);
		if (err[0])
			fprintf(stderr, "%s\n", err);
		bpf_object__close(obj);
	}
}

/* Validates ops (a broken copy of drop's table) against drop's object; expects msg. */
static void expect(const struct probe_ops *ops, struct bpf_object *obj, const char *msg)
{
	char err[256] = "";

	CHECK(probe_ops_validate(ops, obj, err, sizeof(err)) == -EINVAL);
	CHECK_STR_EQ(err, msg);
}

static void test_broken(void)
{
	const struct probe_ops *drop = find("drop");
	struct series_desc series[8];
	struct probe_program programs[16];
	struct probe_ops ops;
	struct bpf_object *obj;

	CHECK(drop != NULL);
	if (!drop)
		return;
	obj = open_obj(drop);
	CHECK(obj != NULL);
	if (!obj)
		return;
	CHECK(drop->n_series <= 8 && drop->n_programs <= 16 && drop->n_series >= 2);

	/* The stack series names reason as its hint label. */
	ops = *drop;
	memcpy(series, drop->series, drop->n_series * sizeof(*series));
	ops.series = series;
	series[0].labels[2].off = 14; /* netns, a __u32: bytes 14 to 18 of a 16-byte key */
	expect(&ops, obj,
	       "probe drop: series skbtrace_drops_total: label netns: bytes 14 to 18, beyond the "
	       "16-byte key of map drop_counts");

	memcpy(series, drop->series, drop->n_series * sizeof(*series));
	series[0].labels[0].size = 3;
	expect(&ops, obj,
	       "probe drop: series skbtrace_drops_total: label reason: a field of 3 bytes (1, 2, 4 "
	       "or 8)");

	memcpy(series, drop->series, drop->n_series * sizeof(*series));
	series[1].map = "drop_stack_count";
	expect(&ops, obj,
	       "probe drop: series skbtrace_drop_stacks_total: no map \"drop_stack_count\" in the "
	       "BPF object");

	memcpy(series, drop->series, drop->n_series * sizeof(*series));
	series[1].hint_label = "location";
	expect(&ops, obj,
	       "probe drop: series skbtrace_drop_stacks_total: hint_label \"location\" is not one "
	       "of its labels");

	ops = *drop;
	memcpy(programs, drop->programs, drop->n_programs * sizeof(*programs));
	ops.programs = programs;
	programs[1].name = "drop_tp_btf2";
	expect(&ops, obj, "probe drop: programs[1]: no program \"drop_tp_btf2\" in the BPF object");

	ops = *drop;
	ops.reason_enum = "sk_rst_reason";
	expect(&ops, obj, "probe drop: reason_enum \"sk_rst_reason\" is not one of its enums");
	bpf_object__close(obj);
}

/* 0 means none: a table that leaves hint_label and reason_enum out has neither. */
static void test_zero_is_none(void)
{
	const struct probe_ops *drop = find("drop");
	struct series_desc d;

	CHECK(drop != NULL);
	if (!drop)
		return;
	d = drop->series[0];
	CHECK(d.hint_label == NULL && series_hint_index(&d) == -1);
	CHECK(series_n_labels(&d) == 3);
	d = drop->series[1];
	CHECK(series_hint_index(&d) == 0);
	CHECK(find("retransmit") && find("retransmit")->reason_enum == NULL);
}

/* A name label is a char array of 2 to 64 bytes, and the key must hold it. */
static void test_string_label(void)
{
	const struct probe_ops *nf = find("netfilter");
	struct series_desc series[2];
	struct probe_ops ops;
	struct bpf_object *obj;

	CHECK(nf != NULL && nf->n_series == 2 && nf->may_stay_unattached);
	if (!nf || nf->n_series != 2)
		return;
	obj = open_obj(nf);
	CHECK(obj != NULL);
	if (!obj)
		return;
	ops = *nf;
	ops.series = series;
	memcpy(series, nf->series, sizeof(series));
	CHECK(series[0].labels[2].decoder == SERIES_STRING);
	series[0].labels[2].size = 65;
	expect(&ops, obj,
	       "probe netfilter: series skbtrace_netfilter_drops_total: label table: a field of "
	       "65 bytes (2 to 64)");
	memcpy(series, nf->series, sizeof(series));
	series[0].labels[3].off = 100;
	expect(&ops, obj,
	       "probe netfilter: series skbtrace_netfilter_drops_total: label chain: bytes 100 "
	       "to 164, beyond the 136-byte key of map nf_drops");
	bpf_object__close(obj);
}

int main(void)
{
	test_registered();
	test_broken();
	test_string_label();
	test_zero_is_none();
	return check_summary("test_probe_tables");
}
