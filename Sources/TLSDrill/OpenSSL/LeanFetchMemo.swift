import Foundation
internal import COpenSSL
internal import CTLSDrillShims

/// Algorithm fetches in the lean library contexts are remembered per thread (`lean_fetch_memo.c`): a fetch of the
/// same name with no property query hands out the method fetched before. These are the checks the tests use.
enum LeanFetchMemo {
    /// Fetches this thread has answered from its memo so far.
    static var threadHits: UInt { UInt(tlsdrill_thread_fetch_memo_hits()) }

    /// Which OpenSSL object fetching digest `name` gave (its address), nil when the fetch failed; `library` picks a
    /// lean context (nil: OpenSSL's default one).
    static func digest(_ name: String, in library: LeanLibraryContext?, properties: String? = nil) -> UInt? {
        guard let digest = EVP_MD_fetch(library?.pointer, name, properties) else {
            ERR_clear_error()
            return nil
        }
        defer { EVP_MD_free(digest) }
        return UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(digest)))
    }
}
