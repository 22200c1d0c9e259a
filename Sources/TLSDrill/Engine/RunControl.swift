import Synchronization

/// A counter written by one worker and read by the status printer.
final class ProgressCounter: Sendable {
    private let value = Atomic<Int>(0)
    @inline(__always) func add(_ amount: Int) { value.add(amount, ordering: .relaxed) }
    @inline(__always) func set(_ amount: Int) { value.store(amount, ordering: .relaxed) }
    var current: Int { value.load(ordering: .relaxed) }
}

/// Shared between the runner and its workers: the stop request and per-worker progress counters.
/// Only atomics, each counter written by exactly one worker.
final class RunControl: Sendable {
    private let stop = Atomic<Bool>(false)
    let completed: [ProgressCounter]
    let accepted: [ProgressCounter]
    /// Attempts in flight, per worker (stored by the worker when it changes).
    let inFlight: [ProgressCounter]
    let missedStarts: [ProgressCounter]
    /// [worker][class] completed attempts.
    let outcomes: [[ProgressCounter]]
    /// Per worker, what it publishes for `/metrics` (nil when the run serves no metrics: then the hot path
    /// does not touch them at all).
    let metrics: [ClientMetricsBoard]?

    init(workers: Int, metricsIdentities: Int? = nil) {
        metrics = metricsIdentities.map { identities in (0..<workers).map { _ in ClientMetricsBoard(identities: identities) } }
        completed = (0..<workers).map { _ in ProgressCounter() }
        accepted = (0..<workers).map { _ in ProgressCounter() }
        inFlight = (0..<workers).map { _ in ProgressCounter() }
        missedStarts = (0..<workers).map { _ in ProgressCounter() }
        outcomes = (0..<workers).map { _ in OutcomeClass.allCases.map { _ in ProgressCounter() } }
    }

    func requestStop() { stop.store(true, ordering: .relaxed) }
    var stopRequested: Bool { stop.load(ordering: .relaxed) }
    var totalCompleted: Int { completed.reduce(0) { $0 + $1.current } }
    var totalAccepted: Int { accepted.reduce(0) { $0 + $1.current } }
    var totalInFlight: Int { inFlight.reduce(0) { $0 + $1.current } }
    var totalMissedStarts: Int { missedStarts.reduce(0) { $0 + $1.current } }

    /// The most frequent class other than `accepted` so far, with its count.
    var topFailure: (OutcomeClass, Int)? {
        var best: (OutcomeClass, Int)?
        for outcome in OutcomeClass.allCases where outcome != .accepted {
            let count = outcomes.reduce(0) { $0 + $1[outcome.index].current }
            if count > (best?.1 ?? 0) { best = (outcome, count) }
        }
        return best
    }
}
