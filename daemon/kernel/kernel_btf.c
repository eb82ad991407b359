// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "kernel_btf.h"

static int enum_names_add(struct enum_names *en, uint32_t value, const char *name)
{
	uint32_t *values = realloc(en->values, (en->n + 1) * sizeof(*values));
	char **names;

	if (!values)
		return -ENOMEM;
	en->values = values;
	names = realloc(en->names, (en->n + 1) * sizeof(*names));
	if (!names)
		return -ENOMEM;
	en->names = names;
	en->names[en->n] = strdup(name);
	if (!en->names[en->n])
		return -ENOMEM;
	en->values[en->n++] = value;
	return 0;
}

static const char *enum_member(const struct btf *btf, const struct btf_type *t, int i,
			       uint32_t *value)
{
	if (btf_is_enum(t)) {
		const struct btf_enum *e = btf_enum(t) + i;

		*value = (uint32_t)e->val;
		return btf__name_by_offset(btf, e->name_off);
	} else {
		const struct btf_enum64 *e = btf_enum64(t) + i;

		*value = (uint32_t)btf_enum64_value(e);
		return btf__name_by_offset(btf, e->name_off);
	}
}

static int enum_names_from_type(const struct btf *btf, int id, const char *prefix,
				struct enum_names *out)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	size_t plen = strlen(prefix);
	int err = 0;

	for (int i = 0; i < btf_vlen(t) && !err; i++) {
		uint32_t value;
		const char *name = enum_member(btf, t, i, &value);

		if (!name)
			continue;
		if (!strncmp(name, prefix, plen))
			name += plen;
		err = enum_names_add(out, value, name);
	}
	if (err)
		enum_names_free(out);
	return err;
}

int enum_names_load(const struct btf *btf, const char *enum_name, const char *prefix,
		    struct enum_names *out)
{
	int id;

	memset(out, 0, sizeof(*out));
	id = btf__find_by_name_kind(btf, enum_name, BTF_KIND_ENUM);
	if (id < 0)
		id = btf__find_by_name_kind(btf, enum_name, BTF_KIND_ENUM64);
	if (id < 0)
		return -ENOENT;
	return enum_names_from_type(btf, id, prefix, out);
}

int enum_names_load_by_member(const struct btf *btf, const char *member, const char *prefix,
			      struct enum_names *out)
{
	int n = btf__type_cnt(btf);

	memset(out, 0, sizeof(*out));
	for (int id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!btf_is_any_enum(t))
			continue;
		for (int i = 0; i < btf_vlen(t); i++) {
			uint32_t value;
			const char *name = enum_member(btf, t, i, &value);

			if (name && !strcmp(name, member))
				return enum_names_from_type(btf, id, prefix, out);
		}
	}
	return -ENOENT;
}

void enum_names_free(struct enum_names *en)
{
	for (int i = 0; i < en->n; i++)
		free(en->names[i]);
	free(en->names);
	free(en->values);
	memset(en, 0, sizeof(*en));
}

const char *enum_names_get(const struct enum_names *en, uint32_t value)
{
	for (int i = 0; i < en->n; i++) {
		if (en->values[i] == value)
			return en->names[i];
	}
	return NULL;
}

int enum_names_find(const struct enum_names *en, const char *name, uint32_t *value)
{
	for (int i = 0; i < en->n; i++) {
		if (!strcmp(en->names[i], name)) {
			*value = en->values[i];
			return 0;
		}
	}
	return -ENOENT;
}

int btf_tracepoint_nargs(const struct btf *btf, const char *tp_name)
{
	const struct btf_type *t;
	char name[128];
	int id;

	snprintf(name, sizeof(name), "btf_trace_%s", tp_name);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id < 0)
		return -ENOENT;
	t = btf__type_by_id(btf, id);
	t = btf__type_by_id(btf, t->type); /* typedef → pointer */
	if (!t || !btf_is_ptr(t))
		return -EINVAL;
	t = btf__type_by_id(btf, t->type); /* pointer → func proto */
	if (!t || !btf_is_func_proto(t))
		return -EINVAL;
	/* The first parameter is the tracepoint's private data, not an argument. */
	return btf_vlen(t) - 1;
}

static int func_nargs(const struct btf *btf, const char *func)
{
	const struct btf_type *t;
	int id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);

	if (id < 0)
		return -ENOENT;
	t = btf__type_by_id(btf, id);
	t = t ? btf__type_by_id(btf, t->type) : NULL;
	return t && btf_is_func_proto(t) ? (int)btf_vlen(t) : -EINVAL;
}

int btf_func_nargs(const struct btf *btf, const char *module, const char *func)
{
	struct btf *mod;
	int n = func_nargs(btf, func);

	if (n != -ENOENT || !module)
		return n;
	mod = btf__load_module_btf(module, (struct btf *)btf);
	if (!mod)
		return -ENOENT;
	n = func_nargs(mod, func);
	btf__free(mod);
	return n;
}

struct btf *kernel_btf_load(char *err, size_t errlen)
{
	struct btf *btf = btf__load_vmlinux_btf();

	if (!btf) {
		snprintf(err, errlen,
			 "the kernel has no BTF (/sys/kernel/btf/vmlinux: %s); skbtrace needs a "
			 "kernel built with CONFIG_DEBUG_INFO_BTF=y",
			 strerror(errno));
		return NULL;
	}
	return btf;
}

int btf_member_offset(const struct btf *btf, const char *type, const char *member)
{
	int id = btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT);
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	const struct btf_member *m = t ? btf_members(t) : NULL;

	for (int i = 0; t && i < btf_vlen(t); i++) {
		const char *name = btf__name_by_offset(btf, m[i].name_off);

		/* A bitfield has no byte offset to read it at. */
		if (name && !strcmp(name, member))
			return btf_member_bitfield_size(t, i)
				       ? -EINVAL
				       : (int)(btf_member_bit_offset(t, i) / 8);
	}
	return -ENOENT;
}
