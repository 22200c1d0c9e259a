import Foundation
internal import CTLSDrillShims

/// Handshakes in a lean client context reuse the X509 a byte-identical served certificate was parsed into
/// before on the same thread (`lean_certificate_cache.c`). These are the checks the tests hold it to.
enum ParsedCertificateCache {
    /// What parsing one certificate as a handshake step does gave.
    enum Parse: Equatable {
        /// From this thread's cache.
        case cached
        /// Parsed by OpenSSL.
        case parsed
        /// Not a certificate OpenSSL parses.
        case unparsable
        /// An X509 that does not encode back to the certificate's bytes (the cache handed out the wrong one).
        case wrongCertificate
    }

    /// Certificates this thread has taken from its cache so far.
    static var threadHits: UInt { UInt(tlsdrill_thread_certificate_cache_hits()) }

    /// Parses `der` (plus `trailing` extra bytes after it, as a longer buffer would hold) the way libssl does in a
    /// handshake step of a client context in `library` (`nil`: outside any handshake step).
    static func parse(_ der: [UInt8], trailing: [UInt8] = [], in library: LeanLibraryContext?) -> Parse {
        let bytes = der + trailing
        let result = bytes.withUnsafeBufferPointer { tlsdrill_certificate_cache_parse(library?.pointer, $0.baseAddress, $0.count) }
        switch result {
        case 1: return .cached
        case 0: return .parsed
        case -2: return .wrongCertificate
        default: return .unparsable
        }
    }
}
