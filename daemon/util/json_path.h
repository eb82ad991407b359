/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Schema-checking helpers over cJSON values.  Every error names the JSON
 * path of the offending value ("probes[1].filter.dport[2]") so that a user
 * can find it without line numbers, which cJSON does not keep.
 */
#ifndef SKBTRACE_JSON_PATH_H
#define SKBTRACE_JSON_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#define JSON_PATH_LEN 192

/* Where errors go: "FILE: PATH: message", one line. */
struct json_err {
	const char *file;
	char *buf;
	size_t len;
};

/* Writes the error and returns -EINVAL, so that callers can "return json_fail(...)". */
int json_fail(const struct json_err *e, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* parent.key, or key at the top level; odd keys are quoted so the path stays one line. */
void json_path_key(char *dst, size_t len, const char *parent, const char *key);
/* parent[index] */
void json_path_index(char *dst, size_t len, const char *parent, int index);

/* A string in double quotes, escaped, shortened to fit an error message. */
void json_quote(char *dst, size_t len, const char *s);
/* A value for "got ...": "abc" quoted, 1.5, true, null, an object, an array. */
void json_describe(char *dst, size_t len, const cJSON *v);

/*
 * Fails on a key not in the NULL-terminated list, and on a key given twice
 * (cJSON keeps both and would silently use the first).
 */
int json_check_keys(const struct json_err *e, const cJSON *obj, const char *path,
		    const char *const *keys);

/* True when v is a whole number within [min, max]; 1.0 counts, 1.5 does not. */
bool json_is_uint(const cJSON *v, uint64_t min, uint64_t max, uint64_t *out);

int json_expect_object(const struct json_err *e, const cJSON *v, const char *path);
int json_get_bool(const struct json_err *e, const cJSON *v, const char *path, bool *out);
int json_get_uint(const struct json_err *e, const cJSON *v, const char *path, uint64_t min,
		  uint64_t max, uint64_t *out);
/* Returns NULL after writing "expected WHAT, got ..." when v is not a string. */
const char *json_get_string(const struct json_err *e, const cJSON *v, const char *path,
			    const char *what);

/* A string from names[0..n-1], its index in *out; the error lists every name. */
int json_get_enum(const struct json_err *e, const cJSON *v, const char *path,
		  const char *const *names, int n, int *out);

#endif /* SKBTRACE_JSON_PATH_H */
