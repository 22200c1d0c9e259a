/// The one class every attempt ends in. Raw values are the stable ids used in JSON and by scripts.
public enum OutcomeClass: String, CaseIterable, Codable, Sendable, Comparable {
    case accepted
    case serverCertExpired = "server-cert-expired"
    case serverCertNotYetValid = "server-cert-not-yet-valid"
    case serverCertUnknownCA = "server-cert-unknown-ca"
    case serverCertSANMismatch = "server-cert-san-mismatch"
    case serverCertMissingServerAuth = "server-cert-missing-serverauth"
    case clientCertExpired = "client-cert-expired"
    case clientCertNotYetValid = "client-cert-not-yet-valid"
    case clientCertUnknownCA = "client-cert-unknown-ca"
    case clientCertMissingClientAuth = "client-cert-missing-clientauth"
    case clientCertSANRejected = "client-cert-san-rejected"
    case clientCertRequired = "client-cert-required"
    case clientCertRevoked = "client-cert-revoked"
    case clientCertRejected = "client-cert-rejected"
    case accessDenied = "access-denied"
    case protocolMismatch = "protocol-mismatch"
    case handshakeFailure = "handshake-failure"
    case connectRefused = "connect-refused"
    case connectTimeout = "connect-timeout"
    case handshakeTimeout = "handshake-timeout"
    case verdictTimeout = "verdict-timeout"
    case connectionReset = "connection-reset"
    case unexpectedEOF = "unexpected-eof"
    case localResourceExhausted = "local-resource-exhausted"

    /// Position in `allCases`, used to index per-class counters without hashing.
    public var index: Int { Self.indexTable[self]! }
    private static let indexTable: [OutcomeClass: Int] = Dictionary(
        uniqueKeysWithValues: allCases.enumerated().map { ($1, $0) })

    public static func < (lhs: OutcomeClass, rhs: OutcomeClass) -> Bool { lhs.index < rhs.index }

    /// One line for `--help` and the README: what the class means.
    public var meaning: String {
        switch self {
        case .accepted: "the gateway accepted the identity (handshake done and verdict seen)"
        case .serverCertExpired: "our verification: the server's chain has an expired certificate"
        case .serverCertNotYetValid: "our verification: a server certificate is not valid yet"
        case .serverCertUnknownCA: "our verification: the server chain does not lead to --ca (or is incomplete)"
        case .serverCertSANMismatch: "our verification: the server certificate does not match the expected name"
        case .serverCertMissingServerAuth: "our verification: the server certificate lacks the serverAuth EKU"
        case .clientCertExpired: "the gateway rejected our certificate: it (or an intermediate) has expired"
        case .clientCertNotYetValid: "the gateway rejected our certificate: it is not valid yet"
        case .clientCertUnknownCA: "the gateway does not trust the CA that issued our certificate"
        case .clientCertMissingClientAuth: "the gateway rejected our certificate: no clientAuth EKU"
        case .clientCertSANRejected: "the gateway rejected our certificate's identity (SAN allow-list)"
        case .clientCertRequired: "the gateway requires a client certificate and we sent none"
        case .clientCertRevoked: "the gateway says our certificate is revoked"
        case .clientCertRejected: "the gateway rejected our certificate and nothing local explains why"
        case .accessDenied: "identity accepted, request denied (HTTP 401/403)"
        case .protocolMismatch: "no common TLS version, cipher, group or ALPN protocol"
        case .handshakeFailure: "the handshake failed for another TLS reason (see evidence)"
        case .connectRefused: "TCP connection refused or unreachable"
        case .connectTimeout: "TCP connect did not finish within --connect-timeout"
        case .handshakeTimeout: "TLS handshake did not finish within --handshake-timeout"
        case .verdictTimeout: "no verdict (HTTP reply) within --verdict-timeout"
        case .connectionReset: "the gateway reset the connection and nothing local explains why"
        case .unexpectedEOF: "the gateway closed the connection without a TLS alert"
        case .localResourceExhausted: "this machine ran out of file descriptors, ports or memory"
        }
    }
}
