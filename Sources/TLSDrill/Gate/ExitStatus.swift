/// The one exit-code policy every command follows.
///
/// | code | meaning |
/// |---|---|
/// | 0 | every expectation and threshold held |
/// | 1 | an expectation, a threshold or `--expect` failed |
/// | 2 | bad input, or the run could not start (usage errors included) |
/// | 3 | the run ran but a rotation step failed or timed out (unless marked `allow_failure: true`) |
/// | 130 | interrupted (Ctrl-C / SIGTERM); the report is still written |
///
/// When several apply, the more fundamental one wins: 2, then 130, then 3, then 1.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    case passed = 0
    case failed = 1
    case badInput = 2
    case stepFailed = 3
    case interrupted = 130

    /// The status of a run that produced a report.
    public static func of(interrupted: Bool, blockingStepFailures: Int, gatesPassed: Bool) -> ExitStatus {
        if interrupted { return .interrupted }
        if blockingStepFailures > 0 { return .stepFailed }
        return gatesPassed ? .passed : .failed
    }

    /// The table as printed in `--help`.
    public static let helpText = "Exit codes: 0 all expectations and thresholds hold; 1 an expectation, threshold or --expect failed; "
        + "2 bad input or the run could not start; 3 a rotation step failed or timed out; 130 interrupted (report still written)."
}
