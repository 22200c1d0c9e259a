import Foundation

extension RunResult {
    /// The JSON report.
    public func report() -> RunReport {
        let classNames = OutcomeClass.allCases.map(\.rawValue)
        func named(_ counts: [Int]) -> [String: Int] {
            var result: [String: Int] = [:]
            for (index, count) in counts.enumerated() where count > 0 { result[classNames[index]] = count }
            return result
        }
        func latencies(_ histograms: PhaseHistograms) -> [String: LatencySummary] {
            Dictionary(uniqueKeysWithValues: LatencyPhase.allCases.map { ($0.rawValue, Self.summary(histograms[$0])) })
        }
        var evidence: [String: [String: Int]] = [:]
        for (outcome, _) in outcomeCounts {
            evidence[outcome.rawValue] = Dictionary(uniqueKeysWithValues: self.evidence(for: outcome))
        }
        var identities: [String: IdentityReport] = [:]
        for (index, name) in identityNames.enumerated() {
            let facts = identityFacts[index]
            identities[name] = IdentityReport(
                attempts: stats.outcomesByIdentity[index].reduce(0, +), outcomes: named(stats.outcomesByIdentity[index]),
                latencyUs: latencies(stats.latencyByIdentity[index]),
                facts: IdentityFactsReport(presentsCertificate: facts.presentsCertificate, expiredCertificate: facts.expiredCertificate,
                                           notYetValidCertificate: facts.notYetValidCertificate, allowsClientAuth: facts.allowsClientAuth,
                                           subjectAlternativeNames: facts.subjectAlternativeNames))
        }
        let timeline = self.timeline.enumerated().map { index, interval in
            var outcomes: [String: Int] = [:]
            for entry in interval.outcomes { outcomes[classNames[Int(entry.outcome)]] = Int(entry.count) }
            var identities: [String: [String: Int]] = [:]
            for entry in interval.identities { identities[identityNames[Int(entry.identity)], default: [:]][classNames[Int(entry.outcome)]] = Int(entry.count) }
            let offset = (Double(index) * settings.interval * 1000).rounded() / 1000
            var entry = TimelineEntry(tS: offset, at: Timestamp.rfc3339(startedAt.addingTimeInterval(offset)), attempts: outcomes.values.reduce(0, +),
                                      outcomes: outcomes, identities: identities, handshakeP50Us: UInt64(interval.handshakeP50Us),
                                      handshakeP99Us: UInt64(interval.handshakeP99Us))
            for entryResumed in interval.resumedAccepted { entry.resumedAccepted[identityNames[Int(entryResumed.identity)]] = Int(entryResumed.count) }
            for phase in LatencyPhase.allCases where !interval.p99Us.isEmpty && interval.p99Us[phase.index] > 0 {
                entry.latencyUs[phase.rawValue] = IntervalLatency(p50: UInt64(interval.p50Us[phase.index]), p99: UInt64(interval.p99Us[phase.index]))
            }
            if let encoded = interval.encodedPhases {
                entry.histograms = Dictionary(uniqueKeysWithValues: LatencyPhase.allCases.map { ($0.rawValue, encoded[$0.index]) })
            }
            return entry
        }
        var report = RunReport(
            target: settings.target.description, attempts: attempts, outcomes: named(stats.outcomes), evidence: evidence,
            latencyUs: latencies(stats.latency),
            phases: Dictionary(uniqueKeysWithValues: LatencyPhase.allCases.map { ($0.rawValue, $0.covers) }),
            identities: identities, durationS: (elapsed * 1000).rounded() / 1000,
            achievedRate: (achievedRate * 10).rounded() / 10, missedStarts: missedStarts,
            abandonedInFlight: abandonedInFlight, interrupted: interrupted, intervalS: settings.interval, timeline: timeline,
            settings: ReportSettings(
                target: settings.target.description, sni: settings.tls.serverName, tls: settings.tls.version.rawValue,
                confirm: settings.confirm.rawValue, path: settings.path, workers: workers, concurrency: settings.concurrency,
                rate: settings.rate, handshakes: settings.handshakes, durationS: settings.duration, hold: settings.hold,
                insecure: settings.tls.insecure, caFile: settings.tls.caFile, alpn: settings.tls.alpn,
                shard: settings.shard, startAt: settings.startAt.map(Timestamp.rfc3339)))
        report.histograms = encodedHistograms()
        report.pausedS = (pausedSeconds * 1000).rounded() / 1000
        report.resumption = resumptionReport()
        report.attach(RunMetadata.current(startedAt: startedAt, endedAt: startedAt.addingTimeInterval(elapsed)))
        return report
    }
}

extension RunResult {
    /// Every histogram the report summarises, encoded losslessly for `tlsdrill merge` and HdrHistogram's tools.
    func encodedHistograms() -> ReportHistograms {
        func encoded(_ histograms: PhaseHistograms) -> [String: String] {
            Dictionary(uniqueKeysWithValues: LatencyPhase.allCases.map { ($0.rawValue, HistogramCodec.encode(histograms[$0])) })
        }
        var result = ReportHistograms(
            phases: encoded(stats.latency),
            identities: Dictionary(uniqueKeysWithValues: identityNames.enumerated().map { ($1, encoded(stats.latencyByIdentity[$0])) }))
        if Resumption.allCases.contains(where: { resumptionCount($0) > 0 }) {
            result.resumption = ["full": encoded(stats.latencyFull), "resumed": encoded(stats.latencyResumed)]
            result.identityResumption = Dictionary(uniqueKeysWithValues: identityNames.enumerated().map { index, name in
                (name, ["full": encoded(stats.latencyFullByIdentity[index]), "resumed": encoded(stats.latencyResumedByIdentity[index])])
            })
        }
        return result
    }
}

extension RunReport {
    /// Pretty, key-sorted JSON.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Writes atomically (temp file + rename) so a reader never sees half a report.
    public func write(to path: String) throws {
        let url = URL(fileURLWithPath: path)
        do {
            try jsonData().write(to: url, options: .atomic)
        } catch {
            throw TLSDrillError.io(path: path, reason: "cannot write the JSON report (\(error.localizedDescription)); check the directory exists and is writable")
        }
    }

    /// Reads a report written by `write(to:)`.
    /// Throws `TLSDrillError` naming the file when it is missing, unreadable or not a tlsdrill report.
    public static func read(from path: String) throws -> RunReport {
        guard FileManager.default.fileExists(atPath: path) else { throw TLSDrillError.missingFile(path: path) }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw TLSDrillError.unreadableFile(path: path, reason: error.localizedDescription)
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(RunReport.self, from: data)
        } catch {
            throw TLSDrillError.io(path: path, reason: "not a tlsdrill JSON report (\(JSONProblem.describe(error))); pass files written by --json")
        }
    }
}

extension RunResult {
    /// Attempts of each resumption kind (all identities, or one).
    public func resumptionCount(_ kind: Resumption, identity: String? = nil) -> Int {
        let rows = identity.flatMap { identityNames.firstIndex(of: $0) }.map { [stats.resumptionByIdentity[$0]] } ?? stats.resumptionByIdentity
        return rows.reduce(0) { $0 + $1[kind.rawValue] }
    }

    /// The resumption section; nil when the run did not resume.
    func resumptionReport() -> ResumptionReport? {
        let total = Resumption.allCases.reduce(0) { $0 + resumptionCount($1) }
        guard total > 0 else { return nil }
        func counts(_ identity: String?) -> [String: Int] {
            Dictionary(uniqueKeysWithValues: Resumption.allCases.map { ($0.name, resumptionCount($0, identity: identity)) })
        }
        func latencies(_ histograms: PhaseHistograms) -> [String: LatencySummary] {
            Dictionary(uniqueKeysWithValues: LatencyPhase.allCases.map { ($0.rawValue, Self.summary(histograms[$0])) })
        }
        return ResumptionReport(
            requested: settings.resume, achieved: (Double(resumptionCount(.resumed)) / Double(total) * 10_000).rounded() / 10_000,
            counts: counts(nil), latencyUs: ["full": latencies(stats.latencyFull), "resumed": latencies(stats.latencyResumed)],
            identities: Dictionary(uniqueKeysWithValues: identityNames.map { ($0, counts($0)) }),
            identityLatencyUs: Dictionary(uniqueKeysWithValues: identityNames.enumerated().map { index, name in
                (name, ["full": latencies(stats.latencyFullByIdentity[index]), "resumed": latencies(stats.latencyResumedByIdentity[index])])
            }))
    }
}
