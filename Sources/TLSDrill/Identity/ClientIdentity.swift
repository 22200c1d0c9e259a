import Foundation
internal import COpenSSL
internal import CTLSDrillShims

/// A client identity to present: a leaf certificate, the intermediates sent with it and its key — or none.
///
/// Loaded and checked once (file readable, key unencrypted and matching), then shared read-only by all
/// workers through the identity's `SSL_CTX`.
public final class ClientIdentity: @unchecked Sendable {  // immutable; OpenSSL X509/EVP_PKEY reads and reference counts are thread-safe
    /// The name reports use for this identity (e.g. `gen1-client-expired`).
    public let name: String
    /// The leaf, or nil for an identity that presents no certificate.
    public let leaf: Certificate?
    /// Intermediates sent after the leaf, in order.
    public let chain: [Certificate]
    let key: PrivateKey?

    /// An identity that presents no certificate (`--no-cert`).
    public static func noCertificate(name: String = "no-cert") -> ClientIdentity {
        ClientIdentity(name: name, leaf: nil, chain: [], key: nil)
    }

    init(name: String, leaf: Certificate?, chain: [Certificate], key: PrivateKey?) {
        self.name = name
        self.leaf = leaf
        self.chain = chain
        self.key = key
    }

    /// Loads `certPath` (leaf, optionally followed by intermediates), `keyPath` and optional extra
    /// intermediates from `chainPath`; fails with a one-line error naming the file at fault.
    public static func load(name: String, certPath: String, keyPath: String, chainPath: String? = nil) throws -> ClientIdentity {
        let certificates = try Certificate.loadPEMFile(certPath)
        let extra = try chainPath.map(Certificate.loadPEMFile) ?? []
        let key = try PrivateKey.loadPEMFile(keyPath)
        guard key.matches(certificates[0]) else {
            throw TLSDrillError.keyDoesNotMatchCertificate(key: keyPath, certificate: certPath)
        }
        return ClientIdentity(name: name, leaf: certificates[0], chain: Array(certificates.dropFirst()) + extra, key: key)
    }

    /// Whether this identity presents a certificate at all.
    public var presentsCertificate: Bool { leaf != nil }

    /// Facts about the identity that explain a rejection, as of `date`.
    public func facts(at date: Date) -> IdentityFacts { IdentityFacts(identity: self, at: date) }

    /// Whether any CA name the gateway asked for in its CertificateRequest (a `STACK_OF(X509_NAME)`)
    /// belongs to the chain this identity presents. nil when there is nothing to compare.
    func chainMatches(requestedNames names: OpaquePointer?) -> Bool? {
        guard let names, let leaf else { return nil }
        let count = tlsdrill_sk_X509_NAME_num(names)
        guard count > 0 else { return nil }
        var ours: [OpaquePointer] = [X509_get_issuer_name(leaf.pointer)]
        for certificate in chain {
            ours.append(X509_get_subject_name(certificate.pointer))
            ours.append(X509_get_issuer_name(certificate.pointer))
        }
        for index in 0..<count {
            guard let requested = tlsdrill_sk_X509_NAME_value(names, index) else { continue }
            if ours.contains(where: { X509_NAME_cmp($0, requested) == 0 }) { return true }
        }
        return false
    }
}
