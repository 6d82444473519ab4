// SPDX-License-Identifier: GPL-2.0
/*
 * The static tamtrace links libmicrohttpd.a without TLS: Debian ships no
 * static p11-kit, which GnuTLS needs. libmicrohttpd only calls GnuTLS
 * for HTTPS, which serve never asks for; these stand-ins satisfy the
 * linker and fail if ever called (GNUTLS_E_UNIMPLEMENTED_FEATURE).
 */
#include <stdlib.h>

#define NO_TLS -1250

void *(*gnutls_malloc)(size_t) = malloc;
int gnutls_global_init(void) { return 0; }
void gnutls_global_deinit(void) { }
const char *gnutls_strerror(int err) { (void)err; return "TLS is not built in"; }
int gnutls_alpn_set_protocols(void) { return NO_TLS; }
int gnutls_bye(void) { return NO_TLS; }
int gnutls_certificate_allocate_credentials(void) { return NO_TLS; }
int gnutls_certificate_free_credentials(void) { return NO_TLS; }
int gnutls_certificate_server_set_request(void) { return NO_TLS; }
int gnutls_certificate_set_dh_params(void) { return NO_TLS; }
int gnutls_certificate_set_retrieve_function2(void) { return NO_TLS; }
int gnutls_certificate_set_retrieve_function3(void) { return NO_TLS; }
int gnutls_certificate_set_x509_key_mem(void) { return NO_TLS; }
int gnutls_certificate_set_x509_key_mem2(void) { return NO_TLS; }
int gnutls_certificate_set_x509_trust_mem(void) { return NO_TLS; }
int gnutls_cipher_get(void) { return NO_TLS; }
int gnutls_credentials_set(void) { return NO_TLS; }
int gnutls_deinit(void) { return NO_TLS; }
int gnutls_dh_params_deinit(void) { return NO_TLS; }
int gnutls_dh_params_import_pkcs3(void) { return NO_TLS; }
int gnutls_dh_params_init(void) { return NO_TLS; }
int gnutls_handshake(void) { return NO_TLS; }
int gnutls_init(void) { return NO_TLS; }
int gnutls_priority_deinit(void) { return NO_TLS; }
int gnutls_priority_init(void) { return NO_TLS; }
int gnutls_priority_set(void) { return NO_TLS; }
int gnutls_protocol_get_version(void) { return NO_TLS; }
int gnutls_psk_allocate_server_credentials(void) { return NO_TLS; }
int gnutls_psk_free_server_credentials(void) { return NO_TLS; }
int gnutls_psk_set_server_credentials_function(void) { return NO_TLS; }
int gnutls_record_check_pending(void) { return NO_TLS; }
int gnutls_record_get_direction(void) { return NO_TLS; }
int gnutls_record_recv(void) { return NO_TLS; }
int gnutls_record_send(void) { return NO_TLS; }
int gnutls_session_get_ptr(void) { return NO_TLS; }
int gnutls_session_set_ptr(void) { return NO_TLS; }
int gnutls_transport_set_int2(void) { return NO_TLS; }
