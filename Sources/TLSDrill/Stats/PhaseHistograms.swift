import Histogram

/// The latency phases tlsdrill times, and what each covers.
public enum LatencyPhase: String, CaseIterable, Codable, Sendable {
    case connect
    case handshake
    case verdict
    case total

    /// What the phase covers, printed with the report so nobody has to guess.
    public var covers: String {
        switch self {
        case .connect: "socket() until TCP connect completes"
        case .handshake: "TCP connected until our SSL_do_handshake returns 1 (client view)"
        case .verdict: "our handshake done until the gateway's accept/reject is seen"
        case .total: "intended start until the outcome is known (all attempts; CO-corrected in --rate mode)"
        }
    }
}

/// Anything that takes one latency sample of a phase (whole-run histograms, a timeline interval).
protocol PhaseRecorder {
    mutating func record(_ phase: LatencyPhase, nanoseconds: UInt64)
}

/// One HdrHistogram (µs, 3 significant digits) per phase.
struct PhaseHistograms: PhaseRecorder {
    static let highestTrackableMicroseconds: UInt64 = 3_600_000_000

    /// One empty histogram made once per process: every phase starts as a copy of it, sharing its zeroed counts
    /// until its first sample (the library's own initializer fills ~23,000 counts one generic call at a time,
    /// ~0.5 ms each, and a worker holds two dozen of these).
    static let empty = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: highestTrackableMicroseconds,
                                         numberOfSignificantValueDigits: .three)

    var histograms = Array(repeating: PhaseHistograms.empty, count: LatencyPhase.allCases.count)

    @inline(__always)
    mutating func record(_ phase: LatencyPhase, nanoseconds: UInt64) {
        let micros = Swift.min(Swift.max(nanoseconds / 1000, 1), Self.highestTrackableMicroseconds)
        _ = histograms[phase.index].record(micros)
    }

    subscript(phase: LatencyPhase) -> Histogram<UInt64> { histograms[phase.index] }

    mutating func add(_ other: PhaseHistograms) {
        for index in histograms.indices { histograms[index].addSkippingEmpty(other.histograms[index]) }
    }
}

extension LatencyPhase {
    var index: Int {
        switch self {
        case .connect: 0
        case .handshake: 1
        case .verdict: 2
        case .total: 3
        }
    }
}

extension Histogram {
    /// `add`, without touching ~23,000 counts when either side is empty: adding an empty histogram changes
    /// nothing, and an empty one with the same layout takes the other's counts as they are (shared until written).
    mutating func addSkippingEmpty(_ other: Histogram) {
        guard other.totalCount > 0 else { return }
        if totalCount == 0, highestTrackableValue == other.highestTrackableValue, lowestDiscernibleValue == other.lowestDiscernibleValue,
           numberOfSignificantValueDigits == other.numberOfSignificantValueDigits {
            self = other
        } else {
            add(other)
        }
    }
}
