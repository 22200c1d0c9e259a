import Foundation

/// How the client population changes during a run, fixed before it starts: identity weights switched at
/// once or along a linear rollout curve, and the trust store clients verify the gateway with. Workers
/// read it by elapsed time; nothing is shared or locked.
public struct ClientPlan: Sendable {
    /// A change of identity weights at `at`, reached linearly over `over` seconds (0 = at once).
    public struct WeightChange: Sendable {
        public var at: TimeInterval
        public var over: TimeInterval
        public var weights: [Double]
        public init(at: TimeInterval, over: TimeInterval, weights: [Double]) {
            self.at = at
            self.over = over
            self.weights = weights
        }
    }

    public var initialWeights: [Double]
    public var weightChanges: [WeightChange]
    /// (offset, trust phase index): from `at`, clients use the contexts of that phase.
    public var trustChanges: [(at: TimeInterval, phase: Int)]

    public init(initialWeights: [Double], weightChanges: [WeightChange] = [], trustChanges: [(at: TimeInterval, phase: Int)] = []) {
        self.initialWeights = initialWeights
        self.weightChanges = weightChanges.sorted { $0.at < $1.at }
        self.trustChanges = trustChanges.sorted { $0.at < $1.at }
    }

    /// Identity weights `elapsed` seconds into the run.
    public func weights(at elapsed: TimeInterval) -> [Double] {
        var current = initialWeights
        for change in weightChanges where change.at <= elapsed {
            let progress = change.over <= 0 ? 1 : min(1, (elapsed - change.at) / change.over)
            current = zip(current, change.weights).map { from, to in from + (to - from) * progress }
        }
        return current
    }

    /// The trust phase in force `elapsed` seconds into the run.
    public func trustPhase(at elapsed: TimeInterval) -> Int {
        trustChanges.last { $0.at <= elapsed }?.phase ?? 0
    }

    /// Whether anything changes at all.
    var isStatic: Bool { weightChanges.isEmpty && trustChanges.isEmpty }
}
