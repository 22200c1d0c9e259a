import Foundation

/// A profile's rotation compiled for one run: the client plan (weights, trust phases) the workers follow
/// and the scheduler for the gateway-side steps.
public struct PreparedRotation: Sendable {
    public let plan: ClientPlan
    /// Contexts per client trust phase after the first (one per identity, profile order).
    public let trustPhases: [[ClientTLSContext]]
    public let scheduler: RotationScheduler

    /// Compiles `profile.rotation` for `identities` (the profile's identities with weight, in order).
    /// Without `gatewaySteps` (every shard but 0) the gateway-side steps and `before:` are left out: the
    /// client-side ones (`clients`, `client_trust`) still run, at the same offsets.
    public static func prepare(profile: Profile, rotation: RotationSpec, target: TargetSpec, tls: ClientTLSSettings,
                               identities: [IdentitySpec], gatewaySteps: Bool = true) throws -> PreparedRotation {
        let names = identities.map(\.name)
        func resolve(_ file: String) -> String { ProfilePaths.resolve(file, profile: profile.path) }
        var changes: [ClientPlan.WeightChange] = []
        var trustChanges: [(at: TimeInterval, phase: Int)] = []
        var trustPhases: [[ClientTLSContext]] = []
        var steps: [RotationStepSpec] = []
        for var step in rotation.steps {
            switch step.action {
            case .clients(let weights, let over):
                for name in weights.keys where !names.contains(name) {
                    throw TLSDrillError.profile(path: profile.path, line: step.line, message: "clients: '\(name)' is not an identity of this profile (\(names.joined(separator: ", ")))")
                }
                changes.append(.init(at: step.at, over: over, weights: names.map { weights[$0] ?? 0 }))
            case .clientTrust(let file):
                let path = resolve(file)
                guard FileManager.default.isReadableFile(atPath: path) else {
                    throw TLSDrillError.profile(path: profile.path, line: step.line, message: "client_trust: \(path): no such readable file")
                }
                var phaseTLS = tls
                phaseTLS.caFile = path
                trustPhases.append(try identities.map { try ClientTLSContext(identity: try Profile.identity($0), settings: phaseTLS) })
                trustChanges.append((step.at, trustPhases.count))
                step.action = .clientTrust(file: path)
            case .verifyCANames(let files):
                guard gatewaySteps else { continue }
                step.action = .verifyCANames(files: files.map(resolve))
            case .reload, .signal, .exec:
                guard gatewaySteps else { continue }
                step.action = gatewaySide(step.action, resolve: resolve)
            }
            steps.append(step)
        }
        let before = (gatewaySteps ? rotation.before : []).map { step in
            var resolved = step
            resolved.action = gatewaySide(step.action, resolve: resolve)
            return resolved
        }
        let plan = ClientPlan(initialWeights: identities.map(\.weight), weightChanges: changes, trustChanges: trustChanges)
        return PreparedRotation(plan: plan, trustPhases: trustPhases,
                                scheduler: RotationScheduler(steps: steps, before: before, target: target,
                                                             workingDirectory: ProfilePaths.directory(of: profile.path)))
    }

    /// A gateway-side action with its file paths resolved against the profile.
    private static func gatewaySide(_ action: RotationStepSpec.Action, resolve: (String) -> String) -> RotationStepSpec.Action {
        switch action {
        case .reload(let control, var overrides):
            for key in ["cert", "key", "chain"] { overrides[key] = overrides[key].map(resolve) }
            overrides["trust"] = overrides["trust"].map { $0.split(separator: ",").map { resolve(String($0)) }.joined(separator: ",") }
            return .reload(control: control, overrides: overrides)
        case .signal(let name, let pid, let pidFile):
            return .signal(name: name, pid: pid, pidFile: pidFile.map(resolve))
        default:
            return action
        }
    }
}
