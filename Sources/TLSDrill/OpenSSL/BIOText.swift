internal import COpenSSL
internal import CTLSDrillShims

/// Runs `write` against a memory BIO and returns what it wrote as a string.
func withMemoryBIOText(_ write: (OpaquePointer) -> Int32) -> String? {
    guard let bio = BIO_new(BIO_s_mem()) else { return nil }
    defer { BIO_free(bio) }
    guard write(bio) > 0 else { return nil }
    var pointer: UnsafeMutablePointer<CChar>? = nil
    let length = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &pointer)
    guard length > 0, let pointer else { return "" }
    return pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }
}

/// Renders an `X509_NAME` in OpenSSL's one-line RFC 2253 form ("CN=x,O=y").
func x509NameText(_ name: OpaquePointer?) -> String {
    guard let name else { return "" }
    return withMemoryBIOText { bio in
        X509_NAME_print_ex(bio, name, 0, tlsdrill_xn_flag_rfc2253())
    } ?? ""
}
