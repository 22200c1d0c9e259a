import Testing
import TLSDrill

/// Our own verification of the served chain names each server defect.
@Suite("Server certificate defects", .serialized)
struct ServerDefectTests {
    /// Each served certificate of the test PKI and the class a gen1-trusting client gives it.
    static let defects: [(String, OutcomeClass)] = [
        ("gen1-server-expired", .serverCertExpired),
        ("gen1-server-not-yet-valid", .serverCertNotYetValid),
        ("gen1-server-clientauth-only", .serverCertMissingServerAuth),
        ("gen1-server-wrong-san", .serverCertSANMismatch),
        ("gen2-server", .serverCertUnknownCA),
        ("gen1-server", .accepted),
    ]

    @Test("each served defect gets its server-cert class", Tools.needs("openssl"), arguments: defects, [TLSVersionChoice.tls12, .tls13])
    func servedDefect(server: (String, OutcomeClass), tls: TLSVersionChoice) throws {
        let gateway = try Gateways.start(.opensslServer, server: server.0)
        defer { gateway.stop() }
        let result = try Drill.run(port: gateway.port, identity: "gen1-client", tls: tls)
        #expect(result.count(server.1) == result.attempts && result.attempts == 3,
                "\(server.0) TLS \(tls.rawValue): expected \(server.1.rawValue), got \(result.classSummary)")
    }

    @Test("a self-signed server is an unknown CA; --insecure accepts it", Tools.needs("openssl"))
    func selfSignedServer() throws {
        let gateway = try Gateways.start(.opensslServer, server: "self-signed-server")
        defer { gateway.stop() }
        let verified = try Drill.run(port: gateway.port, identity: "gen1-client")
        #expect(verified.count(.serverCertUnknownCA) == 3, "\(verified.classSummary)")
        let insecure = try Drill.run(port: gateway.port, identity: "gen1-client") { $0.tls.insecure = true }
        #expect(insecure.count(.accepted) == 3, "\(insecure.classSummary)")
    }
}
