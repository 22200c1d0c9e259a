import Foundation
import Testing
@testable import TLSDrill

/// The engine under load against real gateways.
@Suite("Load models", .serialized)
struct LoadTests {
    @Test("closed loop: 300 in flight over 2 workers against nginx, every attempt accepted", Tools.needs("nginx"))
    func closedLoopConcurrency() throws {
        let server = try Gateways.start(.nginx, workers: 2)
        defer { server.stop() }
        let result = try Drill.run(port: server.port, identity: "gen1-client") {
            $0.workers = 2
            $0.concurrency = 300
            $0.handshakes = 1500
        }
        #expect(result.attempts == 1500)
        #expect(result.count(.accepted) == 1500, "\(result.classSummary)")
        #expect(result.latency(.handshake).count == 1500)
        #expect(result.latency(.total).p50 >= result.latency(.handshake).p50)
    }

    @Test("open loop: the achieved rate follows --rate and starts are on time", Tools.needs("nginx"))
    func openLoopRate() throws {
        let server = try Gateways.start(.nginx, workers: 2)
        defer { server.stop() }
        let result = try Drill.run(port: server.port, identity: "gen1-client") {
            $0.workers = 2
            $0.concurrency = 200
            $0.handshakes = nil
            $0.rate = 150
            $0.duration = 4
        }
        #expect(result.count(.accepted) == result.attempts)
        #expect(abs(result.attempts - 600) <= 6, "attempts \(result.attempts) for 150/s over 4s")
        #expect(result.missedStarts <= 30, "missed starts \(result.missedStarts)")
    }

    @Test("open loop above capacity: missed starts are counted, latency is CO-corrected", Tools.needs("openssl"))
    func openLoopOverload() throws {
        let server = try Gateways.start(.opensslServer)  // serves one connection at a time
        defer { server.stop() }
        let result = try Drill.run(port: server.port, identity: "gen1-client") {
            $0.concurrency = 2
            $0.handshakes = nil
            $0.rate = 5000
            $0.duration = 1
        }
        #expect(result.missedStarts > 1000, "missed \(result.missedStarts) of 5000 due")
        // Timed from the intended start: queueing behind a slow server shows up in total latency.
        #expect(result.latency(.total).p99 > result.latency(.handshake).p99 * 5)
    }

    @Test("an identity mix splits attempts by weight and classifies each identity", Tools.needs("haproxy"))
    func identityMix() throws {
        let server = try Gateways.start(.haproxy)
        defer { server.stop() }
        var settings = try Drill.settings(port: server.port, tls: .tls13)
        settings.concurrency = 8
        settings.handshakes = 400
        let result = try Drill.run(settings, identities: [("gen1-client", 3), ("gen2-client", 1)])
        #expect(result.count(.accepted, identity: "gen1-client") == 300, "\(result.classSummary)")
        #expect(result.count(.clientCertUnknownCA, identity: "gen2-client") == 100, "\(result.classSummary)")
        let report = result.report()
        #expect(report.identities["gen1-client"]?.attempts == 300)
        #expect(report.identities["gen2-client"]?.outcomes == ["client-cert-unknown-ca": 100])
    }

    @Test("TLS 1.3: --confirm none misses late rejections; read and http catch them", Tools.needs("haproxy"))
    func confirmModes() throws {
        let server = try Gateways.start(.haproxy)
        defer { server.stop() }
        let none = try Drill.run(port: server.port, identity: "gen1-client-expired", tls: .tls13) { $0.confirm = .none }
        #expect(none.count(.accepted) == 3, "a handshake-only tool counts a rejected identity as accepted: \(none.classSummary)")
        let read = try Drill.run(port: server.port, identity: "gen1-client-expired", tls: .tls13) { $0.confirm = .read }
        #expect(read.count(.clientCertExpired) == 3, "\(read.classSummary)")
        let readValid = try Drill.run(port: server.port, identity: "gen1-client", tls: .tls13) { $0.confirm = .read }
        #expect(readValid.count(.accepted) == 3, "\(readValid.classSummary)")
        let http = try Drill.run(port: server.port, identity: "gen1-client-expired", tls: .tls13)
        #expect(http.count(.clientCertExpired) == 3, "\(http.classSummary)")
    }

    @Test("--hold keeps accepted connections open, then closes them", Tools.needs("nginx"))
    func hold() throws {
        let server = try Gateways.start(.nginx)
        defer { server.stop() }
        let result = try Drill.run(port: server.port, identity: "gen1-client") {
            $0.concurrency = 50
            $0.handshakes = 50
            $0.hold = 1
        }
        #expect(result.count(.accepted) == 50, "\(result.classSummary)")
        #expect(result.elapsed >= 1, "held for --hold before closing")
    }

    @Test("--hold against the built-in gateway: every held connection stays established until the hold ends")
    func holdEstablished() throws {
        let server = try BuiltInGateway.start(BuiltInGateway.settings())
        defer { server.stop() }
        let done = DispatchSemaphore(value: 0)
        let port = server.port
        let box = ResultBox()
        DispatchQueue.global().async {
            box.result = try? Drill.run(port: port, identity: "gen1-client") {
                $0.concurrency = 200
                $0.handshakes = 200
                $0.hold = 2
            }
            done.signal()
        }
        Thread.sleep(forTimeInterval: 1.2)
        let established = EstablishedConnections.count(toPort: port)
        done.wait()
        #expect(established == 200, "established client connections to the gateway while holding: \(established)")
        #expect(box.result?.count(.accepted) == 200)
        #expect(EstablishedConnections.count(toPort: port) == 0, "closed after the hold")
    }

    @Test("connection refused mid-run is counted, not fatal")
    func refused() throws {
        let result = try Drill.run(port: LoopbackPort.free(), identity: "gen1-client") { $0.handshakes = 5 }
        #expect(result.count(.connectRefused) == 5, "\(result.classSummary)")
    }

    @Test("the JSON report is consistent and written atomically", Tools.needs("haproxy"))
    func jsonReport() throws {
        let server = try Gateways.start(.haproxy)
        defer { server.stop() }
        var settings = try Drill.settings(port: server.port)
        settings.concurrency = 4
        settings.handshakes = 200
        settings.interval = 0.1
        let result = try Drill.run(settings, identities: [("gen1-client", 1), ("gen1-client-serverauth-only", 1)])
        let path = TestPKI.scratch("report") + "/report.json"
        try result.report().write(to: path)
        let report = try RunReport.read(from: path)
        #expect(report.schema == "tlsdrill.report/v1")
        #expect(report.attempts == 200)
        #expect(report.outcomes.values.reduce(0, +) == 200)
        #expect(report.outcomes == ["accepted": 100, "client-cert-missing-clientauth": 100])
        #expect(report.evidence["client-cert-missing-clientauth"]?.keys.contains { $0.contains("alert 43 unsupported_certificate") } == true)
        #expect(report.timeline.map(\.attempts).reduce(0, +) == 200)
        #expect(report.latencyUs["handshake"]?.count == 200)
        #expect(report.latencyUs["total"]!.p99 >= report.latencyUs["total"]!.p50)
        #expect(report.intervalS == 0.1)
        let raw = try String(contentsOfFile: path, encoding: .utf8)
        for key in ["\"latency_us\"", "\"duration_s\"", "\"achieved_rate\"", "\"missed_starts\"", "\"timeline\"", "\"p999\"", "\"settings\""] {
            #expect(raw.contains(key), "\(key) in the JSON")
        }
    }
}

/// A result handed from a background queue (read after the semaphore).
final class ResultBox: @unchecked Sendable {
    var result: RunResult?
}

/// Counts ESTABLISHED TCP connections to a local port from /proc/net/tcp.
enum EstablishedConnections {
    static func count(toPort port: UInt16) -> Int {
        // procfs reports size 0: read to EOF with read(2) rather than trusting Foundation's sized reads.
        let fd = open("/proc/net/tcp", O_RDONLY)
        guard fd >= 0 else { return -1 }
        defer { close(fd) }
        var bytes = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(fd, &chunk, chunk.count)
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        let table = String(decoding: bytes, as: UTF8.self)
        let wanted = String(format: ":%04X", port)
        return table.split(separator: "\n").dropFirst().filter { line in
            let fields = line.split(separator: " ")
            return fields.count > 3 && fields[2].hasSuffix(wanted) && fields[3] == "01"
        }.count
    }
}
