/* HMAC over OpenSSL's SHA-256/SHA-384 block functions for the lean key schedule (lean_key_schedule.c), with each
 * thread's recently used keys kept ready (lean_hmac.c). */
#ifndef TLSDRILL_LEAN_HMAC_H
#define TLSDRILL_LEAN_HMAC_H

#include <openssl/sha.h>
#include <stddef.h>

#define LEAN_MAX_HASH 48       /* SHA-384 */
#define LEAN_MAX_BLOCK 128     /* SHA-384's block */
#define LEAN_HMAC_KEYS 8       /* prepared HMAC keys each thread keeps */

typedef union {
    SHA256_CTX sha256;
    SHA512_CTX sha512;
} lean_hash_state;

typedef struct {
    size_t size;
    size_t block;
    int (*init)(lean_hash_state *);
    int (*update)(lean_hash_state *, const void *, size_t);
    int (*final)(unsigned char *, lean_hash_state *);
} lean_hash;

extern const lean_hash lean_sha256, lean_sha384;

/* SHA-256 or SHA-384 by any name the default provider answers to for them; NULL for every other digest. */
const lean_hash *lean_hash_named(const char *name);

/* The hash of no bytes (Derive-Secret's context for "derived"); NULL if it could not be computed. */
const unsigned char *lean_hash_of_nothing(const lean_hash *hash);

/* An HMAC key: the hash states after the inner and the outer padded key, reused for every message. */
typedef struct {
    const lean_hash *hash;
    lean_hash_state inner, outer;
} lean_hmac_key;

/* The HMAC key for `key` under `hash`. TLS 1.3 uses each secret as an HMAC key two to four times in a row (a
 * traffic secret gives its key, IV and Finished key; the handshake and master secrets give two or three
 * secrets each), so each thread keeps its last LEAN_HMAC_KEYS keys of up to LEAN_MAX_HASH bytes, compared in
 * full, and hands one back instead of hashing the padded key again. A longer key is prepared in `scratch`.
 * NULL on failure. The states stay in the thread's memory until replaced (wiped then, and at thread exit). */
const lean_hmac_key *lean_hmac_key_for(const lean_hash *hash, const unsigned char *key, size_t length, lean_hmac_key *scratch);

/* HMAC of the concatenation first || second || third (any may be empty); `out` may alias `first`. */
int lean_hmac(const lean_hmac_key *hmac, const unsigned char *first, size_t first_length, const unsigned char *second,
              size_t second_length, const unsigned char *third, size_t third_length, unsigned char *out);

#endif
