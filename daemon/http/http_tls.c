// SPDX-License-Identifier: GPL-2.0
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include "http_tls.h"

const char *http_tls_priorities(enum web_tls_version min)
{
	switch (min) {
	case WEB_TLS10:
		return "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0";
	case WEB_TLS11:
		return "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:+VERS-TLS1.1";
	case WEB_TLS13:
		return "NORMAL:-VERS-ALL:+VERS-TLS1.3";
	case WEB_TLS12:
	default:
		return "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2";
	}
}

static bool has_peer_cert(gnutls_session_t session)
{
	unsigned int n = 0;

	return gnutls_certificate_get_peers(session, &n) && n > 0;
}

/* Signed by the configured CA, valid now, and not restricted to other uses than a client's. */
static bool peer_cert_verifies(gnutls_session_t session)
{
	gnutls_typed_vdata_st purpose = {
		.type = GNUTLS_DT_KEY_PURPOSE_OID,
		.data = (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT,
	};
	unsigned int status = 0;

	return gnutls_certificate_verify_peers(session, &purpose, 1, &status) == 0 && status == 0;
}

static bool verifies(enum web_client_auth policy)
{
	return policy == WEB_CLIENT_AUTH_VERIFY_IF_GIVEN ||
	       policy == WEB_CLIENT_AUTH_REQUIRE_AND_VERIFY;
}

/*
 * GnuTLS's callback has no argument of ours, and a process has one server:
 * the count is the process's.
 */
static uint64_t handshake_refusals;

/* Called by GnuTLS once the client's certificate arrived; non-zero fails the handshake. */
static int verify_in_handshake(gnutls_session_t session)
{
	if (!has_peer_cert(session))
		return 0; /* GNUTLS_CERT_REQUIRE already refused this where it must */
	if (peer_cert_verifies(session))
		return 0;
	handshake_refusals++;
	return -1;
}

uint64_t http_tls_handshake_refusals(void)
{
	return handshake_refusals;
}

static void (*hello_cb)(void *ptr);

static int on_client_hello(gnutls_session_t s, unsigned int type, unsigned int when,
			   unsigned int incoming, const gnutls_datum_t *msg)
{
	(void)type;
	(void)when;
	(void)incoming;
	(void)msg;
	if (hello_cb)
		hello_cb(gnutls_session_get_ptr(s));
	return 0;
}

void http_tls_session_start(void *session, enum web_client_auth policy, void (*hello)(void *ptr))
{
	gnutls_session_t s = session;

	/* One callback for the process: the server's loop is the only caller. */
	hello_cb = hello;
	gnutls_handshake_set_hook_function(s, GNUTLS_HANDSHAKE_CLIENT_HELLO, GNUTLS_HOOK_POST,
					   on_client_hello);

	switch (policy) {
	case WEB_CLIENT_AUTH_NONE:
		gnutls_certificate_server_set_request(s, GNUTLS_CERT_IGNORE);
		return;
	case WEB_CLIENT_AUTH_REQUEST:
	case WEB_CLIENT_AUTH_VERIFY_IF_GIVEN:
		gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUEST);
		break;
	default:
		gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUIRE);
		break;
	}
	if (verifies(policy))
		gnutls_session_set_verify_function(s, verify_in_handshake);
}

bool http_tls_client_allowed(void *session, enum web_client_auth policy)
{
	gnutls_session_t s = session;
	bool given;

	if (policy == WEB_CLIENT_AUTH_NONE || policy == WEB_CLIENT_AUTH_REQUEST)
		return true;
	if (!s)
		return false;
	given = has_peer_cert(s);
	if (!given)
		return policy == WEB_CLIENT_AUTH_VERIFY_IF_GIVEN;
	return !verifies(policy) || peer_cert_verifies(s);
}
