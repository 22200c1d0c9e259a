import Foundation
// The shim header includes <sys/socket.h>; importing it here keeps SOCK_* visible whichever module owns them in a clean build.
internal import CTLSDrillShims

/// A resolved `HOST:PORT` (resolved once, before the load starts).
public struct TargetAddress: Sendable, CustomStringConvertible {
    /// The host as given (name or address, without brackets).
    public let host: String
    public let port: UInt16
    /// The first address the host resolved to.
    let storage: sockaddr_storage
    let length: socklen_t

    public var family: Int32 { Int32(storage.ss_family) }
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Splits `HOST:PORT` / `[V6]:PORT`.
    public static func split(_ text: String, allowPortZero: Bool = false) throws -> (host: String, port: UInt16) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw TLSDrillError.badTarget(text)
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw TLSDrillError.badTarget(text) }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = UInt16(portText), port > 0 || allowPortZero else { throw TLSDrillError.badTarget(text) }
        return (String(host), port)
    }

    /// Parses and resolves `HOST:PORT`.
    public static func resolve(_ text: String, allowPortZero: Bool = false) throws -> TargetAddress {
        let (host, port) = try split(text, allowPortZero: allowPortZero)
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, let first = result else {
            throw TLSDrillError.unresolvableHost(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(result) }
        var storage = sockaddr_storage()
        memcpy(&storage, first.pointee.ai_addr, Int(first.pointee.ai_addrlen))
        return TargetAddress(host: host, port: port, storage: storage, length: first.pointee.ai_addrlen)
    }
}
