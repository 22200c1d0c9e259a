import Foundation

/// A local control socket for a running gateway (`--control unix:PATH`). One request line, one reply line:
/// `reload [key=value ...]` → `ok generation=N` or `error: why`; `stats` → one JSON object.
public final class ControlEndpoint: @unchecked Sendable {
    private let path: String
    private let fd: Int32
    private let source: DispatchSourceRead
    private let queue = DispatchQueue(label: "tlsdrill.control")

    /// Listens on `path` (a stale socket file is replaced) and serves `server`; `log` gets one line per reload.
    public init(path: String, server: GatewayServer, log: @escaping @Sendable (String) -> Void) throws {
        self.path = path
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        self.fd = fd
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard fd >= 0, bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw TLSDrillError.invalidOption(flag: "--control", value: "unix:\(path)", expected: "socket path too long or no socket available")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw TLSDrillError.io(path: path, reason: "cannot listen on the control socket (\(ErrnoName.name(errno)))")
        }
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        let listener = fd
        source.setEventHandler {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let request = ControlLine.read(client)
            let reply = ControlEndpoint.answer(request, server: server, log: log)
            ControlLine.write(client, reply)
            close(client)
        }
        source.resume()
    }

    deinit { stop() }

    /// Stops listening and removes the socket file.
    public func stop() {
        source.cancel()
        close(fd)
        unlink(path)
    }

    /// Answers one control request line (also used for SIGHUP and the watched file).
    public static func answer(_ request: String, server: GatewayServer, log: @Sendable (String) -> Void) -> String {
        let trimmed = request.trimmingCharacters(in: .whitespacesAndNewlines)
        let firstLine = trimmed.prefix { $0 != "\n" }
        if firstLine == "stats" {
            let counts = server.counts().map { "\"\($0.key.rawValue)\":\($0.value)" }.sorted().joined(separator: ",")
            return "{\"generation\":\(server.context.generation),\(counts)}"
        }
        guard firstLine == "reload" || firstLine.hasPrefix("reload ") || trimmed.hasPrefix("reload\n") else { return "error: unknown command; use 'reload [key=value ...]' or 'stats'" }
        do {
            let reload = try ReloadRequest.parse(String(trimmed.dropFirst("reload".count)))
            let settings = try reload.applied(to: server.context.settings)
            let generation = try server.reload(settings)
            log("reloaded: generation \(generation) (\(ControlEndpoint.describe(settings)))")
            return "ok generation=\(generation)"
        } catch {
            let message = (error as? TLSDrillError)?.description ?? "\(error)"
            log("reload failed, keeping generation \(server.context.generation): \(message)")
            return "error: \(message)"
        }
    }

    /// One line describing the settings in force.
    public static func describe(_ settings: ServerTLSSettings) -> String {
        "cert=\(settings.certFile) trust=\(settings.trustFiles.joined(separator: ",")) client-auth=\(settings.clientAuth.rawValue) reject=\(settings.reject.rawValue)"
    }

    /// Sends one request line to a control socket and returns the reply line.
    public static func send(_ request: String, to path: String, timeout: TimeInterval = 10) throws -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.prefix(raw.count - 1).enumerated() { raw[index] = byte }
        }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw TLSDrillError.io(path: path, reason: "cannot reach the control socket (\(ErrnoName.name(errno)))") }
        ControlLine.write(fd, request)
        return ControlLine.read(fd)
    }
}

/// Newline-terminated lines over a blocking socket.
enum ControlLine {
    static func read(_ fd: Int32) -> String {
        var data = [UInt8]()
        var byte: UInt8 = 0
        while data.count < 65_536, Glibc.read(fd, &byte, 1) == 1 {
            if byte == 10 { break }
            data.append(byte)
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func write(_ fd: Int32, _ line: String) {
        let bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            offset += written
        }
    }
}
