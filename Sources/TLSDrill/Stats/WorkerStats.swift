/// Everything one worker counts; owned by that worker alone and merged after the run.
struct WorkerStats {
    var outcomes: [Int] = Array(repeating: 0, count: OutcomeClass.allCases.count)
    /// [identity][class]
    var outcomesByIdentity: [[Int]]
    var evidence: [EvidenceKey: Int] = [:]
    var latency = PhaseHistograms()
    /// Per identity latency.
    var latencyByIdentity: [PhaseHistograms]
    var missedStarts = 0
    var notStarted = 0
    var abandonedInFlight = 0
    /// Time slots spent paused before re-dialling after a pre-TLS failure (closed loop).
    var pausedNanos: UInt64 = 0
    /// [identity][Resumption] attempts.
    var resumptionByIdentity: [[Int]]
    /// Latency split by resumption (recorded only when the run resumes): offered-refused counts as full.
    var latencyResumed = PhaseHistograms()
    var latencyFull = PhaseHistograms()
    /// The same split per identity (filled only when the run resumes).
    var latencyResumedByIdentity: [PhaseHistograms]
    var latencyFullByIdentity: [PhaseHistograms]
    let identityCount: Int

    init(identities: Int) {
        identityCount = identities
        outcomesByIdentity = Array(repeating: Array(repeating: 0, count: OutcomeClass.allCases.count), count: identities)
        latencyByIdentity = Array(repeating: PhaseHistograms(), count: identities)
        resumptionByIdentity = Array(repeating: Array(repeating: 0, count: Resumption.allCases.count), count: identities)
        latencyResumedByIdentity = Array(repeating: PhaseHistograms(), count: identities)
        latencyFullByIdentity = Array(repeating: PhaseHistograms(), count: identities)
    }

    var attempts: Int { outcomes.reduce(0, +) }

    mutating func add(_ other: WorkerStats) {
        for index in outcomes.indices { outcomes[index] += other.outcomes[index] }
        for identity in outcomesByIdentity.indices {
            for index in outcomes.indices { outcomesByIdentity[identity][index] += other.outcomesByIdentity[identity][index] }
            latencyByIdentity[identity].add(other.latencyByIdentity[identity])
            for kind in Resumption.allCases { resumptionByIdentity[identity][kind.rawValue] += other.resumptionByIdentity[identity][kind.rawValue] }
            latencyResumedByIdentity[identity].add(other.latencyResumedByIdentity[identity])
            latencyFullByIdentity[identity].add(other.latencyFullByIdentity[identity])
        }
        for (key, count) in other.evidence { evidence[key, default: 0] += count }
        latency.add(other.latency)
        missedStarts += other.missedStarts
        notStarted += other.notStarted
        abandonedInFlight += other.abandonedInFlight
        pausedNanos += other.pausedNanos
        latencyResumed.add(other.latencyResumed)
        latencyFull.add(other.latencyFull)
    }
}
