import Foundation

/// OpenSSL writes with write(2): a peer that reset the connection would kill the process with SIGPIPE.
/// The engine and the gateway turn it into EPIPE instead, which they handle.
enum BrokenPipe {
    static let ignored: Void = { signal(SIGPIPE, SIG_IGN) }()
}
