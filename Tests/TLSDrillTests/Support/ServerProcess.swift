import Foundation

/// A real server (openssl s_server, nginx, haproxy) started by a test on 127.0.0.1 and stopped by it.
final class ServerProcess {
    enum Failure: Error, CustomStringConvertible {
        case notInstalled(String)
        case didNotListen(String, log: String)
        var description: String {
            switch self {
            case .notInstalled(let tool): "\(tool) is not installed (apt-get install \(tool))"
            case .didNotListen(let tool, let log): "\(tool) did not start listening: \(log)"
            }
        }
    }

    let port: UInt16
    private let process = Process()
    private let logPath: String
    private let stopSignal: Int32

    /// Starts `executable arguments` and waits until it listens on `port`.
    /// `stopSignal`: SIGTERM lets nginx/haproxy stop their workers; s_server has none and ignores it.
    init(_ executable: String, _ arguments: [String], port: UInt16, workingDirectory: String? = nil,
         stopSignal: Int32 = SIGTERM) throws {
        self.stopSignal = stopSignal
        guard let path = ServerProcess.which(executable) else { throw Failure.notInstalled(executable) }
        self.port = port
        logPath = TestPKI.root + "/server-\(executable)-\(port).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = FileHandle(forWritingAtPath: logPath)
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        try process.run()
        guard LoopbackPort.waitUntilListening(port) else {
            stop()
            throw Failure.didNotListen(executable, log: (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")
        }
    }

    deinit { stop() }

    func stop() {
        guard process.isRunning else { return }
        let pid = process.processIdentifier
        kill(pid, stopSignal)
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 5, execute: watchdog)
        process.waitUntilExit()
        watchdog.cancel()
    }

    /// The server's process id.
    var pid: Int32 { process.processIdentifier }

    /// Whether the server process is still running.
    var isRunning: Bool { process.isRunning }

    static func which(_ tool: String) -> String? {
        if tool.contains("/") { return FileManager.default.isExecutableFile(atPath: tool) ? tool : nil }
        for directory in ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/sbin", "/bin"] {
            let path = directory + "/" + tool
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

}
