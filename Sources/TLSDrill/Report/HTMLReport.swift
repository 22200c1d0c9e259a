import Foundation

/// One self-contained HTML file (inline SVG and CSS, no script, no network): a header saying when, what
/// and how; the verdicts (thresholds, rotation); the timeline by class with failure windows and numbered
/// step flags; latency over time per phase; one small timeline per identity; the class table and latency
/// percentiles.
public enum HTMLReport {
    static let style = """
    body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}table{border-collapse:collapse;margin:6px 0 14px}
    td,th{padding:3px 10px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}td.n{text-align:right;white-space:nowrap}
    table.meta th{font-weight:600;color:#555;white-space:nowrap}.swatch{display:inline-block;width:10px;height:10px;margin-right:6px}
    .ok{color:#007a5a}.bad{color:#c0392b}.flagno{display:inline-block;width:18px;height:18px;border-radius:9px;background:#222;color:#fff;
    text-align:center;font-size:11px;line-height:18px}.flagno.failed{background:#D55E00}.legend span{margin-right:14px;white-space:nowrap}
    .tabs input{display:none}.tabs label{display:inline-block;padding:4px 12px;border:1px solid #ccc;border-bottom:none;cursor:pointer;margin-right:2px}
    .tabs input:checked+label{background:#eee;font-weight:600}.tabs .panel{display:none;border-top:1px solid #ccc;padding-top:6px}
    .multiples{display:grid;grid-template-columns:1fr 1fr;gap:6px 18px}.multiples h3{font-size:13px;margin:6px 0 0}
    """

    /// The page, from the report alone (so a merged report renders like a single run's).
    public static func render(_ report: RunReport) -> String {
        let esc = SVGCharts.escape
        var html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>tlsdrill report — \(esc(report.target))</title>\n"
        html += "<style>\(style)\(phaseTabStyle)</style></head><body>\n"
        html += "<h1>tlsdrill → \(esc(report.target))</h1>\n" + header(report)
        html += verdicts(report)
        html += "<h2>Attempts over time, by class</h2>\n" + SVGCharts.timeline(report) + legend(report)
        html += "<h2>Latency over time</h2>\n" + latencyTabs(report)
        if report.identities.count > 1 {
            html += "<h2>Per identity</h2>\n<div class=\"multiples\">\n"
            for name in report.identities.keys.sorted() {
                let share = report.identities[name]!
                let failed = share.attempts - (share.outcomes[OutcomeClass.accepted.rawValue] ?? 0)
                html += "<div><h3>\(esc(name)) — \(share.attempts) attempts, \(failed) not accepted</h3>\n" + SVGCharts.identity(report, name: name) + "</div>\n"
            }
            html += "</div>\n"
        }
        html += "<h2>Outcomes</h2>\n<table><tr><th>class</th><th>count</th><th>%</th><th>top evidence</th></tr>\n"
        let outcomeCounts = report.outcomes.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
        for (name, count) in outcomeCounts {
            guard let outcome = OutcomeClass(rawValue: name) else { continue }
            let topEvidence = (report.evidence[name] ?? [:]).max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key ?? ""
            let share = report.attempts > 0 ? Double(count) * 100 / Double(report.attempts) : 0
            html += "<tr><td><span class=\"swatch\" style=\"background:\(SVGCharts.color(outcome))\"></span>\(outcome.rawValue)</td><td class=\"n\">\(count)</td>"
                + "<td class=\"n\">\(String(format: "%.1f", share))</td><td>\(esc(topEvidence))</td></tr>\n"
        }
        let curves = LatencyPhase.allCases.map { phase -> (LatencyPhase, [(percentile: Double, micros: UInt64)]) in
            guard let text = report.histograms?.phases[phase.rawValue], let histogram = try? HistogramCodec.decode(text),
                  histogram.totalCount > 0 else { return (phase, []) }
            return (phase, histogram.percentiles(ticksPerHalfDistance: 5).map { (percentile: $0.percentile, micros: $0.value) })
        }
        html += "</table>\n" + resumption(report)
        html += "<h2>Latency percentiles, whole run</h2>\n" + SVGCharts.percentiles(curves)
        html += "<table><tr><th>phase</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>covers</th></tr>\n"
        for phase in LatencyPhase.allCases {
            let s = report.latencyUs[phase.rawValue] ?? LatencySummary(count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0)
            let cells = s.count == 0 ? Array(repeating: "—", count: 5) : [s.p50, s.p90, s.p99, s.p999, s.max].map { "\(TerminalReport.ms($0)) ms" }
            html += "<tr><td>\(phase.rawValue)</td>" + cells.map { "<td class=\"n\">\($0)</td>" }.joined() + "<td>\(esc(phase.covers))</td></tr>\n"
        }
        return html + "</table>\n</body></html>\n"
    }

    /// When, with what, against what and how the run was made.
    static func header(_ report: RunReport) -> String {
        let esc = SVGCharts.escape
        let settings = report.settings
        let model = settings.rate.map { "open loop at \($0)/s (cap \(settings.concurrency) in flight)" } ?? "closed loop, \(settings.concurrency) in flight"
        let bounds = [settings.handshakes.map { "\($0) attempts" }, settings.durationS.map { DurationText.format($0) }].compactMap { $0 }.joined(separator: " or ")
        var rows = [("started (UTC)", report.startedAt), ("duration", String(format: "%.2f s (%d attempts, %.1f/s)", report.durationS, report.attempts, report.achievedRate)),
                    ("target", report.target + (settings.sni.map { " (SNI \($0))" } ?? "")),
                    ("settings", "\(model), \(settings.workers) worker\(settings.workers == 1 ? "" : "s"), TLS \(settings.tls), confirm \(settings.confirm), bound \(bounds), interval \(DurationText.format(report.intervalS))"),
                    ("tlsdrill", "\(report.tlsdrillVersion) on \(report.opensslVersion), host \(report.hostname)"),
                    ("command", report.commandLine.joined(separator: " "))]
        if let profile = report.profile { rows.append(("profile", "\(profile.path) (sha256 \(profile.sha256))")) }
        if let shard = settings.shard {
            rows.append(("shard", "\(shard.shard.index)/\(shard.shard.count) of a run with \(shard.concurrency) in flight"
                         + (shard.rate.map { ", \($0)/s" } ?? "") + (shard.handshakes.map { ", \($0) attempts" } ?? "")))
        }
        if let sources = report.mergedFrom {
            rows.append(("merged from", sources.map { source in
                "\(source.path) (\(source.hostname)\(source.shard.map { ", shard \($0.index)/\($0.count)" } ?? ""), \(source.attempts) attempts, started \(source.startedAt))"
            }.joined(separator: "; ")))
        }
        if settings.rate != nil { rows.insert(("missed starts", "\(report.missedStarts)"), at: 2) }
        if report.interrupted { rows.insert(("interrupted", "yes: \(report.abandonedInFlight) in-flight attempts dropped"), at: 2) }
        return "<table class=\"meta\">" + rows.map { "<tr><th>\(esc($0.0))</th><td>\(esc($0.1))</td></tr>" }.joined() + "</table>\n"
    }

    /// The thresholds verdict and the rotation verdict, with the steps as a numbered legend.
    static func verdicts(_ report: RunReport) -> String {
        let esc = SVGCharts.escape
        var html = ""
        if let thresholds = report.thresholds, !thresholds.isEmpty {
            let passed = thresholds.allSatisfy(\.passed)
            html += "<h2>Thresholds: <span class=\"\(passed ? "ok" : "bad")\">\(passed ? "all hold" : "\(thresholds.filter { !$0.passed }.count) failed")</span></h2>\n"
                + "<table><tr><th></th><th>threshold</th><th>observed</th></tr>\n"
            for threshold in thresholds {
                html += "<tr><td class=\"\(threshold.passed ? "ok" : "bad")\">\(threshold.passed ? "✓" : "✗")</td><td>\(esc(threshold.expr))\(threshold.isDefault ? " (default)" : "")</td>"
                    + "<td class=\"n\">\(esc(threshold.observedText))</td></tr>\n"
            }
            html += "</table>\n"
        }
        guard let rotation = report.rotation else { return html }
        html += "<h2>Rotation: <span class=\"\(rotation.windows.isEmpty ? "ok" : "bad")\">\(esc(rotation.summary))</span></h2>\n"
        html += "<table class=\"steps\"><tr><th>#</th><th>at</th><th>step</th><th>outcome</th><th>detail</th></tr>\n"
        for (number, step) in (report.steps ?? []).enumerated() {
            html += "<tr><td><span class=\"flagno\(step.outcome == .ok ? "" : " failed")\">\(number + 1)</span></td><td class=\"n\">\(String(format: "%.1f", step.startedS))s</td>"
                + "<td>\(esc(step.name))</td><td class=\"\(step.outcome == .ok ? "ok" : "bad")\">\(step.outcome.rawValue)</td><td>\(esc(step.detail))</td></tr>\n"
        }
        html += "</table>\n"
        for window in rotation.windows {
            let classes = window.classes.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            html += "<p class=\"bad\">Failure window \(String(format: "%.1f", window.startS))s → \(String(format: "%.1f", window.endS))s "
                + "(\(String(format: "%.1f", window.durationS))s): \(window.attemptsLost) attempts lost — \(esc(classes))"
                + (window.afterStep.map { "; after step ‘\(esc($0))’" } ?? "") + "</p>\n"
        }
        return html
    }

    /// Full vs resumed handshakes: counts (overall and per identity) and latency per phase.
    static func resumption(_ report: RunReport) -> String {
        guard let resumption = report.resumption else { return "" }
        var html = "<h2>Session resumption: requested \(resumption.requested), achieved \(resumption.achieved)</h2>\n"
        html += "<table><tr><th></th><th>full</th><th>resumed</th><th>offered, refused</th></tr>\n"
        let rows = [("all identities", resumption.counts)] + resumption.identities.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        for (name, counts) in rows {
            html += "<tr><td>\(SVGCharts.escape(name))</td>" + ["full", "resumed", "offered-refused"].map { "<td class=\"n\">\(counts[$0] ?? 0)</td>" }.joined() + "</tr>\n"
        }
        html += "</table>\n<table><tr><th>phase</th><th>handshakes</th><th>p50</th><th>p90</th><th>p99</th><th>max</th><th>count</th></tr>\n"
        for phase in LatencyPhase.allCases {
            for kind in ["full", "resumed"] {
                guard let s = resumption.latencyUs[kind]?[phase.rawValue], s.count > 0 else { continue }
                html += "<tr><td>\(phase.rawValue)</td><td>\(kind)</td>" + [s.p50, s.p90, s.p99, s.max].map { "<td class=\"n\">\(TerminalReport.ms($0)) ms</td>" }.joined()
                    + "<td class=\"n\">\(s.count)</td></tr>\n"
            }
        }
        return html + "</table>\n"
    }

    /// The colour key for the classes that occur, and what the flags and shading mean.
    static func legend(_ report: RunReport) -> String {
        let present = OutcomeClass.allCases.filter { report.outcomes[$0.rawValue] != nil }
        var html = "<p class=\"legend\">" + present.map { "<span><span class=\"swatch\" style=\"background:\(SVGCharts.color($0))\"></span>\($0.rawValue)</span>" }.joined()
        if report.steps?.isEmpty == false { html += "<span>● n: rotation step n (table above)</span>" }
        if report.rotation?.windows.isEmpty == false { html += "<span style=\"color:\(Palette.window)\">▒ failure window</span>" }
        if SVGCharts.partialLast(report) != nil { html += "<span>faded bars: the last, partial interval</span>" }
        return html + "</p>\n"
    }

    /// CSS-only tabs (radio buttons) choosing the phase of the latency-over-time chart.
    static func latencyTabs(_ report: RunReport) -> String {
        var html = "<div class=\"tabs\">\n"
        for phase in LatencyPhase.allCases {
            html += "<input type=\"radio\" name=\"phase\" id=\"phase-\(phase.rawValue)\"\(phase == .handshake ? " checked" : "")>"
                + "<label for=\"phase-\(phase.rawValue)\">\(phase.rawValue)</label>\n"
        }
        for phase in LatencyPhase.allCases {
            html += "<div class=\"panel\" id=\"panel-\(phase.rawValue)\">" + SVGCharts.latencyOverTime(report, phase: phase) + "</div>\n"
        }
        return html + "</div>\n"
    }

    static var phaseTabStyle: String {
        LatencyPhase.allCases.map { "#phase-\($0.rawValue):checked~#panel-\($0.rawValue){display:block}" }.joined()
    }

    /// Writes the report atomically.
    public static func write(_ report: RunReport, to path: String) throws {
        do {
            try render(report).write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw TLSDrillError.io(path: path, reason: "cannot write the HTML report (\(error.localizedDescription))")
        }
    }
}
