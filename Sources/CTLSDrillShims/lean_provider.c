/*
 * A lean OpenSSL library context for client handshakes.
 *
 * OpenSSL 3.0 builds a decoder context for every public key it parses (each served certificate), and
 * that enumerates every key manager and decoder the library context can see; the cost grows with the
 * number of visible algorithms, whatever the property query. This library context's only provider is a
 * thin filter over the default provider (OpenSSL's own test/filterprov.c pattern): it re-exports just the
 * algorithms libssl can negotiate and tlsdrill needs (every server key type TLS can use with the default
 * provider: EC, RSA, RSA-PSS, Ed25519, Ed448, DSA), and reuses the default provider's context and
 * implementations. Operations it does not filter (random generators, encoders, stores, KEMs) pass through.
 * Three of its parts compute instead of filter: its SubjectPublicKeyInfo decoders keep each worker thread's
 * recently decoded server keys (lean_key_decoder.c), so a certificate seen before costs a key copy instead of a
 * decode; its TLS13-KDF runs the TLS 1.3 key schedule without a provider fetch per step (lean_key_schedule.c);
 * and a second context, the default one for client handshakes, shares each thread's X25519/X448 key share
 * across handshakes (lean_key_share.c; `--fresh-key-shares` picks the first context).
 */
#include "CTLSDrillShims.h"
#include "lean_provider_internal.h"
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/provider.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define LEAN_MAX_ALGORITHMS 96

typedef struct {
    int operation;
    const char *const *names;     /* first algorithm name must be one of these (NULL-terminated) */
    const char *property;         /* and, if set, the property definition must contain this */
    OSSL_ALGORITHM algorithms[LEAN_MAX_ALGORITHMS + 1];
    int built;
} lean_filter;

static const char *const lean_keys[] = {"EC", "X25519", "X448", "ED25519", "ED448", "RSA", "RSA-PSS", "DSA", "DH", "HMAC", NULL};
static const char *const lean_ciphers[] = {
    "AES-128-GCM", "AES-256-GCM", "ChaCha20-Poly1305", "AES-128-CCM", "AES-256-CCM", "AES-128-CBC", "AES-256-CBC",
    "AES-128-CBC-HMAC-SHA1", "AES-256-CBC-HMAC-SHA1", "AES-128-CBC-HMAC-SHA256", "AES-256-CBC-HMAC-SHA256", NULL};
static const char *const lean_digests[] = {"SHA1", "SHA2-224", "SHA2-256", "SHA2-384", "SHA2-512", "MD5-SHA1", NULL};
static const char *const lean_macs[] = {"HMAC", NULL};
static const char *const lean_kdfs[] = {"HKDF", "TLS13-KDF", "TLS1-PRF", NULL};
static const char *const lean_exchanges[] = {"ECDH", "X25519", "X448", "DH", NULL};
static const char *const lean_signatures[] = {"ECDSA", "RSA", "ED25519", "ED448", "DSA", "HMAC", NULL};
static const char *const lean_asym[] = {"RSA", NULL};
/* Key types a certificate that signs in TLS can carry (X25519/X448 keys only agree, so no certificate a TLS peer
 * serves or a CA signs with has one; each decoder listed costs every certificate parse a little). */
static const char *const lean_decoded[] = {"EC", "RSA", "RSA-PSS", "ED25519", "ED448", "DSA", NULL};

static lean_filter lean_filters[] = {
    {OSSL_OP_KEYMGMT, lean_keys, NULL, {{0}}, 0},
    {OSSL_OP_CIPHER, lean_ciphers, NULL, {{0}}, 0},
    {OSSL_OP_DIGEST, lean_digests, NULL, {{0}}, 0},
    {OSSL_OP_MAC, lean_macs, NULL, {{0}}, 0},
    {OSSL_OP_KDF, lean_kdfs, NULL, {{0}}, 0},
    {OSSL_OP_KEYEXCH, lean_exchanges, NULL, {{0}}, 0},
    {OSSL_OP_SIGNATURE, lean_signatures, NULL, {{0}}, 0},
    {OSSL_OP_ASYM_CIPHER, lean_asym, NULL, {{0}}, 0},
    /* Certificates only ever need their SubjectPublicKeyInfo decoded. */
    {OSSL_OP_DECODER, lean_decoded, "structure=SubjectPublicKeyInfo", {{0}}, 0},
};

static OSSL_PROVIDER *lean_default;      /* the default provider, in a private backing library context */
static OSSL_LIB_CTX *lean_backing;       /* that private library context */
static const OSSL_DISPATCH *lean_core;   /* the core's functions handed to the lean provider */
static OSSL_ALGORITHM lean_key_decoders[LEAN_MAX_DECODERS + 1];
static OSSL_LIB_CTX *lean_context;       /* the lean library context handed to SSL_CTX_new_ex */
static OSSL_LIB_CTX *lean_sharing_context; /* the same, sharing each thread's X25519/X448 key share */
static pthread_once_t lean_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lean_build_lock = PTHREAD_MUTEX_INITIALIZER;

static int lean_name_allowed(const char *names, const char *const *allowed) {
    size_t length = strcspn(names, ":");
    for (; *allowed != NULL; allowed++)
        if (strlen(*allowed) == length && strncasecmp(names, *allowed, length) == 0) return 1;
    return 0;
}

/* The allow-listed algorithms for `operation`, built on first use; NULL for operations passed through whole. */
static const OSSL_ALGORITHM *lean_filtered(int operation) {
    for (size_t i = 0; i < sizeof(lean_filters) / sizeof(lean_filters[0]); i++) {
        lean_filter *filter = &lean_filters[i];
        if (filter->operation != operation) continue;
        pthread_mutex_lock(&lean_build_lock);
        if (!filter->built) {
            int unused = 0, count = 0;
            const OSSL_ALGORITHM *all = OSSL_PROVIDER_query_operation(lean_default, operation, &unused);
            for (; all != NULL && all->algorithm_names != NULL && count < LEAN_MAX_ALGORITHMS; all++) {
                if (!lean_name_allowed(all->algorithm_names, filter->names)) continue;
                if (filter->property != NULL && (all->property_definition == NULL || strstr(all->property_definition, filter->property) == NULL))
                    continue;
                filter->algorithms[count++] = *all;
            }
            memset(&filter->algorithms[count], 0, sizeof(OSSL_ALGORITHM));
            filter->built = 1;
            /* The default SPKI decoders' names and properties, served by caching decoders (lean_key_decoder.c);
             * if those cannot be built, the default decoders themselves. */
            if (operation == OSSL_OP_DECODER
                && lean_build_key_decoders(lean_default, lean_core, filter->algorithms, lean_key_decoders, LEAN_MAX_DECODERS))
                memcpy(filter->algorithms, lean_key_decoders, sizeof lean_key_decoders);
            if (operation == OSSL_OP_KDF) lean_install_key_schedule(filter->algorithms);
        }
        pthread_mutex_unlock(&lean_build_lock);
        return filter->algorithms;
    }
    return NULL;
}

static const OSSL_ALGORITHM *lean_query(void *provctx, int operation, int *no_cache) {
    (void)provctx;
    const OSSL_ALGORITHM *filtered = lean_filtered(operation);
    if (filtered == NULL) return OSSL_PROVIDER_query_operation(lean_default, operation, no_cache);
    *no_cache = 0;
    return filtered;
}

/* The key managers of the context that shares key shares: the lean ones, X25519 and X448 keeping each thread's
 * key pair (lean_key_share.c). Built when that context is made. */
static OSSL_ALGORITHM lean_sharing_keymgmt[LEAN_MAX_ALGORITHMS + 1];

static const OSSL_ALGORITHM *lean_sharing_query(void *provctx, int operation, int *no_cache) {
    if (operation != OSSL_OP_KEYMGMT) return lean_query(provctx, operation, no_cache);
    *no_cache = 0;
    return lean_sharing_keymgmt;
}

static int lean_get_capabilities(void *provctx, const char *capability, OSSL_CALLBACK *callback, void *argument) {
    (void)provctx;
    return OSSL_PROVIDER_get_capabilities(lean_default, capability, callback, argument);
}

static const OSSL_DISPATCH lean_dispatch[] = {
    {OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))lean_query},
    {OSSL_FUNC_PROVIDER_GET_CAPABILITIES, (void (*)(void))lean_get_capabilities},
    {0, NULL},
};

static const OSSL_DISPATCH lean_sharing_dispatch[] = {
    {OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))lean_sharing_query},
    {OSSL_FUNC_PROVIDER_GET_CAPABILITIES, (void (*)(void))lean_get_capabilities},
    {0, NULL},
};

static int lean_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in, const OSSL_DISPATCH **out, void **provctx) {
    (void)handle;
    lean_core = in;
    *provctx = OSSL_PROVIDER_get0_provider_ctx(lean_default);
    *out = lean_dispatch;
    return 1;
}

static int lean_sharing_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in, const OSSL_DISPATCH **out, void **provctx) {
    (void)handle;
    lean_core = in;
    *provctx = OSSL_PROVIDER_get0_provider_ctx(lean_default);
    *out = lean_sharing_dispatch;
    return 1;
}

/* A library context whose only provider is the built-in one `init` starts; NULL on failure. */
static OSSL_LIB_CTX *lean_context_with(const char *name, OSSL_provider_init_fn *init) {
    OSSL_LIB_CTX *context = OSSL_LIB_CTX_new();
    if (context == NULL) return NULL;
    if (!OSSL_PROVIDER_add_builtin(context, name, init) || OSSL_PROVIDER_load(context, name) == NULL) {
        OSSL_LIB_CTX_free(context);
        return NULL;
    }
    return context;
}

static void lean_create(void) {
    OSSL_LIB_CTX *backing = OSSL_LIB_CTX_new();
    if (backing == NULL || (lean_default = OSSL_PROVIDER_load(backing, "default")) == NULL) return;
    lean_backing = backing;
    lean_context = lean_context_with("tlsdrill-lean", lean_init);
    const OSSL_ALGORITHM *keymgmt = lean_filtered(OSSL_OP_KEYMGMT);
    if (lean_context == NULL || keymgmt == NULL) return;
    memcpy(lean_sharing_keymgmt, keymgmt, sizeof lean_sharing_keymgmt);
    if (lean_install_shared_key_shares(lean_sharing_keymgmt) > 0)
        lean_sharing_context = lean_context_with("tlsdrill-lean-shared-key-shares", lean_sharing_init);
}

OSSL_LIB_CTX *lean_backing_context(void) { return lean_backing; }

void *lean_thread_state(pthread_key_t key, size_t size) {
    void *state = pthread_getspecific(key);
    if (state == NULL && (state = calloc(1, size)) != NULL && pthread_setspecific(key, state) != 0) {
        free(state);
        state = NULL;
    }
    return state;
}

uint64_t lean_hash_bytes(const unsigned char *bytes, size_t length) {
    uint64_t hash = 1469598103934665603ULL;
    for (size_t i = 0; i < length; i++) hash = (hash ^ bytes[i]) * 1099511628211ULL;
    return hash;
}

int lean_is_lean_context(OSSL_LIB_CTX *context) {
    return context != NULL
           && (context == __atomic_load_n(&lean_context, __ATOMIC_RELAXED)
               || context == __atomic_load_n(&lean_sharing_context, __ATOMIC_RELAXED));
}

OSSL_LIB_CTX *tlsdrill_lean_library_context(int share_key_shares) {
    pthread_once(&lean_once, lean_create);
    return share_key_shares ? lean_sharing_context : lean_context;
}
