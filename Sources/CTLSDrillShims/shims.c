#define _GNU_SOURCE
#define OPENSSL_SUPPRESS_DEPRECATED
#include "CTLSDrillShims.h"
#include <openssl/engine.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <malloc.h>

static int tlsdrill_policy_index = -1;
static int tlsdrill_context_id_index = -1;
static pthread_once_t tlsdrill_indices_once = PTHREAD_ONCE_INIT;

static void tlsdrill_allocate_indices(void) {
    tlsdrill_policy_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    tlsdrill_context_id_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

static void tlsdrill_msg_cb(int write_p, int version, int content_type, const void *buf, size_t len,
                            SSL *ssl, void *arg) {
    (void)arg;
    tlsdrill_observation *o = (tlsdrill_observation *)SSL_get_app_data(ssl);
    if (o == NULL || buf == NULL) return;
    const unsigned char *p = (const unsigned char *)buf;
    if (content_type == SSL3_RT_ALERT && len >= 2) {
        int level = p[0], desc = p[1];
        if (write_p) {
            if (o->alert_sent < 0 && desc != SSL_AD_CLOSE_NOTIFY) o->alert_sent = desc;
        } else if (desc == SSL_AD_CLOSE_NOTIFY) {
            o->close_notify_received = 1;
        } else if (o->alert_received < 0) {
            o->alert_received = desc;
            o->alert_received_level = level;
            o->alert_after_handshake = SSL_is_init_finished(ssl) ? 1 : 0;
        }
        return;
    }
    if (content_type != SSL3_RT_HANDSHAKE || len < 4) return;
    int type = p[0];
    if (!write_p && type == SSL3_MT_CERTIFICATE_REQUEST) o->certificate_request_seen = 1;
    if (!write_p && type == SSL3_MT_CLIENT_HELLO) o->client_hello_seen = 1;
    if (!write_p && type == SSL3_MT_NEWSESSION_TICKET) o->session_ticket_seen = 1;
    if (type == SSL3_MT_CERTIFICATE) {
        /* TLS 1.3 puts a request-context length byte before the 3-byte certificate list length. */
        size_t off = (version == TLS1_3_VERSION) ? 4 + 1 + (len > 4 ? p[4] : 0) : 4;
        int nonempty = 0;
        if (len >= off + 3) nonempty = ((p[off] << 16) | (p[off + 1] << 8) | p[off + 2]) > 0;
        if (write_p) {
            o->certificate_message_sent = 1;
            o->certificate_sent = nonempty;
        } else {
            o->peer_certificate_received = nonempty;
        }
    }
}

void tlsdrill_install_observer(SSL_CTX *ctx) { SSL_CTX_set_msg_callback(ctx, tlsdrill_msg_cb); }

int tlsdrill_copy_sans(X509 *x, char *out, int cap) {
    int n = 0;
    if (cap <= 0) return 0;
    out[0] = 0;
    GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    if (names == NULL) return 0;
    for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
        char item[512];
        item[0] = 0;
        if (g->type == GEN_DNS || g->type == GEN_URI || g->type == GEN_EMAIL) {
            const char *prefix = g->type == GEN_DNS ? "DNS:" : (g->type == GEN_URI ? "URI:" : "email:");
            const ASN1_IA5STRING *s = g->d.ia5;
            snprintf(item, sizeof item, "%s%.*s", prefix, s->length, (const char *)s->data);
        } else if (g->type == GEN_IPADD) {
            const unsigned char *a = g->d.ip->data;
            if (g->d.ip->length == 4) {
                snprintf(item, sizeof item, "IP:%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
            } else if (g->d.ip->length == 16) {
                int k = snprintf(item, sizeof item, "IP:");
                for (int j = 0; j < 16; j += 2)
                    k += snprintf(item + k, sizeof item - k, "%s%x", j ? ":" : "", (a[j] << 8) | a[j + 1]);
            }
        }
        if (item[0] == 0) continue;
        int need = (int)strlen(item) + (n ? 1 : 0);
        if (n + need >= cap) break;
        if (n) out[n++] = '\n';
        memcpy(out + n, item, strlen(item));
        n += (int)strlen(item);
        out[n] = 0;
    }
    GENERAL_NAMES_free(names);
    return n;
}

long long tlsdrill_asn1_time_to_unix(const ASN1_TIME *t) {
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (ASN1_TIME_to_tm(t, &tm) != 1) return 0;
    return (long long)timegm(&tm);
}

int tlsdrill_add_extension(X509 *cert, X509 *issuer, int nid, const char *value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : cert, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (ext == NULL) return 0;
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

int tlsdrill_pem_key_is_encrypted(const char *path) {
    FILE *f = fopen(path, "r");
    if (f == NULL) return 0;
    char line[256];
    int encrypted = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strstr(line, "ENCRYPTED PRIVATE KEY") != NULL || strstr(line, "Proc-Type: 4,ENCRYPTED") != NULL) {
            encrypted = 1;
            break;
        }
    }
    fclose(f);
    return encrypted;
}

/* ---- built-in gateway: verification policy ---- */

static int tlsdrill_pattern_matches(const char *pattern, const char *value, int length) {
    size_t n = strlen(pattern);
    if (n == 0) return 0;
    if (pattern[n - 1] == '*') return (size_t)length >= n - 1 && strncmp(pattern, value, n - 1) == 0;
    if (pattern[n - 1] == '/') return (size_t)length >= n && strncmp(pattern, value, n) == 0;
    return (size_t)length == n && strncmp(pattern, value, n) == 0;
}

static int tlsdrill_san_allowed(X509 *leaf, const tlsdrill_server_policy *policy) {
    GENERAL_NAMES *names = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
    int allowed = 0;
    if (names == NULL) return 0;
    for (int i = 0; i < sk_GENERAL_NAME_num(names) && !allowed; i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
        if (g->type != GEN_DNS && g->type != GEN_URI) continue;
        const char *value = (const char *)g->d.ia5->data;
        int length = g->d.ia5->length;
        for (int p = 0; p < policy->allowed_san_count && !allowed; p++) {
            allowed = tlsdrill_pattern_matches(policy->allowed_sans[p], value, length);
        }
    }
    GENERAL_NAMES_free(names);
    return allowed;
}

/* Any code OpenSSL's x509 → alert table does not list becomes certificate_unknown (46). */
int tlsdrill_san_reject_error(void) { return X509_V_ERR_SUBJECT_ISSUER_MISMATCH; }

static int tlsdrill_server_verify_cb(int ok, X509_STORE_CTX *store) {
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    if (ssl == NULL) return ok;
    tlsdrill_server_policy *policy = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), tlsdrill_policy_index);
    tlsdrill_observation *o = (tlsdrill_observation *)SSL_get_app_data(ssl);
    if (policy == NULL) return ok;
    if (ok && X509_STORE_CTX_get_error_depth(store) == 0 && policy->allowed_san_count > 0
        && !tlsdrill_san_allowed(X509_STORE_CTX_get_current_cert(store), policy)) {
        X509_STORE_CTX_set_error(store, tlsdrill_san_reject_error());
        if (o != NULL) o->san_rejected = 1;
        ok = 0;
    }
    if (!ok) {
        if (o != NULL && o->verify_error == 0) o->verify_error = X509_STORE_CTX_get_error(store);
        if (policy->reject_mode == TLSDRILL_REJECT_HTTP) return 1;
        if (policy->reject_mode == TLSDRILL_REJECT_GENERIC_ALERT) X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
    }
    return ok;
}

static int tlsdrill_alpn_select_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
                                   unsigned int inlen, void *arg) {
    tlsdrill_server_policy *policy = (tlsdrill_server_policy *)arg;
    (void)ssl;
    if (policy->alpn == NULL) return SSL_TLSEXT_ERR_NOACK;
    unsigned char *selected = NULL;
    if (SSL_select_next_proto(&selected, outlen, policy->alpn, policy->alpn_length, in, inlen) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

int tlsdrill_server_install_policy(SSL_CTX *ctx, tlsdrill_server_policy *policy, int verify_mode) {
    pthread_once(&tlsdrill_indices_once, tlsdrill_allocate_indices);
    if (tlsdrill_policy_index < 0 || !SSL_CTX_set_ex_data(ctx, tlsdrill_policy_index, policy)) return 0;
    SSL_CTX_set_verify(ctx, verify_mode, verify_mode == SSL_VERIFY_NONE ? NULL : tlsdrill_server_verify_cb);
    if (policy->alpn != NULL) SSL_CTX_set_alpn_select_cb(ctx, tlsdrill_alpn_select_cb, policy);
    return 1;
}

int tlsdrill_accept_nonblocking(int listener) {
    return accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int tlsdrill_release_free_memory(void) { return malloc_trim(0); }

long tlsdrill_peer_uid(int fd) {
    struct ucred credentials;
    socklen_t length = sizeof(credentials);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return -1;
    return (long)credentials.uid;
}

static int tlsdrill_record_verify_cb(int ok, X509_STORE_CTX *store) {
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    tlsdrill_observation *o = ssl ? (tlsdrill_observation *)SSL_get_app_data(ssl) : NULL;
    if (!ok && o != NULL && o->verify_error == 0) o->verify_error = X509_STORE_CTX_get_error(store);
    return 1;
}

void tlsdrill_client_record_verification(SSL_CTX *ctx) { SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, tlsdrill_record_verify_cb); }

/* ---- client: per-thread cache of verified server chains ---- */

#define TLSDRILL_VCACHE_ENTRIES 8
#define TLSDRILL_VCACHE_MAX_DER 16384

typedef struct {
    unsigned long context_id;  /* never reused, unlike SSL_CTX addresses */
    int der_length;
    time_t not_before;  /* latest notBefore in the verified chain (incl. anchor) */
    time_t not_after;   /* earliest notAfter in the verified chain (incl. anchor) */
    unsigned char der[TLSDRILL_VCACHE_MAX_DER];
} tlsdrill_vcache_entry;

static __thread tlsdrill_vcache_entry *tlsdrill_vcache;
static unsigned long tlsdrill_next_context_id = 1;  /* taken with an atomic add */
static __thread int tlsdrill_vcache_next;

/* The served chain (leaf + untrusted) as concatenated DER, or -1 when it does not fit. */
static int tlsdrill_served_der(X509_STORE_CTX *store, unsigned char *out, int cap) {
    X509 *leaf = X509_STORE_CTX_get0_cert(store);
    STACK_OF(X509) *untrusted = X509_STORE_CTX_get0_untrusted(store);
    int total = 0;
    int count = untrusted ? sk_X509_num(untrusted) : 0;
    for (int i = -1; i < count; i++) {
        X509 *x = i < 0 ? leaf : sk_X509_value(untrusted, i);
        if (x == NULL || (i >= 0 && x == leaf)) continue;
        int n = i2d_X509(x, NULL);
        if (n <= 0 || total + n > cap) return -1;
        unsigned char *p = out + total;
        i2d_X509(x, &p);
        total += n;
    }
    return total;
}

static int tlsdrill_cached_verify_cb(X509_STORE_CTX *store, void *arg) {
    (void)arg;
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    SSL_CTX *owner = ssl ? SSL_get_SSL_CTX(ssl) : NULL;
    unsigned long ctx = owner ? (unsigned long)(uintptr_t)SSL_CTX_get_ex_data(owner, tlsdrill_context_id_index) : 0;
    if (tlsdrill_vcache == NULL) tlsdrill_vcache = calloc(TLSDRILL_VCACHE_ENTRIES, sizeof(tlsdrill_vcache_entry));
    unsigned char key[TLSDRILL_VCACHE_MAX_DER];
    int length = (ctx != 0 && tlsdrill_vcache) ? tlsdrill_served_der(store, key, sizeof key) : -1;
    time_t now = time(NULL);
    if (length > 0) {
        for (int i = 0; i < TLSDRILL_VCACHE_ENTRIES; i++) {
            tlsdrill_vcache_entry *e = &tlsdrill_vcache[i];
            if (e->context_id == ctx && e->der_length == length && now >= e->not_before && now <= e->not_after
                && memcmp(e->der, key, (size_t)length) == 0) {
                X509_STORE_CTX_set_error(store, X509_V_OK);
                return 1;
            }
        }
    }
    int ok = X509_verify_cert(store);
    /* Only a clean success is cached: a verify callback may return 1 despite an error (recording or
     * HTTP-style rejection), and that must be seen again next time. */
    if (ok == 1 && length > 0 && X509_STORE_CTX_get_error(store) == X509_V_OK) {
        STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(store);
        time_t latest_start = 0, earliest_end = (time_t)1 << 62;
        int usable = chain != NULL && sk_X509_num(chain) > 0;
        for (int i = 0; usable && i < sk_X509_num(chain); i++) {
            X509 *x = sk_X509_value(chain, i);
            time_t start = (time_t)tlsdrill_asn1_time_to_unix(X509_get0_notBefore(x));
            time_t end = (time_t)tlsdrill_asn1_time_to_unix(X509_get0_notAfter(x));
            if (start == 0 || end == 0) usable = 0;
            if (start > latest_start) latest_start = start;
            if (end < earliest_end) earliest_end = end;
        }
        if (usable) {
            tlsdrill_vcache_entry *e = &tlsdrill_vcache[tlsdrill_vcache_next];
            tlsdrill_vcache_next = (tlsdrill_vcache_next + 1) % TLSDRILL_VCACHE_ENTRIES;
            e->context_id = ctx;
            e->der_length = length;
            e->not_before = latest_start;
            e->not_after = earliest_end;
            memcpy(e->der, key, (size_t)length);
        }
    }
    return ok;
}

void tlsdrill_install_verify_cache(SSL_CTX *ctx) {
    pthread_once(&tlsdrill_indices_once, tlsdrill_allocate_indices);
    unsigned long id = __atomic_fetch_add(&tlsdrill_next_context_id, 1, __ATOMIC_RELAXED);
    if (tlsdrill_context_id_index < 0 || !SSL_CTX_set_ex_data(ctx, tlsdrill_context_id_index, (void *)(uintptr_t)id)) return;
    SSL_CTX_set_cert_verify_callback(ctx, tlsdrill_cached_verify_cb, NULL);
}

/* ---- faster EC public-key decoding on OpenSSL 3.0 ----
 * OpenSSL 3.0 parses every certificate's public key by building a provider decoder context, which
 * enumerates all decoders each time (~180 us per certificate here; 3.2 caches it). x509_pubkey_decode
 * takes OpenSSL's own legacy ASN.1 route instead when an ENGINE claims the key type. This engine claims EC
 * and hands back OpenSSL's built-in EC method, so parsing and verification stay OpenSSL's code. */
static int tlsdrill_ec_nids[] = { EVP_PKEY_EC };

static int tlsdrill_engine_pkey_meths(ENGINE *e, EVP_PKEY_METHOD **pmeth, const int **nids, int nid) {
    (void)e;
    if (pmeth == NULL) { *nids = tlsdrill_ec_nids; return 1; }
    *pmeth = (EVP_PKEY_METHOD *)EVP_PKEY_meth_find(nid);
    return *pmeth != NULL;
}

static int tlsdrill_fast_ec_enabled;
static pthread_once_t tlsdrill_fast_ec_once = PTHREAD_ONCE_INIT;

static void tlsdrill_install_fast_ec(void) {
    ENGINE *e = ENGINE_new();
    if (e == NULL) return;
    if (ENGINE_set_id(e, "tlsdrill-ec-decode") && ENGINE_set_name(e, "tlsdrill: legacy EC public-key decoding")
        && ENGINE_set_pkey_meths(e, tlsdrill_engine_pkey_meths) && ENGINE_set_default_pkey_meths(e)) {
        tlsdrill_fast_ec_enabled = 1;
    }
    ENGINE_free(e);  /* the default-method table keeps its own reference */
    ERR_clear_error();
}

int tlsdrill_enable_fast_ec_decoding(void) {
    pthread_once(&tlsdrill_fast_ec_once, tlsdrill_install_fast_ec);
    return tlsdrill_fast_ec_enabled;
}

EVP_PKEY *tlsdrill_ec_p256_keygen(void) {
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (ctx != NULL && EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_CTX_set_group_name(ctx, "prime256v1") == 1) {
        EVP_PKEY_generate(ctx, &key);
    }
    EVP_PKEY_CTX_free(ctx);
    return key;
}

static int tlsdrill_new_session_cb(SSL *ssl, SSL_SESSION *session) {
    tlsdrill_observation *o = (tlsdrill_observation *)SSL_get_app_data(ssl);
    if (o == NULL) return 0;
    if (o->session != NULL) SSL_SESSION_free(o->session);
    o->session = session;
    return 1; /* we keep the reference */
}

void tlsdrill_client_enable_resumption(SSL_CTX *ctx, int tickets) {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, tlsdrill_new_session_cb);
    if (tickets) SSL_CTX_clear_options(ctx, SSL_OP_NO_TICKET); else SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
}

void tlsdrill_server_enable_resumption(SSL_CTX *ctx, int tickets, long cache_size) {
    static const unsigned char context[] = "tlsdrill";
    SSL_CTX_set_session_id_context(ctx, context, sizeof(context) - 1);
    if (tickets) SSL_CTX_clear_options(ctx, SSL_OP_NO_TICKET); else SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    if (cache_size > 0) {
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
        SSL_CTX_sess_set_cache_size(ctx, cache_size);
    } else if (tickets) {
        /* OpenSSL resumes nothing with the cache mode off, tickets included: server mode, no stored sessions. */
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    } else {
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    }
}

int tlsdrill_copy_ticket_keys(SSL_CTX *from, SSL_CTX *to) {
    unsigned char keys[80];
    if (SSL_CTX_get_tlsext_ticket_keys(from, keys, sizeof keys) != 1) return 0;
    int ok = SSL_CTX_set_tlsext_ticket_keys(to, keys, sizeof keys) == 1;
    OPENSSL_cleanse(keys, sizeof keys);
    return ok;
}
