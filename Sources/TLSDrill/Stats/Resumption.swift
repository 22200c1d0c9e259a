/// How an attempt's handshake went with respect to session resumption.
public enum Resumption: Int, CaseIterable, Sendable {
    /// A full handshake: no session offered.
    case full
    /// A session was offered and the server resumed it.
    case resumed
    /// A session was offered and the server did a full handshake instead.
    case offeredRefused

    /// The report's name for it.
    public var name: String {
        switch self {
        case .full: "full"
        case .resumed: "resumed"
        case .offeredRefused: "offered-refused"
        }
    }
}

/// Decides which of an identity's attempts resume, deterministically: attempt k resumes when
/// ⌊(k+1)·f⌋ > ⌊k·f⌋, so every window of attempts matches the fraction as closely as whole numbers allow.
struct ResumeSchedule {
    let fraction: Double
    private var attempts = 0

    init(fraction: Double) { self.fraction = fraction }

    mutating func next() -> Bool {
        defer { attempts += 1 }
        guard fraction > 0 else { return false }
        return (Double(attempts + 1) * fraction).rounded(.down) > (Double(attempts) * fraction).rounded(.down)
    }
}
