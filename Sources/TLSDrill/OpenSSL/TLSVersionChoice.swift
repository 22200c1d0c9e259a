/// Which TLS versions a context may negotiate (`--tls`).
public enum TLSVersionChoice: String, Sendable, CaseIterable, Codable {
    case auto
    case tls12 = "1.2"
    case tls13 = "1.3"
}
