/*
 * What the tests use to hold the lean library context to the default one: the same certificate parsed in
 * both, the same key-schedule request answered by both, and the key shares each lean context generates.
 */
#include "CTLSDrillShims.h"
#include "lean_provider_internal.h"
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <string.h>

int tlsdrill_lean_decodes_same_key(const unsigned char *der, long length) {
    OSSL_LIB_CTX *lean = tlsdrill_lean_library_context(0);
    if (lean == NULL) return 0;
    const unsigned char *cursor = der;
    X509 *standard = d2i_X509(NULL, &cursor, length);
    if (standard == NULL || X509_get0_pubkey(standard) == NULL) {
        X509_free(standard);
        ERR_clear_error();
        return -1;
    }
    X509 *leaned = X509_new_ex(lean, NULL);
    cursor = der;
    int same = 0;
    if (leaned != NULL && d2i_X509(&leaned, &cursor, length) != NULL && X509_get0_pubkey(leaned) != NULL)
        same = EVP_PKEY_eq(X509_get0_pubkey(leaned), X509_get0_pubkey(standard)) == 1;
    X509_free(leaned);
    X509_free(standard);
    ERR_clear_error();
    return same;
}

/* Appends an octet-string parameter when `value` is not NULL. */
static OSSL_PARAM *lean_check_octets(OSSL_PARAM *p, const char *name, const unsigned char *value, size_t length) {
    if (value != NULL) *p++ = OSSL_PARAM_construct_octet_string(name, (void *)value, length);
    return p;
}

int tlsdrill_tls13_kdf_derive(int lean, const tlsdrill_kdf_request *request, unsigned char *out, size_t length) {
    OSSL_LIB_CTX *library = lean ? tlsdrill_lean_library_context(0) : NULL;
    if (lean && library == NULL) return 0;
    EVP_KDF *kdf = EVP_KDF_fetch(library, OSSL_KDF_NAME_TLS1_3_KDF, NULL);
    EVP_KDF_CTX *ctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
    EVP_KDF_free(kdf);
    if (ctx == NULL) return 0;
    OSSL_PARAM params[8], *p = params;
    int mode = request->mode;
    if (mode >= 0) *p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    if (request->digest != NULL) *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)request->digest, 0);
    p = lean_check_octets(p, OSSL_KDF_PARAM_KEY, request->key, request->key_length);
    p = lean_check_octets(p, OSSL_KDF_PARAM_SALT, request->salt, request->salt_length);
    p = lean_check_octets(p, OSSL_KDF_PARAM_PREFIX, request->prefix, request->prefix_length);
    p = lean_check_octets(p, OSSL_KDF_PARAM_LABEL, request->label, request->label_length);
    p = lean_check_octets(p, OSSL_KDF_PARAM_DATA, request->data, request->data_length);
    *p = OSSL_PARAM_construct_end();
    int ok = request->via_set_params ? EVP_KDF_CTX_set_params(ctx, params) == 1 && EVP_KDF_derive(ctx, out, length, NULL) == 1
                                     : EVP_KDF_derive(ctx, out, length, params) == 1;
    if (ok && request->then_label != NULL) {
        OSSL_PARAM again[2] = {OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_LABEL, (void *)request->then_label,
                                                                 request->then_label_length),
                               OSSL_PARAM_construct_end()};
        ok = EVP_KDF_derive(ctx, out, length, again) == 1;
    }
    EVP_KDF_CTX_free(ctx);
    ERR_clear_error();
    return ok;
}

int tlsdrill_lean_x25519_share(int share_key_shares, unsigned char public_key[32]) {
    OSSL_LIB_CTX *library = tlsdrill_lean_library_context(share_key_shares);
    if (library == NULL) return 0;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(library, "X25519", NULL);
    EVP_PKEY *key = NULL;
    size_t length = 32;
    int ok = ctx != NULL && EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_CTX_set_group_name(ctx, "x25519") == 1
             && EVP_PKEY_keygen(ctx, &key) == 1 && EVP_PKEY_get_raw_public_key(key, public_key, &length) == 1 && length == 32;
    EVP_PKEY_free(key);
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return ok;
}

int tlsdrill_lean_key_share_uses(void) { return LEAN_KEY_SHARE_USES; }
