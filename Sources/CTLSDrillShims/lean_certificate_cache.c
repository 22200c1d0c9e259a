/*
 * Served certificates parsed once per worker thread.
 *
 * Every full handshake makes libssl parse each certificate the server sends (`d2i_X509` into a fresh X509):
 * the ASN.1 of the whole certificate, its extensions, and its public key, for which OpenSSL 3.0 builds a
 * decoder context that constructs every key manager and decoder method of the library context anew. A load
 * test sees the same few certificates over and over, so, like BoringSSL's CRYPTO_BUFFER pools share identical
 * certificates between connections, handshakes in a lean client context reuse the X509 a byte-identical
 * certificate was parsed into before on the same thread.
 *
 * OpenSSL offers no hook between the Certificate message and `d2i_X509`, so this file provides `d2i_X509`
 * itself: the executable's definition comes first in symbol lookup, and libssl reaches libcrypto's through the
 * dynamic linker. Outside a handshake step that `tlsdrill_do_handshake` runs for a lean context — every other
 * thread, caller and library context — it is libcrypto's own `d2i_X509`, untouched. Inside one, a certificate
 * whose exact DER this thread parsed before for the same library context gives that X509 (one more reference;
 * the fresh X509 libssl made is freed); any other input is parsed by libcrypto and, when it parses cleanly,
 * kept. X509 objects are shared between connections by OpenSSL itself (sessions, stores): what libssl and
 * verification do with a peer certificate after parsing is read it and fill its lock-guarded caches, which
 * identical bytes fill identically.
 */
#define _GNU_SOURCE
#include "CTLSDrillShims.h"
#include "lean_provider_internal.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LEAN_CERTIFICATE_SLOTS 16
#define LEAN_CERTIFICATE_MAX (64 * 1024)

typedef X509 *lean_d2i_X509_fn(X509 **, const unsigned char **, long);

typedef struct {
    unsigned char *der;
    size_t length;
    uint64_t hash;
    OSSL_LIB_CTX *library;
    X509 *certificate;          /* one reference held by the cache */
} lean_cached_certificate;

typedef struct {
    lean_cached_certificate slots[LEAN_CERTIFICATE_SLOTS];
    unsigned next;              /* round-robin replacement */
} lean_certificate_cache;

static lean_d2i_X509_fn *lean_real_d2i_X509;
static pthread_key_t lean_certificates_key;
static int lean_certificates_ready;
static pthread_once_t lean_certificates_once = PTHREAD_ONCE_INIT;
static __thread OSSL_LIB_CTX *lean_parsing_library;  /* set only while tlsdrill_do_handshake runs for a lean context */
static __thread unsigned long lean_certificate_hits;

static void lean_certificates_free(void *value) {
    lean_certificate_cache *cache = value;
    for (unsigned i = 0; i < LEAN_CERTIFICATE_SLOTS; i++) {
        X509_free(cache->slots[i].certificate);
        free(cache->slots[i].der);
    }
    free(cache);
}

static void lean_certificates_setup(void) {
    lean_real_d2i_X509 = (lean_d2i_X509_fn *)dlsym(RTLD_NEXT, "d2i_X509");
    lean_certificates_ready = lean_real_d2i_X509 != NULL && pthread_key_create(&lean_certificates_key, lean_certificates_free) == 0;
}

/* The length of the DER SEQUENCE at `der` (header included) if it fits in `available`, else 0. Only input that is
 * exactly one certificate is served from the cache (libssl passes each certificate's own length); a buffer with
 * more after it — such as an X509_AUX trust trailer, which d2i_X509_AUX would then parse into the X509 — is not. */
static size_t lean_der_sequence_length(const unsigned char *der, long available) {
    if (available < 2 || der[0] != 0x30) return 0;
    size_t header = 2, content = der[1];
    if (content & 0x80) {
        size_t octets = content & 0x7f;
        if (octets == 0 || octets > 3 || (long)(2 + octets) > available) return 0;
        content = 0;
        for (size_t i = 0; i < octets; i++) content = (content << 8) | der[2 + i];
        header += octets;
    }
    size_t total = header + content;
    return total <= (size_t)available && total <= LEAN_CERTIFICATE_MAX ? total : 0;
}

X509 *d2i_X509(X509 **a, const unsigned char **in, long length) {
    pthread_once(&lean_certificates_once, lean_certificates_setup);
    if (lean_real_d2i_X509 == NULL) return NULL;  /* cannot happen with a shared libcrypto, which defines it */
    OSSL_LIB_CTX *library = lean_parsing_library;
    size_t total;
    lean_certificate_cache *cache;
    if (library == NULL || !lean_certificates_ready || a == NULL || *a == NULL || in == NULL || *in == NULL
        || (total = lean_der_sequence_length(*in, length)) != (size_t)length
        || (cache = lean_thread_state(lean_certificates_key, sizeof *cache)) == NULL)
        return lean_real_d2i_X509(a, in, length);
    const unsigned char *start = *in;
    uint64_t hash = lean_hash_bytes(start, total);
    for (unsigned i = 0; i < LEAN_CERTIFICATE_SLOTS; i++) {
        lean_cached_certificate *slot = &cache->slots[i];
        if (slot->certificate != NULL && slot->hash == hash && slot->length == total && slot->library == library
            && memcmp(slot->der, start, total) == 0 && X509_up_ref(slot->certificate)) {
            X509_free(*a);
            *a = slot->certificate;
            *in = start + total;
            lean_certificate_hits++;
            return *a;
        }
    }
    X509 *parsed = lean_real_d2i_X509(a, in, length);
    if (parsed == NULL || (size_t)(*in - start) != total) return parsed;
    unsigned char *copy = malloc(total);
    if (copy == NULL || !X509_up_ref(parsed)) {
        free(copy);
        return parsed;
    }
    memcpy(copy, start, total);
    lean_cached_certificate *slot = &cache->slots[cache->next++ % LEAN_CERTIFICATE_SLOTS];
    X509_free(slot->certificate);
    free(slot->der);
    *slot = (lean_cached_certificate){copy, total, hash, library, parsed};
    return parsed;
}

int tlsdrill_do_handshake(SSL *ssl, OSSL_LIB_CTX *lean_library) {
    lean_parsing_library = lean_library;
    int result = SSL_do_handshake(ssl);
    lean_parsing_library = NULL;
    return result;
}

unsigned long tlsdrill_thread_certificate_cache_hits(void) { return lean_certificate_hits; }

int tlsdrill_certificate_cache_parse(OSSL_LIB_CTX *lean_library, const unsigned char *der, long length) {
    unsigned long before = lean_certificate_hits;
    X509 *certificate = X509_new_ex(lean_library, NULL);
    const unsigned char *cursor = der;
    lean_parsing_library = lean_library;
    X509 *parsed = certificate != NULL ? d2i_X509(&certificate, &cursor, length) : NULL;
    lean_parsing_library = NULL;
    int result = -1;
    unsigned char *encoded = NULL;
    int encoded_length = parsed != NULL ? i2d_X509(parsed, &encoded) : -1;
    if (parsed != NULL)
        result = encoded_length > 0 && encoded_length <= length && memcmp(encoded, der, (size_t)encoded_length) == 0
                         && cursor == der + encoded_length
                     ? lean_certificate_hits > before
                     : -2;
    OPENSSL_free(encoded);
    X509_free(certificate);
    ERR_clear_error();
    return result;
}
