import Foundation

/// What one probing handshake learned about a gateway (`tlsdrill inspect`).
public struct GatewayInspection: Codable, Sendable {
    public var target: String
    public var tlsVersion: String
    public var cipher: String
    public var group: String?
    public var alpn: String?
    /// The chain as served, leaf first.
    public var servedChain: [ServedCertificate]
    /// Our verification against `--ca` for `verifiedName`: `ok` or the X509 error.
    public var verification: String
    public var verificationCode: Int32
    public var verifiedName: String?
    /// Whether the gateway sent a CertificateRequest.
    public var certificateRequested: Bool
    /// The CA names it asked for (RFC 2253 subjects).
    public var acceptableClientCANames: [String]
    /// What happened to a client without a certificate (a class id), when probed.
    public var noCertificateOutcome: String?

    /// Whether a client without a certificate is refused.
    public var clientCertificateRequired: Bool? {
        noCertificateOutcome.map { $0 == OutcomeClass.clientCertRequired.rawValue || $0 == OutcomeClass.clientCertRejected.rawValue }
    }
}
