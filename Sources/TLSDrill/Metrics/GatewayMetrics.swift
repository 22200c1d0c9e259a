import Prometheus
import Synchronization

/// The built-in gateway's live `/metrics` (`serve --metrics-listen`): connections by verdict, handshake
/// seconds, and the reload generation in force. Workers only bump their own atomics; a scrape sums them.
public final class GatewayMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let server: GatewayServer
    private let state: Mutex<State>

    private struct State: @unchecked Sendable {  // only touched under the mutex
        var last: [ServerVerdict: Int] = [:]
        var handshake: HistogramFeed
    }

    public init(server: GatewayServer) {
        self.server = server
        let labels = [("listen", server.address)]
        state = Mutex(State(handshake: HistogramFeed(registry.makeValueHistogram(descriptor: MetricNames.gatewayHandshake, labels: labels,
                                                                               buckets: LatencyBuckets.seconds))))
        for verdict in ServerVerdict.allCases {
            _ = registry.makeCounter(descriptor: MetricNames.gatewayVerdicts, labels: [("verdict", verdict.rawValue)] + labels)
        }
        registry.makeGauge(descriptor: MetricNames.run, labels: [("version", TLSDrillVersion.current), ("openssl", TLSDrillVersion.openSSL)] + labels).set(to: 1.0)
    }

    /// The exposition, up to date as of now.
    public func scrape() -> [UInt8] {
        let labels = [("listen", server.address)]
        return state.withLock { state in
            for (verdict, total) in server.counts() {
                let delta = total - state.last[verdict, default: 0]
                guard delta > 0 else { continue }
                state.last[verdict] = total
                registry.makeCounter(descriptor: MetricNames.gatewayVerdicts, labels: [("verdict", verdict.rawValue)] + labels).increment(by: Int64(delta))
            }
            let buckets = server.handshakeBuckets()
            state.handshake.feed(counts: buckets.counts, sumNanoseconds: buckets.sumNanoseconds)
            registry.makeGauge(descriptor: MetricNames.gatewayGeneration, labels: labels).set(to: Double(server.context.generation))
            return registry.emitToBuffer()
        }
    }
}
