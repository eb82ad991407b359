/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What libmicrohttpd leaves to the application in TLS: the protocol
 * versions, and client certificates.  libmicrohttpd only asks for a client
 * certificate, and only when it has a trust list; the policy of
 * web.tls_server_config.client_auth_type is applied here, per session,
 * in the handshake and again for every request.
 */
#ifndef SKBTRACE_HTTP_TLS_H
#define SKBTRACE_HTTP_TLS_H

#include <stdbool.h>
#include <stdint.h>
#include "web_config.h"

/* A GnuTLS priority string allowing min and every later version. */
const char *http_tls_priorities(enum web_tls_version min);

/*
 * For a new connection's session (gnutls_session_t), before its handshake:
 * asks for or requires a client certificate, and for the policies that
 * verify, fails the handshake on a certificate the CA did not sign.
 */
/*
 * hello(ptr) is called once the client's whole ClientHello is in, with the
 * session's pointer (gnutls_session_get_ptr(), libmicrohttpd's connection).
 */
void http_tls_session_start(void *session, enum web_client_auth policy, void (*hello)(void *ptr));

/*
 * Whether the session's client certificate (or its absence) satisfies the
 * policy; also after a session resumption, which skips the handshake's check.
 */
bool http_tls_client_allowed(void *session, enum web_client_auth policy);

/* Handshakes failed on a client certificate that did not verify, in this process. */
uint64_t http_tls_handshake_refusals(void);

#endif /* SKBTRACE_HTTP_TLS_H */
