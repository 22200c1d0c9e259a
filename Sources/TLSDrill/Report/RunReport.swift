import Foundation

/// The machine-readable report (`--json`), schema `tlsdrill.report/v1`. Keys are snake_case; class
/// ids are `OutcomeClass` raw values.
public struct RunReport: Codable, Sendable {
    public var schema = "tlsdrill.report/v1"
    /// RFC 3339 UTC (ms) wall-clock start and end of the load.
    public var startedAt = ""
    public var endedAt = ""
    public var tlsdrillVersion = TLSDrillVersion.current
    /// The OpenSSL the run used, as the library reports itself.
    public var opensslVersion = ""
    public var hostname = ""
    /// The full command line.
    public var commandLine: [String] = []
    /// The profile (path and SHA-256) when the run came from one.
    public var profile: ProfileFingerprint? = nil
    public var target: String
    /// Attempts that reached an outcome; `outcomes` sums to this.
    public var attempts: Int
    public var outcomes: [String: Int]
    /// class → evidence → count
    public var evidence: [String: [String: Int]]
    /// phase → summary, in microseconds
    public var latencyUs: [String: LatencySummary]
    /// What each latency phase covers.
    public var phases: [String: String]
    public var identities: [String: IdentityReport]
    public var durationS: Double
    public var achievedRate: Double
    /// Attempts that started later than intended, or never, because the generator fell behind (--rate).
    public var missedStarts: Int
    /// Attempts dropped unfinished by Ctrl-C (not in `attempts`).
    public var abandonedInFlight: Int
    /// Closed loop: seconds slots spent paused before re-dialling after failures before TLS (`--retry-pause`).
    public var pausedS: Double = 0
    public var interrupted: Bool
    public var intervalS: Double
    public var timeline: [TimelineEntry]
    public var settings: ReportSettings
    /// Rotation steps and what they did (rotation drills only).
    public var steps: [StepRecord]? = nil
    /// Failure windows or "no failures across N steps" (rotation drills only).
    public var rotation: RotationVerdict? = nil
    /// Session resumption (when the run resumes): requested and achieved share, counts, latency split.
    public var resumption: ResumptionReport? = nil
    /// Each threshold's verdict (`--threshold`, the profile's `thresholds:`, or the default one).
    public var thresholds: [ThresholdResult]? = nil
    /// Every latency histogram, lossless (HdrHistogram compressed V2, base64): what `tlsdrill merge` adds up.
    public var histograms: ReportHistograms? = nil
    /// The reports a merged report was made of (`tlsdrill merge` only).
    public var mergedFrom: [MergedSource]? = nil

    /// Stamps when, with what and from where the run was made.
    public mutating func attach(_ metadata: RunMetadata) {
        startedAt = metadata.startedAt
        endedAt = metadata.endedAt
        tlsdrillVersion = metadata.tlsdrillVersion
        opensslVersion = metadata.opensslVersion
        hostname = metadata.hostname
        commandLine = metadata.commandLine
        profile = metadata.profile ?? profile
    }

    /// Adds a rotation's step records and verdict.
    public mutating func attachRotation(_ records: [StepRecord]) {
        steps = records
        rotation = RotationVerdict(timeline: timeline, interval: intervalS, steps: records)
    }
}

/// Percentiles of one phase, in microseconds.
public struct LatencySummary: Codable, Sendable, Equatable {
    public var count: UInt64
    public var p50: UInt64
    public var p90: UInt64
    public var p99: UInt64
    public var p999: UInt64
    public var max: UInt64
    public var mean: Double
}

/// One identity's share of the run.
public struct IdentityReport: Codable, Sendable {
    public var attempts: Int
    public var outcomes: [String: Int]
    public var latencyUs: [String: LatencySummary]
    /// Local facts used by the diagnosis.
    public var facts: IdentityFactsReport
}

/// The local facts of an identity, as reported.
public struct IdentityFactsReport: Codable, Sendable {
    public var presentsCertificate: Bool
    public var expiredCertificate: String?
    public var notYetValidCertificate: String?
    public var allowsClientAuth: Bool
    public var subjectAlternativeNames: [String]
}

/// One timeline interval.
public struct TimelineEntry: Codable, Sendable {
    /// Seconds from the start of the run to the start of the interval.
    public var tS: Double
    /// The interval's wall-clock start (RFC 3339 UTC, ms): where shards' timelines line up.
    public var at: String? = nil
    public var attempts: Int
    public var outcomes: [String: Int]
    /// identity → class → count
    public var identities: [String: [String: Int]]
    /// Handshake latency percentiles of the interval (µs; 0 when no handshake finished in it).
    public var handshakeP50Us: UInt64
    public var handshakeP99Us: UInt64
    /// phase → p50 and p99 of the interval (µs), for the phases some attempt reached in it.
    public var latencyUs: [String: IntervalLatency] = [:]
    /// identity → attempts accepted by resuming a session in this interval (runs with `--resume`).
    public var resumedAccepted: [String: Int] = [:]
    /// phase → the interval's histogram (HdrHistogram compressed V2, base64, µs): shard runs only, so
    /// `tlsdrill merge` computes the merged interval's percentiles exactly.
    public var histograms: [String: String]? = nil
}

/// One phase's latency within one timeline interval (µs).
public struct IntervalLatency: Codable, Sendable, Equatable {
    public var p50: UInt64
    public var p99: UInt64
}

/// The settings the run used.
public struct ReportSettings: Codable, Sendable {
    public var target: String
    public var sni: String?
    public var tls: String
    public var confirm: String
    public var path: String
    public var workers: Int
    public var concurrency: Int
    public var rate: Double?
    public var handshakes: Int?
    public var durationS: Double?
    public var hold: Double
    public var insecure: Bool
    public var caFile: String?
    public var alpn: [String]
    /// `--shard I/N` and the whole run's totals (concurrency, rate, handshakes above are this shard's part).
    public var shard: ShardTotals? = nil
    /// `--start-at`, when given (RFC 3339).
    public var startAt: String? = nil
}

/// Lossless latency histograms (µs), each HdrHistogram compressed V2 base64.
public struct ReportHistograms: Codable, Sendable {
    /// phase → histogram.
    public var phases: [String: String]
    /// identity → phase → histogram.
    public var identities: [String: [String: String]]
    /// `full` / `resumed` → phase → histogram (runs that resume).
    public var resumption: [String: [String: String]]? = nil
    /// identity → `full` / `resumed` → phase → histogram (runs that resume).
    public var identityResumption: [String: [String: [String: String]]]? = nil
}

/// One report that went into a merged one.
public struct MergedSource: Codable, Sendable {
    public var path: String
    public var hostname: String
    public var shard: ShardSpec?
    public var startedAt: String
    public var attempts: Int
}

/// How the run's attempts used session resumption.
public struct ResumptionReport: Codable, Sendable {
    /// `--resume` (identities may override it in a profile).
    public var requested: Double
    /// Resumed attempts / attempts.
    public var achieved: Double
    /// `full`, `resumed`, `offered-refused` → attempts.
    public var counts: [String: Int]
    /// `full` (offered-refused included) and `resumed` → phase → latency summary (µs).
    public var latencyUs: [String: [String: LatencySummary]]
    /// identity → kind → attempts.
    public var identities: [String: [String: Int]]
    /// identity → `full` / `resumed` → phase → latency summary (µs).
    public var identityLatencyUs: [String: [String: [String: LatencySummary]]]
}
