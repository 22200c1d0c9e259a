import Foundation
// The shim header includes <sys/socket.h>; importing it here keeps SOCK_* visible whichever module owns them in a clean build.
internal import CTLSDrillShims

/// Thin wrappers over the socket syscalls the engine uses; EINTR is retried, EAGAIN is "not yet".
enum NonBlockingSocket {
    enum ConnectResult {
        case connected
        case inProgress
        case failed(Int32)
    }

    /// A non-blocking TCP socket with TCP_NODELAY, or the errno of the failure.
    static func open(family: Int32) -> Result<Int32, Errno> {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(Errno(errno)) }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return .success(fd)
    }

    static func connect(_ fd: Int32, to target: TargetAddress) -> ConnectResult {
        var storage = target.storage
        let status = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, target.length) }
        }
        if status == 0 { return .connected }
        switch errno {
        case EINPROGRESS, EINTR: return .inProgress
        case let code: return .failed(code)
        }
    }

    /// TCP_CORK on or off: while on, writes are held and leave together (in as few segments as fit) when it goes off.
    static func setCork(_ fd: Int32, _ on: Bool) {
        var value: Int32 = on ? 1 : 0
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_CORK, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// The pending error of a socket whose non-blocking connect finished.
    static func pendingError(_ fd: Int32) -> Int32 {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) == 0 else { return errno }
        return code
    }

    /// Closes with RST (SO_LINGER 0) so the client leaves no TIME_WAIT behind and ports stay available.
    static func closeAbortively(_ fd: Int32) {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        Glibc.close(fd)
    }
}

/// An errno value.
struct Errno: Error, Equatable {
    let code: Int32
    init(_ code: Int32) { self.code = code }
    var name: String { ErrnoName.name(code) }
}
