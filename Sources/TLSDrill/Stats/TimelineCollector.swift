import Histogram
import Synchronization

/// One finished timeline interval, merged across workers and reduced to what reports use: sparse
/// counts and each phase's p50/p99 (its histogram is freed once every worker has
/// handed the interval over). A 24-hour run at 1s intervals keeps 86,400 of these, not 86,400 histograms
/// per worker.
struct CompactInterval: Sendable {
    /// (class index, count), non-zero only.
    var outcomes: [(outcome: UInt8, count: UInt32)] = []
    /// (identity index, class index, count), non-zero only.
    var identities: [(identity: UInt32, outcome: UInt8, count: UInt32)] = []
    /// (identity index, attempts accepted by resumption), non-zero only.
    var resumedAccepted: [(identity: UInt32, count: UInt32)] = []
    /// p50 and p99 (µs) per `LatencyPhase` index; 0 where no attempt reached the phase.
    var p50Us: [UInt32] = []
    var p99Us: [UInt32] = []
    /// Each phase's histogram of the interval, encoded (HdrHistogram V2), when the run keeps them (`--shard`:
    /// so `tlsdrill merge` computes merged interval percentiles exactly); nil otherwise.
    var encodedPhases: [String]?

    var handshakeP50Us: UInt32 { p50Us.isEmpty ? 0 : p50Us[LatencyPhase.handshake.index] }
    var handshakeP99Us: UInt32 { p99Us.isEmpty ? 0 : p99Us[LatencyPhase.handshake.index] }

    init() {}

    init(_ bucket: TimelineBucket, keepHistograms: Bool = false) {
        for (index, count) in bucket.outcomes.enumerated() where count > 0 { outcomes.append((UInt8(index), UInt32(clamping: count))) }
        for (identity, counts) in bucket.outcomesByIdentity.enumerated() {
            for (index, count) in counts.enumerated() where count > 0 { identities.append((UInt32(identity), UInt8(index), UInt32(clamping: count))) }
        }
        for (identity, count) in bucket.resumedAccepted.enumerated() where count > 0 { resumedAccepted.append((UInt32(identity), UInt32(clamping: count))) }
        if bucket.phases.contains(where: { $0.totalCount > 0 }) {
            p50Us = bucket.phases.map { UInt32(clamping: Self.percentile($0, 50)) }
            p99Us = bucket.phases.map { UInt32(clamping: Self.percentile($0, 99)) }
            if keepHistograms { encodedPhases = bucket.phases.map { HistogramCodec.encode($0) } }
        }
    }

    /// A percentile as a bucket value (the highest value equivalent to the samples at that rank), so it is
    /// the same whether computed here or from the encoded histogram after a merge; 0 without samples.
    static func percentile<Count>(_ histogram: Histogram<Count>, _ percentile: Double) -> UInt64 {
        histogram.totalCount > 0 ? histogram.highestEquivalentForValue(histogram.valueAtPercentile(percentile)) : 0
    }
}

/// Where workers hand over each finished interval (once per interval per worker: not on the per-attempt
/// hot path). An interval is merged and compacted as soon as every worker has handed it over.
final class TimelineCollector: Sendable {
    private struct State {
        var pending: [Int: (bucket: TimelineBucket, deliveries: Int)] = [:]
        var done: [CompactInterval?] = []
    }

    private let workers: Int
    private let identities: Int
    private let keepHistograms: Bool
    private let state = Mutex(State())
    /// Handshake p99 (µs) of the latest interval every worker has handed over, for the live status line.
    private let latestP99 = Atomic<UInt32>(0)
    var latestHandshakeP99Us: UInt32 { latestP99.load(ordering: .relaxed) }

    /// `keepHistograms`: keep each interval's phase histograms, encoded (for runs that will be merged).
    init(workers: Int, identities: Int, keepHistograms: Bool = false) {
        self.workers = workers
        self.identities = identities
        self.keepHistograms = keepHistograms
    }

    /// A worker's interval `index`; nil when it recorded nothing in it. Each worker delivers each
    /// index once, in order.
    func deliver(_ bucket: TimelineBucket?, interval index: Int) {
        state.withLock { state in
            var entry = state.pending[index] ?? (TimelineBucket(identities: identities), 0)
            if let bucket { entry.bucket.add(bucket) }
            entry.deliveries += 1
            if entry.deliveries >= workers {
                state.pending[index] = nil
                let interval = CompactInterval(entry.bucket, keepHistograms: keepHistograms)
                if interval.handshakeP99Us > 0 { latestP99.store(interval.handshakeP99Us, ordering: .relaxed) }
                Self.store(interval, at: index, in: &state.done)
            } else {
                state.pending[index] = entry
            }
        }
    }

    /// Every interval, in order (after the workers are done; intervals some worker never reached are
    /// merged from what was delivered).
    func finish() -> [CompactInterval] {
        state.withLock { state in
            for (index, entry) in state.pending { Self.store(CompactInterval(entry.bucket, keepHistograms: keepHistograms), at: index, in: &state.done) }
            state.pending = [:]
            return state.done.map { $0 ?? CompactInterval() }
        }
    }

    private static func store(_ interval: CompactInterval, at index: Int, in done: inout [CompactInterval?]) {
        if done.count <= index { done.append(contentsOf: repeatElement(nil, count: index + 1 - done.count)) }
        done[index] = interval
    }
}
