import Foundation

/// One pass/fail rule over a report, such as `p99(handshake) < 50ms` or
/// `rate(accepted){identity=gen1-client} >= 0.999` (`--threshold`, a profile's `thresholds:`).
///
/// Parsed once at start (`Threshold.parse`), evaluated over a finished `RunReport` (`evaluate`). Values
/// are kept in the metric's base unit: a fraction for `rate`, milliseconds for latency, seconds for
/// `max_window`, plain numbers for the rest.
public struct Threshold: Sendable, Equatable, CustomStringConvertible {
    /// What a threshold measures.
    public enum Metric: Sendable, Equatable {
        /// Share of attempts (0…1) that ended in the class.
        case rate(OutcomeClass)
        /// Attempts that ended in the class.
        case count(OutcomeClass)
        /// A latency statistic of a phase, in milliseconds.
        case latency(LatencyStatistic, LatencyPhase)
        /// Attempts that reached an outcome.
        case attempts
        /// Attempts per second over the run.
        case achievedRate
        /// `--rate` attempts that started late or never.
        case missedStarts
        /// Rotation failure windows.
        case windows
        /// The longest failure window, in seconds.
        case maxWindow
        /// Attempts lost inside failure windows.
        case lost
        /// Rotation steps that failed or timed out.
        case stepsFailed
    }

    /// The latency statistics a report keeps per phase.
    public enum LatencyStatistic: String, Sendable, CaseIterable {
        case p50, p90, p99, p999, max, mean
    }

    /// The comparison operators, longest spelling first so `<=` is never read as `<`.
    public enum Comparison: String, Sendable, CaseIterable {
        case lessOrEqual = "<="
        case greaterOrEqual = ">="
        case equal = "=="
        case notEqual = "!="
        case less = "<"
        case greater = ">"

        func holds(_ observed: Double, _ limit: Double) -> Bool {
            switch self {
            case .less: observed < limit
            case .lessOrEqual: observed <= limit
            case .greater: observed > limit
            case .greaterOrEqual: observed >= limit
            case .equal: abs(observed - limit) <= 1e-9 * max(1, abs(limit))
            case .notEqual: abs(observed - limit) > 1e-9 * max(1, abs(limit))
            }
        }
    }

    /// The expression as written (trimmed).
    public let expression: String
    public let metric: Metric
    /// Only this identity's attempts count, when set.
    public let identity: String?
    public let comparison: Comparison
    /// The limit in the metric's base unit.
    public let limit: Double

    public var description: String { expression }

    /// The threshold a run without any gets: at least one attempt accepted.
    public static let atLeastOneAccepted = Threshold(
        expression: "count(accepted) > 0", metric: .count(.accepted), identity: nil, comparison: .greater, limit: 0)
}

/// A threshold's verdict on one report.
public struct ThresholdResult: Codable, Sendable, Equatable {
    /// The expression as written.
    public var expr: String
    /// The observed value in the metric's base unit; nil when the report has no data for it (a failure).
    public var observed: Double?
    public var passed: Bool
    /// True for the default threshold a run gets when it names none.
    public var isDefault: Bool

    /// The observed value as a person reads it ("0.9990", "42.10ms", "3.2s", "no data").
    public var observedText: String
}

extension Threshold.Metric {
    /// Whether `{identity=NAME}` makes sense for this metric.
    var allowsIdentityScope: Bool {
        switch self {
        case .rate, .count, .latency, .attempts, .windows, .lost: true
        case .achievedRate, .missedStarts, .maxWindow, .stepsFailed: false
        }
    }

    /// How an observed value is printed.
    func format(_ value: Double) -> String {
        switch self {
        case .rate: String(format: "%.4f", value)
        case .latency: String(format: "%.2fms", value)
        case .maxWindow: String(format: "%.1fs", value)
        case .achievedRate: String(format: "%.1f/s", value)
        case .count, .attempts, .missedStarts, .windows, .lost, .stepsFailed: String(Int(value))
        }
    }
}
