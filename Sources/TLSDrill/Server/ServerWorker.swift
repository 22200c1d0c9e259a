import Foundation
import Synchronization
internal import COpenSSL
internal import CTLSDrillShims

/// One gateway event loop: a share of the gateway's listening socket, its connections, timers and counters.
/// `@unchecked Sendable`: handed to its own Dispatch queue once; other threads read only its atomic counters.
final class ServerWorker: @unchecked Sendable {
    private static let listenerToken = UInt64.max
    let index: Int
    private let listener: Int32
    private let source: ReloadableContext
    private let counters: ServerCounters
    private let stop: StopFlag
    private let poller: EventPoller
    private let timeoutNanos: UInt64
    private let idleNanos: UInt64
    private var connections: [ServerConnection] = []
    private var freeSlots: [UInt32] = []
    private var context: ServerTLSContext
    private var contextGeneration: Int
    private var nextSweep: UInt64 = 0

    init(index: Int, listener: Int32, source: ReloadableContext, counters: ServerCounters, stop: StopFlag,
         timeout: TimeInterval, idleTimeout: TimeInterval) throws {
        self.index = index
        self.listener = listener
        self.source = source
        self.counters = counters
        self.stop = stop
        poller = try EventPoller(capacity: 1024)
        timeoutNanos = UInt64(timeout * 1e9)
        idleNanos = UInt64(idleTimeout * 1e9)
        (context, contextGeneration) = source.current()
    }

    func run() {
        poller.add(listener, token: Self.listenerToken, interest: .read)
        while !stop.isSet {
            poller.poll(timeoutMilliseconds: 50) { token, _ in
                if token == Self.listenerToken { acceptAll() } else { handle(token) }
            }
            let now = MonotonicClock.now()
            if now >= nextSweep {
                expire(now)
                releaseIdlePool()
                nextSweep = now + 100_000_000
            }
        }
        for connection in connections where connection.phase != .idle { close(connection, graceful: false) }
        Glibc.close(listener)
    }

    private func acceptAll() {
        while true {
            let fd = tlsdrill_accept_nonblocking(listener)
            guard fd >= 0 else { return }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            if source.generation != contextGeneration { (context, contextGeneration) = source.current() }
            let connection = slot()
            OpenSSLErrorQueue.clear()
            guard let ssl = SSL_new(context.pointer) else {
                Glibc.close(fd)
                freeSlots.append(connection.slot)
                continue
            }
            connection.generation &+= 1
            connection.fd = fd
            connection.ssl = ssl
            connection.context = context
            connection.phase = .handshaking
            connection.received = 0
            connection.written = 0
            connection.acceptedAt = MonotonicClock.now()
            connection.deadline = connection.acceptedAt + timeoutNanos
            tlsdrill_observation_reset(connection.observation)
            _ = tlsdrill_set_observation(ssl, connection.observation)
            SSL_set_fd(ssl, fd)
            SSL_set_accept_state(ssl)
            poller.add(fd, token: connection.token, interest: .read)
            connection.interest = .read
            handshake(connection)
        }
    }

    /// After a burst, when no connection is open any more: drop the slot pool (each slot keeps buffers)
    /// and hand freed heap back to the OS, so RSS returns to its idle size instead of its peak.
    private func releaseIdlePool() {
        guard connections.count > 64, freeSlots.count == connections.count else { return }
        connections = []
        freeSlots = []
        _ = tlsdrill_release_free_memory()
    }

    private func slot() -> ServerConnection {
        if let free = freeSlots.popLast() { return connections[Int(free)] }
        let connection = ServerConnection(slot: UInt32(connections.count))
        connections.append(connection)
        return connection
    }

    private func handle(_ token: UInt64) {
        let index = Int(token & 0xFFFF_FFFF)
        guard index < connections.count else { return }  // a slot of a pool released since
        let connection = connections[index]
        guard connection.token == token else { return }
        switch connection.phase {
        case .handshaking: handshake(connection)
        case .readingRequest: readRequest(connection)
        case .writingResponse: writeResponse(connection)
        case .idle: break
        }
    }

    private func handshake(_ connection: ServerConnection) {
        guard let ssl = connection.ssl else { return }
        OpenSSLErrorQueue.clear()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            let verdict = verdictAfterHandshake(connection, ssl: ssl)
            counters.add(verdict, after: MonotonicClock.now() - connection.acceptedAt)
            connection.http2 = tlsdrill_alpn_is_h2(ssl) == 1
            connection.response = switch (verdict, connection.http2) {
            case (.accepted, false): HTTPResponses.okClose
            case (.rejectedNoCertificate, false): HTTPResponses.noCertificate
            case (_, false): HTTPResponses.certificateError
            case (.accepted, true): HTTPResponses.http2OK
            case (.rejectedNoCertificate, true): HTTPResponses.http2NoCertificate
            case (_, true): HTTPResponses.http2CertificateError
            }
            connection.phase = .readingRequest
            readRequest(connection)
            return
        }
        if case .wait(let interest) = SSLCallResult(ssl, returned: result) {
            want(connection, interest)
            return
        }
        OpenSSLErrorQueue.clear()
        let seen = connection.observation.pointee
        if seen.client_hello_seen == 0 {
            // A TCP probe (load balancer health check, tlsdrill's preflight): not a handshake.
        } else if seen.verify_error != 0 || seen.san_rejected != 0 {
            counters.add(.forVerifyError(seen.verify_error, sanRejected: seen.san_rejected != 0), after: MonotonicClock.now() - connection.acceptedAt)
        } else if seen.alert_sent == Int32(TLSAlert.certificateRequired) || (seen.certificate_message_sent != 0 && seen.peer_certificate_received == 0 && seen.alert_sent == Int32(TLSAlert.handshakeFailure)) {
            counters.add(.rejectedNoCertificate, after: MonotonicClock.now() - connection.acceptedAt)
        } else {
            counters.add(.handshakeError, after: MonotonicClock.now() - connection.acceptedAt)
        }
        close(connection, graceful: false)
    }

    /// In `--reject http` mode the handshake completes whatever the verification said; decide here.
    private func verdictAfterHandshake(_ connection: ServerConnection, ssl: OpaquePointer) -> ServerVerdict {
        let seen = connection.observation.pointee
        let settings = connection.context!.settings
        guard settings.reject == .http, settings.clientAuth != .none else { return .accepted }
        if seen.verify_error != 0 || seen.san_rejected != 0 {
            return .forVerifyError(seen.verify_error, sanRejected: seen.san_rejected != 0)
        }
        if settings.clientAuth == .require && seen.peer_certificate_received == 0 { return .rejectedNoCertificate }
        return .accepted
    }

    private func readRequest(_ connection: ServerConnection) {
        guard let ssl = connection.ssl else { return }
        while true {
            OpenSSLErrorQueue.clear()
            let space = ServerConnection.bufferSize - connection.received
            let result = SSL_read(ssl, connection.buffer.baseAddress! + connection.received, Int32(space))
            if result > 0 {
                connection.received += Int(result)
                if let end = connection.http2 ? http2RequestEnd(connection) : requestEnd(connection) {
                    let accepted = connection.response.count == HTTPResponses.okClose.count && connection.response == HTTPResponses.okClose
                    connection.keepAlive = !connection.http2 && accepted && wantsKeepAlive(connection, headerLength: end)
                    if connection.keepAlive { connection.response = HTTPResponses.okKeepAlive }
                    connection.phase = .writingResponse
                    connection.written = 0
                    connection.deadline = MonotonicClock.now() + timeoutNanos
                    writeResponse(connection)
                    return
                }
                if connection.received == ServerConnection.bufferSize { return close(connection, graceful: false) }
                continue
            }
            return waitOrClose(connection, ssl: ssl, result: result)
        }
    }

    private func requestEnd(_ connection: ServerConnection) -> Int? {
        let bytes = connection.buffer
        guard connection.received >= 4 else { return nil }
        for index in 3..<connection.received where bytes[index] == 10 && bytes[index - 1] == 13 && bytes[index - 2] == 10 && bytes[index - 3] == 13 {
            return index + 1
        }
        return nil
    }

    /// HTTP/2: the client preface followed by a complete HEADERS frame on stream 1 (its request).
    private func http2RequestEnd(_ connection: ServerConnection) -> Int? {
        let bytes = UnsafeRawBufferPointer(connection.buffer)
        var offset = HTTP2Frames.preface.count
        while connection.received - offset >= 9 {
            let length = Int(bytes[offset]) << 16 | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2])
            guard connection.received - offset - 9 >= length else { return nil }
            let stream = Int(bytes[offset + 8]) | Int(bytes[offset + 7]) << 8
            offset += 9 + length
            if bytes[offset - 9 - length + 3] == HTTP2Frames.FrameType.headers.rawValue && stream == 1 { return offset }
        }
        return nil
    }

    private static let connectionClose = Array("connection: close".utf8)

    /// HTTP/1.1 keeps the connection unless the request says `Connection: close` (case-insensitive scan, no allocation).
    private func wantsKeepAlive(_ connection: ServerConnection, headerLength: Int) -> Bool {
        let needle = Self.connectionClose
        let bytes = connection.buffer
        guard headerLength >= needle.count else { return true }
        for start in 0...(headerLength - needle.count) {
            var index = 0
            while index < needle.count, bytes[start + index] | 0x20 == needle[index] | 0x20 { index += 1 }
            if index == needle.count { return false }
        }
        return true
    }

    private func writeResponse(_ connection: ServerConnection) {
        guard let ssl = connection.ssl else { return }
        while connection.written < connection.response.count {
            OpenSSLErrorQueue.clear()
            let result = connection.response.withUnsafeBytes {
                SSL_write(ssl, $0.baseAddress! + connection.written, Int32($0.count - connection.written))
            }
            if result > 0 {
                connection.written += Int(result)
                continue
            }
            return waitOrClose(connection, ssl: ssl, result: result)
        }
        if connection.keepAlive {
            connection.phase = .readingRequest
            connection.received = 0
            connection.deadline = MonotonicClock.now() + idleNanos
            want(connection, .read)
            readRequest(connection)
        } else {
            close(connection, graceful: true)
        }
    }

    /// After a failed SSL call: wait for the socket when OpenSSL would block, otherwise drop the connection.
    private func waitOrClose(_ connection: ServerConnection, ssl: OpaquePointer, result: Int32) {
        if case .wait(let interest) = SSLCallResult(ssl, returned: result) {
            want(connection, interest)
            return
        }
        OpenSSLErrorQueue.clear()
        close(connection, graceful: false)
    }

    private func want(_ connection: ServerConnection, _ interest: EventPoller.Interest) {
        guard connection.interest != interest else { return }
        connection.interest = interest
        poller.modify(connection.fd, token: connection.token, interest: interest)
    }

    private func expire(_ now: UInt64) {
        for connection in connections where connection.phase != .idle && connection.deadline <= now {
            if connection.phase == .handshaking && connection.observation.pointee.client_hello_seen != 0 { counters.add(.timeout) }
            close(connection, graceful: false)
        }
    }

    private func close(_ connection: ServerConnection, graceful: Bool) {
        if let ssl = connection.ssl {
            if graceful {
                OpenSSLErrorQueue.clear()
                SSL_shutdown(ssl)
                OpenSSLErrorQueue.clear()
            }
            SSL_free(ssl)
            connection.ssl = nil
        }
        if connection.fd >= 0 {
            Glibc.close(connection.fd)
            connection.fd = -1
        }
        connection.context = nil
        connection.phase = .idle
        connection.generation &+= 1
        freeSlots.append(connection.slot)
    }
}

/// A stop request shared by a gateway's workers.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}
