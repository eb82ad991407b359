// SPDX-License-Identifier: GPL-2.0
/*
 * Prints docs/diagnosis.md from the diagnosis table (daemon/diagnosis/diagnosis.h),
 * so that the page never says what the daemon does not.  The docs/diagnosis
 * test compares the page with this output; `cmake --build build --target
 * docs-diagnosis` rewrites it.
 */
#include <stdio.h>
#include "diagnosis.h"

static const char *const kind_heading[HINT_KIND_MAX] = {
	[HINT_DROP_REASON] = "Drop reasons (`reason` of `skbtrace_drops_total`)",
	[HINT_DROP_LOCATION] = "Drop locations (the function of `location`)",
	[HINT_RESET_REASON] = "Reset reasons (`reason` of `skbtrace_tcp_resets_total`)",
	[HINT_RESET_ORIGIN] = "Reset origins (`origin` of `skbtrace_tcp_resets_total`)",
};

/* Markdown table cells: a '|' would end the cell. */
static void cell(const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", stdout);
		else
			putchar(*s);
	}
}

int main(void)
{
	const struct hint *all;
	size_t n;

	all = hints_all(&n);
	puts("# Diagnosis hints\n");
	puts("<!-- Generated from daemon/diagnosis/diagnosis_table.c by tests/helpers/diagnosis_md.c:");
	puts("     cmake --build build --target docs-diagnosis. Do not edit. -->\n");
	puts("What a drop or a reset most likely means, and what to look at first. `/stacks`");
	puts("shows these hints for the reasons and origins each stack was counted under;");
	puts("`skbtrace top` and the landing page show them next to the top series. A value");
	puts("that has no row here gets no hint. Reason names are checked against the running");
	puts("kernel's BTF by the unit test `test_diagnosis`: names a kernel lacks are listed");
	puts("there, and a name no kernel has fails it.");
	for (int k = 0; k < HINT_KIND_MAX; k++) {
		printf("\n## %s\n\n", kind_heading[k]);
		puts("| Value | Likely cause | What to check |");
		puts("|---|---|---|");
		for (size_t i = 0; i < n; i++) {
			if (all[i].kind != (enum hint_kind)k)
				continue;
			printf("| `%s` | ", all[i].key);
			cell(all[i].cause);
			fputs(" | ", stdout);
			cell(all[i].action);
			puts(" |");
		}
	}
	return 0;
}
