import Foundation
internal import CTLSDrillShims

/// One epoll instance, owned by one worker thread (level-triggered).
final class EventPoller {
    struct Interest: OptionSet {
        let rawValue: UInt32
        static let read = Interest(rawValue: UInt32(tlsdrill_epoll_in()))
        static let write = Interest(rawValue: UInt32(tlsdrill_epoll_out()))
    }

    let fd: Int32
    private var events: UnsafeMutablePointer<epoll_event>
    let capacity: Int

    init(capacity: Int = 1024) throws {
        fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { throw TLSDrillError.openSSL(operation: "epoll_create1", detail: ErrnoName.name(errno)) }
        self.capacity = capacity
        events = .allocate(capacity: capacity)
    }

    deinit {
        events.deallocate()
        close(fd)
    }

    @discardableResult
    func add(_ socket: Int32, token: UInt64, interest: Interest) -> Bool {
        var event = epoll_event(events: interest.rawValue, data: epoll_data_t(u64: token))
        return epoll_ctl(fd, EPOLL_CTL_ADD, socket, &event) == 0
    }

    func modify(_ socket: Int32, token: UInt64, interest: Interest) {
        var event = epoll_event(events: interest.rawValue, data: epoll_data_t(u64: token))
        epoll_ctl(fd, EPOLL_CTL_MOD, socket, &event)
    }

    /// Waits up to `timeoutMilliseconds`, then calls `handle(token, events)` for each ready socket.
    func poll(timeoutMilliseconds: Int32, _ handle: (UInt64, UInt32) -> Void) {
        let count = epoll_wait(fd, events, Int32(capacity), timeoutMilliseconds)
        guard count > 0 else { return }
        for index in 0..<Int(count) {
            handle(events[index].data.u64, events[index].events)
        }
    }

    static let errorMask = UInt32(tlsdrill_epoll_err())
}
