import Foundation

/// Parses human durations: `250ms`, `8s`, `2m`, `1h`, `30d`, `1m30s`, or bare seconds (`1.5`).
public enum DurationText {
    /// Seconds, or a one-line error naming `flag`.
    /// The longest duration any option takes (10 years); larger values and inf/nan are refused.
    public static let maximum: TimeInterval = 3650 * 86_400

    public static func parse(_ text: String, flag: String) throws -> TimeInterval {
        let seconds = try parseUnbounded(text, flag: flag)
        guard seconds.isFinite, seconds <= maximum else {
            throw TLSDrillError.invalidOption(flag: flag, value: text, expected: "too long; durations go up to 3650d")
        }
        return seconds
    }

    /// Seconds, or a one-line error naming `flag`, and the value within `range` (named in the error).
    public static func parse(_ text: String, flag: String, in range: ClosedRange<TimeInterval>) throws -> TimeInterval {
        let seconds = try parse(text, flag: flag)
        try OptionRange.check(seconds, flag: flag, in: range, shown: text)
        return seconds
    }

    private static func parseUnbounded(_ text: String, flag: String) throws -> TimeInterval {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased().contains("nan") || trimmed.lowercased().contains("inf") { throw bad(text, flag) }
        if let seconds = Double(trimmed), seconds >= 0 { return seconds }
        var total = 0.0
        var number = ""
        var unit = ""
        var sawPart = false
        func flush() throws {
            guard let value = Double(number), !unit.isEmpty else { throw bad(text, flag) }
            let scale: Double
            switch unit {
            case "ms": scale = 0.001
            case "s": scale = 1
            case "m": scale = 60
            case "h": scale = 3600
            case "d": scale = 86_400
            default: throw bad(text, flag)
            }
            total += value * scale
            number = ""
            unit = ""
            sawPart = true
        }
        for character in trimmed {
            if character.isNumber || character == "." {
                if !unit.isEmpty { try flush() }
                number.append(character)
            } else if character.isLetter {
                guard !number.isEmpty else { throw bad(text, flag) }
                unit.append(character)
            } else {
                throw bad(text, flag)
            }
        }
        if !number.isEmpty || !unit.isEmpty { try flush() }
        guard sawPart else { throw bad(text, flag) }
        return total
    }

    /// `250ms`, `8s`, `2m30s`: the shortest exact spelling for messages.
    public static func format(_ seconds: TimeInterval) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds < 60 || seconds.truncatingRemainder(dividingBy: 60) != 0 {
            return seconds == seconds.rounded() ? "\(Int(seconds))s" : String(format: "%.1fs", seconds)
        }
        if seconds.truncatingRemainder(dividingBy: 86_400) == 0 { return "\(Int(seconds / 86_400))d" }
        if seconds.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(seconds / 3600))h" }
        return "\(Int(seconds / 60))m"
    }

    private static func bad(_ text: String, _ flag: String) -> TLSDrillError {
        .invalidOption(flag: flag, value: text, expected: "not a duration; use e.g. 500ms, 8s, 2m, 1h or 1m30s")
    }
}
