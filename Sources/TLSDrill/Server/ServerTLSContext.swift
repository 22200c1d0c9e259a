import Foundation
internal import COpenSSL
internal import CTLSDrillShims

/// One server `SSL_CTX` with its verification policy (C memory the callbacks read, freed with it).
public final class ServerTLSContext: @unchecked Sendable {  // immutable after init; SSL_new on a shared SSL_CTX is thread-safe
    let pointer: OpaquePointer
    public let settings: ServerTLSSettings
    private let policy: UnsafeMutablePointer<tlsdrill_server_policy>
    private let sanStrings: [UnsafeMutablePointer<CChar>]
    private let sanArray: UnsafeMutablePointer<UnsafePointer<CChar>?>
    private let alpnWire: UnsafeMutableBufferPointer<UInt8>?

    deinit {
        SSL_CTX_free(pointer)
        sanStrings.forEach { free($0) }
        sanArray.deallocate()
        alpnWire?.deallocate()
        policy.deallocate()
    }

    /// Builds the context; a bad file or mismatched key throws a one-line error naming it.
    public init(_ settings: ServerTLSSettings) throws {
        self.settings = settings
        let certificates = try Certificate.loadPEMFile(settings.certFile)
        let extra = try settings.chainFile.map(Certificate.loadPEMFile) ?? []
        let key = try PrivateKey.loadPEMFile(settings.keyFile)
        guard key.matches(certificates[0]) else {
            throw TLSDrillError.keyDoesNotMatchCertificate(key: settings.keyFile, certificate: settings.certFile)
        }
        if settings.clientAuth != .none && settings.trustFiles.isEmpty {
            throw TLSDrillError.conflictingOptions("--client-auth \(settings.clientAuth.rawValue) needs at least one --trust FILE (client CA bundle)")
        }
        for file in settings.trustFiles { _ = try Certificate.loadPEMFile(file) }
        let wire = try ALPNWire.encode(settings.alpn)
        OpenSSLErrorQueue.clear()
        guard let ctx = SSL_CTX_new(TLS_server_method()) else {
            throw TLSDrillError.openSSL(operation: "SSL_CTX_new", detail: OpenSSLErrorQueue.summary())
        }
        pointer = ctx
        sanStrings = settings.allowedClientSANs.map { strdup($0)! }
        sanArray = .allocate(capacity: max(1, sanStrings.count))
        for (index, string) in sanStrings.enumerated() { sanArray[index] = UnsafePointer(string) }
        if wire.isEmpty {
            alpnWire = nil
        } else {
            let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: wire.count)
            _ = buffer.initialize(from: wire)
            alpnWire = buffer
        }
        policy = .allocate(capacity: 1)
        let rejectMode: Int32 = switch settings.reject {
        case .alert: Int32(TLSDRILL_REJECT_ALERT.rawValue)
        case .genericAlert: Int32(TLSDRILL_REJECT_GENERIC_ALERT.rawValue)
        case .http: Int32(TLSDRILL_REJECT_HTTP.rawValue)
        }
        policy.initialize(to: tlsdrill_server_policy(
            reject_mode: rejectMode, allowed_san_count: Int32(sanStrings.count), allowed_sans: sanArray,
            alpn: alpnWire.map { UnsafePointer($0.baseAddress!) }, alpn_length: UInt32(wire.count)))
        try configure(ctx, certificates: certificates, extra: extra, key: key)
    }

    /// Takes over `other`'s session-ticket keys (tickets it issued keep resuming here).
    func adoptTicketKeys(of other: ServerTLSContext) {
        _ = tlsdrill_copy_ticket_keys(other.pointer, pointer)
    }

    private func configure(_ ctx: OpaquePointer, certificates: [Certificate], extra: [Certificate], key: PrivateKey) throws {
        try TLSContextConfiguration.applyProtocol(ctx, version: settings.version, groups: nil, ciphers: nil, ciphersuites: nil, alpn: [])
        tlsdrill_server_enable_resumption(ctx, settings.tickets ? 1 : 0, settings.sessionCache)
        tlsdrill_install_observer(ctx)
        try TLSContextConfiguration.useIdentity(ctx, leaf: certificates[0], chain: Array(certificates.dropFirst()) + extra, key: key)
        var verifyMode = tlsdrill_verify_none()
        if settings.clientAuth != .none {
            let names = tlsdrill_sk_X509_NAME_new_null()
            for file in settings.trustFiles {
                guard SSL_CTX_load_verify_locations(ctx, file, nil) == 1, tlsdrill_add_file_cert_subjects(names, file) == 1 else {
                    throw TLSDrillError.invalidOption(flag: "--trust", value: file, expected: "not a usable PEM CA bundle: \(OpenSSLErrorQueue.summary())")
                }
            }
            SSL_CTX_set_client_CA_list(ctx, names)
            verifyMode = tlsdrill_verify_peer()
            if settings.clientAuth == .require && settings.reject != .http { verifyMode |= tlsdrill_verify_fail_if_no_peer_cert() }
        }
        guard tlsdrill_server_install_policy(ctx, policy, verifyMode) == 1 else {
            throw TLSDrillError.openSSL(operation: "installing the verification policy", detail: OpenSSLErrorQueue.summary())
        }
        // The SAN allow-list acts on successful verifications, so a cache hit would skip it.
        if settings.clientAuth != .none && settings.allowedClientSANs.isEmpty { tlsdrill_install_verify_cache(ctx) }
    }
}
