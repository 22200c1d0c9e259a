import Foundation

/// Inline SVG charts for the HTML report (no scripts, no network). Every time chart shares one frame:
/// titled axes with round ticks, failure windows shaded with their duration and lost count, and rotation
/// steps as numbered flags (their names are in the legend, never drawn over the bars).
enum SVGCharts {
    static func color(_ outcome: OutcomeClass) -> String { Palette.color(outcome) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Plot geometry and the time axis shared by the timeline, latency and per-identity charts.
    struct TimeFrame {
        var width: Double
        var height: Double
        var left = 64.0
        var right = 16.0
        var top = 26.0
        var bottom = 40.0
        /// Seconds covered by the x axis (every interval, the partial last one included).
        let seconds: Double
        let interval: Double

        init(report: RunReport, width: Double, height: Double, compact: Bool = false) {
            self.width = width
            self.height = height
            interval = report.intervalS
            seconds = max(report.intervalS, Double(report.timeline.count) * report.intervalS)
            if compact {
                left = 40
                top = 8
                bottom = 22
            }
        }

        var plotWidth: Double { width - left - right }
        var plotHeight: Double { height - top - bottom }
        var baseline: Double { top + plotHeight }
        func x(_ t: Double) -> Double { left + t / seconds * plotWidth }
        func y(_ value: Double, top axisTop: Double) -> Double { baseline - value / axisTop * plotHeight }

        func open(_ cssClass: String) -> String {
            "<svg class=\"\(cssClass)\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"system-ui,sans-serif\">\n"
        }

        /// Axes, gridlines, round ticks and axis titles.
        func axes(yTicks: AxisTicks, yTitle: String, xTitle: String? = "seconds since the start", fontSize: Int = 11) -> String {
            var svg = ""
            for value in yTicks.values {
                let yy = y(value, top: yTicks.top)
                svg += String(format: "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>", left, yy, left + plotWidth, yy)
                svg += String(format: "<text class=\"ytick\" x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"end\">%@</text>\n",
                              left - 6, yy + 4, fontSize, AxisTicks.label(value) as NSString)
            }
            let xTicks = AxisTicks(maximum: seconds, count: width > 600 ? 10 : 4)
            for value in xTicks.values where value <= seconds + 1e-9 {
                svg += String(format: "<text class=\"xtick\" x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"middle\">%@</text>\n",
                              x(value), baseline + 14, fontSize, AxisTicks.label(value) as NSString)
            }
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>", left, baseline, left + plotWidth, baseline)
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n", left, top, left, baseline)
            if let xTitle {
                svg += String(format: "<text class=\"axis-title\" x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"middle\">%@</text>\n",
                              left + plotWidth / 2, height - 6, fontSize + 1, escape(xTitle) as NSString)
            }
            let middle = top + plotHeight / 2
            svg += String(format: "<text class=\"axis-title\" x=\"14\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 14 %.1f)\">%@</text>\n",
                          middle, fontSize + 1, middle, escape(yTitle) as NSString)
            return svg
        }

        /// Failure windows as shaded bands, labelled with duration and attempts lost.
        func windows(_ report: RunReport, labelled: Bool = true) -> String {
            var svg = ""
            for window in report.rotation?.windows ?? [] {
                let x0 = x(window.startS), x1 = x(min(window.endS, seconds))
                svg += String(format: "<rect class=\"window\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%@\" fill-opacity=\"0.10\" stroke=\"%@\" stroke-opacity=\"0.5\" stroke-dasharray=\"3 2\"><title>failure window %.1fs → %.1fs: %d lost</title></rect>\n",
                              x0, top, max(1, x1 - x0), plotHeight, Palette.window as NSString, Palette.window as NSString,
                              window.startS, window.endS, window.attemptsLost)
                if labelled {
                    svg += String(format: "<text class=\"window-label\" x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"%@\">%.1fs window, %d lost</text>\n",
                                  x0 + 3, top - 4, Palette.window as NSString, window.durationS, window.attemptsLost)
                }
            }
            return svg
        }

        /// Rotation steps as thin dashed lines with numbered flags at the top; names live in the legend.
        func steps(_ report: RunReport, flags: Bool = true) -> String {
            var svg = ""
            for (number, step) in (report.steps ?? []).enumerated() where step.startedS <= seconds {
                let xx = x(step.startedS)
                svg += String(format: "<line class=\"step\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#222\" stroke-width=\"1\" stroke-dasharray=\"4 3\"/>",
                              xx, top, xx, baseline)
                if flags {
                    let fill = step.outcome == .ok ? "#222" : Palette.window
                    svg += String(format: "<g class=\"flag\"><circle cx=\"%.1f\" cy=\"%.1f\" r=\"8\" fill=\"%@\"/><text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"#fff\" text-anchor=\"middle\">%d</text><title>%@</title></g>\n",
                                  xx, top + 9, fill as NSString, xx, top + 12.5, number + 1, escape("\(number + 1). \(step.name) — \(step.outcome.rawValue)") as NSString)
                }
            }
            return svg
        }
    }

    /// Whether the last interval is cut short by the end of the run, and how much of it was run.
    static func partialLast(_ report: RunReport) -> Double? {
        guard let last = report.timeline.last else { return nil }
        let covered = report.durationS - last.tS
        return covered < report.intervalS * 0.98 ? max(0, covered) : nil
    }

    /// Stacked counts by class per interval.
    static func timeline(_ report: RunReport, width: Double = 960, height: Double = 300) -> String {
        let frame = TimeFrame(report: report, width: width, height: height)
        let ticks = AxisTicks(maximum: Double(max(1, report.timeline.map(\.attempts).max() ?? 1)))
        var svg = frame.open("timeline")
        svg += frame.axes(yTicks: ticks, yTitle: "attempts per \(DurationText.format(report.intervalS)) interval")
        svg += frame.windows(report)
        svg += bars(report.timeline.map { ($0.tS, $0.outcomes) }, frame: frame, top: ticks.top, partial: partialLast(report), interval: report.intervalS)
        svg += frame.steps(report)
        return svg + "</svg>\n"
    }

    /// Stacked bars of `(start, class → count)` per interval.
    static func bars(_ entries: [(Double, [String: Int])], frame: TimeFrame, top: Double, partial: Double?, interval: Double,
                     labelPartial: Bool = true) -> String {
        var svg = ""
        let slot = frame.plotWidth * interval / frame.seconds
        for (index, (start, outcomes)) in entries.enumerated() {
            let isPartial = partial != nil && index == entries.count - 1
            var y = frame.baseline
            for outcome in OutcomeClass.allCases {
                guard let count = outcomes[outcome.rawValue], count > 0 else { continue }
                let height = Double(count) / top * frame.plotHeight
                y -= height
                svg += String(format: "<rect class=\"bar%@\" data-class=\"%@\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%@\"%@><title>",
                              (isPartial ? " partial" : "") as NSString, outcome.rawValue as NSString, frame.x(start), y, max(0.5, slot - 0.6),
                              height, color(outcome) as NSString, (isPartial ? " fill-opacity=\"0.35\"" : "") as NSString)
                svg += "\(String(format: "%.1f", start))s \(outcome.rawValue): \(count)\(isPartial ? " (partial interval)" : "")</title></rect>\n"
            }
            if isPartial, labelPartial, let partial {
                svg += String(format: "<text class=\"partial-label\" x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"#555\" text-anchor=\"end\">partial interval: %@ of %@</text>\n",
                              frame.x(start + interval), y - 4, DurationText.format(partial) as NSString, DurationText.format(interval) as NSString)
            }
        }
        return svg
    }

    /// p50 (dashed) and p99 (solid) of one phase per interval.
    static func latencyOverTime(_ report: RunReport, phase: LatencyPhase, width: Double = 960, height: Double = 260) -> String {
        let frame = TimeFrame(report: report, width: width, height: height)
        let points = report.timeline.compactMap { entry in entry.latencyUs[phase.rawValue].map { (entry.tS, $0) } }
        let ticks = AxisTicks(maximum: Double(max(1, points.map(\.1.p99).max() ?? 1)) / 1000)
        var svg = frame.open("latency-over-time\" data-phase=\"\(phase.rawValue)")
        svg += frame.axes(yTicks: ticks, yTitle: "\(phase.rawValue) latency (ms)")
        svg += frame.windows(report, labelled: false)
        svg += frame.steps(report)
        let color = Palette.phases[phase]!
        for (percentile, dash) in [("p50", "5 4"), ("p99", "")] {
            let path = points.map { start, latency in
                String(format: "%.1f,%.1f", frame.x(start + report.intervalS / 2),
                       frame.y(Double(percentile == "p50" ? latency.p50 : latency.p99) / 1000, top: ticks.top))
            }.joined(separator: " ")
            guard !path.isEmpty else { continue }
            svg += "<polyline class=\"latency-line\" data-percentile=\"\(percentile)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\""
                + (dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"") + " points=\"\(path)\"/>\n"
        }
        svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">— p99   - - p50   (per interval)</text>\n", frame.left + frame.plotWidth - 170, frame.top - 8)
        return svg + "</svg>\n"
    }

    /// One small stacked-bar timeline per identity.
    static func identity(_ report: RunReport, name: String, width: Double = 470, height: Double = 130) -> String {
        var frame = TimeFrame(report: report, width: width, height: height, compact: true)
        frame.top = 10
        let entries = report.timeline.map { ($0.tS, $0.identities[name] ?? [:]) }
        let ticks = AxisTicks(maximum: Double(max(1, entries.map { $0.1.values.reduce(0, +) }.max() ?? 1)), count: 3)
        var svg = frame.open("identity\" data-identity=\"\(escape(name))")
        svg += frame.axes(yTicks: ticks, yTitle: "attempts", xTitle: nil, fontSize: 9)
        svg += frame.windows(report, labelled: false)
        svg += bars(entries, frame: frame, top: ticks.top, partial: partialLast(report), interval: report.intervalS, labelPartial: false)
        svg += frame.steps(report, flags: false)
        return svg + "</svg>\n"
    }

    /// Latency against percentile (x: 1/(1-p), log scale), one curve per phase.
    static func percentiles(_ curves: [(LatencyPhase, [(percentile: Double, micros: UInt64)])], width: Double = 960, height: Double = 300) -> String {
        let left = 64.0, bottom = 40.0, top = 20.0
        let plotWidth = width - left - 130, plotHeight = height - bottom - top
        let maxX = 4.0  // up to 99.99%
        let ticks = AxisTicks(maximum: Double(max(1, curves.flatMap { $0.1.map(\.micros) }.max() ?? 1)) / 1000)
        var svg = "<svg class=\"percentiles\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"system-ui,sans-serif\">\n"
        for value in ticks.values {
            let y = top + plotHeight - value / ticks.top * plotHeight
            svg += String(format: "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/><text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%@</text>\n",
                          left, y, left + plotWidth, y, left - 6, y + 4, AxisTicks.label(value) as NSString)
        }
        svg += "<line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(left + plotWidth)\" y2=\"\(top + plotHeight)\" stroke=\"#333\"/>\n"
        for (label, x) in [("0%", 0.0), ("90%", 1.0), ("99%", 2.0), ("99.9%", 3.0), ("99.99%", 4.0)] {
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">", left + x / maxX * plotWidth, top + plotHeight + 14) + label + "</text>\n"
        }
        svg += String(format: "<text class=\"axis-title\" x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\">percentile (log scale of 1/(1−p))</text>\n", left + plotWidth / 2, height - 6)
        let middle = top + plotHeight / 2
        svg += String(format: "<text class=\"axis-title\" x=\"14\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 %.1f)\">latency (ms)</text>\n", middle, middle)
        for (row, (phase, points)) in curves.enumerated() where !points.isEmpty {
            let path = points.map { point -> String in
                let x = min(maxX, log10(1 / max(1e-6, 1 - point.percentile / 100)))
                return String(format: "%.1f,%.1f", left + x / maxX * plotWidth, top + plotHeight - Double(point.micros) / 1000 / ticks.top * plotHeight)
            }.joined(separator: " ")
            let color = Palette.phases[phase]!
            svg += "<polyline class=\"curve\" data-phase=\"\(phase.rawValue)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(path)\"/>\n"
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" fill=\"%@\">", left + plotWidth + 12, top + 16 + Double(row) * 18, color as NSString)
                + phase.rawValue + "</text>\n"
        }
        return svg + "</svg>\n"
    }
}
