import Foundation
import TLSDrill

/// The real gateways the integration tests drill, configured from the test PKI.
enum GatewayKind: String, CaseIterable, CustomStringConvertible {
    case opensslServer = "openssl"
    case nginx
    case haproxy

    var description: String { rawValue }
    var tool: String { self == .opensslServer ? "openssl" : rawValue }
}

enum Gateways {
    /// Starts a gateway presenting `server` (a PKI entry name) and trusting `trust` (PKI entry) for clients.
    /// `opensslOptions` are extra `s_server` arguments (cipher, group or version restrictions).
    static func start(_ kind: GatewayKind, server: String = "gen1-server", trust: String = "gen1-root",
                      workers: Int = 1, opensslOptions: [String] = []) throws -> ServerProcess {
        let pki = TestPKI.shared
        let port = LoopbackPort.free()
        let chainArguments = pki.manifest.entry(server)?.generation.map { ["-cert_chain", pki.cert("\($0)-intermediate")] } ?? []
        switch kind {
        case .opensslServer:
            return try ServerProcess("openssl", [
                "s_server", "-accept", "127.0.0.1:\(port)", "-cert", pki.cert(server)] + chainArguments + [
                "-key", pki.key(server), "-CAfile", pki.cert(trust), "-Verify", "3", "-verify_return_error", "-www", "-quiet",
                "-no_ticket",
            ] + opensslOptions, port: port, stopSignal: SIGKILL)
        case .nginx:
            return try NginxGateway.start(directory: TestPKI.scratch("nginx"), server: server, clientCA: pki.cert(trust), workers: workers,
                                          port: port, disableResumption: true)
        case .haproxy:
            let directory = TestPKI.scratch("haproxy")
            let combined = directory + "/server.pem"
            let pem = try String(contentsOfFile: pki.cert(server), encoding: .utf8) + String(contentsOfFile: pki.key(server), encoding: .utf8)
            try pem.write(toFile: combined, atomically: true, encoding: .utf8)
            let config = """
            global
              maxconn 4000
            defaults
              mode http
              timeout connect 5s
              timeout client 10s
              timeout server 10s
            frontend drill
              bind 127.0.0.1:\(port) ssl crt \(combined) ca-file \(pki.cert(trust)) verify required
              http-request return status 200 content-type text/plain string "ok"

            """
            try config.write(toFile: directory + "/haproxy.cfg", atomically: true, encoding: .utf8)
            return try ServerProcess("haproxy", ["-f", directory + "/haproxy.cfg", "-db"], port: port)
        }
    }
}

/// nginx with `ssl_verify_client on`, configured in a scratch directory.
enum NginxGateway {
    static func start(directory: String, server: String = "gen1-server", clientCA: String, workers: Int = 1,
                      port: UInt16 = LoopbackPort.free(), disableResumption: Bool = false) throws -> ServerProcess {
        try FileManager.default.createDirectory(atPath: directory + "/logs", withIntermediateDirectories: true)
        let resumption = disableResumption ? "ssl_session_cache off;\n    ssl_session_tickets off;" : ""
        let config = prelude(directory: directory, workers: workers) + """
        http {
          access_log off;
          client_body_temp_path \(directory)/body; proxy_temp_path \(directory)/proxy;
          fastcgi_temp_path \(directory)/fastcgi; uwsgi_temp_path \(directory)/uwsgi; scgi_temp_path \(directory)/scgi;
          server {
            \(tlsDirectives(port: port, server: server, clientCA: clientCA))
            ssl_verify_depth 3;
            \(resumption)
            location / { return 200 "ok\\n"; }
          }
        }
        """
        try config.write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
        return try ServerProcess("nginx", ["-p", directory, "-c", directory + "/nginx.conf"], port: port)
    }

    /// The TLS part of a test server block: listen, credentials, client verification, both TLS versions.
    static func tlsDirectives(port: UInt16, server: String, clientCA: String) -> String {
        let pki = TestPKI.shared
        return """
        listen 127.0.0.1:\(port) ssl;
            ssl_certificate \(pki.cert(server));
            ssl_certificate_key \(pki.key(server));
            ssl_client_certificate \(clientCA);
            ssl_verify_client on;
            ssl_protocols TLSv1.2 TLSv1.3;
        """
    }

    /// The top of every test nginx config: foreground, pid and log in `directory`.
    static func prelude(directory: String, workers: Int = 1) -> String {
        """
        worker_processes \(workers);
        daemon off;
        pid \(directory)/nginx.pid;
        error_log \(directory)/logs/error.log warn;
        events { worker_connections 8192; }

        """
    }
}

/// nginx's `stream` module terminating TLS with `ssl_verify_client on` in front of a fixed reply: it
/// closes a rejected client after the handshake with no alert and no HTTP (Debian: libnginx-mod-stream).
enum NginxStreamGateway {
    static let module = "/usr/lib/nginx/modules/ngx_stream_module.so"

    static func start(directory: String, server: String = "gen1-server", clientCA: String) throws -> ServerProcess {
        let port = LoopbackPort.free()
        try FileManager.default.createDirectory(atPath: directory + "/logs", withIntermediateDirectories: true)
        let config = "load_module \(module);\n" + NginxGateway.prelude(directory: directory) + """
        stream {
          server {
            \(NginxGateway.tlsDirectives(port: port, server: server, clientCA: clientCA))
            return "ok\\n";
          }
        }
        """
        try config.write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
        return try ServerProcess("nginx", ["-p", directory, "-c", directory + "/nginx.conf"], port: port)
    }
}

/// Runs tlsdrill in-process against a loopback port.
enum Drill {
    static func settings(port: UInt16, tls: TLSVersionChoice = .auto, ca: String = "gen1-root", sni: String? = "localhost") throws -> RunSettings {
        var settings = RunSettings(target: try TargetAddress.resolve("127.0.0.1:\(port)"))
        settings.tls.version = tls
        settings.tls.caFile = TestPKI.shared.cert(ca)
        settings.tls.serverName = sni
        settings.tls.verifyName = sni ?? "127.0.0.1"
        settings.hostHeader = sni ?? "127.0.0.1"
        settings.workers = 1
        settings.concurrency = 1
        settings.handshakes = 3
        return settings
    }

    /// A PKI identity by name, or no certificate for nil.
    static func identity(_ name: String?) throws -> ClientIdentity {
        guard let name else { return .noCertificate() }
        let pki = TestPKI.shared
        return try ClientIdentity.load(name: name, certPath: pki.cert(name), keyPath: pki.key(name))
    }

    static func run(_ settings: RunSettings, identities: [(String?, Double)]) throws -> RunResult {
        let weighted = try identities.map { name, weight in
            WeightedIdentity(context: try ClientTLSContext(identity: try identity(name), settings: settings.tls), weight: weight)
        }
        return try LoadRunner(settings: settings, identities: weighted).run()
    }

    static func run(port: UInt16, identity: String?, tls: TLSVersionChoice = .auto,
                    configure: (inout RunSettings) -> Void = { _ in }) throws -> RunResult {
        var settings = try settings(port: port, tls: tls)
        configure(&settings)
        return try run(settings, identities: [(identity, 1)])
    }
}

/// A compact description of a result's classes, for assertion messages.
extension RunResult {
    var classSummary: String { outcomeCounts.map { "\($0.0.rawValue)=\($0.1)" }.joined(separator: " ") + " | " + (outcomeCounts.first.map { evidence(for: $0.0).first?.0 ?? "" } ?? "") }
}
