/// What one load worker publishes for `/metrics`, written by that worker alone: attempts per identity and
/// class, resumption kinds per identity, and each phase's latency buckets, split full vs resumed.
final class ClientMetricsBoard: Sendable {
    let identities: Int
    /// [identity × class]
    let attempts: AtomicCounterBlock
    /// [identity × Resumption]
    let resumption: AtomicCounterBlock
    /// Series: [session kind (0 full, 1 resumed) × phase]
    let latency: PhaseBucketBoard

    init(identities: Int) {
        self.identities = identities
        attempts = AtomicCounterBlock(count: identities * OutcomeClass.allCases.count)
        resumption = AtomicCounterBlock(count: identities * Resumption.allCases.count)
        latency = PhaseBucketBoard(series: 2 * LatencyPhase.allCases.count)
    }

    @inline(__always) func count(identity: Int, outcome: Int) {
        attempts.add(identity * OutcomeClass.allCases.count + outcome)
    }

    @inline(__always) func count(identity: Int, resumption kind: Resumption) {
        resumption.add(identity * Resumption.allCases.count + kind.rawValue)
    }

    /// A `PhaseRecorder` onto this board's full (or resumed) series.
    func recorder(resumed: Bool) -> Recorder { Recorder(board: latency, offset: resumed ? LatencyPhase.allCases.count : 0) }

    struct Recorder: PhaseRecorder {
        let board: PhaseBucketBoard
        let offset: Int
        @inline(__always) mutating func record(_ phase: LatencyPhase, nanoseconds: UInt64) {
            board.record(series: offset + phase.index, nanoseconds: nanoseconds)
        }
    }
}
