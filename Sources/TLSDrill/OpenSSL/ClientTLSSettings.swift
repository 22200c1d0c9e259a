/// How the client side of every handshake is configured (all but the identity).
public struct ClientTLSSettings: Sendable, Codable, Equatable {
    /// TLS versions to offer.
    public var version: TLSVersionChoice = .auto
    /// PEM bundle that must vouch for the server's chain; nil = the system trust store.
    public var caFile: String?
    /// Skip server verification entirely (`--insecure`).
    public var insecure = false
    /// The name the server certificate must match (DNS name or IP address); nil = no name check.
    public var verifyName: String?
    /// SNI to send; nil = none (IP targets without `--sni`).
    public var serverName: String?
    /// ALPN protocols to offer, in preference order.
    public var alpn: [String] = []
    /// Key-exchange groups (`X25519:P-256`), nil = OpenSSL's default.
    public var groups: String?
    /// TLS ≤1.2 cipher list, nil = default.
    public var ciphers: String?
    /// TLS 1.3 ciphersuites, nil = default.
    public var ciphersuites: String?
    /// Reuse this worker's earlier verification of a byte-identical served chain while every certificate
    /// in it is still valid (`--no-verify-cache` turns it off).
    public var verifyCache = true
    /// Keep the sessions servers give, so attempts can resume them (`--resume` above 0).
    public var resumption = false
    /// With resumption: TLS 1.2 session tickets (off: session IDs only, for gateways without tickets).
    public var tickets = true
    /// Which OpenSSL library context client contexts live in (`--openssl-context`).
    public var openSSLContext: OpenSSLContextChoice = .lean
    /// In the lean context, each worker keeps its X25519/X448 key pair for 1,024 ClientHellos instead of making
    /// one per handshake (the server's work is unchanged); `--fresh-key-shares` turns it off.
    public var sharedKeyShares = true

    public init() {}

    /// Defaults for a target: SNI = its host unless it is an IP address; verify that name.
    public static func defaults(for target: TargetAddress) -> ClientTLSSettings {
        var settings = ClientTLSSettings()
        settings.serverName = IPAddressText.isIPAddress(target.host) ? nil : target.host
        settings.verifyName = target.host
        return settings
    }
}

/// The OpenSSL library context for client handshakes.
public enum OpenSSLContextChoice: String, Sendable, Codable, CaseIterable {
    /// Only the algorithms libssl can negotiate are visible: each served certificate parses ~3× faster.
    case lean
    /// OpenSSL's default library context (every algorithm of the default provider).
    case `default`
}
