internal import CTLSDrillShims

/// What the built-in gateway did with one connection (counted per second and in the summary).
public enum ServerVerdict: String, CaseIterable, Sendable, Codable {
    case accepted
    case rejectedExpired = "rejected-expired"
    case rejectedNotYetValid = "rejected-not-yet-valid"
    case rejectedUnknownCA = "rejected-unknown-ca"
    case rejectedPurpose = "rejected-missing-clientauth"
    case rejectedSAN = "rejected-san"
    case rejectedNoCertificate = "rejected-no-certificate"
    case rejectedOther = "rejected-other"
    case handshakeError = "handshake-error"
    case timeout

    var index: Int { Self.allCases.firstIndex(of: self)! }

    /// The verdict for a verification error code seen by our verify callback.
    static func forVerifyError(_ code: Int32, sanRejected: Bool) -> ServerVerdict {
        if sanRejected { return .rejectedSAN }
        switch code {
        case X509VerifyCode.certHasExpired: return .rejectedExpired
        case X509VerifyCode.certNotYetValid: return .rejectedNotYetValid
        case X509VerifyCode.invalidPurpose: return .rejectedPurpose
        case let code where X509VerifyCode.serverClass(code) == .serverCertUnknownCA: return .rejectedUnknownCA
        default: return .rejectedOther
        }
    }
}

/// Per-worker verdict counters and handshake latency buckets, readable from the status and metrics threads.
final class ServerCounters: Sendable {
    let counts: [ProgressCounter] = ServerVerdict.allCases.map { _ in ProgressCounter() }
    /// accept() until the handshake's verdict, for `/metrics`.
    let handshake = PhaseBucketBoard(series: 1)
    @inline(__always) func add(_ verdict: ServerVerdict) { counts[verdict.index].add(1) }

    /// Counts a handshake that reached `verdict`, `nanoseconds` after its connection was accepted.
    @inline(__always) func add(_ verdict: ServerVerdict, after nanoseconds: UInt64) {
        counts[verdict.index].add(1)
        handshake.record(series: 0, nanoseconds: nanoseconds)
    }
}
