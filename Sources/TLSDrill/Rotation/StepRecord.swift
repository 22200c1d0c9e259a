/// What happened when a rotation step ran (in the report and on the timeline).
public struct StepRecord: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable { case ok, failed, timeout }
    public var name: String
    public var kind: String
    /// Scheduled offset from the start of the load.
    public var atS: Double
    /// When it actually started, from the start of the load.
    public var startedS: Double
    public var durationS: Double
    public var outcome: Outcome
    public var exitCode: Int32?
    /// Output tail, reply, or why it failed.
    public var detail: String
    /// The profile marked this step `allow_failure: true`: its failure does not make the run exit 3.
    public var allowFailure = false

    /// Whether this record makes the run exit 3.
    public var blocksRun: Bool { outcome != .ok && !allowFailure }
}
