import Foundation

/// What tlsdrill knows locally about an identity it presents; the diagnosis uses it to explain generic
/// rejections (alert 42/46/49, HTTP 400, a reset) that do not say why.
public struct IdentityFacts: Hashable, Sendable {
    /// Whether a certificate is presented at all.
    public var presentsCertificate: Bool
    /// Subject of the first certificate (leaf first, then intermediates) already expired, if any.
    public var expiredCertificate: String?
    /// Subject of the first certificate not yet valid, if any.
    public var notYetValidCertificate: String?
    /// False when the leaf has an EKU extension without clientAuth.
    public var allowsClientAuth: Bool
    /// Whether the leaf is self-issued (no CA could vouch for it).
    public var selfSigned: Bool
    /// The leaf's SANs.
    public var subjectAlternativeNames: [String]

    /// Facts for an identity that presents nothing.
    public static let noCertificate = IdentityFacts(
        presentsCertificate: false, expiredCertificate: nil, notYetValidCertificate: nil,
        allowsClientAuth: true, selfSigned: false, subjectAlternativeNames: [])

    /// Builds facts from explicit values (tests and diagnosis benchmarks).
    public init(presentsCertificate: Bool, expiredCertificate: String?, notYetValidCertificate: String?,
                allowsClientAuth: Bool, selfSigned: Bool, subjectAlternativeNames: [String]) {
        self.presentsCertificate = presentsCertificate
        self.expiredCertificate = expiredCertificate
        self.notYetValidCertificate = notYetValidCertificate
        self.allowsClientAuth = allowsClientAuth
        self.selfSigned = selfSigned
        self.subjectAlternativeNames = subjectAlternativeNames
    }

    init(identity: ClientIdentity, at date: Date) {
        guard let leaf = identity.leaf else { self = .noCertificate; return }
        let all = [leaf] + identity.chain
        presentsCertificate = true
        expiredCertificate = all.first { $0.notAfter < date }?.subject
        notYetValidCertificate = all.first { $0.notBefore > date }?.subject
        allowsClientAuth = leaf.extendedKeyUsage.map { $0.contains(.clientAuth) } ?? true
        selfSigned = leaf.isSelfIssued
        subjectAlternativeNames = leaf.subjectAlternativeNames
    }
}
