import Foundation

/// Everything one `tlsdrill run` needs, assembled from a profile and/or flags: settings, the identity
/// mix, and the rotation (if the profile has one).
public struct RunPlan: Sendable {
    public var settings: RunSettings
    public var identities: [WeightedIdentity]
    public var rotation: PreparedRotation?

    public init(settings: RunSettings, identities: [WeightedIdentity], rotation: PreparedRotation? = nil) {
        self.settings = settings
        self.identities = identities
        self.rotation = rotation
    }

    /// The profile's identities and rotation for `target`, with `settings` already final.
    public static func fromProfile(_ profile: Profile, target: TargetSpec, settings: RunSettings) throws -> RunPlan {
        let rotation = profile.document.rotation
        // With a rotation, identities at weight 0 stay in: a step may bring them in later.
        let specs = profile.document.identities.filter { rotation != nil || $0.weight > 0 }
        let identities = try specs.map { spec in
            WeightedIdentity(context: try ClientTLSContext(identity: try Profile.identity(spec), settings: settings.tls), weight: spec.weight)
        }
        let prepared = try rotation.map {
            try PreparedRotation.prepare(profile: profile, rotation: $0, target: target, tls: settings.tls, identities: specs)
        }
        return RunPlan(settings: settings, identities: identities, rotation: prepared)
    }

    /// A runner whose start also starts the rotation's steps.
    public func makeRunner() throws -> LoadRunner {
        let runner = try LoadRunner(settings: settings, identities: identities, plan: rotation?.plan, trustPhases: rotation?.trustPhases ?? [])
        if let scheduler = rotation?.scheduler { runner.onStart = { scheduler.start(at: $0) } }
        return runner
    }

    /// The report, with the rotation's steps and verdict when there is one.
    public func report(_ result: RunResult) -> RunReport {
        var report = result.report()
        if let scheduler = rotation?.scheduler { report.attachRotation(scheduler.finish(loadEnded: result.elapsed)) }
        return report
    }
}
