internal import COpenSSL
internal import CTLSDrillShims

/// One connection slot of a worker: reused attempt after attempt, so the hot path allocates nothing.
final class Connection {
    enum Phase {
        case idle
        case connecting
        case handshaking
        case writingRequest
        case readingVerdict
        case holding
    }

    static let bufferSize = 4096

    let slot: UInt32
    var generation: UInt32 = 0
    var phase: Phase = .idle
    var fd: Int32 = -1
    var ssl: OpaquePointer?
    /// ALPN chose h2: the verdict request and reply are HTTP/2.
    var http2 = false
    /// Whether this attempt offered a session, and whether the server resumed it.
    var resumption: Resumption = .full
    var identity = 0
    var trustPhase = 0
    var interest: EventPoller.Interest = []
    var intendedStart: UInt64 = 0
    var startedAt: UInt64 = 0
    var connectedAt: UInt64 = 0
    var handshakeDoneAt: UInt64 = 0
    /// When the current phase times out (0 = no timer).
    var deadline: UInt64 = 0
    var evidence = AttemptEvidence()
    var requestWritten = 0
    /// TCP_CORK is set: what OpenSSL writes is held until `uncork` (our last flight and the request, one segment).
    var corked = false
    var received = 0
    let observation: UnsafeMutablePointer<tlsdrill_observation>
    let buffer: UnsafeMutableRawBufferPointer

    init(slot: UInt32) {
        self.slot = slot
        observation = .allocate(capacity: 1)
        tlsdrill_observation_reset(observation)
        buffer = .allocate(byteCount: Self.bufferSize, alignment: 16)
    }

    deinit {
        if let ssl { SSL_free(ssl) }
        observation.deallocate()
        buffer.deallocate()
    }

    /// Whether the gateway's accept/reject was seen after our handshake (the verdict phase is timed only then).
    var verdictSeen: Bool {
        handshakeDoneAt > 0 && (evidence.alert >= 0 || evidence.verdictSignal != .none || evidence.httpStatus > 0)
    }

    /// The epoll token: slot plus generation, so a stale event for a reused slot is ignored.
    var token: UInt64 { UInt64(generation) << 32 | UInt64(slot) }

    func prepare(identity: Int, trustPhase: Int, intendedStart: UInt64, now: UInt64) {
        generation &+= 1
        self.identity = identity
        self.trustPhase = trustPhase
        self.intendedStart = intendedStart
        startedAt = now
        connectedAt = 0
        handshakeDoneAt = 0
        deadline = 0
        evidence = AttemptEvidence()
        requestWritten = 0
        received = 0
        resumption = .full
        http2 = false
        interest = []
        tlsdrill_observation_reset(observation)
    }

    /// Copies what the message observer saw into the evidence.
    func absorbObservation() {
        let seen = observation.pointee
        evidence.certificateRequested = seen.certificate_request_seen != 0
        evidence.certificateSent = seen.certificate_sent != 0
        if seen.alert_received >= 0 {
            evidence.alert = Int16(seen.alert_received)
            evidence.alertAfterHandshake = seen.alert_after_handshake != 0 || handshakeDoneAt != 0
        }
        if seen.alert_sent >= 0 { evidence.alertSent = Int16(seen.alert_sent) }
    }
}
