import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import TLSDrill

/// `tlsdrill validate` and `tlsdrill inspect` against real gateways.
@Suite("Validation", .serialized)
struct ValidateTests {
    static func profile(ports: [UInt16], trustRoot: String = "gen1", minDays: Int = 30) -> String {
        """
        targets:
          - name: gw
            address: 127.0.0.1:PORT_0
            sni: localhost
            ca: ../drill-pki/gen1/root.pem
            tls: ["1.2", "1.3"]
            expect_server:
              name: localhost
              min_days_left: \(minDays)
              client_cert_required: true
              requested_ca_names:
                include: [../drill-pki/\(trustRoot)/root.pem]
        identities:
          - name: gen1-client
            cert: ../drill-pki/gen1/client.pem
            key: ../drill-pki/gen1/client.key
            expect: accept
          - name: gen1-client-expired
            cert: ../drill-pki/gen1/client-expired.pem
            key: ../drill-pki/gen1/client-expired.key
            expect: { reject: client-cert-expired }
          - name: gen1-client-serverauth-only
            cert: ../drill-pki/gen1/client-serverauth-only.pem
            key: ../drill-pki/gen1/client-serverauth-only.key
            expect: { reject: client-cert-missing-clientauth }
          - name: gen2-client
            cert: ../drill-pki/gen2/client.pem
            key: ../drill-pki/gen2/client.key
            expect: { reject: client-cert-unknown-ca }
          - name: anonymous
            none: true
            expect: { reject: client-cert-required }
        validate:
          attempts: 5
        """
    }

    @Test("expectations that hold exit 0 against the built-in gateway; JUnit counts the cells")
    func holdsBuiltIn() throws { try holds(gateway: "builtin") }

    @Test("expectations that hold exit 0 against nginx; JUnit counts the cells", Tools.needs("nginx"))
    func holdsNginx() throws { try holds(gateway: "nginx") }

    @Test("expectations that hold exit 0 against haproxy; JUnit counts the cells", Tools.needs("haproxy"))
    func holdsHAProxy() throws { try holds(gateway: "haproxy") }

    private func holds(gateway: String) throws {
        var builtin: GatewayServer?
        var process: ServerProcess?
        switch gateway {
        case "builtin": builtin = try BuiltInGateway.start(BuiltInGateway.settings())
        case "nginx": process = try Gateways.start(.nginx)
        default: process = try Gateways.start(.haproxy)
        }
        defer { builtin?.stop(); process?.stop() }
        let port = builtin?.port ?? process!.port
        let path = try ProfileFixtures.write("holds-\(gateway)", Self.profile(ports: [port]), ports: [port])
        let junit = TestPKI.scratch("junit") + "/validate.xml"
        let output = try CLI.run(["validate", path, "--junit", junit, "--quiet"])
        #expect(output.status == 0, "\(gateway): \(output.stdout)\(output.stderr)")
        let xml = try XMLDocument(contentsOf: URL(fileURLWithPath: junit))
        let cases = try xml.nodes(forXPath: "//testcase")
        let failures = try xml.nodes(forXPath: "//failure")
        #expect(cases.count == 10 + 5, "10 cells (5 identities × 2 TLS versions) and 5 gateway checks: \(cases.count)")
        #expect(failures.isEmpty)
    }

    @Test("under_load: all identities mixed in one concurrent run, cells from the per-identity breakdown")
    func underLoad() throws {
        let server = try BuiltInGateway.start(BuiltInGateway.settings())
        defer { server.stop() }
        let text = Self.profile(ports: [server.port]).replacingOccurrences(of: "validate:\n  attempts: 5", with: "load:\n  concurrency: 20\nvalidate:\n  attempts: 31\n  under_load: true")
        let loaded = try Profile.load(try ProfileFixtures.write("under-load", text, ports: [server.port]))
        #expect(loaded.document.validate.underLoad)
        let result = try Validator.run(loaded)
        #expect(result.cells.count == 10)
        #expect(result.passed, "\(result.render())")
        let total: Int = result.cells.map(\.attempts).reduce(0, +)
        #expect(total == 310, "31 attempts × 5 identities × 2 TLS versions")
    }

    @Test("a gateway trusting only a regional intermediate fails the cells and the CA-names check")
    func regionalOverride() throws {
        let server = try BuiltInGateway.start(BuiltInGateway.settings(trust: ["gen1-intermediate"]))
        defer { server.stop() }
        let path = try ProfileFixtures.write("regional", Self.profile(ports: [server.port]), ports: [server.port])
        let junit = TestPKI.scratch("junit-regional") + "/validate.xml"
        let output = try CLI.run(["validate", path, "--junit", junit, "--quiet"])
        #expect(output.status == 1)
        #expect(output.stdout.contains("FAIL  gw  CertificateRequest names CN=tlsdrill gen1 Root CA"), "\(output.stdout)")
        let failingCell = output.stdout.split(separator: "\n").first { $0.contains("gen1-client ") && $0.contains("FAIL") }
        #expect(failingCell?.contains("client-cert-unknown-ca") == true, "\(output.stdout)")
        let xml = try XMLDocument(contentsOf: URL(fileURLWithPath: junit))
        // gen1-client, -expired and -serverauth-only all get unknown-ca (the chain fails before expiry or EKU
        // are looked at) under TLS 1.2 and 1.3, plus the CA-names check.
        #expect(try xml.nodes(forXPath: "//failure").count == 7)
    }

    @Test("an intermediate about to expire fails the days-left check while the leaf is fine")
    func expiringIntermediate() throws {
        var options = DrillPKI.Options()
        options.generations = ["short"]
        options.intermediateValidityDays = 10
        let pki = try DrillPKI.create(at: TestPKI.scratch("short-pki"), options: options)
        var settings = ServerTLSSettings(certFile: pki.cert("short-server"), keyFile: pki.key("short-server"))
        settings.trustFiles = [TestPKI.shared.cert("gen1-root")]
        let server = try BuiltInGateway.start(settings)
        defer { server.stop() }
        let text = """
        targets:
          - address: 127.0.0.1:\(server.port)
            sni: localhost
            ca: \(pki.cert("short-root"))
            expect_server: { min_days_left: 30 }
        identities:
          - name: gen1-client
            cert: ../drill-pki/gen1/client.pem
            key: ../drill-pki/gen1/client.key
            expect: accept
        validate: { attempts: 3 }
        """
        let output = try CLI.run(["validate", try ProfileFixtures.write("short", text), "--quiet"])
        #expect(output.status == 1)
        let line = output.stdout.split(separator: "\n").first { $0.contains("days at every level") }
        #expect(line?.contains("FAIL") == true && line?.contains("intermediate CN=tlsdrill short Intermediate CA") == true, "\(output.stdout)")
        #expect(line?.contains("leaf") == false, "the leaf has 90 days: \(String(describing: line))")
    }

    @Test("a cell that passes only sometimes fails and says so with counts")
    func flakyCell() throws {
        let server = try BuiltInGateway.start(BuiltInGateway.settings())
        defer { server.stop() }
        let text = """
        targets:
          - address: 127.0.0.1:\(server.port)
            sni: localhost
            ca: ../drill-pki/gen1/root.pem
        identities:
          - name: mostly
            cert: ../drill-pki/gen1/client.pem
            key: ../drill-pki/gen1/client.key
            expect: accept
        validate: { attempts: 40, concurrency: 4 }
        """
        let path = try ProfileFixtures.write("flaky", text)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) {
            _ = try? server.reload(BuiltInGateway.settings(trust: ["gen2-root"]))
        }
        var loaded = try Profile.load(path)
        loaded.document.validate.attempts = 1500
        let result = try Validator.run(loaded)
        let cell = try #require(result.cells.first)
        #expect(!cell.passed)
        #expect((cell.observed["accepted"] ?? 0) > 0 && (cell.observed["client-cert-unknown-ca"] ?? 0) > 0, "\(cell.observedText)")
        #expect(cell.observedText.contains("/1500 client-cert-unknown-ca"))
    }

    @Test("inspect shows the chain, days left, the verification and the client-certificate policy")
    func inspect() throws {
        let server = try BuiltInGateway.start(BuiltInGateway.settings(trust: ["trust-gen1+gen2"]))
        defer { server.stop() }
        let json = TestPKI.scratch("inspect") + "/inspect.json"
        let output = try CLI.run(["inspect", "127.0.0.1:\(server.port)", "--sni", "localhost", "--ca", TestPKI.shared.cert("gen1-root"), "--json", json])
        #expect(output.status == 0, "\(output.stderr)")
        for text in ["TLSv1.3", "CN=gen1 server,O=tlsdrill", "DNS:localhost", "serverAuth", "EC P-256", "days left",
                     "verification: ok (for name localhost)", "required (no certificate → client-cert-required)",
                     "CN=tlsdrill gen1 Root CA,O=tlsdrill", "CN=tlsdrill gen2 Root CA,O=tlsdrill"] {
            #expect(output.stdout.contains(text), "\(text) in:\n\(output.stdout)")
        }
        let wrongName = try CLI.run(["inspect", "127.0.0.1:\(server.port)", "--verify-name", "example.com", "--ca", TestPKI.shared.cert("gen1-root")])
        #expect(wrongName.stdout.contains("verification: 62 hostname mismatch"), "\(wrongName.stdout)")
        let data = try Data(contentsOf: URL(fileURLWithPath: json))
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        #expect((object["served_chain"] as? [Any])?.count == 2)
        #expect(object["acceptable_client_ca_names"] as? [String] == ["CN=tlsdrill gen1 Root CA,O=tlsdrill", "CN=tlsdrill gen2 Root CA,O=tlsdrill"])
    }

    @Test("the shipped example profiles run against tlsdrill serve as the README shows")
    func shippedExamples() throws {
        let pki = TestPKI.shared
        let east = try BuiltInGateway.start(BuiltInGateway.settings(trust: ["trust-gen1+gen2"]))
        let west = try BuiltInGateway.start(BuiltInGateway.settings(trust: ["gen1-intermediate"]))
        defer { east.stop(); west.stop() }
        let smoke = try ProfileFixtures.shipped("smoke", ports: ["127.0.0.1:8443": east.port])
        let smokeOutput = try CLI.run(["validate", smoke, "--quiet", "--attempts", "3"])
        #expect(smokeOutput.status == 0, "\(smokeOutput.stdout)\(smokeOutput.stderr)")
        let eastWest = try ProfileFixtures.shipped("east-west-prerollout", ports: ["127.0.0.1:8444": east.port, "127.0.0.1:8445": west.port])
        let eastWestOutput = try CLI.run(["validate", eastWest, "--quiet", "--attempts", "3"])
        #expect(eastWestOutput.status == 1, "eu-west trusts only the regional bundle")
        #expect(eastWestOutput.stdout.contains("FAIL  eu-west  CertificateRequest names CN=tlsdrill gen1 Root CA"))
        #expect(!eastWestOutput.stdout.contains("FAIL  us-east"), "\(eastWestOutput.stdout)")
        var generic = BuiltInGateway.settings(trust: ["gen1-root"])
        generic.reject = .genericAlert
        _ = try east.reload(generic)
        let chaos = try ProfileFixtures.shipped("chaos-mixed-generations", ports: ["127.0.0.1:8447": east.port])
        let chaosValidate = try CLI.run(["validate", chaos, "--quiet", "--attempts", "3"])
        #expect(chaosValidate.status == 0, "\(chaosValidate.stdout)")
        let chaosRun = try CLI.run(["run", chaos, "--duration", "1s", "--quiet"])
        #expect(chaosRun.status == 0 && chaosRun.stdout.contains("gen2-client"), "\(chaosRun.stdout)\(chaosRun.stderr)")
        _ = pki
    }
}
