/* SPDX-License-Identifier: GPL-2.0 */
/* The data of diagnosis.h, apart from the code that looks it up. */
#ifndef SKBTRACE_DIAGNOSIS_TABLE_H
#define SKBTRACE_DIAGNOSIS_TABLE_H

#include <stddef.h>
#include "diagnosis.h"

extern const struct hint hint_table[];
extern const size_t hint_table_len;

#endif /* SKBTRACE_DIAGNOSIS_TABLE_H */
