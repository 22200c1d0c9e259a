import Foundation

/// The built-in mTLS gateway (`tlsdrill serve`): a worker pool of event loops over one reloadable context.
public final class GatewayServer: @unchecked Sendable {  // `started` is set once from the owning thread; the rest is immutable or atomic
    /// Where and how to listen.
    public struct Options: Sendable {
        /// `HOST:PORT`; port 0 picks a free one.
        public var listen = "127.0.0.1:0"
        public var workers = 1
        /// Handshake and request timeout per connection.
        public var timeout: TimeInterval = 10
        /// Idle keep-alive connections are closed after this long.
        public var idleTimeout: TimeInterval = 120
        public init() {}
    }

    /// The bound port.
    public let port: UInt16
    /// The address clients should use (`127.0.0.1:PORT`).
    public let address: String
    /// The context in force; `reload` swaps it.
    public let context: ReloadableContext
    private let workers: [ServerWorker]
    private let counters: [ServerCounters]
    private let stopFlag = StopFlag()
    private let group = DispatchGroup()
    private var started = false

    public init(settings: ServerTLSSettings, options: Options = Options()) throws {
        BrokenPipe.ignored
        context = ReloadableContext(try ServerTLSContext(settings))
        let address = try TargetAddress.resolve(options.listen, allowPortZero: true)
        let first = try ListeningSocket.open(address, port: address.port)
        port = ListeningSocket.boundPort(first)
        self.address = address.host.contains(":") ? "[\(address.host)]:\(port)" : "\(address.host):\(port)"
        var listeners = [first]
        for _ in 1..<max(1, options.workers) {
            let shared = fcntl(first, F_DUPFD_CLOEXEC, 0)
            guard shared >= 0 else { throw TLSDrillError.io(path: options.listen, reason: "cannot share the listening socket (\(ErrnoName.name(errno)))") }
            listeners.append(shared)
        }
        counters = listeners.map { _ in ServerCounters() }
        var built: [ServerWorker] = []
        for (index, listener) in listeners.enumerated() {
            built.append(try ServerWorker(index: index, listener: listener, source: context, counters: counters[index],
                                          stop: stopFlag, timeout: options.timeout, idleTimeout: options.idleTimeout))
        }
        workers = built
    }

    /// Starts the workers on their Dispatch queues.
    public func start() {
        guard !started else { return }
        started = true
        for worker in workers {
            DispatchQueue(label: "tlsdrill.gateway.\(worker.index)", qos: .userInitiated).async(group: group) { worker.run() }
        }
    }

    /// Stops accepting, closes every connection and waits for the workers.
    public func stop() {
        stopFlag.set()
        if started { group.wait() }
    }

    /// Builds a new context from `settings` and swaps it in for new handshakes; established connections
    /// keep theirs. A failed reload keeps the old context and throws why.
    @discardableResult
    public func reload(_ settings: ServerTLSSettings) throws -> Int { try context.reload(settings) }

    /// Handshake latency buckets (counts, one per `LatencyBuckets` bucket) and their sum (ns), over workers.
    func handshakeBuckets() -> (counts: [Int], sumNanoseconds: Int) {
        var counts = Array(repeating: 0, count: LatencyBuckets.count)
        var sum = 0
        for counter in counters { counter.handshake.accumulate(series: 0, counts: &counts, sum: &sum) }
        return (counts, sum)
    }

    /// Verdicts so far, summed over workers.
    public func counts() -> [ServerVerdict: Int] {
        var totals: [ServerVerdict: Int] = [:]
        for verdict in ServerVerdict.allCases {
            totals[verdict] = counters.reduce(0) { $0 + $1.counts[verdict.index].current }
        }
        return totals
    }
}
