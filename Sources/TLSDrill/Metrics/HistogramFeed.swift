import Prometheus

/// Carries what workers published in `PhaseBucketBoard`s into one swift-prometheus histogram at each
/// scrape: the samples that arrived since the last scrape are recorded again, each inside its own bucket,
/// at values chosen so the histogram's `_sum` grows by the exact published sum. Bucket counts and sum are
/// therefore exact, and the exposition is swift-prometheus's own.
final class HistogramFeed {
    let histogram: ValueHistogram
    private var lastCounts = Array(repeating: 0, count: LatencyBuckets.count)
    private var lastSum = 0

    init(_ histogram: ValueHistogram) { self.histogram = histogram }

    /// Records the difference between `counts`/`sumNanoseconds` (totals so far) and the last call's.
    func feed(counts: [Int], sumNanoseconds: Int) {
        let deltas = zip(counts, lastCounts).map { max(0, $0 - $1) }
        let sum = Double(max(0, sumNanoseconds - lastSum)) / 1e9
        lastCounts = counts
        lastSum = sumNanoseconds
        for (bucket, value) in Self.values(deltas: deltas, sum: sum) {
            for _ in 0..<deltas[bucket] { histogram.record(value) }
        }
    }

    /// One value per non-empty bucket, strictly inside it, with Σ count × value = `sum` when the samples'
    /// true sum allows it: every finite bucket at the same fraction of its width, `+Inf` samples at the rest.
    static func values(deltas: [Int], sum: Double) -> [(bucket: Int, value: Double)] {
        let bounds = LatencyBuckets.seconds
        let infinite = bounds.count
        var lowest = 0.0, highest = 0.0
        for bucket in 0..<infinite where deltas[bucket] > 0 {
            lowest += Double(deltas[bucket]) * (bucket == 0 ? 0 : bounds[bucket - 1])
            highest += Double(deltas[bucket]) * bounds[bucket]
        }
        var fraction = 1.0
        if deltas[infinite] == 0 && highest > lowest { fraction = min(1, max(1e-6, (sum - lowest) / (highest - lowest))) }
        if deltas[infinite] > 0 { fraction = 0.5 }
        var result: [(bucket: Int, value: Double)] = []
        var finiteSum = 0.0
        for bucket in 0..<infinite where deltas[bucket] > 0 {
            let low = bucket == 0 ? 0 : bounds[bucket - 1]
            let value = low + fraction * (bounds[bucket] - low)
            finiteSum += Double(deltas[bucket]) * value
            result.append((bucket, value))
        }
        if deltas[infinite] > 0 {
            let each = (sum - finiteSum) / Double(deltas[infinite])
            result.append((infinite, max(bounds[infinite - 1] * 1.000001, each)))
        }
        return result
    }
}
