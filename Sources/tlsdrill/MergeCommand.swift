import ArgumentParser
import Foundation
import TLSDrill

/// `tlsdrill merge`: the JSON reports of one run's shards (or of one profile run from several machines)
/// into one report, judged by thresholds like a single run.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge JSON reports of one run's shards: sums counts, adds histograms exactly, aligns timelines by wall-clock time, finds rotation windows again, applies thresholds.",
        discussion: ExitStatus.helpText)

    @Argument(help: "JSON reports (--json of tlsdrill run) of the same profile and settings.")
    var reports: [String] = []

    @OptionGroup var gate: GateOptions

    @Option(help: "Write the merged JSON report here.")
    var json: String?

    @Option(help: "Write the merged HTML report here.")
    var html: String?

    func run() throws {
        let (report, verdict) = try reportingFailures { () -> (RunReport, (status: ExitStatus, reasons: [String])) in
            guard !reports.isEmpty else { throw TLSDrillError.conflictingOptions("tlsdrill merge needs the reports to merge: tlsdrill merge shard-0.json shard-1.json ...") }
            let flagThresholds = try gate.parsed()
            try OutputPaths.checkFile(json, flag: "--json")
            try OutputPaths.checkFile(html, flag: "--html")
            let sources = try reports.map { ReportMerge.Source(path: $0, report: try RunReport.read(from: $0)) }
            var merged = try ReportMerge.merge(sources)
            merged.attach(RunMetadata.current(startedAt: Timestamp.parse(merged.startedAt) ?? Date(),
                                              endedAt: Timestamp.parse(merged.endedAt) ?? Date()))
            // The shards' own thresholds (from their profile or flags) apply to the whole run too.
            let carried = sources.flatMap { $0.report.thresholds ?? [] }.filter { !$0.isDefault }.map(\.expr)
            var expressions: [String] = []
            for expression in carried where !expressions.contains(expression) { expressions.append(expression) }
            let thresholds = try expressions.map { try Threshold.parse($0) } + flagThresholds
            let shardsHadDefault = sources.contains { ($0.report.thresholds ?? []).contains(where: \.isDefault) }
            let runGate = RunGate(thresholds: thresholds, expect: nil, defaultThreshold: !gate.noDefaultThreshold && shardsHadDefault,
                                  expectsRejections: false)
            try runGate.thresholds.checkIdentities(Array(merged.identities.keys))
            let verdict = runGate.judge(&merged)
            return (merged, verdict)
        }
        print(TerminalReport.render(report), terminator: "")
        ReportOutput.printVerdicts(report)
        try ReportOutput.write(report, json: json, html: html)
        try finish(verdict)
    }
}
