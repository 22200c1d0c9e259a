import Foundation
internal import COpenSSL

/// One certificate of a served chain, as `inspect` reports it.
public struct ServedCertificate: Codable, Sendable, Equatable {
    public var subject: String
    public var issuer: String
    public var subjectAlternativeNames: [String]
    public var extendedKeyUsage: [String]?
    public var keyType: String
    public var notBefore: Date
    public var notAfter: Date
    public var daysLeft: Double
    public var isCA: Bool

    init(_ certificate: Certificate, now: Date) {
        subject = certificate.subject
        issuer = certificate.issuer
        subjectAlternativeNames = certificate.subjectAlternativeNames
        extendedKeyUsage = certificate.extendedKeyUsage.map { usage in
            (usage.contains(.serverAuth) ? ["serverAuth"] : []) + (usage.contains(.clientAuth) ? ["clientAuth"] : [])
        }
        keyType = certificate.keyDescription
        notBefore = certificate.notBefore
        notAfter = certificate.notAfter
        daysLeft = ((certificate.notAfter.timeIntervalSince(now) / 86_400) * 10).rounded() / 10
        isCA = certificate.isCA
    }
}

extension Certificate {
    /// "EC P-256", "RSA 2048", ...
    var keyDescription: String {
        guard let key = X509_get0_pubkey(pointer) else { return "unknown" }
        let bits = EVP_PKEY_get_bits(key)
        switch EVP_PKEY_get_base_id(key) {
        case EVP_PKEY_EC: return bits == 256 ? "EC P-256" : "EC \(bits)"
        case EVP_PKEY_RSA: return "RSA \(bits)"
        case EVP_PKEY_ED25519: return "Ed25519"
        default: return "\(bits)-bit key"
        }
    }
}
