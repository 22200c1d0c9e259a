import Foundation

extension RunResult {
    /// Several runs (validation cells, one identity each) as one result: counts, evidence and latency
    /// histograms merged exactly, identities concatenated in order (a name seen again is merged into
    /// its first occurrence). Settings are the first run's; elapsed is the sum; no timeline.
    public static func combining(_ results: [RunResult]) -> RunResult? {
        guard let first = results.first else { return nil }
        var names: [String] = []
        var facts: [IdentityFacts] = []
        for result in results {
            for (index, name) in result.identityNames.enumerated() where !names.contains(name) {
                names.append(name)
                facts.append(result.identityFacts[index])
            }
        }
        var stats = WorkerStats(identities: names.count)
        for result in results {
            let map = result.identityNames.map { names.firstIndex(of: $0)! }
            stats.add(result.stats, identityMap: map)
        }
        return RunResult(settings: first.settings, identityNames: names, identityFacts: facts, stats: stats, timeline: [],
                         elapsed: results.reduce(0) { $0 + $1.elapsed }, workers: first.workers,
                         interrupted: results.contains { $0.interrupted }, startedAt: first.startedAt)
    }
}

extension WorkerStats {
    /// Adds `other`, whose identity `i` is this one's identity `identityMap[i]`.
    mutating func add(_ other: WorkerStats, identityMap: [Int]) {
        var remapped = WorkerStats(identities: identityCount)
        remapped.outcomes = other.outcomes
        for (from, to) in identityMap.enumerated() {
            remapped.outcomesByIdentity[to] = other.outcomesByIdentity[from]
            remapped.latencyByIdentity[to] = other.latencyByIdentity[from]
            remapped.resumptionByIdentity[to] = other.resumptionByIdentity[from]
            remapped.latencyResumedByIdentity[to] = other.latencyResumedByIdentity[from]
            remapped.latencyFullByIdentity[to] = other.latencyFullByIdentity[from]
        }
        for (key, count) in other.evidence {
            var moved = key
            moved.identity = identityMap[key.identity]
            remapped.evidence[moved, default: 0] += count
        }
        remapped.latency = other.latency
        remapped.missedStarts = other.missedStarts
        remapped.notStarted = other.notStarted
        remapped.abandonedInFlight = other.abandonedInFlight
        remapped.pausedNanos = other.pausedNanos
        remapped.latencyResumed = other.latencyResumed
        remapped.latencyFull = other.latencyFull
        add(remapped)
    }
}
