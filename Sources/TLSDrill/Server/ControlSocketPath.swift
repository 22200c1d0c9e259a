import Foundation
internal import CTLSDrillShims

/// Claims and releases the file a control socket lives at, safely: never deletes a regular file or a
/// live gateway's socket, creates the socket 0600 in a directory others cannot swap it in, and removes
/// it on exit only while it is still the one this process created.
struct ControlSocketPath {
    let path: String
    /// Device and inode of the socket this process bound (nil until bound).
    private(set) var identity: (dev: UInt64, ino: UInt64)?

    init(path: String) { self.path = path }

    /// Refuses a non-socket file, a live socket and an unsafe directory; removes a stale socket.
    func prepare() throws {
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        var dirInfo = stat()
        guard stat(directory, &dirInfo) == 0, (dirInfo.st_mode & S_IFMT) == S_IFDIR else {
            throw TLSDrillError.controlSocket(path: path, reason: "directory \(directory) does not exist; create it first")
        }
        let othersMayWrite = dirInfo.st_mode & (S_IWGRP | S_IWOTH) != 0
        let sticky = dirInfo.st_mode & S_ISVTX != 0
        guard !othersMayWrite || sticky, dirInfo.st_uid == getuid() || dirInfo.st_uid == 0 else {
            throw TLSDrillError.controlSocket(path: path, reason: "directory \(directory) is writable by other users; use a private directory")
        }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw TLSDrillError.controlSocket(path: path, reason: "exists and is not a socket; remove it yourself or choose another path")
        }
        switch UnixSocket.connect(path) {
        case .success(let fd):
            close(fd)
            throw TLSDrillError.controlSocket(path: path, reason: "a running gateway answers on it; stop that gateway or choose another path")
        case .failure(let error) where error.code == ECONNREFUSED:
            guard info.st_uid == getuid() else {
                throw TLSDrillError.controlSocket(path: path, reason: "a stale socket owned by another user; remove it yourself")
            }
            unlink(path)  // stale: nobody listens
        case .failure(let error):
            throw TLSDrillError.controlSocket(path: path, reason: "cannot check the existing socket (\(ErrnoName.name(error.code)))")
        }
    }

    /// Binds `fd` at the path with mode 0600 from the first moment (umask 077 around bind).
    mutating func bind(_ fd: Int32) throws {
        var address = try UnixSocket.address(path)
        let previous = umask(0o077)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        let code = errno
        umask(previous)
        guard bound == 0 else { throw TLSDrillError.controlSocket(path: path, reason: "cannot bind (\(ErrnoName.name(code)))") }
        chmod(path, 0o600)
        var info = stat()
        if lstat(path, &info) == 0 { identity = (UInt64(info.st_dev), UInt64(info.st_ino)) }
    }

    /// Removes the socket file only if it is still the one bound here.
    func release() {
        guard let identity else { return }
        var info = stat()
        guard lstat(path, &info) == 0, UInt64(info.st_dev) == identity.dev, UInt64(info.st_ino) == identity.ino else { return }
        unlink(path)
    }
}

/// AF_UNIX helpers.
enum UnixSocket {
    static func address(_ path: String) throws -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw TLSDrillError.controlSocket(path: path, reason: "path is empty or longer than \(MemoryLayout.size(ofValue: address.sun_path) - 1) bytes")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        return address
    }

    /// A connected blocking client socket, or the errno.
    static func connect(_ path: String) -> Result<Int32, Int32Error> {
        guard var address = try? address(path) else { return .failure(Int32Error(ENAMETOOLONG)) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(Int32Error(errno)) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            return .failure(Int32Error(code))
        }
        return .success(fd)
    }

    /// The uid of the process at the other end of a connected AF_UNIX socket.
    static func peerUID(_ fd: Int32) -> uid_t? {
        let uid = tlsdrill_peer_uid(fd)
        return uid < 0 ? nil : uid_t(uid)
    }
}

/// An errno as an `Error`.
struct Int32Error: Error, Equatable {
    let code: Int32
    init(_ code: Int32) { self.code = code }
}

