/// What a gateway's reply to our request says, over HTTP/1.1 or HTTP/2.
enum ReplyVerdict: Equatable {
    /// Need more bytes.
    case incomplete
    case decided(status: Int16, page: HTTPCertificatePage)
    /// HTTP/2: GOAWAY (frame type 7) or RST_STREAM (3) before any status, with its error code.
    case refused(frame: UInt8, code: UInt32)
    /// Not HTTP.
    case malformed
}

import NIOCore
import NIOHPACK

/// Reads a server's HTTP/2 frames until the verdict on our stream 1: its `:status` (and, for nginx-style
/// 400 pages, the page in the DATA frames), a GOAWAY or RST_STREAM first, or a malformed stream.
enum HTTP2VerdictParser {
    typealias State = ReplyVerdict

    static func parse(_ bytes: UnsafeRawBufferPointer, complete: Bool) -> State {
        var offset = 0
        var block: [UInt8] = []
        var status: Int16?
        var body: [UInt8] = []
        var streamEnded = false
        while bytes.count - offset >= 9 {
            let length = Int(bytes[offset]) << 16 | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2])
            let type = bytes[offset + 3], flags = bytes[offset + 4]
            let stream = UInt32(bytes[offset + 5] & 0x7f) << 24 | UInt32(bytes[offset + 6]) << 16 | UInt32(bytes[offset + 7]) << 8 | UInt32(bytes[offset + 8])
            guard length <= 1 << 24, bytes.count - offset - 9 >= length else { break }
            let payload = Array(bytes[(offset + 9)..<(offset + 9 + length)])
            offset += 9 + length
            switch HTTP2Frames.FrameType(rawValue: type) {
            case .headers? where stream == 1, .continuation? where stream == 1:
                // A header block: HEADERS (padding and priority stripped), then any CONTINUATION frames.
                guard let fragment = type == HTTP2Frames.FrameType.headers.rawValue ? headerFragment(payload, flags: flags) : payload else {
                    return .malformed
                }
                block += fragment
                if type == HTTP2Frames.FrameType.headers.rawValue && flags & HTTP2Frames.endStream != 0 { streamEnded = true }
                if flags & HTTP2Frames.endHeaders != 0 {
                    guard let decoded = decodeStatus(block) else { return .malformed }
                    status = decoded
                    block = []
                }
            case .data? where stream == 1:
                body += payload
                if flags & HTTP2Frames.endStream != 0 { streamEnded = true }
            case .goaway? where status == nil && payload.count >= 8:
                return .refused(frame: type, code: code(payload, at: 4))
            case .rstStream? where stream == 1 && status == nil && payload.count >= 4:
                return .refused(frame: type, code: code(payload, at: 0))
            default:
                continue
            }
        }
        guard let status else { return complete ? .malformed : .incomplete }
        guard status == 400 || status == 495 || status == 496 else { return .decided(status: status, page: .none) }
        let page = body.withUnsafeBytes { HTTPVerdictParser.certificatePage(in: $0, status: status) }
        if page != .none || streamEnded || complete { return .decided(status: status, page: page) }
        return .incomplete
    }

    /// A HEADERS payload without its padding and priority fields.
    private static func headerFragment(_ payload: [UInt8], flags: UInt8) -> [UInt8]? {
        var start = 0, end = payload.count
        if flags & HTTP2Frames.padded != 0 {
            guard let pad = payload.first, Int(pad) < payload.count else { return nil }
            start = 1
            end -= Int(pad)
        }
        if flags & HTTP2Frames.priority != 0 { start += 5 }
        guard start <= end else { return nil }
        return Array(payload[start..<end])
    }

    private static func decodeStatus(_ block: [UInt8]) -> Int16? {
        var decoder = HPACKDecoder(allocator: ByteBufferAllocator())
        var buffer = ByteBuffer(bytes: block)
        guard let headers = try? decoder.decodeHeaders(from: &buffer) else { return nil }
        return headers.first(name: ":status").flatMap { Int16($0) }
    }

    private static func code(_ payload: [UInt8], at index: Int) -> UInt32 {
        UInt32(payload[index]) << 24 | UInt32(payload[index + 1]) << 16 | UInt32(payload[index + 2]) << 8 | UInt32(payload[index + 3])
    }
}
