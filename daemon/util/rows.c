// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "rows.h"

int grow_array(void *pp, size_t *cap, size_t need, size_t size, size_t first)
{
	size_t c = *cap ? *cap : first;
	void *v;

	if (need <= *cap)
		return 0;
	while (c < need) {
		if (c > SIZE_MAX / 2)
			return -ENOMEM;
		c *= 2;
	}
	if (size && c > SIZE_MAX / size)
		return -ENOMEM;
	/* memcpy: pp is a T **, which a void ** may not alias. */
	memcpy(&v, pp, sizeof(v));
	v = realloc(v, c * size);
	if (!v)
		return -ENOMEM;
	memcpy(pp, &v, sizeof(v));
	*cap = c;
	return 0;
}

void *rows_push(struct rows *r)
{
	void *row;

	if (grow_array(&r->v, &r->cap, r->n + 1, r->size, 256))
		return NULL;
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
