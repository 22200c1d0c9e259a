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
    private let common: [(String, String)]
    private let state: Mutex<ScrapeState>
    private let steps = Mutex<(@Sendable () -> [StepRecord])?>(nil)
    /// Unix time the load started (0 before), to put rotation steps on the wall clock.
    private let loadStarted = Atomic<Double>(0)

    private struct ScrapeState: @unchecked Sendable {  // only touched under the mutex
        var attempts: CounterFamily
        var resumption: CounterFamily
        var lastMissed = 0
        var feeds: [HistogramFeed] = []
        var stepGauges: [String: Gauge] = [:]
    }

    init(boards: [ClientMetricsBoard], control: RunControl, identityNames: [String], target: String, shard: ShardSpec?) {
        self.boards = boards
        self.control = control
        common = [("target", target), ("shard", shard.map { "\($0.index)/\($0.count)" } ?? "0/1")]
        let classes = OutcomeClass.allCases, kinds = Resumption.allCases, common = common
        var state = ScrapeState(
            attempts: CounterFamily(descriptor: MetricNames.attempts, count: identityNames.count * classes.count) { index in
                [("class", classes[index % classes.count].rawValue), ("identity", identityNames[index / classes.count])] + common
            },
            resumption: CounterFamily(descriptor: MetricNames.resumption, count: identityNames.count * kinds.count) { index in
                [("kind", kinds[index % kinds.count].name), ("identity", identityNames[index / kinds.count])] + common
            })
        for session in ["full", "resumed"] {
            for phase in LatencyPhase.allCases {
                state.feeds.append(HistogramFeed(registry.makeValueHistogram(
                    descriptor: MetricNames.phase, labels: [("phase", phase.rawValue), ("session", session)] + common,
                    buckets: LatencyBuckets.seconds)))
            }
        }
        // Every identity's accepted series exists from the start, so a dashboard sees a 0, not a gap.
        for index in identityNames.indices { state.attempts.create(index * classes.count + OutcomeClass.accepted.index, in: registry) }
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
        let boards = self.boards
        state.attempts.publish(in: registry) { index in boards.reduce(0) { $0 + $1.attempts.load(index) } }
        state.resumption.publish(in: registry) { index in boards.reduce(0) { $0 + $1.resumption.load(index) } }
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

/// One counter family over a flat index space (identity × class, identity × kind): each series is created
/// the first time it has something to count, and grows by what the workers added since the last scrape.
private struct CounterFamily {
    let descriptor: MetricNameDescriptor
    let labels: (Int) -> [(String, String)]
    var counters: [Int: Counter] = [:]
    var last: [Int]

    init(descriptor: MetricNameDescriptor, count: Int, labels: @escaping (Int) -> [(String, String)]) {
        self.descriptor = descriptor
        self.labels = labels
        last = Array(repeating: 0, count: count)
    }

    @discardableResult
    mutating func create(_ index: Int, in registry: PrometheusCollectorRegistry) -> Counter {
        if let counter = counters[index] { return counter }
        let counter = registry.makeCounter(descriptor: descriptor, labels: labels(index))
        counters[index] = counter
        return counter
    }

    /// Brings every series up to `total(index)`.
    mutating func publish(in registry: PrometheusCollectorRegistry, total: (Int) -> Int) {
        for index in last.indices {
            let now = total(index)
            guard now > last[index] else { continue }
            create(index, in: registry).increment(by: Int64(now - last[index]))
            last[index] = now
        }
    }
}
