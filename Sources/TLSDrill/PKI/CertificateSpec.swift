import Foundation

/// What to put in a certificate the drill PKI issues.
public struct CertificateSpec: Sendable {
    public var commonName: String
    public var organization = "tlsdrill"
    /// SAN entries in openssl.cnf syntax: `DNS:localhost`, `IP:127.0.0.1`, `URI:spiffe://...`.
    public var subjectAlternativeNames: [String] = []
    public var notBefore: Date
    public var notAfter: Date
    /// CA certificates get basicConstraints CA:TRUE and keyCertSign.
    public var isCA = false
    public var pathLength: Int?
    /// EKU purposes; empty = no EKU extension.
    public var extendedKeyUsage: ExtendedKeyUsage = []

    public init(commonName: String, notBefore: Date, notAfter: Date) {
        self.commonName = commonName
        self.notBefore = notBefore
        self.notAfter = notAfter
    }
}
