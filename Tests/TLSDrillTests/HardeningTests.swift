import Foundation
import Testing
@testable import TLSDrill

/// Regression tests for the adversarial pass: no input crashes tlsdrill, no fault hangs it, no local
/// user steers it. Each test names the item it guards.
@Suite("Hardening", .serialized)
struct HardeningTests {
    static var pki: DrillPKI { TestPKI.shared }
    static var identity: [String] { ["--cert", pki.cert("gen1-client"), "--key", pki.key("gen1-client"), "--ca", pki.cert("gen1-root"), "--sni", "localhost"] }

    /// Runs `tlsdrill ARGS` through bash so the shell can set limits and umask first (`exec` keeps the pid).
    static func shell(_ prelude: String, _ arguments: [String], interruptAfter: TimeInterval? = nil) throws -> CLI.Output {
        let quoted = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        return try CLI.run(["-c", "\(prelude); exec '\(CLI.binary)' \(quoted)"], interruptAfter: interruptAfter, executable: "/bin/bash")
    }

    @Test("1. fds run out mid-run with --duration: slots back off, attempts are local-resource-exhausted, Ctrl-C still wins")
    func descriptorExhaustion() throws {
        let server = try BuiltInGateway.start(BuiltInGateway.settings())
        defer { server.stop() }
        let json = TestPKI.scratch("fd") + "/r.json"
        // 256 descriptors in all, 150 of them already taken: 190 in flight cannot all get a socket.
        let prelude = "ulimit -n 256; for fd in $(seq 20 169); do eval \"exec $fd</dev/null\"; done"
        let load = ["run", "--target", "127.0.0.1:\(server.port)"] + Self.identity + ["--concurrency", "190", "--workers", "1", "--quiet", "--json", json]
        let started = Date()
        let bounded = try Self.shell(prelude, load + ["--duration", "2s", "--no-default-threshold"])
        #expect(Date().timeIntervalSince(started) < 15, "the run ends at its duration")
        #expect(bounded.status == 0, "\(bounded.stdout)\(bounded.stderr)")
        let report = try RunReport.read(from: json)
        #expect((report.outcomes["local-resource-exhausted"] ?? 0) > 0, "\(report.outcomes)")
        #expect((report.outcomes["accepted"] ?? 0) > 0, "the slots that have descriptors keep working: \(report.outcomes)")
        #expect(report.pausedS > 0, "exhausted slots back off")
        #expect((report.outcomes["local-resource-exhausted"] ?? 0) < 190 * 2 * 12, "backing off, not spinning: \(report.outcomes)")

        let interruptedAt = Date()
        let interrupted = try Self.shell(prelude, load + ["--duration", "60s"], interruptAfter: 1.5)
        #expect(Date().timeIntervalSince(interruptedAt) < 10, "Ctrl-C stops it")
        #expect(interrupted.status == 130, "\(interrupted.stderr)")
        #expect(try RunReport.read(from: json).interrupted)
    }

    @Test("a gateway that dies mid-run is measured as a window, not a flood: refused slots pause before re-dialling")
    func retryPause() throws {
        let port = LoopbackPort.free()
        let serve = try ServerProcess(CLI.binary, ["serve", "--listen", "127.0.0.1:\(port)", "--cert", Self.pki.cert("gen1-server"),
                                                   "--key", Self.pki.key("gen1-server"), "--trust", Self.pki.cert("gen1-root"), "--quiet"], port: port)
        defer { serve.stop() }
        let pid = serve.pid
        DispatchQueue.global().asyncAfter(deadline: .now() + 1) { kill(pid, SIGTERM) }
        let json = TestPKI.scratch("retry") + "/r.json"
        let output = try CLI.run(["run", "--target", "127.0.0.1:\(port)"] + Self.identity
                                 + ["--concurrency", "20", "--duration", "3s", "--quiet", "--json", json, "--retry-pause", "10ms"])
        #expect(output.status == 0, "some attempts were accepted before the gateway died: \(output.stderr)")
        let report = try RunReport.read(from: json)
        let refused = report.outcomes["connect-refused"] ?? 0
        // 20 slots pausing 10ms each for ~2s can re-dial at most ~4,000 times; without the pause it is tens of thousands.
        #expect(refused > 100 && refused < 6_000, "\(report.outcomes)")
        #expect(report.pausedS > 1, "slots spent time paused: \(report.pausedS)")
    }

    @Test("2. numbers out of range are one-line errors naming the range, never a crash trace")
    func numericRanges() throws {
        let target = ["--target", "127.0.0.1:1", "--no-cert"]
        let cases: [[String]] = [
            ["run"] + target + ["--duration", "1e99"], ["run"] + target + ["--duration", "inf"],
            ["run"] + target + ["--handshakes", "1", "--timeout", "1e10"], ["run"] + target + ["--handshakes", "1", "--connect-timeout", "600h"],
            ["run"] + target + ["--handshakes", "1", "--hold", "1e99"], ["run"] + target + ["--handshakes", "1", "--interval", "1e99"],
            ["run"] + target + ["--handshakes", "1", "--confirm-grace", "1e99"], ["run"] + target + ["--handshakes", "1", "--rate", "nan"],
            ["run"] + target + ["--handshakes", "1", "--rate", "1e-300"], ["run"] + target + ["--handshakes", "1", "--rate", "inf"],
            ["run"] + target + ["--handshakes", "1", "--timeout", "0"], ["run"] + target + ["--handshakes", "1", "--concurrency", "9223372036854775807"],
            ["inspect", "127.0.0.1:1", "--timeout", "1e99"], ["demo", "--duration", "1e99"], ["demo", "--concurrency", "9223372036854775807"],
            ["drill", "rotation", "--unit", "1e99"], ["pki", "init", TestPKI.scratch("range") + "/p", "--intermediate-days", "1e99"],
            ["serve", "--listen", "127.0.0.1:0", "--cert", Self.pki.cert("gen1-server"), "--key", Self.pki.key("gen1-server"),
             "--trust", Self.pki.cert("gen1-root"), "--alpn", String(repeating: "a", count: 300)],
            ["demo", "--mix", "gen1-client=50,gen1-client=50"],
        ]
        for arguments in cases {
            let output = try CLI.run(arguments)
            #expect(output.status == 2, "\(arguments.joined(separator: " ")): \(output.status) \(output.stderr)")
            #expect(output.stderr.split(separator: "\n").count == 1 && output.stderr.hasPrefix("tlsdrill: error:"), "\(arguments): \(output.stderr)")
            #expect(!output.stderr.contains("Fatal error"))
        }
        let profile = try ProfileFixtures.write("range-profile", """
        targets: [{ address: 127.0.0.1:1 }]
        identities: [{ name: a, none: true }]
        load: { duration: 1e99s }
        """)
        let fromProfile = try CLI.run(["run", profile])
        #expect(fromProfile.status == 2 && fromProfile.stderr.contains("duration"), "\(fromProfile.stderr)")
    }

    @Test("3. two identities with one name are refused at load, before any attempt")
    func duplicateIdentities() throws {
        let profile = try ProfileFixtures.write("duplicate-identities", """
        targets: [{ address: 127.0.0.1:1 }]
        identities:
          - { name: twin, none: true, weight: 50 }
          - { name: twin, none: true, weight: 50 }
        load: { handshakes: 1 }
        """)
        let output = try CLI.run(["run", profile])
        #expect(output.status == 2 && output.stderr.contains("identity 'twin' is named twice") && output.stderr.contains(":4:"), "\(output.stderr)")
    }

    @Test("5. inspect's timeout bounds the whole probe: a gateway trickling one byte a second is cut off")
    func trickleInspect() throws {
        let trickle = try TrickleServer()
        defer { trickle.stop() }
        let started = Date()
        let output = try CLI.run(["inspect", "127.0.0.1:\(trickle.port)", "--timeout", "2s"])
        #expect(Date().timeIntervalSince(started) < 6, "bounded by --timeout, not per read")
        #expect(output.status == 2 && output.stderr.contains("did not finish within 2s"), "\(output.stderr)")
    }

    @Test("6. Ctrl-C kills a running exec step's process group and finishes at once (exit 130)")
    func interruptKillsExec() throws {
        let server = try BuiltInGateway.start(BuiltInGateway.settings())
        defer { server.stop() }
        let marker = TestPKI.scratch("exec-kill") + "/pid"
        let profile = try ProfileFixtures.write("interrupt-exec", """
        targets: [{ address: 127.0.0.1:\(server.port), sni: localhost, ca: ../drill-pki/gen1/root.pem }]
        identities: [{ name: gen1-client, cert: ../drill-pki/gen1/client.pem, key: ../drill-pki/gen1/client.key }]
        load: { concurrency: 4, duration: 60s }
        rotation:
          steps:
            - { at: 0.2s, name: "slow hook", exec: "echo $$ > \(marker); sleep 30", timeout: 40s }
        """)
        let started = Date()
        let output = try CLI.run(["run", profile, "--quiet"], interruptAfter: 1.5)
        #expect(Date().timeIntervalSince(started) < 8, "not the step's 40s timeout")
        #expect(output.status == 130, "\(output.stderr)")
        #expect(output.stdout.contains("killed: the run was interrupted"), "\(output.stdout)")
        let pid = try #require(Int32(try String(contentsOfFile: marker, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, 0) != 0, "the step's shell is gone")
    }

    @Test("7. control socket: 0600 under umask 000, a silent client blocks nobody, reload errors do not reveal paths")
    func controlSocketSecurity() throws {
        let port = LoopbackPort.free()
        let socketPath = TestPKI.scratch("control-sec") + "/gw.sock"
        let arguments = ["serve", "--listen", "127.0.0.1:\(port)", "--cert", Self.pki.cert("gen1-server"), "--key", Self.pki.key("gen1-server"),
                         "--trust", Self.pki.cert("gen1-root"), "--control", "unix:\(socketPath)", "--quiet", "--duration", "30s"]
        let quoted = arguments.map { "'\($0)'" }.joined(separator: " ")
        let serve = try ServerProcess("/bin/bash", ["-c", "umask 000; exec '\(CLI.binary)' \(quoted)"], port: port)
        defer { serve.stop() }
        var info = stat()
        #expect(lstat(socketPath, &info) == 0 && info.st_mode & 0o777 == 0o600, "mode \(String(info.st_mode & 0o777, radix: 8))")
        // A client that connects and says nothing must not block the next one.
        let silent = try #require(try? UnixSocket.connect(socketPath).get())
        defer { close(silent) }
        let started = Date()
        #expect(try ControlEndpoint.send("stats", to: socketPath, timeout: 5).contains("generation"))
        #expect(Date().timeIntervalSince(started) < 1, "served while another client is silent")
        if getuid() == 0, let setpriv = ServerProcess.which("setpriv") {
            // Another user (nobody) cannot even connect to the 0600 socket, let alone reload the gateway.
            let other = try CLI.run(["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c",
                                     "import socket,sys\ns=socket.socket(socket.AF_UNIX)\ntry:\n s.connect(sys.argv[1]); s.sendall(b'reload client-auth=none\\n'); print(s.recv(200))\nexcept OSError as e:\n print('refused', e.errno)",
                                     socketPath], executable: setpriv)
            #expect(other.stdout.hasPrefix("refused") || other.stdout.contains("only the user running the gateway"), "\(other.stdout)\(other.stderr)")
            #expect(try ControlEndpoint.send("stats", to: socketPath).contains("\"generation\":1"), "no reload happened")
        }
        let missing = try ControlEndpoint.send("reload cert=/root/surely-not-here.pem", to: socketPath)
        let unreadable = try ControlEndpoint.send("reload cert=/etc/shadow", to: socketPath)
        #expect(missing.hasPrefix("error:") && missing == unreadable, "the same answer whether a path exists or not: \(missing) / \(unreadable)")
        #expect(!missing.contains("/root") && !missing.contains("no such"), "\(missing)")
        // A regular file at the control path is refused and left alone.
        let file = TestPKI.scratch("control-file") + "/not-a-socket"
        try "precious".write(toFile: file, atomically: true, encoding: .utf8)
        let refused = try CLI.run(["serve", "--listen", "127.0.0.1:0", "--cert", Self.pki.cert("gen1-server"), "--key", Self.pki.key("gen1-server"),
                                   "--trust", Self.pki.cert("gen1-root"), "--control", "unix:\(file)", "--duration", "2s"])
        #expect(refused.status == 2 && refused.stderr.contains("is not a socket"), "\(refused.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "precious")
    }

    @Test("8. pki init: keys are 0600 from the first byte even under umask 000; names cannot escape DIR")
    func pkiFiles() throws {
        let directory = TestPKI.scratch("pki-perm") + "/pki"
        let output = try Self.shell("umask 000", ["pki", "init", directory])
        #expect(output.status == 0, "\(output.stderr)")
        let keys = try FileManager.default.subpathsOfDirectory(atPath: directory).filter { $0.hasSuffix(".key") }
        #expect(keys.count > 20)
        for key in keys {
            var info = stat()
            #expect(stat(directory + "/" + key, &info) == 0 && info.st_mode & 0o777 == 0o600, "\(key): \(String(info.st_mode & 0o777, radix: 8))")
        }
        let escape = try CLI.run(["pki", "init", TestPKI.scratch("pki-escape") + "/pki", "--generations", "../../escape"])
        #expect(escape.status == 2 && escape.stderr.contains("no path separators"), "\(escape.stderr)")
        let again = try CLI.run(["pki", "init", directory])
        #expect(again.status == 2 && again.stderr.contains("--force"), "an existing PKI is not overwritten: \(again.stderr)")
        #expect(try CLI.run(["pki", "init", directory, "--force"]).status == 0)
    }

    @Test("9. signal steps refuse pid 0, -1 and tlsdrill's own process")
    func signalTargets() throws {
        for pid in ["0", "-1", "1"] {
            let profile = try ProfileFixtures.write("signal-\(pid)", """
            targets: [{ address: 127.0.0.1:1 }]
            identities: [{ name: a, none: true }]
            load: { handshakes: 1 }
            rotation: { steps: [{ at: 1s, signal: HUP, pid: \(pid) }] }
            """)
            let output = try CLI.run(["run", profile])
            #expect(output.status == 2 && output.stderr.contains("greater than 1"), "pid \(pid): \(output.stderr)")
        }
        #expect(throws: SignalTarget.Problem.self) { try SignalTarget.check(getpid()).get() }
    }

    @Test("10. a demo with a bad flag leaves no PKI behind")
    func demoCleansUp() throws {
        func demoDirectories() -> Set<String> {
            Set((try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()))?.filter { $0.hasPrefix("tlsdrill-demo-") } ?? [])
        }
        let before = demoDirectories()
        let output = try CLI.run(["demo", "--mix", "gen1-client=50,nobody=50", "--duration", "1s"])
        #expect(output.status == 2 && output.stderr.contains("unknown identity"), "\(output.stderr)")
        #expect(demoDirectories().subtracting(before).isEmpty, "temp PKI removed")
    }
}

/// A TCP server that accepts one connection and sends it one byte a second (a pathological gateway).
final class TrickleServer: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    private let stopped = StopFlag()

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        listener = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(fd, 8)
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = UInt16(bigEndian: bound.sin_port)
        let listener = self.listener
        let stopped = self.stopped
        Thread.detachNewThread {
            while !stopped.isSet {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }
                Thread.detachNewThread {
                    var byte: UInt8 = 0x16
                    while !stopped.isSet, send(client, &byte, 1, Int32(MSG_NOSIGNAL)) == 1 { sleep(1) }
                    close(client)
                }
            }
        }
    }

    func stop() {
        stopped.set()
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}
