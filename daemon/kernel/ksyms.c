// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ksyms.h"
#include "rows.h"
#include "u64map.h"

/* Beyond this distance from a symbol the address is more likely in a gap. */
#define KSYM_MAX_OFFSET (1u << 20)

/* Every text symbol of kallsyms, sorted, for the length of a batch. */
struct ksym_sym {
	uint64_t addr;
	uint32_t line; /* of equal addresses the last one listed wins, as in a scan */
	uint32_t name_off;
};

struct ksym_table {
	struct ksym_sym *v;
	size_t n, cap;
	char *names;
	size_t names_len, names_cap;
	bool loaded;
	int err;
};

struct ksym_cache {
	char *path;
	struct u64map names; /* address → "symbol+offset" */
	int batch;	     /* ksym_cache_begin() depth */
	struct ksym_table table;
};

struct ksym_target {
	uint64_t addr;
	uint64_t sym_addr;
	char sym[128];
};

struct ksym_cache *ksym_cache_new(const char *kallsyms_path)
{
	struct ksym_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->path = strdup(kallsyms_path ? kallsyms_path : "/proc/kallsyms");
	if (!c->path) {
		free(c);
		return NULL;
	}
	return c;
}

static void table_free(struct ksym_table *t)
{
	free(t->v);
	free(t->names);
	memset(t, 0, sizeof(*t));
}

void ksym_cache_free(struct ksym_cache *c)
{
	if (!c)
		return;
	table_free(&c->table);
	u64map_clear(&c->names, free);
	free(c->path);
	free(c);
}

size_t ksym_cache_size(const struct ksym_cache *c)
{
	return c->names.used;
}

static int cmp_target(const void *a, const void *b)
{
	const struct ksym_target *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Index of the first target whose address is >= addr, or n. */
static size_t lower_bound(const struct ksym_target *t, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool is_text_type(char type)
{
	return type == 't' || type == 'T' || type == 'w' || type == 'W';
}

/*
 * kallsyms is not sorted as a whole (modules follow the core image), so a
 * symbol is offered only to the nearest target at or above it; a prefix
 * maximum afterwards hands each target the closest symbol below it.
 */
/* "ffffffff81000000 T name [module]": parsed by hand, sscanf triples the scan time. */
static bool parse_line(const char *line, uint64_t *addr, char *type, const char **name,
		       size_t *name_len)
{
	uint64_t a = 0;
	const char *p = line, *n;

	for (;; p++) {
		char c = *p;

		if (c >= '0' && c <= '9')
			a = a << 4 | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			a = a << 4 | (uint64_t)(c - 'a' + 10);
		else
			break;
	}
	if (p == line || p[0] != ' ' || !p[1] || p[2] != ' ')
		return false;
	*addr = a;
	*type = p[1];
	n = p + 3;
	for (p = n; *p && *p != '\t' && *p != ' ' && *p != '\n'; p++)
		;
	*name = n;
	*name_len = p - n;
	return p > n;
}

/*
 * kallsyms is not sorted as a whole (modules follow the core image), so a
 * symbol is offered only to the nearest target at or above it; a prefix
 * maximum afterwards hands each target the closest symbol below it.
 */
static int scan_kallsyms(const char *path, struct ksym_target *t, size_t n)
{
	char line[512], type;
	const char *name;
	size_t name_len;
	uint64_t addr;
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		size_t j;

		if (!parse_line(line, &addr, &type, &name, &name_len) || !is_text_type(type))
			continue;
		j = lower_bound(t, n, addr);
		if (j < n && addr >= t[j].sym_addr) {
			if (name_len >= sizeof(t[j].sym))
				name_len = sizeof(t[j].sym) - 1;
			t[j].sym_addr = addr;
			memcpy(t[j].sym, name, name_len);
			t[j].sym[name_len] = '\0';
		}
	}
	fclose(f);
	for (size_t j = 1; j < n; j++) {
		if (t[j - 1].sym[0] && t[j - 1].sym_addr > t[j].sym_addr) {
			t[j].sym_addr = t[j - 1].sym_addr;
			memcpy(t[j].sym, t[j - 1].sym, sizeof(t[j].sym));
		}
	}
	return 0;
}

static char *format_symbol(const struct ksym_target *t)
{
	char buf[160];

	if (t->sym[0] && t->sym_addr && t->addr - t->sym_addr < KSYM_MAX_OFFSET)
		snprintf(buf, sizeof(buf), "%s+%" PRIu64, t->sym, t->addr - t->sym_addr);
	else
		/* The raw address would tell where KASLR put the kernel. */
		snprintf(buf, sizeof(buf), "%s", KSYM_UNKNOWN);
	return strdup(buf);
}

static int table_add(struct ksym_table *t, uint64_t addr, const char *name, size_t len)
{
	if (len >= sizeof(((struct ksym_target *)0)->sym))
		len = sizeof(((struct ksym_target *)0)->sym) - 1;
	if (GROW(&t->v, &t->cap, t->n + 1, 65536) ||
	    GROW(&t->names, &t->names_cap, t->names_len + len + 1, 1 << 21))
		return -ENOMEM;
	t->v[t->n] = (struct ksym_sym){ addr, (uint32_t)t->n, (uint32_t)t->names_len };
	memcpy(t->names + t->names_len, name, len);
	t->names[t->names_len + len] = '\0';
	t->names_len += len + 1;
	t->n++;
	return 0;
}

static int cmp_sym(const void *a, const void *b)
{
	const struct ksym_sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* One pass over kallsyms for the whole batch, however many resolves it makes. */
static int table_load(const char *path, struct ksym_table *t)
{
	char line[512], type;
	const char *name;
	size_t name_len;
	uint64_t addr;
	FILE *f = fopen(path, "re");
	int err = 0;

	t->loaded = true;
	if (!f)
		return t->err = -errno;
	while (!err && fgets(line, sizeof(line), f)) {
		if (parse_line(line, &addr, &type, &name, &name_len) && is_text_type(type))
			err = table_add(t, addr, name, name_len);
	}
	fclose(f);
	if (t->n)
		qsort(t->v, t->n, sizeof(*t->v), cmp_sym);
	return t->err = err;
}

/* The closest symbol at or below the target, as scan_kallsyms() finds it. */
static void table_lookup(const struct ksym_table *t, struct ksym_target *tg)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->v[mid].addr <= tg->addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return;
	tg->sym_addr = t->v[lo - 1].addr;
	snprintf(tg->sym, sizeof(tg->sym), "%s", t->names + t->v[lo - 1].name_off);
}

void ksym_cache_begin(struct ksym_cache *c)
{
	c->batch++;
}

void ksym_cache_end(struct ksym_cache *c)
{
	if (c->batch && !--c->batch)
		table_free(&c->table);
}

int ksym_cache_resolve(struct ksym_cache *c, const uint64_t *addrs, size_t n)
{
	struct ksym_target *t = calloc(n ? n : 1, sizeof(*t));
	size_t m = 0;
	int err = 0;

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (!u64map_get(&c->names, addrs[i]))
			t[m++].addr = addrs[i];
	}
	if (m) {
		qsort(t, m, sizeof(*t), cmp_target);
		if (!c->batch) {
			err = scan_kallsyms(c->path, t, m);
		} else {
			err = c->table.loaded ? c->table.err : table_load(c->path, &c->table);
			for (size_t i = 0; i < m; i++)
				table_lookup(&c->table, &t[i]);
		}
		/* An unreadable kallsyms still yields hex names, so labels stay stable. */
		for (size_t i = 0; i < m; i++) {
			char *name = format_symbol(&t[i]);

			if (u64map_get(&c->names, t[i].addr)) {
				free(name); /* a duplicate address in the batch */
				continue;
			}
			if (!name || u64map_put(&c->names, t[i].addr, name)) {
				free(name);
				err = -ENOMEM;
				break;
			}
		}
	}
	free(t);
	return err;
}

const char *ksym_cache_name(struct ksym_cache *c, uint64_t addr)
{
	const char *name = u64map_get(&c->names, addr);

	if (!name) {
		ksym_cache_resolve(c, &addr, 1);
		name = u64map_get(&c->names, addr);
	}
	return name;
}

bool kallsyms_has(const char *name)
{
	return kallsyms_file_has("/proc/kallsyms", name);
}

bool kallsyms_file_has(const char *path, const char *name)
{
	FILE *f = fopen(path, "re");
	char line[512], sym[256];
	bool found = false;

	if (!f)
		return false;
	/* "ADDR TYPE NAME [MODULE]"; a name with a suffix (".cold", ".isra.0") is another symbol. */
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %*s %255s", sym) == 1 && !strcmp(sym, name);
	fclose(f);
	return found;
}
