/*
 * The lean library context's TLS13-KDF: the TLS 1.3 key schedule (RFC 8446 §7.1) with direct SHA-256 and
 * SHA-384 calls.
 *
 * libssl derives about twenty secrets, keys and IVs per TLS 1.3 handshake, each through a fresh EVP_KDF
 * context; the default provider's TLS13-KDF then fetches the digest by name and runs HMAC through three
 * provider digest contexts per call (~28,000 instructions a call, measured, most of it around a few hash
 * blocks). This KDF answers to the same name and property string and computes HKDF-Extract and
 * HKDF-Expand-Label (RFC 5869, RFC 8446 §7.1) with HMAC over OpenSSL's own SHA-256/SHA-384 block functions
 * (the same assembly the default provider ends in, without the provider layers). A context holds its
 * parameters as the default one does; whatever this KDF does not compute itself (another digest, a parameter
 * it does not know, a mode given by name, an input the default KDF refuses) goes to the default provider's
 * TLS13-KDF with the context's settings replayed, so its answers and its errors stay OpenSSL's own.
 * Two things make it cheaper still: HMAC keys come from each thread's recently prepared ones (lean_hmac.c), and
 * the two secrets every handshake without a PSK starts from (the early secret and its "derived" secret) are
 * computed once per hash.
 */
#include "lean_hmac.h"
#include "lean_provider_internal.h"
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define LEAN_MAX_LABEL 255     /* HkdfLabel's label and context are length-prefixed by one byte each */

/* HKDF-Expand (RFC 5869 §2.3). */
static int lean_hkdf_expand(const lean_hash *hash, const unsigned char *prk, size_t prk_length, const unsigned char *info,
                            size_t info_length, unsigned char *out, size_t length) {
    if (length == 0 || (length + hash->size - 1) / hash->size > 255) return 0;
    lean_hmac_key scratch;
    const lean_hmac_key *hmac = lean_hmac_key_for(hash, prk, prk_length, &scratch);
    unsigned char block[LEAN_MAX_HASH];
    size_t previous = 0, done = 0;
    int ok = hmac != NULL;
    for (unsigned char counter = 1; ok && done < length; counter++) {
        ok = lean_hmac(hmac, block, previous, info, info_length, &counter, 1, block);
        size_t take = length - done < hash->size ? length - done : hash->size;
        memcpy(out + done, block, take);
        done += take;
        previous = hash->size;
    }
    OPENSSL_cleanse(block, sizeof block);
    if (hmac == &scratch) OPENSSL_cleanse(&scratch, sizeof scratch);
    return ok;
}

/* HKDF-Expand-Label (RFC 8446 §7.1): the HkdfLabel is length || prefix+label || context. */
static int lean_expand_label(const lean_hash *hash, const unsigned char *secret, size_t secret_length, const unsigned char *prefix,
                             size_t prefix_length, const unsigned char *label, size_t label_length, const unsigned char *context,
                             size_t context_length, unsigned char *out, size_t length) {
    unsigned char info[2 + 1 + LEAN_MAX_LABEL + 1 + LEAN_MAX_LABEL];
    if (length > 0xffff || prefix_length + label_length > LEAN_MAX_LABEL || context_length > LEAN_MAX_LABEL) return 0;
    size_t at = 0;
    info[at++] = (unsigned char)(length >> 8);
    info[at++] = (unsigned char)length;
    info[at++] = (unsigned char)(prefix_length + label_length);
    if (prefix_length > 0) memcpy(info + at, prefix, prefix_length);
    at += prefix_length;
    if (label_length > 0) memcpy(info + at, label, label_length);
    at += label_length;
    info[at++] = (unsigned char)context_length;
    if (context_length > 0) memcpy(info + at, context, context_length);
    at += context_length;
    return lean_hkdf_expand(hash, secret, secret_length, info, at, out, length);
}

/* The default provider's TLS13-KDF, answering whatever this one does not compute. */
static struct {
    OSSL_FUNC_kdf_newctx_fn *newctx;
    OSSL_FUNC_kdf_freectx_fn *freectx;
    OSSL_FUNC_kdf_reset_fn *reset;
    OSSL_FUNC_kdf_derive_fn *derive;
    OSSL_FUNC_kdf_set_ctx_params_fn *set_ctx_params;
    OSSL_FUNC_kdf_settable_ctx_params_fn *settable_ctx_params;
    OSSL_FUNC_kdf_get_ctx_params_fn *get_ctx_params;
    OSSL_FUNC_kdf_gettable_ctx_params_fn *gettable_ctx_params;
} lean_default_kdf;

typedef struct {
    unsigned char bytes[LEAN_MAX_LABEL];
    size_t length;
    int present;
} lean_octets;

/* A context holds what its parameters set, as the default KDF's does (each set replaces a value; the
 * context "data" lasts one set), so handing it to the default KDF later can replay it exactly. */
typedef struct {
    void *provctx;
    void *fallback;   /* the default KDF's context once it answers for this one (then it answers everything) */
    int mode;
    const lean_hash *hash;
    lean_octets key, salt, prefix, label, data;
} lean_kdf_ctx;

/* The field a parameter name sets: one comparison by the name's first letter (libssl sets about six
 * parameters per call, and each is looked up twice, to check and to apply). */
static lean_octets *lean_field_named(lean_kdf_ctx *ctx, const char *name) {
    lean_octets *field;
    const char *expected;
    switch (name[0]) {
    case 'k': field = &ctx->key; expected = OSSL_KDF_PARAM_KEY; break;
    case 's': field = &ctx->salt; expected = OSSL_KDF_PARAM_SALT; break;
    case 'p': field = &ctx->prefix; expected = OSSL_KDF_PARAM_PREFIX; break;
    case 'l': field = &ctx->label; expected = OSSL_KDF_PARAM_LABEL; break;
    case 'd': field = &ctx->data; expected = OSSL_KDF_PARAM_DATA; break;
    default: return NULL;
    }
    return strcmp(name, expected) == 0 ? field : NULL;
}

/* Checks (apply == 0) or applies (apply == 1) `params`; checking fails on anything this KDF does not hold
 * itself: another parameter, a mode given by name, a digest other than SHA-256/384, a value too long. */
static int lean_take_params(lean_kdf_ctx *ctx, const OSSL_PARAM *params, int apply) {
    if (params == NULL) return 1;
    if (apply && ctx->data.present) {
        OPENSSL_cleanse(ctx->data.bytes, ctx->data.length);
        ctx->data.present = 0;
        ctx->data.length = 0;
    }
    for (const OSSL_PARAM *p = params; p->key != NULL; p++) {
        lean_octets *field = lean_field_named(ctx, p->key);
        if (field != NULL) {
            const void *value = NULL;
            size_t length = 0;
            if (p->data_type != OSSL_PARAM_OCTET_STRING || !OSSL_PARAM_get_octet_string_ptr(p, &value, &length)
                || length > sizeof field->bytes)
                return 0;
            if (apply) {
                if (field->present && field->length > length) OPENSSL_cleanse(field->bytes + length, field->length - length);
                if (length > 0) memcpy(field->bytes, value, length);
                field->length = length;
                field->present = 1;
            }
        } else if (strcmp(p->key, OSSL_KDF_PARAM_MODE) == 0) {
            int mode = 0;
            if (p->data_type != OSSL_PARAM_INTEGER || !OSSL_PARAM_get_int(p, &mode)) return 0;
            if (apply) ctx->mode = mode;
        } else if (strcmp(p->key, OSSL_KDF_PARAM_DIGEST) == 0) {
            const char *name = NULL;
            const lean_hash *hash = NULL;
            if (!OSSL_PARAM_get_utf8_string_ptr(p, &name) || (hash = lean_hash_named(name)) == NULL) return 0;
            if (apply) ctx->hash = hash;
        } else {
            return 0;
        }
    }
    return 1;
}

static const unsigned char *lean_bytes(const lean_octets *field) { return field->present ? field->bytes : NULL; }
static size_t lean_length(const lean_octets *field) { return field->present ? field->length : 0; }

/* What every handshake without a PSK derives first, the same each time: the early secret (HKDF-Extract of
 * zeros, no salt) and the "derived" secret it gives (the salt of the handshake secret), per hash. */
typedef struct {
    unsigned char early[LEAN_MAX_HASH], derived[LEAN_MAX_HASH];
} lean_early_secrets;

static const unsigned char lean_tls13_prefix[] = "tls13 ", lean_derived_label[] = "derived";
static const unsigned char lean_zeros[LEAN_MAX_HASH];   /* HKDF-Extract's input when there is no key */
static lean_early_secrets lean_early_sha256, lean_early_sha384;
static pthread_once_t lean_early_once = PTHREAD_ONCE_INIT;
static int lean_early_ready;

static int lean_compute_early_secrets(const lean_hash *hash, lean_early_secrets *secrets) {
    lean_hmac_key scratch;
    const unsigned char *nothing = lean_hash_of_nothing(hash);
    const lean_hmac_key *no_salt = lean_hmac_key_for(hash, NULL, 0, &scratch);
    int ok = nothing != NULL && no_salt != NULL && lean_hmac(no_salt, lean_zeros, hash->size, NULL, 0, NULL, 0, secrets->early)
             && lean_expand_label(hash, secrets->early, hash->size, lean_tls13_prefix, sizeof lean_tls13_prefix - 1, lean_derived_label,
                                  sizeof lean_derived_label - 1, nothing, hash->size, secrets->derived, hash->size);
    OPENSSL_cleanse(&scratch, sizeof scratch);
    return ok;
}

static void lean_compute_all_early_secrets(void) {
    lean_early_ready = lean_compute_early_secrets(&lean_sha256, &lean_early_sha256) && lean_compute_early_secrets(&lean_sha384, &lean_early_sha384);
}

static const lean_early_secrets *lean_early_secrets_for(const lean_hash *hash) {
    pthread_once(&lean_early_once, lean_compute_all_early_secrets);
    if (!lean_early_ready) return NULL;
    return hash == &lean_sha256 ? &lean_early_sha256 : &lean_early_sha384;
}

static int lean_octets_are(const lean_octets *field, const unsigned char *bytes, size_t length) {
    return field->present && field->length == length && memcmp(field->bytes, bytes, length) == 0;
}

/* The TLS 1.3 "generate secret" step: HKDF-Extract(Derive-Secret(salt, label, ""), key), zeros standing in
 * for an absent key, and no derive step for an absent salt (the early secret). */
static int lean_generate_secret(const lean_kdf_ctx *ctx, unsigned char *out, size_t length) {
    const lean_hash *hash = ctx->hash;
    if (length != hash->size) return 0;
    const lean_early_secrets *early = lean_early_secrets_for(hash);
    if (early != NULL && !ctx->key.present && !ctx->salt.present) {
        memcpy(out, early->early, hash->size);
        return 1;
    }
    const unsigned char *key = ctx->key.present ? ctx->key.bytes : lean_zeros;
    size_t key_length = ctx->key.present ? ctx->key.length : hash->size;
    unsigned char salt[LEAN_MAX_HASH];
    size_t salt_length = 0;
    int ok = 1;
    if (ctx->salt.present) {
        salt_length = hash->size;
        if (early != NULL && lean_octets_are(&ctx->salt, early->early, hash->size)
            && lean_octets_are(&ctx->prefix, lean_tls13_prefix, sizeof lean_tls13_prefix - 1)
            && lean_octets_are(&ctx->label, lean_derived_label, sizeof lean_derived_label - 1)) {
            memcpy(salt, early->derived, hash->size);
        } else {
            const unsigned char *nothing = lean_hash_of_nothing(hash);
            ok = nothing != NULL
                 && lean_expand_label(hash, ctx->salt.bytes, ctx->salt.length, lean_bytes(&ctx->prefix), lean_length(&ctx->prefix),
                                      lean_bytes(&ctx->label), lean_length(&ctx->label), nothing, hash->size, salt, hash->size);
        }
    }
    lean_hmac_key scratch;
    const lean_hmac_key *hmac = ok ? lean_hmac_key_for(hash, salt, salt_length, &scratch) : NULL;
    ok = hmac != NULL && lean_hmac(hmac, key, key_length, NULL, 0, NULL, 0, out);
    OPENSSL_cleanse(salt, sizeof salt);
    if (hmac == &scratch) OPENSSL_cleanse(&scratch, sizeof scratch);
    return ok;
}

/* 1 when computed here; 0 when the context asks for something else (the default KDF then answers it). */
static int lean_derive_here(const lean_kdf_ctx *ctx, unsigned char *out, size_t length) {
    if (ctx->hash == NULL) return 0;
    switch (ctx->mode) {
    case EVP_KDF_HKDF_MODE_EXTRACT_ONLY:
        return lean_generate_secret(ctx, out, length);
    case EVP_KDF_HKDF_MODE_EXPAND_ONLY:
        return ctx->key.present
               && lean_expand_label(ctx->hash, ctx->key.bytes, ctx->key.length, lean_bytes(&ctx->prefix), lean_length(&ctx->prefix),
                                    lean_bytes(&ctx->label), lean_length(&ctx->label), lean_bytes(&ctx->data), lean_length(&ctx->data), out, length);
    default:
        return 0;
    }
}

/* The default KDF's context for this one, made on first need and given everything set so far. */
static void *lean_kdf_fallback(lean_kdf_ctx *ctx) {
    if (ctx->fallback != NULL) return ctx->fallback;
    void *fallback = lean_default_kdf.newctx(ctx->provctx);
    if (fallback == NULL) return NULL;
    OSSL_PARAM replay[8], *p = replay;
    int mode = ctx->mode;
    if (mode != 0) *p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);   /* 0 is the default's start, and refused if set */
    if (ctx->hash != NULL)
        *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, ctx->hash == &lean_sha256 ? "SHA2-256" : "SHA2-384", 0);
    static const char *const names[] = {OSSL_KDF_PARAM_KEY, OSSL_KDF_PARAM_SALT, OSSL_KDF_PARAM_PREFIX, OSSL_KDF_PARAM_LABEL,
                                        OSSL_KDF_PARAM_DATA};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        lean_octets *field = lean_field_named(ctx, names[i]);
        if (field->present) *p++ = OSSL_PARAM_construct_octet_string(names[i], field->bytes, field->length);
    }
    *p = OSSL_PARAM_construct_end();
    /* Nothing set: nothing to replay (the default TLS13-KDF refuses any set while its mode is unset). */
    if (p != replay && !lean_default_kdf.set_ctx_params(fallback, replay)) {
        lean_default_kdf.freectx(fallback);
        return NULL;
    }
    return ctx->fallback = fallback;
}

/* Empties a context but for its provider context: secrets wiped, every value unset (no 1.4 KB memset). */
static void lean_kdf_clear(lean_kdf_ctx *ctx) {
    lean_octets *secrets[] = {&ctx->key, &ctx->salt, &ctx->data};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        if (secrets[i]->present) OPENSSL_cleanse(secrets[i]->bytes, secrets[i]->length);
    lean_octets *all[] = {&ctx->key, &ctx->salt, &ctx->prefix, &ctx->label, &ctx->data};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        all[i]->present = 0;
        all[i]->length = 0;
    }
    ctx->fallback = NULL;
    ctx->mode = 0;
    ctx->hash = NULL;
}

static void *lean_kdf_newctx(void *provctx) {
    lean_kdf_ctx *ctx = malloc(sizeof *ctx);
    if (ctx == NULL) return NULL;
    ctx->provctx = provctx;
    ctx->key.present = ctx->salt.present = ctx->data.present = 0;
    lean_kdf_clear(ctx);
    return ctx;
}

static void lean_kdf_freectx(void *vctx) {
    lean_kdf_ctx *ctx = vctx;
    if (ctx == NULL) return;
    if (ctx->fallback != NULL) lean_default_kdf.freectx(ctx->fallback);
    lean_kdf_clear(ctx);
    free(ctx);
}

static void lean_kdf_reset(void *vctx) {
    lean_kdf_ctx *ctx = vctx;
    if (ctx->fallback != NULL) lean_default_kdf.freectx(ctx->fallback);
    lean_kdf_clear(ctx);
}

static int lean_kdf_set_ctx_params(void *vctx, const OSSL_PARAM params[]) {
    lean_kdf_ctx *ctx = vctx;
    if (ctx->fallback == NULL && lean_take_params(ctx, params, 0)) return lean_take_params(ctx, params, 1);
    void *fallback = lean_kdf_fallback(ctx);
    return fallback != NULL && lean_default_kdf.set_ctx_params(fallback, params);
}

static int lean_kdf_derive(void *vctx, unsigned char *key, size_t keylen, const OSSL_PARAM params[]) {
    lean_kdf_ctx *ctx = vctx;
    if (ctx->fallback == NULL && lean_take_params(ctx, params, 0)) {
        lean_take_params(ctx, params, 1);
        if (lean_derive_here(ctx, key, keylen)) return 1;
        params = NULL;   /* already taken: the default KDF gets them by replay and gives its own answer or error */
    }
    void *fallback = lean_kdf_fallback(ctx);
    return fallback != NULL && lean_default_kdf.derive(fallback, key, keylen, params);
}

static const OSSL_PARAM *lean_kdf_settable_ctx_params(void *vctx, void *provctx) {
    lean_kdf_ctx *ctx = vctx;
    return lean_default_kdf.settable_ctx_params(ctx != NULL ? ctx->fallback : NULL, provctx);
}

static int lean_kdf_get_ctx_params(void *vctx, OSSL_PARAM params[]) {
    void *fallback = lean_kdf_fallback(vctx);
    return fallback != NULL && lean_default_kdf.get_ctx_params(fallback, params);
}

static const OSSL_PARAM *lean_kdf_gettable_ctx_params(void *vctx, void *provctx) {
    lean_kdf_ctx *ctx = vctx;
    return lean_default_kdf.gettable_ctx_params(ctx != NULL ? ctx->fallback : NULL, provctx);
}

static const OSSL_DISPATCH lean_kdf_functions[] = {
    {OSSL_FUNC_KDF_NEWCTX, (void (*)(void))lean_kdf_newctx},
    {OSSL_FUNC_KDF_FREECTX, (void (*)(void))lean_kdf_freectx},
    {OSSL_FUNC_KDF_RESET, (void (*)(void))lean_kdf_reset},
    {OSSL_FUNC_KDF_DERIVE, (void (*)(void))lean_kdf_derive},
    {OSSL_FUNC_KDF_SET_CTX_PARAMS, (void (*)(void))lean_kdf_set_ctx_params},
    {OSSL_FUNC_KDF_SETTABLE_CTX_PARAMS, (void (*)(void))lean_kdf_settable_ctx_params},
    {OSSL_FUNC_KDF_GET_CTX_PARAMS, (void (*)(void))lean_kdf_get_ctx_params},
    {OSSL_FUNC_KDF_GETTABLE_CTX_PARAMS, (void (*)(void))lean_kdf_gettable_ctx_params},
    {0, NULL},
};

int lean_install_key_schedule(OSSL_ALGORITHM *kdfs) {
    for (OSSL_ALGORITHM *algorithm = kdfs; algorithm->algorithm_names != NULL; algorithm++) {
        size_t length = strcspn(algorithm->algorithm_names, ":");
        if (length != strlen(OSSL_KDF_NAME_TLS1_3_KDF) || strncasecmp(algorithm->algorithm_names, OSSL_KDF_NAME_TLS1_3_KDF, length) != 0)
            continue;
        for (const OSSL_DISPATCH *f = algorithm->implementation; f->function_id != 0; f++) {
            switch (f->function_id) {
            case OSSL_FUNC_KDF_NEWCTX: lean_default_kdf.newctx = OSSL_FUNC_kdf_newctx(f); break;
            case OSSL_FUNC_KDF_FREECTX: lean_default_kdf.freectx = OSSL_FUNC_kdf_freectx(f); break;
            case OSSL_FUNC_KDF_RESET: lean_default_kdf.reset = OSSL_FUNC_kdf_reset(f); break;
            case OSSL_FUNC_KDF_DERIVE: lean_default_kdf.derive = OSSL_FUNC_kdf_derive(f); break;
            case OSSL_FUNC_KDF_SET_CTX_PARAMS: lean_default_kdf.set_ctx_params = OSSL_FUNC_kdf_set_ctx_params(f); break;
            case OSSL_FUNC_KDF_SETTABLE_CTX_PARAMS: lean_default_kdf.settable_ctx_params = OSSL_FUNC_kdf_settable_ctx_params(f); break;
            case OSSL_FUNC_KDF_GET_CTX_PARAMS: lean_default_kdf.get_ctx_params = OSSL_FUNC_kdf_get_ctx_params(f); break;
            case OSSL_FUNC_KDF_GETTABLE_CTX_PARAMS: lean_default_kdf.gettable_ctx_params = OSSL_FUNC_kdf_gettable_ctx_params(f); break;
            default: return 0;   /* a function this stand-in would not pass on: keep the default KDF */
            }
        }
        if (lean_default_kdf.newctx == NULL || lean_default_kdf.freectx == NULL || lean_default_kdf.reset == NULL
            || lean_default_kdf.derive == NULL || lean_default_kdf.set_ctx_params == NULL || lean_default_kdf.settable_ctx_params == NULL
            || lean_default_kdf.get_ctx_params == NULL || lean_default_kdf.gettable_ctx_params == NULL)
            return 0;
        algorithm->implementation = lean_kdf_functions;
        return 1;
    }
    return 0;
}
