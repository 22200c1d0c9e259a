import NIOCore
import NIOHPACK

/// Just enough HTTP/2 (RFC 9113) for a verdict: the client's opening (preface, SETTINGS, one GET as a
/// HEADERS frame on stream 1) and a reading of the server's frames. Header blocks are encoded and decoded
/// by swift-nio-http2's HPACK implementation.
enum HTTP2Frames {
    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    enum FrameType: UInt8 {
        case data = 0, headers = 1, rstStream = 3, settings = 4, goaway = 7, continuation = 9
    }

    static let endStream: UInt8 = 0x1
    static let endHeaders: UInt8 = 0x4
    static let padded: UInt8 = 0x8
    static let priority: UInt8 = 0x20

    /// One frame: 9-byte header, then the payload.
    static func frame(_ type: FrameType, flags: UInt8, stream: UInt32, payload: [UInt8]) -> [UInt8] {
        let length = UInt32(payload.count)
        var bytes: [UInt8] = [UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff), type.rawValue, flags]
        bytes += [UInt8(stream >> 24 & 0x7f), UInt8(stream >> 16 & 0xff), UInt8(stream >> 8 & 0xff), UInt8(stream & 0xff)]
        return bytes + payload
    }

    /// An HPACK header block for `headers` (a fresh encoder: no dynamic-table state to share).
    static func headerBlock(_ headers: [(String, String)]) -> [UInt8] {
        var encoder = HPACKEncoder(allocator: ByteBufferAllocator(), useHuffmanEncoding: false)
        var buffer = ByteBuffer()
        try? encoder.encode(headers: HPACKHeaders(headers), to: &buffer)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    /// The client's whole opening: preface, empty SETTINGS, and `GET path` on stream 1 (END_STREAM).
    static func request(path: String, authority: String) -> [UInt8] {
        let block = headerBlock([(":method", "GET"), (":scheme", "https"), (":path", path), (":authority", authority),
                                 ("user-agent", "tlsdrill")])
        return preface + frame(.settings, flags: 0, stream: 0, payload: [])
            + frame(.headers, flags: endStream | endHeaders, stream: 1, payload: block)
    }

    /// The server's answer on stream 1: its SETTINGS, then `:status` (END_STREAM) and a GOAWAY.
    static func response(status: Int, body: String) -> [UInt8] {
        let block = headerBlock([(":status", String(status)), ("content-type", "text/html")])
        let goaway: [UInt8] = [0, 0, 0, 1, 0, 0, 0, 0]  // last stream 1, NO_ERROR
        return frame(.settings, flags: 0, stream: 0, payload: [])
            + frame(.headers, flags: endHeaders, stream: 1, payload: block)
            + frame(.data, flags: endStream, stream: 1, payload: Array(body.utf8))
            + frame(.goaway, flags: 0, stream: 0, payload: goaway)
    }
}
