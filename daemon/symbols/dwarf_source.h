/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One debug ELF (vmlinux or a module's .ko) opened through libdwfl, offline:
 * a module's sections are laid out by libdwfl and its DWARF relocated to
 * match, so symbol addresses and line tables agree without the kernel's
 * load addresses.
 */
#ifndef SKBTRACE_SYMBOLS_DWARF_SOURCE_H
#define SKBTRACE_SYMBOLS_DWARF_SOURCE_H

#include <stdbool.h>
#include <stdint.h>
#include "symbols.h"

struct dwarf_elf;

struct dwarf_elf *dwarf_elf_open(const char *path, char *err, size_t errlen);
void dwarf_elf_close(struct dwarf_elf *e);

/*
 * The address of the function named name that covers offset (its size is
 * larger), in the ELF's own address space; *count is how many symbols of that
 * name cover it (static functions share names).  0, or an SYM_ status.
 */
int dwarf_elf_symbol(struct dwarf_elf *e, const char *name, unsigned long long offset,
		     uint64_t *addr, unsigned int *count);

/* The line of addr and its chain of inlined functions into out. 0 or SYM_NO_LINE. */
int dwarf_elf_source(struct dwarf_elf *e, uint64_t addr, struct sym_source *out);

/*
 * Whether the ELF's symbol table defines a function of that name, read with
 * libelf alone: cheap enough to ask of every module's debug file.
 */
bool elf_file_defines(const char *path, const char *name);

#endif /* SKBTRACE_SYMBOLS_DWARF_SOURCE_H */
