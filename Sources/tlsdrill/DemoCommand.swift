import ArgumentParser
import Foundation
import TLSDrill

/// `tlsdrill demo`: the whole job in one command, no gateway of your own needed.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Make a throwaway PKI, start the built-in gateway, drill it with a mixed population, report, clean up.",
        discussion: ExitStatus.helpText)

    @Option(help: "How long to run the load.")
    var duration = "10s"

    @Option(help: "Attempts in flight.")
    var concurrency = 50

    @Option(help: "Client population as NAME=WEIGHT,... (gen1-client, gen2-client, gen1-client-expired, gen1-client-not-yet-valid, gen1-client-serverauth-only, self-signed-client, no-cert, ...).")
    var mix = "gen1-client=80,gen2-client=5,gen1-client-expired=5,gen1-client-serverauth-only=5,no-cert=5"

    @Option(help: "How the gateway rejects: alert, generic-alert or http.")
    var reject = "alert"

    @Option(help: "TLS versions: auto, 1.2 or 1.3.")
    var tls = "auto"

    @Option(help: "Where to write the JSON report (none by default).")
    var json: String?

    @Option(help: "Write the self-contained HTML report here.")
    var html: String?

    @Option(help: "Client SAN the gateway allows (repeatable; exact, or a prefix ending in / or *); other SANs get alert 46, so e.g. gen1-client-wrong-san is rejected.")
    var allowClientSan: [String] = []

    @Flag(help: "No live status line.")
    var quiet = false

    @OptionGroup var gate: GateOptions
    @OptionGroup var metrics: MetricsOptions

    func run() throws {
        let (result, report, verdict) = try reportingFailures { () -> (RunResult, RunReport, (status: ExitStatus, reasons: [String])) in
            let runGate = RunGate(thresholds: try gate.parsed(), expect: nil, defaultThreshold: !gate.noDefaultThreshold, expectsRejections: false)
            try OutputPaths.checkFile(json, flag: "--json")
            try OutputPaths.checkFile(html, flag: "--html")
            var options = DemoScenario.Options()
            options.duration = try DurationText.parse(duration, flag: "--duration", in: OptionRange.runDuration)
            try OptionRange.check(concurrency, flag: "--concurrency", in: OptionRange.concurrency)
            options.concurrency = concurrency
            options.mix = try IdentityMixSpec.parse(mix, flag: "--mix")
            options.reject = try choice(reject, flag: "--reject")
            options.tls = try choice(tls, flag: "--tls")
            options.allowedClientSANs = allowClientSan
            options.publishesMetrics = metrics.metricsListen != nil
            let demo = try DemoScenario(options: options)
            defer { demo.tearDown() }
            print("tlsdrill demo: built-in gateway on \(demo.gatewayAddress) trusts gen1 and rejects with '\(options.reject.rawValue)'; drilling for \(duration) with \(mix)")
            fflush(nil)  // all streams: `stdout` is shared mutable state to Swift 6
            try runGate.thresholds.checkIdentities(options.mix.entries.map(\.name))
            let result = try metrics.serving(demo.load) { try RunSession(runner: demo.load, quiet: quiet).run() }
            var report = result.report()
            let verdict = runGate.judge(&report)
            return (result, report, verdict)
        }
        print(TerminalReport.render(report, identityOrder: result.identityNames), terminator: "")
        print((report.thresholds ?? []).render(), terminator: "")
        if let json {
            try reportingFailures { try report.write(to: json) }
            print("  JSON report: \(json)")
        }
        if let html {
            try reportingFailures { try HTMLReport.write(report, to: html) }
            print("  HTML report: \(html)")
        }
        try finish(verdict)
    }
}
