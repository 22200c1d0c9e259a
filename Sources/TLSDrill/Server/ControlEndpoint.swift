import Foundation
internal import CTLSDrillShims

/// A local control socket for a running gateway (`--control unix:PATH`). One request line, one reply line:
/// `reload [key=value ...]` → `ok generation=N` or `error: why`; `stats` → one JSON object.
public final class ControlEndpoint: @unchecked Sendable {  // immutable after init; the source's handler owns the fd
    private let socketPath: ControlSocketPath
    private let fd: Int32
    private let source: DispatchSourceRead
    private let queue = DispatchQueue(label: "tlsdrill.control")
    /// How long one client may take to send its request line.
    static let requestDeadline: TimeInterval = 2

    /// Listens on `path` and serves `server`; `log` gets one line per reload. Refuses a path that is not
    /// a socket or on which a live gateway answers; replaces a stale socket; creates it mode 0600.
    public init(path: String, server: GatewayServer, log: @escaping @Sendable (String) -> Void) throws {
        var socketPath = ControlSocketPath(path: path)
        try socketPath.prepare()
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw TLSDrillError.controlSocket(path: path, reason: "no socket available (\(ErrnoName.name(errno)))") }
        do {
            try socketPath.bind(fd)
        } catch {
            close(fd)
            throw error
        }
        guard listen(fd, 16) == 0 else {
            close(fd)
            socketPath.release()
            throw TLSDrillError.controlSocket(path: path, reason: "cannot listen (\(ErrnoName.name(errno)))")
        }
        self.fd = fd
        self.socketPath = socketPath
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        let listener = fd
        source.setEventHandler {
            while true {
                let client = tlsdrill_accept_nonblocking(listener)
                guard client >= 0 else { return }
                guard UnixSocket.peerUID(client) == getuid() else {
                    ControlLine.write(client, "error: only the user running the gateway may control it")
                    close(client)
                    log("control: refused a client of another user")
                    continue
                }
                // Each client on a queue of its own (a serial queue gets a thread even while the event loops
                // hold the pool's), with its own deadline, so a slow client never delays another or a reload.
                DispatchQueue(label: "tlsdrill.control.client").async {
                    defer { close(client) }
                    guard let request = ControlLine.read(client, deadline: ControlEndpoint.requestDeadline) else {
                        ControlLine.write(client, "error: no complete request line within \(Int(ControlEndpoint.requestDeadline))s")
                        return
                    }
                    ControlLine.write(client, ControlEndpoint.answer(request, server: server, log: log))
                }
            }
        }
        source.resume()
    }

    deinit { stop() }

    private let stopped = StopFlag()

    /// Stops listening and removes the socket file if it is still ours.
    public func stop() {
        guard !stopped.isSet else { return }
        stopped.set()
        source.cancel()
        close(fd)
        socketPath.release()
    }

    /// Answers one control request line (also used for SIGHUP and the watched file).
    public static func answer(_ request: String, server: GatewayServer, log: @Sendable (String) -> Void) -> String {
        let reload: ReloadRequest
        switch ControlCommand.parse(request) {
        case .failure(let error): return "error: \(error.reason)"
        case .success(.stats):
            let counts = server.counts().map { "\"\($0.key.rawValue)\":\($0.value)" }.sorted().joined(separator: ",")
            return "{\"generation\":\(server.context.generation),\(counts)}"
        case .success(.reload(let request)): reload = request
        }
        do {
            let settings = try reload.applied(to: server.context.settings)
            let generation = try server.reload(settings)
            log("reloaded: generation \(generation) (\(ControlEndpoint.describe(settings)))")
            return "ok generation=\(generation)"
        } catch {
            let message = (error as? TLSDrillError)?.description ?? "\(error)"
            log("reload failed, keeping generation \(server.context.generation): \(message)")
            return "error: \(publicReason(error)); generation \(server.context.generation) kept"
        }
    }

    /// What a control client is told about a failed reload: which kind of problem, never whether a
    /// given path exists or what it holds (the gateway's own log has the details).
    static func publicReason(_ error: Error) -> String {
        switch error as? TLSDrillError {
        case .keyDoesNotMatchCertificate: "the key does not match the certificate"
        case .missingFile, .unreadableFile, .noCertificateInFile, .noKeyInFile, .encryptedKey, .io:
            "a file given could not be loaded (the gateway's log says which and why)"
        case .invalidOption(let flag, let value, let expected) where flag == "reload": "'\(value)': \(expected)"
        default: "the new settings were refused (the gateway's log says why)"
        }
    }

    /// One line describing the settings in force.
    public static func describe(_ settings: ServerTLSSettings) -> String {
        "cert=\(settings.certFile) trust=\(settings.trustFiles.joined(separator: ",")) client-auth=\(settings.clientAuth.rawValue) reject=\(settings.reject.rawValue)"
    }

    /// Sends one request line to a control socket and returns the reply line.
    public static func send(_ request: String, to path: String, timeout: TimeInterval = 10) throws -> String {
        let fd: Int32
        switch UnixSocket.connect(path) {
        case .success(let connected): fd = connected
        case .failure(let error): throw TLSDrillError.io(path: path, reason: "cannot reach the control socket (\(ErrnoName.name(error.code)))")
        }
        defer { close(fd) }
        ControlLine.write(fd, request)
        guard let reply = ControlLine.read(fd, deadline: timeout) else {
            throw TLSDrillError.io(path: path, reason: "the control socket did not answer within \(Int(timeout))s")
        }
        return reply
    }
}

/// Newline-terminated lines over a blocking socket.
enum ControlLine {
    /// One line, read within `deadline` seconds in all (not per byte); nil when the deadline passes or
    /// the peer closes before a newline with nothing sent.
    static func read(_ fd: Int32, deadline: TimeInterval) -> String? {
        let end = MonotonicClock.now() + UInt64(deadline * 1e9)
        var data = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 512)
        while data.count < 65_536 {
            let now = MonotonicClock.now()
            guard now < end else { return nil }
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, Int32(max(1, (end - now) / 1_000_000)))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return nil }
            let count = recv(fd, &chunk, chunk.count, Int32(MSG_DONTWAIT))
            if count < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            guard count > 0 else { return data.isEmpty ? nil : String(decoding: data, as: UTF8.self) }
            if let newline = chunk[..<count].firstIndex(of: 10) {
                data.append(contentsOf: chunk[..<newline])
                return String(decoding: data, as: UTF8.self)
            }
            data.append(contentsOf: chunk[..<count])
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func write(_ fd: Int32, _ line: String) {
        let bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }
}
