import Foundation
import Testing
@testable import TLSDrill

@Suite("Drill PKI")
struct PKITests {
    @Test("leaves carry the defects their names promise")
    func leafFacts() throws {
        let pki = TestPKI.shared
        let now = Date()
        func facts(_ name: String) throws -> IdentityFacts { try Drill.identity(name).facts(at: now) }
        #expect(try facts("gen1-client") == IdentityFacts(presentsCertificate: true, expiredCertificate: nil, notYetValidCertificate: nil,
                                                          allowsClientAuth: true, selfSigned: false,
                                                          subjectAlternativeNames: ["DNS:client.gen1.tlsdrill.test", "URI:spiffe://cluster.local/ns/drill/sa/client"]))
        #expect(try facts("gen1-client-expired").expiredCertificate == "CN=gen1 client-expired,O=tlsdrill")
        #expect(try facts("gen1-client-not-yet-valid").notYetValidCertificate != nil)
        #expect(try facts("gen1-client-serverauth-only").allowsClientAuth == false)
        #expect(try facts("self-signed-client").selfSigned)
        let server = try Certificate.loadPEMFile(pki.cert("gen1-server"))
        #expect(server.count == 2, "leaf followed by its intermediate")
        #expect(server[0].subjectAlternativeNames == ["DNS:localhost", "IP:127.0.0.1", "IP:0:0:0:0:0:0:0:1"])
        #expect(server[0].extendedKeyUsage == .serverAuth)
        #expect(server[0].isIssued(byNameOf: server[1]))
        #expect(server[1].isCA)
        let root = try Certificate.loadPEMFile(pki.cert("gen1-root"))[0]
        #expect(root.isSelfIssued && root.isCA)
        #expect(server[1].isIssued(byNameOf: root))
    }

    @Test("the manifest reloads and lists every file")
    func manifest() throws {
        let pki = try DrillPKI.open(TestPKI.shared.directory)
        #expect(pki.manifest.schema == "tlsdrill.pki/v1")
        #expect(pki.manifest.entries.count == TestPKI.shared.manifest.entries.count)
        for entry in pki.manifest.entries {
            #expect(FileManager.default.fileExists(atPath: pki.path(entry.cert)), "\(entry.cert)")
            if let key = entry.key { #expect(FileManager.default.fileExists(atPath: pki.path(key)), "\(key)") }
        }
        #expect(pki.manifest.entry("gen1-client-expired")?.expect == "client-cert-expired")
    }

    @Test("RSA PKIs work too")
    func rsa() throws {
        var options = DrillPKI.Options()
        options.generations = ["rsa"]
        options.algorithm = .rsa2048
        let pki = try DrillPKI.create(at: TestPKI.scratch("rsa-pki"), options: options)
        let identity = try ClientIdentity.load(name: "rsa", certPath: pki.cert("rsa-client"), keyPath: pki.key("rsa-client"))
        #expect(identity.chain.count == 1)
    }
}

@Suite("Bad input")
struct BadInputTests {
    @Test("missing, mismatched and encrypted credentials are typed errors naming the file")
    func credentials() throws {
        let pki = TestPKI.shared
        #expect(throws: TLSDrillError.missingFile(path: "/nonexistent/cert.pem")) {
            try ClientIdentity.load(name: "x", certPath: "/nonexistent/cert.pem", keyPath: pki.key("gen1-client"))
        }
        #expect(throws: TLSDrillError.keyDoesNotMatchCertificate(key: pki.key("gen2-client"), certificate: pki.cert("gen1-client"))) {
            try ClientIdentity.load(name: "x", certPath: pki.cert("gen1-client"), keyPath: pki.key("gen2-client"))
        }
        let directory = TestPKI.scratch("bad-input")
        let encrypted = directory + "/encrypted.key"
        let status = try runProcess("/usr/bin/openssl", ["pkey", "-in", pki.key("gen1-client"), "-aes256", "-passout", "pass:secret", "-out", encrypted])
        #expect(status == 0)
        #expect(throws: TLSDrillError.encryptedKey(path: encrypted)) {
            try ClientIdentity.load(name: "x", certPath: pki.cert("gen1-client"), keyPath: encrypted)
        }
        let notPEM = directory + "/garbage.pem"
        try "not a certificate".write(toFile: notPEM, atomically: true, encoding: .utf8)
        #expect(throws: TLSDrillError.noCertificateInFile(path: notPEM)) {
            try ClientIdentity.load(name: "x", certPath: notPEM, keyPath: pki.key("gen1-client"))
        }
    }

    @Test("an unreachable target is a clear error before any load")
    func unreachable() throws {
        let port = LoopbackPort.free()
        let target = try TargetAddress.resolve("127.0.0.1:\(port)")
        #expect(throws: TLSDrillError.unreachableTarget(target: "127.0.0.1:\(port)", reason: "connection refused")) {
            try Preflight.checkReachable(target, timeout: 1)
        }
    }

    @Test("a run needs a bound")
    func unbounded() throws {
        var settings = RunSettings(target: try TargetAddress.resolve("127.0.0.1:1"))
        settings.handshakes = nil
        settings.duration = nil
        #expect(throws: TLSDrillError.self) { try settings.validate() }
    }

    @Test("an fd limit above the hard limit is refused with numbers")
    func fdLimit() {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        let tooMany = Int(limit.rlim_max) + 1
        #expect(throws: TLSDrillError.fileDescriptorLimitTooLow(needed: tooMany, hardLimit: Int(limit.rlim_max))) {
            try ResourceLimits.ensureFileDescriptors(tooMany)
        }
    }
}

/// Runs a command to completion and returns its exit status.
func runProcess(_ path: String, _ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}
