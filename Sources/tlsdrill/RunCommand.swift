import ArgumentParser
import Foundation
import TLSDrill

/// `tlsdrill run`: one identity against one target, bounded by count and/or time.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run concurrent mTLS handshakes against a gateway and classify every outcome.")

    @Argument(help: "Profile (YAML) to run; flags given override its fields.")
    var profile: String?

    @Option(help: "Which of the profile's targets to drill (default: the first).")
    var targetName: String?

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var load: LoadOptions

    @Option(help: "Write the JSON report (schema tlsdrill.report/v1) here, atomically; also on Ctrl-C.")
    var json: String?

    @Option(help: "Write each phase's HdrHistogram percentile distribution (PHASE.hgrm) into this directory.")
    var hdrDir: String?

    @Option(help: "Exit 1 unless every attempt ends in this class (e.g. accepted, client-cert-expired).")
    var expect: String?

    @Flag(help: "Skip the single TCP connect that checks the target is reachable before the load.")
    var noPreflight = false

    @Flag(help: "No live status line.")
    var quiet = false

    func run() throws {
        let result = try reportingFailures { () -> RunResult in
            _ = try expect.map { value -> OutcomeClass in
                guard let outcome = OutcomeClass(rawValue: value) else {
                    throw TLSDrillError.invalidOption(flag: "--expect", value: value, expected: "not a class; `tlsdrill classes` lists them")
                }
                return outcome
            }
            let loaded = try profile.map(Profile.load)
            let targetSpec = try loaded?.target(named: targetName)
            guard let address = connection.target ?? targetSpec?.address else {
                throw TLSDrillError.conflictingOptions("no target: pass --target HOST:PORT or a profile")
            }
            let target = try TargetAddress.resolve(address)
            var settings = RunSettings(target: target)
            settings.tls = targetSpec.map { Profile.tlsSettings($0, version: $0.tls.first ?? .auto, address: target) }
                ?? ClientTLSSettings.defaults(for: target)
            try connection.apply(to: &settings.tls)
            settings.hostHeader = settings.tls.serverName ?? target.host
            loaded?.document.load.apply(to: &settings)
            try load.apply(to: &settings)
            try settings.validate()
            let identities: [WeightedIdentity]
            if let loaded, !connection.namesIdentity {
                identities = try loaded.weightedIdentities(tls: settings.tls)
            } else {
                identities = [WeightedIdentity(context: try ClientTLSContext(identity: try connection.identity(), settings: settings.tls))]
            }
            let runner = try LoadRunner(settings: settings, identities: identities)
            if !noPreflight { try Preflight.checkReachable(target, timeout: settings.connectTimeout) }
            return try RunSession(runner: runner, quiet: quiet).run()
        }
        print(TerminalReport.render(result), terminator: "")
        try reportingFailures {
            if let json {
                try result.report().write(to: json)
                print("  JSON report: \(json)")
            }
            if let hdrDir { try result.writeHdrDistributions(to: hdrDir) }
        }
        if let expect, let outcome = OutcomeClass(rawValue: expect), result.count(outcome) != result.attempts || result.attempts == 0 {
            FileHandle.standardError.write(Data("tlsdrill: expected every attempt to be \(expect); got \(result.outcomeCounts.map { "\($0.0.rawValue) \($0.1)" }.joined(separator: ", "))\n".utf8))
            throw ExitCode(1)
        }
    }
}
