import Foundation
internal import COpenSSL
internal import CTLSDrillShims

/// One client `SSL_CTX` for one identity: certificate, pinned chain, key, trust store and protocol
/// settings are set once; every handshake of that identity creates its `SSL` from it.
public final class ClientTLSContext: @unchecked Sendable {  // immutable after init; SSL_new on a shared SSL_CTX is thread-safe
    let pointer: OpaquePointer
    /// The lean library context this context lives in (nil with `--openssl-context default`): handshakes pass it to
    /// `tlsdrill_do_handshake` so served certificates parsed before on the same thread are reused.
    let leanLibrary: OpaquePointer?
    /// The identity every connection from this context presents.
    public let identity: ClientIdentity

    deinit { SSL_CTX_free(pointer) }

    /// Builds the context; throws a one-line error naming the flag or file at fault.
    public init(identity: ClientIdentity, settings: ClientTLSSettings) throws {
        guard tlsdrill_openssl_major_version() == 3 else {
            throw TLSDrillError.unsupportedOpenSSL(version: String(cString: OpenSSL_version(OPENSSL_VERSION)))
        }
        OpenSSLErrorQueue.clear()
        var library: OpaquePointer?
        if settings.openSSLContext == .lean {
            guard let lean = (settings.sharedKeyShares ? LeanLibraryContext.sharingKeyShares : .freshKeyShares).pointer else {
                throw TLSDrillError.openSSL(operation: "building the lean library context (--openssl-context default or --fresh-key-shares avoids it)",
                                            detail: OpenSSLErrorQueue.summary())
            }
            library = lean
        }
        guard let ctx = SSL_CTX_new_ex(library, nil, TLS_client_method()) else {
            throw TLSDrillError.openSSL(operation: "SSL_CTX_new", detail: OpenSSLErrorQueue.summary())
        }
        pointer = ctx
        leanLibrary = library
        self.identity = identity
        try TLSContextConfiguration.applyProtocol(ctx, version: settings.version, groups: settings.groups,
                                                  ciphers: settings.ciphers, ciphersuites: settings.ciphersuites,
                                                  alpn: settings.alpn)
        if settings.resumption {
            tlsdrill_client_enable_resumption(ctx, settings.tickets ? 1 : 0)
        } else {
            _ = tlsdrill_ctx_set_session_cache_mode(ctx, tlsdrill_sess_cache_off())
            _ = tlsdrill_ctx_disable_tickets(ctx)
        }
        tlsdrill_install_observer(ctx)
        // Read whatever the socket holds in one call (the server's flight is ~10 records): 21 reads a handshake
        // become ~4. The engine never waits for readability with a whole record buffered: OpenSSL only asks to
        // read after the socket said EAGAIN.
        tlsdrill_ctx_set_read_ahead(ctx, 1)
        try configureVerification(settings)
        try TLSContextConfiguration.useIdentity(ctx, leaf: identity.leaf, chain: identity.chain, key: identity.key)
    }

    private func configureVerification(_ settings: ClientTLSSettings) throws {
        guard !settings.insecure else {
            SSL_CTX_set_verify(pointer, SSL_VERIFY_NONE, nil)
            return
        }
        SSL_CTX_set_verify(pointer, SSL_VERIFY_PEER, nil)
        if settings.verifyCache { tlsdrill_install_verify_cache(pointer) }
        if let caFile = settings.caFile {
            _ = try Certificate.loadPEMFile(caFile)  // clear error for a missing or empty bundle
            guard SSL_CTX_load_verify_locations(pointer, caFile, nil) == 1 else {
                throw TLSDrillError.invalidOption(flag: "--ca", value: caFile, expected: "not a usable PEM CA bundle: \(OpenSSLErrorQueue.summary())")
            }
        } else {
            SSL_CTX_set_default_verify_paths(pointer)
        }
        if let name = settings.verifyName {
            let param = SSL_CTX_get0_param(pointer)
            let isIP = IPAddressText.isIPAddress(name)
            let ok = isIP ? X509_VERIFY_PARAM_set1_ip_asc(param, name) : X509_VERIFY_PARAM_set1_host(param, name, 0)
            guard ok == 1 else {
                throw TLSDrillError.invalidOption(flag: "--sni", value: name, expected: "not a valid host name to verify")
            }
        }
    }
}
