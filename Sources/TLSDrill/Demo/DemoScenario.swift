import Foundation

/// `tlsdrill demo`: a throwaway drill PKI, the built-in gateway in-process on 127.0.0.1 trusting gen1,
/// a mixed client population under load, then everything torn down.
public final class DemoScenario: @unchecked Sendable {  // immutable after init; the gateway and runner are themselves Sendable
    public struct Options: Sendable {
        public var duration: TimeInterval = 10
        public var concurrency = 50
        /// The gateway's client SAN allow-list (empty: any SAN); others get alert 46.
        public var allowedClientSANs: [String] = []
        public var workers = 1
        public var mix = IdentityMixSpec.demoDefault
        public var reject: RejectMode = .alert
        public var tls: TLSVersionChoice = .auto
        /// Workers publish live counters for `/metrics`.
        public var publishesMetrics = false
        public init() {}
    }

    private let options: Options
    private let directory: String
    private let server: GatewayServer
    private let runner: LoadRunner

    /// Builds the PKI, starts the gateway and prepares the load (nothing runs yet but the gateway).
    public init(options: Options) throws {
        self.options = options
        let directory = NSTemporaryDirectory() + "tlsdrill-demo-\(getpid())"
        self.directory = directory
        var server: GatewayServer?
        do {
            var pkiOptions = DrillPKI.Options()
            pkiOptions.overwrite = true
            let pki = try DrillPKI.create(at: directory, options: pkiOptions)
            var gateway = ServerTLSSettings(certFile: pki.cert("gen1-server"), keyFile: pki.key("gen1-server"))
            gateway.trustFiles = [pki.cert("gen1-root")]
            gateway.reject = options.reject
            gateway.version = options.tls
            gateway.allowedClientSANs = options.allowedClientSANs
            let started = try GatewayServer(settings: gateway)
            server = started
            started.start()
            var settings = RunSettings(target: try TargetAddress.resolve(started.address))
            settings.tls.caFile = pki.cert("gen1-root")
            settings.tls.serverName = "localhost"
            settings.tls.verifyName = "localhost"
            settings.tls.version = options.tls
            settings.hostHeader = "localhost"
            settings.duration = options.duration
            settings.concurrency = options.concurrency
            settings.workers = options.workers
            settings.publishesMetrics = options.publishesMetrics
            let identities = try options.mix.identities(from: pki, flag: "--mix").map { identity, weight in
                WeightedIdentity(context: try ClientTLSContext(identity: identity, settings: settings.tls), weight: weight)
            }
            runner = try LoadRunner(settings: settings, identities: identities)
            self.server = started
        } catch {
            // Nothing of a demo that could not start is left behind: no gateway, no PKI with keys.
            server?.stop()
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// The gateway's address.
    public var gatewayAddress: String { server.address }
    /// The load runner (so a caller can stop it on Ctrl-C).
    public var load: LoadRunner { runner }

    /// Stops the gateway and removes the PKI. Safe to call more than once.
    public func tearDown() {
        server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// What the gateway counted.
    public func gatewayCounts() -> [ServerVerdict: Int] { server.counts() }
}
