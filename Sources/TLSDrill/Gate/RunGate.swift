import Foundation

/// How a finished run is judged: its thresholds (or the default one), `--expect`, rotation steps that
/// failed without `allow_failure`, and interruption — into one `ExitStatus` and the lines that explain it.
public struct RunGate: Sendable {
    public var thresholds: ThresholdSet
    /// `--expect CLASS`: every attempt must end in it.
    public var expect: OutcomeClass?

    /// `defaultThreshold` (off with `--no-default-threshold`) applies `count(accepted) > 0` only when no
    /// threshold is given, no `--expect` is, and no identity is expected to be rejected.
    public init(thresholds: [Threshold], expect: OutcomeClass?, defaultThreshold: Bool, expectsRejections: Bool) {
        self.thresholds = ThresholdSet(thresholds, useDefault: defaultThreshold && expect == nil && !expectsRejections)
        self.expect = expect
    }

    /// The verdict on `report`; the threshold results are attached to it (for JSON and HTML).
    public func judge(_ report: inout RunReport) -> (status: ExitStatus, reasons: [String]) {
        let results = thresholds.evaluate(report)
        report.thresholds = results.isEmpty ? nil : results
        var reasons: [String] = []
        for result in results where !result.passed {
            reasons.append("threshold '\(result.expr)' failed (observed \(result.observedText))")
        }
        if let expect, report.attempts == 0 || report.outcomes[expect.rawValue] != report.attempts {
            let got = report.outcomes.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            reasons.append("expected every attempt to be \(expect.rawValue); got \(got.isEmpty ? "no attempts" : got)")
        }
        let blocking = (report.steps ?? []).filter(\.blocksRun)
        for step in blocking { reasons.append("rotation step '\(step.name)' \(step.outcome.rawValue): \(step.detail)") }
        if report.interrupted { reasons.append("interrupted; the report covers the attempts made until then") }
        let status = ExitStatus.of(interrupted: report.interrupted, blockingStepFailures: blocking.count, gatesPassed: reasons.isEmpty)
        return (status, reasons)
    }
}
