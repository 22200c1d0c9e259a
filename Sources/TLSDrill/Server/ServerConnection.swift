internal import COpenSSL
internal import CTLSDrillShims

/// One accepted connection of the built-in gateway, reused slot by slot.
final class ServerConnection {
    enum Phase { case idle, handshaking, readingRequest, writingResponse }

    static let bufferSize = 4096
    let slot: UInt32
    var generation: UInt32 = 0
    var phase: Phase = .idle
    var fd: Int32 = -1
    var ssl: OpaquePointer?
    /// Keeps the context (and the policy memory its callbacks read) alive while this connection uses it.
    var context: ServerTLSContext?
    var interest: EventPoller.Interest = []
    var deadline: UInt64 = 0
    /// When accept() returned it (MonotonicClock), for the handshake latency metric.
    var acceptedAt: UInt64 = 0
    var received = 0
    var response: [UInt8] = []
    var written = 0
    var keepAlive = false
    /// ALPN chose h2: the reply is HTTP/2 frames.
    var http2 = false
    let observation: UnsafeMutablePointer<tlsdrill_observation>
    let buffer: UnsafeMutableRawBufferPointer

    init(slot: UInt32) {
        self.slot = slot
        observation = .allocate(capacity: 1)
        buffer = .allocate(byteCount: Self.bufferSize, alignment: 16)
    }

    deinit {
        if let ssl { SSL_free(ssl) }
        observation.deallocate()
        buffer.deallocate()
    }

    var token: UInt64 { UInt64(generation) << 32 | UInt64(slot) }
}
