// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dwarf.h>
#include <gelf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include "dwarf_source.h"

/* A code symbol, for the search by name: names point into the ELF's string table. */
struct named_sym {
	const char *name;
	uint64_t addr;
	uint64_t size;
};

struct dwarf_elf {
	Dwfl *dwfl;
	Dwfl_Module *mod;
	/* By name, made on the first lookup: vmlinux has 150,000 (2.4 MB). */
	struct named_sym *syms;
	size_t n_syms;
	bool indexed;
};

/*
 * The debug file carries its DWARF itself: never look for a separate one,
 * which in libdwfl's standard callback may mean asking a debuginfod server
 * named by the environment from the scrape's thread.
 */
static int no_separate_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
				 Dwarf_Addr base, const char *file_name, const char *debuglink_file,
				 GElf_Word debuglink_crc, char **debuginfo_file_name)
{
	return -1;
}

static const Dwfl_Callbacks offline_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = no_separate_debuginfo,
	.section_address = dwfl_offline_section_address,
};

struct dwarf_elf *dwarf_elf_open(const char *path, char *err, size_t errlen)
{
	struct dwarf_elf *e = calloc(1, sizeof(*e));

	if (!e) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	e->dwfl = dwfl_begin(&offline_callbacks);
	if (!e->dwfl)
		goto fail;
	e->mod = dwfl_report_offline(e->dwfl, path, path, -1);
	if (!e->mod)
		goto fail;
	if (dwfl_report_end(e->dwfl, NULL, NULL))
		goto fail;
	return e;
fail:
	snprintf(err, errlen, "%s: %s", path, dwfl_errmsg(-1));
	dwarf_elf_close(e);
	return NULL;
}

void dwarf_elf_close(struct dwarf_elf *e)
{
	if (!e)
		return;
	if (e->dwfl)
		dwfl_end(e->dwfl);
	free(e->syms);
	free(e);
}

static bool is_code(const GElf_Sym *sym)
{
	int type = GELF_ST_TYPE(sym->st_info);

	if (sym->st_shndx == SHN_UNDEF || sym->st_shndx == SHN_ABS)
		return false;
	/* Assembler entry points (NOTYPE) appear in kallsyms as functions do. */
	return type == STT_FUNC || type == STT_NOTYPE;
}

static int cmp_named(const void *a, const void *b)
{
	const struct named_sym *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	/* The same name: in address order, so the first covering one is stable. */
	if (c)
		return c;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* A scan of the symbol table per lookup took 2.5 ms on vmlinux; sorted once, microseconds. */
static void index_symbols(struct dwarf_elf *e)
{
	int n = dwfl_module_getsymtab(e->mod);

	e->indexed = true;
	if (n <= 1 || !(e->syms = calloc((size_t)n, sizeof(*e->syms))))
		return;
	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr a;
		const char *s = dwfl_module_getsym_info(e->mod, i, &sym, &a, NULL, NULL, NULL);

		if (!s || !*s || !is_code(&sym))
			continue;
		e->syms[e->n_syms++] = (struct named_sym){ s, a, sym.st_size };
	}
	qsort(e->syms, e->n_syms, sizeof(*e->syms), cmp_named);
}

int dwarf_elf_symbol(struct dwarf_elf *e, const char *name, unsigned long long offset,
		     uint64_t *addr, unsigned int *count)
{
	size_t lo = 0, hi;
	bool named = false;

	if (!e->indexed)
		index_symbols(e);
	*count = 0;
	hi = e->n_syms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(e->syms[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < e->n_syms && !strcmp(e->syms[lo].name, name); lo++) {
		const struct named_sym *sym = &e->syms[lo];

		named = true;
		/* A size of 0 (some assembler labels) cannot tell: take it. */
		if (sym->size && offset >= sym->size)
			continue;
		if (!(*count)++)
			*addr = sym->addr + offset;
	}
	if (*count)
		return 0;
	return named ? SYM_OUTSIDE : SYM_NO_SYMBOL;
}

static void copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "??");
}

/* The compilation directory of the CU's line table (DWARF 5's directory 0). */
static const char *comp_dir(Dwarf_Die *cudie)
{
	const char *const *dirs;
	Dwarf_Files *files;
	size_t nfiles, ndirs;

	if (!cudie || dwarf_getsrcfiles(cudie, &files, &nfiles) ||
	    dwarf_getsrcdirs(files, &dirs, &ndirs) || ndirs == 0)
		return NULL;
	return dirs[0];
}

/*
 * A file named relative to a relative directory entry is, by DWARF 5, under
 * the compilation directory; libdw leaves that out when the compilation
 * directory is itself relative (the kernel's build directory under
 * -fdebug-prefix-map), binutils puts it in.  Put in, so that a line reads
 * the same as `addr2line` prints it.
 */
static void copy_path(char *dst, size_t len, const char *path, const char *dir)
{
	size_t n = dir ? strlen(dir) : 0;

	if (!path || path[0] == '/' || n == 0 || (!strncmp(path, dir, n) && path[n] == '/'))
		copy(dst, len, path);
	else
		snprintf(dst, len, "%s%s%s", dir, dir[n - 1] == '/' ? "" : "/", path);
}

/* The file that a DW_AT_call_file index names in the CU's line table. */
static const char *call_file(Dwarf_Die *cudie, Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	Dwarf_Files *files;
	Dwarf_Word idx;
	size_t nfiles;

	if (!dwarf_attr(die, DW_AT_call_file, &attr) || dwarf_formudata(&attr, &idx))
		return NULL;
	if (dwarf_getsrcfiles(cudie, &files, &nfiles) || idx >= nfiles)
		return NULL;
	return dwarf_filesrc(files, idx, NULL, NULL);
}

static unsigned int call_line(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	Dwarf_Word line;

	if (!dwarf_attr(die, DW_AT_call_line, &attr) || dwarf_formudata(&attr, &line))
		return 0;
	return (unsigned int)line;
}

int dwarf_elf_source(struct dwarf_elf *e, uint64_t addr, struct sym_source *out)
{
	Dwarf_Die *cudie, *scopes = NULL;
	Dwarf_Addr bias;
	Dwfl_Line *line;
	const char *file, *dir;
	int lineno = 0, n;

	out->n_inlined = 0;
	out->truncated = false;
	line = dwfl_module_getsrc(e->mod, addr);
	if (!line)
		return SYM_NO_LINE;
	file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
	if (!file || lineno <= 0)
		return SYM_NO_LINE;
	cudie = dwfl_module_addrdie(e->mod, addr, &bias);
	dir = comp_dir(cudie);
	copy_path(out->file, sizeof(out->file), file, dir);
	out->line = (unsigned int)lineno;
	if (!cudie)
		return 0;
	/*
	 * Past an inlined subroutine, dwarf_getscopes goes on with its abstract
	 * definition's scopes; the concrete chain of call sites is the tree
	 * around the innermost scope, innermost first.
	 */
	n = dwarf_getscopes(cudie, addr - bias, &scopes);
	if (n > 0) {
		Dwarf_Die inner = scopes[0];

		free(scopes);
		scopes = NULL;
		n = dwarf_getscopes_die(&inner, &scopes);
	}
	for (int i = 0; i < n; i++) {
		struct sym_inline *in;

		if (dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine)
			continue;
		if (out->n_inlined == SYM_MAX_INLINE) {
			out->truncated = true;
			break;
		}
		in = &out->inlined[out->n_inlined++];
		copy(in->func, sizeof(in->func), dwarf_diename(&scopes[i]));
		copy_path(in->call_file, sizeof(in->call_file), call_file(cudie, &scopes[i]), dir);
		in->call_line = call_line(&scopes[i]);
	}
	free(scopes);
	return 0;
}

bool elf_file_defines(const char *path, const char *name)
{
	bool found = false;
	Elf_Scn *scn = NULL;
	Elf *elf;
	int fd;

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	while (elf && !found && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		for (size_t i = 1; data && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *s;

			if (!gelf_getsym(data, (int)i, &sym) || !is_code(&sym))
				continue;
			s = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (s && !strcmp(s, name)) {
				found = true;
				break;
			}
		}
	}
	elf_end(elf);
	close(fd);
	return found;
}
