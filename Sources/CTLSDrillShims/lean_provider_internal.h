/* Shared between the lean provider (lean_provider.c) and its caching key decoders (lean_key_decoder.c). */
#ifndef TLSDRILL_LEAN_PROVIDER_INTERNAL_H
#define TLSDRILL_LEAN_PROVIDER_INTERNAL_H

#include <openssl/core.h>
#include <openssl/crypto.h>
#include <openssl/provider.h>

#define LEAN_MAX_DECODERS 12

/* The private library context holding the real default provider the lean one filters. */
OSSL_LIB_CTX *lean_backing_context(void);

/* Fills `out` (room for `capacity` + 1) with caching decoders standing in for `spki_decoders` (the default
 * provider's SubjectPublicKeyInfo decoders, same names and properties); `core` is the lean provider's core
 * dispatch table (for reading its input). 0 on failure. */
int lean_build_key_decoders(OSSL_PROVIDER *provider, const OSSL_DISPATCH *core, const OSSL_ALGORITHM *spki_decoders,
                            OSSL_ALGORITHM *out, int capacity);

#endif
