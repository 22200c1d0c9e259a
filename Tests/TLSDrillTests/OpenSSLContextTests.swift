import Foundation
import Synchronization
import Testing
@testable import TLSDrill

/// The lean library context (the default for client handshakes) must never change a verdict: every
/// client and server defect, both TLS versions, every negotiation variant and key type gives the same
/// class with `--openssl-context lean` and `default`.
@Suite("Lean OpenSSL context: same verdicts as the default one", .serialized)
struct OpenSSLContextTests {
    static let clients = ClientDefectMatrixTests.expectations

    /// Runs `identity` against `port` under both contexts and returns both results.
    static func both(port: UInt16, identity: String?, tls: TLSVersionChoice,
                     configure: @escaping (inout RunSettings) -> Void = { _ in }) throws -> (lean: RunResult, standard: RunResult) {
        let lean = try Drill.run(port: port, identity: identity, tls: tls) { settings in
            configure(&settings)
            settings.tls.openSSLContext = .lean
        }
        let standard = try Drill.run(port: port, identity: identity, tls: tls) { settings in
            configure(&settings)
            settings.tls.openSSLContext = .default
        }
        return (lean, standard)
    }

    static func expectSame(_ pair: (lean: RunResult, standard: RunResult), _ label: String, expected: OutcomeClass? = nil,
                           sourceLocation: SourceLocation = #_sourceLocation) {
        let lean = pair.lean.outcomeCounts.map(\.0), standard = pair.standard.outcomeCounts.map(\.0)
        #expect(lean == standard, "\(label): lean \(pair.lean.classSummary) vs default \(pair.standard.classSummary)", sourceLocation: sourceLocation)
        if let expected { #expect(pair.lean.count(expected) == pair.lean.attempts, "\(label): \(pair.lean.classSummary)", sourceLocation: sourceLocation) }
    }

    func clientDefects(_ gateway: GatewayKind) throws {
        let server = try Gateways.start(gateway)
        defer { server.stop() }
        for tls in [TLSVersionChoice.tls12, .tls13] {
            for (identity, expected) in Self.clients {
                Self.expectSame(try Self.both(port: server.port, identity: identity, tls: tls),
                                "\(gateway) TLS \(tls.rawValue) \(identity ?? "no-cert")", expected: expected)
            }
        }
    }

    @Test("client defects against openssl s_server", Tools.needs("openssl"))
    func opensslClients() throws { try clientDefects(.opensslServer) }

    @Test("client defects against nginx", Tools.needs("nginx"))
    func nginxClients() throws { try clientDefects(.nginx) }

    @Test("client defects against haproxy", Tools.needs("haproxy"))
    func haproxyClients() throws { try clientDefects(.haproxy) }

    @Test("server defects, TLS 1.2 and 1.3", Tools.needs("openssl"))
    func serverDefects() throws {
        for (server, expected) in ServerDefectTests.defects {
            let gateway = try Gateways.start(.opensslServer, server: server)
            defer { gateway.stop() }
            for tls in [TLSVersionChoice.tls12, .tls13] {
                Self.expectSame(try Self.both(port: gateway.port, identity: "gen1-client", tls: tls), "\(server) TLS \(tls.rawValue)", expected: expected)
            }
        }
    }

    @Test("negotiation variants: groups, key shares, TLS 1.2 ciphers (GCM, CBC, ChaCha20), TLS 1.3 suites", Tools.needs("openssl"))
    func negotiation() throws {
        let gateway = try Gateways.start(.opensslServer)
        defer { gateway.stop() }
        let variants: [(String, TLSVersionChoice, (inout RunSettings) -> Void)] = [
            ("group P-256", .tls13, { $0.tls.groups = "P-256" }), ("group P-256", .tls12, { $0.tls.groups = "P-256" }),
            ("group P-384", .tls13, { $0.tls.groups = "P-384" }),
            ("group X448 (shared key share)", .tls13, { $0.tls.groups = "X448" }),
            ("group X25519 (P-256 listed for the ECDSA certificate)", .tls12, { $0.tls.groups = "X25519:P-256" }),
            ("--fresh-key-shares", .tls13, { $0.tls.sharedKeyShares = false }),
            ("ECDHE-ECDSA-AES128-GCM-SHA256", .tls12, { $0.tls.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256" }),
            ("ECDHE-ECDSA-AES256-SHA384 (CBC)", .tls12, { $0.tls.ciphers = "ECDHE-ECDSA-AES256-SHA384" }),
            ("ECDHE-ECDSA-CHACHA20-POLY1305", .tls12, { $0.tls.ciphers = "ECDHE-ECDSA-CHACHA20-POLY1305" }),
            ("TLS_CHACHA20_POLY1305_SHA256", .tls13, { $0.tls.ciphersuites = "TLS_CHACHA20_POLY1305_SHA256" }),
            ("TLS_AES_128_GCM_SHA256", .tls13, { $0.tls.ciphersuites = "TLS_AES_128_GCM_SHA256" }),
        ]
        for (label, tls, configure) in variants {
            Self.expectSame(try Self.both(port: gateway.port, identity: "gen1-client", tls: tls, configure: configure), label, expected: .accepted)
        }
    }

    @Test("RSA and Ed25519 server keys", Tools.needs("openssl"))
    func serverKeyTypes() throws {
        var options = DrillPKI.Options()
        options.generations = ["rsa"]
        options.algorithm = .rsa2048
        let directory = TestPKI.scratch("lean-keys")
        let rsa = try DrillPKI.create(at: directory + "/rsa", options: options)
        let ed25519 = try Self.ed25519Server(directory: directory)
        for (label, cert, key, intermediate, ca) in [
            ("RSA", rsa.cert("rsa-server"), rsa.key("rsa-server"), rsa.cert("rsa-intermediate"), rsa.cert("rsa-root")),
            ("Ed25519", ed25519.cert, ed25519.key, TestPKI.shared.cert("gen1-intermediate"), TestPKI.shared.cert("gen1-root")),
        ] {
            let port = LoopbackPort.free()
            let server = try ServerProcess("openssl", ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", cert, "-cert_chain", intermediate,
                                                       "-key", key, "-www", "-quiet", "-no_ticket"], port: port, stopSignal: SIGKILL)
            defer { server.stop() }
            for tls in [TLSVersionChoice.tls12, .tls13] {
                Self.expectSame(try Self.both(port: port, identity: "gen1-client", tls: tls) { $0.tls.caFile = ca }, "\(label) TLS \(tls.rawValue)",
                                expected: .accepted)
            }
        }
    }

    @Test("the lean context's key cache gives every certificate its own key: same name, evictions, key types, threads",
          Tools.needs("openssl"))
    func keyCacheKeepsKeysApart() throws {
        let pki = TestPKI.shared
        var certificates = try ["gen1-root", "gen1-intermediate", "gen1-server", "gen1-client", "gen2-root", "gen2-server"]
            .map { try Certificate.loadPEMFile(pki.cert($0))[0] }
        // More same-named EC certificates than the cache has slots (16), so entries are evicted and decoded again.
        for _ in 0..<20 {
            let spec = CertificateSpec(commonName: "one name, many keys", notBefore: Date() - 60, notAfter: Date() + 3600)
            certificates.append(try CertificateIssuer.issue(spec, key: try PrivateKey.generate(.ecdsaP256), issuer: nil))
        }
        let rsaSpec = CertificateSpec(commonName: "rsa", notBefore: Date() - 60, notAfter: Date() + 3600)
        certificates.append(try CertificateIssuer.issue(rsaSpec, key: try PrivateKey.generate(.rsa2048), issuer: nil))
        certificates.append(try Certificate.loadPEMFile(try Self.ed25519Server(directory: TestPKI.scratch("lean-cache")).cert)[0])
        #expect(Set(certificates.map(\.pem)).count == certificates.count, "every certificate is distinct")
        for round in 0..<3 {
            for (index, certificate) in certificates.enumerated() {
                #expect(LeanKeyDecoding.compare(certificate) == .same, "round \(round), certificate \(index) (\(certificate.subject))")
            }
        }
        let failures = Mutex(0), all = certificates
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for certificate in all.shuffled() + all where LeanKeyDecoding.compare(certificate) != .same {
                failures.withLock { $0 += 1 }
            }
        }
        #expect(failures.withLock { $0 } == 0, "decoded on four threads at once")
    }

    /// An Ed25519 server leaf issued by the shared test PKI's gen1 intermediate.
    static func ed25519Server(directory: String) throws -> (cert: String, key: String) {
        let pki = TestPKI.shared
        let key = directory + "/ed25519.key", csr = directory + "/ed25519.csr", leaf = directory + "/ed25519.pem"
        let extensions = directory + "/ext.cnf"
        try "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n".write(toFile: extensions, atomically: true, encoding: .utf8)
        for arguments in [["genpkey", "-algorithm", "ED25519", "-out", key],
                          ["req", "-new", "-key", key, "-subj", "/CN=ed25519 server", "-out", csr],
                          ["x509", "-req", "-in", csr, "-CA", pki.cert("gen1-intermediate"), "-CAkey", pki.path("gen1/intermediate.key"),
                           "-CAcreateserial", "-days", "30", "-extfile", extensions, "-out", leaf]] {
            let output = try CLI.run(arguments, executable: ServerProcess.which("openssl"))
            #expect(output.status == 0, "openssl \(arguments[0]): \(output.stderr)")
        }
        return (leaf, key)
    }
}
