/*
 * Algorithm fetches in the lean library contexts, remembered per thread.
 *
 * libssl fetches an algorithm by name for nearly every step of a handshake (a key-derivation function for each
 * of TLS 1.3's ~20 secrets, a digest for each session ticket, a signature and a MAC for each Finished), and
 * every OpenSSL 3.0 fetch takes the library context's method store lock, parses and hashes the property query
 * and looks the method up. The answer for a given context, name and query only changes when providers are loaded
 * or unloaded or default properties set — and the lean contexts' one provider is fixed when they are made, with
 * no default properties ever set. So, for those two contexts only and a NULL property query (libssl passes its
 * SSL_CTX's, which tlsdrill never sets), each thread keeps the method a name fetched (holding one reference)
 * and hands out another reference to it, as OpenSSL's own store would. Every other call is libcrypto's fetch.
 *
 * libssl and libcrypto reach these exported functions through the dynamic linker, and the executable's
 * definitions come first in symbol lookup (as with lean_certificate_cache.c's d2i_X509).
 */
#define _GNU_SOURCE
#include "lean_provider_internal.h"
#include <dlfcn.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define LEAN_FETCH_SLOTS 48
#define LEAN_FETCH_NAME_MAX 48

enum { LEAN_FETCH_MD, LEAN_FETCH_CIPHER, LEAN_FETCH_KDF, LEAN_FETCH_MAC, LEAN_FETCH_SIGNATURE, LEAN_FETCH_KEYEXCH,
       LEAN_FETCH_KEYMGMT, LEAN_FETCH_KINDS };

static const char *const lean_fetch_symbols[LEAN_FETCH_KINDS] = {
    "EVP_MD_fetch", "EVP_CIPHER_fetch", "EVP_KDF_fetch", "EVP_MAC_fetch", "EVP_SIGNATURE_fetch", "EVP_KEYEXCH_fetch",
    "EVP_KEYMGMT_fetch"};

typedef void *lean_fetch_fn(OSSL_LIB_CTX *, const char *, const char *);

typedef struct {
    int kind;
    OSSL_LIB_CTX *context;
    char algorithm[LEAN_FETCH_NAME_MAX];
    void *method;               /* one reference held */
    void (*release)(void *);
} lean_fetched;

typedef struct {
    lean_fetched slots[LEAN_FETCH_SLOTS];
    unsigned count;
} lean_fetch_memo;

static lean_fetch_fn *lean_real_fetch[LEAN_FETCH_KINDS];
static pthread_key_t lean_fetch_key;
static int lean_fetch_ready;
static pthread_once_t lean_fetch_once = PTHREAD_ONCE_INIT;
static __thread unsigned long lean_fetch_hits;

static void lean_fetch_memo_free(void *value) {
    lean_fetch_memo *memo = value;
    for (unsigned i = 0; i < memo->count; i++) memo->slots[i].release(memo->slots[i].method);
    free(memo);
}

static void lean_fetch_setup(void) {
    for (int kind = 0; kind < LEAN_FETCH_KINDS; kind++)
        lean_real_fetch[kind] = (lean_fetch_fn *)dlsym(RTLD_NEXT, lean_fetch_symbols[kind]);
    lean_fetch_ready = pthread_key_create(&lean_fetch_key, lean_fetch_memo_free) == 0;
}

static void *lean_memoised_fetch(int kind, OSSL_LIB_CTX *context, const char *algorithm, const char *properties,
                                 int (*up_ref)(void *), void (*release)(void *)) {
    pthread_once(&lean_fetch_once, lean_fetch_setup);
    lean_fetch_fn *real = lean_real_fetch[kind];
    if (real == NULL) return NULL;
    lean_fetch_memo *memo;
    if (!lean_fetch_ready || properties != NULL || algorithm == NULL || !lean_is_lean_context(context)
        || strlen(algorithm) >= LEAN_FETCH_NAME_MAX || (memo = lean_thread_state(lean_fetch_key, sizeof *memo)) == NULL)
        return real(context, algorithm, properties);
    for (unsigned i = 0; i < memo->count; i++) {
        lean_fetched *slot = &memo->slots[i];
        if (slot->kind == kind && slot->context == context && strcmp(slot->algorithm, algorithm) == 0 && up_ref(slot->method)) {
            lean_fetch_hits++;
            return slot->method;
        }
    }
    void *method = real(context, algorithm, properties);
    if (method != NULL && memo->count < LEAN_FETCH_SLOTS && up_ref(method)) {
        lean_fetched *slot = &memo->slots[memo->count++];
        slot->kind = kind;
        slot->context = context;
        strcpy(slot->algorithm, algorithm);
        slot->method = method;
        slot->release = release;
    }
    return method;
}

#define LEAN_MEMOISED_FETCH(TYPE, FETCH, KIND, UP_REF, FREE)                                             \
    static int lean_up_ref_##KIND(void *method) { return UP_REF((TYPE *)method); }                      \
    static void lean_free_##KIND(void *method) { FREE((TYPE *)method); }                                \
    TYPE *FETCH(OSSL_LIB_CTX *libctx, const char *algorithm, const char *properties) {                  \
        return lean_memoised_fetch(KIND, libctx, algorithm, properties, lean_up_ref_##KIND, lean_free_##KIND); \
    }

LEAN_MEMOISED_FETCH(EVP_MD, EVP_MD_fetch, LEAN_FETCH_MD, EVP_MD_up_ref, EVP_MD_free)
LEAN_MEMOISED_FETCH(EVP_CIPHER, EVP_CIPHER_fetch, LEAN_FETCH_CIPHER, EVP_CIPHER_up_ref, EVP_CIPHER_free)
LEAN_MEMOISED_FETCH(EVP_KDF, EVP_KDF_fetch, LEAN_FETCH_KDF, EVP_KDF_up_ref, EVP_KDF_free)
LEAN_MEMOISED_FETCH(EVP_MAC, EVP_MAC_fetch, LEAN_FETCH_MAC, EVP_MAC_up_ref, EVP_MAC_free)
LEAN_MEMOISED_FETCH(EVP_SIGNATURE, EVP_SIGNATURE_fetch, LEAN_FETCH_SIGNATURE, EVP_SIGNATURE_up_ref, EVP_SIGNATURE_free)
LEAN_MEMOISED_FETCH(EVP_KEYEXCH, EVP_KEYEXCH_fetch, LEAN_FETCH_KEYEXCH, EVP_KEYEXCH_up_ref, EVP_KEYEXCH_free)
LEAN_MEMOISED_FETCH(EVP_KEYMGMT, EVP_KEYMGMT_fetch, LEAN_FETCH_KEYMGMT, EVP_KEYMGMT_up_ref, EVP_KEYMGMT_free)

unsigned long tlsdrill_thread_fetch_memo_hits(void) { return lean_fetch_hits; }
