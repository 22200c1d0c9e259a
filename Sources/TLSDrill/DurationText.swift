import Foundation

/// Parses human durations: `250ms`, `8s`, `2m`, `1h`, `30d`, `1m30s`, or bare seconds (`1.5`).
public enum DurationText {
    /// Seconds, or a one-line error naming `flag`.
    public static func parse(_ text: String, flag: String) throws -> TimeInterval {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
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

    private static func bad(_ text: String, _ flag: String) -> TLSDrillError {
        .invalidOption(flag: flag, value: text, expected: "not a duration; use e.g. 500ms, 8s, 2m, 1h or 1m30s")
    }
}
