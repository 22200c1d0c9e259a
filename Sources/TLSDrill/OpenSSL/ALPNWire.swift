/// ALPN protocol lists in TLS wire format (length-prefixed names), for client and server alike.
enum ALPNWire {
    /// Each name must be 1–255 bytes (the length is one byte); anything else is a one-line error.
    static func encode(_ names: [String]) throws -> [UInt8] {
        var wire: [UInt8] = []
        for name in names {
            let bytes = Array(name.utf8)
            guard !bytes.isEmpty, bytes.count < 256 else {
                throw TLSDrillError.invalidOption(flag: "--alpn", value: String(name.prefix(40)) + (name.count > 40 ? "…" : ""),
                                                  expected: "each protocol must be 1 to 255 bytes")
            }
            wire.append(UInt8(bytes.count))
            wire.append(contentsOf: bytes)
        }
        return wire
    }
}
