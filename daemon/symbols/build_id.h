/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GNU build ids: of the running kernel and its modules (from sysfs) and of a
 * debug file on disk.  A debug file is used only when its build id equals the
 * kernel's: a file of another build gives plausible but wrong lines.
 */
#ifndef SKBTRACE_SYMBOLS_BUILD_ID_H
#define SKBTRACE_SYMBOLS_BUILD_ID_H

#include <stddef.h>

/* Hex digits of the longest build id (SHA-1 is 20 bytes; 64 allows others) and the NUL. */
#define BUILD_ID_HEX_LEN 129

/*
 * The build id in a buffer of ELF notes (the format of /sys/kernel/notes and
 * /sys/module/M/notes/.note.gnu.build-id) as lower-case hex; 0, or -1 if none.
 */
int build_id_from_notes(const unsigned char *notes, size_t len, char *hex, size_t hexlen);

/*
 * The running kernel's build id (module NULL) or a loaded module's, read
 * from sysfs under sysfs_root ("" for the real one); 0, or -errno.
 */
int build_id_running(const char *sysfs_root, const char *module, char *hex, size_t hexlen);

/* The build id note of an ELF file; 0, -ENOENT if it has none, or -errno. */
int build_id_of_file(const char *path, char *hex, size_t hexlen);

/* Whether s is 2 to BUILD_ID_HEX_LEN-1 hex digits, an even count; lower-cases it in place. */
int build_id_parse(char *s);

#endif /* SKBTRACE_SYMBOLS_BUILD_ID_H */
