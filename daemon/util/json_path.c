// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "json_path.h"

/* Long enough for any legitimate value, short enough to keep the message on a screen line. */
#define QUOTE_MAX_CHARS 48

int json_fail(const struct json_err *e, const char *path, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!e->buf || !e->len)
		return -EINVAL;
	if (path && *path)
		n = snprintf(e->buf, e->len, "%s: %s: ", e->file, path);
	else
		n = snprintf(e->buf, e->len, "%s: ", e->file);
	if (n >= 0 && (size_t)n < e->len) {
		va_start(ap, fmt);
		vsnprintf(e->buf + n, e->len - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static bool is_plain_key(const char *key)
{
	if (!*key)
		return false;
	for (; *key; key++) {
		char c = *key;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

void json_path_key(char *dst, size_t len, const char *parent, const char *key)
{
	char quoted[QUOTE_MAX_CHARS * 2 + 8];
	const char *k = key;

	if (!is_plain_key(key)) {
		json_quote(quoted, sizeof(quoted), key);
		k = quoted;
	}
	if (parent && *parent)
		snprintf(dst, len, "%s.%s", parent, k);
	else
		snprintf(dst, len, "%s", k);
}

void json_path_index(char *dst, size_t len, const char *parent, int index)
{
	snprintf(dst, len, "%s[%d]", parent ? parent : "", index);
}

void json_quote(char *dst, size_t len, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;
	int chars = 0;

	if (len < 8) {
		if (len)
			*dst = 0;
		return;
	}
	/* Reserve room for the closing quote, an ellipsis and the terminator. */
	len -= 5;
	dst[o++] = '"';
	while (*p && chars < QUOTE_MAX_CHARS) {
		char esc[8];
		size_t n = 1, in = 1;

		if (*p == '"' || *p == '\\') {
			n = snprintf(esc, sizeof(esc), "\\%c", *p);
		} else if (*p < 0x20 || *p == 0x7f) {
			n = snprintf(esc, sizeof(esc), "\\u%04x", *p);
		} else {
			/* Whole UTF-8 sequences only, so a shortened string stays valid text. */
			esc[0] = *p;
			while (n < 4 && (p[n] & 0xc0) == 0x80) {
				esc[n] = p[n];
				n++;
			}
			in = n;
		}
		if (o + n > len)
			break;
		memcpy(dst + o, esc, n);
		o += n;
		p += in;
		chars++;
	}
	dst[o++] = '"';
	if (*p) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = 0;
}

void json_describe(char *dst, size_t len, const cJSON *v)
{
	if (!v)
		snprintf(dst, len, "nothing");
	else if (cJSON_IsString(v))
		json_quote(dst, len, v->valuestring);
	else if (cJSON_IsNumber(v) && v->valuedouble > -1e15 && v->valuedouble < 1e15 &&
		 v->valuedouble == (double)(long long)v->valuedouble)
		snprintf(dst, len, "%lld", (long long)v->valuedouble);
	else if (cJSON_IsNumber(v))
		snprintf(dst, len, "%g", v->valuedouble);
	else if (cJSON_IsTrue(v))
		snprintf(dst, len, "true");
	else if (cJSON_IsFalse(v))
		snprintf(dst, len, "false");
	else if (cJSON_IsNull(v))
		snprintf(dst, len, "null");
	else if (cJSON_IsArray(v))
		snprintf(dst, len, "an array");
	else if (cJSON_IsObject(v))
		snprintf(dst, len, "an object");
	else
		snprintf(dst, len, "an invalid value");
}

int json_check_keys(const struct json_err *e, const cJSON *obj, const char *path,
		    const char *const *keys)
{
	char sub[JSON_PATH_LEN];
	const cJSON *c, *d;

	for (c = obj->child; c; c = c->next) {
		const char *const *k;

		json_path_key(sub, sizeof(sub), path, c->string);
		for (k = keys; *k; k++)
			if (!strcmp(*k, c->string))
				break;
		if (!*k) {
			char list[256] = "";
			size_t o = 0;

			for (k = keys; *k && o < sizeof(list); k++)
				o += snprintf(list + o, sizeof(list) - o, "%s%s",
					      k == keys ? "" : ", ", *k);
			return json_fail(e, sub, "unknown key (expected one of %s)", list);
		}
		for (d = obj->child; d != c; d = d->next)
			if (!strcmp(d->string, c->string))
				return json_fail(e, sub, "duplicate key");
	}
	return 0;
}

bool json_is_uint(const cJSON *v, uint64_t min, uint64_t max, uint64_t *out)
{
	double d;

	if (!cJSON_IsNumber(v))
		return false;
	d = v->valuedouble;
	/* Range first: casting an out-of-range double (or NaN) is undefined. */
	if (!(d >= (double)min && d <= (double)max) || d != (double)(uint64_t)d)
		return false;
	if (out)
		*out = (uint64_t)d;
	return true;
}

int json_expect_object(const struct json_err *e, const cJSON *v, const char *path)
{
	char got[128];

	if (cJSON_IsObject(v))
		return 0;
	json_describe(got, sizeof(got), v);
	return json_fail(e, path, "expected an object, got %s", got);
}

int json_get_bool(const struct json_err *e, const cJSON *v, const char *path, bool *out)
{
	char got[128];

	if (cJSON_IsBool(v)) {
		*out = cJSON_IsTrue(v);
		return 0;
	}
	json_describe(got, sizeof(got), v);
	return json_fail(e, path, "expected true or false, got %s", got);
}

int json_get_uint(const struct json_err *e, const cJSON *v, const char *path, uint64_t min,
		  uint64_t max, uint64_t *out)
{
	char got[128];

	if (json_is_uint(v, min, max, out))
		return 0;
	json_describe(got, sizeof(got), v);
	return json_fail(e, path, "expected an integer from %ju to %ju, got %s", (uintmax_t)min,
			 (uintmax_t)max, got);
}

const char *json_get_string(const struct json_err *e, const cJSON *v, const char *path,
			    const char *what)
{
	char got[128];

	if (cJSON_IsString(v))
		return v->valuestring;
	json_describe(got, sizeof(got), v);
	json_fail(e, path, "expected %s, got %s", what, got);
	return NULL;
}

/* Looks a string value up in a name table; the error lists every name. */
int json_get_enum(const struct json_err *e, const cJSON *v, const char *path,
		  const char *const *names, int n, int *out)
{
	char list[192] = "", got[128];
	size_t o = 0;

	for (int i = 0; cJSON_IsString(v) && i < n; i++) {
		if (!strcmp(v->valuestring, names[i])) {
			*out = i;
			return 0;
		}
	}
	for (int i = 0; i < n && o < sizeof(list); i++)
		o += snprintf(list + o, sizeof(list) - o, "%s\"%s\"", i ? ", " : "", names[i]);
	json_describe(got, sizeof(got), v);
	return json_fail(e, path, "expected one of %s, got %s", list, got);
}
