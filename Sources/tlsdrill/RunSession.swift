import Foundation
import Synchronization
import TLSDrill

/// Runs a `LoadRunner` in the foreground: live status on a TTY, Ctrl-C/SIGTERM stop the load but the
/// report is still produced.
struct RunSession {
    let runner: LoadRunner
    let quiet: Bool

    func run() throws -> RunResult {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let signalQueue = DispatchQueue(label: "tlsdrill.signals")
        let sources = [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: number, queue: signalQueue)
            source.setEventHandler { [runner] in
                // Clear the status line (and the terminal's "^C" on it) before saying what happens.
                let clear = isatty(STDERR_FILENO) == 1 ? "\r\u{1B}[K" : ""
                FileHandle.standardError.write(Data("\(clear)tlsdrill: stopping (signal \(number)); writing the report\n".utf8))
                runner.requestStop()
            }
            source.resume()
            return source
        }
        defer {
            sources.forEach { $0.cancel() }
            signal(SIGINT, SIG_DFL)
            signal(SIGTERM, SIG_DFL)
        }
        let live = !quiet && isatty(STDERR_FILENO) == 1
        let previous = PreviousCount()
        var printer: (@Sendable (LiveStatus) -> Void)?
        if live {
            printer = { status in
                let line = TerminalReport.statusLine(status, previous: previous.swap(status.completed))
                FileHandle.standardError.write(Data("\r\(line)\u{1B}[K".utf8))
            }
        }
        let result = try runner.run(status: printer)
        if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        return result
    }
}

/// The last completed count the status line showed.
final class PreviousCount: Sendable {
    private let value = Mutex(0)
    func swap(_ new: Int) -> Int { value.withLock { old in defer { old = new }; return old } }
}
