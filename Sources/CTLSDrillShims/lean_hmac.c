/*
 * HMAC (RFC 2104) over OpenSSL's own SHA-256/SHA-384 block functions, for the lean key schedule.
 *
 * A TLS 1.3 handshake makes about twenty HKDF calls, and preparing an HMAC key costs two hash blocks (the
 * padded key, inner and outer) — as much as the HMAC of a short message. Most keys come back at once: the
 * handshake secret yields both handshake traffic secrets and the next "derived" secret, each traffic secret
 * its key, IV and Finished key, the master secret three or four secrets, and the early secret and its
 * "derived" secret are the same in every handshake without a PSK. So each thread keeps its last few prepared
 * keys (least recently used one replaced), compared in full with their hash, and a key seen again costs a
 * comparison instead of two blocks. The comparison is memcmp, not a constant-time one: it runs between
 * secrets this process derived itself, and CRYPTO_memcmp's byte loop cost more than half of what a hit saves.
 */
#define OPENSSL_SUPPRESS_DEPRECATED /* SHA256_Init & co: OpenSSL's block functions without a provider fetch */
#include "lean_hmac.h"
#include "lean_provider_internal.h"
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int lean_sha256_init(lean_hash_state *s) { return SHA256_Init(&s->sha256); }
static int lean_sha256_update(lean_hash_state *s, const void *d, size_t n) { return SHA256_Update(&s->sha256, d, n); }
static int lean_sha256_final(unsigned char *out, lean_hash_state *s) { return SHA256_Final(out, &s->sha256); }
static int lean_sha384_init(lean_hash_state *s) { return SHA384_Init(&s->sha512); }
static int lean_sha384_update(lean_hash_state *s, const void *d, size_t n) { return SHA384_Update(&s->sha512, d, n); }
static int lean_sha384_final(unsigned char *out, lean_hash_state *s) { return SHA384_Final(out, &s->sha512); }

const lean_hash lean_sha256 = {32, 64, lean_sha256_init, lean_sha256_update, lean_sha256_final};
const lean_hash lean_sha384 = {48, 128, lean_sha384_init, lean_sha384_update, lean_sha384_final};

const lean_hash *lean_hash_named(const char *name) {
    static const char *const sha256[] = {"SHA2-256", "SHA-256", "SHA256", "2.16.840.1.101.3.4.2.1"};
    static const char *const sha384[] = {"SHA2-384", "SHA-384", "SHA384", "2.16.840.1.101.3.4.2.2"};
    for (size_t i = 0; i < sizeof sha256 / sizeof sha256[0]; i++) {
        if (strcasecmp(name, sha256[i]) == 0) return &lean_sha256;
        if (strcasecmp(name, sha384[i]) == 0) return &lean_sha384;
    }
    return NULL;
}

static unsigned char lean_sha256_nothing[32], lean_sha384_nothing[48];
static pthread_once_t lean_nothing_once = PTHREAD_ONCE_INIT;
static int lean_nothing_ready;

static void lean_hash_nothing(void) {
    lean_hash_state state;
    lean_nothing_ready = lean_sha256_init(&state) && lean_sha256_final(lean_sha256_nothing, &state) && lean_sha384_init(&state)
                         && lean_sha384_final(lean_sha384_nothing, &state);
}

const unsigned char *lean_hash_of_nothing(const lean_hash *hash) {
    pthread_once(&lean_nothing_once, lean_hash_nothing);
    if (!lean_nothing_ready) return NULL;
    return hash == &lean_sha256 ? lean_sha256_nothing : lean_sha384_nothing;
}

static int lean_hmac_key_init(lean_hmac_key *hmac, const lean_hash *hash, const unsigned char *key, size_t length) {
    unsigned char block[LEAN_MAX_BLOCK] = {0}, pad[LEAN_MAX_BLOCK];
    int ok = 1;
    hmac->hash = hash;
    if (length > hash->block) {
        lean_hash_state state;
        ok = hash->init(&state) && hash->update(&state, key, length) && hash->final(block, &state);
    } else if (length > 0) {
        memcpy(block, key, length);
    }
    for (size_t i = 0; i < hash->block; i++) pad[i] = block[i] ^ 0x36;
    ok = ok && hash->init(&hmac->inner) && hash->update(&hmac->inner, pad, hash->block);
    for (size_t i = 0; i < hash->block; i++) pad[i] = block[i] ^ 0x5c;
    ok = ok && hash->init(&hmac->outer) && hash->update(&hmac->outer, pad, hash->block);
    OPENSSL_cleanse(block, sizeof block);
    OPENSSL_cleanse(pad, sizeof pad);
    return ok;
}

typedef struct {
    const lean_hash *hash;             /* NULL: an empty slot */
    size_t length;
    unsigned char key[LEAN_MAX_HASH];
    unsigned long last_use;            /* the thread's use counter when last handed out; 0 for an empty slot */
    lean_hmac_key hmac;
} lean_kept_key;

typedef struct {
    lean_kept_key slots[LEAN_HMAC_KEYS];
    unsigned long uses;
} lean_kept_keys;

static pthread_key_t lean_kept_keys_key;
static pthread_once_t lean_kept_keys_once = PTHREAD_ONCE_INIT;
static int lean_kept_keys_ready;

static void lean_kept_keys_free(void *value) {
    OPENSSL_cleanse(value, sizeof(lean_kept_keys));
    free(value);
}

static void lean_kept_keys_create(void) { lean_kept_keys_ready = pthread_key_create(&lean_kept_keys_key, lean_kept_keys_free) == 0; }

/* This thread's kept keys, made on first use; NULL when they cannot be (keys are then prepared every time). */
static lean_kept_keys *lean_thread_kept_keys(void) {
    pthread_once(&lean_kept_keys_once, lean_kept_keys_create);
    if (!lean_kept_keys_ready) return NULL;
    return lean_thread_state(lean_kept_keys_key, sizeof(lean_kept_keys));
}

const lean_hmac_key *lean_hmac_key_for(const lean_hash *hash, const unsigned char *key, size_t length, lean_hmac_key *scratch) {
    lean_kept_keys *kept = length <= LEAN_MAX_HASH ? lean_thread_kept_keys() : NULL;
    if (kept == NULL) return lean_hmac_key_init(scratch, hash, key, length) ? scratch : NULL;
    lean_kept_key *oldest = &kept->slots[0];
    for (int i = 0; i < LEAN_HMAC_KEYS; i++) {
        lean_kept_key *slot = &kept->slots[i];
        if (slot->hash == hash && slot->length == length && (length == 0 || memcmp(slot->key, key, length) == 0)) {
            slot->last_use = ++kept->uses;
            return &slot->hmac;
        }
        if (slot->last_use < oldest->last_use) oldest = slot;
    }
    OPENSSL_cleanse(oldest, sizeof *oldest);   /* the replaced key's bytes and states go; hash NULL: empty */
    if (!lean_hmac_key_init(&oldest->hmac, hash, key, length)) {
        OPENSSL_cleanse(oldest, sizeof *oldest);
        return NULL;
    }
    oldest->hash = hash;
    oldest->length = length;
    if (length > 0) memcpy(oldest->key, key, length);
    oldest->last_use = ++kept->uses;
    return &oldest->hmac;
}

int lean_hmac(const lean_hmac_key *hmac, const unsigned char *first, size_t first_length, const unsigned char *second,
              size_t second_length, const unsigned char *third, size_t third_length, unsigned char *out) {
    const lean_hash *hash = hmac->hash;
    unsigned char inner[LEAN_MAX_HASH];
    lean_hash_state state = hmac->inner;
    int ok = hash->update(&state, first, first_length) && hash->update(&state, second, second_length)
             && hash->update(&state, third, third_length) && hash->final(inner, &state);
    state = hmac->outer;
    ok = ok && hash->update(&state, inner, hash->size) && hash->final(out, &state);
    OPENSSL_cleanse(inner, sizeof inner);
    OPENSSL_cleanse(&state, sizeof state);
    return ok;
}
