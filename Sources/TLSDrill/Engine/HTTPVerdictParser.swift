/// Reads just enough of an HTTP/1.1 reply to decide the verdict: the status code, and for 400/495/496
/// the page title that tells nginx's certificate errors apart.
struct HTTPVerdictParser {
    typealias State = ReplyVerdict

    /// Parses what has arrived so far; `complete` = the peer closed or the buffer is full.
    static func parse(_ bytes: UnsafeRawBufferPointer, complete: Bool) -> State {
        guard let status = statusCode(bytes) else {
            if bytes.count >= 12 && !bytes.starts(with: "HTTP/".utf8) { return .malformed }
            return complete ? .malformed : .incomplete
        }
        guard status == 400 || status == 495 || status == 496 else { return .decided(status: status, page: .none) }
        let page = certificatePage(in: bytes, status: status)
        if page != .none { return .decided(status: status, page: page) }
        if complete || contains(bytes, "</title>") || contains(bytes, "</html>") {
            return .decided(status: status, page: .none)
        }
        return .incomplete
    }

    /// Which nginx certificate page (if any) a 400/495/496 reply carries.
    static func certificatePage(in bytes: UnsafeRawBufferPointer, status: Int16) -> HTTPCertificatePage {
        if contains(bytes, "No required SSL certificate") { return .noCertificate }
        if contains(bytes, "SSL certificate error") || contains(bytes, "SSL Certificate Error") { return .certificateError }
        if status == 496 { return .noCertificate }
        if status == 495 { return .certificateError }
        return .none
    }

    private static func statusCode(_ bytes: UnsafeRawBufferPointer) -> Int16? {
        // "HTTP/1.1 200 " — the code sits at offsets 9..<12.
        guard bytes.count >= 12, bytes.starts(with: "HTTP/".utf8) else { return nil }
        var code: Int16 = 0
        for offset in 9..<12 {
            let digit = bytes[offset]
            guard digit >= 48 && digit <= 57 else { return nil }
            code = code * 10 + Int16(digit - 48)
        }
        return code
    }

    private static func contains(_ bytes: UnsafeRawBufferPointer, _ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        guard bytes.count >= pattern.count else { return false }
        for start in 0...(bytes.count - pattern.count) where bytes[start] == pattern[0] {
            var match = true
            for offset in 1..<pattern.count where bytes[start + offset] != pattern[offset] {
                match = false
                break
            }
            if match { return true }
        }
        return false
    }
}
