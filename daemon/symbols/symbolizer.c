// SPDX-License-Identifier: GPL-2.0
/*
 * The symbolizer: which debug file answers for which ELF (checked against the
 * kernel's build id before it is ever read), kept open once found.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "debug_files.h"
#include "dwarf_source.h"
#include "log.h"
#include "symbols.h"

/* Distinct ELFs one kernel has: vmlinux and its loaded modules, a few hundred at most. */
#define MAX_ELFS 1024

struct elf_slot {
	char module[64];
	enum sym_status status; /* SYM_OK when path was found good */
	char *path;		/* the debug file, checked: reopened without a second check */
	struct dwarf_elf *e;	/* NULL when closed to give memory back */
};

struct symbolizer {
	struct debug_files *df;
	char release[128];
	char sysfs_root[256];
	bool running; /* the release is the running kernel's: ids from sysfs */
	struct sym_module_id *ids;
	size_t n_ids;
	struct elf_slot *elfs;
	size_t n_elfs;
	unsigned long mismatches;
	char last_path[DEBUG_PATH_LEN];
	char last_have[BUILD_ID_HEX_LEN];
	char last_want[BUILD_ID_HEX_LEN];
};

const char *sym_status_str(enum sym_status st)
{
	switch (st) {
	case SYM_OK:
		return "ok";
	case SYM_BAD_LOCATION:
		return "not symbol+offset";
	case SYM_NO_DEBUG:
		return "no debug info";
	case SYM_MISMATCH:
		return "debug info of another build (build id mismatch)";
	case SYM_NO_SYMBOL:
		return "no such symbol in the debug info";
	case SYM_OUTSIDE:
		return "offset past the end of the symbol";
	case SYM_NO_LINE:
		return "no line for the address in the debug info";
	}
	return "?";
}

int sym_location_parse(const char *location, char *sym, size_t symlen, unsigned long long *offset)
{
	const char *plus = strrchr(location, '+');
	size_t n = plus ? (size_t)(plus - location) : strlen(location);
	char *end;

	if (n == 0 || n >= symlen)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (isspace((unsigned char)location[i]))
			return -1;
	memcpy(sym, location, n);
	sym[n] = '\0';
	*offset = 0;
	if (!plus)
		return 0;
	if (!isdigit((unsigned char)plus[1]))
		return -1;
	errno = 0;
	*offset = strtoull(plus + 1, &end, 0);
	return errno || *end ? -1 : 0;
}

struct symbolizer *symbolizer_new(const struct symbolizer_opts *o, char *err, size_t errlen)
{
	struct symbolizer *s = calloc(1, sizeof(*s));
	struct utsname u;

	if (!s)
		goto oom;
	if (uname(&u))
		u.release[0] = '\0';
	snprintf(s->release, sizeof(s->release), "%s", o->release ? o->release : u.release);
	s->running = !strcmp(s->release, u.release);
	snprintf(s->sysfs_root, sizeof(s->sysfs_root), "%s", o->sysfs_root ? o->sysfs_root : "");
	s->df = debug_files_new(o->debug_root, s->release);
	s->ids = calloc(o->n_ids + 1, sizeof(*s->ids));
	if (!s->df || !s->ids)
		goto oom;
	for (size_t i = 0; i < o->n_ids; i++) {
		s->ids[i].module = o->ids[i].module ? strdup(o->ids[i].module) : NULL;
		s->ids[i].build_id = strdup(o->ids[i].build_id);
		s->n_ids++;
		if ((o->ids[i].module && !s->ids[i].module) || !s->ids[i].build_id)
			goto oom;
	}
	return s;
oom:
	snprintf(err, errlen, "symbolizer: out of memory");
	symbolizer_free(s);
	return NULL;
}

void symbolizer_free(struct symbolizer *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_elfs; i++) {
		dwarf_elf_close(s->elfs[i].e);
		free(s->elfs[i].path);
	}
	for (size_t i = 0; i < s->n_ids; i++) {
		free((char *)s->ids[i].module);
		free((char *)s->ids[i].build_id);
	}
	free(s->ids);
	free(s->elfs);
	debug_files_free(s->df);
	free(s);
}

void symbolizer_close_files(struct symbolizer *s)
{
	for (size_t i = 0; i < s->n_elfs; i++) {
		dwarf_elf_close(s->elfs[i].e);
		s->elfs[i].e = NULL;
	}
}

unsigned long symbolizer_mismatches(const struct symbolizer *s)
{
	return s->mismatches;
}

void symbolizer_last_mismatch(const struct symbolizer *s, const char **path, const char **have,
			      const char **want)
{
	*path = s->last_path;
	*have = s->last_have;
	*want = s->last_want;
}

/* The build id the module's debug file must have; false when nothing says. */
static bool wanted_id(struct symbolizer *s, const char *module, char *hex, size_t len)
{
	bool vmlinux = !strcmp(module, "vmlinux");

	for (size_t i = 0; i < s->n_ids; i++) {
		const char *m = s->ids[i].module;

		if (vmlinux ? !m : m && !strcmp(m, module)) {
			snprintf(hex, len, "%s", s->ids[i].build_id);
			return true;
		}
	}
	return s->running && !build_id_running(s->sysfs_root, vmlinux ? NULL : module, hex, len);
}

/* The first candidate whose build id is the one wanted; each other one is logged, once. */
static enum sym_status open_module(struct symbolizer *s, struct elf_slot *slot)
{
	char paths[DEBUG_MAX_CANDIDATES][DEBUG_PATH_LEN], want[BUILD_ID_HEX_LEN];
	bool known = wanted_id(s, slot->module, want, sizeof(want));
	int n = debug_files_candidates(s->df, slot->module, known ? want : NULL, paths,
				       DEBUG_MAX_CANDIDATES);
	enum sym_status st = SYM_NO_DEBUG;
	char err[DEBUG_PATH_LEN + 2048];

	for (int i = 0; i < n; i++) {
		char have[BUILD_ID_HEX_LEN] = "none";

		if (known &&
		    (build_id_of_file(paths[i], have, sizeof(have)) || strcmp(have, want))) {
			log_warn("symbols: %s has build id %s, but %s's is %s: not used", paths[i],
				 have, slot->module, want);
			s->mismatches++;
			snprintf(s->last_path, sizeof(s->last_path), "%.*s", DEBUG_PATH_LEN - 1,
				 paths[i]);
			snprintf(s->last_have, sizeof(s->last_have), "%s", have);
			snprintf(s->last_want, sizeof(s->last_want), "%s", want);
			st = SYM_MISMATCH;
			continue;
		}
		slot->e = dwarf_elf_open(paths[i], err, sizeof(err));
		if (slot->e) {
			log_debug("symbols: %s: debug info from %s", slot->module, paths[i]);
			slot->path = strdup(paths[i]);
			if (!slot->path) {
				dwarf_elf_close(slot->e);
				slot->e = NULL;
				return SYM_NO_DEBUG;
			}
			return SYM_OK;
		}
		log_warn("symbols: %s", err);
	}
	return st;
}

/* The slot of a module, opened (or found wanting) on first use and remembered. */
static struct elf_slot *elf_of(struct symbolizer *s, const char *module)
{
	struct elf_slot *slot;

	for (size_t i = 0; i < s->n_elfs; i++)
		if (!strcmp(s->elfs[i].module, module))
			return &s->elfs[i];
	if (s->n_elfs == MAX_ELFS || strlen(module) >= sizeof(slot->module))
		return NULL;
	slot = realloc(s->elfs, (s->n_elfs + 1) * sizeof(*slot));
	if (!slot)
		return NULL;
	s->elfs = slot;
	slot = &s->elfs[s->n_elfs++];
	memset(slot, 0, sizeof(*slot));
	snprintf(slot->module, sizeof(slot->module), "%s", module);
	slot->status = open_module(s, slot);
	return slot;
}

static enum sym_status resolve_in(struct symbolizer *s, const char *module, const char *sym,
				  unsigned long long offset, struct sym_source *out)
{
	struct elf_slot *slot = elf_of(s, module);
	uint64_t addr;
	int st;

	snprintf(out->elf, sizeof(out->elf), "%.*s", (int)sizeof(out->elf) - 1, module);
	if (!slot)
		return SYM_NO_DEBUG;
	if (slot->status != SYM_OK)
		return slot->status;
	if (!slot->e) {
		char err[DEBUG_PATH_LEN + 256];

		slot->e = dwarf_elf_open(slot->path, err, sizeof(err));
		if (!slot->e) {
			log_warn("symbols: %s", err);
			return SYM_NO_DEBUG;
		}
	}
	st = dwarf_elf_symbol(slot->e, sym, offset, &addr, &out->n_candidates);
	if (st)
		return st;
	return dwarf_elf_source(slot->e, addr, out);
}

/*
 * The running kernel: only its loaded modules (/proc/modules) can hold a
 * location, however many debug files the dbg package installed.
 */
static enum sym_status resolve_loaded(struct symbolizer *s, const char *sym,
				      unsigned long long offset, struct sym_source *out,
				      enum sym_status first)
{
	char path[DEBUG_PATH_LEN], line[512], name[64];
	char paths[DEBUG_MAX_CANDIDATES][DEBUG_PATH_LEN];
	enum sym_status st = first;
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/modules", s->sysfs_root);
	f = fopen(path, "re");
	if (!f)
		return first;
	while (fgets(line, sizeof(line), f)) {
		int n;

		if (sscanf(line, "%63s", name) != 1)
			continue;
		n = debug_files_candidates(s->df, name, NULL, paths, DEBUG_MAX_CANDIDATES);
		for (int i = 0; i < n; i++) {
			if (elf_file_defines(paths[i], sym)) {
				st = resolve_in(s, name, sym, offset, out);
				goto out;
			}
		}
	}
out:
	fclose(f);
	return st;
}

enum sym_status symbolizer_resolve(struct symbolizer *s, const char *module, const char *location,
				   struct sym_source *out)
{
	unsigned long long offset;
	enum sym_status st, first;
	char sym[SYM_FUNC_LEN];
	size_t n;

	memset(out, 0, sizeof(*out));
	if (sym_location_parse(location, sym, sizeof(sym), &offset))
		return SYM_BAD_LOCATION;
	if (module)
		return resolve_in(s, module, sym, offset, out);
	/* The location does not say which ELF: vmlinux first, then the modules. */
	first = st = resolve_in(s, "vmlinux", sym, offset, out);
	if (st != SYM_NO_SYMBOL && st != SYM_NO_DEBUG && st != SYM_MISMATCH)
		return st;
	if (s->running)
		return resolve_loaded(s, sym, offset, out, first);
	n = debug_files_n_modules(s->df);
	for (size_t i = 0; i < n; i++) {
		const char *name, *path = debug_files_module(s->df, i, &name);

		if (path && elf_file_defines(path, sym))
			return resolve_in(s, name, sym, offset, out);
	}
	return first;
}

void sym_source_format_inlined(const struct sym_source *src, char *buf, size_t len)
{
	size_t off = 0;

	if (len)
		buf[0] = '\0';
	for (unsigned int i = 0; i < src->n_inlined && off < len; i++) {
		const struct sym_inline *in = &src->inlined[i];
		int w = snprintf(buf + off, len - off, "%s%s at %s:%u", i ? ", " : "", in->func,
				 in->call_file, in->call_line);

		if (w < 0)
			break;
		off += (size_t)w;
	}
	if (src->truncated && off < len)
		snprintf(buf + off, len - off, ", ...");
}
