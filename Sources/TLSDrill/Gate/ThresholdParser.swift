import Foundation

extension Threshold {
    /// The metrics a threshold can name, for error messages.
    static let metricHelp = "rate(CLASS), count(CLASS), p50|p90|p99|p999|max|mean(PHASE), attempts, achieved_rate, missed_starts, windows, max_window, lost, steps_failed"

    /// Parses `METRIC[(ARG)][{identity=NAME}] OP VALUE`; a bad expression is a one-line error naming
    /// `source` (the flag or the profile field) and the token at fault.
    public static func parse(_ text: String, source: String = "--threshold") throws -> Threshold {
        let expression = text.trimmingCharacters(in: .whitespaces)
        func fail(_ why: String) -> TLSDrillError { .invalidOption(flag: source, value: expression, expected: why) }
        guard let (comparison, operatorRange) = findComparison(in: expression) else {
            throw fail("no comparison; write e.g. 'p99(handshake) < 50ms' with one of < <= > >= == !=")
        }
        var left = expression[..<operatorRange.lowerBound].trimmingCharacters(in: .whitespaces)
        let right = expression[operatorRange.upperBound...].trimmingCharacters(in: .whitespaces)
        var identity: String?
        if left.hasSuffix("}") {
            guard let open = left.lastIndex(of: "{") else { throw fail("unbalanced '}'") }
            let scope = left[left.index(after: open)..<left.index(before: left.endIndex)]
            let parts = scope.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, parts[0] == "identity", !parts[1].isEmpty else {
                throw fail("scope '{\(scope)}' — the only scope is {identity=NAME}")
            }
            identity = parts[1]
            left = left[..<open].trimmingCharacters(in: .whitespaces)
        }
        let metric = try parseMetric(left, fail: fail)
        if identity != nil && !metric.allowsIdentityScope {
            throw fail("'\(left)' is a whole-run figure; {identity=…} applies to rate, count, latency, attempts, windows and lost")
        }
        let limit = try parseLimit(right, for: metric, fail: fail)
        return Threshold(expression: expression, metric: metric, identity: identity, comparison: comparison, limit: limit)
    }

    private static func findComparison(in text: String) -> (Comparison, Range<String.Index>)? {
        var depth = 0
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "{" || character == "(" { depth += 1 }
            if character == "}" || character == ")" { depth -= 1 }
            if depth == 0 {
                for comparison in Comparison.allCases where text[index...].hasPrefix(comparison.rawValue) {
                    return (comparison, index..<text.index(index, offsetBy: comparison.rawValue.count))
                }
            }
            index = text.index(after: index)
        }
        return nil
    }

    private static func parseMetric(_ text: String, fail: (String) -> TLSDrillError) throws -> Metric {
        var name = text
        var argument: String?
        if let open = text.firstIndex(of: "(") {
            guard text.hasSuffix(")") else { throw fail("'\(text)': missing ')'") }
            name = String(text[..<open]).trimmingCharacters(in: .whitespaces)
            argument = String(text[text.index(after: open)..<text.index(before: text.endIndex)]).trimmingCharacters(in: .whitespaces)
        }
        func outcome() throws -> OutcomeClass {
            guard let argument, let outcome = OutcomeClass(rawValue: argument) else {
                throw fail("'\(argument ?? "")' is not a class in \(name)(…); `tlsdrill classes` lists them")
            }
            return outcome
        }
        func noArgument(_ metric: Metric) throws -> Metric {
            guard argument == nil else { throw fail("'\(name)' takes no argument") }
            return metric
        }
        switch name {
        case "rate": return .rate(try outcome())
        case "count": return .count(try outcome())
        case "attempts": return try noArgument(.attempts)
        case "achieved_rate": return try noArgument(.achievedRate)
        case "missed_starts": return try noArgument(.missedStarts)
        case "windows": return try noArgument(.windows)
        case "max_window": return try noArgument(.maxWindow)
        case "lost": return try noArgument(.lost)
        case "steps_failed": return try noArgument(.stepsFailed)
        default:
            guard let statistic = LatencyStatistic(rawValue: name) else { throw fail("unknown metric '\(name)'; use \(metricHelp)") }
            guard let argument, let phase = LatencyPhase(rawValue: argument) else {
                throw fail("'\(argument ?? "")' is not a phase in \(name)(…); use connect, handshake, verdict or total")
            }
            return .latency(statistic, phase)
        }
    }

    /// The limit in the metric's base unit: latency in ms (bare numbers are ms), `max_window` in seconds
    /// (bare numbers are seconds), `rate` as a fraction (or `N%`).
    private static func parseLimit(_ text: String, for metric: Metric, fail: (String) -> TLSDrillError) throws -> Double {
        let digits = text.prefix { $0.isNumber || $0 == "." || $0 == "-" || $0 == "+" || $0 == "e" || $0 == "E" }
        let unit = text.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        guard let number = Double(digits), number.isFinite else { throw fail("'\(text)' is not a number") }
        let seconds: [String: Double] = ["us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60]
        switch metric {
        case .latency, .maxWindow:
            let base: Double = if case .latency = metric { 1e-3 } else { 1 }
            if unit.isEmpty { return number }
            guard let scale = seconds[unit] else { throw fail("unit '\(unit)'; use us, ms, s or m") }
            return number * scale / base
        case .rate:
            if unit == "%" { return number / 100 }
            guard unit.isEmpty else { throw fail("unit '\(unit)'; a rate is a fraction (0.999) or a percentage (99.9%)") }
            return number
        default:
            guard unit.isEmpty else { throw fail("unit '\(unit)'; '\(metric)' is a plain number") }
            return number
        }
    }
}
