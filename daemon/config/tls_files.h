/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks of PEM certificates and keys with GnuTLS, the library
 * libmicrohttpd serves TLS with, so that what passes here also loads there.
 * Each returns 0, or a negative errno with a reason (no file name) in why.
 */
#ifndef SKBTRACE_TLS_FILES_H
#define SKBTRACE_TLS_FILES_H

#include <stddef.h>
#include <time.h>

/* The first certificate of a PEM chain is valid at now: not expired, not in the future. */
int tls_check_cert(const char *pem, size_t len, time_t now, char *why, size_t whylen);
/* An unencrypted PEM private key (PKCS#1, PKCS#8 or SEC1). */
int tls_check_key(const char *pem, size_t len, char *why, size_t whylen);
/* The key belongs to the chain's first certificate. */
int tls_check_pair(const char *cert, size_t cert_len, const char *key, size_t key_len, char *why,
		   size_t whylen);
/* At least one certificate, every one parseable. */
int tls_check_ca(const char *pem, size_t len, char *why, size_t whylen);
/* Whether libmicrohttpd was built with TLS. */
int tls_supported(void);

#endif /* SKBTRACE_TLS_FILES_H */
