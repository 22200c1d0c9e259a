/// What one attempt is counted under in the evidence table: its class, what it observed and any
/// local fact the class was inferred from.
struct EvidenceKey: Hashable {
    var outcome: OutcomeClass
    var evidence: AttemptEvidence
    var inferredFrom: LocalCause?
    /// Index of the identity that observed it.
    var identity: Int
}
