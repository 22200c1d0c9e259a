import Synchronization

/// The server context new handshakes use. A reload swaps it (keeping the session-ticket keys unless told
/// to rotate them); workers notice through one relaxed
/// atomic load per accepted connection and fetch the new context under a lock only when it changed.
public final class ReloadableContext: Sendable {
    private let state: Mutex<(context: ServerTLSContext, generation: Int)>
    private let generationCounter = Atomic<Int>(1)

    public init(_ context: ServerTLSContext) {
        state = Mutex((context, 1))
    }

    /// Bumped by every successful reload.
    public var generation: Int { generationCounter.load(ordering: .relaxed) }

    /// The current context and its generation.
    public func current() -> (context: ServerTLSContext, generation: Int) {
        state.withLock { $0 }
    }

    /// Builds a context from `settings` and swaps it in; on failure the old one stays and the error is thrown.
    @discardableResult
    public func reload(_ settings: ServerTLSSettings) throws -> Int {
        var kept = settings
        kept.rotateTicketKeys = false  // a one-shot instruction, not a setting to repeat on the next reload
        let fresh = try ServerTLSContext(kept)
        if !settings.rotateTicketKeys { fresh.adoptTicketKeys(of: current().context) }
        return state.withLock { current in
            current = (fresh, current.generation + 1)
            generationCounter.store(current.generation, ordering: .relaxed)
            return current.generation
        }
    }

    /// The settings of the context in force.
    public var settings: ServerTLSSettings { current().context.settings }
}
