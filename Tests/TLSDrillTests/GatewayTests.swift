import Foundation
import Testing
@testable import TLSDrill

/// `tlsdrill serve`'s gateway, and tlsdrill's diagnosis against each of its rejection styles.
@Suite("Built-in gateway", .serialized)
struct GatewayTests {
    @Test("each --reject mode × TLS version × client defect is diagnosed right",
          arguments: RejectMode.allCases, [TLSVersionChoice.tls12, .tls13])
    func rejectModes(reject: RejectMode, tls: TLSVersionChoice) throws {
        let server = try BuiltInGateway.start(BuiltInGateway.settings(reject: reject))
        defer { server.stop() }
        for (identity, expected) in ClientDefectMatrixTests.expectations {
            let result = try Drill.run(port: server.port, identity: identity, tls: tls)
            #expect(result.count(expected) == 3, "reject \(reject.rawValue) TLS \(tls.rawValue) \(identity ?? "no-cert"): expected \(expected.rawValue), got \(result.classSummary)")
        }
        let counts = server.counts()
        #expect(counts[.accepted] == 3 && counts[.rejectedExpired] == 3 && counts[.rejectedUnknownCA] == 6 && counts[.rejectedNoCertificate] == 3,
                "gateway counters \(counts)")
    }

    @Test("a SAN allow-list rejects other identities with alert 46 → client-cert-san-rejected")
    func sanAllowList() throws {
        var settings = BuiltInGateway.settings()
        settings.allowedClientSANs = ["spiffe://cluster.local/ns/drill/"]
        let server = try BuiltInGateway.start(settings)
        defer { server.stop() }
        let allowed = try Drill.run(port: server.port, identity: "gen1-client")
        #expect(allowed.count(.accepted) == 3, "\(allowed.classSummary)")
        let other = try Drill.run(port: server.port, identity: "gen1-client-wrong-san")
        #expect(other.count(.clientCertSANRejected) == 3, "\(other.classSummary)")
        #expect(other.evidence(for: .clientCertSANRejected).first?.0.contains("alert 46 certificate_unknown") == true)
    }

    @Test("trust reloads under load: adding gen2 loses nothing, removing gen1 fails gen1 from that moment")
    func reloadUnderLoad() throws {
        let server = try BuiltInGateway.start(BuiltInGateway.settings(trust: ["gen1-root"]), workers: 1)
        defer { server.stop() }
        var settings = try Drill.settings(port: server.port)
        settings.concurrency = 16
        settings.workers = 1
        settings.handshakes = nil
        settings.duration = 3.0
        settings.interval = 0.1
        let both = BuiltInGateway.settings(trust: ["trust-gen1+gen2"])
        let onlyGen2 = BuiltInGateway.settings(trust: ["gen2-root"])
        let start = Date()
        let secondReload = ReloadTime()
        DispatchQueue.global().asyncAfter(deadline: .now() + 1.0) { _ = try? server.reload(both) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 2.0) {
            secondReload.at = Date().timeIntervalSince(start)
            _ = try? server.reload(onlyGen2)
        }
        let result = try Drill.run(settings, identities: [("gen1-client", 1), ("gen2-client", 1)])
        let secondReloadAt = secondReload.at
        let report = result.report()
        #expect(server.context.generation == 3)
        var gen1FailuresBefore = 0
        var gen1FailuresAfter = 0
        var gen2AcceptedAfterFirstReload = 0
        for entry in report.timeline {
            let gen1 = entry.identities["gen1-client"] ?? [:]
            let gen1Failed = gen1.filter { $0.key != "accepted" }.values.reduce(0, +)
            if entry.tS + settings.interval <= secondReloadAt { gen1FailuresBefore += gen1Failed }
            if entry.tS >= secondReloadAt + settings.interval {
                gen1FailuresAfter += gen1Failed
                #expect(gen1["accepted"] == nil, "gen1 accepted at \(entry.tS)s after trust moved to gen2 only (reload at \(secondReloadAt)s)")
                #expect(gen1Failed == 0 || gen1.keys.allSatisfy { $0 == "client-cert-unknown-ca" }, "\(gen1)")
            }
            if entry.tS >= 1.2 { gen2AcceptedAfterFirstReload += entry.identities["gen2-client"]?["accepted"] ?? 0 }
        }
        #expect(gen1FailuresBefore == 0, "gen1 must not fail while gen1 is trusted")
        #expect(gen1FailuresAfter > 50, "gen1 fails with unknown-ca after the second reload")
        #expect(gen2AcceptedAfterFirstReload > 50, "gen2 accepted once gen2 is trusted")
    }

    @Test("a bad reload keeps serving with the old context")
    func badReload() throws {
        let server = try BuiltInGateway.start(BuiltInGateway.settings())
        defer { server.stop() }
        var broken = BuiltInGateway.settings()
        broken.keyFile = TestPKI.shared.key("gen2-server")
        #expect(throws: TLSDrillError.keyDoesNotMatchCertificate(key: broken.keyFile, certificate: broken.certFile)) { try server.reload(broken) }
        var missing = BuiltInGateway.settings()
        missing.trustFiles = ["/nonexistent/bundle.pem"]
        #expect(throws: TLSDrillError.missingFile(path: "/nonexistent/bundle.pem")) { try server.reload(missing) }
        #expect(server.context.generation == 1)
        let result = try Drill.run(port: server.port, identity: "gen1-client")
        #expect(result.count(.accepted) == 3, "\(result.classSummary)")
    }

    @Test("the control socket reloads, reports stats and refuses bad reloads (tlsdrill serve)")
    func controlSocket() throws {
        let pki = TestPKI.shared
        let socketPath = TestPKI.scratch("control") + "/control.sock"
        let port = LoopbackPort.free()
        let serve = try ServerProcess(CLI.binary, ["serve", "--listen", "127.0.0.1:\(port)", "--cert", pki.cert("gen1-server"),
                                                   "--key", pki.key("gen1-server"), "--trust", pki.cert("gen1-root"),
                                                   "--control", "unix:\(socketPath)", "--quiet", "--duration", "60s"], port: port)
        defer { serve.stop() }
        let gen2Before = try Drill.run(port: port, identity: "gen2-client")
        #expect(gen2Before.count(.clientCertUnknownCA) == 3)
        #expect(try ControlEndpoint.send("reload trust=\(pki.cert("trust-gen1+gen2"))", to: socketPath) == "ok generation=2")
        let gen2After = try Drill.run(port: port, identity: "gen2-client")
        #expect(gen2After.count(.accepted) == 3, "\(gen2After.classSummary)")
        let refused = try ControlEndpoint.send("reload key=\(pki.key("gen2-server"))", to: socketPath)
        #expect(refused.hasPrefix("error: ") && refused.contains("does not match"), "\(refused)")
        #expect(try ControlEndpoint.send("stats", to: socketPath).contains("\"generation\":2"))
        kill(serve.pid, SIGHUP)
        usleep(300_000)
        #expect(try ControlEndpoint.send("stats", to: socketPath).contains("\"generation\":3"), "SIGHUP re-reads the paths")
    }

    @Test("--reload-from: editing the file reloads with its key=value overrides")
    func reloadFromFile() throws {
        let pki = TestPKI.shared
        let server = try BuiltInGateway.start(BuiltInGateway.settings())
        defer { server.stop() }
        let file = TestPKI.scratch("reload-file") + "/gateway.reload"
        try "".write(toFile: file, atomically: true, encoding: .utf8)
        let watcher = ReloadFileWatcher(path: file, server: server, log: { _ in })
        defer { watcher.stop() }
        try "# move trust to gen2\ntrust=\(pki.cert("gen2-root"))\n".write(toFile: file, atomically: true, encoding: .utf8)
        let deadline = Date().addingTimeInterval(5)
        while server.context.generation < 2 && Date() < deadline { usleep(50_000) }
        #expect(server.context.generation == 2)
        #expect(try Drill.run(port: server.port, identity: "gen2-client").count(.accepted) == 3)
    }

    @Test("demo runs end to end, writes JSON and leaves nothing behind")
    func demo() throws {
        let json = TestPKI.scratch("demo") + "/demo.json"
        let output = try CLI.run(["demo", "--duration", "2s", "--concurrency", "10", "--json", json])
        #expect(output.status == 0, "\(output.stderr)")
        for outcome in ["accepted", "client-cert-expired", "client-cert-unknown-ca", "client-cert-missing-clientauth", "client-cert-required"] {
            #expect(output.stdout.contains(outcome), "\(outcome) in the demo report")
        }
        let report = try RunReport.read(from: json)
        #expect(report.attempts > 50)
        #expect(Double(report.outcomes["accepted"] ?? 0) / Double(report.attempts) > 0.7)
        let port = try #require(output.stdout.split(separator: " ").first { $0.hasPrefix("127.0.0.1:") }.flatMap { UInt16($0.split(separator: ":")[1]) })
        #expect(!LoopbackPort.waitUntilListening(port, timeout: 0.2), "the gateway port is closed after the demo")
    }

    @Test("demo stops on Ctrl-C, still reports and cleans up")
    func demoInterrupted() throws {
        let json = TestPKI.scratch("demo-int") + "/demo.json"
        let output = try CLI.run(["demo", "--duration", "60s", "--concurrency", "10", "--json", json], interruptAfter: 1.5)
        #expect(output.status == 130, "interrupted exits 130: \(output.stderr)")
        #expect(try RunReport.read(from: json).interrupted)
        let port = try #require(output.stdout.split(separator: " ").first { $0.hasPrefix("127.0.0.1:") }.flatMap { UInt16($0.split(separator: ":")[1]) })
        #expect(!LoopbackPort.waitUntilListening(port, timeout: 0.2))
    }
}

/// When a reload happened (written once by the reload's queue before the run ends).
final class ReloadTime: @unchecked Sendable {
    var at = 0.0
}
