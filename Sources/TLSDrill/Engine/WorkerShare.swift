/// One worker's part of the run.
struct WorkerShare {
    var concurrency: Int
    /// Attempts to make; nil = until the deadline.
    var attempts: Int?
    /// Attempts per second for this worker (open loop), nil = closed loop.
    var rate: Double?

    /// Splits the run's totals over `workers` as evenly as whole numbers allow.
    static func split(_ settings: RunSettings, workers: Int) -> [WorkerShare] {
        (0..<workers).map { index in
            func part(_ total: Int) -> Int { total / workers + (index < total % workers ? 1 : 0) }
            return WorkerShare(
                concurrency: max(1, part(settings.concurrency)),
                attempts: settings.handshakes.map(part),
                rate: settings.rate.map { $0 / Double(workers) })
        }
    }
}
