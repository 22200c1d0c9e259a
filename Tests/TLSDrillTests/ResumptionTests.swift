import Foundation
import Testing
@testable import TLSDrill

/// Clients that resume sessions: the share asked for is the share achieved, and the report splits counts
/// and latency by full vs resumed handshakes.
@Suite("Session resumption", .serialized)
struct ResumptionTests {
    static func resuming(port: UInt16, fraction: Double, tls: TLSVersionChoice, tickets: Bool = true, attempts: Int = 400) throws -> RunResult {
        try Drill.run(port: port, identity: "gen1-client", tls: tls) { settings in
            settings.resume = fraction
            settings.tls.resumption = true
            settings.tls.tickets = tickets
            settings.handshakes = attempts
            settings.concurrency = 16
        }
    }

    static func expectRatio(_ result: RunResult, _ fraction: Double, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let resumed = Double(result.resumptionCount(.resumed))
        #expect(result.count(.accepted) == result.attempts, "\(label): \(result.classSummary)", sourceLocation: sourceLocation)
        #expect(abs(resumed / Double(result.attempts) - fraction) <= 0.02,
                "\(label): \(Int(resumed)) of \(result.attempts) resumed, wanted \(fraction)", sourceLocation: sourceLocation)
        #expect(result.resumptionCount(.offeredRefused) * 10 < result.attempts, "\(label): few offers refused", sourceLocation: sourceLocation)
    }

    @Test("the resume schedule spreads a fraction evenly")
    func schedule() {
        var schedule = ResumeSchedule(fraction: 0.3)
        let picks = (0..<1000).map { _ in schedule.next() }
        #expect(picks.filter { $0 }.count == 300)
        #expect(picks.prefix(10).filter { $0 }.count == 3)
        var none = ResumeSchedule(fraction: 0)
        #expect(!(0..<10).contains { _ in none.next() })
    }

    @Test("built-in gateway with tickets: the requested share resumes, TLS 1.2 and 1.3; the report splits latency")
    func builtInTickets() throws {
        var settings = BuiltInGateway.settings()
        settings.tickets = true
        let server = try BuiltInGateway.start(settings)
        defer { server.stop() }
        for tls in [TLSVersionChoice.tls12, .tls13] {
            for fraction in [0.3, 0.8] {
                let result = try Self.resuming(port: server.port, fraction: fraction, tls: tls)
                Self.expectRatio(result, fraction, "serve TLS \(tls.rawValue) \(fraction)")
                let report = try #require(result.report().resumption)
                #expect(report.requested == fraction && abs(report.achieved - fraction) <= 0.02)
                #expect(report.latencyUs["resumed"]?["handshake"]?.count == UInt64(result.resumptionCount(.resumed)))
                #expect(report.latencyUs["full"]?["total"]?.count == UInt64(result.resumptionCount(.full) + result.resumptionCount(.offeredRefused)),
                        "offered-but-refused handshakes were full ones")
                #expect(report.identities["gen1-client"]?["resumed"] == result.resumptionCount(.resumed))
                #expect(report.identityLatencyUs["gen1-client"]?["resumed"]?["total"]?.count == UInt64(result.resumptionCount(.resumed)),
                        "per identity, the latency splits too")
            }
        }
        let half = try Self.resuming(port: server.port, fraction: 0.5, tls: .tls13, attempts: 100)
        let page = HTMLReport.render(half.report())
        #expect(page.contains("Session resumption: requested 0.5") && page.contains("<td>handshake</td><td>resumed</td>"))
        let text = TerminalReport.render(half)
        #expect(text.contains("Resumption: requested 0.50, achieved 0.") && text.contains("handshake, resumed"), "\(text)")
    }

    @Test("session IDs only (--tickets off) resume against a gateway session cache, and not without one")
    func sessionIDs() throws {
        var cached = BuiltInGateway.settings()
        cached.sessionCache = 1000
        let withCache = try BuiltInGateway.start(cached)
        defer { withCache.stop() }
        Self.expectRatio(try Self.resuming(port: withCache.port, fraction: 0.5, tls: .tls12, tickets: false), 0.5, "session cache")
        let without = try BuiltInGateway.start(BuiltInGateway.settings())
        defer { without.stop() }
        let refused = try Self.resuming(port: without.port, fraction: 0.5, tls: .tls12, tickets: false, attempts: 100)
        #expect(refused.resumptionCount(.resumed) == 0, "no cache, no tickets: nothing resumes")
        #expect(refused.count(.accepted) == refused.attempts, "a refused offer is still a full, accepted handshake")
    }

    @Test("nginx with session tickets: the requested share resumes, TLS 1.2 and 1.3", Tools.needs("nginx"))
    func nginxTickets() throws {
        let server = try NginxGateway.start(directory: TestPKI.scratch("nginx-resume"), clientCA: TestPKI.shared.cert("gen1-root"))
        defer { server.stop() }
        for tls in [TLSVersionChoice.tls12, .tls13] {
            Self.expectRatio(try Self.resuming(port: server.port, fraction: 0.5, tls: tls), 0.5, "nginx TLS \(tls.rawValue)")
        }
    }
}

/// The classic rotation hazard: after a trust reload the gateway keeps resuming sessions of a client it
/// no longer trusts — unless the reload rotates the ticket keys too.
@Suite("Resumption across a trust reload", .serialized)
struct ResumptionRotationTests {
    static func run(rotateKeys: Bool) throws -> RunReport {
        var settings = BuiltInGateway.settings(trust: ["trust-gen1+gen2"])
        settings.tickets = true
        let server = try BuiltInGateway.start(settings)
        let socket = TestPKI.scratch("resume-rotation") + "/control.sock"
        let endpoint = try ControlEndpoint(path: socket, server: server, log: { _ in })
        defer { endpoint.stop(); server.stop() }
        let text = """
        targets: [{ address: 127.0.0.1:\(server.port), sni: localhost, ca: ../drill-pki/gen1/root.pem }]
        identities: [{ name: gen1-client, cert: ../drill-pki/gen1/client.pem, key: ../drill-pki/gen1/client.key }]
        load: { concurrency: 8, duration: 2500ms, interval: 250ms, workers: 1, resume: 0.5 }
        rotation:
          steps:
            - { at: 1s, name: "remove gen1", reload: { control: \(socket), trust: [../drill-pki/gen2/root.pem], rotate_ticket_keys: \(rotateKeys) } }
        """
        let profile = try Profile.load(try ProfileFixtures.write("resume-rotation-\(rotateKeys)", text))
        var run = RunSettings(target: try TargetAddress.resolve("127.0.0.1:\(server.port)"))
        run.tls = Profile.tlsSettings(profile.document.targets[0], version: .tls13, address: run.target)
        run.hostHeader = "localhost"
        profile.document.load.apply(to: &run)
        run.tls.resumption = true
        let plan = try RunPlan.fromProfile(profile, target: profile.document.targets[0], settings: run)
        let result = try plan.makeRunner().run()
        return plan.report(result)
    }

    @Test("a trust reload that keeps the ticket keys: sessions of the distrusted identity still resume — named in the verdict")
    func keptKeys() throws {
        let report = try Self.run(rotateKeys: false)
        let rotation = try #require(report.rotation)
        #expect((rotation.resumedWhileRejected["gen1-client"] ?? 0) > 10,
                "\(rotation.summary) \(report.timeline.map { "\($0.tS): \($0.outcomes) resumed \($0.resumedAccepted)" })")
        #expect(rotation.summary.contains("sessions resumed after the gateway stopped trusting gen1-client"), "\(rotation.summary)")
        #expect(rotation.windows.count == 1 && rotation.windows[0].classes.keys.contains("client-cert-unknown-ca"))
    }

    @Test("a trust reload that rotates the ticket keys: nothing resumes after it")
    func rotatedKeys() throws {
        let report = try Self.run(rotateKeys: true)
        let rotation = try #require(report.rotation)
        #expect(rotation.resumedWhileRejected.isEmpty, "\(rotation.summary)")
        let after = report.timeline.filter { $0.tS >= 1.25 }
        #expect(after.allSatisfy { ($0.outcomes["accepted"] ?? 0) == 0 }, "no gen1 attempt is accepted once gen1 is distrusted")
    }
}
