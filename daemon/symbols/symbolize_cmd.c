// SPDX-License-Identifier: GPL-2.0
/*
 * `skbtrace symbolize`: a location that another node reported, resolved here
 * from the debug files of the release it ran.  No BPF, no privileges.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "symbolize_cmd.h"
#include "symbols.h"

/* More --build-id options than a kernel has ELFs to name is a mistake. */
#define MAX_IDS 64

static const char usage[] =
	"Usage: skbtrace symbolize [--release RELEASE] [--debug-root DIR]\n"
	"                          [--build-id [MODULE=]HEX]... [--verbose] LOCATION...\n"
	"\n"
	"Prints the source line of each kernel location (symbol+offset, as skbtrace's\n"
	"metrics name it) from the kernel's debug info, one line per location:\n"
	"the location, FILE:LINE, the ELF (vmlinux or a module), and the functions\n"
	"inlined at that line, innermost first (FUNCTION at CALL_FILE:CALL_LINE), or\n"
	"\"error: \" and why there is no line.\n"
	"\n"
	"  -r, --release RELEASE  the kernel release whose debug files to read\n"
	"                         (default: the running kernel's, whose build ids the\n"
	"                         files must then have)\n"
	"  -d, --debug-root DIR   look under DIR/usr/lib/debug instead of /usr/lib/debug\n"
	"  -b, --build-id [MODULE=]HEX\n"
	"                         the build id of vmlinux (or of MODULE) on the node that\n"
	"                         reported the location: a debug file with another one is\n"
	"                         not used; may be repeated\n"
	"  -v, --verbose          say which debug file answers\n"
	"  -h, --help             print this help and exit\n"
	"\n"
	"Exit status: 0 when every location has a line, 1 when one has none, 2 on bad usage.\n";

static int add_id(struct sym_module_id *ids, size_t *n, char *arg)
{
	char *eq = strchr(arg, '=');
	char *hex = eq ? eq + 1 : arg;

	if (*n == MAX_IDS) {
		fprintf(stderr, "skbtrace symbolize: more than %d --build-id options\n", MAX_IDS);
		return -1;
	}
	if (eq && eq == arg) {
		fprintf(stderr, "skbtrace symbolize: --build-id '%s': empty module name\n", arg);
		return -1;
	}
	if (build_id_parse(hex)) {
		fprintf(stderr,
			"skbtrace symbolize: --build-id '%s': expected [MODULE=]HEX, an even "
			"number of hex digits (2 to %d)\n",
			arg, BUILD_ID_HEX_LEN - 1);
		return -1;
	}
	if (eq) {
		*eq = '\0';
		for (char *p = arg; *p; p++)
			if (*p == '-')
				*p = '_';
	}
	ids[*n].module = eq && strcmp(arg, "vmlinux") ? arg : NULL;
	ids[*n].build_id = hex;
	(*n)++;
	return 0;
}

static enum sym_status print_one(struct symbolizer *s, const char *location)
{
	char inlined[SYM_MAX_INLINE * (SYM_FUNC_LEN + SYM_FILE_LEN + 16)];
	struct sym_source src;
	enum sym_status st = symbolizer_resolve(s, NULL, location, &src);

	if (st != SYM_OK) {
		printf("%s\t?\t%s\terror: %s", location, src.elf[0] ? src.elf : "?",
		       sym_status_str(st));
		if (st == SYM_MISMATCH) {
			const char *path, *have, *want;

			symbolizer_last_mismatch(s, &path, &have, &want);
			printf(": %s has %s, expected %s", path, have, want);
		}
		putchar('\n');
		return st;
	}
	sym_source_format_inlined(&src, inlined, sizeof(inlined));
	printf("%s\t%s:%u\t%s\t%s%s\n", location, src.file, src.line, src.elf,
	       inlined[0] ? inlined : "-",
	       src.n_candidates > 1 ? " (ambiguous: several symbols of that name)" : "");
	return st;
}

int symbolize_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "release", required_argument, NULL, 'r' },
		{ "debug-root", required_argument, NULL, 'd' },
		{ "build-id", required_argument, NULL, 'b' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct symbolizer_opts o = { 0 };
	struct sym_module_id ids[MAX_IDS];
	bool verbose = false, all = true;
	struct symbolizer *s;
	char err[256];
	int c;

	while ((c = getopt_long(argc, argv, "r:d:b:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			o.release = optarg;
			break;
		case 'd':
			o.debug_root = optarg;
			break;
		case 'b':
			if (add_id(ids, &o.n_ids, optarg))
				return 2;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "skbtrace symbolize: no location given\n%s", usage);
		return 2;
	}
	o.ids = ids;
	log_init(verbose);
	s = symbolizer_new(&o, err, sizeof(err));
	if (!s) {
		fprintf(stderr, "skbtrace symbolize: %s\n", err);
		return 1;
	}
	for (int i = optind; i < argc; i++)
		if (print_one(s, argv[i]) != SYM_OK)
			all = false;
	symbolizer_free(s);
	return all ? 0 : 1;
}
