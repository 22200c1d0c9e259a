import Foundation
import Histogram
import Testing
@testable import TLSDrill

/// The reports' histograms travel as HdrHistogram compressed V2 base64: lossless, and readable by
/// HdrHistogram's own tools.
@Suite struct HistogramCodecTests {
    /// Latency-like samples (µs): a body around 400µs, a tail to seconds, a few huge outliers.
    static func samples(count: Int, seed: UInt64) -> [UInt64] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let unit = Double(state >> 11) / Double(1 << 53)
            if unit > 0.999 { return 2_000_000 + (state >> 40) % 5_000_000 }
            return UInt64(200 + 50_000 * pow(unit, 6))
        }
    }

    static func histogram(_ values: [UInt64]) -> Histogram<UInt64> {
        var histogram = PhaseHistograms().histograms[0]
        for value in values { _ = histogram.record(value) }
        return histogram
    }

    static func distribution(_ histogram: Histogram<UInt64>) -> [String] {
        histogram.recordedValues().map { "\($0.value):\($0.count)" }
    }

    @Test func roundTripIsLossless() throws {
        let original = Self.histogram(Self.samples(count: 20_000, seed: 7))
        let decoded = try HistogramCodec.decode(HistogramCodec.encode(original))
        #expect(decoded.totalCount == original.totalCount)
        #expect(Self.distribution(decoded) == Self.distribution(original))
        #expect(RunResult.summary(decoded) == RunResult.summary(original))
        #expect(decoded.max == original.max)
    }

    @Test func emptyHistogramRoundTrips() throws {
        let decoded = try HistogramCodec.decode(HistogramCodec.encode(Self.histogram([])))
        #expect(decoded.totalCount == 0)
    }

    /// Four shards' histograms, decoded and added, equal one histogram fed every sample.
    @Test func decodedShardsMergeExactly() throws {
        let shards = (0..<4).map { Self.samples(count: 5_000 + $0 * 777, seed: UInt64(100 + $0)) }
        var merged = try HistogramCodec.decode(HistogramCodec.encode(Self.histogram(shards[0])))
        for shard in shards.dropFirst() { merged.add(try HistogramCodec.decode(HistogramCodec.encode(Self.histogram(shard)))) }
        let whole = Self.histogram(shards.flatMap { $0 })
        #expect(Self.distribution(merged) == Self.distribution(whole))
        #expect(RunResult.summary(merged) == RunResult.summary(whole))
    }

    @Test func phaseMergesSkipEmptySidesWithoutLosingOrSharingCounts() {
        let first = Self.samples(count: 3_000, seed: 11), second = Self.samples(count: 2_000, seed: 12)
        var workerA = PhaseHistograms(), workerB = PhaseHistograms(), idle = PhaseHistograms(), merged = PhaseHistograms()
        for value in first { workerA.record(.handshake, nanoseconds: value * 1000) }
        for value in second { workerB.record(.handshake, nanoseconds: value * 1000) }
        merged.add(idle)
        merged.add(workerA)      // empty + A: takes A's counts
        merged.add(idle)
        merged.add(workerB)      // A + B: a real add
        #expect(Self.distribution(merged[.handshake]) == Self.distribution(Self.histogram(first + second)))
        #expect(merged[.connect].totalCount == 0 && idle[.handshake].totalCount == 0)
        // Writing to the merge must not show in the worker it took its counts from, nor in a fresh set.
        merged.record(.handshake, nanoseconds: 7_000_000)
        #expect(workerA[.handshake].totalCount == UInt64(first.count))
        #expect(PhaseHistograms()[.handshake].totalCount == 0)
        // An empty histogram of another layout is added to, never replaced: it keeps its own range.
        var narrow = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 10_000_000, numberOfSignificantValueDigits: .three)
        narrow.addSkippingEmpty(Self.histogram([400, 900]))
        #expect(narrow.highestTrackableValue == 10_000_000 && narrow.totalCount == 2)
    }

    @Test func garbageIsATypedError() {
        #expect(throws: HistogramCodec.DecodingError.notBase64) { try HistogramCodec.decode("not base64!") }
        #expect(throws: HistogramCodec.DecodingError.self) { try HistogramCodec.decode(Data([0x1c, 0x84, 0x93, 0x14, 0, 0, 0, 9, 1, 2]).base64EncodedString()) }
        #expect(throws: HistogramCodec.DecodingError.badCookie(0x0102_0304)) { try HistogramCodec.decode(Data([1, 2, 3, 4, 0, 0, 0, 0]).base64EncodedString()) }
    }

    /// Hostile headers and payloads (a report is a file anyone can edit) are typed errors, never a trap in
    /// HdrHistogram's preconditions or an overflow.
    @Test func hostileHistogramsAreRefused() {
        func block(_ payload: [UInt8], lowest: UInt64 = 1, highest: UInt64 = 3_600_000_000, digits: Int = 3) -> String {
            HistogramCodec.framed(HistogramCodec.header(payloadLength: payload.count, digits: digits, lowest: lowest, highest: highest) + payload)
        }
        let maxNegative: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]  // ZigZag of Int64.min
        let hugeCount: [UInt8] = [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]  // Int64.max
        for (text, label) in [(block([], lowest: 1 << 50), "lowest"), (block([], highest: UInt64.max), "highest"),
                              (block([], digits: 9), "digits"), (block(maxNegative), "Int64.min run"),
                              (block(hugeCount + hugeCount + hugeCount), "overflowing total"), (block([0x80]), "cut LEB128")] {
            #expect(throws: HistogramCodec.DecodingError.self, "\(label)") { try HistogramCodec.decode(text) }
        }
        #expect(throws: Never.self) { try HistogramCodec.decode(block([2, 4])) }  // counts 1 and 2 at values 0 and 1
    }

    /// HdrHistogram's Python port (PyPI `hdrhistogram`) decodes what we write to the same distribution,
    /// and what it writes decodes here to the same counts.
    @Test(Tools.needs("python-hdrhistogram")) func pythonHdrHistogramReadsAndWritesTheSameFormat() throws {
        let original = Self.histogram(Self.samples(count: 10_000, seed: 42))
        let script = """
            import sys
            from hdrh.histogram import HdrHistogram
            h = HdrHistogram.decode(sys.argv[1])
            print(h.get_total_count(), h.get_value_at_percentile(50), h.get_value_at_percentile(99), h.get_max_value())
            g = HdrHistogram(1, 3600000000, 3)
            for v, n in ((250, 3), (1000, 5), (123456, 1), (2500000, 2)):
                g.record_value(v, n)
            print(g.encode().decode())
            """
        let output = try PythonTools.run(["-c", script, HistogramCodec.encode(original)])
        #expect(output.status == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 2)
        let figures = lines[0].split(separator: " ").compactMap { UInt64($0) }
        #expect(figures == [original.totalCount, original.valueAtPercentile(50), original.valueAtPercentile(99), original.max])
        let fromPython = try HistogramCodec.decode(lines[1])
        #expect(fromPython.totalCount == 11)
        #expect(fromPython.count(within: 250...250) == 3)
        #expect(fromPython.count(within: 2_400_000...2_600_000) == 2)
    }
}
