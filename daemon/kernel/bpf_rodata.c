// SPDX-License-Identifier: GPL-2.0
/* Read-only globals by name: the .rodata section's variables in the object's BTF. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "bpf_rodata.h"

/* The variable's place in the section, from the object's BTF. */
static int find_var(struct bpf_object *obj, const char *name, size_t *off, size_t *size)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vsi;
	const struct btf_type *sec;
	int id;

	if (!btf)
		return -ENOENT;
	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (id < 0)
		return -ENOENT;
	sec = btf__type_by_id(btf, id);
	vsi = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vsi++) {
		const struct btf_type *var = btf__type_by_id(btf, vsi->type);

		if (var && !strcmp(btf__name_by_offset(btf, var->name_off), name)) {
			*off = vsi->offset;
			*size = vsi->size;
			return 0;
		}
	}
	return -ENOENT;
}

int bpf_rodata_set(struct bpf_object *obj, const char *name, const void *value, size_t size)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, ".rodata");
	size_t off, var_size, sec_size = 0;
	const void *cur;
	void *copy;
	int err;

	if (!map)
		return -ENOENT;
	err = find_var(obj, name, &off, &var_size);
	if (err)
		return err;
	cur = bpf_map__initial_value(map, &sec_size);
	if (var_size != size || !cur || off + size > sec_size)
		return -EINVAL;
	/* libbpf copies the whole section in; only this variable changes. */
	copy = malloc(sec_size);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, cur, sec_size);
	memcpy((char *)copy + off, value, size);
	err = bpf_map__set_initial_value(map, copy, sec_size);
	free(copy);
	return err;
}
