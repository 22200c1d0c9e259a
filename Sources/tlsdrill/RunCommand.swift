import ArgumentParser
import Foundation
import TLSDrill

/// `tlsdrill run`: one identity against one target, bounded by count and/or time.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run concurrent mTLS handshakes against a gateway and classify every outcome.",
        discussion: ExitStatus.helpText)

    @Argument(help: "Profile (YAML) to run; flags given override its fields.")
    var profile: String?

    @Option(help: "Which of the profile's targets to drill (default: the first).")
    var targetName: String?

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var load: LoadOptions
    @OptionGroup var gate: GateOptions
    @OptionGroup var shard: ShardOptions
    @OptionGroup var metrics: MetricsOptions

    @Option(help: "Write the JSON report (schema tlsdrill.report/v1) here, atomically; also on Ctrl-C.")
    var json: String?

    @Option(help: "Write each phase's HdrHistogram percentile distribution (PHASE.hgrm) into this directory.")
    var hdrDir: String?

    @Option(help: "Exit 1 unless every attempt ends in this class (e.g. accepted, client-cert-expired).")
    var expect: String?

    @Flag(help: "Skip the single TCP connect that checks the target is reachable before the load.")
    var noPreflight = false

    @Option(help: "Write a self-contained HTML report (timeline by class with rotation steps, latency percentile curves).")
    var html: String?

    @Flag(help: "No live status line.")
    var quiet = false

    /// Profile (if any), then flags, into one plan.
    private func makePlan() throws -> RunPlan {
        let loaded = try profile.map(Profile.load)
        let targetSpec = try loaded?.target(named: targetName)
        guard let address = connection.target ?? targetSpec?.address else {
            throw TLSDrillError.conflictingOptions("no target: pass --target HOST:PORT or a profile")
        }
        let target = try TargetAddress.resolve(address)
        var settings = RunSettings(target: target)
        settings.tls = targetSpec.map { Profile.tlsSettings($0, version: $0.tls.first ?? .auto, address: target) }
            ?? ClientTLSSettings.defaults(for: target)
        if let targetSpec, targetSpec.tls.count > 1, connection.tls == nil {
            let versions = targetSpec.tls.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("tlsdrill: \(targetSpec.name) lists TLS \(versions); this run uses \(targetSpec.tls[0].rawValue) (--tls chooses; validate runs each)\n".utf8))
        }
        try connection.apply(to: &settings.tls)
        settings.hostHeader = settings.tls.serverName ?? target.host
        loaded?.document.load.apply(to: &settings)
        try load.apply(to: &settings)
        settings.tls.resumption = settings.resume > 0 || (loaded?.document.identities.contains { ($0.resume ?? 0) > 0 } ?? false)
        try settings.validate()
        try shard.apply(to: &settings)
        settings.publishesMetrics = metrics.metricsListen != nil
        if let loaded, let targetSpec, !connection.namesIdentity {
            return try RunPlan.fromProfile(loaded, target: targetSpec, settings: settings)
        }
        return RunPlan(settings: settings, identities: [WeightedIdentity(context: try ClientTLSContext(identity: try connection.identity(), settings: settings.tls))])
    }

    func run() throws {
        let (result, report, verdict) = try reportingFailures { () -> (RunResult, RunReport, (status: ExitStatus, reasons: [String])) in
            let expected = try expect.map { value -> OutcomeClass in
                guard let outcome = OutcomeClass(rawValue: value) else {
                    throw TLSDrillError.invalidOption(flag: "--expect", value: value, expected: "not a class; `tlsdrill classes` lists them")
                }
                return outcome
            }
            let flagThresholds = try gate.parsed()
            try OutputPaths.checkFile(json, flag: "--json")
            try OutputPaths.checkFile(html, flag: "--html")
            try OutputPaths.checkDirectory(hdrDir, flag: "--hdr-dir")
            let plan = try makePlan()
            let runGate = RunGate(thresholds: plan.thresholds + flagThresholds, expect: expected,
                                  defaultThreshold: !gate.noDefaultThreshold, expectsRejections: plan.expectsRejections)
            try runGate.thresholds.checkIdentities(plan.identities.map(\.context.identity.name))
            let runner = try plan.makeRunner()
            if !noPreflight { try Preflight.checkReachable(plan.settings.target, timeout: plan.settings.connectTimeout) }
            try plan.prepareGateway { step in
                FileHandle.standardError.write(Data("tlsdrill: before the load: \(step.name) — \(step.outcome == .ok ? "" : step.outcome.rawValue + ": ")\(step.detail)\n".utf8))
            }
            let result = try metrics.serving(runner) { try RunSession(runner: runner, quiet: quiet).run() }
            var report = plan.report(result)
            let verdict = runGate.judge(&report)
            return (result, report, verdict)
        }
        print(TerminalReport.render(report, identityOrder: result.identityNames), terminator: "")
        ReportOutput.printVerdicts(report)
        try ReportOutput.write(report, json: json, html: html) {
            if let hdrDir { try result.writeHdrDistributions(to: hdrDir) }
        }
        try finish(verdict)
    }
}
