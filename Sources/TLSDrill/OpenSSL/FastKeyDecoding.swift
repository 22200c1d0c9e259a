import Foundation
internal import CTLSDrillShims

/// OpenSSL 3.0 spends most of a client handshake parsing the served certificates' public keys through its
/// provider decoder framework (a decoder context is built per key; 3.2 caches it). Opt-in
/// (`--fast-ec-decoding`): a minimal in-process ENGINE claims EC keys so OpenSSL takes its own legacy EC
/// ASN.1 route instead (≈4.5× cheaper per certificate here). It is process-wide and also routes EC key
/// generation and P-256 key exchange through OpenSSL's legacy EC method.
public enum FastKeyDecoding {
    /// Turns it on for the rest of the process; false when OpenSSL refused.
    @discardableResult
    public static func enable() -> Bool { tlsdrill_enable_fast_ec_decoding() == 1 }
}
