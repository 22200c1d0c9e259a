/*
 * Shared key shares: the key managers for X25519 and X448 in the lean library context that reuses key shares.
 *
 * A TLS client makes a fresh X25519 key pair for the key share of every ClientHello; OpenSSL 3.0 computes
 * its public half with generic field arithmetic (~570,000 instructions, an eighth of a client handshake).
 * A load generator's traffic is synthetic, so, as servers long did with their ECDHE keys (OpenSSL before
 * SSL_OP_SINGLE_ECDH_USE was the default, SChannel's ephemeral key cache), each worker thread here keeps its
 * key pair for LEAN_KEY_SHARE_USES handshakes and hands OpenSSL a copy (the default key manager's `dup`).
 * The server's work is unchanged: it still generates its own share and derives the secret every handshake;
 * so is ours (the shared secret is computed anew with each server share). Only key generation is shared.
 * Everything else about these key managers is the default provider's, function for function.
 */
#include "lean_provider_internal.h"
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define LEAN_KEY_SHARE_KINDS 2          /* X25519, X448 */
#define LEAN_KEY_SHARE_FUNCTIONS 40

static const char *const lean_key_share_names[LEAN_KEY_SHARE_KINDS] = {"X25519", "X448"};

typedef struct {
    OSSL_FUNC_keymgmt_gen_init_fn *gen_init;
    OSSL_FUNC_keymgmt_gen_set_params_fn *gen_set_params;
    OSSL_FUNC_keymgmt_gen_fn *gen;
    OSSL_FUNC_keymgmt_gen_cleanup_fn *gen_cleanup;
    OSSL_FUNC_keymgmt_dup_fn *dup;
    OSSL_FUNC_keymgmt_free_fn *free_key;
    OSSL_DISPATCH functions[LEAN_KEY_SHARE_FUNCTIONS + 1];   /* the default's, with the four gen functions ours */
} lean_share_manager;

static lean_share_manager lean_share_managers[LEAN_KEY_SHARE_KINDS];
static pthread_key_t lean_share_key;

typedef struct {
    void *keydata[LEAN_KEY_SHARE_KINDS];
    unsigned uses[LEAN_KEY_SHARE_KINDS];
} lean_thread_shares;

typedef struct {
    int kind;
    void *inner;      /* the default key manager's generation context */
    int shareable;    /* a whole key pair with no parameter but the group's name: the kept one will do */
} lean_share_gen;

static void lean_shares_free(void *value) {
    lean_thread_shares *shares = value;
    for (int kind = 0; kind < LEAN_KEY_SHARE_KINDS; kind++)
        if (shares->keydata[kind] != NULL) lean_share_managers[kind].free_key(shares->keydata[kind]);
    free(shares);
}

/* Whether generation parameters leave the key pair as any other of its type (only a group name, which the
 * default key manager checks itself, or a property query). */
static int lean_plain_params(const OSSL_PARAM *params) {
    for (const OSSL_PARAM *p = params; p != NULL && p->key != NULL; p++)
        if (strcmp(p->key, OSSL_PKEY_PARAM_GROUP_NAME) != 0 && strcmp(p->key, OSSL_KDF_PARAM_PROPERTIES) != 0) return 0;
    return 1;
}

static void *lean_share_gen_init(int kind, void *provctx, int selection, const OSSL_PARAM params[]) {
    lean_share_gen *gen = calloc(1, sizeof *gen);
    if (gen == NULL) return NULL;
    gen->kind = kind;
    gen->inner = lean_share_managers[kind].gen_init(provctx, selection, params);
    if (gen->inner == NULL) {
        free(gen);
        return NULL;
    }
    gen->shareable = (selection & OSSL_KEYMGMT_SELECT_KEYPAIR) == OSSL_KEYMGMT_SELECT_KEYPAIR && lean_plain_params(params);
    return gen;
}

static void *lean_x25519_gen_init(void *provctx, int selection, const OSSL_PARAM params[]) {
    return lean_share_gen_init(0, provctx, selection, params);
}

static void *lean_x448_gen_init(void *provctx, int selection, const OSSL_PARAM params[]) {
    return lean_share_gen_init(1, provctx, selection, params);
}

static int lean_share_gen_set_params(void *vgen, const OSSL_PARAM params[]) {
    lean_share_gen *gen = vgen;
    if (!lean_plain_params(params)) gen->shareable = 0;
    return lean_share_managers[gen->kind].gen_set_params(gen->inner, params);
}

static void *lean_share_gen_generate(void *vgen, OSSL_CALLBACK *callback, void *argument) {
    lean_share_gen *gen = vgen;
    const lean_share_manager *manager = &lean_share_managers[gen->kind];
    if (!gen->shareable) return manager->gen(gen->inner, callback, argument);
    lean_thread_shares *shares = lean_thread_state(lean_share_key, sizeof *shares);
    if (shares == NULL) return manager->gen(gen->inner, callback, argument);
    if (shares->keydata[gen->kind] == NULL || shares->uses[gen->kind] >= LEAN_KEY_SHARE_USES) {
        void *fresh = manager->gen(gen->inner, callback, argument);
        if (fresh == NULL) return NULL;
        if (shares->keydata[gen->kind] != NULL) manager->free_key(shares->keydata[gen->kind]);
        shares->keydata[gen->kind] = fresh;
        shares->uses[gen->kind] = 0;
    }
    shares->uses[gen->kind]++;
    return manager->dup(shares->keydata[gen->kind], OSSL_KEYMGMT_SELECT_ALL);
}

static void lean_share_gen_cleanup(void *vgen) {
    lean_share_gen *gen = vgen;
    if (gen == NULL) return;
    lean_share_managers[gen->kind].gen_cleanup(gen->inner);
    free(gen);
}

/* Builds `manager` from the default key manager's functions; 0 if one the stand-in needs is missing. */
static int lean_build_share_manager(lean_share_manager *manager, int kind, const OSSL_DISPATCH *functions) {
    int count = 0;
    for (const OSSL_DISPATCH *f = functions; f->function_id != 0; f++) {
        if (count == LEAN_KEY_SHARE_FUNCTIONS) return 0;
        OSSL_DISPATCH entry = *f;
        switch (f->function_id) {
        case OSSL_FUNC_KEYMGMT_GEN_INIT:
            manager->gen_init = OSSL_FUNC_keymgmt_gen_init(f);
            entry.function = kind == 0 ? (void (*)(void))lean_x25519_gen_init : (void (*)(void))lean_x448_gen_init;
            break;
        case OSSL_FUNC_KEYMGMT_GEN_SET_PARAMS:
            manager->gen_set_params = OSSL_FUNC_keymgmt_gen_set_params(f);
            entry.function = (void (*)(void))lean_share_gen_set_params;
            break;
        case OSSL_FUNC_KEYMGMT_GEN:
            manager->gen = OSSL_FUNC_keymgmt_gen(f);
            entry.function = (void (*)(void))lean_share_gen_generate;
            break;
        case OSSL_FUNC_KEYMGMT_GEN_CLEANUP:
            manager->gen_cleanup = OSSL_FUNC_keymgmt_gen_cleanup(f);
            entry.function = (void (*)(void))lean_share_gen_cleanup;
            break;
        case OSSL_FUNC_KEYMGMT_GEN_SET_TEMPLATE:
            return 0;   /* a generation context we would not see through: keep the default key manager */
        case OSSL_FUNC_KEYMGMT_DUP:
            manager->dup = OSSL_FUNC_keymgmt_dup(f);
            break;
        case OSSL_FUNC_KEYMGMT_FREE:
            manager->free_key = OSSL_FUNC_keymgmt_free(f);
            break;
        default:
            break;
        }
        manager->functions[count++] = entry;
    }
    manager->functions[count] = (OSSL_DISPATCH){0, NULL};
    return manager->gen_init != NULL && manager->gen_set_params != NULL && manager->gen != NULL && manager->gen_cleanup != NULL
           && manager->dup != NULL && manager->free_key != NULL;
}

int lean_install_shared_key_shares(OSSL_ALGORITHM *keymgmts) {
    if (pthread_key_create(&lean_share_key, lean_shares_free) != 0) return 0;
    int installed = 0;
    for (OSSL_ALGORITHM *algorithm = keymgmts; algorithm->algorithm_names != NULL; algorithm++) {
        size_t length = strcspn(algorithm->algorithm_names, ":");
        for (int kind = 0; kind < LEAN_KEY_SHARE_KINDS; kind++) {
            const char *name = lean_key_share_names[kind];
            if (length != strlen(name) || strncasecmp(algorithm->algorithm_names, name, length) != 0) continue;
            if (!lean_build_share_manager(&lean_share_managers[kind], kind, algorithm->implementation)) continue;
            algorithm->implementation = lean_share_managers[kind].functions;
            installed++;
        }
    }
    return installed;
}
