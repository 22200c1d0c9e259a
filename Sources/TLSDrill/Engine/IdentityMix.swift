/// An identity and its share of the attempts.
public struct WeightedIdentity: Sendable {
    public var context: ClientTLSContext
    public var weight: Double
    /// Share of this identity's attempts that resume an earlier session (nil: the run's `--resume`).
    public var resume: Double?
    public init(context: ClientTLSContext, weight: Double = 1, resume: Double? = nil) {
        self.context = context
        self.weight = weight
        self.resume = resume
    }
}

/// Picks identities in proportion to their weights, deterministically (smooth weighted round-robin):
/// every window of attempts matches the weights as closely as whole numbers allow.
struct IdentityPicker {
    private var weights: [Double]
    private var current: [Double]
    private var total: Double

    init(weights: [Double]) {
        self.weights = weights
        current = Array(repeating: 0, count: weights.count)
        total = weights.reduce(0, +)
    }

    /// New weights (a rollout step); keeps the smooth interleaving going.
    mutating func update(weights new: [Double]) {
        guard new != weights else { return }
        weights = new
        total = new.reduce(0, +)
    }

    mutating func next() -> Int {
        guard weights.count > 1, total > 0 else { return 0 }
        var best = 0
        for index in weights.indices {
            current[index] += weights[index]
            if current[index] > current[best] { best = index }
        }
        current[best] -= total
        return best
    }
}
