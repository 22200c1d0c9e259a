import Foundation
import Synchronization
import Testing
@testable import TLSDrill

/// Handshakes in a lean client context reuse the X509 a byte-identical served certificate was parsed into
/// before on the same thread. It must hand out only the certificate those exact bytes are, only inside a lean
/// handshake step, and never change a verdict (OpenSSLContextTests compares every verdict with the default
/// context, which parses every time; these check the cache itself).
@Suite("Parsed-certificate cache of the lean client context")
struct CertificateCacheTests {
    static func der(_ name: String) throws -> [UInt8] {
        try Certificate.loadPEMFile(TestPKI.shared.cert(name))[0].der
    }

    static func client(_ choice: OpenSSLContextChoice, root: String) throws -> ClientTLSContext {
        var tls = ClientTLSSettings()
        tls.version = .tls13
        tls.caFile = TestPKI.shared.cert(root)
        tls.verifyName = "localhost"
        tls.serverName = "localhost"
        tls.openSSLContext = choice
        return try ClientTLSContext(identity: try Drill.identity("gen1-client"), settings: tls)
    }

    static func server(_ name: String, trusting root: String) throws -> ServerTLSContext {
        var settings = ServerTLSSettings(certFile: TestPKI.shared.cert(name), keyFile: TestPKI.shared.key(name))
        settings.trustFiles = [TestPKI.shared.cert(root)]
        settings.version = .tls13
        return try ServerTLSContext(settings)
    }

    /// The certificates each of `count` handshakes took from the cache (on the calling thread), nil for a failed one.
    static func hitsPerHandshake(_ count: Int, client: ClientTLSContext, server: ServerTLSContext) -> [UInt?] {
        (0..<count).map { _ in
            let before = ParsedCertificateCache.threadHits
            return InMemoryHandshake.run(client: client, server: server) ? ParsedCertificateCache.threadHits - before : nil
        }
    }

    @Test("a lean handshake reuses the certificates its thread parsed for the same chain; the default context parses every time")
    func handshakesReuseParsedCertificates() throws {
        let lean = try Self.client(.lean, root: "gen1-root"), standard = try Self.client(.default, root: "gen1-root")
        let gen2Lean = try Self.client(.lean, root: "gen2-root")
        let gen1 = try Self.server("gen1-server", trusting: "gen1-root"), gen2 = try Self.server("gen2-server", trusting: "gen1-root")
        let (leanHits, defaultHits, gen2Hits, backHits) = LeanProviderTests.onNewThread {
            (Self.hitsPerHandshake(3, client: lean, server: gen1), Self.hitsPerHandshake(3, client: standard, server: gen1),
             Self.hitsPerHandshake(3, client: gen2Lean, server: gen2), Self.hitsPerHandshake(1, client: lean, server: gen1))
        }
        let chain = leanHits[1] ?? 0
        #expect(chain >= 1, "the second lean handshake reused the served chain: \(leanHits)")
        #expect(leanHits == [0, chain, chain], "a fresh thread parses the chain once, then reuses all of it: \(leanHits)")
        #expect(defaultHits == [0, 0, 0], "the default context parses every time: \(defaultHits)")
        #expect(gen2Hits == [0, chain, chain], "another server's chain is parsed, then reused: \(gen2Hits)")
        #expect(backHits == [chain], "the first chain is still kept: \(backHits)")
    }

    @Test("a certificate comes from the cache only for its exact bytes and library context, inside a handshake step, with nothing after it")
    func cacheKeysOnExactBytesLibraryAndStep() throws {
        let server = try Self.der("gen1-server"), intermediate = try Self.der("gen1-intermediate")
        var altered = server
        altered[altered.count - 1] ^= 0x01  // the signature's last byte: still a well-formed certificate
        var many: [[UInt8]] = []
        for index in 0..<20 {  // more than the cache's 16 slots
            let spec = CertificateSpec(commonName: "cached \(index)", notBefore: Date() - 60, notAfter: Date() + 3600)
            many.append(try CertificateIssuer.issue(spec, key: try PrivateKey.generate(.ecdsaP256), issuer: nil).der)
        }
        let (alteredBytes, distinct) = (altered, many)
        let results = LeanProviderTests.onNewThread { () -> [String: [ParsedCertificateCache.Parse]] in
            typealias Cache = ParsedCertificateCache
            var results: [String: [Cache.Parse]] = [:]
            results["outside a handshake step"] = [Cache.parse(server, in: nil), Cache.parse(server, in: nil)]
            results["sharing context"] = [Cache.parse(server, in: .sharingKeyShares), Cache.parse(server, in: .sharingKeyShares)]
            results["other lean context"] = [Cache.parse(server, in: .freshKeyShares), Cache.parse(server, in: .freshKeyShares)]
            results["trailing bytes"] = [Cache.parse(server, trailing: [0x30, 0x00], in: .sharingKeyShares)]
            results["one byte changed"] = [Cache.parse(alteredBytes, in: .sharingKeyShares), Cache.parse(alteredBytes, in: .sharingKeyShares),
                                           Cache.parse(server, in: .sharingKeyShares)]
            results["intermediate"] = [Cache.parse(intermediate, in: .sharingKeyShares), Cache.parse(intermediate, in: .sharingKeyShares)]
            results["not a certificate"] = [Cache.parse([0x30, 0x03, 0x02, 0x01, 0x01], in: .sharingKeyShares)]
            results["twenty, twice"] = (distinct + distinct).map { Cache.parse($0, in: .sharingKeyShares) }
            results["first of twenty, evicted"] = [Cache.parse(distinct[0], in: .sharingKeyShares)]
            return results
        }
        #expect(results["outside a handshake step"] == [.parsed, .parsed])
        #expect(results["sharing context"] == [.parsed, .cached])
        #expect(results["other lean context"] == [.parsed, .cached])
        #expect(results["trailing bytes"] == [.parsed], "bytes after the certificate: never from the cache")
        #expect(results["one byte changed"] == [.parsed, .cached, .cached])
        #expect(results["intermediate"] == [.parsed, .cached])
        #expect(results["not a certificate"] == [.unparsable])
        #expect(results["twenty, twice"] == Array(repeating: .parsed, count: 40), "16 slots, round-robin: 20 in turn always miss")
        #expect(results["first of twenty, evicted"] == [.parsed])
    }

    @Test("the same served certificate keeps each verdict: trusted, then untrusted, then trusted again", Tools.needs("openssl"))
    func sameCertificateDifferentTrust() throws {
        let gateway = try Gateways.start(.opensslServer, server: "gen1-server")
        defer { gateway.stop() }
        for (root, expected) in [("gen1-root", OutcomeClass.accepted), ("gen2-root", .serverCertUnknownCA), ("gen1-root", .accepted)] {
            var settings = try Drill.settings(port: gateway.port, tls: .tls13, ca: root)
            settings.concurrency = 1
            settings.handshakes = 4
            let result = try Drill.run(settings, identities: [("gen1-client", 1)])
            #expect(result.count(expected) == 4, "trusting \(root): \(result.classSummary)")
        }
    }
}

