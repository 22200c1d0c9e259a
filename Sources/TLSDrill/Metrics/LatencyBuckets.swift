/// The Prometheus histogram buckets for TLS latencies: 0.5 ms to 10 s, roughly 1-2-5 per decade, so a
/// loopback handshake (≈1 ms), a cross-region one (≈100 ms) and a timeout (seconds) each land in a
/// bucket of their own.
public enum LatencyBuckets {
    /// Upper bounds in seconds (a last `+Inf` bucket is implied).
    public static let seconds: [Double] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10]
    static let nanoseconds: [UInt64] = seconds.map { UInt64(($0 * 1e9).rounded()) }
    /// Buckets including `+Inf`.
    static var count: Int { seconds.count + 1 }

    /// The bucket a sample falls in (the first whose bound is ≥ it; the last for +Inf).
    @inline(__always) static func index(nanoseconds value: UInt64) -> Int {
        var index = 0
        while index < nanoseconds.count && value > nanoseconds[index] { index += 1 }
        return index
    }
}
