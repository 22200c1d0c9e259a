import Foundation
import Testing
import TLSDrill

/// Profiles: strict decoding with line numbers, and `run PROFILE` with weights.
@Suite("Profiles", .serialized)
struct ProfileTests {
    static let valid = """
    targets:
      - name: local
        address: 127.0.0.1:PORT_0
        sni: localhost
        ca: ../drill-pki/gen1/root.pem
    identities:
      - name: gen1-client
        cert: ../drill-pki/gen1/client.pem
        key: ../drill-pki/gen1/client.key
        weight: 70
        expect: accept
      - name: gen2-client
        cert: ../drill-pki/gen2/client.pem
        key: ../drill-pki/gen2/client.key
        weight: 25
        expect: { reject: [client-cert-unknown-ca, client-cert-rejected] }
      - name: nobody
        none: true
        weight: 5
        expect: { reject: client-cert-required }
    load:
      concurrency: 10
      handshakes: 400
    """

    @Test("a valid profile loads, resolving paths relative to itself")
    func loads() throws {
        let profile = try Profile.load(try ProfileFixtures.write("valid", Self.valid, ports: [8443]))
        #expect(profile.document.identities.map(\.weight) == [70, 25, 5])
        #expect(profile.document.identities[0].cert == TestPKI.shared.directory + "/gen1/client.pem"
                || profile.document.identities[0].cert!.hasSuffix("drill-pki/gen1/client.pem"))
        #expect(profile.document.identities[1].expect == .reject([.clientCertUnknownCA, .clientCertRejected]))
        #expect(profile.document.load.handshakes == 400)
    }

    @Test("bad profiles name the line", arguments: [
        ("unknown key", "targets:\n  - address: 127.0.0.1:1\n    colour: blue\nidentities:\n  - name: a\n    none: true\n", 3, "unknown field 'colour'"),
        ("malformed YAML", "targets:\n  - address: [127.0.0.1:1\nidentities: []\n", nil, "malformed YAML"),
        ("missing file", "targets:\n  - address: 127.0.0.1:1\nidentities:\n  - name: a\n    cert: ../nope.pem\n    key: ../nope.key\n", 4, "no such readable file"),
        ("bad duration", "targets:\n  - address: 127.0.0.1:1\nidentities:\n  - name: a\n    none: true\nload:\n  duration: ten seconds\n", 7, "not a duration"),
        ("weights", "targets:\n  - address: 127.0.0.1:1\nidentities:\n  - name: a\n    none: true\n    weight: 60\n  - name: b\n    none: true\n    weight: 30\n", 4, "sum to 90.0"),
        ("bad class", "targets:\n  - address: 127.0.0.1:1\nidentities:\n  - name: a\n    none: true\n    expect: { reject: client-cert-lost }\n", 6, "is not a class"),
        ("wrong type", "targets:\n  - address: 127.0.0.1:1\nidentities:\n  - name: a\n    none: true\nload:\n  concurrency: many\n", 7, "load.concurrency"),
        ("missing field", "targets:\n  - sni: x\nidentities:\n  - name: a\n    none: true\n", 2, "missing field 'address'"),
    ] as [(String, String, Int?, String)])
    func badProfiles(name: String, text: String, line: Int?, mentions: String) throws {
        let path = try ProfileFixtures.write("bad-\(name.replacingOccurrences(of: " ", with: "-"))", text)
        do {
            _ = try Profile.load(path)
            Issue.record("\(name): loaded")
        } catch let TLSDrillError.profile(errorPath, errorLine, message) {
            #expect(errorPath == path)
            if let line { #expect(errorLine == line, "\(name): \(message)") }
            #expect(message.contains(mentions), "\(name): \(message)")
        }
    }

    @Test("run PROFILE: per-identity shares follow the weights; flags override the profile")
    func runProfileMix() throws {
        let server = try BuiltInGateway.start(BuiltInGateway.settings())
        defer { server.stop() }
        let path = try ProfileFixtures.write("mix", Self.valid, ports: [server.port])
        let json = TestPKI.scratch("mix") + "/mix.json"
        let output = try CLI.run(["run", path, "--json", json, "--quiet", "--handshakes", "200"])
        #expect(output.status == 0, "\(output.stderr)")
        let report = try RunReport.read(from: json)
        #expect(report.attempts == 200, "--handshakes overrides the profile's 400")
        let shares = report.identities.mapValues { Double($0.attempts) / Double(report.attempts) }
        #expect(abs(shares["gen1-client"]! - 0.70) < 0.02 && abs(shares["gen2-client"]! - 0.25) < 0.02 && abs(shares["nobody"]! - 0.05) < 0.02, "\(shares)")
        #expect(report.identities["gen1-client"]?.outcomes == ["accepted": report.identities["gen1-client"]!.attempts])
        #expect(report.identities["gen2-client"]?.outcomes.keys.sorted() == ["client-cert-unknown-ca"])
        #expect(report.identities["nobody"]?.outcomes.keys.sorted() == ["client-cert-required"])
        #expect(report.identities["gen2-client"]?.latencyUs["handshake"]?.count == UInt64(report.identities["gen2-client"]!.attempts))
    }
}
