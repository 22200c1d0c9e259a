import Foundation
import Prometheus
import Synchronization

/// The live `/metrics` of a load run. Workers publish into their own `ClientMetricsBoard` (atomics, no
/// lock, no allocation); each scrape sums the boards and brings swift-prometheus's registry up to date,
/// then emits it. Scrapes are serialised by a lock that workers never touch.
public final class ClientMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let boards: [ClientMetricsBoard]
    private let control: RunControl
    private let identityNames: [String]
    private let common: [(String, String)]
    private let state: Mutex<ScrapeState>
    private let steps = Mutex<(@Sendable () -> [StepRecord])?>(nil)
    /// Unix time the load started (0 before), to put rotation steps on the wall clock.
    private let loadStarted = Atomic<Double>(0)

    private struct ScrapeState: @unchecked Sendable {  // only touched under the mutex
        var attempts: [Int: Counter] = [:]
        var lastAttempts: [Int]
        var resumption: [Int: Counter] = [:]
        var lastResumption: [Int]
        var lastMissed = 0
        var feeds: [HistogramFeed] = []
        var stepGauges: [String: Gauge] = [:]
    }

    init(boards: [ClientMetricsBoard], control: RunControl, identityNames: [String], target: String, shard: ShardSpec?) {
        self.boards = boards
        self.control = control
        self.identityNames = identityNames
        common = [("target", target), ("shard", shard.map { "\($0.index)/\($0.count)" } ?? "0/1")]
        var state = ScrapeState(lastAttempts: Array(repeating: 0, count: identityNames.count * OutcomeClass.allCases.count),
                                lastResumption: Array(repeating: 0, count: identityNames.count * Resumption.allCases.count))
        for session in ["full", "resumed"] {
            for phase in LatencyPhase.allCases {
                state.feeds.append(HistogramFeed(registry.makeValueHistogram(
                    descriptor: MetricNames.phase, labels: [("phase", phase.rawValue), ("session", session)] + common,
                    buckets: LatencyBuckets.seconds)))
            }
        }
        // Every identity's accepted series exists from the start, so a dashboard sees a 0, not a gap.
        for (index, name) in identityNames.enumerated() {
            let flat = index * OutcomeClass.allCases.count + OutcomeClass.accepted.index
            state.attempts[flat] = registry.makeCounter(descriptor: MetricNames.attempts,
                                                        labels: [("class", OutcomeClass.accepted.rawValue), ("identity", name)] + common)
        }
        self.state = Mutex(state)
        registry.makeGauge(descriptor: MetricNames.run, labels: [("version", TLSDrillVersion.current), ("openssl", TLSDrillVersion.openSSL)] + common).set(to: 1.0)
        _ = registry.makeCounter(descriptor: MetricNames.missedStarts, labels: common)
        _ = registry.makeGauge(descriptor: MetricNames.inFlight, labels: common)
    }

    /// Called by the runner when the load starts.
    func markStarted(at date: Date) { loadStarted.store(date.timeIntervalSince1970, ordering: .relaxed) }

    /// Where the rotation's step records come from (set when the run has a rotation).
    public func observeSteps(_ records: @escaping @Sendable () -> [StepRecord]) { steps.withLock { $0 = records } }

    /// The exposition (Prometheus text format 0.0.4), up to date as of now.
    public func scrape() -> [UInt8] {
        let stepRecords = steps.withLock { $0 }?() ?? []
        return state.withLock { state in
            update(&state, stepRecords: stepRecords)
            return registry.emitToBuffer()
        }
    }

    private func update(_ state: inout ScrapeState, stepRecords: [StepRecord]) {
        let classes = OutcomeClass.allCases
        for index in 0..<state.lastAttempts.count {
            let total = boards.reduce(0) { $0 + $1.attempts.load(index) }
            let delta = total - state.lastAttempts[index]
            guard delta > 0 else { continue }
            state.lastAttempts[index] = total
            let counter = state.attempts[index] ?? registry.makeCounter(
                descriptor: MetricNames.attempts,
                labels: [("class", classes[index % classes.count].rawValue), ("identity", identityNames[index / classes.count])] + common)
            state.attempts[index] = counter
            counter.increment(by: Int64(delta))
        }
        let kinds = Resumption.allCases
        for index in 0..<state.lastResumption.count {
            let total = boards.reduce(0) { $0 + $1.resumption.load(index) }
            let delta = total - state.lastResumption[index]
            guard delta > 0 else { continue }
            state.lastResumption[index] = total
            let counter = state.resumption[index] ?? registry.makeCounter(
                descriptor: MetricNames.resumption,
                labels: [("kind", kinds[index % kinds.count].name), ("identity", identityNames[index / kinds.count])] + common)
            state.resumption[index] = counter
            counter.increment(by: Int64(delta))
        }
        let missed = control.totalMissedStarts
        registry.makeCounter(descriptor: MetricNames.missedStarts, labels: common).increment(by: Int64(max(0, missed - state.lastMissed)))
        state.lastMissed = max(missed, state.lastMissed)
        registry.makeGauge(descriptor: MetricNames.inFlight, labels: common).set(to: Double(control.totalInFlight))
        for (series, feed) in state.feeds.enumerated() {
            var counts = Array(repeating: 0, count: LatencyBuckets.count)
            var sum = 0
            for board in boards { board.latency.accumulate(series: series, counts: &counts, sum: &sum) }
            feed.feed(counts: counts, sumNanoseconds: sum)
        }
        for record in stepRecords where state.stepGauges["\(record.name)\u{0}\(record.atS)"] == nil {
            let gauge = registry.makeGauge(descriptor: MetricNames.step, labels: [("step", record.name), ("outcome", record.outcome.rawValue)] + common)
            gauge.set(to: loadStarted.load(ordering: .relaxed) + record.startedS)
            state.stepGauges["\(record.name)\u{0}\(record.atS)"] = gauge
        }
    }
}
