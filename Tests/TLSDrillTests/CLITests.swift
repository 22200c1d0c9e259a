import Foundation
import Testing
import TLSDrill

/// The `tlsdrill` binary: one-line errors with a non-zero exit, never a crash trace; Ctrl-C keeps the report.
@Suite("Command line", .serialized)
struct CLITests {
    static var pki: DrillPKI { TestPKI.shared }
    static var identity: [String] { ["--cert", pki.cert("gen1-client"), "--key", pki.key("gen1-client"), "--ca", pki.cert("gen1-root")] }

    static func expectOneLineError(_ output: CLI.Output, mentions: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(output.status != 0, "exit status", sourceLocation: sourceLocation)
        let lines = output.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one line: \(output.stderr)", sourceLocation: sourceLocation)
        #expect(output.stderr.contains(mentions), "\(output.stderr) mentions \(mentions)", sourceLocation: sourceLocation)
        #expect(!output.stderr.contains("Fatal error") && !output.stderr.contains("Stack dump"), sourceLocation: sourceLocation)
    }

    @Test("bad input: each case is one clear line and a non-zero exit")
    func badInput() throws {
        let port = LoopbackPort.free()
        let target = ["--target", "127.0.0.1:\(port)"]
        let bound = ["--handshakes", "1"]
        Self.expectOneLineError(try CLI.run(["run"] + target + bound + ["--cert", "/nope/c.pem", "--key", "/nope/k.pem"]), mentions: "/nope/c.pem")
        Self.expectOneLineError(try CLI.run(["run"] + target + bound + ["--cert", Self.pki.cert("gen1-client"), "--key", Self.pki.key("gen2-client")]),
                                mentions: "does not match")
        Self.expectOneLineError(try CLI.run(["run"] + target + Self.identity + ["--duration", "ten"]), mentions: "--duration 'ten'")
        Self.expectOneLineError(try CLI.run(["run"] + target + Self.identity + bound), mentions: "unreachable")
        Self.expectOneLineError(try CLI.run(["run"] + target + Self.identity), mentions: "--handshakes")
        Self.expectOneLineError(try CLI.run(["run", "--target", "nonsense"] + Self.identity + bound), mentions: "HOST:PORT")
        Self.expectOneLineError(try CLI.run(["run"] + target + bound + ["--no-cert", "--tls", "1.1"]), mentions: "--tls")
        for (flag, value) in [("--groups", "nope"), ("--ciphers", "nope"), ("--ciphersuites", "nope")] {
            Self.expectOneLineError(try CLI.run(["run"] + target + bound + ["--no-cert", flag, value]), mentions: "\(flag) '\(value)'")
        }
        Self.expectOneLineError(try CLI.run(["run"] + target + Self.identity + bound + ["--concurrency", "30000"]), mentions: "file descriptor limit")
    }

    @Test("run prints the class table and writes JSON; --expect gates the exit code", Tools.needs("haproxy"))
    func runAndExpect() throws {
        let server = try Gateways.start(.haproxy)
        defer { server.stop() }
        let json = TestPKI.scratch("cli") + "/run.json"
        let target = ["--target", "127.0.0.1:\(server.port)", "--sni", "localhost"]
        let expired = ["--cert", Self.pki.cert("gen1-client-expired"), "--key", Self.pki.key("gen1-client-expired"), "--ca", Self.pki.cert("gen1-root")]
        let hdr = TestPKI.scratch("cli-hdr")
        let ok = try CLI.run(["run"] + target + expired + ["--handshakes", "20", "--json", json, "--expect", "client-cert-expired", "--hdr-dir", hdr])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("client-cert-expired") && ok.stdout.contains("alert 45 certificate_expired"))
        #expect(ok.stdout.contains("handshake") && ok.stdout.contains("p99.9"))
        #expect(try RunReport.read(from: json).outcomes == ["client-cert-expired": 20])
        let distribution = try String(contentsOfFile: hdr + "/handshake.hgrm", encoding: .utf8)
        #expect(distribution.contains("Percentile") && distribution.contains("#[Max"), "\(distribution.prefix(300))")
        let wrong = try CLI.run(["run"] + target + expired + ["--handshakes", "5", "--expect", "accepted"])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("expected every attempt to be accepted"))
    }

    @Test("--fast-ec-decoding (process-wide, so in a subprocess): same classes, X25519 and P-256 key exchange", Tools.needs("haproxy", "openssl"))
    func fastECDecoding() throws {
        let server = try Gateways.start(.haproxy)
        defer { server.stop() }
        let target = ["--target", "127.0.0.1:\(server.port)", "--sni", "localhost", "--ca", Self.pki.cert("gen1-root"), "--fast-ec-decoding", "--quiet"]
        for group in ["X25519", "P-256"] {
            for (identity, expected) in [("gen1-client", "accepted"), ("gen1-client-expired", "client-cert-expired"),
                                         ("gen1-client-serverauth-only", "client-cert-missing-clientauth"), ("gen2-client", "client-cert-unknown-ca")] {
                let output = try CLI.run(["run"] + target + ["--cert", Self.pki.cert(identity), "--key", Self.pki.key(identity),
                                                             "--groups", group, "--handshakes", "4", "--expect", expected])
                #expect(output.status == 0, "\(group) \(identity): \(output.stdout)\(output.stderr)")
            }
        }
        let expiredServer = try Gateways.start(.opensslServer, server: "gen1-server-expired")
        defer { expiredServer.stop() }
        let output = try CLI.run(["run", "--target", "127.0.0.1:\(expiredServer.port)", "--sni", "localhost", "--ca", Self.pki.cert("gen1-root"),
                                  "--fast-ec-decoding", "--quiet", "--cert", Self.pki.cert("gen1-client"), "--key", Self.pki.key("gen1-client"),
                                  "--handshakes", "3", "--expect", "server-cert-expired"])
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
    }

    @Test("Ctrl-C stops the load and still writes the report", Tools.needs("nginx"))
    func interrupt() throws {
        let server = try Gateways.start(.nginx)
        defer { server.stop() }
        let json = TestPKI.scratch("cli-int") + "/interrupted.json"
        let started = Date()
        let output = try CLI.run(["run", "--target", "127.0.0.1:\(server.port)", "--sni", "localhost"] + Self.identity
                                 + ["--duration", "60s", "--concurrency", "20", "--json", json], interruptAfter: 1.5)
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(output.status == 130, "interrupted runs exit 130: \(output.stderr)")
        let report = try RunReport.read(from: json)
        #expect(report.interrupted)
        #expect(report.attempts > 0 && report.outcomes["accepted"] == report.attempts)
    }

    @Test("pki init writes a usable PKI")
    func pkiInit() throws {
        let directory = TestPKI.scratch("cli-pki")
        let output = try CLI.run(["pki", "init", directory, "--generations", "blue,green", "--spiffe"])
        #expect(output.status == 0, "\(output.stderr)")
        let pki = try DrillPKI.open(directory)
        #expect(pki.manifest.generations == ["blue", "green"])
        #expect(FileManager.default.fileExists(atPath: directory + "/green/client-expired.pem"))
        #expect(FileManager.default.fileExists(atPath: directory + "/trust/blue+green.pem"))
    }
}
