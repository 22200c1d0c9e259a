import Foundation

/// `tlsdrill drill rotation`: the safe five-step CA rotation and an unsafe order (leaves before trust),
/// each under steady load against the built-in gateway, in a throwaway PKI. Both use the same profile
/// machinery as `tlsdrill run PROFILE`.
public final class RotationDemonstration: @unchecked Sendable {  // immutable after init; the runner in progress sits behind a lock
    /// One scenario's outcome.
    public struct Scenario: Sendable {
        public var name: String
        public var result: RunResult
        public var report: RunReport
    }

    private let directory: String
    private let server: GatewayServer
    private let endpoint: ControlEndpoint
    private let unit: TimeInterval
    private let concurrency: Int
    private let stop = StopFlag()
    private let initial: ServerTLSSettings
    private let current = CurrentRunner()

    /// `unit` scales every offset (the safe scenario lasts 5 units, the unsafe one 3.5).
    public init(unit: TimeInterval = 2, concurrency: Int = 50) throws {
        self.unit = unit
        self.concurrency = concurrency
        directory = NSTemporaryDirectory() + "tlsdrill-rotation-\(getpid())"
        let pki = try DrillPKI.create(at: directory + "/drill-pki")
        var settings = ServerTLSSettings(certFile: pki.cert("gen1-server"), keyFile: pki.key("gen1-server"))
        settings.trustFiles = [pki.cert("gen1-root")]
        initial = settings
        do {
            server = try GatewayServer(settings: settings)
            endpoint = try ControlEndpoint(path: directory + "/control.sock", server: server, log: { _ in })
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        server.start()
        try FileManager.default.createDirectory(atPath: directory + "/profiles", withIntermediateDirectories: true)
    }

    /// Stops the load in progress and skips what is left (Ctrl-C).
    public func requestStop() {
        stop.set()
        current.runner?.requestStop()
    }

    /// Runs both scenarios; `status` gets the live figures of the one running.
    public func run(status: (@Sendable (LiveStatus) -> Void)? = nil) throws -> [Scenario] {
        var scenarios: [Scenario] = []
        for (name, steps, units) in [("safe", safeSteps, 5.0), ("unsafe", unsafeSteps, 3.5)] {
            if stop.isSet { break }
            try server.reload(initial)  // every scenario starts from a gateway that trusts gen1 only
            let path = directory + "/profiles/rotation-\(name).yaml"
            try profileText(steps: steps, duration: units * unit).write(toFile: path, atomically: true, encoding: .utf8)
            let profile = try Profile.load(path)
            let target = profile.document.targets[0]
            var settings = RunSettings(target: try TargetAddress.resolve(target.address))
            settings.tls = Profile.tlsSettings(target, version: .auto, address: settings.target)
            settings.hostHeader = "localhost"
            profile.document.load.apply(to: &settings)
            let plan = try RunPlan.fromProfile(profile, target: target, settings: settings)
            let runner = try plan.makeRunner()
            current.runner = runner
            let result = try runner.run(status: status)
            scenarios.append(Scenario(name: name, result: result, report: plan.report(result)))
        }
        return scenarios
    }

    /// Stops the gateway and removes the PKI. Safe to call more than once.
    public func tearDown() {
        endpoint.stop()
        server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func at(_ units: Double) -> String { String(format: "%.2fs", units * unit) }

    private var safeSteps: String {
        """
            - { at: \(at(1)), name: "1. add gen2 to the trust bundle", reload: { control: CONTROL, trust: [../drill-pki/trust/gen1+gen2.pem] } }
            - { at: \(at(1.5)), name: "2. verify the gateway asks for gen2", verify_ca_names: [../drill-pki/gen2/root.pem] }
            - { at: \(at(2)), name: "3. issue gen2 leaves (rollout)", clients: { weights: { gen2-client: 100 }, over: \(at(1.5)) } }
            - { at: \(at(4)), name: "5. remove gen1 (4: no gen1 leaf left)", reload: { control: CONTROL, trust: [../drill-pki/gen2/root.pem] } }
        """
    }

    private var unsafeSteps: String {
        """
            - { at: \(at(1)), name: "3. issue gen2 leaves (too early)", clients: { weights: { gen2-client: 100 } } }
            - { at: \(at(2.5)), name: "1. add gen2 to the trust bundle (too late)", reload: { control: CONTROL, trust: [../drill-pki/trust/gen1+gen2.pem] } }
        """
    }

    private func profileText(steps: String, duration: Double) -> String {
        """
        targets:
          - address: \(server.address)
            sni: localhost
            ca: ../drill-pki/gen1/root.pem
        identities:
          - { name: gen1-client, cert: ../drill-pki/gen1/client.pem, key: ../drill-pki/gen1/client.key, weight: 100 }
          - { name: gen2-client, cert: ../drill-pki/gen2/client.pem, key: ../drill-pki/gen2/client.key, weight: 0 }
        load: { concurrency: \(concurrency), duration: \(String(format: "%.2fs", duration)), interval: \(String(format: "%.0fms", max(100, unit * 100))) }
        rotation:
          steps:
        \(steps.replacingOccurrences(of: "CONTROL", with: directory + "/control.sock"))
        """
    }
}

/// The runner in progress (set by the scenario loop, read by Ctrl-C).
private final class CurrentRunner: @unchecked Sendable {  // every access goes through `lock`
    private let lock = NSLock()
    private var value: LoadRunner?
    var runner: LoadRunner? {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
