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
        let der = certificate.der
        guard !der.isEmpty else { return .unparsable }
        switch der.withUnsafeBufferPointer({ tlsdrill_lean_decodes_same_key($0.baseAddress, $0.count) }) {
        case 1: return .same
        case 0: return .different
        default: return .unparsable
        }
    }
}
