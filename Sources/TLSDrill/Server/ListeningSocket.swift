import Foundation
// The shim header includes <sys/socket.h>; importing it here keeps SOCK_* visible whichever module owns them in a clean build.
internal import CTLSDrillShims

/// A non-blocking listening socket that owns its port: no SO_REUSEPORT, so another process cannot bind
/// the same port and take a share of the traffic. The gateway's workers share this one socket
/// (each gets a `dup` of it and accepts from its own event loop).
enum ListeningSocket {
    static func open(_ address: TargetAddress, port: UInt16) throws -> Int32 {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TLSDrillError.io(path: address.description, reason: "socket: \(ErrnoName.name(errno))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var storage = address.storage
        withUnsafeMutableBytes(of: &storage) { raw in
            // sin_port and sin6_port sit at the same offset.
            raw.storeBytes(of: port.bigEndian, toByteOffset: 2, as: UInt16.self)
        }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, address.length) }
        }
        guard bound == 0, listen(fd, 4096) == 0 else {
            let code = errno
            close(fd)
            if code == EADDRINUSE {
                throw TLSDrillError.addressInUse(address: address.host.contains(":") ? "[\(address.host)]:\(port)" : "\(address.host):\(port)")
            }
            throw TLSDrillError.io(path: "--listen \(address.host):\(port)", reason: "cannot listen (\(ErrnoName.name(code))); pick a free port or 0")
        }
        return fd
    }

    static func boundPort(_ fd: Int32) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return withUnsafeBytes(of: &storage) { UInt16(bigEndian: $0.load(fromByteOffset: 2, as: UInt16.self)) }
    }
}
