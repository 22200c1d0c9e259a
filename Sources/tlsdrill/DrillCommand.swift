import ArgumentParser
import Foundation
import TLSDrill

/// `tlsdrill drill ...`: built-in demonstrations.
struct DrillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "drill", abstract: "Built-in drills against the built-in gateway.",
                                                    subcommands: [RotationDrillCommand.self])
}

/// `tlsdrill drill rotation`: the safe CA rotation order with zero failures, then an unsafe one with a window.
struct RotationDrillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotation",
        abstract: "Rotate a CA under load in the safe five-step order, then in an unsafe order; show both verdicts.",
        discussion: "Exit codes: 0 the safe order had no failure and the unsafe one showed a window; 1 otherwise; 2 bad input; 130 interrupted.")

    @Option(help: "One step unit, a duration from 200ms to 60s (the safe run lasts 5 units, the unsafe one 3.5).")
    var unit = "2s"

    @Option(help: "Attempts in flight.")
    var concurrency = 50

    @Option(help: "Write rotation-safe/unsafe .json and .html reports into this directory.")
    var reportDir: String?

    @Flag(help: "No live status line.")
    var quiet = false

    func run() throws {
        let scenarios = try reportingFailures { () -> [RotationDemonstration.Scenario] in
            let unit = try DurationText.parse(self.unit, flag: "--unit", in: 0.2...60)
            try OptionRange.check(concurrency, flag: "--concurrency", in: OptionRange.concurrency)
            let drill = try RotationDemonstration(unit: unit, concurrency: concurrency)
            defer { drill.tearDown() }
            print("tlsdrill drill rotation: built-in gateway, gen1 → gen2 client CA rotation, \(concurrency) in flight")
            fflush(nil)  // all streams: `stdout` is shared mutable state to Swift 6
            let scenarios = try DrillSession(drill: drill, quiet: quiet).run()
            if let reportDir {
                do { try FileManager.default.createDirectory(atPath: reportDir, withIntermediateDirectories: true) } catch {
                    throw TLSDrillError.io(path: reportDir, reason: "cannot create (\(error.localizedDescription))")
                }
                for scenario in scenarios {
                    try scenario.report.write(to: reportDir + "/rotation-\(scenario.name).json")
                    try HTMLReport.write(scenario.report, to: reportDir + "/rotation-\(scenario.name).html")
                }
            }
            return scenarios
        }
        for scenario in scenarios {
            print("\n== \(scenario.name) order: \(scenario.result.attempts) attempts, \(scenario.result.count(.accepted)) accepted")
            print(scenario.report.rotation?.render(steps: scenario.report.steps ?? []) ?? "", terminator: "")
        }
        if let reportDir { print("\n  reports: \(reportDir)/rotation-{safe,unsafe}.{json,html}") }
        if scenarios.contains(where: { $0.result.interrupted }) { throw ExitCode(ExitStatus.interrupted.rawValue) }
        let safeClean = scenarios.first { $0.name == "safe" }?.report.rotation?.windows.isEmpty == true
        let unsafeCaught = scenarios.first { $0.name == "unsafe" }?.report.rotation?.windows.isEmpty == false
        if !(safeClean && unsafeCaught) { throw ExitCode(1) }
    }
}

/// Runs the demonstration in the foreground with Ctrl-C and a live status line.
struct DrillSession {
    let drill: RotationDemonstration
    let quiet: Bool

    func run() throws -> [RotationDemonstration.Scenario] {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: DispatchQueue(label: "tlsdrill.drill.signals"))
        source.setEventHandler { [drill] in drill.requestStop() }
        source.resume()
        defer {
            source.cancel()
            signal(SIGINT, SIG_DFL)
        }
        let live = !quiet && isatty(STDERR_FILENO) == 1
        let scenarios = try drill.run(status: live ? { status in
            FileHandle.standardError.write(Data("\r[\(String(format: "%5.1f", status.elapsed))s] \(status.completed) attempts, \(status.completed - status.accepted) not accepted\u{1B}[K".utf8))
        } as (@Sendable (LiveStatus) -> Void) : nil)
        if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        return scenarios
    }
}
