import Foundation
internal import CTLSDrillShims

/// In the lean context that shares key shares (the default; `--fresh-key-shares` turns it off), each thread
/// keeps its X25519/X448 key pair for a fixed number of ClientHellos. This generates key shares the way libssl
/// does, so the sharing (and its absence in the other context) can be observed.
enum LeanKeyShares {
    /// Key shares one kept key pair serves before a fresh one is generated.
    static var usesPerKeyPair: Int { Int(tlsdrill_lean_key_share_uses()) }

    /// The public key of a new X25519 key share from the sharing (or the fresh) lean context; nil on failure.
    static func x25519PublicKey(shared: Bool) -> [UInt8]? {
        var publicKey = [UInt8](repeating: 0, count: 32)
        return tlsdrill_lean_x25519_share(shared ? 1 : 0, &publicKey) == 1 ? publicKey : nil
    }
}
