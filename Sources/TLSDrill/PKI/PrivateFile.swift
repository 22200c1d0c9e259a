import Foundation

/// Writes secrets (private keys) so no other user can ever read them: the temp file is created 0600 with
/// O_EXCL from its first byte, then renamed over the target.
enum PrivateFile {
    static func write(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw TLSDrillError.io(path: path, reason: "cannot create (\(ErrnoName.name(errno)))") }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                let code = errno
                close(fd)
                unlink(temporary)
                throw TLSDrillError.io(path: path, reason: "cannot write (\(ErrnoName.name(code)))")
            }
            offset += written
        }
        fchmod(fd, 0o600)
        close(fd)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw TLSDrillError.io(path: path, reason: "cannot rename into place (\(ErrnoName.name(code)))")
        }
    }
}
