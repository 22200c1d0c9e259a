/// C shims for tlsdrill: OpenSSL function-like macros Swift cannot import, epoll, and a handshake
/// message observer that records what a peer said (alerts, CertificateRequest, our Certificate) into a
/// plain C struct reachable from the SSL object, so the hot path never calls back into Swift.
#ifndef TLSDRILL_SHIMS_H
#define TLSDRILL_SHIMS_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>

/// What one TLS connection observed about its peer, filled by `tlsdrill_install_observer`'s callback.
typedef struct tlsdrill_observation {
    int alert_received;            ///< first non-close_notify alert from the peer, or -1
    int alert_received_level;      ///< 1 warning, 2 fatal, or 0
    int alert_after_handshake;     ///< 1 when that alert arrived after our handshake completed
    int close_notify_received;     ///< 1 when the peer sent close_notify
    int alert_sent;                ///< first alert we sent, or -1
    int certificate_request_seen;  ///< 1 when the peer asked for a certificate
    int certificate_sent;          ///< 1 when we sent a non-empty Certificate message
    int certificate_message_sent;  ///< 1 when we sent a Certificate message at all (possibly empty)
    int session_ticket_seen;       ///< 1 when a NewSessionTicket arrived
    int peer_certificate_received; ///< 1 when the peer sent a non-empty Certificate message
    int verify_error;              ///< server side: first X509_V_ERR seen while verifying the peer, 0 = none
    int san_rejected;              ///< server side: 1 when the SAN allow-list refused the peer's leaf
    int client_hello_seen;         ///< server side: 1 once a ClientHello arrived (a bare TCP probe has none)
    SSL_SESSION *session;          ///< client side, resumption on: the newest session the server gave (owned)
} tlsdrill_observation;

static inline void tlsdrill_observation_reset(tlsdrill_observation *o) {
    o->alert_received = -1; o->alert_received_level = 0; o->alert_after_handshake = 0;
    o->close_notify_received = 0; o->alert_sent = -1; o->certificate_request_seen = 0;
    o->certificate_sent = 0; o->certificate_message_sent = 0; o->session_ticket_seen = 0;
    o->peer_certificate_received = 0; o->verify_error = 0; o->san_rejected = 0;
    o->client_hello_seen = 0; o->session = NULL;
}

/// The session the server gave on this connection (the caller owns it), or NULL.
static inline SSL_SESSION *tlsdrill_observation_take_session(tlsdrill_observation *o) {
    SSL_SESSION *session = o->session;
    o->session = NULL;
    return session;
}

/// Client contexts that resume: keep each new session (TLS 1.3 tickets, TLS 1.2 tickets or IDs) in the
/// connection's observation for the caller to take; `tickets` 0 asks for TLS 1.2 session IDs only.
void tlsdrill_client_enable_resumption(SSL_CTX *ctx, int tickets);

/// 1 when ALPN selected "h2" on this connection.
static inline int tlsdrill_alpn_is_h2(const SSL *ssl) {
    const unsigned char *data = NULL; unsigned int length = 0;
    SSL_get0_alpn_selected(ssl, &data, &length);
    return length == 2 && data[0] == 'h' && data[1] == '2';
}

/// Gives `to` the session-ticket keys of `from`, so tickets issued before a reload still decrypt after it.
int tlsdrill_copy_ticket_keys(SSL_CTX *from, SSL_CTX *to);

/// Server contexts that resume: tickets on or off, and a session cache of `cache_size` entries (0 = none).
void tlsdrill_server_enable_resumption(SSL_CTX *ctx, int tickets, long cache_size);

/// Installs the message observer on a context; each SSL must carry its observation as app data.
void tlsdrill_install_observer(SSL_CTX *ctx);

static inline int tlsdrill_set_observation(SSL *ssl, tlsdrill_observation *o) { return SSL_set_app_data(ssl, o); }

/// Whether the context's SSL objects' message callback may read app data as an observation.
static inline long tlsdrill_ctx_set_min_proto(SSL_CTX *ctx, int v) { return SSL_CTX_set_min_proto_version(ctx, v); }
static inline long tlsdrill_ctx_set_max_proto(SSL_CTX *ctx, int v) { return SSL_CTX_set_max_proto_version(ctx, v); }
static inline long tlsdrill_ctx_set_mode(SSL_CTX *ctx, long m) { return SSL_CTX_set_mode(ctx, m); }
static inline void tlsdrill_ctx_set_read_ahead(SSL_CTX *ctx, int yes) { SSL_CTX_set_read_ahead(ctx, yes); }
static inline long tlsdrill_ctx_set_session_cache_mode(SSL_CTX *ctx, long m) { return SSL_CTX_set_session_cache_mode(ctx, m); }
static inline long tlsdrill_ctx_set1_groups_list(SSL_CTX *ctx, const char *l) { return SSL_CTX_set1_groups_list(ctx, l); }
static inline long tlsdrill_ctx_add1_chain_cert(SSL_CTX *ctx, X509 *x) { return SSL_CTX_add1_chain_cert(ctx, x); }
static inline long tlsdrill_ctx_disable_tickets(SSL_CTX *ctx) { return (long)SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET); }
static inline long tlsdrill_set_tlsext_host_name(SSL *ssl, const char *name) { return SSL_set_tlsext_host_name(ssl, name); }
static inline long tlsdrill_ssl_mode_release_buffers(void) { return SSL_MODE_RELEASE_BUFFERS; }

static inline int tlsdrill_sk_X509_NAME_num(const STACK_OF(X509_NAME) *s) { return sk_X509_NAME_num(s); }
static inline X509_NAME *tlsdrill_sk_X509_NAME_value(const STACK_OF(X509_NAME) *s, int i) { return sk_X509_NAME_value(s, i); }
static inline int tlsdrill_sk_X509_num(const STACK_OF(X509) *s) { return sk_X509_num(s); }
static inline X509 *tlsdrill_sk_X509_value(const STACK_OF(X509) *s, int i) { return sk_X509_value(s, i); }
static inline STACK_OF(X509) *tlsdrill_sk_X509_new_null(void) { return sk_X509_new_null(); }
static inline int tlsdrill_sk_X509_push(STACK_OF(X509) *s, X509 *x) { return sk_X509_push(s, x); }
static inline void tlsdrill_sk_X509_pop_free(STACK_OF(X509) *s) { sk_X509_pop_free(s, X509_free); }
static inline STACK_OF(X509_NAME) *tlsdrill_sk_X509_NAME_new_null(void) { return sk_X509_NAME_new_null(); }
static inline int tlsdrill_add_file_cert_subjects(STACK_OF(X509_NAME) *s, const char *file) {
    return SSL_add_file_cert_subjects_to_stack(s, file);
}
static inline void tlsdrill_sk_X509_free(STACK_OF(X509) *s) { sk_X509_free(s); }

/// Subject alternative names of a certificate as a newline-separated "DNS:x", "IP:x", "URI:x" list.
/// Returns the number of bytes written (truncated to `cap`).
int tlsdrill_copy_sans(X509 *x, char *out, int cap);
/// Extended key usage bits (XKU_SSL_SERVER, XKU_SSL_CLIENT, ...) or -1 when the extension is absent.
static inline long tlsdrill_extended_key_usage(X509 *x) {
    return (X509_get_extension_flags(x) & EXFLAG_XKUSAGE) ? (long)X509_get_extended_key_usage(x) : -1;
}
static inline int tlsdrill_xku_ssl_server(void) { return XKU_SSL_SERVER; }
static inline int tlsdrill_xku_ssl_client(void) { return XKU_SSL_CLIENT; }

/// Seconds from now until `t` (negative when `t` is in the past), relative to `now` (unix seconds).
long long tlsdrill_asn1_time_to_unix(const ASN1_TIME *t);

/// A new P-256 key, generated through the provider (never through an ENGINE's legacy method).
EVP_PKEY *tlsdrill_ec_p256_keygen(void);
static inline EVP_PKEY *tlsdrill_rsa_keygen(unsigned int bits) { return EVP_RSA_gen(bits); }
static inline void tlsdrill_openssl_free(void *p) { OPENSSL_free(p); }
static inline int tlsdrill_err_get_reason(unsigned long e) { return ERR_GET_REASON(e); }
static inline int tlsdrill_err_get_lib(unsigned long e) { return ERR_GET_LIB(e); }
static inline int tlsdrill_openssl_major_version(void) { return (int)OPENSSL_version_major(); }

static inline int tlsdrill_epoll_in(void) { return EPOLLIN; }
static inline int tlsdrill_epoll_out(void) { return EPOLLOUT; }
static inline int tlsdrill_epoll_err(void) { return EPOLLERR | EPOLLHUP; }

/// Adds one X509v3 extension written in openssl.cnf syntax ("critical,CA:TRUE"); 1 on success.
int tlsdrill_add_extension(X509 *cert, X509 *issuer, int nid, const char *value);
/// 1 when the PEM file's first private key is encrypted (needs a passphrase), 0 otherwise.
int tlsdrill_pem_key_is_encrypted(const char *path);
static inline unsigned long tlsdrill_xn_flag_rfc2253(void) { return XN_FLAG_RFC2253; }
static inline long tlsdrill_ssl_mode_no_auto_chain(void) { return SSL_MODE_NO_AUTO_CHAIN; }
static inline long tlsdrill_sess_cache_off(void) { return SSL_SESS_CACHE_OFF; }
/// OpenSSL's text for an SSL-library reason code ("unexpected eof while reading"), or NULL.
static inline const char *tlsdrill_ssl_reason_string(int reason) {
    return ERR_reason_error_string(ERR_PACK(ERR_LIB_SSL, 0, reason));
}

/// How the built-in gateway turns a failed client verification into a rejection.
enum tlsdrill_reject_mode {
    TLSDRILL_REJECT_ALERT = 0,         ///< OpenSSL's specific alert (45, 48, 43, ...)
    TLSDRILL_REJECT_GENERIC_ALERT = 1, ///< one bad_certificate (42) for every failure, as Go does
    TLSDRILL_REJECT_HTTP = 2,          ///< finish the handshake; the HTTP layer answers 400
};

/// Server policy read by the verify and ALPN callbacks; owned by the Swift server context.
typedef struct tlsdrill_server_policy {
    int reject_mode;
    int allowed_san_count;
    const char **allowed_sans;         ///< exact SAN values, or prefixes when ending in '/' or '*'
    const unsigned char *alpn;         ///< wire-format protocol list, or NULL
    unsigned int alpn_length;
} tlsdrill_server_policy;

/// Installs the policy and its callbacks on a server context (verify mode set by the caller).
int tlsdrill_server_install_policy(SSL_CTX *ctx, tlsdrill_server_policy *policy, int verify_mode);
static inline int tlsdrill_verify_peer(void) { return SSL_VERIFY_PEER; }
static inline int tlsdrill_verify_fail_if_no_peer_cert(void) { return SSL_VERIFY_FAIL_IF_NO_PEER_CERT; }
static inline int tlsdrill_verify_none(void) { return SSL_VERIFY_NONE; }
/// The X509_V_ERR the SAN allow-list reports (maps to alert 46 certificate_unknown).
int tlsdrill_san_reject_error(void);
/// A client verify mode that records the first verification error in the observation and carries on,
/// so an inspection can report a bad chain instead of failing on it.
void tlsdrill_client_record_verification(SSL_CTX *ctx);
static inline const char *tlsdrill_negotiated_group_name(SSL *ssl) {
    int nid = SSL_get_negotiated_group(ssl);
    return nid == NID_undef ? NULL : SSL_group_to_name(ssl, nid);
}

/// Installs a verification cache on a context: a peer chain byte-identical to one this thread already
/// verified cleanly with the same context, and within every certificate's validity *now*, is accepted
/// without re-verifying; anything else (including every failure) goes through X509_verify_cert.
void tlsdrill_install_verify_cache(SSL_CTX *ctx);

/// Process-wide, once: parse EC public keys in certificates through OpenSSL's legacy EC ASN.1 method
/// instead of OpenSSL 3.0's per-key provider decoder context (≈4× cheaper per certificate). 1 when active.
int tlsdrill_enable_fast_ec_decoding(void);
/// The lean library context for client SSL_CTXs (a filter provider over the default one); with
/// `share_key_shares`, the one whose X25519/X448 key pairs each thread keeps for 1,024 key shares. NULL if
/// it could not be built.
OSSL_LIB_CTX *tlsdrill_lean_library_context(int share_key_shares);
/// SSL_do_handshake; with `lean_library` (the client context's lean library context) non-NULL, a certificate
/// the server sends that this thread parsed before for that library context reuses that X509
/// (lean_certificate_cache.c). NULL: SSL_do_handshake exactly.
int tlsdrill_do_handshake(SSL *ssl, OSSL_LIB_CTX *lean_library);
/// How many algorithm fetches in a lean library context this thread answered from its memo (lean_fetch_memo.c).
unsigned long tlsdrill_thread_fetch_memo_hits(void);
/// How many certificates this thread took from its parsed-certificate cache.
unsigned long tlsdrill_thread_certificate_cache_hits(void);
/// For tests: parses `der` (`length` bytes, trailing bytes allowed) as libssl does in a handshake step for
/// `lean_library` (NULL: outside any). 1: the X509 came from this thread's cache, 0: it was parsed, -1: it did
/// not parse, -2: the X509 does not re-encode to the certificate's bytes.
int tlsdrill_certificate_cache_parse(OSSL_LIB_CTX *lean_library, const unsigned char *der, long length);
/// Parses one DER certificate in the lean context (its caching public-key decoders) and in the default
/// one: 1 when both give the same public key, 0 when they differ or the lean parse has none, -1 when
/// the default context cannot parse it either.
int tlsdrill_lean_decodes_same_key(const unsigned char *der, long length);

/// One TLS13-KDF request: NULL pointers and a negative mode are left out of the parameters.
typedef struct {
    int mode;                          ///< EVP_KDF_HKDF_MODE_EXTRACT_ONLY (1) or EXPAND_ONLY (2)
    const char *digest;
    const unsigned char *key, *salt, *prefix, *label, *data;
    size_t key_length, salt_length, prefix_length, label_length, data_length;
    int via_set_params;                ///< set the parameters with EVP_KDF_CTX_set_params, then derive
    const unsigned char *then_label;   ///< if not NULL, derive again on the same context giving only this label
    size_t then_label_length;
} tlsdrill_kdf_request;
/// Derives `length` bytes with TLS13-KDF in the lean context (`lean`) or OpenSSL's default one; 1 on success.
int tlsdrill_tls13_kdf_derive(int lean, const tlsdrill_kdf_request *request, unsigned char *out, size_t length);
/// Generates an X25519 key pair in the lean context (sharing key shares or not) and gives its public key; 1 on success.
int tlsdrill_lean_x25519_share(int share_key_shares, unsigned char public_key[32]);
/// Key shares one kept key pair serves in the sharing lean context.
int tlsdrill_lean_key_share_uses(void);

/// Routes OpenSSL's allocations through a per-thread block cache (openssl_allocator.c); 1 when installed,
/// 0 when OpenSSL had allocated already (it then keeps glibc's malloc).
int tlsdrill_install_openssl_allocator(void);

/// accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC).
int tlsdrill_accept_nonblocking(int listener);
/// Returns freed heap memory to the OS (glibc malloc_trim); 1 if some was released.
int tlsdrill_release_free_memory(void);
/// The uid of the peer of a connected AF_UNIX socket (SO_PEERCRED), or -1.
long tlsdrill_peer_uid(int fd);

#endif
