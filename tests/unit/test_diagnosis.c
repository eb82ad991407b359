// SPDX-License-Identifier: GPL-2.0
/*
 * The diagnosis table against the running kernel: every reason name must be
 * one the kernel's BTF has, or one a newer kernel has (the vendored
 * vmlinux.h), so that a misspelling fails and a name this kernel lacks is
 * only listed.  Locations are listed when neither vmlinux nor a loaded
 * module's BTF has the function.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "check.h"
#include "diagnosis.h"
#include "kernel_btf.h"

#define VENDORED_VMLINUX_H "../../bpf/vmlinux/x86/vmlinux.h"
#define MAX_LINE 160

static char *vendored;

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, len = 0, n;

	if (!f)
		return NULL;
	do {
		char *nb = realloc(buf, cap + 65536 + 1);

		if (!nb) {
			free(buf);
			fclose(f);
			return NULL;
		}
		buf = nb;
		cap += 65536;
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

/* "\tSKB_DROP_REASON_NO_SOCKET = 2," in the vendored header. */
static bool vendored_has(const char *prefix, const char *name)
{
	char needle[128];

	snprintf(needle, sizeof(needle), "\t%s%s = ", prefix, name);
	return vendored && strstr(vendored, needle);
}

static void check_enum_keys(const struct btf *btf, enum hint_kind kind, const char *enum_name,
			    const char *prefix)
{
	struct enum_names names = {};
	const struct hint *all;
	size_t n, lacking = 0;
	uint32_t v;

	enum_names_load(btf, enum_name, prefix, &names);
	all = hints_all(&n);
	for (size_t i = 0; i < n; i++) {
		if (all[i].kind != kind)
			continue;
		if (!enum_names_find(&names, all[i].key, &v))
			continue;
		if (!vendored_has(prefix, all[i].key)) {
			fprintf(stderr, "%s %s: in no kernel's enum %s (misspelled?)\n",
				hint_kind_name(kind), all[i].key, enum_name);
			CHECK(false);
			continue;
		}
		printf("%s %s: not in this kernel's enum %s\n", hint_kind_name(kind), all[i].key,
		       enum_name);
		lacking++;
	}
	printf("%zu %s names the running kernel lacks\n", lacking, hint_kind_name(kind));
	enum_names_free(&names);
}

static bool module_has_func(const struct btf *vmlinux, const char *func)
{
	DIR *d = opendir("/sys/kernel/btf");
	struct dirent *de;
	bool found = false;

	while (d && !found && (de = readdir(d))) {
		struct btf *m;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "vmlinux"))
			continue;
		m = btf__load_module_btf(de->d_name, (struct btf *)vmlinux);
		found = m && btf__find_by_name_kind(m, func, BTF_KIND_FUNC) >= 0;
		btf__free(m);
	}
	if (d)
		closedir(d);
	return found;
}

static void check_locations(const struct btf *btf)
{
	const struct hint *all;
	size_t n;

	all = hints_all(&n);
	for (size_t i = 0; i < n; i++) {
		if (all[i].kind != HINT_DROP_LOCATION)
			continue;
		if (btf__find_by_name_kind(btf, all[i].key, BTF_KIND_FUNC) < 0 &&
		    !module_has_func(btf, all[i].key))
			printf("drop location %s: no such function in this kernel's BTF "
			       "(a module not loaded, or inlined)\n",
			       all[i].key);
	}
}

static void check_table_shape(void)
{
	const struct hint *all;
	size_t n;

	all = hints_all(&n);
	CHECK(n > 0);
	for (size_t i = 0; i < n; i++) {
		CHECK(all[i].kind < HINT_KIND_MAX);
		CHECK(all[i].cause && *all[i].cause && strlen(all[i].cause) <= MAX_LINE);
		CHECK(all[i].action && *all[i].action && strlen(all[i].action) <= MAX_LINE);
		for (size_t j = 0; j < i; j++) {
			if (all[j].kind == all[i].kind && !strcmp(all[j].key, all[i].key)) {
				fprintf(stderr, "duplicate %s %s\n", hint_kind_name(all[i].kind),
					all[i].key);
				CHECK(false);
			}
		}
	}
}

static void check_lookup(void)
{
	const struct hint *h;

	h = hint_find(HINT_DROP_REASON, "NO_SOCKET");
	CHECK(h && !strcmp(h->key, "NO_SOCKET"));
	CHECK(hint_find(HINT_RESET_REASON, "NO_SOCKET") != NULL);
	CHECK(hint_find(HINT_DROP_REASON, "NO_SOCKET_") == NULL);
	CHECK(hint_find(HINT_DROP_REASON, "unknown") == NULL);
	CHECK(hint_find(HINT_DROP_REASON, NULL) == NULL);
	/* A kind's keys are its own: "passive" is an origin, not a reason. */
	CHECK(hint_find(HINT_DROP_REASON, "passive") == NULL);
	CHECK(hint_find(HINT_RESET_ORIGIN, "passive") != NULL);
	h = hint_find(HINT_DROP_LOCATION, "nf_hook_slow+0x9e");
	CHECK(h && !strcmp(h->key, "nf_hook_slow"));
	h = hint_find(HINT_DROP_LOCATION, "ip_rcv_finish_core.constprop.0+31");
	CHECK(h && !strcmp(h->key, "ip_rcv_finish_core"));
	CHECK(hint_find(HINT_DROP_LOCATION, "nf_hook_slo+1") == NULL);
	CHECK(hint_find(HINT_DROP_LOCATION, "unknown") == NULL);
}

int main(void)
{
	struct btf *btf;

	check_table_shape();
	check_lookup();
	vendored = read_file(VENDORED_VMLINUX_H);
	CHECK(vendored != NULL);
	btf = btf__load_vmlinux_btf();
	if (!btf) {
		check_skip("no kernel BTF: reason names not checked against the kernel");
	} else {
		check_enum_keys(btf, HINT_DROP_REASON, "skb_drop_reason", "SKB_DROP_REASON_");
		check_enum_keys(btf, HINT_RESET_REASON, "sk_rst_reason", "SK_RST_REASON_");
		check_locations(btf);
		btf__free(btf);
	}
	free(vendored);
	return check_summary("test_diagnosis");
}
