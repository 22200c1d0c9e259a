import Foundation
internal import COpenSSL
internal import CTLSDrillShims

/// The lean library context parses a served certificate's public key through caching decoders (each
/// worker thread keeps the keys it decoded, keyed by their exact DER). This is the check that the cache
/// never changes a key: the lean parse and the default context's parse of one certificate must agree.
enum LeanKeyDecoding {
    /// What parsing `certificate` in both contexts gave.
    enum Agreement: Equatable {
        case same
        case different
        case unparsable
    }

    /// Parses `certificate`'s DER in the lean context and the default one and compares the public keys.
    static func compare(_ certificate: Certificate) -> Agreement {
        var buffer: UnsafeMutablePointer<UInt8>?
        let length = i2d_X509(certificate.pointer, &buffer)
        guard length > 0, let buffer else { return .unparsable }
        defer { CRYPTO_free(buffer, #fileID, #line) }
        switch tlsdrill_lean_decodes_same_key(buffer, Int(length)) {
        case 1: return .same
        case 0: return .different
        default: return .unparsable
        }
    }
}
