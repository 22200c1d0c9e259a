import FlyingFox
import FlyingSocks
import Foundation
import Synchronization

/// The `/metrics` endpoint (`--metrics-listen HOST:PORT`), served by FlyingFox on Swift concurrency's
/// threads — away from the load's Dispatch workers, which it never waits on. Each GET calls `scrape`.
public final class MetricsServer: Sendable {
    /// Where it listens (`HOST:PORT`, the real port when 0 was asked for).
    public let address: String
    private let server: HTTPServer
    private let task: Task<Void, Never>

    /// Binds `listen` and starts serving; throws (one line naming `flag`) when the address cannot be bound.
    public static func start(listen: String, flag: String = "--metrics-listen", scrape: @escaping @Sendable () -> [UInt8]) throws -> MetricsServer {
        let (host, port) = try TargetAddress.split(listen, allowPortZero: true)
        let server: HTTPServer
        do {
            server = host.contains(":")
                ? HTTPServer(address: try .inet6(ip6: host, port: port), timeout: 10, logger: .disabled)
                : HTTPServer(address: try .inet(ip4: host == "localhost" ? "127.0.0.1" : host, port: port), timeout: 10, logger: .disabled)
        } catch {
            throw TLSDrillError.invalidOption(flag: flag, value: listen, expected: "expected an IP address and port, e.g. 127.0.0.1:9464 or [::1]:9464")
        }
        let outcome = StartOutcome()
        let ready = DispatchSemaphore(value: 0)
        let task = Task {
            await server.appendRoute("GET /metrics") { _ in
                HTTPResponse(statusCode: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: Data(scrape()))
            }
            let watcher = Task {
                do {
                    try await server.waitUntilListening(timeout: 10)
                    let bound = await server.listeningAddress
                    if case .ip4(let ip, let port) = bound { outcome.value.withLock { $0 = $0 ?? .success("\(ip):\(port)") } }
                    if case .ip6(let ip, let port) = bound { outcome.value.withLock { $0 = $0 ?? .success("[\(ip)]:\(port)") } }
                } catch {
                    outcome.value.withLock { $0 = $0 ?? .failure(error) }
                }
                ready.signal()
            }
            do { try await server.run() } catch {
                outcome.value.withLock { $0 = $0 ?? .failure(error) }
                ready.signal()
            }
            watcher.cancel()
        }
        _ = ready.wait(timeout: .now() + 12)
        switch outcome.value.withLock({ $0 }) {
        case .success(let address):
            return MetricsServer(address: address, server: server, task: task)
        case .failure(let error):
            task.cancel()
            if case SocketError.failed(_, let errno, _) = error, errno == EADDRINUSE { throw TLSDrillError.addressInUse(address: listen) }
            throw TLSDrillError.io(path: "\(flag) \(listen)", reason: "cannot serve metrics (\(error)); pick another address")
        case nil:
            task.cancel()
            throw TLSDrillError.io(path: "\(flag) \(listen)", reason: "the metrics endpoint did not start listening within 12s")
        }
    }

    private init(address: String, server: HTTPServer, task: Task<Void, Never>) {
        self.address = address
        self.server = server
        self.task = task
    }

    /// Stops listening and closes every scrape connection (waits at most a second).
    public func stop() {
        let done = DispatchSemaphore(value: 0)
        let server = self.server
        Task {
            await server.stop(timeout: 1)
            done.signal()
        }
        _ = done.wait(timeout: .now() + 2)
        task.cancel()
    }
}

/// The first thing the server reported while starting: its bound address, or why it could not bind.
private final class StartOutcome: Sendable {
    let value = Mutex<Result<String, any Error>?>(nil)
}
