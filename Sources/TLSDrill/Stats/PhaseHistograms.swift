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

    var histograms: [Histogram<UInt64>] = LatencyPhase.allCases.map { _ in
        Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: highestTrackableMicroseconds,
                          numberOfSignificantValueDigits: .three)
    }

    @inline(__always)
    mutating func record(_ phase: LatencyPhase, nanoseconds: UInt64) {
        let micros = Swift.min(Swift.max(nanoseconds / 1000, 1), Self.highestTrackableMicroseconds)
        _ = histograms[phase.index].record(micros)
    }

    subscript(phase: LatencyPhase) -> Histogram<UInt64> { histograms[phase.index] }

    mutating func add(_ other: PhaseHistograms) {
        for index in histograms.indices { histograms[index].add(other.histograms[index]) }
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
