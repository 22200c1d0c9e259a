import ArgumentParser
import Foundation
import TLSDrill

/// `tlsdrill serve`: the built-in mTLS gateway.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the built-in mTLS gateway (reloadable, with gateway-like rejection modes).",
        discussion: ExitStatus.helpText)

    @Option(help: "Address to listen on, HOST:PORT; port 0 picks a free one and prints it.")
    var listen = "127.0.0.1:8443"

    @Option(help: "PEM server certificate (leaf, optionally followed by intermediates).")
    var cert: String

    @Option(help: "PEM private key of --cert.")
    var key: String

    @Option(help: "PEM file with extra intermediates to send.")
    var chain: String?

    @Option(help: "PEM client CA bundle to trust (repeatable); its subjects are the CA names asked for.")
    var trust: [String] = []

    @Option(help: "Client certificates: require, optional or none.")
    var clientAuth = "require"

    @Option(help: "How to reject a bad client certificate: alert (specific alerts, like haproxy), generic-alert (always 42, like Go), http (HTTP 400 page, like nginx).")
    var reject = "alert"

    @Option(help: "Client SAN to allow (repeatable; exact, or a prefix ending in / or *). Others get alert 46.")
    var allowClientSan: [String] = []

    @Option(help: "TLS versions: auto, 1.2 or 1.3.")
    var tls = "auto"

    @Option(help: "Comma-separated ALPN protocols to accept.")
    var alpn: String?

    @Option(help: "Session tickets for resuming clients: on or off.")
    var tickets = "off"

    @Option(help: "Server-side session cache entries (TLS 1.2 session IDs, stateful TLS 1.3 resumption); 0 = none.")
    var sessionCache = 0

    @Option(help: "Worker threads.")
    var workers = 1

    @Option(help: "Reload when this file changes; its key=value lines (cert=, key=, chain=, trust=, client-auth=, reject=, allow-san=) override the settings.")
    var reloadFrom: String?

    @Option(help: "Control socket for reloads and stats: unix:PATH (send 'reload key=value...' or 'stats').")
    var control: String?

    @Option(help: "Stop after this long (default: until Ctrl-C).")
    var duration: String?

    @Flag(help: "No per-second counters on stderr.")
    var quiet = false

    @Option(help: "Serve live Prometheus metrics at http://HOST:PORT/metrics: connections by verdict, handshake seconds, reload generation.")
    var metricsListen: String?

    func run() throws {
        try reportingFailures {
            var settings = ServerTLSSettings(certFile: cert, keyFile: key)
            settings.chainFile = chain
            settings.trustFiles = trust
            settings.clientAuth = try choice(clientAuth, flag: "--client-auth")
            settings.reject = try choice(reject, flag: "--reject")
            settings.version = try choice(tls, flag: "--tls")
            settings.alpn = alpn.map { $0.split(separator: ",").map(String.init) } ?? []
            settings.allowedClientSANs = allowClientSan
            settings.tickets = try OnOff.parse(tickets, flag: "--tickets")
            try OptionRange.check(sessionCache, flag: "--session-cache", in: 0...1_000_000)
            settings.sessionCache = sessionCache
            let limit = try duration.map { try DurationText.parse($0, flag: "--duration", in: OptionRange.runDuration) }
            try OptionRange.check(workers, flag: "--workers", in: OptionRange.workers)
            var options = GatewayServer.Options()
            options.listen = listen
            options.workers = workers
            try ResourceLimits.ensureFileDescriptors(min(20_000, ResourceLimits.hardFileDescriptorLimit))
            let server = try GatewayServer(settings: settings, options: options)
            let metrics = try metricsListen.map { listen in
                let live = GatewayMetrics(server: server)
                return try MetricsServer.start(listen: listen) { live.scrape() }
            }
            defer { metrics?.stop() }
            if let metrics { FileHandle.standardError.write(Data("tlsdrill serve: metrics at http://\(metrics.address)/metrics\n".utf8)) }
            try GatewaySession(server: server, control: control, reloadFrom: reloadFrom, quiet: quiet, limit: limit).run()
        }
    }
}
