import Foundation
import Testing
@testable import TLSDrill

/// The gate a CI job trusts: thresholds, the exit-code policy, run metadata, exclusive ports and
/// control sockets, expiry as a gate. Every run is real TLS on loopback.
@Suite("Gate: thresholds, exit codes, metadata, exclusivity", .serialized)
struct GateTests {
    static var pki: DrillPKI { TestPKI.shared }
    static func identity(_ name: String = "gen1-client", ca: Bool = true) -> [String] {
        ["--cert", pki.cert(name), "--key", pki.key(name)] + (ca ? ["--ca", pki.cert("gen1-root")] : [])
    }

    // MARK: thresholds as pure values

    @Test("threshold expressions parse into metric, scope, operator and a limit in base units")
    func parsing() throws {
        let p99 = try Threshold.parse("p99(handshake) < 50ms")
        #expect(p99.metric == .latency(.p99, .handshake) && p99.comparison == .less && p99.limit == 50)
        #expect(try Threshold.parse("p99(total) <= 2s").limit == 2000)
        #expect(try Threshold.parse("max(connect) < 500us").limit == 0.5)
        let scoped = try Threshold.parse("rate(accepted){identity=gen1-client} >= 0.999")
        #expect(scoped.identity == "gen1-client" && scoped.metric == .rate(.accepted) && scoped.comparison == .greaterOrEqual)
        #expect(try Threshold.parse("rate(client-cert-unknown-ca) < 1%").limit == 0.01)
        #expect(try Threshold.parse("windows == 0").metric == .windows)
        #expect(try Threshold.parse("max_window < 3s").limit == 3)
        #expect(try Threshold.parse("missed_starts != 5").comparison == .notEqual)
        #expect(try Threshold.parse("lost{identity=a} > 1").identity == "a")
        for (bad, token) in [("p99(handshak) < 5ms", "handshak"), ("rate(acepted) > 0", "acepted"), ("p98(total) < 1", "p98"),
                             ("windows 0", "no comparison"), ("p99(total) < 5parsecs", "parsecs"), ("rate(accepted) > x", "'x'"),
                             ("achieved_rate{identity=a} > 1", "whole-run"), ("count(accepted){who=a} > 1", "{who=a}")] {
            #expect(throws: TLSDrillError.self, "\(bad)") { try Threshold.parse(bad) }
            do { _ = try Threshold.parse(bad) } catch let error as TLSDrillError {
                #expect(error.description.contains(token), "\(bad): \(error.description)")
                #expect(error.description.hasPrefix("--threshold '\(bad)'"))
            }
        }
    }

    // MARK: exit codes over real runs

    @Test("exit 0 when thresholds hold; 1 when one fails or nothing was accepted; metadata in the JSON")
    func passAndFail() throws {
        let server = try BuiltInGateway.start(BuiltInGateway.settings())
        defer { server.stop() }
        let target = ["--target", "127.0.0.1:\(server.port)", "--sni", "localhost", "--quiet", "--handshakes", "40", "--concurrency", "4"]
        let json = TestPKI.scratch("gate") + "/pass.json"
        let html = (json as NSString).deletingLastPathComponent + "/pass.html"
        let pass = try CLI.run(["run"] + target + Self.identity() + ["--json", json, "--html", html,
                                                                     "--threshold", "rate(accepted) >= 0.999", "--threshold", "p99(handshake) < 5s"])
        #expect(pass.status == 0, "\(pass.stdout)\(pass.stderr)")
        #expect(pass.stdout.contains("✓ rate(accepted) >= 0.999") && pass.stdout.contains("observed 1.0000"))
        let report = try RunReport.read(from: json)
        #expect(report.thresholds?.map(\.passed) == [true, true])
        let started = try #require(Timestamp.parse(report.startedAt))
        let ended = try #require(Timestamp.parse(report.endedAt))
        #expect(ended >= started && abs(started.timeIntervalSinceNow) < 120)
        #expect(report.startedAt.hasSuffix("Z") && report.startedAt.contains("."), "RFC 3339 UTC with ms: \(report.startedAt)")
        #expect(report.opensslVersion.hasPrefix("OpenSSL 3") && report.tlsdrillVersion == TLSDrillVersion.current)
        #expect(!report.hostname.isEmpty && report.commandLine.contains("--threshold"))
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains(report.startedAt) && page.contains(report.opensslVersion) && page.contains("Thresholds: <span class=\"ok\">all hold"))

        let slow = try CLI.run(["run"] + target + Self.identity() + ["--threshold", "p99(handshake) < 1us"])
        #expect(slow.status == 1, "\(slow.stderr)")
        #expect(slow.stdout.contains("✗ p99(handshake) < 1us") && slow.stderr.contains("threshold 'p99(handshake) < 1us' failed"))

        // Forgot --ca: every attempt is server-cert-unknown-ca. No threshold given: the default gate fails it.
        let noCA = try CLI.run(["run"] + target + Self.identity(ca: false))
        #expect(noCA.status == 1, "\(noCA.stdout)")
        #expect(noCA.stdout.contains("server-cert-unknown-ca") && noCA.stdout.contains("✗ count(accepted) > 0"))
        let optedOut = try CLI.run(["run"] + target + Self.identity(ca: false) + ["--no-default-threshold"])
        #expect(optedOut.status == 0, "\(optedOut.stderr)")
        // Expected rejections: --expect replaces the default.
        let expected = try CLI.run(["run"] + target + Self.identity(ca: false) + ["--expect", "server-cert-unknown-ca"])
        #expect(expected.status == 0, "\(expected.stderr)")
    }

    @Test("exit 2 for usage errors, bad thresholds and unwritable reports, before any attempt")
    func badInput() throws {
        let unknownFlag = try CLI.run(["run", "--no-such-flag"])
        #expect(unknownFlag.status == 2 && unknownFlag.stderr.split(separator: "\n").count == 1, "\(unknownFlag.stderr)")
        let missingArgument = try CLI.run(["validate"])
        #expect(missingArgument.status == 2, "\(missingArgument.stderr)")
        let badThreshold = try CLI.run(["run", "--target", "127.0.0.1:1", "--no-cert", "--handshakes", "1", "--threshold", "p99(nope) < 1ms"])
        #expect(badThreshold.status == 2 && badThreshold.stderr.contains("'nope' is not a phase"), "\(badThreshold.stderr)")
        let badJSON = try CLI.run(["run", "--target", "127.0.0.1:1", "--no-cert", "--handshakes", "1", "--json", "/nonexistent-dir/r.json"])
        #expect(badJSON.status == 2 && badJSON.stderr.contains("/nonexistent-dir does not exist"), "\(badJSON.stderr)")
        let version = try CLI.run(["--version"])
        #expect(version.status == 0 && version.stdout.contains(TLSDrillVersion.current) && version.stdout.contains("OpenSSL 3"))
        let help = try CLI.run(["run", "--help"])
        #expect(help.stdout.contains("130 interrupted"), "exit-code table in --help")
    }

    @Test("exit 130 on Ctrl-C with the report written")
    func interrupted() throws {
        let server = try BuiltInGateway.start(BuiltInGateway.settings())
        defer { server.stop() }
        let json = TestPKI.scratch("gate-int") + "/r.json"
        let output = try CLI.run(["run", "--target", "127.0.0.1:\(server.port)", "--sni", "localhost", "--duration", "60s",
                                  "--concurrency", "8", "--json", json] + Self.identity(), interruptAfter: 1.5)
        #expect(output.status == 130, "\(output.stderr)")
        #expect(try RunReport.read(from: json).interrupted)
    }

    /// A rotation profile (RotationTests' shape) with 8 in flight for 3 s; `CONTROL` in `steps` is `socket`.
    static func rotationProfile(port: UInt16, steps: String, thresholds: [String] = [], socket: String = "") -> String {
        RotationTests.profile(port: port, socket: socket, duration: "3s", steps: steps, concurrency: 8, thresholds: thresholds)
    }

    @Test("exit 3 when a rotation step fails, 0 with allow_failure; a dead control socket fails before the load")
    func stepFailures() throws {
        let server = try BuiltInGateway.start(BuiltInGateway.settings())
        defer { server.stop() }
        let failing = try ProfileFixtures.write("gate-step-fails", Self.rotationProfile(port: server.port, steps: """
              - { at: 0.5s, name: "broken hook", exec: "echo nope; exit 3" }
        """))
        let failed = try CLI.run(["run", failing, "--quiet", "--duration", "1500ms"])
        #expect(failed.status == 3, "\(failed.stdout)\(failed.stderr)")
        #expect(failed.stderr.contains("rotation step 'broken hook' failed"))
        let allowed = try ProfileFixtures.write("gate-step-allowed", Self.rotationProfile(port: server.port, steps: """
              - { at: 0.5s, name: "broken hook", exec: "exit 3", allow_failure: true }
        """))
        let tolerated = try CLI.run(["run", allowed, "--quiet", "--duration", "1500ms"])
        #expect(tolerated.status == 0, "\(tolerated.stdout)\(tolerated.stderr)")

        let deadSocket = TestPKI.scratch("gate-dead") + "/nobody.sock"
        let unreachable = try ProfileFixtures.write("gate-dead-control", Self.rotationProfile(port: server.port, steps: """
              - { at: 2s, name: "add gen2", reload: { control: \(deadSocket), trust: [../drill-pki/trust/gen1+gen2.pem] } }
        """))
        let started = Date()
        let refused = try CLI.run(["run", unreachable, "--quiet", "--duration", "30s"])
        #expect(refused.status == 2 && refused.stderr.contains("rotation step 'add gen2'"), "\(refused.stderr)")
        #expect(Date().timeIntervalSince(started) < 5, "fails before the load, not at 2s into it")
        let badPid = try ProfileFixtures.write("gate-bad-pid", Self.rotationProfile(port: server.port, steps: """
              - { at: 1s, signal: HUP, pid: 0 }
        """))
        let pidZero = try CLI.run(["run", badPid, "--quiet"])
        #expect(pidZero.status == 2 && pidZero.stderr.contains("greater than 1"), "\(pidZero.stderr)")
    }

    @Test("rotation.before resets the gateway before the load; a failing before-step stops the run with exit 2")
    func beforeSteps() throws {
        let gateway = try RotationTests.gateway(trust: ["trust-gen1+gen2"])
        defer { gateway.stop() }
        let reset = try ProfileFixtures.write("gate-before", Self.rotationProfile(port: gateway.server.port, steps: """
              - { at: 1s, name: "noop", exec: "true" }
        """, socket: gateway.socket).replacingOccurrences(of: "rotation:\n", with: """
        rotation:
          before:
            - { name: "trust gen1 only", reload: { control: \(gateway.socket), trust: [../drill-pki/gen1/root.pem] } }

        """))
        let json = TestPKI.scratch("gate-before") + "/r.json"
        let output = try CLI.run(["run", reset, "--quiet", "--duration", "1s", "--json", json])
        #expect(output.status == 0 && output.stderr.contains("before the load: trust gen1 only — ok generation=2"), "\(output.stderr)")
        #expect(gateway.server.context.generation == 2)
        let failing = try ProfileFixtures.write("gate-before-fails", Self.rotationProfile(port: gateway.server.port, steps: """
              - { at: 1s, name: "noop", exec: "true" }
        """).replacingOccurrences(of: "rotation:\n", with: "rotation:\n  before: [{ name: \"broken\", exec: \"exit 4\" }]\n"))
        let refused = try CLI.run(["run", failing, "--quiet", "--duration", "1s"])
        #expect(refused.status == 2 && refused.stderr.contains("rotation step 'broken'"), "\(refused.stderr)")
    }

    @Test("rotation SLO thresholds: windows == 0 holds on the safe order, fails on the unsafe one")
    func rotationThresholds() throws {
        let gateway = try RotationTests.gateway()
        defer { gateway.stop() }
        let slo = ["windows == 0", "lost == 0", "max_window < 1s"]
        let safe = try ProfileFixtures.write("gate-safe", Self.rotationProfile(port: gateway.server.port, steps: """
              - { at: 0.5s, name: "1. add gen2", reload: { control: CONTROL, trust: [../drill-pki/trust/gen1+gen2.pem] } }
              - { at: 1s, name: "3. gen2 leaves", clients: { weights: { gen2-client: 100 } } }
              - { at: 2s, name: "5. remove gen1", reload: { control: CONTROL, trust: [../drill-pki/gen2/root.pem] } }
        """, thresholds: slo, socket: gateway.socket))
        let passed = try CLI.run(["run", safe, "--quiet"])
        #expect(passed.status == 0, "\(passed.stdout)\(passed.stderr)")
        #expect(passed.stdout.contains("✓ windows == 0"))
        _ = try ControlEndpoint.send("reload trust=\(Self.pki.cert("gen1-root"))", to: gateway.socket)
        let json = TestPKI.scratch("gate-unsafe") + "/r.json"
        let unsafe = try ProfileFixtures.write("gate-unsafe", Self.rotationProfile(port: gateway.server.port, steps: """
              - { at: 1s, name: "3. gen2 leaves too early", clients: { weights: { gen2-client: 100 } } }
              - { at: 2s, name: "1. add gen2 too late", reload: { control: CONTROL, trust: [../drill-pki/trust/gen1+gen2.pem] } }
        """, thresholds: ["windows == 1", "max_window < 1s"], socket: gateway.socket))
        let caught = try CLI.run(["run", unsafe, "--quiet", "--json", json])
        #expect(caught.status == 1, "\(caught.stdout)\(caught.stderr)")
        let report = try RunReport.read(from: json)
        #expect(report.thresholds?.first { $0.expr == "windows == 1" }?.passed == true, "one window: \(report.rotation?.summary ?? "")")
        #expect(report.thresholds?.first { $0.expr == "max_window < 1s" }?.passed == false)
        #expect(report.profile?.sha256.count == 64 && report.profile?.path == unsafe)
    }

    // MARK: exclusivity

    @Test("a second serve on a busy port exits 2 and the first keeps every attempt")
    func exclusivePort() throws {
        let port = LoopbackPort.free()
        let socket = TestPKI.scratch("gate-port") + "/gw.sock"
        let serve = ["serve", "--cert", Self.pki.cert("gen1-server"), "--key", Self.pki.key("gen1-server"), "--trust", Self.pki.cert("gen1-root"),
                     "--quiet", "--duration", "30s", "--workers", "2"]
        let first = try ServerProcess(CLI.binary, serve + ["--listen", "127.0.0.1:\(port)", "--control", "unix:\(socket)"], port: port)
        defer { first.stop() }
        let second = try CLI.run(serve + ["--listen", "127.0.0.1:\(port)", "--duration", "3s"])
        #expect(second.status == 2, "\(second.stdout)\(second.stderr)")
        #expect(second.stderr.contains("127.0.0.1:\(port) is already in use by another process"))
        let load = try CLI.run(["run", "--target", "127.0.0.1:\(port)", "--sni", "localhost", "--handshakes", "200", "--concurrency", "8", "--quiet"]
                               + Self.identity() + ["--expect", "accepted"])
        #expect(load.status == 0, "\(load.stdout)\(load.stderr)")
        let stats = try ControlEndpoint.send("stats", to: socket)
        #expect(stats.contains("\"accepted\":200"), "the first gateway saw every attempt: \(stats)")
    }

    @Test("control socket: live refused, stale replaced, regular file kept, mode 0600, removed on exit only if ours")
    func controlSocketPath() throws {
        let directory = TestPKI.scratch("gate-control")
        let server = try BuiltInGateway.start(BuiltInGateway.settings())
        defer { server.stop() }
        let path = directory + "/control.sock"
        let live = try ControlEndpoint(path: path, server: server, log: { _ in })
        var info = stat()
        #expect(lstat(path, &info) == 0 && info.st_mode & 0o777 == 0o600, "mode \(String(info.st_mode & 0o777, radix: 8))")
        #expect(throws: TLSDrillError.self) { try ControlEndpoint(path: path, server: server, log: { _ in }) }
        do { _ = try ControlEndpoint(path: path, server: server, log: { _ in }) } catch let error as TLSDrillError {
            #expect(error.description.contains("a running gateway answers on it"))
        }
        #expect(try ControlEndpoint.send("stats", to: path).contains("generation"), "the first one still answers")
        live.stop()
        #expect(lstat(path, &info) != 0, "removed on stop")

        // A stale socket (bound, never unlinked, nobody listening) is replaced.
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = try UnixSocket.address(path)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        close(stale)
        let replacing = try ControlEndpoint(path: path, server: server, log: { _ in })
        #expect(try ControlEndpoint.send("stats", to: path).contains("generation"))
        // Someone else's socket moved into place is not ours to remove.
        try FileManager.default.removeItem(atPath: path)
        try "not a socket".write(toFile: path, atomically: false, encoding: .utf8)
        replacing.stop()
        #expect(FileManager.default.fileExists(atPath: path), "a file that is no longer our socket is left alone")
        // A regular file at the path is refused and kept.
        #expect(throws: TLSDrillError.self) { try ControlEndpoint(path: path, server: server, log: { _ in }) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "not a socket")
    }

    // MARK: expiry as a gate

    @Test("an identity whose intermediate expires in 5 days fails min_days_left: 30; --at +10d forecasts the class change")
    func expiryGate() throws {
        var options = DrillPKI.Options()
        options.intermediateValidityDays = 5
        let directory = TestPKI.scratch("gate-expiry")
        let short = try DrillPKI.create(at: directory + "/pki", options: options)
        var settings = ServerTLSSettings(certFile: Self.pki.cert("gen1-server"), keyFile: Self.pki.key("gen1-server"))
        settings.trustFiles = [short.cert("gen1-root")]
        let server = try BuiltInGateway.start(settings)
        defer { server.stop() }
        let profilePath = directory + "/profile.yaml"
        try """
        targets:
          - { name: local, address: 127.0.0.1:\(server.port), sni: localhost, ca: \(Self.pki.cert("gen1-root")) }
        identities:
          - { name: short-client, cert: pki/gen1/client.pem, key: pki/gen1/client.key, expect: accept, min_days_left: 30 }
        validate: { attempts: 4 }
        """.write(toFile: profilePath, atomically: true, encoding: .utf8)
        let validation = try CLI.run(["validate", profilePath, "--quiet", "--json", directory + "/v.json"])
        #expect(validation.status == 1, "\(validation.stdout)")
        #expect(validation.stdout.contains("FAIL  identities  short-client chain valid ≥ 30 days"))
        #expect(validation.stdout.contains("intermediate CN=tlsdrill gen1 Intermediate CA"), "\(validation.stdout)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/v.json"))) as! [String: Any]
        let checks = json["checks"] as! [[String: Any]]
        #expect(checks.contains { $0["id"] as? String == "identity-min-days-left" && $0["passed"] as? Bool == false })
        let cells = json["cells"] as! [[String: Any]]
        #expect((cells.first?["evidence"] as? [String: [String: Int]])?["accepted"]?.values.reduce(0, +) == 4, "passing cells carry evidence")

        let intermediate = try Certificate.loadPEMFile(short.cert("gen1-client"))[1]
        let forecast = try CLI.run(["validate", profilePath, "--at", "+10d"])
        #expect(forecast.status == 1, "\(forecast.stdout)")
        #expect(forecast.stdout.contains("no traffic is sent as of the future"))
        #expect(forecast.stdout.contains("short-client → client-cert-expired from \(Timestamp.rfc3339(intermediate.notAfter))"), "\(forecast.stdout)")
        #expect(forecast.stdout.contains("intermediate CN=tlsdrill gen1 Intermediate CA"))
        let soon = try CLI.run(["validate", profilePath, "--at", "+2d"])
        #expect(soon.status == 0, "nothing expires within 2 days: \(soon.stdout)")
    }
}
