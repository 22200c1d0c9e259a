import Foundation

/// `--shard I/N`: this process is shard I (0-based) of N running the same profile on different machines.
/// It makes 1/N of the run's rate, concurrency and attempts (remainders go to the lowest indices, so the
/// shards' parts add up to the totals exactly), with the same identity mix.
public struct ShardSpec: Sendable, Equatable, Codable {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// `I/N`, 0 ≤ I < N.
    public static func parse(_ text: String, flag: String = "--shard") throws -> ShardSpec {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, count <= 10_000, index >= 0, index < count else {
            throw TLSDrillError.invalidOption(flag: flag, value: text, expected: "expected I/N with 0 <= I < N <= 10000, e.g. 0/4")
        }
        return ShardSpec(index: index, count: count)
    }

    /// From the environment: `TLSDRILL_SHARD_INDEX` (or a Kubernetes Indexed Job's `JOB_COMPLETION_INDEX`)
    /// with `TLSDRILL_SHARD_COUNT`; nil when no count is set.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ShardSpec? {
        guard let count = environment["TLSDRILL_SHARD_COUNT"] else { return nil }
        guard let index = environment["TLSDRILL_SHARD_INDEX"] ?? environment["JOB_COMPLETION_INDEX"] else {
            throw TLSDrillError.invalidOption(flag: "TLSDRILL_SHARD_COUNT", value: count,
                                              expected: "needs TLSDRILL_SHARD_INDEX (or JOB_COMPLETION_INDEX, set by an Indexed Job) beside it")
        }
        return try parse("\(index)/\(count)", flag: "TLSDRILL_SHARD_INDEX/TLSDRILL_SHARD_COUNT")
    }

    /// This shard's part of a whole number.
    public func part(_ total: Int) -> Int { total / count + (index < total % count ? 1 : 0) }

    /// Whether this shard runs the gateway-side rotation steps (`exec`, `signal`, `reload`,
    /// `verify_ca_names`, and `before:`): shard 0 only, so the gateway changes once.
    public var runsGatewaySteps: Bool { index == 0 }

    /// Splits the run's totals in `settings` into this shard's part; throws when a total is too small
    /// to give every shard at least one.
    public func apply(to settings: inout RunSettings) throws {
        guard settings.concurrency >= count else {
            throw TLSDrillError.invalidOption(flag: "--concurrency", value: "\(settings.concurrency)",
                                              expected: "is split over \(count) shards: needs at least \(count)")
        }
        if let handshakes = settings.handshakes, handshakes < count {
            throw TLSDrillError.invalidOption(flag: "--handshakes", value: "\(handshakes)", expected: "is split over \(count) shards: needs at least \(count)")
        }
        settings.shard = ShardTotals(shard: self, concurrency: settings.concurrency, rate: settings.rate, handshakes: settings.handshakes)
        settings.concurrency = part(settings.concurrency)
        settings.handshakes = settings.handshakes.map(part)
        settings.rate = settings.rate.map { $0 / Double(count) }
    }
}

/// A shard and the whole run's totals it took its part of (reported, and checked by `tlsdrill merge`).
public struct ShardTotals: Sendable, Equatable, Codable {
    public var shard: ShardSpec
    public var concurrency: Int
    public var rate: Double?
    public var handshakes: Int?
}
