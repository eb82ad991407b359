// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "diagnosis.h"
#include "diagnosis_table.h"

#define FUNC_NAME_MAX 128

/* "ip_rcv_finish_core.constprop.0+31" → "ip_rcv_finish_core". */
static void location_function(const char *location, char *buf, size_t len)
{
	size_t n = strcspn(location, "+.");

	if (n >= len)
		n = len - 1;
	memcpy(buf, location, n);
	buf[n] = '\0';
}

const struct hint *hint_find(enum hint_kind kind, const char *key)
{
	char func[FUNC_NAME_MAX];

	if (!key)
		return NULL;
	if (kind == HINT_DROP_LOCATION) {
		location_function(key, func, sizeof(func));
		key = func;
	}
	for (size_t i = 0; i < hint_table_len; i++) {
		if (hint_table[i].kind == kind && !strcmp(hint_table[i].key, key))
			return &hint_table[i];
	}
	return NULL;
}

const struct hint *hints_all(size_t *n)
{
	*n = hint_table_len;
	return hint_table;
}

const char *hint_kind_name(enum hint_kind kind)
{
	static const char *const names[HINT_KIND_MAX] = {
		[HINT_DROP_REASON] = "drop reason",
		[HINT_DROP_LOCATION] = "drop location",
		[HINT_RESET_REASON] = "reset reason",
		[HINT_RESET_ORIGIN] = "reset origin",
	};

	return kind < HINT_KIND_MAX ? names[kind] : "unknown";
}
