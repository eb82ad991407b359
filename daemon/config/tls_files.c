// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include "tls_files.h"

static void utc(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, len, "%lld", (long long)t);
}

static gnutls_datum_t datum(const char *pem, size_t len)
{
	return (gnutls_datum_t){ .data = (unsigned char *)pem, .size = (unsigned int)len };
}

/* The certificates of a PEM file; *n is 0 on failure. */
static int import_certs(const char *pem, size_t len, gnutls_x509_crt_t **certs, unsigned int *n,
			char *why, size_t whylen)
{
	gnutls_datum_t d = datum(pem, len);
	int ret;

	*n = 0;
	ret = gnutls_x509_crt_list_import2(certs, n, &d, GNUTLS_X509_FMT_PEM, 0);
	if (ret < 0 || !*n) {
		snprintf(why, whylen, "no PEM certificate (%s)",
			 ret < 0 ? gnutls_strerror(ret) : "none found");
		*n = 0;
		return -EINVAL;
	}
	return 0;
}

static void free_certs(gnutls_x509_crt_t *certs, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		gnutls_x509_crt_deinit(certs[i]);
	gnutls_free(certs);
}

/*
 * An expired certificate is refused rather than served: every client that
 * verifies would reject it anyway, and at a reload refusing keeps the old,
 * perhaps still valid, one serving.
 */
int tls_check_cert(const char *pem, size_t len, time_t now, char *why, size_t whylen)
{
	gnutls_x509_crt_t *certs;
	unsigned int n;
	time_t from, until;
	char when[64];
	int ret = 0;

	if (import_certs(pem, len, &certs, &n, why, whylen))
		return -EINVAL;
	from = gnutls_x509_crt_get_activation_time(certs[0]);
	until = gnutls_x509_crt_get_expiration_time(certs[0]);
	if (until != (time_t)-1 && until < now) {
		utc(until, when, sizeof(when));
		snprintf(why, whylen, "the certificate expired on %s (expected one valid now)",
			 when);
		ret = -EKEYEXPIRED;
	} else if (from != (time_t)-1 && from > now) {
		utc(from, when, sizeof(when));
		snprintf(why, whylen,
			 "the certificate is not valid before %s (expected one valid now)", when);
		ret = -EKEYEXPIRED;
	}
	free_certs(certs, n);
	return ret;
}

int tls_check_key(const char *pem, size_t len, char *why, size_t whylen)
{
	gnutls_datum_t d = datum(pem, len);
	gnutls_x509_privkey_t key;
	int ret;

	if (gnutls_x509_privkey_init(&key) < 0) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	/* No password: an encrypted key fails here, as it would in libmicrohttpd. */
	ret = gnutls_x509_privkey_import2(key, &d, GNUTLS_X509_FMT_PEM, NULL, 0);
	gnutls_x509_privkey_deinit(key);
	if (ret < 0) {
		snprintf(why, whylen, "not an unencrypted PEM private key (%s)",
			 gnutls_strerror(ret));
		return -EINVAL;
	}
	return 0;
}

int tls_check_pair(const char *cert, size_t cert_len, const char *key, size_t key_len, char *why,
		   size_t whylen)
{
	gnutls_datum_t c = datum(cert, cert_len), k = datum(key, key_len);
	gnutls_certificate_credentials_t cred;
	int ret;

	if (gnutls_certificate_allocate_credentials(&cred) < 0) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	ret = gnutls_certificate_set_x509_key_mem2(cred, &c, &k, GNUTLS_X509_FMT_PEM, NULL, 0);
	gnutls_certificate_free_credentials(cred);
	if (ret == GNUTLS_E_CERTIFICATE_KEY_MISMATCH) {
		snprintf(why, whylen, "not the key of the certificate");
		return -EINVAL;
	}
	if (ret < 0) {
		snprintf(why, whylen, "unusable with the certificate (%s)", gnutls_strerror(ret));
		return -EINVAL;
	}
	return 0;
}

int tls_check_ca(const char *pem, size_t len, char *why, size_t whylen)
{
	gnutls_x509_crt_t *certs;
	unsigned int n;

	if (import_certs(pem, len, &certs, &n, why, whylen))
		return -EINVAL;
	free_certs(certs, n);
	return 0;
}

int tls_supported(void)
{
	return MHD_is_feature_supported(MHD_FEATURE_TLS) == MHD_YES;
}
