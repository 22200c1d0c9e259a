internal import COpenSSL
internal import CTLSDrillShims

/// One entry drained from OpenSSL's thread-local error queue.
public struct OpenSSLErrorEntry: Hashable, Sendable {
    /// The library code (`ERR_LIB_SSL`, `ERR_LIB_X509`, ...).
    public var library: Int32
    /// The reason code; received TLS alerts surface as `1000 + alert number`.
    public var reason: Int32
    /// OpenSSL's text for the error, when it has one.
    public var text: String
}

/// Drains and clears OpenSSL's error queue for the calling thread.
enum OpenSSLErrorQueue {
    /// Forget anything a previous call left behind; call before every SSL call whose errors matter.
    @inline(__always)
    static func clear() { ERR_clear_error() }

    /// The first (oldest) error's library and reason without building strings; empties the queue.
    static func firstReason() -> (library: Int32, reason: Int32)? {
        let code = ERR_get_error()
        guard code != 0 else { return nil }
        ERR_clear_error()
        return (Int32(tlsdrill_err_get_lib(code)), Int32(tlsdrill_err_get_reason(code)))
    }

    /// Every queued error with its text, oldest first; empties the queue.
    static func drain() -> [OpenSSLErrorEntry] {
        var entries: [OpenSSLErrorEntry] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            entries.append(OpenSSLErrorEntry(
                library: Int32(tlsdrill_err_get_lib(code)),
                reason: Int32(tlsdrill_err_get_reason(code)),
                text: String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)))
        }
        return entries
    }

    /// A one-line summary of the queue for error messages ("" when empty).
    static func summary() -> String {
        drain().map(\.text).joined(separator: "; ")
    }
}
