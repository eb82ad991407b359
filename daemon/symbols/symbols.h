/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Source lines for kernel locations ("symbol+offset", as the daemon exports
 * them) from the kernel's DWARF debug info, via elfutils' libdwfl.  The
 * offset is added to the symbol's address in the debug file's own symbol
 * table, so KASLR and module load addresses never enter: the same location
 * string resolves the same on every node that runs that build.
 */
#ifndef SKBTRACE_SYMBOLS_H
#define SKBTRACE_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include "build_id.h"

#define SYM_FILE_LEN 256
#define SYM_FUNC_LEN 128
/* Deeper inlining than this is cut (and says so: truncated). */
#define SYM_MAX_INLINE 16

enum sym_status {
	SYM_OK,
	SYM_BAD_LOCATION, /* not "symbol+offset" */
	SYM_NO_DEBUG,	  /* no debug file for the ELF that defines it */
	SYM_MISMATCH,	  /* only debug files of another build (another build id) */
	SYM_NO_SYMBOL,	  /* no debug file defines the symbol */
	SYM_OUTSIDE,	  /* the offset is past the symbol's end */
	SYM_NO_LINE,	  /* the debug info has no line for the address */
};

/* One function inlined into the next one out, at call_file:call_line. */
struct sym_inline {
	char func[SYM_FUNC_LEN];
	char call_file[SYM_FILE_LEN];
	unsigned int call_line;
};

struct sym_source {
	char elf[64];		 /* "vmlinux" or the module's name */
	char file[SYM_FILE_LEN]; /* the line table's row for the address */
	unsigned int line;
	/* Innermost first: inlined[0] is the function the line is in, when it was inlined. */
	struct sym_inline inlined[SYM_MAX_INLINE];
	unsigned int n_inlined;
	bool truncated;
	unsigned int n_candidates; /* symbols of that name that cover the offset */
};

struct sym_module_id {
	const char *module;   /* NULL: vmlinux */
	const char *build_id; /* lower-case hex */
};

struct symbolizer_opts {
	/* Prefix of /usr/lib/debug; "" or NULL for the real one. */
	const char *debug_root;
	/* NULL: the running kernel's, whose build ids then come from sysfs. */
	const char *release;
	/* Expected build ids, overriding the running kernel's. */
	const struct sym_module_id *ids;
	size_t n_ids;
	/* Where /sys is (tests); NULL or "" for the real one. */
	const char *sysfs_root;
};

struct symbolizer;

struct symbolizer *symbolizer_new(const struct symbolizer_opts *o, char *err, size_t errlen);
void symbolizer_free(struct symbolizer *s);

/*
 * Resolves "symbol+offset" (decimal or 0x hex offset) defined in module
 * ("vmlinux" for the kernel proper; NULL: search vmlinux, then every
 * module's debug file).  Debug files are opened on first use and kept.
 */
enum sym_status symbolizer_resolve(struct symbolizer *s, const char *module, const char *location,
				   struct sym_source *out);

/*
 * Closes the debug files opened, giving back what libdw read of them (it
 * grows with the compilation units resolved in); the next resolve reopens
 * them.  Which file answers for which ELF, and the mismatches logged, stay.
 */
void symbolizer_close_files(struct symbolizer *s);

/* A short reason for a status other than SYM_OK, for messages and logs. */
const char *sym_status_str(enum sym_status st);

/* Debug files skipped because their build id was not the kernel's. */
unsigned long symbolizer_mismatches(const struct symbolizer *s);

/* The build id a file had and the one expected, for the last SYM_MISMATCH. */
void symbolizer_last_mismatch(const struct symbolizer *s, const char **path, const char **have,
			      const char **want);

/* "f at file:line, g at file:line": the inlined chain, innermost first; "" when none. */
void sym_source_format_inlined(const struct sym_source *src, char *buf, size_t len);

/* Splits "symbol+offset"; the symbol is copied into sym.  0 or -1. */
int sym_location_parse(const char *location, char *sym, size_t symlen, unsigned long long *offset);

#endif /* SKBTRACE_SYMBOLS_H */
