import Foundation
import Synchronization
import TLSDrill

/// Runs a gateway in the foreground: prints where it listens, per-second counters, reloads on SIGHUP,
/// the control socket and the watched file; stops on Ctrl-C/SIGTERM (or after `limit`) with a summary.
struct GatewaySession {
    let server: GatewayServer
    let control: String?
    let reloadFrom: String?
    let quiet: Bool
    let limit: TimeInterval?

    func run() throws {
        let server = self.server
        let quiet = self.quiet
        let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data("tlsdrill serve: \($0)\n".utf8)) }
        var endpoint: ControlEndpoint?
        if let control {
            guard control.hasPrefix("unix:") else {
                throw TLSDrillError.invalidOption(flag: "--control", value: control, expected: "use unix:/path/to/socket")
            }
            endpoint = try ControlEndpoint(path: String(control.dropFirst(5)), server: server, log: log)
        }
        let watcher = reloadFrom.map { ReloadFileWatcher(path: $0, server: server, log: log) }
        server.start()
        print("tlsdrill serve: listening on \(server.address) (\(ControlEndpoint.describe(server.context.settings)))")
        fflush(nil)  // all streams: `stdout` is shared mutable state to Swift 6
        let done = DispatchSemaphore(value: 0)
        let queue = DispatchQueue(label: "tlsdrill.serve.signals")
        for number in [SIGINT, SIGTERM, SIGHUP] { signal(number, SIG_IGN) }
        var sources = [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { done.signal() }
            source.resume()
            return source
        }
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: queue)
        hangup.setEventHandler { _ = ControlEndpoint.answer("reload", server: server, log: log) }
        hangup.resume()
        sources.append(hangup)
        let ticker = DispatchSource.makeTimerSource(queue: queue)
        let previous = CountsBox()
        ticker.schedule(deadline: .now() + 1, repeating: 1)
        ticker.setEventHandler {
            let counts = server.counts()
            let since = previous.swap(counts)
            // Idle seconds print nothing: a gateway under no load does not fill its log.
            if !quiet, counts != since { log(GatewaySession.line(counts, since: since)) }
        }
        ticker.resume()
        if let limit { _ = done.wait(timeout: .now() + limit) } else { done.wait() }
        ticker.cancel()
        sources.forEach { $0.cancel() }
        watcher?.stop()
        endpoint?.stop()
        server.stop()
        print("tlsdrill serve: stopped. " + GatewaySession.summary(server.counts()))
    }

    static func line(_ counts: [ServerVerdict: Int], since previous: [ServerVerdict: Int]) -> String {
        let delta = ServerVerdict.allCases.map { ($0, counts[$0, default: 0] - previous[$0, default: 0]) }.filter { $0.1 > 0 }
        return "last second: " + delta.map { "\($0.0.rawValue) \($0.1)" }.joined(separator: ", ")
    }

    static func summary(_ counts: [ServerVerdict: Int]) -> String {
        let nonzero = ServerVerdict.allCases.map { ($0, counts[$0, default: 0]) }.filter { $0.1 > 0 }
        return "totals: " + (nonzero.isEmpty ? "no connections" : nonzero.map { "\($0.0.rawValue) \($0.1)" }.joined(separator: ", "))
    }
}

/// The previous second's counts.
final class CountsBox: Sendable {
    private let value = Mutex<[ServerVerdict: Int]>([:])
    func swap(_ new: [ServerVerdict: Int]) -> [ServerVerdict: Int] { value.withLock { old in defer { old = new }; return old } }
}
