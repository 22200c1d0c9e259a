import Foundation
import Testing
@testable import TLSDrill

/// What a person reads: the live status line and the terminal report's edges.
@Suite("Reports")
struct ReportTests {
    @Test("the live line carries progress, rate and target, ok share, top failure, interval p99 and missed starts, within 100 columns")
    func liveLine() {
        var status = LiveStatus(elapsed: 12.04, completed: 23_456, accepted: 22_777)
        status.duration = 30
        status.targetRate = 2000
        status.inFlight = 50
        status.missedStarts = 3
        status.topFailure = (.clientCertMissingClientAuth, 679)
        status.intervalHandshakeP99Us = 31_200
        let line = TerminalReport.statusLine(status, previous: 21_504)
        #expect(line == "12.0/30s 23456 done 1952/2000/s 97.1% ok client-missing-clientauth 679 p99 31ms missed 3 50 inflight", "\(line)")
        #expect(line.count <= 100, "\(line.count) columns: \(line)")
        status.topFailure = (.clientCertMissingClientAuth, 123_456_789)
        status.completed = 1_234_567_890
        status.handshakes = 2_000_000_000
        let long = TerminalReport.statusLine(status, previous: 0)
        #expect(long.count <= 100 && long.contains("/2000000000 done"), "\(long)")
        #expect(!long.contains("inflight"), "the least important part went first: \(long)")
        var plain = LiveStatus(elapsed: 3, completed: 1613, accepted: 1371)
        plain.topFailure = (.clientCertExpired, 242)
        #expect(TerminalReport.statusLine(plain, previous: 1047) == "3.0s  1613 done  566/s  85.0% ok  client-cert-expired 242  0 inflight")
    }

    @Test("round axis ticks: 1, 2 or 5 times a power of ten, covering the maximum")
    func ticks() {
        #expect(AxisTicks(maximum: 175).values == [0, 50, 100, 150, 200])
        #expect(AxisTicks(maximum: 6.8, count: 10).step == 1)
        #expect(AxisTicks(maximum: 0.37).values.last! >= 0.37)
        #expect(AxisTicks(maximum: 1725, count: 5).step == 500)
    }
}
