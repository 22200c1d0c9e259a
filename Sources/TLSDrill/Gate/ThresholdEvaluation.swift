import Foundation

extension Threshold {
    /// This threshold's verdict on `report`. Missing data (no attempts for a rate, no samples for a
    /// percentile, an identity the run never presented) is a failure with `observed == nil`.
    public func evaluate(_ report: RunReport, isDefault: Bool = false) -> ThresholdResult {
        let observed = observedValue(in: report)
        return ThresholdResult(expr: expression, observed: observed, passed: observed.map { comparison.holds($0, limit) } ?? false,
                               isDefault: isDefault, observedText: observed.map(metric.format) ?? "no data")
    }

    func observedValue(in report: RunReport) -> Double? {
        let scoped: (attempts: Int, outcomes: [String: Int], latency: [String: LatencySummary])
        if let identity {
            guard let share = report.identities[identity] else { return nil }
            scoped = (share.attempts, share.outcomes, share.latencyUs)
        } else {
            scoped = (report.attempts, report.outcomes, report.latencyUs)
        }
        let windows = (report.rotation?.windows ?? []).filter { identity == nil || $0.identities[identity!] != nil }
        switch metric {
        case .rate(let outcome):
            return scoped.attempts > 0 ? Double(scoped.outcomes[outcome.rawValue] ?? 0) / Double(scoped.attempts) : nil
        case .count(let outcome):
            return Double(scoped.outcomes[outcome.rawValue] ?? 0)
        case .latency(let statistic, let phase):
            guard let summary = scoped.latency[phase.rawValue], summary.count > 0 else { return nil }
            let micros: Double = switch statistic {
            case .p50: Double(summary.p50)
            case .p90: Double(summary.p90)
            case .p99: Double(summary.p99)
            case .p999: Double(summary.p999)
            case .max: Double(summary.max)
            case .mean: summary.mean
            }
            return micros / 1000
        case .attempts:
            return Double(scoped.attempts)
        case .achievedRate:
            return report.achievedRate
        case .missedStarts:
            return Double(report.missedStarts)
        case .windows:
            return Double(windows.count)
        case .maxWindow:
            return windows.map(\.durationS).max() ?? 0
        case .lost:
            return Double(windows.reduce(0) { total, window in total + (identity.map { window.identities[$0] ?? 0 } ?? window.attemptsLost) })
        case .stepsFailed:
            return Double(report.rotation?.stepsFailed ?? 0)
        }
    }
}

/// The thresholds a run is gated on, and how to judge a report with them.
public struct ThresholdSet: Sendable {
    public var thresholds: [Threshold]
    /// Apply `Threshold.atLeastOneAccepted` when `thresholds` is empty.
    public var useDefault: Bool

    public init(_ thresholds: [Threshold], useDefault: Bool) {
        self.thresholds = thresholds
        self.useDefault = useDefault
    }

    /// Fails at start (exit 2) when a threshold names an identity the run does not present.
    public func checkIdentities(_ names: [String]) throws {
        for threshold in thresholds {
            if let identity = threshold.identity, !names.contains(identity) {
                throw TLSDrillError.invalidOption(flag: "--threshold", value: threshold.expression,
                                                  expected: "no identity '\(identity)' in this run; identities: \(names.joined(separator: ", "))")
            }
        }
    }

    /// Every verdict, in the order given (the default one alone when none was given and it applies).
    public func evaluate(_ report: RunReport) -> [ThresholdResult] {
        if thresholds.isEmpty {
            return useDefault ? [Threshold.atLeastOneAccepted.evaluate(report, isDefault: true)] : []
        }
        return thresholds.map { $0.evaluate(report) }
    }
}

extension Array where Element == ThresholdResult {
    /// The thresholds block of the terminal report.
    public func render() -> String {
        guard !isEmpty else { return "" }
        var out = "\n  Thresholds\n"
        for result in self {
            let label = result.expr + (result.isDefault ? "  (default: no --threshold given; --no-default-threshold to drop)" : "")
            out += "    \(result.passed ? "✓" : "✗") " + TerminalReport.pad(label, 44) + " observed \(result.observedText)\n"
        }
        return out
    }
}
