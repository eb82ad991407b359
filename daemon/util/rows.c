// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "rows.h"

void *rows_push(struct rows *r)
{
	void *row;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		void *v = realloc(r->v, cap * r->size);

		if (!v)
			return NULL;
		r->v = v;
		r->cap = cap;
	}
	row = (char *)r->v + r->n++ * r->size;
	memset(row, 0, r->size);
	return row;
}

void rows_free(struct rows *r)
{
	free(r->v);
	r->v = NULL;
	r->n = r->cap = 0;
}
