import Synchronization

/// A counter written by one worker and read by the status printer.
final class ProgressCounter: Sendable {
    private let value = Atomic<Int>(0)
    @inline(__always) func add(_ amount: Int) { value.add(amount, ordering: .relaxed) }
    var current: Int { value.load(ordering: .relaxed) }
}

/// Shared between the runner and its workers: the stop request and per-worker progress counters.
/// Only atomics, each counter written by exactly one worker.
final class RunControl: Sendable {
    private let stop = Atomic<Bool>(false)
    let completed: [ProgressCounter]
    let accepted: [ProgressCounter]

    init(workers: Int) {
        completed = (0..<workers).map { _ in ProgressCounter() }
        accepted = (0..<workers).map { _ in ProgressCounter() }
    }

    func requestStop() { stop.store(true, ordering: .relaxed) }
    var stopRequested: Bool { stop.load(ordering: .relaxed) }
    var totalCompleted: Int { completed.reduce(0) { $0 + $1.current } }
    var totalAccepted: Int { accepted.reduce(0) { $0 + $1.current } }
}
