import Histogram

/// Counts for one timeline interval: outcomes by class and by identity, and each phase's latency
/// (2 significant digits: percentiles exact to 1%).
struct TimelineBucket: PhaseRecorder {
    var outcomes: [Int] = Array(repeating: 0, count: OutcomeClass.allCases.count)
    /// [identity][class]
    var outcomesByIdentity: [[Int]]
    /// [identity] attempts accepted by resuming a session (the rotation finding compares them with rejections).
    var resumedAccepted: [Int]
    /// One histogram per `LatencyPhase` (µs).
    var phases = Array(repeating: TimelineBucket.emptyPhase, count: LatencyPhase.allCases.count)

    /// Made once per process and copied (see `PhaseHistograms.empty`).
    static let emptyPhase = Histogram<UInt32>(lowestDiscernibleValue: 1, highestTrackableValue: PhaseHistograms.highestTrackableMicroseconds,
                                              numberOfSignificantValueDigits: .two)

    var handshake: Histogram<UInt32> { phases[LatencyPhase.handshake.index] }

    @inline(__always)
    mutating func record(_ phase: LatencyPhase, nanoseconds: UInt64) {
        _ = phases[phase.index].record(Swift.min(Swift.max(nanoseconds / 1000, 1), PhaseHistograms.highestTrackableMicroseconds))
    }

    init(identities: Int) {
        resumedAccepted = Array(repeating: 0, count: identities)
        outcomesByIdentity = Array(repeating: Array(repeating: 0, count: OutcomeClass.allCases.count), count: identities)
    }

    /// Back to empty, keeping its storage (a worker reuses one bucket for every interval).
    mutating func reset() {
        for index in outcomes.indices { outcomes[index] = 0 }
        for identity in outcomesByIdentity.indices {
            for index in outcomesByIdentity[identity].indices { outcomesByIdentity[identity][index] = 0 }
        }
        for index in resumedAccepted.indices { resumedAccepted[index] = 0 }
        for index in phases.indices { phases[index].reset() }
    }

    var isEmpty: Bool { !outcomes.contains { $0 > 0 } && phases.allSatisfy { $0.totalCount == 0 } }

    mutating func add(_ other: TimelineBucket) {
        for index in outcomes.indices { outcomes[index] += other.outcomes[index] }
        for identity in outcomesByIdentity.indices {
            for index in outcomes.indices { outcomesByIdentity[identity][index] += other.outcomesByIdentity[identity][index] }
            resumedAccepted[identity] += other.resumedAccepted[identity]
        }
        for index in phases.indices { phases[index].addSkippingEmpty(other.phases[index]) }
    }
}
