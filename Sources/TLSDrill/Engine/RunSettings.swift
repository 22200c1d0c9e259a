import Foundation

/// How the gateway's verdict is confirmed after our handshake completes (`--confirm`).
public enum ConfirmMode: String, Sendable, Codable, CaseIterable {
    /// Send `GET <path>` and read the status line (and the title of 400 pages).
    case http
    /// Wait for the first record (alert, data, ticket) up to the grace period; silence = accepted.
    case read
    /// The handshake alone decides (a TLS 1.3 late rejection is missed: use only for raw throughput).
    case none
}

/// Everything that shapes a run except the identities.
public struct RunSettings: Sendable {
    /// Where to connect.
    public var target: TargetAddress
    /// Client TLS configuration shared by every identity.
    public var tls = ClientTLSSettings()
    public var confirm: ConfirmMode = .http
    /// Request path for `--confirm http`.
    public var path = "/"
    /// Host header for `--confirm http`.
    public var hostHeader: String
    /// Silence after the handshake that counts as acceptance in `--confirm read`.
    public var confirmGrace: TimeInterval = 0.2
    /// Worker threads.
    public var workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Attempts in flight (closed loop), or the cap on in-flight attempts (open loop).
    public var concurrency = 50
    /// Attempts per second (open loop); nil = closed loop.
    public var rate: Double?
    /// Total attempts to make; nil = until `duration`.
    public var handshakes: Int?
    /// Time to keep starting attempts; nil = until `handshakes`.
    public var duration: TimeInterval?
    public var connectTimeout: TimeInterval = 5
    public var handshakeTimeout: TimeInterval = 5
    public var verdictTimeout: TimeInterval = 5
    /// Keep each accepted connection open this long before closing it.
    public var hold: TimeInterval = 0
    /// Timeline resolution.
    public var interval: TimeInterval = 1
    /// Share of attempts (0…1) that resume a session from an earlier accepted attempt of the same identity.
    public var resume: Double = 0
    /// Closed loop: how long a slot waits before re-dialling after a failure before TLS (0 = at once).
    public var retryPause: TimeInterval = 0.01
    /// Set when this run is one shard of a larger one (`--shard I/N`): the shard and the whole run's totals.
    public var shard: ShardTotals?
    /// Wall-clock start (`--start-at`): the load waits for it, so shards line up.
    public var startAt: Date?
    /// Workers publish live counters for a `/metrics` endpoint (`--metrics-listen`).
    public var publishesMetrics = false

    public init(target: TargetAddress) {
        self.target = target
        hostHeader = target.host
    }

    /// Checks the combination before any socket is opened.
    public func validate() throws {
        guard handshakes != nil || duration != nil else {
            throw TLSDrillError.conflictingOptions("a run needs a bound: pass --handshakes N and/or --duration D (e.g. --duration 10s)")
        }
        if let handshakes { try OptionRange.check(handshakes, flag: "--handshakes", in: OptionRange.handshakes) }
        if let duration { try OptionRange.check(duration, flag: "--duration", in: OptionRange.runDuration) }
        if let rate { try OptionRange.check(rate, flag: "--rate", from: OptionRange.rate.lower, to: OptionRange.rate.upper, unit: " attempts/s") }
        try OptionRange.check(concurrency, flag: "--concurrency", in: OptionRange.concurrency)
        try OptionRange.check(workers, flag: "--workers", in: OptionRange.workers)
        try OptionRange.check(interval, flag: "--interval", in: OptionRange.interval)
        try OptionRange.check(connectTimeout, flag: "--connect-timeout", in: OptionRange.timeout)
        try OptionRange.check(handshakeTimeout, flag: "--handshake-timeout", in: OptionRange.timeout)
        try OptionRange.check(verdictTimeout, flag: "--verdict-timeout", in: OptionRange.timeout)
        try OptionRange.check(hold, flag: "--hold", in: OptionRange.hold)
        try OptionRange.check(confirmGrace, flag: "--confirm-grace", in: OptionRange.grace)
        try OptionRange.check(retryPause, flag: "--retry-pause", in: OptionRange.retryPause)
        try OptionRange.check(resume, flag: "--resume", from: 0, to: 1)
        if resume > 0 && confirm == .none && tls.version != .tls12 {
            throw TLSDrillError.invalidOption(flag: "--resume", value: "\(resume)",
                                              expected: "needs --confirm http or read: TLS 1.3 session tickets arrive after the handshake (or use --tls 1.2)")
        }
    }
}
