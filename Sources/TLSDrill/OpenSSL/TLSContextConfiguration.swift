import Foundation
internal import COpenSSL
internal import CTLSDrillShims

/// Settings shared by client and server contexts.
enum TLSContextConfiguration {
    static func applyProtocol(_ ctx: OpaquePointer, version: TLSVersionChoice, groups: String?, ciphers: String?,
                              ciphersuites: String?, alpn: [String]) throws {
        switch version {
        case .auto:
            _ = tlsdrill_ctx_set_min_proto(ctx, TLS1_2_VERSION)
        case .tls12:
            _ = tlsdrill_ctx_set_min_proto(ctx, TLS1_2_VERSION)
            _ = tlsdrill_ctx_set_max_proto(ctx, TLS1_2_VERSION)
        case .tls13:
            _ = tlsdrill_ctx_set_min_proto(ctx, TLS1_3_VERSION)
            _ = tlsdrill_ctx_set_max_proto(ctx, TLS1_3_VERSION)
        }
        _ = tlsdrill_ctx_set_mode(ctx, tlsdrill_ssl_mode_release_buffers() | tlsdrill_ssl_mode_no_auto_chain())
        if let groups, tlsdrill_ctx_set1_groups_list(ctx, groups) != 1 {
            throw TLSDrillError.invalidOption(flag: "--groups", value: groups, expected: "unknown group list; e.g. X25519:P-256")
        }
        if let ciphers, SSL_CTX_set_cipher_list(ctx, ciphers) != 1 {
            throw TLSDrillError.invalidOption(flag: "--ciphers", value: ciphers, expected: "no usable cipher; e.g. ECDHE-ECDSA-AES128-GCM-SHA256 (the lean OpenSSL context has only what TLS negotiates: --openssl-context default has every algorithm)")
        }
        if let ciphersuites, SSL_CTX_set_ciphersuites(ctx, ciphersuites) != 1 {
            throw TLSDrillError.invalidOption(flag: "--ciphersuites", value: ciphersuites, expected: "no usable suite; e.g. TLS_AES_128_GCM_SHA256 (the lean OpenSSL context has only what TLS negotiates: --openssl-context default has every algorithm)")
        }
        OpenSSLErrorQueue.clear()
        if !alpn.isEmpty {
            let wire = try ALPNWire.encode(alpn)
            guard SSL_CTX_set_alpn_protos(ctx, wire, UInt32(wire.count)) == 0 else {
                throw TLSDrillError.invalidOption(flag: "--alpn", value: alpn.joined(separator: ","), expected: "OpenSSL refused the list")
            }
        }
    }

    static func useIdentity(_ ctx: OpaquePointer, leaf: Certificate?, chain: [Certificate], key: PrivateKey?) throws {
        guard let leaf, let key else { return }
        OpenSSLErrorQueue.clear()
        guard SSL_CTX_use_certificate(ctx, leaf.pointer) == 1,
              SSL_CTX_use_PrivateKey(ctx, key.pointer) == 1,
              SSL_CTX_check_private_key(ctx) == 1 else {
            throw TLSDrillError.openSSL(operation: "loading the certificate and key", detail: OpenSSLErrorQueue.summary())
        }
        for certificate in chain where tlsdrill_ctx_add1_chain_cert(ctx, certificate.pointer) != 1 {
            throw TLSDrillError.openSSL(operation: "adding an intermediate", detail: OpenSSLErrorQueue.summary())
        }
    }
}
