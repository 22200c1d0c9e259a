import Foundation

/// Everything one `tlsdrill run` needs, assembled from a profile and/or flags: settings, the identity
/// mix, and the rotation (if the profile has one).
public struct RunPlan: Sendable {
    public var settings: RunSettings
    public var identities: [WeightedIdentity]
    public var rotation: PreparedRotation?
    /// The profile the plan came from (its path and hash go into the report).
    public var profilePath: String?
    /// The profile's thresholds.
    public var thresholds: [Threshold] = []
    /// Whether some identity is expected to be rejected (then no default threshold applies).
    public var expectsRejections = false

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
            WeightedIdentity(context: try ClientTLSContext(identity: try Profile.identity(spec), settings: settings.tls), weight: spec.weight,
                             resume: spec.resume)
        }
        let prepared = try rotation.map {
            try PreparedRotation.prepare(profile: profile, rotation: $0, target: target, tls: settings.tls, identities: specs,
                                         gatewaySteps: settings.shard?.shard.runsGatewaySteps ?? true)
        }
        var plan = RunPlan(settings: settings, identities: identities, rotation: prepared)
        plan.profilePath = profile.path
        plan.thresholds = profile.document.thresholds
        plan.expectsRejections = specs.contains { if case .reject = $0.expect { true } else { false } }
        return plan
    }

    /// Fails fast (before the load) when a gateway-side step cannot work — a control socket nobody
    /// answers on, a pid that is not alive — then runs the rotation's `before` steps (each reported to `log`).
    public func prepareGateway(log: (StepRecord) -> Void = { _ in }) throws {
        try rotation?.scheduler.preflight()
        try rotation?.scheduler.runBefore(log: log)
    }

    /// A runner whose start also starts the rotation's steps.
    public func makeRunner() throws -> LoadRunner {
        let runner = try LoadRunner(settings: settings, identities: identities, plan: rotation?.plan, trustPhases: rotation?.trustPhases ?? [])
        if let scheduler = rotation?.scheduler {
            runner.onStart = { scheduler.start(at: $0) }
            runner.liveMetrics?.observeSteps { scheduler.recordsSoFar }
        }
        return runner
    }

    /// The report, with the rotation's steps and verdict when there is one.
    public func report(_ result: RunResult) -> RunReport {
        var report = result.report()
        report.profile = profilePath.flatMap(ProfileFingerprint.of)
        if let scheduler = rotation?.scheduler { report.attachRotation(scheduler.finish(loadEnded: result.elapsed, interrupted: result.interrupted)) }
        return report
    }
}
