// SPDX-License-Identifier: GPL-2.0
/*
 * The symbolizer's parts that need no kernel debug package: notes parsing,
 * location syntax, where debug files are looked for, and the build id check,
 * on this test binary itself (built with -g and a build id) posing as a
 * module's debug file.  tests/integration/test_symbolize.sh checks lines
 * against addr2line on a real kernel's debug info.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "check.h"
#include "symbols/build_id.h"
#include "symbols/debug_files.h"
#include "symbols/symbols.h"

static size_t put_note(unsigned char *b, uint32_t type, const char *name, const void *desc,
		       uint32_t descsz)
{
	uint32_t namesz = (uint32_t)strlen(name) + 1, h[3] = { namesz, descsz, type };
	size_t off = sizeof(h);

	memcpy(b, h, sizeof(h));
	memset(b + off, 0, (namesz + 3) & ~3u);
	memcpy(b + off, name, namesz);
	off += (namesz + 3) & ~3u;
	memset(b + off, 0, (descsz + 3) & ~3u);
	memcpy(b + off, desc, descsz);
	return off + ((descsz + 3) & ~3u);
}

static void test_notes(void)
{
	static const unsigned char id[20] = { 0xfa, 0x36, 0x77, 0x6b, 0x59, 0xbf, 0x96,
					      0xad, 0xa9, 0xb3, 0x65, 0x26, 0xd3, 0xba,
					      0x17, 0x05, 0xc7, 0xa9, 0x81, 0x83 };
	unsigned char b[256];
	char hex[BUILD_ID_HEX_LEN];
	uint32_t huge = 0xfffffff0;
	size_t n;

	/* The kernel's notes: Xen's first, then GNU's build id (/sys/kernel/notes). */
	n = put_note(b, 6, "Xen", "linux", 6);
	n += put_note(b + n, 3, "GNU", id, sizeof(id));
	CHECK(build_id_from_notes(b, n, hex, sizeof(hex)) == 0);
	CHECK_STR_EQ(hex, "fa36776b59bf96ada9b36526d3ba1705c7a98183");
	/* Cut anywhere inside the GNU note: no build id, and no read past the end. */
	for (size_t cut = n - 1; cut > n - 40; cut--)
		CHECK(build_id_from_notes(b, cut, hex, sizeof(hex)) == -1);
	/* A type 3 note of another owner is not a build id. */
	n = put_note(b, 3, "Xen", id, sizeof(id));
	CHECK(build_id_from_notes(b, n, hex, sizeof(hex)) == -1);
	/* Sizes that point past the buffer. */
	n = put_note(b, 3, "GNU", id, sizeof(id));
	memcpy(b, &huge, 4);
	CHECK(build_id_from_notes(b, n, hex, sizeof(hex)) == -1);
	n = put_note(b, 3, "GNU", id, sizeof(id));
	memcpy(b + 4, &huge, 4);
	CHECK(build_id_from_notes(b, n, hex, sizeof(hex)) == -1);
	/* A buffer too small for the hex. */
	CHECK(build_id_from_notes(b, put_note(b, 3, "GNU", id, sizeof(id)), hex, 40) == -1);

	/* The running kernel's: whatever it is, 40 hex digits on the kernels we build for. */
	if (build_id_running("", NULL, hex, sizeof(hex)) == 0)
		CHECK(strlen(hex) == 40);
	else
		check_skip("no /sys/kernel/notes");
}

static void test_location(void)
{
	unsigned long long off;
	char sym[32];

	CHECK(sym_location_parse("nft_do_chain+1135", sym, sizeof(sym), &off) == 0);
	CHECK_STR_EQ(sym, "nft_do_chain");
	CHECK(off == 1135);
	CHECK(sym_location_parse("nf_hook_slow+0x4b", sym, sizeof(sym), &off) == 0 && off == 75);
	CHECK(sym_location_parse("nf_hook_slow", sym, sizeof(sym), &off) == 0 && off == 0);
	CHECK(sym_location_parse("+5", sym, sizeof(sym), &off) == -1);
	CHECK(sym_location_parse("x+", sym, sizeof(sym), &off) == -1);
	CHECK(sym_location_parse("x+-1", sym, sizeof(sym), &off) == -1);
	CHECK(sym_location_parse("x+12z", sym, sizeof(sym), &off) == -1);
	CHECK(sym_location_parse("a b+1", sym, sizeof(sym), &off) == -1);
	CHECK(sym_location_parse("x+99999999999999999999999", sym, sizeof(sym), &off) == -1);
	CHECK(sym_location_parse("a_symbol_name_longer_than_the_buffer+1", sym, sizeof(sym),
				 &off) == -1);
}

static char root[] = "/tmp/skbtrace-symbols-XXXXXX";

static void mkdirs(char *path)
{
	for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		CHECK(mkdir(path, 0755) == 0 || errno == EEXIST);
		*p = '/';
	}
}

/* root/rel, a symlink to link_to, or an empty file when link_to is NULL. */
static void mkfile(const char *rel, const char *link_to)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	mkdirs(path);
	if (link_to) {
		CHECK(symlink(link_to, path) == 0);
		return;
	}
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f)
		fclose(f);
}

static void test_candidates(void)
{
	char paths[DEBUG_MAX_CANDIDATES][DEBUG_PATH_LEN], want[PATH_MAX];
	struct debug_files *df;
	const char *name;
	int n;

	mkfile("usr/lib/debug/boot/vmlinux-9.9.9-test", "/proc/self/exe");
	/* Debian's link to the same file: one candidate, not two. */
	mkfile("usr/lib/debug/lib/modules/9.9.9-test/vmlinux", "../../../boot/vmlinux-9.9.9-test");
	mkfile("usr/lib/debug/lib/modules/9.9.9-test/kernel/net/x/nf-dash.ko", "/proc/self/exe");
	mkfile("usr/lib/debug/lib/modules/9.9.9-test/extra/fedora.ko.debug", "/proc/self/exe");
	mkfile("usr/lib/debug/.build-id/ab/cdef.debug", "/proc/self/exe");

	df = debug_files_new(root, "9.9.9-test");
	CHECK(df != NULL);
	if (!df)
		return;
	CHECK(realpath("/proc/self/exe", want) != NULL);
	n = debug_files_candidates(df, "vmlinux", NULL, paths, DEBUG_MAX_CANDIDATES);
	CHECK(n == 1);
	CHECK_STR_EQ(paths[0], want);
	n = debug_files_candidates(df, "nf_dash", NULL, paths, DEBUG_MAX_CANDIDATES);
	CHECK(n == 1);
	n = debug_files_candidates(df, "fedora", NULL, paths, DEBUG_MAX_CANDIDATES);
	CHECK(n == 1);
	n = debug_files_candidates(df, "absent", NULL, paths, DEBUG_MAX_CANDIDATES);
	CHECK(n == 0);
	/* By build id, when the file is not where the module's name says. */
	n = debug_files_candidates(df, "absent", "abcdef", paths, DEBUG_MAX_CANDIDATES);
	CHECK(n == 1);
	CHECK(debug_files_n_modules(df) == 2);
	CHECK(debug_files_module(df, 5, &name) == NULL);
	debug_files_free(df);
}

/* Fake sysfs under root: the loaded module "selftest" has build id hex. */
static void set_module_id(const char *hex)
{
	unsigned char b[128], id[64];
	size_t n = strlen(hex) / 2;
	char path[PATH_MAX];
	FILE *f;

	for (size_t i = 0; i < n; i++)
		sscanf(hex + 2 * i, "%2hhx", &id[i]);
	snprintf(path, sizeof(path), "%s/sys/module/selftest/notes", root);
	mkfile("sys/module/selftest/notes/x", NULL);
	strcat(path, "/.note.gnu.build-id");
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fwrite(b, 1, put_note(b, 3, "GNU", id, (uint32_t)n), f);
		fclose(f);
	}
}

static void test_build_id_check(void)
{
	char self[BUILD_ID_HEX_LEN], rel[PATH_MAX];
	struct symbolizer_opts o = { .debug_root = root, .sysfs_root = root };
	struct sym_source src;
	struct symbolizer *s;
	struct utsname u;
	char err[256];

	if (build_id_of_file("/proc/self/exe", self, sizeof(self))) {
		check_skip("this test binary has no build id");
		return;
	}
	CHECK(uname(&u) == 0);
	/* The running kernel's release: build ids come from (the fake) sysfs. */
	snprintf(rel, sizeof(rel), "usr/lib/debug/lib/modules/%s/kernel/selftest.ko", u.release);
	mkfile(rel, "/proc/self/exe");

	set_module_id("00112233445566778899aabbccddeeff00112233");
	s = symbolizer_new(&o, err, sizeof(err));
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(symbolizer_resolve(s, "selftest", "main+0", &src) == SYM_MISMATCH);
	CHECK(symbolizer_resolve(s, "selftest", "main+0", &src) == SYM_MISMATCH);
	/* Checked, logged and counted once, however often it is asked. */
	CHECK(symbolizer_mismatches(s) == 1);
	CHECK(symbolizer_resolve(s, "selftest", "nonsense", &src) == SYM_MISMATCH);
	CHECK(symbolizer_resolve(s, "selftest", "not a location", &src) == SYM_BAD_LOCATION);
	symbolizer_free(s);

	set_module_id(self);
	s = symbolizer_new(&o, err, sizeof(err));
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(symbolizer_resolve(s, "selftest", "main+0", &src) == SYM_OK);
	CHECK(strstr(src.file, "test_symbols.c") != NULL);
	CHECK(src.line > 0);
	CHECK_STR_EQ(src.elf, "selftest");
	CHECK(symbolizer_resolve(s, "selftest", "no_such_function_here+0", &src) == SYM_NO_SYMBOL);
	CHECK(symbolizer_resolve(s, "selftest", "main+1000000", &src) == SYM_OUTSIDE);
	CHECK(symbolizer_resolve(s, "not_loaded", "main+0", &src) == SYM_NO_DEBUG);
	/* Closed to give memory back, then reopened from the file found before. */
	symbolizer_close_files(s);
	CHECK(symbolizer_resolve(s, "selftest", "main+0", &src) == SYM_OK);
	CHECK(strstr(src.file, "test_symbols.c") != NULL);
	CHECK(symbolizer_mismatches(s) == 0);
	symbolizer_free(s);
}

int main(void)
{
	char cmd[PATH_MAX];

	test_notes();
	test_location();
	CHECK(mkdtemp(root) != NULL);
	test_candidates();
	test_build_id_check();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK(system(cmd) == 0);
	return check_summary("test_symbols");
}
