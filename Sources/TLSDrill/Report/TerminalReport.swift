import Foundation

/// The end-of-run summary, in the spirit of wrk: figures first, then the class table, then latency.
public enum TerminalReport {
    public static func render(_ result: RunResult) -> String {
        render(result.report(), identityOrder: result.identityNames)
    }

    /// The summary from a report alone (a run's, or a merged one); identities in `identityOrder`, else by name.
    public static func render(_ report: RunReport, identityOrder: [String]? = nil) -> String {
        var out = ""
        let settings = report.settings
        let model = settings.rate.map { "open loop at \(format($0)) attempts/s" } ?? "closed loop, \(settings.concurrency) in flight"
        out += "tlsdrill → \(report.target)  (\(model), \(settings.workers) worker\(settings.workers == 1 ? "" : "s"), TLS \(settings.tls), confirm \(settings.confirm))\n"
        if let shard = settings.shard {
            out += "  shard \(shard.shard.index)/\(shard.shard.count) of a run with \(shard.concurrency) in flight"
                + (shard.rate.map { ", \(format($0)) attempts/s" } ?? "") + (shard.handshakes.map { ", \($0) attempts" } ?? "") + "\n"
        }
        if let sources = report.mergedFrom { out += "  merged from \(sources.count) report\(sources.count == 1 ? "" : "s") (\(Set(sources.map(\.hostname)).count) host\(Set(sources.map(\.hostname)).count == 1 ? "" : "s")), timelines aligned by wall-clock time\n" }
        out += "  \(report.attempts) attempts in \(String(format: "%.2f", report.durationS))s = \(format(report.achievedRate)) attempts/s"
        if settings.rate != nil { out += ", missed starts \(report.missedStarts)" }
        if report.pausedS > 0 { out += String(format: ", slots paused %.1fs before re-dialling", report.pausedS) }
        if report.interrupted { out += "  [interrupted: \(report.abandonedInFlight) in-flight attempts dropped]" }
        out += "\n\n"
        out += "  Outcome                          Count      %  Top evidence\n"
        for (outcome, count) in report.outcomes.sorted(by: { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }) {
            let share = report.attempts > 0 ? Double(count) * 100 / Double(report.attempts) : 0
            let evidence = (report.evidence[outcome] ?? [:]).min { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }?.key ?? ""
            out += "  " + pad(outcome, 30) + padLeft("\(count)", 8) + padLeft(String(format: "%.1f", share), 7) + "  " + evidence + "\n"
        }
        if report.identities.count > 1 {
            out += "\n  Identity                         Count  Outcomes\n"
            for name in identityOrder ?? report.identities.keys.sorted() {
                guard let share = report.identities[name] else { continue }
                let counts = OutcomeClass.allCases.compactMap { outcome in share.outcomes[outcome.rawValue].map { (outcome, $0) } }.filter { $0.1 > 0 }
                out += "  " + pad(name, 30) + padLeft("\(share.attempts)", 8) + "  " + counts.map { "\($0.0.rawValue) \($0.1)" }.joined(separator: ", ") + "\n"
            }
        }
        out += "\n  Latency (ms)      p50      p90      p99    p99.9      max    count\n"
        for phase in LatencyPhase.allCases {
            let s = report.latencyUs[phase.rawValue] ?? LatencySummary(count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0)
            // A phase no attempt reached has no percentiles: a dash, not a zero that reads as "instant".
            let cells = s.count == 0 ? Array(repeating: "—", count: 5) : [s.p50, s.p90, s.p99, s.p999, s.max].map(ms)
            out += "  " + pad(phase.rawValue, 12) + cells.map { padLeft($0, 9) }.joined() + padLeft("\(s.count)", 9) + "\n"
        }
        if let resumption = report.resumption {
            out += String(format: "\n  Resumption: requested %.2f, achieved %.4f (%d resumed, %d full, %d offered but refused)\n",
                          resumption.requested, resumption.achieved, resumption.counts["resumed"] ?? 0, resumption.counts["full"] ?? 0,
                          resumption.counts["offered-refused"] ?? 0)
            for kind in ["full", "resumed"] {
                for phase in LatencyPhase.allCases {
                    guard let s = resumption.latencyUs[kind]?[phase.rawValue], s.count > 0 else { continue }
                    out += "  " + pad("\(phase.rawValue), \(kind)", 20) + [s.p50, s.p90, s.p99, s.p999, s.max].map { padLeft(ms($0), 9) }.joined()
                        + padLeft("\(s.count)", 9) + "\n"
                }
            }
        }
        out += "\n"
        for phase in LatencyPhase.allCases { out += "  \(pad(phase.rawValue + ":", 11)) \(phase.covers)\n" }
        return out
    }

    /// The once-a-second status line, at most 100 columns:
    /// `12.0/30s  23456 done  1952/2000/s  97.1% ok  client-cert-expired 120  p99 31ms  missed 0  50 inflight`
    /// When it would be wider, a long class name loses its "-cert", parts get one space apart, then the least
    /// important parts go.
    public static func statusLine(_ status: LiveStatus, previous: Int) -> String {
        var progress = String(format: "%.1f", status.elapsed)
        progress += status.duration.map { "/" + DurationText.format($0) } ?? "s"
        var rate = "\(status.completed - previous)"
        rate += status.targetRate.map { "/\(format($0))/s" } ?? "/s"
        // (text, priority)
        var parts: [(String, Int)] = [(progress, 9), ("\(status.completed)" + (status.handshakes.map { "/\($0)" } ?? "") + " done", 8), (rate, 7)]
        if status.completed > 0 { parts.append((String(format: "%.1f%% ok", Double(status.accepted) * 100 / Double(status.completed)), 6)) }
        if let top = status.topFailure { parts.append(("\(top.outcome.rawValue) \(top.count)", 5)) }
        if status.intervalHandshakeP99Us > 0 {
            let p99 = Double(status.intervalHandshakeP99Us) / 1000
            parts.append((p99 >= 10 ? String(format: "p99 %.0fms", p99) : String(format: "p99 %.1fms", p99), 4))
        }
        if status.targetRate != nil { parts.append(("missed \(status.missedStarts)", 3)) }
        parts.append(("\(status.inFlight) inflight", 2))
        var separator = "  "
        func line() -> String { parts.map(\.0).joined(separator: separator) }
        if line().count > 100, let index = parts.firstIndex(where: { $0.1 == 5 }) {
            parts[index].0 = parts[index].0.replacingOccurrences(of: "-cert-", with: "-")
        }
        if line().count > 100 { separator = " " }
        while line().count > 100, let lowest = parts.indices.min(by: { parts[$0].1 < parts[$1].1 }) { parts.remove(at: lowest) }
        return line()
    }

    static func ms(_ micros: UInt64) -> String { String(format: "%.2f", Double(micros) / 1000) }
    static func format(_ value: Double) -> String { value >= 100 ? String(format: "%.0f", value) : String(format: "%.1f", value) }
    static func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count) }
    static func padLeft(_ text: String, _ width: Int) -> String { text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text }
}
