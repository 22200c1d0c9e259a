import Foundation
import Testing
@testable import TLSDrill

/// The per-worker cache of verified server chains must reject everything OpenSSL would.
@Suite("Server verification cache", .serialized)
struct VerifyCacheTests {
    @Test("a served chain that expires during the run is rejected from that second on")
    func expiryAtTheMomentOfUse() throws {
        let pki = TestPKI.shared
        let intermediate = try Certificate.loadPEMFile(pki.cert("gen1-intermediate"))[0]
        let intermediateKey = try PrivateKey.loadPEMFile(pki.key("gen1-intermediate"))
        let key = try PrivateKey.generate(.ecdsaP256)
        var spec = CertificateSpec(commonName: "short-lived server", notBefore: Date() - 3600, notAfter: Date() + 2.5)
        spec.extendedKeyUsage = .serverAuth
        spec.subjectAlternativeNames = ["DNS:localhost"]
        let leaf = try CertificateIssuer.issue(spec, key: key, issuer: (intermediate, intermediateKey))
        let directory = TestPKI.scratch("short-lived")
        try (leaf.pem + intermediate.pem).write(toFile: directory + "/server.pem", atomically: true, encoding: .utf8)
        try key.pem.write(toFile: directory + "/server.key", atomically: true, encoding: .utf8)
        var settings = ServerTLSSettings(certFile: directory + "/server.pem", keyFile: directory + "/server.key")
        settings.trustFiles = [pki.cert("gen1-root")]
        let server = try BuiltInGateway.start(settings)
        defer { server.stop() }
        let result = try Drill.run(port: server.port, identity: "gen1-client") {
            $0.handshakes = nil
            $0.duration = 5
            $0.concurrency = 4
            $0.interval = 0.5
        }
        #expect(result.count(.accepted) > 20, "accepted while valid: \(result.classSummary)")
        #expect(result.count(.serverCertExpired) > 20, "rejected once expired: \(result.classSummary)")
        let report = result.report()
        let lastAccepted = report.timeline.last { ($0.outcomes["accepted"] ?? 0) > 0 }?.tS ?? 0
        let firstExpired = report.timeline.first { ($0.outcomes["server-cert-expired"] ?? 0) > 0 }?.tS ?? 99
        #expect(lastAccepted <= firstExpired + 0.5, "no acceptance after expiry (accepted until \(lastAccepted)s, expired from \(firstExpired)s)")
    }

    @Test("a server whose chain changes is verified again: a swap to an untrusted chain is rejected")
    func chainSwap() throws {
        let server = try BuiltInGateway.start(BuiltInGateway.settings())
        defer { server.stop() }
        DispatchQueue.global().asyncAfter(deadline: .now() + 1) {
            _ = try? server.reload(BuiltInGateway.settings(server: "gen2-server"))
        }
        let result = try Drill.run(port: server.port, identity: "gen1-client") {
            $0.handshakes = nil
            $0.duration = 2
            $0.concurrency = 4
        }
        #expect(result.count(.accepted) > 20 && result.count(.serverCertUnknownCA) > 20, "\(result.classSummary)")
        #expect(result.count(.accepted) + result.count(.serverCertUnknownCA) == result.attempts)
    }

    @Test("the cache is keyed by context: a client with another expected name still gets the mismatch")
    func perContext() throws {
        let server = try BuiltInGateway.start(BuiltInGateway.settings())
        defer { server.stop() }
        let right = try Drill.run(port: server.port, identity: "gen1-client")
        #expect(right.count(.accepted) == 3)
        let wrong = try Drill.run(port: server.port, identity: "gen1-client") { $0.tls.verifyName = "example.com" }
        #expect(wrong.count(.serverCertSANMismatch) == 3, "\(wrong.classSummary)")
    }
}
