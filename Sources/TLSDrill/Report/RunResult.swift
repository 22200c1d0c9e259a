import Foundation
import Histogram

/// The merged outcome of a run, from which every report format is made.
public struct RunResult: Sendable {
    public let settings: RunSettings
    public let identityNames: [String]
    public let identityFacts: [IdentityFacts]
    let stats: WorkerStats
    /// Per interval, merged across workers.
    let timeline: [CompactInterval]
    public let elapsed: TimeInterval
    public let workers: Int
    public let interrupted: Bool
    /// Wall-clock instant the load started.
    public let startedAt: Date

    init(settings: RunSettings, identityNames: [String], identityFacts: [IdentityFacts], stats: WorkerStats,
         timeline: [CompactInterval], elapsed: TimeInterval, workers: Int, interrupted: Bool, startedAt: Date) {
        self.startedAt = startedAt
        self.settings = settings
        self.identityNames = identityNames
        self.identityFacts = identityFacts
        self.stats = stats
        self.timeline = timeline
        self.elapsed = elapsed
        self.workers = workers
        self.interrupted = interrupted
    }

    /// Attempts that reached an outcome.
    public var attempts: Int { stats.attempts }

    /// Count of one class.
    public func count(_ outcome: OutcomeClass) -> Int { stats.outcomes[outcome.index] }

    /// Count of one class for one identity (by name).
    public func count(_ outcome: OutcomeClass, identity: String) -> Int {
        guard let index = identityNames.firstIndex(of: identity) else { return 0 }
        return stats.outcomesByIdentity[index][outcome.index]
    }

    /// Classes with a non-zero count, most frequent first.
    public var outcomeCounts: [(OutcomeClass, Int)] {
        OutcomeClass.allCases.map { ($0, count($0)) }.filter { $0.1 > 0 }.sorted { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
    }

    /// evidence text → count, for one class (and optionally one identity), most frequent first.
    public func evidence(for outcome: OutcomeClass, identity: String? = nil) -> [(String, Int)] {
        let index = identity.flatMap { identityNames.firstIndex(of: $0) }
        var merged: [String: Int] = [:]
        for (key, count) in stats.evidence where key.outcome == outcome && (index == nil || key.identity == index) {
            merged[EvidenceText.render(key), default: 0] += count
        }
        return merged.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map { ($0.key, $0.value) }
    }

    /// Latency summary of a phase (µs).
    public func latency(_ phase: LatencyPhase) -> LatencySummary { Self.summary(stats.latency[phase]) }

    /// The full HdrHistogram of a phase.
    public func histogram(_ phase: LatencyPhase) -> Histogram<UInt64> { stats.latency[phase] }

    public var missedStarts: Int { stats.missedStarts }
    public var abandonedInFlight: Int { stats.abandonedInFlight }
    /// Seconds slots spent paused before re-dialling after failures before TLS (summed over slots).
    public var pausedSeconds: Double { Double(stats.pausedNanos) / 1e9 }
    public var achievedRate: Double { elapsed > 0 ? Double(attempts) / elapsed : 0 }

    /// Percentiles as bucket values (each the highest value equivalent to the samples at that rank), so a
    /// summary depends only on the bucket counts: the same whether computed in the run or from the
    /// report's encoded histograms after a merge.
    static func summary(_ histogram: Histogram<UInt64>) -> LatencySummary {
        guard histogram.totalCount > 0 else { return LatencySummary(count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0) }
        func at(_ percentile: Double) -> UInt64 { histogram.highestEquivalentForValue(histogram.valueAtPercentile(percentile)) }
        return LatencySummary(
            count: histogram.totalCount, p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: histogram.max,
            mean: (histogram.mean * 10).rounded() / 10)
    }
}
