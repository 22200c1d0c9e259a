import Testing
import TLSDrill

/// Each client identity against each real gateway under TLS 1.2 and 1.3 gets its class.
@Suite("Client defects against real gateways", .serialized)
struct ClientDefectMatrixTests {
    static let expectations: [(identity: String?, expected: OutcomeClass)] = [
        ("gen1-client", .accepted),
        ("gen1-client-expired", .clientCertExpired),
        ("gen1-client-not-yet-valid", .clientCertNotYetValid),
        ("gen1-client-serverauth-only", .clientCertMissingClientAuth),
        ("gen2-client", .clientCertUnknownCA),
        ("self-signed-client", .clientCertUnknownCA),
        (nil, .clientCertRequired),
    ]

    @Test("openssl s_server: every identity gets its class", Tools.needs("openssl"), arguments: [TLSVersionChoice.tls12, .tls13])
    func opensslServer(tls: TLSVersionChoice) throws { try matrix(gateway: .opensslServer, tls: tls) }

    @Test("nginx: every identity gets its class", Tools.needs("nginx"), arguments: [TLSVersionChoice.tls12, .tls13])
    func nginx(tls: TLSVersionChoice) throws { try matrix(gateway: .nginx, tls: tls) }

    @Test("haproxy: every identity gets its class", Tools.needs("haproxy"), arguments: [TLSVersionChoice.tls12, .tls13])
    func haproxy(tls: TLSVersionChoice) throws { try matrix(gateway: .haproxy, tls: tls) }

    private func matrix(gateway: GatewayKind, tls: TLSVersionChoice) throws {
        let server = try Gateways.start(gateway)
        defer { server.stop() }
        for (identity, expected) in Self.expectations {
            let result = try Drill.run(port: server.port, identity: identity, tls: tls)
            #expect(result.attempts == 3, "\(gateway) TLS \(tls.rawValue) \(identity ?? "no-cert"): \(result.classSummary)")
            #expect(result.count(expected) == 3,
                    "\(gateway) TLS \(tls.rawValue) \(identity ?? "no-cert"): expected \(expected.rawValue), got \(result.classSummary)")
        }
    }
}
