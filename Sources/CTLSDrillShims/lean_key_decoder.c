/*
 * The lean library context's SubjectPublicKeyInfo decoders: a per-thread cache of decoded public keys.
 *
 * Every handshake parses the certificates the server sends, and OpenSSL 3.0 decodes each certificate's
 * public key through the provider decoder framework: the default provider's decoder rebuilds the key from
 * the DER every time (for EC that means a new curve group, the costliest part). A load test sees the same
 * few server keys over and over, so these decoders keep, per worker thread, the last keys they decoded
 * (keyed by their exact DER bytes) and hand OpenSSL a duplicate made by the default provider's own key
 * manager (`dup`), which copies the curve group instead of building it. A miss decodes the DER in the backing library
 * context (the full default provider) and imports it. Only the algorithm names, property strings and key
 * managers are the default provider's; each decoder knows its key type and declines any other, exactly
 * as the default SPKI decoders do, so the choice of key manager (EC vs SM2, RSA vs RSA-PSS) is unchanged.
 */
#include "lean_provider_internal.h"
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define LEAN_KEY_CACHE_SLOTS 16
#define LEAN_SPKI_MAX 8192   /* an RSA-16384 SubjectPublicKeyInfo is ~2 KB */

typedef struct {
    const char *keytype;                       /* the key manager name the decoded key belongs to */
    OSSL_FUNC_keymgmt_new_fn *new_key;
    OSSL_FUNC_keymgmt_free_fn *free_key;
    OSSL_FUNC_keymgmt_import_fn *import_key;
    OSSL_FUNC_keymgmt_dup_fn *dup_key;
    OSSL_FUNC_keymgmt_export_fn *export_key;
} lean_key_manager;

typedef struct {
    unsigned char *der;
    size_t length;
    uint64_t hash;
    int decoder;                                /* index into lean_key_managers */
    void *keydata;                              /* owned; freed with the key manager's free */
} lean_cached_key;

typedef struct {
    lean_cached_key slots[LEAN_KEY_CACHE_SLOTS];
    unsigned next;                              /* round-robin replacement */
} lean_key_cache;

typedef struct {
    int decoder;
    void *provctx;
} lean_decoder_ctx;

static lean_key_manager lean_key_managers[LEAN_MAX_DECODERS];
static OSSL_FUNC_BIO_read_ex_fn *lean_bio_read_ex;
static pthread_key_t lean_cache_key;

static void lean_cache_free(void *value) {
    lean_key_cache *cache = value;
    for (unsigned i = 0; i < LEAN_KEY_CACHE_SLOTS; i++) {
        lean_cached_key *slot = &cache->slots[i];
        if (slot->keydata != NULL) lean_key_managers[slot->decoder].free_key(slot->keydata);
        free(slot->der);
    }
    free(cache);
}

/* Reads the whole input; 0 when it does not fit (no SubjectPublicKeyInfo is anywhere near 8 KB). */
static int lean_read_all(OSSL_CORE_BIO *in, unsigned char *buffer, size_t *length) {
    size_t total = 0, got = 0;
    while (total < LEAN_SPKI_MAX && lean_bio_read_ex(in, buffer + total, LEAN_SPKI_MAX - total, &got) && got > 0)
        total += got;
    *length = total;
    return total > 0 && total < LEAN_SPKI_MAX;
}

/* A key manager's own key for DER bytes: decoded in the backing context, then imported. NULL if the DER
 * is not a key of this decoder's type (the default decoders decline such input the same way). */
static void *lean_decode_fresh(const lean_key_manager *manager, void *provctx, const unsigned char *der, size_t length) {
    const unsigned char *cursor = der;
    EVP_PKEY *decoded = d2i_PUBKEY_ex(NULL, &cursor, (long)length, lean_backing_context(), NULL);
    void *keydata = NULL;
    OSSL_PARAM *params = NULL;
    if (decoded != NULL && (size_t)(cursor - der) == length && EVP_PKEY_is_a(decoded, manager->keytype)
        && EVP_PKEY_todata(decoded, EVP_PKEY_PUBLIC_KEY, &params) == 1
        && (keydata = manager->new_key(provctx)) != NULL
        && !manager->import_key(keydata, EVP_PKEY_PUBLIC_KEY, params)) {
        manager->free_key(keydata);
        keydata = NULL;
    }
    OSSL_PARAM_free(params);
    EVP_PKEY_free(decoded);
    return keydata;
}

/* The cached key for these bytes (decoding and caching it on a miss), or NULL. */
static void *lean_cached_keydata(int decoder, void *provctx, const unsigned char *der, size_t length) {
    lean_key_cache *cache = lean_thread_state(lean_cache_key, sizeof *cache);
    if (cache == NULL) return NULL;
    uint64_t hash = lean_hash_bytes(der, length);
    for (unsigned i = 0; i < LEAN_KEY_CACHE_SLOTS; i++) {
        lean_cached_key *slot = &cache->slots[i];
        if (slot->keydata != NULL && slot->hash == hash && slot->decoder == decoder && slot->length == length
            && memcmp(slot->der, der, length) == 0)
            return slot->keydata;
    }
    void *keydata = lean_decode_fresh(&lean_key_managers[decoder], provctx, der, length);
    unsigned char *copy = keydata != NULL ? malloc(length) : NULL;
    if (copy == NULL) {
        if (keydata != NULL) lean_key_managers[decoder].free_key(keydata);
        return NULL;
    }
    memcpy(copy, der, length);
    lean_cached_key *slot = &cache->slots[cache->next++ % LEAN_KEY_CACHE_SLOTS];
    if (slot->keydata != NULL) lean_key_managers[slot->decoder].free_key(slot->keydata);
    free(slot->der);
    *slot = (lean_cached_key){copy, length, hash, decoder, keydata};
    return keydata;
}

static int lean_decode(void *vctx, OSSL_CORE_BIO *in, int selection, OSSL_CALLBACK *data_cb, void *data_cbarg,
                       OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg) {
    (void)pw_cb;
    (void)pw_cbarg;
    lean_decoder_ctx *ctx = vctx;
    const lean_key_manager *manager = &lean_key_managers[ctx->decoder];
    if (selection != 0 && (selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) == 0) return 1;  /* nothing to give */
    unsigned char der[LEAN_SPKI_MAX];
    size_t length = 0;
    void *cached = lean_read_all(in, der, &length) ? lean_cached_keydata(ctx->decoder, ctx->provctx, der, length) : NULL;
    void *key = cached != NULL ? manager->dup_key(cached, OSSL_KEYMGMT_SELECT_ALL) : NULL;
    if (key == NULL) return 1;  /* empty-handed is not an error: other decoders may try */
    int object_type = OSSL_OBJECT_PKEY;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_int(OSSL_OBJECT_PARAM_TYPE, &object_type),
        OSSL_PARAM_construct_utf8_string(OSSL_OBJECT_PARAM_DATA_TYPE, (char *)manager->keytype, 0),
        OSSL_PARAM_construct_octet_string(OSSL_OBJECT_PARAM_REFERENCE, &key, sizeof key),
        OSSL_PARAM_construct_end(),
    };
    int ok = data_cb(params, data_cbarg);
    if (key != NULL) manager->free_key(key);  /* the key manager's load takes it and sets this to NULL */
    return ok;
}

static int lean_export_object(void *vctx, const void *reference, size_t reference_size, OSSL_CALLBACK *export_cb,
                              void *export_cbarg) {
    lean_decoder_ctx *ctx = vctx;
    if (reference_size != sizeof(void *)) return 0;
    return lean_key_managers[ctx->decoder].export_key(*(void *const *)reference, OSSL_KEYMGMT_SELECT_ALL, export_cb,
                                                      export_cbarg);
}

static void lean_free_ctx(void *vctx) { free(vctx); }

static int lean_does_selection(void *provctx, int selection) {
    (void)provctx;
    return selection == 0 || (selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) != 0;
}

/* One newctx per decoder slot, so each decoder knows its key type without a lookup. */
#define LEAN_NEWCTX(i)                                                             \
    static void *lean_new_ctx_##i(void *provctx) {                                 \
        lean_decoder_ctx *ctx = malloc(sizeof *ctx);                               \
        if (ctx != NULL) *ctx = (lean_decoder_ctx){i, provctx};                    \
        return ctx;                                                                \
    }
LEAN_NEWCTX(0) LEAN_NEWCTX(1) LEAN_NEWCTX(2) LEAN_NEWCTX(3) LEAN_NEWCTX(4) LEAN_NEWCTX(5) LEAN_NEWCTX(6) LEAN_NEWCTX(7)
LEAN_NEWCTX(8) LEAN_NEWCTX(9) LEAN_NEWCTX(10) LEAN_NEWCTX(11)
static OSSL_FUNC_decoder_newctx_fn *const lean_new_ctx[LEAN_MAX_DECODERS] = {
    lean_new_ctx_0, lean_new_ctx_1, lean_new_ctx_2, lean_new_ctx_3, lean_new_ctx_4, lean_new_ctx_5,
    lean_new_ctx_6, lean_new_ctx_7, lean_new_ctx_8, lean_new_ctx_9, lean_new_ctx_10, lean_new_ctx_11};

static OSSL_DISPATCH lean_decoder_dispatch[LEAN_MAX_DECODERS][6];

/* The key manager functions of the default provider's key type `name` (its first name). */
static int lean_find_key_manager(OSSL_PROVIDER *provider, const char *name, lean_key_manager *manager) {
    int unused = 0;
    size_t length = strlen(name);
    const OSSL_ALGORITHM *all = OSSL_PROVIDER_query_operation(provider, OSSL_OP_KEYMGMT, &unused);
    for (; all != NULL && all->algorithm_names != NULL; all++) {
        if (strncasecmp(all->algorithm_names, name, length) != 0 || (all->algorithm_names[length] != ':' && all->algorithm_names[length] != '\0'))
            continue;
        *manager = (lean_key_manager){0};
        for (const OSSL_DISPATCH *f = all->implementation; f->function_id != 0; f++) {
            switch (f->function_id) {
            case OSSL_FUNC_KEYMGMT_NEW: manager->new_key = OSSL_FUNC_keymgmt_new(f); break;
            case OSSL_FUNC_KEYMGMT_FREE: manager->free_key = OSSL_FUNC_keymgmt_free(f); break;
            case OSSL_FUNC_KEYMGMT_IMPORT: manager->import_key = OSSL_FUNC_keymgmt_import(f); break;
            case OSSL_FUNC_KEYMGMT_DUP: manager->dup_key = OSSL_FUNC_keymgmt_dup(f); break;
            case OSSL_FUNC_KEYMGMT_EXPORT: manager->export_key = OSSL_FUNC_keymgmt_export(f); break;
            }
        }
        return manager->new_key && manager->free_key && manager->import_key && manager->dup_key && manager->export_key;
    }
    return 0;
}

int lean_build_key_decoders(OSSL_PROVIDER *provider, const OSSL_DISPATCH *core, const OSSL_ALGORITHM *spki_decoders,
                            OSSL_ALGORITHM *out, int capacity) {
    for (; core != NULL && core->function_id != 0; core++)
        if (core->function_id == OSSL_FUNC_BIO_READ_EX) lean_bio_read_ex = OSSL_FUNC_BIO_read_ex(core);
    if (lean_bio_read_ex == NULL || pthread_key_create(&lean_cache_key, lean_cache_free) != 0) return 0;
    int count = 0;
    for (; spki_decoders->algorithm_names != NULL && count < capacity && count < LEAN_MAX_DECODERS; spki_decoders++) {
        char first[64];
        size_t length = strcspn(spki_decoders->algorithm_names, ":");
        if (length >= sizeof first) return 0;  /* all or none: a missing type would silently lose its keys */
        memcpy(first, spki_decoders->algorithm_names, length);
        first[length] = '\0';
        lean_key_manager manager;
        if (!lean_find_key_manager(provider, first, &manager)) return 0;
        manager.keytype = strdup(first);
        if (manager.keytype == NULL) return 0;
        lean_key_managers[count] = manager;
        OSSL_DISPATCH *dispatch = lean_decoder_dispatch[count];
        dispatch[0] = (OSSL_DISPATCH){OSSL_FUNC_DECODER_NEWCTX, (void (*)(void))lean_new_ctx[count]};
        dispatch[1] = (OSSL_DISPATCH){OSSL_FUNC_DECODER_FREECTX, (void (*)(void))lean_free_ctx};
        dispatch[2] = (OSSL_DISPATCH){OSSL_FUNC_DECODER_DOES_SELECTION, (void (*)(void))lean_does_selection};
        dispatch[3] = (OSSL_DISPATCH){OSSL_FUNC_DECODER_DECODE, (void (*)(void))lean_decode};
        dispatch[4] = (OSSL_DISPATCH){OSSL_FUNC_DECODER_EXPORT_OBJECT, (void (*)(void))lean_export_object};
        dispatch[5] = (OSSL_DISPATCH){0, NULL};
        out[count] = *spki_decoders;
        out[count].implementation = dispatch;
        count++;
    }
    if (spki_decoders->algorithm_names != NULL) return 0;  /* more decoders than room: none rather than some */
    memset(&out[count], 0, sizeof *out);
    return 1;
}
