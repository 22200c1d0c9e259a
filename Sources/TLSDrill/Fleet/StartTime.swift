import Foundation

/// `--start-at`: the wall-clock instant the load starts, so shards on several machines line up their
/// timelines, rotation offsets and rollout curves.
public enum StartTime {
    /// An RFC 3339 instant (`2026-11-23T18:00:00Z`), or `+DURATION` from now rounded up to a whole second.
    public static func parse(_ text: String, now: Date = Date()) throws -> Date {
        if text.hasPrefix("+") {
            let delay = try DurationText.parse(String(text.dropFirst()), flag: "--start-at", in: 0...86_400)
            return Date(timeIntervalSince1970: (now.timeIntervalSince1970 + delay).rounded(.up))
        }
        guard let date = Timestamp.parse(text) else {
            throw TLSDrillError.invalidOption(flag: "--start-at", value: text, expected: "expected an RFC 3339 time (2026-11-23T18:00:00Z) or +DURATION (+30s)")
        }
        return date
    }

    /// Throws unless `start` is at most a second past and at most a day ahead: a shard that starts late
    /// would not line up with the others.
    public static func check(_ start: Date, now: Date = Date()) throws {
        let wait = start.timeIntervalSince(now)
        guard wait > -1 else {
            throw TLSDrillError.invalidOption(flag: "--start-at", value: Timestamp.rfc3339(start),
                                              expected: "already passed \(String(format: "%.1f", -wait))s ago; give a later time (every shard must start on it)")
        }
        guard wait <= 86_400 else {
            throw TLSDrillError.invalidOption(flag: "--start-at", value: Timestamp.rfc3339(start), expected: "is more than a day ahead")
        }
    }

    /// Sleeps until `start` or until `stopped()` turns true (checked every 20 ms).
    public static func wait(until start: Date, stopped: () -> Bool) {
        while !stopped() {
            let remaining = start.timeIntervalSinceNow
            if remaining <= 0 { return }
            usleep(useconds_t(min(remaining, 0.02) * 1_000_000))
        }
    }
}
