import Foundation

/// One self-contained HTML file: summary, class table, rotation verdict and steps, the timeline stacked
/// by class with step markers, and latency percentile curves per phase.
public enum HTMLReport {
    public static func render(_ report: RunReport, result: RunResult) -> String {
        let esc = SVGCharts.escape
        var html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>tlsdrill report — \(esc(report.target))</title>
        <style>body{font-family:system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse}td,th{padding:3px 10px;
        border-bottom:1px solid #ddd;text-align:left}td.n{text-align:right;white-space:nowrap}.swatch{display:inline-block;width:10px;height:10px;margin-right:6px}
        .ok{color:#3a9d5d}.bad{color:#d1495b}</style></head><body>
        <h1>tlsdrill → \(esc(report.target))</h1>
        <p>\(report.attempts) attempts in \(report.durationS)s = \(report.achievedRate) attempts/s · \(esc(report.settings.confirm)) verdicts ·
        TLS \(esc(report.settings.tls)) · \(report.settings.workers) workers · concurrency \(report.settings.concurrency)\(report.settings.rate.map { " · rate \($0)/s, missed starts \(report.missedStarts)" } ?? "")</p>
        \(metadata(report))
        """
        if let rotation = report.rotation {
            html += "<h2>Rotation: <span class=\"\(rotation.windows.isEmpty ? "ok" : "bad")\">\(esc(rotation.summary))</span></h2>\n<table><tr><th>at</th><th>step</th><th>outcome</th><th>detail</th></tr>\n"
            for step in report.steps ?? [] {
                html += "<tr><td>\(String(format: "%.1f", step.startedS))s</td><td>\(esc(step.name))</td><td class=\"\(step.outcome == .ok ? "ok" : "bad")\">\(step.outcome.rawValue)</td><td>\(esc(step.detail))</td></tr>\n"
            }
            html += "</table>\n"
            for window in rotation.windows {
                html += "<p class=\"bad\">Failure window \(String(format: "%.1f", window.startS))s → \(String(format: "%.1f", window.endS))s: \(window.attemptsLost) attempts lost ("
                    + esc(window.classes.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")) + ")</p>\n"
            }
        }
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
        html += "<h2>Outcomes</h2>\n<table><tr><th>class</th><th>count</th><th>%</th><th>top evidence</th></tr>\n"
        for (outcome, count) in result.outcomeCounts {
            let share = report.attempts > 0 ? Double(count) * 100 / Double(report.attempts) : 0
            html += "<tr><td><span class=\"swatch\" style=\"background:\(SVGCharts.color(outcome))\"></span>\(outcome.rawValue)</td><td class=\"n\">\(count)</td>"
                + "<td class=\"n\">\(String(format: "%.1f", share))</td><td>\(esc(result.evidence(for: outcome).first?.0 ?? ""))</td></tr>\n"
        }
        html += "</table>\n<h2>Timeline (per \(report.intervalS)s, stacked by class)</h2>\n" + SVGCharts.timeline(report)
        let curves = LatencyPhase.allCases.map { phase in
            (phase, result.histogram(phase).percentiles(ticksPerHalfDistance: 5).map { (percentile: $0.percentile, micros: $0.value) })
        }
        html += "<h2>Latency percentiles</h2>\n" + SVGCharts.percentiles(curves)
        html += "<table><tr><th>phase</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>covers</th></tr>\n"
        for phase in LatencyPhase.allCases {
            let s = result.latency(phase)
            html += "<tr><td>\(phase.rawValue)</td>" + [s.p50, s.p90, s.p99, s.p999, s.max].map { "<td class=\"n\">\(TerminalReport.ms($0)) ms</td>" }.joined()
                + "<td>\(esc(phase.covers))</td></tr>\n"
        }
        return html + "</table>\n</body></html>\n"
    }

    /// When, with what and how the run was made, so the page can be matched to gateway logs.
    static func metadata(_ report: RunReport) -> String {
        let esc = SVGCharts.escape
        var rows = [("started", report.startedAt), ("ended", report.endedAt), ("tlsdrill", report.tlsdrillVersion),
                    ("OpenSSL", report.opensslVersion), ("host", report.hostname), ("command", report.commandLine.joined(separator: " "))]
        if let profile = report.profile { rows.append(("profile", "\(profile.path) (sha256 \(profile.sha256))")) }
        return "<table class=\"meta\">" + rows.map { "<tr><th>\($0.0)</th><td>\(esc($0.1))</td></tr>" }.joined() + "</table>\n"
    }

    /// Writes the report atomically.
    public static func write(_ report: RunReport, result: RunResult, to path: String) throws {
        do {
            try render(report, result: result).write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw TLSDrillError.io(path: path, reason: "cannot write the HTML report (\(error.localizedDescription))")
        }
    }
}
