import Histogram

/// Counts for one timeline interval: outcomes by class and by identity, and handshake latency.
struct TimelineBucket {
    var outcomes: [Int] = Array(repeating: 0, count: OutcomeClass.allCases.count)
    /// [identity][class]
    var outcomesByIdentity: [[Int]]
    var handshake = Histogram<UInt32>(lowestDiscernibleValue: 1, highestTrackableValue: PhaseHistograms.highestTrackableMicroseconds,
                                      numberOfSignificantValueDigits: .two)

    init(identities: Int) {
        outcomesByIdentity = Array(repeating: Array(repeating: 0, count: OutcomeClass.allCases.count), count: identities)
    }

    /// Back to empty, keeping its storage (a worker reuses one bucket for every interval).
    mutating func reset() {
        for index in outcomes.indices { outcomes[index] = 0 }
        for identity in outcomesByIdentity.indices {
            for index in outcomesByIdentity[identity].indices { outcomesByIdentity[identity][index] = 0 }
        }
        handshake.reset()
    }

    var isEmpty: Bool { handshake.totalCount == 0 && !outcomes.contains { $0 > 0 } }

    mutating func add(_ other: TimelineBucket) {
        for index in outcomes.indices { outcomes[index] += other.outcomes[index] }
        for identity in outcomesByIdentity.indices {
            for index in outcomes.indices { outcomesByIdentity[identity][index] += other.outcomesByIdentity[identity][index] }
        }
        handshake.add(other.handshake)
    }
}
