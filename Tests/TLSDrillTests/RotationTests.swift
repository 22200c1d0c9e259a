import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import TLSDrill

/// Rotation drills under steady load: safe orders lose nothing, unsafe ones show a window where the step is.
@Suite("Rotation drills", .serialized)
struct RotationTests {
    /// A gateway with a control socket, and a profile body whose `CONTROL` and `PORT_0` are filled in.
    struct Gateway {
        let server: GatewayServer
        let endpoint: ControlEndpoint
        let socket: String
        func stop() {
            endpoint.stop()
            server.stop()
        }
    }

    static func gateway(server: String = "gen1-server", trust: [String] = ["gen1-root"]) throws -> Gateway {
        let gatewayServer = try BuiltInGateway.start(BuiltInGateway.settings(server: server, trust: trust), workers: 1)
        let socket = TestPKI.scratch("rotation-control") + "/control.sock"
        let endpoint = try ControlEndpoint(path: socket, server: gatewayServer, log: { _ in })
        return Gateway(server: gatewayServer, endpoint: endpoint, socket: socket)
    }

    static func profile(port: UInt16, socket: String, duration: String, steps: String, ca: String = "../drill-pki/gen1/root.pem",
                        concurrency: Int = 16, thresholds: [String] = []) -> String {
        """
        targets:
          - address: 127.0.0.1:\(port)
            sni: localhost
            ca: \(ca)
        identities:
          - name: gen1-client
            cert: ../drill-pki/gen1/client.pem
            key: ../drill-pki/gen1/client.key
            weight: 100
          - name: gen2-client
            cert: ../drill-pki/gen2/client.pem
            key: ../drill-pki/gen2/client.key
            weight: 0
        load: { concurrency: \(concurrency), duration: \(duration), interval: 100ms, workers: 1 }
        thresholds: [\(thresholds.map { "\"\($0)\"" }.joined(separator: ", "))]
        rotation:
          steps:
        \(steps.replacingOccurrences(of: "CONTROL", with: socket))
        """
    }

    static func run(_ name: String, _ text: String) throws -> (RunResult, RunReport) {
        let profile = try Profile.load(try ProfileFixtures.write(name, text))
        var settings = RunSettings(target: try TargetAddress.resolve(profile.document.targets[0].address))
        settings.tls = Profile.tlsSettings(profile.document.targets[0], version: .auto, address: settings.target)
        settings.hostHeader = "localhost"
        profile.document.load.apply(to: &settings)
        let plan = try RunPlan.fromProfile(profile, target: profile.document.targets[0], settings: settings)
        let result = try plan.makeRunner().run()
        return (result, plan.report(result))
    }

    @Test("the safe five-step order loses nothing, and the report says so")
    func safeOrder() throws {
        let gateway = try Self.gateway()
        defer { gateway.stop() }
        let steps = """
            - { at: 0.5s, name: "1. add gen2", reload: { control: CONTROL, trust: [../drill-pki/trust/gen1+gen2.pem] } }
            - { at: 1s, name: "2. verify", verify_ca_names: [../drill-pki/gen2/root.pem] }
            - { at: 1.5s, name: "3. issue gen2 leaves", clients: { weights: { gen2-client: 100 }, over: 1.5s } }
            - { at: 3.5s, name: "5. remove gen1", reload: { control: CONTROL, trust: [../drill-pki/gen2/root.pem] } }
        """
        let (result, report) = try Self.run("rotation-safe", Self.profile(port: gateway.server.port, socket: gateway.socket, duration: "4.5s", steps: steps))
        #expect(result.attempts > 200)
        #expect(result.count(.accepted) == result.attempts, "\(result.classSummary)")
        #expect(result.count(.accepted, identity: "gen1-client") > 50 && result.count(.accepted, identity: "gen2-client") > 50)
        let rotation = try #require(report.rotation)
        #expect(rotation.windows.isEmpty && rotation.summary == "no failures across 4 steps", "\(rotation.summary)")
        #expect(report.steps?.allSatisfy { $0.outcome == .ok } == true, "\(String(describing: report.steps))")
        #expect(gateway.server.context.generation == 3)
    }

    @Test("unsafe: leaves before trust → unknown-ca window from the step until trust arrives")
    func leavesBeforeTrust() throws {
        let gateway = try Self.gateway()
        defer { gateway.stop() }
        let steps = """
            - { at: 1s, name: "3. issue gen2 leaves", clients: { weights: { gen2-client: 100 } } }
            - { at: 2.5s, name: "1. add gen2", reload: { control: CONTROL, trust: [../drill-pki/trust/gen1+gen2.pem] } }
        """
        let (_, report) = try Self.run("rotation-leaves-first", Self.profile(port: gateway.server.port, socket: gateway.socket, duration: "3.5s", steps: steps))
        let window = try #require(report.rotation?.windows.first)
        #expect(report.rotation?.windows.count == 1)
        #expect(abs(window.startS - 1.0) <= 0.1 + 1e-9, "starts within one interval of the step: \(window.startS)")
        #expect(abs(window.endS - 2.5) <= 0.25, "ends when trust arrives: \(window.endS)")
        #expect(window.classes.keys.sorted() == ["client-cert-unknown-ca"])
        #expect(window.identities.keys.sorted() == ["gen2-client"])
        #expect(window.afterStep == "3. issue gen2 leaves")
    }

    @Test("unsafe: old CA removed while gen1 leaves remain → unknown-ca window for gen1")
    func oldCARemovedEarly() throws {
        let gateway = try Self.gateway(trust: ["trust-gen1+gen2"])
        defer { gateway.stop() }
        let steps = """
            - { at: 1s, name: "5. remove gen1 (too early)", reload: { control: CONTROL, trust: [../drill-pki/gen2/root.pem] } }
            - { at: 2s, name: "3. issue gen2 leaves", clients: { weights: { gen2-client: 100 } } }
        """
        let (_, report) = try Self.run("rotation-remove-early", Self.profile(port: gateway.server.port, socket: gateway.socket, duration: "3s", steps: steps))
        let window = try #require(report.rotation?.windows.first)
        #expect(abs(window.startS - 1.0) <= 0.1 + 1e-9, "\(window.startS)")
        #expect(abs(window.endS - 2.0) <= 0.25, "\(window.endS)")
        #expect(window.classes.keys.sorted() == ["client-cert-unknown-ca"] && window.identities.keys.sorted() == ["gen1-client"])
    }

    @Test("unsafe: stale client trust stores while the gateway's server cert moves to gen2 → server-cert-unknown-ca")
    func staleClientTrust() throws {
        let gateway = try Self.gateway(trust: ["trust-gen1+gen2"])
        defer { gateway.stop() }
        let pki = TestPKI.shared
        let steps = """
            - { at: 1s, name: "gateway serves a gen2 certificate", reload: { control: CONTROL, cert: \(pki.cert("gen2-server")), key: \(pki.key("gen2-server")) } }
            - { at: 2s, name: "client trust stores updated", client_trust: ../drill-pki/trust/gen1+gen2.pem }
        """
        let (_, report) = try Self.run("rotation-stale-trust", Self.profile(port: gateway.server.port, socket: gateway.socket, duration: "3s", steps: steps))
        let window = try #require(report.rotation?.windows.first)
        #expect(report.rotation?.windows.count == 1)
        #expect(abs(window.startS - 1.0) <= 0.1 + 1e-9, "\(window.startS)")
        #expect(abs(window.endS - 2.0) <= 0.25, "\(window.endS)")
        #expect(window.classes.keys.sorted() == ["server-cert-unknown-ca"], "\(window.classes)")
    }

    @Test("exec steps that fail or hang are reported and neither stop the load nor lose the report")
    func failingAndHangingExec() throws {
        let gateway = try Self.gateway()
        defer { gateway.stop() }
        let steps = """
            - { at: 0.3s, name: "exit 3", exec: "echo broken >&2; exit 3" }
            - { at: 0.5s, name: "hangs", exec: "sleep 30", timeout: 1s }
            - { at: 2.8s, name: "after the load", exec: "true" }
        """
        let started = Date()
        let (result, report) = try Self.run("rotation-exec", Self.profile(port: gateway.server.port, socket: gateway.socket, duration: "2s", steps: steps))
        #expect(Date().timeIntervalSince(started) < 8)
        #expect(result.count(.accepted) == result.attempts && result.elapsed >= 2)
        let records = try #require(report.steps)
        let failed = try #require(records.first { $0.name == "exit 3" })
        #expect(failed.outcome == .failed && failed.exitCode == 3 && failed.detail.contains("broken"))
        let hung = try #require(records.first { $0.name == "hangs" })
        #expect(hung.outcome == .timeout && hung.durationS >= 0.9 && hung.durationS < 3)
        #expect(records.first { $0.name == "after the load" }?.detail.contains("not run") == true)
        #expect(report.rotation?.summary == "no failures across 3 steps (3 of 3 steps failed)", "\(String(describing: report.rotation?.summary))")
        // The hung `sleep 30` was killed with its process group.
        #expect(try runProcess("/usr/bin/pgrep", ["-f", "^sleep 30$"]) != 0)
    }

    @Test("nginx driven by exec steps: a safe rotation loses nothing; an unsafe one shows the window via HTTP 400", Tools.needs("nginx"))
    func nginxRotation() throws {
        let directory = TestPKI.scratch("nginx-rotation")
        let pki = TestPKI.shared
        let bundle = directory + "/client-ca.pem"
        try FileManager.default.copyItem(atPath: pki.cert("gen1-root"), toPath: bundle)
        let server = try NginxGateway.start(directory: directory, clientCA: bundle)
        defer { server.stop() }
        let reload = "nginx -p \(directory) -c \(directory)/nginx.conf -s reload"
        let safeSteps = """
            - { at: 0.5s, name: "1. add gen2", exec: "cp \(pki.cert("trust-gen1+gen2")) \(bundle) && \(reload)" }
            - { at: 1.5s, name: "3. issue gen2 leaves", clients: { weights: { gen2-client: 100 }, over: 1s } }
        """
        let (safe, safeReport) = try Self.run("nginx-safe", Self.profile(port: server.port, socket: "", duration: "3s", steps: safeSteps))
        #expect(safe.count(.accepted) == safe.attempts, "\(safe.classSummary)")
        #expect(safeReport.steps?.first?.outcome == .ok, "\(String(describing: safeReport.steps))")
        let unsafeSteps = """
            - { at: 0s, name: "reset to gen1", exec: "cp \(pki.cert("gen1-root")) \(bundle) && \(reload)" }
            - { at: 1s, name: "3. issue gen2 leaves (too early)", clients: { weights: { gen2-client: 100 } } }
            - { at: 2s, name: "1. add gen2", exec: "cp \(pki.cert("trust-gen1+gen2")) \(bundle) && \(reload)" }
        """
        let (_, unsafeReport) = try Self.run("nginx-unsafe", Self.profile(port: server.port, socket: "", duration: "3s", steps: unsafeSteps))
        let window = try #require(unsafeReport.rotation?.windows.first)
        #expect(abs(window.startS - 1.0) <= 0.1 + 1e-9, "\(window.startS)")
        #expect(window.endS >= 2.0 && window.endS <= 2.6, "\(window.endS)")
        #expect(window.classes.keys.sorted() == ["client-cert-unknown-ca"], "nginx answers HTTP 400; the diagnosis still says unknown-ca: \(window.classes)")
    }

    @Test("a signal step sends SIGHUP to the PID in a pid file: tlsdrill serve re-reads its files")
    func signalStep() throws {
        let pki = TestPKI.shared
        let directory = TestPKI.scratch("signal-step")
        let socket = directory + "/control.sock"
        let port = LoopbackPort.free()
        let serve = try ServerProcess(CLI.binary, ["serve", "--listen", "127.0.0.1:\(port)", "--cert", pki.cert("gen1-server"),
                                                   "--key", pki.key("gen1-server"), "--trust", pki.cert("gen1-root"),
                                                   "--control", "unix:\(socket)", "--quiet", "--duration", "60s"], port: port)
        defer { serve.stop() }
        try "\(serve.pid)\n".write(toFile: directory + "/serve.pid", atomically: true, encoding: .utf8)
        let steps = """
            - { at: 0.3s, name: "reload by signal", signal: HUP, pid_file: \(directory)/serve.pid }
            - { at: 0.5s, name: "bad signal", signal: BOGUS, pid: \(serve.pid) }
        """
        let (result, report) = try Self.run("rotation-signal", Self.profile(port: port, socket: "", duration: "2s", steps: steps))
        #expect(result.count(.accepted) == result.attempts)
        #expect(report.steps?.first { $0.name == "reload by signal" }?.outcome == .ok, "\(String(describing: report.steps))")
        #expect(report.steps?.first { $0.name == "bad signal" }?.detail.contains("unknown signal") == true)
        #expect(try ControlEndpoint.send("stats", to: socket).contains("\"generation\":2"))
    }

    @Test("tlsdrill drill rotation: the safe order has no failures, the unsafe one a window; both reports written")
    func drillRotationCommand() throws {
        let reports = TestPKI.scratch("drill-rotation")
        let output = try CLI.run(["drill", "rotation", "--unit", "0.6", "--concurrency", "16", "--report-dir", reports, "--quiet"])
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.contains("Rotation: no failures across 4 steps"), "\(output.stdout)")
        #expect(output.stdout.contains("Rotation: 1 failure window"), "\(output.stdout)")
        let unsafe = try RunReport.read(from: reports + "/rotation-unsafe.json")
        #expect(unsafe.rotation?.windows.first?.classes.keys.sorted() == ["client-cert-unknown-ca"])
        #expect(FileManager.default.fileExists(atPath: reports + "/rotation-safe.html"))
    }

    @Test("the HTML report is one self-contained file with the timeline, step markers and latency curves")
    func htmlReport() throws {
        let gateway = try Self.gateway()
        defer { gateway.stop() }
        let steps = """
            - { at: 0.5s, name: "3. issue gen2 leaves", clients: { weights: { gen2-client: 100 } } }
            - { at: 1s, name: "1. add gen2", reload: { control: CONTROL, trust: [../drill-pki/trust/gen1+gen2.pem] } }
        """
        let (_, report) = try Self.run("rotation-html", Self.profile(port: gateway.server.port, socket: gateway.socket, duration: "1.5s", steps: steps))
        let html = HTMLReport.render(report)
        #expect(!html.contains("<script") && !html.contains("http://") || html.contains("xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http"))
        let svgStart = try #require(html.range(of: "<svg class=\"timeline\""))
        let svgEnd = try #require(html.range(of: "</svg>", range: svgStart.upperBound..<html.endIndex))
        let timeline = String(html[svgStart.lowerBound..<svgEnd.upperBound])
        let document = try XMLDocument(xmlString: timeline)
        let bars = try document.nodes(forXPath: "//*[local-name()='rect']")
        let failing = try document.nodes(forXPath: "//*[local-name()='rect'][@data-class='client-cert-unknown-ca']")
        #expect(bars.count >= report.timeline.count, "a bar per interval and class")
        #expect(!failing.isEmpty, "the failure window is drawn")
        #expect(try document.nodes(forXPath: "//*[local-name()='line'][@class='step']").count == 2, "one marker per step")
        let curves = html.components(separatedBy: "<polyline class=\"curve\"").count - 1
        #expect(curves == 4, "connect, handshake, verdict and total curves")
        // Titled axes with round ticks; steps as numbered flags, never text over the bars.
        #expect(try document.nodes(forXPath: "//*[local-name()='text'][@class='axis-title']").count == 2)
        let ticks = try document.nodes(forXPath: "//*[local-name()='text'][@class='ytick']").compactMap { Double($0.stringValue ?? "") }
        #expect(ticks.count >= 3 && ticks.allSatisfy { tick in [1.0, 2, 5].contains { tick == 0 || (tick / $0).rounded() == tick / $0 } }, "\(ticks)")
        #expect(try document.nodes(forXPath: "//*[local-name()='g'][@class='flag']").count == 2, "one numbered flag per step")
        #expect(!timeline.contains("rotate(-90 ") || timeline.components(separatedBy: "rotate(-90 ").count - 1 == 1, "only the y-axis title is rotated")
        // The failure window is shaded and labelled with its duration and lost attempts.
        let window = try #require(report.rotation?.windows.first)
        #expect(try document.nodes(forXPath: "//*[local-name()='rect'][@class='window']").count == report.rotation?.windows.count)
        #expect(timeline.contains("\(String(format: "%.1f", window.durationS))s window, \(window.attemptsLost) lost"))
        // Latency over time, per phase (CSS tabs, no script), and one small timeline per identity.
        #expect(html.components(separatedBy: "<svg class=\"latency-over-time\"").count - 1 == 4)
        #expect(html.contains("data-percentile=\"p99\"") && html.contains("data-percentile=\"p50\""))
        #expect(html.components(separatedBy: "<svg class=\"identity\"").count - 1 == 2)
        // accepted is the only green; the header says when, with what and how.
        #expect(Palette.classes.filter { $0.value == Palette.color(.accepted) }.count == 1)
        #expect(html.contains(report.startedAt) && html.contains(report.opensslVersion) && html.contains("settings"))
    }
}
