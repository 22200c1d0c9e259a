import ArgumentParser
import Foundation
import TLSDrill

/// `--threshold` and `--no-default-threshold`, shared by the commands that run a load.
struct GateOptions: ParsableArguments {
    @Option(name: .customLong("threshold"),
            help: "Pass/fail rule over the report, repeatable: rate(CLASS), count(CLASS), p50|p90|p99|p999|max|mean(PHASE), attempts, achieved_rate, missed_starts, windows, max_window, lost, steps_failed; optional {identity=NAME}; < <= > >= == != (e.g. 'p99(handshake) < 50ms', 'rate(accepted){identity=gen1-client} >= 0.999').")
    var thresholds: [String] = []

    @Flag(help: "Without any threshold, do not fail the run when no attempt was accepted.")
    var noDefaultThreshold = false

    /// The flags' thresholds, parsed (a bad one is a one-line error at start).
    func parsed() throws -> [Threshold] { try thresholds.map { try Threshold.parse($0) } }
}

/// Prints why a run failed its gate (one line each on stderr) and exits with the policy's code.
func finish(_ verdict: (status: ExitStatus, reasons: [String])) throws {
    for reason in verdict.reasons { FileHandle.standardError.write(Data("tlsdrill: \(reason)\n".utf8)) }
    if verdict.status != .passed { throw ExitCode(verdict.status.rawValue) }
}
