import Foundation

/// The end-of-run summary, in the spirit of wrk: figures first, then the class table, then latency.
public enum TerminalReport {
    public static func render(_ result: RunResult) -> String {
        var out = ""
        let settings = result.settings
        let model = settings.rate.map { "open loop at \(format($0)) attempts/s" } ?? "closed loop, \(settings.concurrency) in flight"
        out += "tlsdrill → \(settings.target)  (\(model), \(result.workers) worker\(result.workers == 1 ? "" : "s"), TLS \(settings.tls.version.rawValue), confirm \(settings.confirm.rawValue))\n"
        out += "  \(result.attempts) attempts in \(String(format: "%.2f", result.elapsed))s = \(format(result.achievedRate)) attempts/s"
        if settings.rate != nil { out += ", missed starts \(result.missedStarts)" }
        if result.pausedSeconds > 0 { out += String(format: ", slots paused %.1fs before re-dialling", result.pausedSeconds) }
        if result.interrupted { out += "  [interrupted: \(result.abandonedInFlight) in-flight attempts dropped]" }
        out += "\n\n"
        out += "  Outcome                          Count      %  Top evidence\n"
        for (outcome, count) in result.outcomeCounts {
            let share = result.attempts > 0 ? Double(count) * 100 / Double(result.attempts) : 0
            let evidence = result.evidence(for: outcome).first?.0 ?? ""
            out += "  " + pad(outcome.rawValue, 30) + padLeft("\(count)", 8) + padLeft(String(format: "%.1f", share), 7) + "  " + evidence + "\n"
        }
        if result.identityNames.count > 1 {
            out += "\n  Identity                         Count  Outcomes\n"
            for name in result.identityNames {
                let counts = OutcomeClass.allCases.map { ($0, result.count($0, identity: name)) }.filter { $0.1 > 0 }
                let total = counts.reduce(0) { $0 + $1.1 }
                out += "  " + pad(name, 30) + padLeft("\(total)", 8) + "  " + counts.map { "\($0.0.rawValue) \($0.1)" }.joined(separator: ", ") + "\n"
            }
        }
        out += "\n  Latency (ms)      p50      p90      p99    p99.9      max    count\n"
        for phase in LatencyPhase.allCases {
            let s = result.latency(phase)
            out += "  " + pad(phase.rawValue, 12) + [s.p50, s.p90, s.p99, s.p999, s.max].map { padLeft(ms($0), 9) }.joined() + padLeft("\(s.count)", 9) + "\n"
        }
        out += "\n"
        for phase in LatencyPhase.allCases { out += "  \(pad(phase.rawValue + ":", 11)) \(phase.covers)\n" }
        return out
    }

    /// The once-a-second status line.
    public static func statusLine(_ status: LiveStatus, previous: Int) -> String {
        let rejected = status.completed - status.accepted
        return String(format: "[%6.1fs] %d attempts  %d accepted  %d not accepted  %d/s", status.elapsed, status.completed,
                      status.accepted, rejected, status.completed - previous)
    }

    static func ms(_ micros: UInt64) -> String { String(format: "%.2f", Double(micros) / 1000) }
    static func format(_ value: Double) -> String { value >= 100 ? String(format: "%.0f", value) : String(format: "%.1f", value) }
    static func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count) }
    static func padLeft(_ text: String, _ width: Int) -> String { text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text }
}
