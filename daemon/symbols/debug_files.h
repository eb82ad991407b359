/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where distributions install the kernel's debug info, under a root ("" for
 * /): Debian and Ubuntu put vmlinux at /usr/lib/debug/boot/vmlinux-<release>,
 * Fedora and RHEL at /usr/lib/debug/lib/modules/<release>/vmlinux; modules'
 * debug files mirror /lib/modules (.ko, or .ko.debug on Fedora); and
 * /usr/lib/debug/.build-id/xx/yyyy.debug links find a file by its build id.
 */
#ifndef SKBTRACE_SYMBOLS_DEBUG_FILES_H
#define SKBTRACE_SYMBOLS_DEBUG_FILES_H

#include <stddef.h>

#define DEBUG_PATH_LEN 512
/* vmlinux's places plus the build-id link. */
#define DEBUG_MAX_CANDIDATES 4
/* Debian's dbg package has about 3,800 modules; a bound for a tree gone astray. */
#define DEBUG_MAX_MODULES 16384

struct debug_files;

struct debug_files *debug_files_new(const char *root, const char *release);
void debug_files_free(struct debug_files *df);

/*
 * The paths where the debug file of module ("vmlinux" for the kernel proper)
 * may be, in order, that exist; the build-id link last when build_id is
 * known.  Returns how many were written to paths.
 */
int debug_files_candidates(struct debug_files *df, const char *module, const char *build_id,
			   char paths[][DEBUG_PATH_LEN], int max);

/* Module debug files of the release, for a search by symbol: count, then each by index. */
size_t debug_files_n_modules(struct debug_files *df);
const char *debug_files_module(struct debug_files *df, size_t i, const char **name);

#endif /* SKBTRACE_SYMBOLS_DEBUG_FILES_H */
