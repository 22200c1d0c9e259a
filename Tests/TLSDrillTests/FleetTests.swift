import Foundation
import Histogram
import Testing
@testable import TLSDrill

/// Runs bigger than one machine: shards that split a run exactly, start together, and merge into one
/// report whose counts, histograms, timeline and rotation verdict are those of the whole run.
@Suite("Sharded runs and merge", .serialized)
struct FleetTests {
    @Test func shardPartsAddUpToTheTotals() throws {
        for count in [1, 3, 4, 7] {
            var concurrency = 0, handshakes = 0, rate = 0.0
            for index in 0..<count {
                var settings = RunSettings(target: try TargetAddress.resolve("127.0.0.1:9"))
                settings.concurrency = 50
                settings.handshakes = 1_001
                settings.rate = 300
                try ShardSpec(index: index, count: count).apply(to: &settings)
                concurrency += settings.concurrency
                handshakes += settings.handshakes!
                rate += settings.rate!
                #expect(settings.shard?.concurrency == 50)
            }
            #expect(concurrency == 50 && handshakes == 1_001 && abs(rate - 300) < 1e-9)
        }
    }

    @Test func shardComesFromFlagsOrTheIndexedJobEnvironment() throws {
        #expect(try ShardSpec.parse("2/4") == ShardSpec(index: 2, count: 4))
        for bad in ["4/4", "-1/4", "1", "a/b", "1/0"] {
            #expect(throws: TLSDrillError.self) { try ShardSpec.parse(bad) }
        }
        #expect(try ShardSpec.fromEnvironment(["JOB_COMPLETION_INDEX": "3", "TLSDRILL_SHARD_COUNT": "5"]) == ShardSpec(index: 3, count: 5))
        #expect(try ShardSpec.fromEnvironment(["TLSDRILL_SHARD_INDEX": "1", "JOB_COMPLETION_INDEX": "3", "TLSDRILL_SHARD_COUNT": "5"]) == ShardSpec(index: 1, count: 5))
        #expect(try ShardSpec.fromEnvironment([:]) == nil)
        #expect(throws: TLSDrillError.self) { try ShardSpec.fromEnvironment(["TLSDRILL_SHARD_COUNT": "5"]) }
    }

    @Test func badShardAndStartFlagsAreOneLineErrors() throws {
        let pki = TestPKI.shared
        let base = ["run", "--target", "127.0.0.1:9", "--cert", pki.cert("gen1-client"), "--key", pki.key("gen1-client"), "--duration", "1s"]
        for (extra, needle) in [(["--shard", "4/4"], "--shard '4/4'"), (["--start-at", "2001-01-01T00:00:00Z"], "already passed"),
                                (["--start-at", "tomorrow"], "--start-at 'tomorrow'"), (["--shard", "0/64", "--concurrency", "8"], "split over 64 shards")] {
            let output = try CLI.run(base + extra)
            #expect(output.status == 2, "\(extra): \(output.stderr)")
            #expect(output.stderr.contains(needle), "\(extra): \(output.stderr)")
            #expect(output.stderr.split(separator: "\n").count == 1, "\(output.stderr)")
        }
    }

    /// Ctrl-C while waiting for `--start-at` ends the run at once, with its (empty) report and exit 130.
    @Test func ctrlCWhileWaitingForTheStartStillWritesTheReport() throws {
        let pki = TestPKI.shared
        let json = TestPKI.scratch("fleet-wait") + "/wait.json"
        let started = Date()
        let output = try CLI.run(["run", "--target", "127.0.0.1:9", "--no-preflight", "--cert", pki.cert("gen1-client"), "--key", pki.key("gen1-client"),
                                  "--duration", "2s", "--start-at", "+60s", "--json", json], interruptAfter: 1)
        #expect(output.status == 130, "\(output.stderr)")
        #expect(Date().timeIntervalSince(started) < 10)
        let report = try RunReport.read(from: json)
        #expect(report.interrupted && report.attempts == 0 && report.settings.startAt != nil)
    }

    /// Four shard processes start on one wall-clock instant against one gateway, run an unsafe rotation
    /// whose gateway-side steps only shard 0 performs, and merge: sums, exact percentiles, aligned
    /// timelines and one failure window.
    @Test func fourShardsStartTogetherAndMergeExactly() throws {
        let gateway = try RotationTests.gateway()
        defer { gateway.stop() }
        let profile = try ProfileFixtures.write("fleet-unsafe", """
            targets:
              - address: 127.0.0.1:\(gateway.server.port)
                sni: localhost
                ca: ../drill-pki/gen1/root.pem
            identities:
              - { name: gen1-client, cert: ../drill-pki/gen1/client.pem, key: ../drill-pki/gen1/client.key, weight: 100 }
              - { name: gen2-client, cert: ../drill-pki/gen2/client.pem, key: ../drill-pki/gen2/client.key, weight: 0 }
            load: { concurrency: 16, duration: 4s, interval: 250ms, workers: 1 }
            rotation:
              before:
                - name: reset
                  reload: { control: \(gateway.socket), trust: [../drill-pki/gen1/root.pem] }
              steps:
                - { at: 1s, name: "gen2 leaves too early", clients: { weights: { gen1-client: 0, gen2-client: 100 } } }
                - { at: 2500ms, name: "trust gen2 too late", reload: { control: \(gateway.socket), trust: [../drill-pki/trust/gen1+gen2.pem] } }
            """)
        let directory = TestPKI.scratch("fleet")
        let start = Timestamp.rfc3339(Date().addingTimeInterval(4))
        let outputs = ShardOutputs()
        let group = DispatchGroup()
        for index in 0..<4 {  // one thread each: all four processes must be waiting for the start together
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                outputs.set(index, try? CLI.run(["run", profile, "--shard", "\(index)/4", "--start-at", start, "--quiet",
                                                 "--json", "\(directory)/shard-\(index).json"]))
            }
        }
        group.wait()
        let shards = try (0..<4).map { index -> RunReport in
            let output = try #require(outputs.get(index))
            #expect(output.status == 0, "shard \(index): \(output.stderr)")
            return try RunReport.read(from: "\(directory)/shard-\(index).json")
        }
        let merge = try CLI.run(["merge"] + (0..<4).map { "\(directory)/shard-\($0).json" }
                                + ["--json", "\(directory)/merged.json", "--threshold", "windows == 1"])
        #expect(merge.status == 0, "\(merge.stdout)\(merge.stderr)")
        let merged = try RunReport.read(from: "\(directory)/merged.json")

        // Counts are the sums.
        #expect(merged.attempts == shards.reduce(0) { $0 + $1.attempts })
        for name in Set(shards.flatMap(\.outcomes.keys)) { #expect(merged.outcomes[name] == shards.reduce(0) { $0 + ($1.outcomes[name] ?? 0) }) }
        for name in ["gen1-client", "gen2-client"] { #expect(merged.identities[name]?.attempts == shards.reduce(0) { $0 + ($1.identities[name]?.attempts ?? 0) }) }
        #expect(merged.settings.concurrency == 16 && shards.map(\.settings.concurrency) == [4, 4, 4, 4])

        // Percentiles are those of one histogram fed every shard's samples.
        for phase in LatencyPhase.allCases {
            var whole = PhaseHistograms().histograms[0]
            for shard in shards { whole.add(try HistogramCodec.decode(try #require(shard.histograms?.phases[phase.rawValue]))) }
            #expect(merged.latencyUs[phase.rawValue] == RunResult.summary(whole), "\(phase)")
            #expect(whole.totalCount > 0)
        }

        // HdrHistogram's Python port, adding the shards' histograms itself, gets the same distribution.
        if Tools.inCI || PythonTools.has("hdrh") {
            let script = """
                import sys
                from hdrh.histogram import HdrHistogram
                merged, shards = sys.argv[1], sys.argv[2:]
                total = HdrHistogram.decode(shards[0])
                for text in shards[1:]:
                    total.add(HdrHistogram.decode(text))
                ours = HdrHistogram.decode(merged)
                def dist(h):
                    return [(i.value_iterated_to, i.count_at_value_iterated_to) for i in h.get_recorded_iterator()]
                print("same" if dist(total) == dist(ours) and total.get_total_count() == ours.get_total_count() else "different")
                """
            for phase in LatencyPhase.allCases {
                let output = try PythonTools.run(["-c", script, try #require(merged.histograms?.phases[phase.rawValue])]
                                                 + shards.compactMap { $0.histograms?.phases[phase.rawValue] })
                #expect(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "same", "\(phase): \(output.stdout)\(output.stderr)")
            }
        }

        // Every shard started on the same instant, so their intervals share wall-clock boundaries.
        let firsts = shards.compactMap { $0.timeline.first?.at.flatMap(Timestamp.parse) }
        #expect(firsts.count == 4)
        #expect(firsts.max()!.timeIntervalSince(firsts.min()!) < 0.1, "\(firsts)")
        #expect(merged.timeline.count <= shards.map(\.timeline.count).max()! + 1)
        #expect(merged.timeline.reduce(0) { $0 + $1.attempts } == merged.attempts)
        // Shard runs keep each interval's histograms, so merged interval percentiles are exact too.
        #expect(shards.allSatisfy { $0.timeline.allSatisfy { $0.latencyUs.isEmpty || $0.histograms?["handshake"] != nil } })
        let earliest = try #require(Timestamp.parse(merged.startedAt))
        var exactIntervals = 0
        for (slot, entry) in merged.timeline.enumerated() {
            var whole: Histogram<UInt64>?
            for shard in shards {
                for part in shard.timeline {
                    guard let at = part.at.flatMap(Timestamp.parse), Int((at.timeIntervalSince(earliest) / merged.intervalS).rounded()) == slot,
                          let text = part.histograms?["handshake"] else { continue }
                    let histogram = try HistogramCodec.decode(text)
                    if whole == nil { whole = histogram } else { whole!.add(histogram) }
                }
            }
            guard let whole, whole.totalCount > 0 else { continue }
            #expect(entry.latencyUs["handshake"]?.p99 == CompactInterval.percentile(whole, 99), "interval \(slot)")
            #expect(entry.handshakeP50Us == CompactInterval.percentile(whole, 50), "interval \(slot)")
            exactIntervals += 1
        }
        #expect(exactIntervals >= 12)

        // Gateway-side steps ran on shard 0 only; the merged timeline still shows the one window.
        #expect(shards[0].steps?.map(\.kind).contains("reload") == true)
        for shard in shards.dropFirst() { #expect(shard.steps?.map(\.kind) == ["clients"], "\(shard.steps ?? [])") }
        #expect(merged.rotation?.windows.count == 1)
        #expect((merged.rotation?.windows.first?.classes["client-cert-unknown-ca"] ?? 0) > 0)
        #expect(merged.mergedFrom?.count == 4)
        let page = HTMLReport.render(merged)
        #expect(page.contains("merged from") && page.contains("shard-3.json") && page.contains("<svg class=\"timeline\""))

        // Reports of another run, or the same shard twice, are refused in one line.
        var other = shards[1]
        other.target = "127.0.0.1:1"
        try other.write(to: "\(directory)/other.json")
        let refused = try CLI.run(["merge", "\(directory)/shard-0.json", "\(directory)/other.json"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("other.json: target is 127.0.0.1:1"), "\(refused.stderr)")
        let twice = try CLI.run(["merge", "\(directory)/shard-0.json", "\(directory)/shard-0.json"])
        #expect(twice.status == 2 && twice.stderr.contains("shard 0/4 appears twice"), "\(twice.stderr)")
        let notReport = try CLI.run(["merge", profile])
        #expect(notReport.status == 2 && notReport.stderr.contains("not a tlsdrill JSON report"), "\(notReport.stderr)")
    }
}

/// The shard processes' outputs, filled from concurrent threads.
final class ShardOutputs: @unchecked Sendable {
    private let lock = NSLock()
    private var outputs: [Int: CLI.Output] = [:]
    func set(_ index: Int, _ output: CLI.Output?) { lock.withLock { outputs[index] = output } }
    func get(_ index: Int) -> CLI.Output? { lock.withLock { outputs[index] } }
}
