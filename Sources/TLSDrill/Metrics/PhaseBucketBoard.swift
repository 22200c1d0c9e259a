/// Per-bucket counts and the exact sum of one or more latency series, published by one thread through
/// atomics (see `AtomicCounterBlock`) for the metrics scrape.
final class PhaseBucketBoard: Sendable {
    let series: Int
    private let buckets: AtomicCounterBlock
    private let sums: AtomicCounterBlock

    init(series: Int) {
        self.series = series
        buckets = AtomicCounterBlock(count: series * LatencyBuckets.count)
        sums = AtomicCounterBlock(count: series)
    }

    @inline(__always) func record(series: Int, nanoseconds: UInt64) {
        buckets.add(series * LatencyBuckets.count + LatencyBuckets.index(nanoseconds: nanoseconds))
        sums.add(series, Int(truncatingIfNeeded: nanoseconds))
    }

    /// Adds this board's counts for `series` into `counts` (one per bucket) and its sum into `sum`.
    func accumulate(series: Int, counts: inout [Int], sum: inout Int) {
        for bucket in 0..<LatencyBuckets.count { counts[bucket] += buckets.load(series * LatencyBuckets.count + bucket) }
        sum += sums.load(series)
    }
}
