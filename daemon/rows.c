// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include "rows.h"

void *rows_push(struct rows *r)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		void *v = realloc(r->v, cap * r->size);

		if (!v)
			return NULL;
		r->v = v;
		r->cap = cap;
	}
	return (char *)r->v + r->n++ * r->size;
}
