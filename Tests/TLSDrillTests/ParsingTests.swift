import Testing
@testable import TLSDrill

@Suite("Parsing of flags and replies")
struct ParsingTests {
    @Test("durations", arguments: [("8s", 8.0), ("2m", 120), ("500ms", 0.5), ("1h", 3600), ("1m30s", 90), ("1.5", 1.5), ("0.25s", 0.25)])
    func durations(text: String, seconds: Double) throws {
        #expect(try DurationText.parse(text, flag: "--duration") == seconds)
    }

    @Test("bad durations name the flag", arguments: ["", "ten", "5x", "s", "-3s", "1..2s"])
    func badDurations(text: String) {
        #expect(throws: TLSDrillError.invalidOption(flag: "--duration", value: text, expected: "not a duration; use e.g. 500ms, 8s, 2m, 1h or 1m30s")) {
            try DurationText.parse(text, flag: "--duration")
        }
    }

    @Test("targets")
    func targets() throws {
        #expect(try TargetAddress.split("127.0.0.1:8443") == ("127.0.0.1", 8443))
        #expect(try TargetAddress.split("[::1]:443") == ("::1", 443))
        #expect(try TargetAddress.split("localhost:1") == ("localhost", 1))
        for bad in ["127.0.0.1", ":443", "host:0", "host:99999", "[::1]443"] {
            #expect(throws: TLSDrillError.badTarget(bad)) { try TargetAddress.split(bad) }
        }
    }

    @Test("HTTP verdicts, including nginx's certificate pages")
    func httpVerdicts() {
        func parse(_ text: String, complete: Bool = false) -> HTTPVerdictParser.State {
            Array(text.utf8).withUnsafeBytes { HTTPVerdictParser.parse($0, complete: complete) }
        }
        #expect(parse("HTTP/1.1 200 OK\r\n") == .decided(status: 200, page: .none))
        #expect(parse("HTTP/1.1 20") == .incomplete)
        #expect(parse("HTTP/1.1 403 Forbidden\r\n") == .decided(status: 403, page: .none))
        let nginx = "HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n<html>\r\n<head><title>400 The SSL certificate error</title></head>"
        #expect(parse(nginx) == .decided(status: 400, page: .certificateError))
        let noCert = "HTTP/1.1 400 Bad Request\r\n\r\n<html><head><title>400 No required SSL certificate was sent</title></head>"
        #expect(parse(noCert) == .decided(status: 400, page: .noCertificate))
        #expect(parse("HTTP/1.1 400 Bad Request\r\n\r\n<html><head>") == .incomplete)
        #expect(parse("HTTP/1.1 400 Bad Request\r\n\r\n<html><head>", complete: true) == .decided(status: 400, page: .none))
        #expect(parse("SSH-2.0-OpenSSH_9.2p1 Debian") == .malformed)
    }

    @Test("identity mix follows the weights exactly over a full cycle")
    func identityPicker() {
        var picker = IdentityPicker(weights: [70, 25, 5])
        var counts = [0, 0, 0]
        for _ in 0..<1000 { counts[picker.next()] += 1 }
        #expect(counts == [700, 250, 50])
    }

    @Test("work is split over workers without losing any")
    func workerSplit() throws {
        var settings = RunSettings(target: try TargetAddress.resolve("127.0.0.1:1"))
        settings.concurrency = 7
        settings.handshakes = 10
        settings.rate = 90
        let shares = WorkerShare.split(settings, workers: 3)
        #expect(shares.map(\.concurrency).reduce(0, +) == 7)
        #expect(shares.compactMap(\.attempts).reduce(0, +) == 10)
        #expect(shares.compactMap(\.rate).reduce(0, +) == 90)
    }
}
