/// A synthetic `/metrics` for benchmarks: `identities` × `classesPerIdentity` non-zero attempt series over
/// `workers` worker boards, with each scrape preceded by the attempts workers would have made since the
/// last one. Measures what a scrape costs at a given series count, and what one attempt's publishing costs.
public final class MetricsScrapeBench: Sendable {
    private let boards: [ClientMetricsBoard]
    private let metrics: ClientMetrics
    private let identities: Int
    private let classes: Int

    public init(identities: Int, classesPerIdentity: Int, workers: Int = 2) {
        self.identities = identities
        classes = min(classesPerIdentity, OutcomeClass.allCases.count)
        boards = (0..<workers).map { _ in ClientMetricsBoard(identities: identities) }
        let control = RunControl(workers: workers)
        metrics = ClientMetrics(boards: boards, control: control, identityNames: (0..<identities).map { "identity-\($0)" },
                                target: "127.0.0.1:8443", shard: nil)
        advance(attempts: identities * classes)
        _ = metrics.scrape()
    }

    /// Publishes `attempts` attempts (each: a class count and four phase samples), as the workers would.
    public func advance(attempts: Int) {
        for attempt in 0..<attempts { publishOne(attempt) }
    }

    /// One attempt's publishing on the worker hot path.
    @inline(__always) public func publishOne(_ attempt: Int) {
        let board = boards[attempt % boards.count]
        let series = attempt % (identities * classes)
        board.count(identity: series / classes, outcome: series % classes)
        var recorder = board.recorder(resumed: false)
        for phase in LatencyPhase.allCases { recorder.record(phase, nanoseconds: UInt64(200_000 + (attempt % 97) * 10_000)) }
    }

    /// One scrape; returns the exposition's size in bytes.
    public func scrape() -> Int { metrics.scrape().count }
}
