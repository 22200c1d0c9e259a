import Foundation

/// Inline SVG charts for the HTML report (no scripts, no network).
enum SVGCharts {
    static let palette: [OutcomeClass: String] = [
        .accepted: "#3a9d5d", .clientCertUnknownCA: "#d1495b", .serverCertUnknownCA: "#8e44ad", .clientCertExpired: "#edae49",
        .clientCertNotYetValid: "#f4d35e", .clientCertMissingClientAuth: "#00798c", .clientCertRequired: "#30638e",
        .clientCertRejected: "#7d4e57", .clientCertSANRejected: "#5e548e", .connectRefused: "#555555", .connectionReset: "#999999",
    ]

    static func color(_ outcome: OutcomeClass) -> String { palette[outcome] ?? "#b0a8b9" }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Stacked counts by class per interval, with a dashed marker per rotation step.
    static func timeline(_ report: RunReport, width: Double = 900, height: Double = 260) -> String {
        let left = 50.0, bottom = 30.0, top = 20.0
        let plotWidth = width - left - 30, plotHeight = height - bottom - top
        let entries = report.timeline
        let peak = max(1, entries.map(\.attempts).max() ?? 1)
        let slot = plotWidth / Double(max(1, entries.count))
        var svg = "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">\n"
        svg += "<line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(left + plotWidth)\" y2=\"\(top + plotHeight)\" stroke=\"#333\"/>\n"
        svg += "<text x=\"4\" y=\"\(top + 10)\" font-size=\"11\">\(peak)</text><text x=\"4\" y=\"\(top + plotHeight)\" font-size=\"11\">0</text>\n"
        for (index, entry) in entries.enumerated() {
            var y = top + plotHeight
            for outcome in OutcomeClass.allCases {
                guard let count = entry.outcomes[outcome.rawValue], count > 0 else { continue }
                let barHeight = Double(count) / Double(peak) * plotHeight
                y -= barHeight
                svg += String(format: "<rect class=\"bar\" data-class=\"%@\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%@\"><title>",
                              outcome.rawValue as NSString, left + Double(index) * slot, y, max(0.5, slot - 0.5), barHeight, color(outcome) as NSString)
                svg += "t=\(entry.tS)s \(outcome.rawValue): \(count)</title></rect>\n"
            }
        }
        let duration = Double(max(1, entries.count)) * report.intervalS
        for step in report.steps ?? [] {
            let x = left + step.startedS / duration * plotWidth
            svg += String(format: "<line class=\"step\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#222\" stroke-dasharray=\"4 3\"/>", x, top, x, top + plotHeight)
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" transform=\"rotate(-90 %.1f %.1f)\">", x + 3, top + plotHeight - 4, x + 3, top + plotHeight - 4)
            svg += escape(step.name) + "</text>\n"
        }
        let ticks = 5
        for tick in 0...ticks {
            let seconds = duration * Double(tick) / Double(ticks)
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%.1fs</text>\n",
                          left + plotWidth * Double(tick) / Double(ticks), height - 10, seconds)
        }
        return svg + "</svg>\n"
    }

    /// Latency against percentile (x: 1/(1-p), log scale), one curve per phase.
    static func percentiles(_ curves: [(LatencyPhase, [(percentile: Double, micros: UInt64)])], width: Double = 900, height: Double = 280) -> String {
        let left = 60.0, bottom = 30.0, top = 20.0
        let plotWidth = width - left - 120, plotHeight = height - bottom - top
        let maxX = 4.0  // up to 99.99%
        let peak = Double(max(1, curves.flatMap { $0.1.map(\.micros) }.max() ?? 1)) / 1000
        let colors: [LatencyPhase: String] = [.connect: "#30638e", .handshake: "#d1495b", .verdict: "#edae49", .total: "#3a9d5d"]
        var svg = "<svg class=\"percentiles\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">\n"
        svg += "<line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(left + plotWidth)\" y2=\"\(top + plotHeight)\" stroke=\"#333\"/>\n"
        for (label, x) in [("0%", 0.0), ("90%", 1.0), ("99%", 2.0), ("99.9%", 3.0), ("99.99%", 4.0)] {
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">", left + x / maxX * plotWidth, height - 10) + label + "</text>\n"
        }
        svg += String(format: "<text x=\"4\" y=\"%.1f\" font-size=\"11\">%.1f ms</text><text x=\"4\" y=\"%.1f\" font-size=\"11\">0</text>\n", top + 10, peak, top + plotHeight)
        for (row, (phase, points)) in curves.enumerated() where !points.isEmpty {
            let path = points.map { point -> String in
                let x = min(maxX, log10(1 / max(1e-6, 1 - point.percentile / 100)))
                return String(format: "%.1f,%.1f", left + x / maxX * plotWidth, top + plotHeight - Double(point.micros) / 1000 / peak * plotHeight)
            }.joined(separator: " ")
            svg += "<polyline class=\"curve\" data-phase=\"\(phase.rawValue)\" fill=\"none\" stroke=\"\(colors[phase]!)\" stroke-width=\"2\" points=\"\(path)\"/>\n"
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" fill=\"%@\">", left + plotWidth + 10, top + 16 + Double(row) * 18, colors[phase]! as NSString)
                + phase.rawValue + "</text>\n"
        }
        return svg + "</svg>\n"
    }
}
