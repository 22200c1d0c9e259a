/* Shared between the lean provider (lean_provider.c) and its caching key decoders (lean_key_decoder.c). */
#ifndef TLSDRILL_LEAN_PROVIDER_INTERNAL_H
#define TLSDRILL_LEAN_PROVIDER_INTERNAL_H

#include <openssl/core.h>
#include <openssl/crypto.h>
#include <openssl/provider.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define LEAN_MAX_DECODERS 12

/* The private library context holding the real default provider the lean one filters. */
OSSL_LIB_CTX *lean_backing_context(void);

/* This thread's zero-initialised state of `size` bytes under `key` (made on first use, freed by the key's
 * destructor at thread exit); NULL when it cannot be made. */
void *lean_thread_state(pthread_key_t key, size_t size);

/* FNV-1a over `bytes`: the caches' quick key, always confirmed by comparing the bytes in full. */
uint64_t lean_hash_bytes(const unsigned char *bytes, size_t length);

/* 1 when `context` is one of the two lean library contexts (their providers never change once made). */
int lean_is_lean_context(OSSL_LIB_CTX *context);

/* Fills `out` (room for `capacity` + 1) with caching decoders standing in for `spki_decoders` (the default
 * provider's SubjectPublicKeyInfo decoders, same names and properties); `core` is the lean provider's core
 * dispatch table (for reading its input). 0 on failure. */
int lean_build_key_decoders(OSSL_PROVIDER *provider, const OSSL_DISPATCH *core, const OSSL_ALGORITHM *spki_decoders,
                            OSSL_ALGORITHM *out, int capacity);

/* Replaces the default TLS13-KDF in `kdfs` (a filtered copy of the default provider's KDF table) with the lean
 * key schedule (lean_key_schedule.c), which hands the default one whatever it does not compute. 0 when the
 * table has no TLS13-KDF or its functions are not the ones the stand-in passes on (the default one stays). */
int lean_install_key_schedule(OSSL_ALGORITHM *kdfs);

/* Replaces the X25519 and X448 key managers in `keymgmts` (a copy of the lean key-manager table) with ones
 * whose generated key pairs each thread keeps for LEAN_KEY_SHARE_USES key shares (lean_key_share.c). Returns
 * how many it replaced. */
int lean_install_shared_key_shares(OSSL_ALGORITHM *keymgmts);

/* Key shares one kept key pair serves before a fresh one is generated. */
#define LEAN_KEY_SHARE_USES 1024

#endif
