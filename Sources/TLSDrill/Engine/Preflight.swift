import Foundation
// The shim header includes <sys/socket.h>; importing it here keeps SOCK_* visible whichever module owns them in a clean build.
internal import CTLSDrillShims

/// One blocking TCP connect before the load, so a wrong address is a clear error, not 10,000 failures.
public enum Preflight {
    public static func checkReachable(_ target: TargetAddress, timeout: TimeInterval) throws {
        let fd: Int32
        switch NonBlockingSocket.open(family: target.family) {
        case .failure(let error): throw TLSDrillError.unreachableTarget(target: target.description, reason: error.name)
        case .success(let socket): fd = socket
        }
        defer { close(fd) }
        var outcome: Int32 = 0
        switch NonBlockingSocket.connect(fd, to: target) {
        case .connected: return
        case .failed(let code): outcome = code
        case .inProgress:
            var pollEntry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&pollEntry, 1, Int32(timeout * 1000))
            outcome = ready == 1 ? NonBlockingSocket.pendingError(fd) : ETIMEDOUT
        }
        guard outcome == 0 else {
            let reason = outcome == ECONNREFUSED ? "connection refused" : outcome == ETIMEDOUT ? "connect timed out" : ErrnoName.name(outcome)
            throw TLSDrillError.unreachableTarget(target: target.description, reason: reason)
        }
    }
}
