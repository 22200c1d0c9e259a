internal import COpenSSL
internal import CTLSDrillShims

/// The two lean OpenSSL library contexts client handshakes run in (`lean_provider.c`): the default one, whose
/// threads keep their X25519/X448 key pairs for many key shares, and the one `--fresh-key-shares` picks.
enum LeanLibraryContext {
    case sharingKeyShares
    case freshKeyShares

    /// The context itself; nil if it could not be built.
    var pointer: OpaquePointer? { tlsdrill_lean_library_context(self == .sharingKeyShares ? 1 : 0) }
}
