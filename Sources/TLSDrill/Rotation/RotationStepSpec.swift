import Foundation

/// One rotation step as written in a profile's `rotation.steps`. Exactly one action per step:
/// `exec`, `signal`, `reload` (built-in gateway via its control socket), `verify_ca_names`,
/// `clients` (identity weights, at once or `over` a window) or `client_trust` (the bundle clients verify
/// the gateway with — a stale or updated trust store).
public struct RotationStepSpec: Decodable, Sendable {
    public enum Action: Sendable {
        case exec(command: String, timeout: TimeInterval)
        case signal(name: String, pid: Int32?, pidFile: String?)
        case reload(control: String, overrides: [String: String])
        case verifyCANames(files: [String])
        case clients(weights: [String: Double], over: TimeInterval)
        case clientTrust(file: String)

        var kind: String {
            switch self {
            case .exec: "exec"
            case .signal: "signal"
            case .reload: "reload"
            case .verifyCANames: "verify_ca_names"
            case .clients: "clients"
            case .clientTrust: "client_trust"
            }
        }
    }

    public var at: TimeInterval
    /// Whether the profile gave `at` (steps need it; `before` steps must not have it).
    public var hasOffset: Bool
    public var name: String
    public var action: Action
    /// A failure of this step is recorded but does not make the run exit 3.
    public var allowFailure: Bool
    public var line: Int?

    private enum Keys: String, CodingKey, CaseIterable {
        case at, name, exec, timeout, signal, pid, reload, clients, over
        case allowFailure = "allow_failure", pidFile = "pid_file", verifyCANames = "verify_ca_names", clientTrust = "client_trust"
    }
    private enum ReloadKeys: String, CodingKey, CaseIterable {
        case control, cert, key, chain, trust, reject
        case clientAuth = "client_auth", allowSAN = "allow_san", rotateTicketKeys = "rotate_ticket_keys"
    }
    private enum ClientKeys: String, CodingKey, CaseIterable { case weights, over }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(Keys.allCases.map(\.rawValue), in: "a rotation step")
        let container = try decoder.container(keyedBy: Keys.self)
        line = decoder.line
        let offset = try container.decodeDuration(.at)
        hasOffset = offset != nil
        let at = offset ?? 0
        guard OptionRange.stepOffset.contains(at) else { throw ProfileIssue(line: line, message: "rotation step: 'at' must be from 0s to 7d") }
        self.at = at
        let actions = [Keys.exec, .signal, .reload, .verifyCANames, .clients, .clientTrust].filter { container.contains($0) }
        guard actions.count == 1 else {
            throw ProfileIssue(line: line, message: "rotation step: give exactly one of exec, signal, reload, verify_ca_names, clients, client_trust")
        }
        switch actions[0] {
        case .exec:
            let timeout = try container.decodeDuration(.timeout) ?? 30
            guard OptionRange.timeout.contains(timeout) else { throw ProfileIssue(line: line, message: "exec step: 'timeout' must be from 1ms to 1h") }
            action = .exec(command: try container.decode(String.self, forKey: .exec), timeout: timeout)
        case .signal:
            let pid = try container.decodeIfPresent(Int32.self, forKey: .pid)
            let pidFile = try container.decodeIfPresent(String.self, forKey: .pidFile)
            guard (pid == nil) != (pidFile == nil) else { throw ProfileIssue(line: line, message: "signal step: give pid or pid_file") }
            if let pid, case .failure(let problem) = SignalTarget.check(pid) { throw ProfileIssue(line: line, message: "signal step: \(problem.text)") }
            action = .signal(name: try container.decode(String.self, forKey: .signal), pid: pid, pidFile: pidFile)
        case .reload:
            let reload = try container.superDecoder(forKey: .reload)
            try reload.rejectUnknownKeys(ReloadKeys.allCases.map(\.rawValue), in: "reload")
            let fields = try reload.container(keyedBy: ReloadKeys.self)
            var overrides: [String: String] = [:]
            for key in [ReloadKeys.cert, .key, .chain, .reject, .clientAuth] {
                if let value = try fields.decodeIfPresent(String.self, forKey: key) {
                    overrides[key == .clientAuth ? "client-auth" : key.rawValue] = value
                }
            }
            if let trust = try? fields.decode([String].self, forKey: .trust) { overrides["trust"] = trust.joined(separator: ",") }
            else if let trust = try fields.decodeIfPresent(String.self, forKey: .trust) { overrides["trust"] = trust }
            if let sans = try fields.decodeIfPresent([String].self, forKey: .allowSAN) { overrides["allow-san"] = sans.joined(separator: ",") }
            if let rotate = try fields.decodeIfPresent(Bool.self, forKey: .rotateTicketKeys) { overrides["rotate-ticket-keys"] = rotate ? "yes" : "no" }
            action = .reload(control: try fields.decode(String.self, forKey: .control), overrides: overrides)
        case .verifyCANames:
            action = .verifyCANames(files: try container.decode([String].self, forKey: .verifyCANames))
        case .clients:
            let clients = try container.superDecoder(forKey: .clients)
            try clients.rejectUnknownKeys(ClientKeys.allCases.map(\.rawValue), in: "clients")
            let fields = try clients.container(keyedBy: ClientKeys.self)
            let weights = try fields.decode([String: Double].self, forKey: .weights)
            let over = try fields.decodeDuration(.over) ?? 0
            guard OptionRange.stepOffset.contains(over), weights.values.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1_000_000 }) else {
                throw ProfileIssue(line: line, message: "clients step: weights must be from 0 to 1000000 and 'over' from 0s to 7d")
            }
            action = .clients(weights: weights, over: over)
        default:
            action = .clientTrust(file: try container.decode(String.self, forKey: .clientTrust))
        }
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? action.kind
        allowFailure = try container.decodeIfPresent(Bool.self, forKey: .allowFailure) ?? false
    }
}

/// A profile's `rotation` section.
public struct RotationSpec: Decodable, Sendable {
    /// Gateway-side steps (reload, exec, signal) run in order before the load starts — e.g. reset the
    /// gateway's trust so the drill starts from a known state. A failure stops the run before any attempt.
    public var before: [RotationStepSpec]
    public var steps: [RotationStepSpec]

    private enum Keys: String, CodingKey, CaseIterable { case before, steps }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(Keys.allCases.map(\.rawValue), in: "rotation")
        let container = try decoder.container(keyedBy: Keys.self)
        steps = try container.decode([RotationStepSpec].self, forKey: .steps).sorted { $0.at < $1.at }
        before = try container.decodeIfPresent([RotationStepSpec].self, forKey: .before) ?? []
        for step in steps where !step.hasOffset {
            throw ProfileIssue(line: step.line, message: "rotation step: missing 'at' (offset from the start, e.g. 10s)")
        }
        for step in before {
            guard !step.hasOffset else { throw ProfileIssue(line: step.line, message: "rotation.before: steps run before the load and take no 'at'") }
            switch step.action {
            case .reload, .exec, .signal: continue
            case .verifyCANames, .clients, .clientTrust:
                throw ProfileIssue(line: step.line, message: "rotation.before: only reload, exec and signal steps (gateway-side) can run before the load")
            }
        }
    }
}
