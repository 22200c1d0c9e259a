import Foundation

/// One validated range per numeric option: a value outside it is a one-line error that says the range,
/// checked before any conversion (`UInt64(seconds * 1e9)`, array sizes) could trap.
public enum OptionRange {
    /// Durations: `value` within `range` (seconds), the error naming both in duration words.
    public static func check(_ value: TimeInterval, flag: String, in range: ClosedRange<TimeInterval>, shown: String? = nil) throws {
        guard value.isFinite, range.contains(value) else {
            throw TLSDrillError.invalidOption(flag: flag, value: shown ?? DurationText.format(value),
                                              expected: "must be from \(DurationText.format(range.lowerBound)) to \(DurationText.format(range.upperBound))")
        }
    }

    /// Plain numbers (rates, days, weights).
    public static func check(_ value: Double, flag: String, from lower: Double, to upper: Double, unit: String = "") throws {
        guard value.isFinite, value >= lower, value <= upper else {
            throw TLSDrillError.invalidOption(flag: flag, value: value.isFinite ? "\(value)" : "\(value)",
                                              expected: "must be from \(trim(lower)) to \(trim(upper))\(unit)")
        }
    }

    /// Counts.
    public static func check(_ value: Int, flag: String, in range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw TLSDrillError.invalidOption(flag: flag, value: "\(value)", expected: "must be from \(range.lowerBound) to \(range.upperBound)")
        }
    }

    private static func trim(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
    }

    // The ranges, in one place.
    public static let runDuration: ClosedRange<TimeInterval> = 0.001...(7 * 86_400)
    public static let timeout: ClosedRange<TimeInterval> = 0.001...3600
    public static let hold: ClosedRange<TimeInterval> = 0...86_400
    public static let interval: ClosedRange<TimeInterval> = 0.1...3600
    public static let grace: ClosedRange<TimeInterval> = 0...3600
    public static let retryPause: ClosedRange<TimeInterval> = 0...60
    public static let concurrency: ClosedRange<Int> = 1...1_000_000
    public static let handshakes: ClosedRange<Int> = 1...1_000_000_000_000
    public static let workers: ClosedRange<Int> = 1...256
    public static let rate = (lower: 0.01, upper: 10_000_000.0)
    public static let stepOffset: ClosedRange<TimeInterval> = 0...(7 * 86_400)
}

/// `on` / `off` flag values.
public enum OnOff {
    public static func parse(_ text: String, flag: String) throws -> Bool {
        switch text {
        case "on": return true
        case "off": return false
        default: throw TLSDrillError.invalidOption(flag: flag, value: text, expected: "use on or off")
        }
    }
}
