import Foundation
import Histogram

/// `tlsdrill merge`: many reports of one run (its shards, or the same profile run from several machines)
/// into one. Counts, evidence and identities are summed; histograms are decoded and added exactly;
/// timelines are aligned by wall-clock time; the achieved rate is over the union of wall time; rotation
/// windows are found again in the merged timeline. Thresholds are applied afterwards, by `RunGate`.
public enum ReportMerge {
    /// Why reports cannot be merged; each names the report at fault.
    public enum MergeError: Error, Equatable, CustomStringConvertible, Sendable {
        case tooFew
        case noHistograms(path: String)
        case badHistogram(path: String, reason: String)
        case differentRun(path: String, field: String, value: String, expected: String)
        case duplicateShard(path: String, shard: String)
        case badTime(path: String, value: String)

        public var description: String {
            switch self {
            case .tooFew:
                "tlsdrill merge needs at least one report (REPORT.json...)"
            case .noHistograms(let path):
                "\(path): has no histograms (written by tlsdrill before 0.11?); rerun it with this version to merge it"
            case .badHistogram(let path, let reason):
                "\(path): a histogram cannot be read (\(reason)); the report was altered or cut short"
            case .differentRun(let path, let field, let value, let expected):
                "\(path): \(field) is \(value) but the first report's is \(expected); merge only reports of the same profile and settings"
            case .duplicateShard(let path, let shard):
                "\(path): shard \(shard) appears twice; pass each shard's report once"
            case .badTime(let path, let value):
                "\(path): started_at '\(value)' is not an RFC 3339 time"
            }
        }
    }

    /// A report and the file it came from (named in errors and in `merged_from`).
    public struct Source: Sendable {
        public var path: String
        public var report: RunReport
        public init(path: String, report: RunReport) {
            self.path = path
            self.report = report
        }
    }

    /// The merged report (thresholds not yet applied).
    public static func merge(_ sources: [Source]) throws -> RunReport {
        guard let first = sources.first else { throw MergeError.tooFew }
        try checkSameRun(sources)
        let starts = try sources.map { source -> Date in
            guard let date = Timestamp.parse(source.report.startedAt) else { throw MergeError.badTime(path: source.path, value: source.report.startedAt) }
            return date
        }
        let ends = sources.map { Timestamp.parse($0.report.endedAt) ?? .distantPast }
        let earliest = starts.min()!
        let latest = zip(starts, sources).map { start, source in max(source.report.durationS, 0) + start.timeIntervalSince1970 }.max()!
        let wallTime = max(latest - earliest.timeIntervalSince1970, ends.max()!.timeIntervalSince(earliest), 0)

        var merged = first.report
        merged.attempts = sources.reduce(0) { $0 + $1.report.attempts }
        merged.outcomes = sum(sources.map(\.report.outcomes))
        merged.evidence = [:]
        for source in sources {
            for (outcome, evidence) in source.report.evidence {
                for (text, count) in evidence { merged.evidence[outcome, default: [:]][text, default: 0] += count }
            }
        }
        let histograms = try mergedHistograms(sources)
        merged.histograms = histograms.encoded
        merged.latencyUs = histograms.phaseSummaries
        merged.identities = try mergedIdentities(sources, latency: histograms.identitySummaries)
        merged.missedStarts = sources.reduce(0) { $0 + $1.report.missedStarts }
        merged.abandonedInFlight = sources.reduce(0) { $0 + $1.report.abandonedInFlight }
        merged.pausedS = sources.reduce(0) { $0 + $1.report.pausedS }
        merged.interrupted = sources.contains { $0.report.interrupted }
        merged.durationS = (wallTime * 1000).rounded() / 1000
        merged.achievedRate = wallTime > 0 ? (Double(merged.attempts) / wallTime * 10).rounded() / 10 : 0
        merged.startedAt = Timestamp.rfc3339(earliest)
        merged.endedAt = Timestamp.rfc3339(earliest.addingTimeInterval(wallTime))
        merged.timeline = try mergedTimeline(sources, starts: starts, earliest: earliest, interval: first.report.intervalS)
        merged.resumption = mergedResumption(sources, histograms: histograms)
        merged.thresholds = nil
        merged.settings = mergedSettings(sources)
        merged.mergedFrom = zip(sources, starts).map { source, start in
            MergedSource(path: source.path, hostname: source.report.hostname, shard: source.report.settings.shard?.shard,
                         startedAt: Timestamp.rfc3339(start), attempts: source.report.attempts)
        }
        let steps = mergedSteps(sources)
        merged.steps = nil
        merged.rotation = nil
        if !steps.isEmpty || sources.contains(where: { $0.report.rotation != nil }) { merged.attachRotation(steps) }
        return merged
    }

    // MARK: checks

    /// Refuses reports of different profiles, targets or settings, and the same shard twice.
    static func checkSameRun(_ sources: [Source]) throws {
        let reference = sources[0].report
        var shards: Set<Int> = []
        for source in sources {
            let report = source.report
            guard report.histograms != nil else { throw MergeError.noHistograms(path: source.path) }
            func same(_ field: String, _ value: String, _ expected: String) throws {
                if value != expected { throw MergeError.differentRun(path: source.path, field: field, value: value, expected: expected) }
            }
            try same("profile", report.profile?.sha256 ?? "none", reference.profile?.sha256 ?? "none")
            try same("target", report.target, reference.target)
            try same("tls", report.settings.tls, reference.settings.tls)
            try same("confirm", report.settings.confirm, reference.settings.confirm)
            try same("path", report.settings.path, reference.settings.path)
            try same("sni", report.settings.sni ?? "none", reference.settings.sni ?? "none")
            try same("alpn", report.settings.alpn.joined(separator: ","), reference.settings.alpn.joined(separator: ","))
            try same("duration", "\(report.settings.durationS.map { "\($0)s" } ?? "none")", "\(reference.settings.durationS.map { "\($0)s" } ?? "none")")
            try same("hold", "\(report.settings.hold)s", "\(reference.settings.hold)s")
            try same("interval", "\(report.intervalS)s", "\(reference.intervalS)s")
            try same("insecure", "\(report.settings.insecure)", "\(reference.settings.insecure)")
            try same("resume", "\(report.resumption?.requested ?? 0)", "\(reference.resumption?.requested ?? 0)")
            let shard = report.settings.shard
            let expectedShard = reference.settings.shard
            try same("shard count", shard.map { "\($0.shard.count)" } ?? "none", expectedShard.map { "\($0.shard.count)" } ?? "none")
            try same("total concurrency", shard.map { "\($0.concurrency)" } ?? "-", expectedShard.map { "\($0.concurrency)" } ?? "-")
            try same("total rate", shard?.rate.map { "\($0)" } ?? "none", expectedShard?.rate.map { "\($0)" } ?? "none")
            try same("total handshakes", shard?.handshakes.map { "\($0)" } ?? "none", expectedShard?.handshakes.map { "\($0)" } ?? "none")
            if let shard {
                guard shards.insert(shard.shard.index).inserted else {
                    throw MergeError.duplicateShard(path: source.path, shard: "\(shard.shard.index)/\(shard.shard.count)")
                }
            }
        }
    }

    // MARK: sums

    private static func sum(_ maps: [[String: Int]]) -> [String: Int] {
        var result: [String: Int] = [:]
        for map in maps { for (key, value) in map { result[key, default: 0] += value } }
        return result
    }

    /// The decoded, added histograms and their summaries.
    struct MergedHistograms {
        var phases: [String: Histogram<UInt64>] = [:]
        var identities: [String: [String: Histogram<UInt64>]] = [:]
        var resumption: [String: [String: Histogram<UInt64>]] = [:]
        var identityResumption: [String: [String: [String: Histogram<UInt64>]]] = [:]

        var phaseSummaries: [String: LatencySummary] { phases.mapValues(RunResult.summary) }
        var identitySummaries: [String: [String: LatencySummary]] { identities.mapValues { $0.mapValues(RunResult.summary) } }

        var encoded: ReportHistograms {
            var result = ReportHistograms(phases: phases.mapValues(HistogramCodec.encode),
                                          identities: identities.mapValues { $0.mapValues(HistogramCodec.encode) })
            if !resumption.isEmpty {
                result.resumption = resumption.mapValues { $0.mapValues(HistogramCodec.encode) }
                result.identityResumption = identityResumption.mapValues { $0.mapValues { $0.mapValues(HistogramCodec.encode) } }
            }
            return result
        }
    }

    static func mergedHistograms(_ sources: [Source]) throws -> MergedHistograms {
        var merged = MergedHistograms()
        for source in sources {
            guard let histograms = source.report.histograms else { throw MergeError.noHistograms(path: source.path) }
            func add(_ encoded: [String: String], into target: inout [String: Histogram<UInt64>]) throws {
                for (phase, text) in encoded { try accumulate(text, into: &target[phase], path: source.path, what: phase) }
            }
            try add(histograms.phases, into: &merged.phases)
            for (name, phases) in histograms.identities { try add(phases, into: &merged.identities[name, default: [:]]) }
            for (kind, phases) in histograms.resumption ?? [:] { try add(phases, into: &merged.resumption[kind, default: [:]]) }
            for (name, kinds) in histograms.identityResumption ?? [:] {
                for (kind, phases) in kinds { try add(phases, into: &merged.identityResumption[name, default: [:]][kind, default: [:]]) }
            }
        }
        return merged
    }

    /// Decodes `text` and adds it to `total` (or starts it); a histogram that cannot be read, or whose range or
    /// precision differs from the others', is a `badHistogram` naming the report.
    private static func accumulate(_ text: String, into total: inout Histogram<UInt64>?, path: String, what: String) throws {
        let histogram: Histogram<UInt64>
        do { histogram = try HistogramCodec.decode(text) } catch {
            throw MergeError.badHistogram(path: path, reason: "\(what): \(error)")
        }
        guard total != nil else {
            total = histogram
            return
        }
        // Compared through `total!` (no second reference), so the add below mutates in place.
        guard total!.lowestDiscernibleValue == histogram.lowestDiscernibleValue,
              total!.highestTrackableValue == histogram.highestTrackableValue,
              total!.numberOfSignificantValueDigits == histogram.numberOfSignificantValueDigits else {
            throw MergeError.badHistogram(path: path, reason: "\(what): its range or precision differs from the first report's")
        }
        total!.add(histogram)
    }

    private static func mergedIdentities(_ sources: [Source], latency: [String: [String: LatencySummary]]) throws -> [String: IdentityReport] {
        var result: [String: IdentityReport] = [:]
        for source in sources {
            for (name, share) in source.report.identities {
                if var existing = result[name] {
                    existing.attempts += share.attempts
                    existing.outcomes = sum([existing.outcomes, share.outcomes])
                    result[name] = existing
                } else {
                    result[name] = share
                }
            }
        }
        for name in result.keys { result[name]!.latencyUs = latency[name] ?? result[name]!.latencyUs }
        return result
    }

    /// Each report's intervals placed by wall-clock start (to the nearest interval) and summed. Interval
    /// percentiles are exact when every report carries its intervals' histograms (shard runs do): they are
    /// decoded and added. Otherwise each is the highest of the reports' values (an upper bound).
    static func mergedTimeline(_ sources: [Source], starts: [Date], earliest: Date, interval: Double) throws -> [TimelineEntry] {
        var slots: [Int: TimelineEntry] = [:]
        var histograms: [Int: [String: Histogram<UInt64>]] = [:]
        var inexact: Set<Int> = []
        for (source, start) in zip(sources, starts) {
            for entry in source.report.timeline {
                let absolute = Timestamp.parse(entry.at ?? "") ?? start.addingTimeInterval(entry.tS)
                let slot = max(0, Int((absolute.timeIntervalSince(earliest) / interval).rounded()))
                var merged = slots[slot] ?? emptyEntry(slot: slot, earliest: earliest, interval: interval)
                merged.attempts += entry.attempts
                merged.outcomes = sum([merged.outcomes, entry.outcomes])
                for (name, counts) in entry.identities { merged.identities[name] = sum([merged.identities[name] ?? [:], counts]) }
                merged.resumedAccepted = sum([merged.resumedAccepted, entry.resumedAccepted])
                merged.handshakeP50Us = max(merged.handshakeP50Us, entry.handshakeP50Us)
                merged.handshakeP99Us = max(merged.handshakeP99Us, entry.handshakeP99Us)
                for (phase, latency) in entry.latencyUs {
                    let previous = merged.latencyUs[phase] ?? IntervalLatency(p50: 0, p99: 0)
                    merged.latencyUs[phase] = IntervalLatency(p50: max(previous.p50, latency.p50), p99: max(previous.p99, latency.p99))
                }
                slots[slot] = merged
                if let encoded = entry.histograms {
                    for (phase, text) in encoded {
                        try accumulate(text, into: &histograms[slot, default: [:]][phase], path: source.path, what: "timeline at \(entry.tS)s, \(phase)")
                    }
                } else if !entry.latencyUs.isEmpty {
                    inexact.insert(slot)
                }
            }
        }
        for (slot, phases) in histograms where !inexact.contains(slot) {
            for (phase, histogram) in phases where histogram.totalCount > 0 {
                slots[slot]!.latencyUs[phase] = IntervalLatency(p50: CompactInterval.percentile(histogram, 50), p99: CompactInterval.percentile(histogram, 99))
            }
            if let handshake = phases[LatencyPhase.handshake.rawValue] {
                slots[slot]!.handshakeP50Us = CompactInterval.percentile(handshake, 50)
                slots[slot]!.handshakeP99Us = CompactInterval.percentile(handshake, 99)
            }
            slots[slot]!.histograms = phases.mapValues(HistogramCodec.encode)
        }
        guard let last = slots.keys.max() else { return [] }
        return (0...last).map { slots[$0] ?? emptyEntry(slot: $0, earliest: earliest, interval: interval) }
    }

    private static func emptyEntry(slot: Int, earliest: Date, interval: Double) -> TimelineEntry {
        let offset = (Double(slot) * interval * 1000).rounded() / 1000
        return TimelineEntry(tS: offset, at: Timestamp.rfc3339(earliest.addingTimeInterval(offset)), attempts: 0,
                             outcomes: [:], identities: [:], handshakeP50Us: 0, handshakeP99Us: 0)
    }

    private static func mergedResumption(_ sources: [Source], histograms: MergedHistograms) -> ResumptionReport? {
        let parts = sources.compactMap(\.report.resumption)
        guard var merged = parts.first else { return nil }
        merged.counts = sum(parts.map(\.counts))
        var identities: [String: [String: Int]] = [:]
        for part in parts { for (name, counts) in part.identities { identities[name] = sum([identities[name] ?? [:], counts]) } }
        merged.identities = identities
        let total = merged.counts.values.reduce(0, +)
        merged.achieved = total > 0 ? (Double(merged.counts["resumed"] ?? 0) / Double(total) * 10_000).rounded() / 10_000 : 0
        merged.latencyUs = histograms.resumption.mapValues { $0.mapValues(RunResult.summary) }
        merged.identityLatencyUs = histograms.identityResumption.mapValues { $0.mapValues { $0.mapValues(RunResult.summary) } }
        return merged
    }

    /// The first report's settings with the whole run's totals (a shard's own are its part).
    private static func mergedSettings(_ sources: [Source]) -> ReportSettings {
        var settings = sources[0].report.settings
        if let totals = settings.shard {
            settings.concurrency = totals.concurrency
            settings.rate = totals.rate
            settings.handshakes = totals.handshakes
        } else {
            settings.concurrency = sources.reduce(0) { $0 + $1.report.settings.concurrency }
            let rates = sources.compactMap(\.report.settings.rate)
            settings.rate = rates.isEmpty ? nil : rates.reduce(0, +)
            let handshakes = sources.compactMap(\.report.settings.handshakes)
            settings.handshakes = handshakes.isEmpty ? nil : handshakes.reduce(0, +)
        }
        settings.workers = sources.reduce(0) { $0 + $1.report.settings.workers }
        settings.shard = nil  // the merged report is the whole run; `merged_from` lists the shards
        return settings
    }

    /// Every step once: gateway-side steps come from shard 0; client-side ones ran on every shard at the
    /// same offset, and the first record of each is kept (a failed record wins over an ok one).
    private static func mergedSteps(_ sources: [Source]) -> [StepRecord] {
        var steps: [String: StepRecord] = [:]
        for source in sources {
            for step in source.report.steps ?? [] {
                let key = "\(step.name)@\(step.atS)"
                if let existing = steps[key], existing.outcome != .ok || step.outcome == .ok { continue }
                steps[key] = step
            }
        }
        return steps.values.sorted { $0.atS < $1.atS || ($0.atS == $1.atS && $0.name < $1.name) }
    }
}
