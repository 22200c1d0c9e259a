import Testing
@testable import TLSDrill

/// `--ciphers`, `--ciphersuites`, `--groups` and `--alpn` reach OpenSSL: each setting is accepted by a gateway
/// that allows it and turns into `protocol-mismatch` against one that does not.
@Suite("Negotiation settings", .serialized, Tools.needs("openssl"))
struct NegotiationTests {
    /// Runs a matching and a non-matching client setting against one restricted `openssl s_server`.
    private func expectMatchAndMismatch(server options: [String], tls: TLSVersionChoice,
                                        matching: (inout ClientTLSSettings) -> Void,
                                        mismatching: (inout ClientTLSSettings) -> Void,
                                        sourceLocation: SourceLocation = #_sourceLocation) throws {
        let server = try Gateways.start(.opensslServer, opensslOptions: options)
        defer { server.stop() }
        let accepted = try Drill.run(port: server.port, identity: "gen1-client", tls: tls) { matching(&$0.tls) }
        #expect(accepted.count(.accepted) == 3, "\(options) matching: \(accepted.classSummary)", sourceLocation: sourceLocation)
        let refused = try Drill.run(port: server.port, identity: "gen1-client", tls: tls) { mismatching(&$0.tls) }
        #expect(refused.count(.protocolMismatch) == 3, "\(options) mismatching: \(refused.classSummary)", sourceLocation: sourceLocation)
    }

    @Test("--ciphersuites (TLS 1.3)")
    func ciphersuites() throws {
        try expectMatchAndMismatch(server: ["-ciphersuites", "TLS_AES_256_GCM_SHA384"], tls: .tls13,
                                   matching: { $0.ciphersuites = "TLS_AES_256_GCM_SHA384" },
                                   mismatching: { $0.ciphersuites = "TLS_CHACHA20_POLY1305_SHA256" })
    }

    @Test("--ciphers (TLS 1.2)")
    func ciphers() throws {
        try expectMatchAndMismatch(server: ["-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384"], tls: .tls12,
                                   matching: { $0.ciphers = "ECDHE-ECDSA-AES256-GCM-SHA384" },
                                   mismatching: { $0.ciphers = "ECDHE-ECDSA-CHACHA20-POLY1305" })
    }

    /// Under TLS 1.2 the group list also names the curves ECDSA certificates may use (both sides' are P-256),
    /// so there the server allows P-256 and the mismatching client offers P-384 only.
    @Test("--groups", arguments: [(TLSVersionChoice.tls13, "P-384", "X25519"), (.tls12, "P-256", "P-384")])
    func groups(tls: TLSVersionChoice, serverGroup: String, otherGroup: String) throws {
        try expectMatchAndMismatch(server: ["-groups", serverGroup], tls: tls,
                                   matching: { $0.groups = "\(otherGroup):\(serverGroup)" },
                                   mismatching: { $0.groups = otherGroup })
    }

    @Test("--alpn against the built-in gateway: an offered protocol it speaks is accepted, none is a mismatch",
          arguments: [TLSVersionChoice.tls12, .tls13])
    func alpn(tls: TLSVersionChoice) throws {
        var settings = BuiltInGateway.settings()
        settings.alpn = ["http/1.1"]
        let server = try BuiltInGateway.start(settings)
        defer { server.stop() }
        let accepted = try Drill.run(port: server.port, identity: "gen1-client", tls: tls) { $0.tls.alpn = ["h2", "http/1.1"] }
        #expect(accepted.count(.accepted) == 3, "\(accepted.classSummary)")
        let refused = try Drill.run(port: server.port, identity: "gen1-client", tls: tls) { $0.tls.alpn = ["h2"] }
        #expect(refused.count(.protocolMismatch) == 3, "\(refused.classSummary)")
    }
}
