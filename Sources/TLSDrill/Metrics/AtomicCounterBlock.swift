import Atomics

/// A fixed block of counters in one allocation, each written by one thread (a worker) and read by the
/// metrics scrape: a relaxed atomic add on the hot path, no lock, no allocation.
final class AtomicCounterBlock: @unchecked Sendable {  // the storage is only touched through atomics
    let count: Int
    private let storage: UnsafeMutablePointer<UnsafeAtomic<Int>.Storage>

    init(count: Int) {
        self.count = count
        storage = .allocate(capacity: max(1, count))
        for index in 0..<max(1, count) { (storage + index).initialize(to: .init(0)) }
    }

    deinit {
        for index in 0..<max(1, count) { _ = (storage + index).pointee.dispose() }
        storage.deinitialize(count: max(1, count))
        storage.deallocate()
    }

    @inline(__always) func add(_ index: Int, _ amount: Int = 1) {
        UnsafeAtomic<Int>(at: storage + index).wrappingIncrement(by: amount, ordering: .relaxed)
    }

    @inline(__always) func load(_ index: Int) -> Int {
        UnsafeAtomic<Int>(at: storage + index).load(ordering: .relaxed)
    }
}
