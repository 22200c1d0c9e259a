/// Whether the built-in gateway asks for client certificates.
public enum ClientAuthMode: String, Sendable, Codable, CaseIterable {
    case require, optional, none
}

/// How the built-in gateway rejects a client certificate it does not accept (`--reject`).
public enum RejectMode: String, Sendable, Codable, CaseIterable {
    /// OpenSSL's specific alerts (45 expired, 48 unknown CA, 43 EKU, ...), like haproxy.
    case alert
    /// One bad_certificate (42) alert for every failure, like Go-based gateways.
    case genericAlert = "generic-alert"
    /// Finish the handshake and answer HTTP 400 with an nginx-style page, like nginx.
    case http
}

/// Everything one server `SSL_CTX` is built from; a reload builds a new context from new settings.
public struct ServerTLSSettings: Sendable, Equatable {
    /// PEM: the server leaf, optionally followed by intermediates.
    public var certFile: String
    public var keyFile: String
    /// Extra intermediates to send.
    public var chainFile: String?
    /// Client CA bundles; their subjects also become the CertificateRequest's CA names.
    public var trustFiles: [String] = []
    public var clientAuth: ClientAuthMode = .require
    public var reject: RejectMode = .alert
    public var version: TLSVersionChoice = .auto
    public var alpn: [String] = []
    /// Client SANs allowed (exact, or a prefix when ending in `/` or `*`); empty = any.
    public var allowedClientSANs: [String] = []
    /// Session tickets (TLS 1.2 and 1.3) for resuming clients.
    public var tickets = false
    /// Server-side session cache entries (TLS 1.2 session IDs, stateful TLS 1.3 resumption); 0 = none.
    public var sessionCache = 0
    /// For one reload: give the new context fresh ticket keys (by default it keeps the old ones, so earlier
    /// tickets still resume — the hazard a trust change leaves open).
    public var rotateTicketKeys = false

    public init(certFile: String, keyFile: String) {
        self.certFile = certFile
        self.keyFile = keyFile
    }
}
