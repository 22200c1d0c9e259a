import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import TLSDrill

/// Live Prometheus metrics: exact after the run, scraped by a real Prometheus during it.
@Suite("Live metrics", .serialized)
struct MetricsTests {
    /// GET over loopback, body as text.
    static func get(_ url: String) throws -> String {
        let done = DispatchSemaphore(value: 0)
        let body = ResponseBody()
        let task = URLSession.shared.dataTask(with: URL(string: url)!) { data, _, _ in
            body.set(data.map { String(decoding: $0, as: UTF8.self) })
            done.signal()
        }
        task.resume()
        guard done.wait(timeout: .now() + 10) == .success, let text = body.get() else {
            throw ServerProcess.Failure.didNotListen(url, log: "no answer")
        }
        return text
    }

    /// `metric{labels} value` lines of an exposition whose name and labels contain every needle, summed.
    static func sum(_ exposition: String, _ needles: String...) -> Double {
        exposition.split(separator: "\n").filter { line in !line.hasPrefix("#") && needles.allSatisfy { line.contains($0) } }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }

    /// After the run the endpoint's counters equal the report's exactly, per identity and class, and the
    /// phase histograms count every attempt that reached the phase; rotation steps appear with their outcome.
    @Test func scrapeAfterTheRunMatchesTheReportExactly() throws {
        let gateway = try RotationTests.gateway()
        defer { gateway.stop() }
        let text = RotationTests.profile(port: gateway.server.port, socket: gateway.socket, duration: "1500ms", steps: """
                - { at: 500ms, name: "gen2 out", clients: { weights: { gen1-client: 0, gen2-client: 100 } } }
                - { at: 1s, name: "trust gen2", reload: { control: CONTROL, trust: [../drill-pki/trust/gen1+gen2.pem] } }
            """)
        let profile = try Profile.load(try ProfileFixtures.write("metrics-rotation", text))
        var settings = RunSettings(target: try TargetAddress.resolve(profile.document.targets[0].address))
        settings.tls = Profile.tlsSettings(profile.document.targets[0], version: .auto, address: settings.target)
        settings.hostHeader = "localhost"
        profile.document.load.apply(to: &settings)
        settings.publishesMetrics = true
        let plan = try RunPlan.fromProfile(profile, target: profile.document.targets[0], settings: settings)
        let runner = try plan.makeRunner()
        let live = try #require(runner.liveMetrics)
        let server = try MetricsServer.start(listen: "127.0.0.1:0") { live.scrape() }
        defer { server.stop() }
        let result = try runner.run()
        let report = plan.report(result)
        let exposition = try Self.get("http://\(server.address)/metrics")
        #expect(Self.sum(exposition, "tlsdrill_attempts_total{") == Double(result.attempts))
        for name in ["gen1-client", "gen2-client"] {
            for (outcome, count) in report.identities[name]?.outcomes ?? [:] {
                #expect(Self.sum(exposition, "tlsdrill_attempts_total{", "class=\"\(outcome)\"", "identity=\"\(name)\"") == Double(count), "\(name) \(outcome)")
            }
        }
        #expect(Self.sum(exposition, "tlsdrill_phase_seconds_count{", "phase=\"total\"") == Double(result.attempts))
        #expect(Self.sum(exposition, "tlsdrill_phase_seconds_count{", "phase=\"handshake\"") == Double(report.latencyUs["handshake"]?.count ?? 0))
        let handshakeSum = Self.sum(exposition, "tlsdrill_phase_seconds_sum{", "phase=\"handshake\"")
        let meanFromReport = (report.latencyUs["handshake"]?.mean ?? 0) / 1e6 * Double(report.latencyUs["handshake"]?.count ?? 0)
        #expect(abs(handshakeSum - meanFromReport) / meanFromReport < 0.02, "sum \(handshakeSum) vs \(meanFromReport)")
        #expect(exposition.contains("tlsdrill_rotation_step_info{step=\"trust gen2\",outcome=\"ok\""), "\(exposition)")
        #expect(exposition.contains("tlsdrill_run_info{version=\"\(TLSDrillVersion.current)\""))
        let notFound = try Self.get("http://\(server.address)/other")
        #expect(!notFound.contains("tlsdrill_"))
    }

    /// With `--resume`, the metrics split full vs resumed like the report: session kinds per identity, and
    /// each phase's histogram under `session="full"` or `session="resumed"`.
    @Test func resumedAndFullSessionsAreSplit() throws {
        var gatewaySettings = BuiltInGateway.settings()
        gatewaySettings.tickets = true
        let gateway = try BuiltInGateway.start(gatewaySettings)
        defer { gateway.stop() }
        var settings = try Drill.settings(port: gateway.port, tls: .tls13)
        settings.resume = 0.5
        settings.tls.resumption = true
        settings.handshakes = 300
        settings.concurrency = 8
        settings.publishesMetrics = true
        let runner = try LoadRunner(settings: settings, identities: [
            WeightedIdentity(context: try ClientTLSContext(identity: try Drill.identity("gen1-client"), settings: settings.tls))])
        let result = try runner.run()
        let exposition = String(decoding: try #require(runner.liveMetrics).scrape(), as: UTF8.self)
        let resumed = result.resumptionCount(.resumed)
        #expect(resumed > 100)
        #expect(Self.sum(exposition, "tlsdrill_resumption_attempts_total{", "kind=\"resumed\"", "identity=\"gen1-client\"") == Double(resumed))
        #expect(Self.sum(exposition, "tlsdrill_resumption_attempts_total{", "kind=\"full\"") == Double(result.resumptionCount(.full)))
        #expect(Self.sum(exposition, "tlsdrill_phase_seconds_count{", "phase=\"handshake\"", "session=\"resumed\"") == Double(resumed))
        #expect(Self.sum(exposition, "tlsdrill_phase_seconds_count{", "phase=\"total\"", "session=\"full\"") == Double(result.attempts - resumed))
    }

    /// `tlsdrill serve --metrics-listen`: verdicts by reason, handshake seconds and the reload generation,
    /// as the gateway process itself serves them.
    @Test func serveExposesVerdictsHandshakesAndReloadGeneration() throws {
        let pki = TestPKI.shared
        let port = LoopbackPort.free()
        let metricsPort = LoopbackPort.free()
        let socket = TestPKI.scratch("metrics-serve") + "/gw.sock"
        let serve = try ServerProcess(CLI.binary, ["serve", "--listen", "127.0.0.1:\(port)", "--cert", pki.cert("gen1-server"),
                                                   "--key", pki.key("gen1-server"), "--trust", pki.cert("gen1-root"), "--quiet",
                                                   "--duration", "60s", "--control", "unix:\(socket)",
                                                   "--metrics-listen", "127.0.0.1:\(metricsPort)"], port: port)
        defer { serve.stop() }
        #expect(LoopbackPort.waitUntilListening(metricsPort))
        for (identity, handshakes) in [("gen1-client", 40), ("gen2-client", 10)] {
            _ = try CLI.run(["run", "--target", "127.0.0.1:\(port)", "--sni", "localhost", "--ca", pki.cert("gen1-root"), "--cert", pki.cert(identity),
                             "--key", pki.key(identity), "--handshakes", "\(handshakes)", "--concurrency", "4", "--quiet", "--no-default-threshold"])
        }
        _ = try ControlEndpoint.send("reload trust=\(pki.cert("gen1-root"))", to: socket)
        let exposition = try Self.get("http://127.0.0.1:\(metricsPort)/metrics")
        #expect(Self.sum(exposition, "tlsdrill_gateway_connections_total{", "verdict=\"accepted\"") == 40, "\(exposition)")
        #expect(Self.sum(exposition, "tlsdrill_gateway_connections_total{", "verdict=\"rejected-unknown-ca\"") == 10)
        #expect(Self.sum(exposition, "tlsdrill_gateway_handshake_seconds_count{") == 50)
        #expect(Self.sum(exposition, "tlsdrill_gateway_reload_generation{") == 2)
    }

    @Test func aBusyMetricsPortIsAOneLineError() throws {
        let first = try MetricsServer.start(listen: "127.0.0.1:0") { [] }
        defer { first.stop() }
        let pki = TestPKI.shared
        let output = try CLI.run(["run", "--target", "127.0.0.1:9", "--cert", pki.cert("gen1-client"), "--key", pki.key("gen1-client"),
                                  "--duration", "1s", "--no-preflight", "--metrics-listen", first.address])
        #expect(output.status == 2)
        #expect(output.stderr.contains("\(first.address) is already in use"), "\(output.stderr)")
    }

    /// A real Prometheus scrapes a running `tlsdrill run` and the built-in gateway every second; what it
    /// stored matches the final JSON report within one scrape interval (and the gateway's count, scraped
    /// after the run, exactly).
    @Test(Tools.needs("prometheus")) func prometheusScrapesWhatTheReportSays() throws {
        let gatewayServer = try BuiltInGateway.start(BuiltInGateway.settings())
        defer { gatewayServer.stop() }
        let gatewayMetrics = GatewayMetrics(server: gatewayServer)
        let gatewayEndpoint = try MetricsServer.start(listen: "127.0.0.1:0") { gatewayMetrics.scrape() }
        defer { gatewayEndpoint.stop() }
        let clientPort = LoopbackPort.free()
        let prometheusPort = LoopbackPort.free()
        let directory = TestPKI.scratch("prometheus")
        try """
            global: { scrape_interval: 1s, scrape_timeout: 900ms }
            scrape_configs:
              - { job_name: client, static_configs: [ { targets: ["127.0.0.1:\(clientPort)"] } ] }
              - { job_name: gateway, static_configs: [ { targets: ["\(gatewayEndpoint.address)"] } ] }
            """.write(toFile: directory + "/prometheus.yml", atomically: true, encoding: .utf8)
        let prometheus = try ServerProcess("prometheus", ["--config.file=\(directory)/prometheus.yml", "--storage.tsdb.path=\(directory)/data",
                                                          "--web.listen-address=127.0.0.1:\(prometheusPort)", "--log.level=warn"],
                                           port: prometheusPort)
        defer { prometheus.stop() }
        let pki = TestPKI.shared
        let rate = 150.0
        let output = try CLI.run(["run", "--target", gatewayServer.address, "--sni", "localhost", "--ca", pki.cert("gen1-root"),
                                  "--cert", pki.cert("gen1-client"), "--key", pki.key("gen1-client"), "--rate", "\(Int(rate))",
                                  "--duration", "6s", "--quiet", "--metrics-listen", "127.0.0.1:\(clientPort)", "--json", directory + "/run.json"])
        #expect(output.status == 0, "\(output.stderr)")
        let report = try RunReport.read(from: directory + "/run.json")
        Thread.sleep(forTimeInterval: 2.5)  // the gateway's next scrapes happen after the run
        func query(_ expression: String) throws -> Double {
            let encoded = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let body = try Self.get("http://127.0.0.1:\(prometheusPort)/api/v1/query?query=\(encoded)")
            let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
            let result = ((json?["data"] as? [String: Any])?["result"] as? [[String: Any]])?.first
            let value = (result?["value"] as? [Any])?.last as? String
            return try #require(value.flatMap(Double.init), "\(expression): \(body)")
        }
        let attempts = try query("sum(last_over_time(tlsdrill_attempts_total{job=\"client\"}[5m]))")
        let accepted = try query("sum(last_over_time(tlsdrill_attempts_total{job=\"client\",class=\"accepted\"}[5m]))")
        let handshakes = try query("sum(last_over_time(tlsdrill_phase_seconds_count{job=\"client\",phase=\"handshake\"}[5m]))")
        let oneInterval = rate * 1.0 * 1.25  // one scrape interval of attempts, with scheduling slack
        #expect(attempts <= Double(report.attempts) && Double(report.attempts) - attempts <= oneInterval, "\(attempts) vs \(report.attempts)")
        #expect(Double(report.outcomes["accepted"] ?? 0) - accepted <= oneInterval)
        #expect(Double(report.latencyUs["handshake"]?.count ?? 0) - handshakes <= oneInterval)
        let gatewayAccepted = try query("sum(last_over_time(tlsdrill_gateway_connections_total{verdict=\"accepted\"}[5m]))")
        #expect(gatewayAccepted == Double(report.outcomes["accepted"] ?? -1), "gateway \(gatewayAccepted) vs \(report.outcomes)")
        let generation = try query("last_over_time(tlsdrill_gateway_reload_generation[5m])")
        #expect(generation == 1)
    }
}

/// A response body handed over from URLSession's thread.
final class ResponseBody: @unchecked Sendable {
    private let lock = NSLock()
    private var text: String?
    func set(_ value: String?) { lock.withLock { text = value } }
    func get() -> String? { lock.withLock { text } }
}
