// SPDX-License-Identifier: GPL-2.0
/*
 * libcurl built on GnuTLS (Debian's libcurl3-gnutls): the daemon serves
 * TLS with GnuTLS, and the certificate and key files are checked here with
 * the daemon's own GnuTLS checks (tls_files.h) before curl loads them, so a
 * file that top accepts is one its TLS library loads, and the message names
 * the option and the file.  Every exchange is bounded: one timeout for
 * connect, handshake and body, a bound on the body, no redirects followed,
 * no proxy, http and https only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include "config.h"
#include "tls_files.h"
#include "top_client.h"
#include "top_url.h"
#include "version.h"

struct top_client {
	CURL *curl;
	struct curl_slist *headers;
	char url[TOP_URL_MAX];
	char host[256], port[8];
	bool https;
	char *user;
	const char *cert; /* --cert, for messages */
	size_t max_body;
	/* The transfer under way. */
	char *body;
	size_t len, cap;
	bool over;
	char reason[64];
	char errbuf[CURL_ERROR_SIZE];
};

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct top_client *c = arg;
	size_t bytes = size * n;

	if (bytes > c->max_body - c->len) {
		c->over = true;
		return 0; /* curl ends the transfer with CURLE_WRITE_ERROR */
	}
	if (c->len + bytes + 1 > c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64u << 10;
		char *nb;

		if (cap < c->len + bytes + 1)
			cap = c->len + bytes + 1;
		if (cap > c->max_body + 1)
			cap = c->max_body + 1;
		nb = realloc(c->body, cap);
		if (!nb)
			return 0;
		c->body = nb;
		c->cap = cap;
	}
	memcpy(c->body + c->len, data, bytes);
	c->len += bytes;
	c->body[c->len] = '\0';
	return bytes;
}

/* Keeps the reason phrase of the last status line (a redirect or 100 has its own). */
static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	struct top_client *c = arg;
	size_t bytes = size * n, i = 0, r = 0;

	if (bytes < 5 || memcmp(data, "HTTP/", 5))
		return bytes;
	/* "HTTP/1.1 404 Not Found\r\n": skip the version and the code. */
	for (int field = 0; field < 2 && i < bytes; field++) {
		while (i < bytes && data[i] != ' ')
			i++;
		while (i < bytes && data[i] == ' ')
			i++;
	}
	for (; i < bytes && data[i] != '\r' && data[i] != '\n' && r + 1 < sizeof(c->reason); i++)
		c->reason[r++] = (data[i] >= ' ' && data[i] < 0x7f) ? data[i] : '?';
	c->reason[r] = '\0';
	return bytes;
}

/* Reads FILE of OPTION whole (bounded), for the GnuTLS checks. */
static char *read_option_file(const char *option, const char *file, size_t *len, char *err,
			      size_t errlen)
{
	char why[CONFIG_ERR_LEN];
	char *s = config_read_file(file, len, why, sizeof(why));

	if (!s)
		snprintf(err, errlen, "%s %s", option, why);
	return s;
}

static int check_tls_files(const struct top_client_options *o, char *err, size_t errlen)
{
	char why[256], *ca = NULL, *cert = NULL, *key = NULL;
	size_t ca_len, cert_len, key_len;
	int ret = -EINVAL;

	if (o->cacert) {
		ca = read_option_file("--cacert", o->cacert, &ca_len, err, errlen);
		if (!ca)
			goto out;
		if (tls_check_ca(ca, ca_len, why, sizeof(why))) {
			snprintf(err, errlen, "--cacert %s: %s", o->cacert, why);
			goto out;
		}
	}
	if (o->cert) {
		cert = read_option_file("--cert", o->cert, &cert_len, err, errlen);
		if (!cert)
			goto out;
		key = read_option_file("--key", o->key, &key_len, err, errlen);
		if (!key)
			goto out;
		if (tls_check_cert(cert, cert_len, time(NULL), why, sizeof(why))) {
			snprintf(err, errlen, "--cert %s: %s", o->cert, why);
			goto out;
		}
		if (tls_check_key(key, key_len, why, sizeof(why)) ||
		    tls_check_pair(cert, cert_len, key, key_len, why, sizeof(why))) {
			snprintf(err, errlen, "--key %s: %s", o->key, why);
			goto out;
		}
	}
	ret = 0;
out:
	free(ca);
	free(cert);
	free(key);
	return ret;
}

static int check_options(const struct top_client_options *o, bool https, char *err, size_t errlen)
{
	const char *tls_opt = o->cacert ? "--cacert" : o->cert ? "--cert" : o->key ? "--key" : NULL;

	if (!https && tls_opt) {
		snprintf(err, errlen, "%s is for https:// URLs; %s is plain http", tls_opt, o->url);
		return -EINVAL;
	}
	if (!o->cert != !o->key) {
		snprintf(err, errlen, "--cert FILE and --key FILE go together (mTLS)");
		return -EINVAL;
	}
	if (o->user && (!o->password || !o->password[0])) {
		snprintf(err, errlen,
			 "--user %s: no password; set " TOP_PASSWORD_ENV " or pass --password-file "
			 "FILE",
			 o->user);
		return -EINVAL;
	}
	if (o->user && strchr(o->user, ':')) {
		snprintf(err, errlen, "--user %s: a basic auth user name has no ':'", o->user);
		return -EINVAL;
	}
	return check_tls_files(o, err, errlen);
}

/* Host and port as the URL names them, for "cannot connect to HOST port PORT". */
static void host_and_port(struct top_client *c)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL;

	if (u && !curl_url_set(u, CURLUPART_URL, c->url, 0) &&
	    !curl_url_get(u, CURLUPART_HOST, &host, 0) &&
	    !curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT)) {
		snprintf(c->host, sizeof(c->host), "%s", host);
		snprintf(c->port, sizeof(c->port), "%s", port);
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
}

static int set_options(struct top_client *c, const struct top_client_options *o)
{
	CURL *h = c->curl;
	int bad = 0;

	c->headers = curl_slist_append(NULL, "Accept: text/plain;version=0.0.4");
	if (!c->headers)
		return -ENOMEM;
	bad |= curl_easy_setopt(h, CURLOPT_URL, c->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	bad |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	bad |= curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	/* No SIGALRM for name lookups: top_term's signal handlers stay the only ones. */
	bad |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	/* Straight to the daemon: a proxy from the environment would see the password. */
	bad |= curl_easy_setopt(h, CURLOPT_PROXY, "");
	bad |= curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	bad |= curl_easy_setopt(h, CURLOPT_USERAGENT, "skbtrace-top/" SKBTRACE_VERSION);
	bad |= curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers);
	bad |= curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max_body);
	bad |= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	bad |= curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	bad |= curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	bad |= curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
	bad |= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
	if (o->cacert) {
		/* That CA alone, as Prometheus's ca_file: not the system's on top. */
		bad |= curl_easy_setopt(h, CURLOPT_CAINFO, o->cacert);
		bad |= curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
	}
	if (o->cert) {
		bad |= curl_easy_setopt(h, CURLOPT_SSLCERT, o->cert);
		bad |= curl_easy_setopt(h, CURLOPT_SSLKEY, o->key);
	}
	if (o->user) {
		/* Sent with the first request, never in answer to a challenge only. */
		bad |= curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		bad |= curl_easy_setopt(h, CURLOPT_USERNAME, o->user);
		bad |= curl_easy_setopt(h, CURLOPT_PASSWORD, o->password);
	}
	return bad ? -EINVAL : 0;
}

struct top_client *top_client_new(const struct top_client_options *o, char *err, size_t errlen)
{
	struct top_client *c = calloc(1, sizeof(*c));

	if (!c || curl_global_init(CURL_GLOBAL_DEFAULT)) {
		free(c);
		snprintf(err, errlen, "cannot set up libcurl");
		return NULL;
	}
	c->max_body = o->max_body ? o->max_body : TOP_MAX_BODY;
	if (top_url_resolve(o->url, c->url, sizeof(c->url), &c->https, err, errlen) ||
	    check_options(o, c->https, err, errlen))
		goto fail;
	host_and_port(c);
	c->user = o->user ? strdup(o->user) : NULL;
	c->cert = o->cert;
	c->curl = curl_easy_init();
	if ((o->user && !c->user) || !c->curl || set_options(c, o)) {
		snprintf(err, errlen, "cannot set up libcurl (%s)", curl_version());
		goto fail;
	}
	return c;
fail:
	top_client_free(c);
	return NULL;
}

const char *top_client_url(const struct top_client *c)
{
	return c->url;
}

void top_client_free(struct top_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->headers);
	free(c->user);
	free(c->body);
	free(c);
	curl_global_cleanup();
}

/* One line from what curl says: no line breaks or control bytes. */
static const char *curl_why(struct top_client *c, CURLcode rc)
{
	char *p = c->errbuf;

	if (!*p)
		return curl_easy_strerror(rc);
	for (; *p; p++)
		if (*p < ' ' || *p == 0x7f)
			*p = ' ';
	while (p > c->errbuf && (p[-1] == ' ' || p[-1] == '.'))
		*--p = '\0';
	return c->errbuf;
}

/*
 * A TLS connection the daemon ended: it refused the client certificate, or
 * its absence (TLS 1.3 says so only after the handshake, so curl reports a
 * failed send or receive), or the port speaks plain http.
 */
static void tls_error(struct top_client *c, CURLcode rc, char *err, size_t errlen)
{
	const char *why = curl_why(c, rc);

	if (!c->https)
		snprintf(err, errlen, "%s: %s", c->url, why);
	else if (strstr(why, "unexpected TLS packet"))
		snprintf(err, errlen, "%s: the port speaks no TLS (%s); pass http://", c->url, why);
	else if (c->cert)
		snprintf(err, errlen,
			 "%s: the daemon ended the TLS connection (%s); does it trust the CA of "
			 "--cert %s?",
			 c->url, why, c->cert);
	else
		snprintf(err, errlen,
			 "%s: the daemon ended the TLS connection (%s); if it asks for a client "
			 "certificate, pass --cert FILE --key FILE",
			 c->url, why);
}

/* A transfer that ended without an HTTP answer: why, and what to pass instead. */
static void transfer_error(struct top_client *c, CURLcode rc, int timeout_ms, char *err,
			   size_t errlen)
{
	long os_errno = 0;

	curl_easy_getinfo(c->curl, CURLINFO_OS_ERRNO, &os_errno);
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		snprintf(err, errlen, "cannot connect to %s port %s: %s (is skbtrace running?)",
			 c->host, c->port, os_errno ? strerror(os_errno) : curl_why(c, rc));
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		snprintf(err, errlen, "%s: cannot resolve host %s", c->url, c->host);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(err, errlen, "%s: no complete answer within %d.%d s", c->url,
			 timeout_ms / 1000, timeout_ms % 1000 / 100);
		break;
	case CURLE_FILESIZE_EXCEEDED:
		snprintf(err, errlen, "%s: the answer is larger than %zu bytes", c->url,
			 c->max_body);
		break;
	case CURLE_GOT_NOTHING:
		snprintf(err, errlen, "%s: the connection closed without an answer%s", c->url,
			 c->https ? "" : " (if the daemon serves https, pass https://)");
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
		snprintf(err, errlen,
			 "%s: the daemon's certificate is not trusted (%s); pass --cacert FILE, "
			 "the CA that signed it",
			 c->url, curl_why(c, rc));
		break;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		tls_error(c, rc, err, errlen);
		break;
	case CURLE_WRITE_ERROR:
		if (c->over) {
			snprintf(err, errlen, "%s: the answer is larger than %zu bytes", c->url,
				 c->max_body);
			break;
		}
		/* fall through */
	default:
		snprintf(err, errlen, "%s: %s", c->url, curl_why(c, rc));
	}
}

int top_client_get(struct top_client *c, int timeout_ms, char **body, size_t *len, char *err,
		   size_t errlen)
{
	struct top_answer a = { .url = c->url, .reason = c->reason, .user = c->user };
	CURLcode rc;
	char *type = NULL, *location = NULL;
	int ret;

	*body = NULL;
	*len = 0;
	c->len = 0;
	c->over = false;
	c->reason[0] = '\0';
	c->errbuf[0] = '\0';
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	rc = curl_easy_perform(c->curl);
	if (rc) {
		transfer_error(c, rc, timeout_ms, err, errlen);
		return rc == CURLE_OPERATION_TIMEDOUT		  ? -ETIMEDOUT
		       : rc == CURLE_COULDNT_CONNECT		  ? -ECONNREFUSED
		       : rc == CURLE_FILESIZE_EXCEEDED || c->over ? -EFBIG
								  : -EPROTO;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &a.status);
	curl_easy_getinfo(c->curl, CURLINFO_CONTENT_TYPE, &type);
	curl_easy_getinfo(c->curl, CURLINFO_REDIRECT_URL, &location);
	a.content_type = type;
	a.location = location;
	a.body = c->len ? c->body : "";
	a.len = c->len;
	ret = top_answer_check(&a, err, errlen);
	if (ret)
		return ret;
	/* The body moves to the caller; the next transfer grows a new one. */
	*body = c->len ? c->body : strdup("");
	*len = c->len;
	if (c->len) {
		c->body = NULL;
		c->cap = 0;
	}
	return *body ? 0 : -ENOMEM;
}

int top_password_load(const char *file, char *buf, size_t size, char *err, size_t errlen)
{
	const char *env = getenv(TOP_PASSWORD_ENV);
	char *s;
	size_t len, n;

	buf[0] = '\0';
	if (!file) {
		if (env && strlen(env) >= size) {
			snprintf(err, errlen, TOP_PASSWORD_ENV ": longer than %zu bytes", size - 1);
			return -EINVAL;
		}
		snprintf(buf, size, "%s", env ? env : "");
		return 0;
	}
	s = read_option_file("--password-file", file, &len, err, errlen);
	if (!s)
		return -EINVAL;
	/* strcspn stops at a NUL too: one inside the first line is refused, not cut at. */
	n = strcspn(s, "\r\n");
	if (n == 0 || n >= size || (n < len && s[n] == '\0')) {
		snprintf(err, errlen, "--password-file %s: %s", file,
			 n >= size ? "the password's line is too long"
			 : n && s[n] == '\0'
				 ? "a NUL byte in the password's line"
				 : "expected the password on its first line, found none");
		explicit_bzero(s, len);
		free(s);
		return -EINVAL;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	explicit_bzero(s, len);
	free(s);
	return 0;
}
