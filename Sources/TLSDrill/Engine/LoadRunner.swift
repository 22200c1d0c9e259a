import Foundation

/// Live figures for the one-line status (read from the workers' atomic counters).
public struct LiveStatus: Sendable {
    public var elapsed: TimeInterval
    public var completed: Int
    public var accepted: Int
    public var inFlight = 0
    public var missedStarts = 0
    /// The most frequent class other than accepted, with its count.
    public var topFailure: (outcome: OutcomeClass, count: Int)?
    /// Handshake p99 of the latest finished interval (µs; 0 before the first).
    public var intervalHandshakeP99Us: UInt64 = 0
    /// The run's bounds and target rate, for "elapsed/total" and "rate/target".
    public var duration: TimeInterval?
    public var handshakes: Int?
    public var targetRate: Double?

    public init(elapsed: TimeInterval, completed: Int, accepted: Int) {
        self.elapsed = elapsed
        self.completed = completed
        self.accepted = accepted
    }
}

/// Runs a load: splits it over a Dispatch worker pool, waits, merges the workers' statistics.
public final class LoadRunner: @unchecked Sendable {  // `onStart` is set before `run` and read on the calling thread; the rest is immutable or atomic
    public let settings: RunSettings
    private let identities: [WeightedIdentity]
    private let plan: ClientPlan
    private let trustPhases: [[ClientTLSContext]]
    private let control: RunControl
    private let workerCount: Int
    /// The wall clock the identities' validity is judged against (injectable for tests).
    public let validationTime: Date

    /// `plan` changes weights and client trust over time; `trustPhases[i]` holds phase i+1's contexts
    /// (one per identity, same order); phase 0 is `identities`.
    public init(settings: RunSettings, identities: [WeightedIdentity], validationTime: Date = Date(),
                plan: ClientPlan? = nil, trustPhases: [[ClientTLSContext]] = []) throws {
        try settings.validate()
        BrokenPipe.ignored
        try ResourceLimits.ensureFileDescriptors(settings.concurrency + 64)
        guard !identities.isEmpty else { throw TLSDrillError.conflictingOptions("no identity to present: pass --cert/--key or --no-cert") }
        self.settings = settings
        self.identities = identities
        self.plan = plan ?? ClientPlan(initialWeights: identities.map(\.weight))
        self.trustPhases = trustPhases
        self.validationTime = validationTime
        var workers = min(settings.workers, settings.concurrency)
        if let handshakes = settings.handshakes { workers = min(workers, handshakes) }
        workerCount = max(1, workers)
        let control = RunControl(workers: workerCount, metricsIdentities: settings.publishesMetrics ? identities.count : nil)
        self.control = control
        liveMetrics = control.metrics.map { boards in
            ClientMetrics(boards: boards, control: control, identityNames: identities.map(\.context.identity.name),
                          target: settings.target.description, shard: settings.shard?.shard)
        }
    }

    /// The live `/metrics` of this run (when `settings.publishesMetrics`).
    public let liveMetrics: ClientMetrics?

    /// Asks the workers to stop now; in-flight attempts are dropped, the report is still produced.
    public func requestStop() { control.requestStop() }

    /// Runs to completion (or until `requestStop`) and returns the merged result. `status` is called
    /// about once a second from another thread.
    /// Called on the calling thread the moment the workers start (rotation steps are scheduled from it).
    public var onStart: ((UInt64) -> Void)?

    public func run(status: (@Sendable (LiveStatus) -> Void)? = nil) throws -> RunResult {
        let facts = identities.map { $0.context.identity.facts(at: validationTime) }
        let shares = WorkerShare.split(settings, workers: workerCount)
        if let startAt = settings.startAt { StartTime.wait(until: startAt) { control.stopRequested } }
        let runStart = MonotonicClock.now()
        let startedAt = Date()
        liveMetrics?.markStarted(at: startedAt)
        let timeline = TimelineCollector(workers: workerCount, identities: identities.count, keepHistograms: settings.shard != nil)
        let workers = try shares.enumerated().map { index, share in
            try Worker(index: index, settings: settings, share: share, identities: identities, facts: facts,
                       control: control, runStart: runStart, plan: plan, trustPhases: trustPhases, timeline: timeline)
        }
        let group = DispatchGroup()
        for worker in workers {
            let queue = DispatchQueue(label: "tlsdrill.worker.\(worker.index)", qos: .userInitiated)
            queue.async(group: group) { worker.run() }
        }
        let ticker = startTicker(runStart: runStart, timeline: timeline, status: status)
        onStart?(runStart)
        group.wait()
        ticker?.cancel()
        let elapsed = Double(MonotonicClock.now() - runStart) / 1e9
        var merged = WorkerStats(identities: identities.count)
        for worker in workers { merged.add(worker.stats) }
        return RunResult(settings: settings, identityNames: identities.map(\.context.identity.name),
                         identityFacts: facts, stats: merged, timeline: timeline.finish(), elapsed: elapsed, workers: workerCount,
                         interrupted: control.stopRequested, startedAt: startedAt)
    }

    private func startTicker(runStart: UInt64, timeline: TimelineCollector, status: (@Sendable (LiveStatus) -> Void)?) -> DispatchSourceTimer? {
        guard let status else { return nil }
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "tlsdrill.status"))
        let control = self.control
        let settings = self.settings
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler {
            var live = LiveStatus(elapsed: Double(MonotonicClock.now() - runStart) / 1e9,
                                  completed: control.totalCompleted, accepted: control.totalAccepted)
            live.inFlight = control.totalInFlight
            live.missedStarts = control.totalMissedStarts
            live.topFailure = control.topFailure.map { (outcome: $0.0, count: $0.1) }
            live.intervalHandshakeP99Us = UInt64(timeline.latestHandshakeP99Us)
            live.duration = settings.duration
            live.handshakes = settings.handshakes
            live.targetRate = settings.rate
            status(live)
        }
        timer.resume()
        return timer
    }
}
