// SPDX-License-Identifier: GPL-2.0
/*
 * skbtrace top's client: URLs through libcurl's parser, the one line for an
 * answer that is not metrics, real GETs against a loopback server in a
 * child (bounds, timeout, basic auth), options refused up front, and where
 * the password comes from.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "check.h"
#include "top/top_client.h"
#include "top/top_url.h"

/* url resolves to want, or is refused with a message containing want. */
static void resolve(const char *url, const char *want, bool ok)
{
	char out[TOP_URL_MAX], err[512] = "";
	bool https = false;
	int ret = top_url_resolve(url, out, sizeof(out), &https, err, sizeof(err));

	CHECK(ok ? ret == 0 : ret < 0);
	if (ok)
		CHECK_STR_EQ(out, want);
	else
		CHECK_CONTAINS(err, want);
	CHECK(!ok || https == !strncmp(url, "https", 5));
}

static void test_url(void)
{
	/* A URL without a path is the base URL users type: it reads /metrics. */
	resolve("http://127.0.0.1:9820", "http://127.0.0.1:9820/metrics", true);
	resolve("http://127.0.0.1:9820/", "http://127.0.0.1:9820/metrics", true);
	resolve("https://127.0.0.1:9820", "https://127.0.0.1:9820/metrics", true);
	resolve("http://127.0.0.1:9820/metrics", "http://127.0.0.1:9820/metrics", true);
	resolve("http://[::1]:80", "http://[::1]:80/metrics", true);
	resolve("http://localhost/m#frag", "http://localhost/m", true);
	/* A query names something: the landing page asked for, not the base. */
	resolve("http://h/?a=1", "http://h/?a=1", true);
	resolve("https://alice:pw@h/", "no credentials in the URL (the process list shows them)",
		false);
	resolve("http://alice@h/", "pass --user NAME", false);
	resolve("ftp://h/",
		"expected http[s]://HOST[:PORT][/PATH] (top speaks http and https only)", false);
	resolve("127.0.0.1:9820", "127.0.0.1:9820: expected http[s]://HOST[:PORT][/PATH]", false);
	resolve("http://h:99999/", "expected http[s]://", false);
	resolve("http://h:0/", "expected http[s]://", false);
	resolve("http:///x", "expected http[s]://", false);
	resolve("http://h/a b", "expected http[s]://", false);
	resolve("http://h/a\x1b[2J", "expected http[s]://", false);
}

/* One answer, checked: the line top prints for it, or "" when it is metrics. */
static void answer(long status, const char *type, const char *body, const char *user,
		   const char *want)
{
	struct top_answer a = { .url = "http://h:1/p",
				.status = status,
				.reason = status == 404	  ? "Not Found"
					  : status == 401 ? "Unauthorized"
					  : status == 302 ? "Found"
					  : status == 500 ? "Internal\x1b[2J Error"
							  : "OK",
				.content_type = type,
				.location = status == 302 ? "http://h:1/metrics" : NULL,
				.body = body,
				.len = strlen(body),
				.user = user };
	char err[512] = "";

	CHECK(top_answer_check(&a, err, sizeof(err)) == (*want ? -EPROTO : 0));
	CHECK_STR_EQ(err, want);
}

static void test_answers(void)
{
	answer(200, "text/plain; version=0.0.4; charset=utf-8", "m 1\n", NULL, "");
	answer(200, "TEXT/PLAIN", "m 1\n", NULL, "");
	answer(200, NULL, "m 1\n", NULL, "");
	answer(200, "text/html; charset=utf-8", "<!DOCTYPE html>", NULL,
	       "http://h:1/p: got an HTML page, not metrics; pass the base URL http://h:1 or "
	       "http://h:1/metrics");
	answer(200, NULL, "<html>", NULL,
	       "http://h:1/p: got an HTML page, not metrics; pass the base URL http://h:1 or "
	       "http://h:1/metrics");
	answer(200, "application/json", "{}", NULL,
	       "http://h:1/p: got application/json, not metrics (text/plain); pass the base URL "
	       "http://h:1 or http://h:1/metrics");
	answer(200, "text/plainish", "m 1\n", NULL,
	       "http://h:1/p: got text/plainish, not metrics (text/plain); pass the base URL "
	       "http://h:1 or http://h:1/metrics");
	answer(404, "text/plain", "not found", NULL,
	       "http://h:1/p: HTTP 404 Not Found: no metrics at this path; pass the base URL "
	       "http://h:1 or http://h:1/metrics");
	answer(401, "text/plain", "unauthorized", NULL,
	       "http://h:1/p: HTTP 401 Unauthorized: the daemon asks for a password; pass --user "
	       "NAME, and the password in SKBTRACE_PASSWORD or --password-file FILE");
	answer(401, "text/plain", "unauthorized", "alice",
	       "http://h:1/p: HTTP 401 Unauthorized: the daemon refused user 'alice'; check the "
	       "password in SKBTRACE_PASSWORD or --password-file");
	answer(302, NULL, "", NULL,
	       "http://h:1/p: HTTP 302 Found to http://h:1/metrics; pass that "
	       "URL instead");
	/* The reason phrase comes from the network: no escape reaches the terminal. */
	answer(500, "text/plain", "", NULL,
	       "http://h:1/p: HTTP 500 Internal?[2J Error instead of metrics");
}

/*
 * A real loopback server in a child that answers one connection with
 * response once the request's headers are in, or never when NULL; a
 * request that lacks need gets a 400 instead.
 */
static pid_t serve_once(const char *response, const char *need, char *url, size_t size)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	pid_t pid;

	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&a, &al))
		return -1;
	snprintf(url, size, "http://127.0.0.1:%u/metrics", ntohs(a.sin_port));
	pid = fork();
	if (pid == 0) {
		char req[4096];
		size_t len = 0;
		ssize_t n;
		int fd = accept(lfd, NULL, NULL);

		while (fd >= 0 && len + 1 < sizeof(req) &&
		       (n = read(fd, req + len, sizeof(req) - 1 - len)) > 0) {
			len += n;
			req[len] = '\0';
			if (strstr(req, "\r\n\r\n"))
				break;
		}
		if (!response)
			pause();
		if (need && !strstr(req, need))
			response = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
		for (size_t off = 0, left = strlen(response); left;) {
			n = write(fd, response + off, left);
			if (n <= 0)
				break;
			off += n;
			left -= n;
		}
		_exit(0);
	}
	close(lfd);
	return pid;
}

/* One GET through a client of o against serve_once(response, need). */
static int get(const char *response, const char *need, struct top_client_options *o, int timeout_ms,
	       char **body, char *err, size_t errlen)
{
	char url[128];
	struct top_client *c;
	size_t len = 0;
	pid_t pid = serve_once(response, need, url, sizeof(url));
	int ret = -1;

	CHECK(pid > 0);
	err[0] = '\0';
	*body = NULL;
	o->url = url;
	c = top_client_new(o, err, errlen);
	CHECK(c != NULL);
	if (c)
		ret = top_client_get(c, timeout_ms, body, &len, err, errlen);
	top_client_free(c);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	CHECK(ret || len == strlen(*body));
	return ret;
}

static void test_http(void)
{
	struct top_client_options o = {};
	char err[512], *body, big[4096];

	CHECK(get("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nm 1\n", "GET /metrics HTTP/1.1", &o,
		  2000, &body, err, sizeof(err)) == 0);
	CHECK_STR_EQ(body, "m 1\n");
	free(body);
	/* Close-delimited. */
	CHECK(get("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\na 1\nb 2\n", NULL, &o, 2000,
		  &body, err, sizeof(err)) == 0);
	CHECK_STR_EQ(body, "a 1\nb 2\n");
	free(body);
	CHECK(get("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", NULL, &o, 2000, &body, err,
		  sizeof(err)) == -EPROTO);
	CHECK_CONTAINS(err,
		       "/metrics: HTTP 404 Not Found: no metrics at this path; pass the base URL");
	CHECK(body == NULL);
	CHECK(get("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nm 1\n", NULL, &o, 2000, &body, err,
		  sizeof(err)) == -EPROTO);
	CHECK_CONTAINS(err, "/metrics: transfer closed with 6 bytes remaining to read");
	CHECK(get("SSH-2.0-OpenSSH\r\n\r\n", NULL, &o, 2000, &body, err, sizeof(err)) == -EPROTO);
	CHECK_CONTAINS(err, "/metrics: Received HTTP/0.9 when not allowed");
	CHECK(get(NULL, NULL, &o, 300, &body, err, sizeof(err)) == -ETIMEDOUT);
	CHECK_CONTAINS(err, "/metrics: no complete answer within 0.3 s");

	/* The bound on the body: announced, and close-delimited. */
	o.max_body = 1000;
	memset(big, 0, sizeof(big));
	snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\nContent-Length: 1001\r\n\r\n");
	memset(big + strlen(big), 'm', 1001);
	CHECK(get(big, NULL, &o, 2000, &body, err, sizeof(err)) == -EFBIG);
	CHECK_CONTAINS(err, "/metrics: the answer is larger than 1000 bytes");
	snprintf(big, sizeof(big), "HTTP/1.0 200 OK\r\n\r\n");
	memset(big + strlen(big), 'm', 1001);
	CHECK(get(big, NULL, &o, 2000, &body, err, sizeof(err)) == -EFBIG);
	CHECK_CONTAINS(err, "/metrics: the answer is larger than 1000 bytes");
	o.max_body = 0;

	/* Basic auth goes with the first request: alice:s3cret. */
	o.user = "alice";
	o.password = "s3cret";
	CHECK(get("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nm 1\n",
		  "\r\nAuthorization: Basic YWxpY2U6czNjcmV0\r\n", &o, 2000, &body, err,
		  sizeof(err)) == 0);
	free(body);
	CHECK(get("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n", NULL, &o, 2000, &body,
		  err, sizeof(err)) == -EPROTO);
	CHECK_CONTAINS(err, "HTTP 401 Unauthorized: the daemon refused user 'alice'");
}

/* Options that cannot work are refused before any connection, with the option's name. */
static void client_refused(struct top_client_options o, const char *want)
{
	char err[512] = "";
	struct top_client *c = top_client_new(&o, err, sizeof(err));

	CHECK(c == NULL);
	CHECK_CONTAINS(err, want);
	top_client_free(c);
}

static void test_client_options(void)
{
	client_refused((struct top_client_options){ .url = "http://h", .cacert = "fixtures/x" },
		       "--cacert is for https:// URLs; http://h is plain http");
	client_refused((struct top_client_options){ .url = "https://h", .cert = "c" },
		       "--cert FILE and --key FILE go together (mTLS)");
	client_refused((struct top_client_options){ .url = "https://h", .user = "alice" },
		       "--user alice: no password; set SKBTRACE_PASSWORD or pass --password-file "
		       "FILE");
	client_refused(
		(struct top_client_options){ .url = "https://h", .user = "a:b", .password = "p" },
		"--user a:b: a basic auth user name has no ':'");
	client_refused((struct top_client_options){ .url = "https://h", .cacert = "/nonexistent" },
		       "--cacert /nonexistent: cannot read: No such file or directory");
	client_refused(
		(struct top_client_options){ .url = "https://h", .cacert = "fixtures/metrics.txt" },
		"--cacert fixtures/metrics.txt: ");
	client_refused((struct top_client_options){ .url = "https://h",
						    .cert = "fixtures/metrics.txt",
						    .key = "fixtures/metrics.txt" },
		       "--cert fixtures/metrics.txt: ");
}

/* Writes text to a temporary file, whose name goes to path. */
static void temp_file(char *path, size_t size, const char *text, size_t len)
{
	int fd;

	snprintf(path, size, "/tmp/skbtrace-test-top.XXXXXX");
	fd = mkstemp(path);
	CHECK(fd >= 0 && write(fd, text, len) == (ssize_t)len);
	close(fd);
}

static void test_password(void)
{
	char pw[TOP_PASSWORD_MAX], err[512], path[64];

	setenv(TOP_PASSWORD_ENV, "from env", 1);
	CHECK(top_password_load(NULL, pw, sizeof(pw), err, sizeof(err)) == 0);
	CHECK_STR_EQ(pw, "from env");
	/* The file wins over the environment, its first line only. */
	temp_file(path, sizeof(path), "s3cret\r\nsecond line\n", 21);
	CHECK(top_password_load(path, pw, sizeof(pw), err, sizeof(err)) == 0);
	CHECK_STR_EQ(pw, "s3cret");
	unlink(path);
	temp_file(path, sizeof(path), "no newline", 10);
	CHECK(top_password_load(path, pw, sizeof(pw), err, sizeof(err)) == 0);
	CHECK_STR_EQ(pw, "no newline");
	unlink(path);
	temp_file(path, sizeof(path), "\nlater\n", 7);
	CHECK(top_password_load(path, pw, sizeof(pw), err, sizeof(err)) < 0);
	CHECK_CONTAINS(err, ": expected the password on its first line, found none");
	unlink(path);
	temp_file(path, sizeof(path), "a\0b\n", 4);
	CHECK(top_password_load(path, pw, sizeof(pw), err, sizeof(err)) < 0);
	CHECK_CONTAINS(err, ": a NUL byte in the password's line");
	unlink(path);
	CHECK(top_password_load("/nonexistent", pw, sizeof(pw), err, sizeof(err)) < 0);
	CHECK_STR_EQ(err, "--password-file /nonexistent: cannot read: No such file or directory");
	unsetenv(TOP_PASSWORD_ENV);
	CHECK(top_password_load(NULL, pw, sizeof(pw), err, sizeof(err)) == 0);
	CHECK_STR_EQ(pw, "");
}

int main(void)
{
	test_url();
	test_answers();
	test_http();
	test_client_options();
	test_password();
	return check_summary("test_top_client");
}
