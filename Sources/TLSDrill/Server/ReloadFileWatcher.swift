import Foundation

/// Reloads a gateway when a file changes (`--reload-from FILE`): its `key=value` lines (see
/// `ReloadRequest`) override the settings in force; an empty file re-reads the same paths.
public final class ReloadFileWatcher: @unchecked Sendable {  // its mutable stamp is touched only on its timer's serial queue
    private let timer: DispatchSourceTimer
    private var lastStamp: String

    public init(path: String, server: GatewayServer, log: @escaping @Sendable (String) -> Void) {
        lastStamp = Self.stamp(path)
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "tlsdrill.reload-watch"))
        timer.schedule(deadline: .now() + 0.25, repeating: 0.25)
        timer.setEventHandler { [unowned self] in
            let stamp = Self.stamp(path)
            guard stamp != lastStamp else { return }
            lastStamp = stamp
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            _ = ControlEndpoint.answer("reload " + text, server: server, log: log)
        }
        timer.resume()
    }

    deinit { timer.cancel() }

    public func stop() { timer.cancel() }

    private static func stamp(_ path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "missing" }
        return "\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec).\(info.st_size).\(info.st_ino)"
    }
}
