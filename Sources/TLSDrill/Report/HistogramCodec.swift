import CZlib
import Foundation
import Histogram

/// The standard HdrHistogram "compressed V2" encoding, base64: what HdrHistogram's own tools (Java's
/// `HistogramLogProcessor`, Python's `HdrHistogram.decode`, Go's `hdrhistogram.Decode`…) read and write.
/// Lossless: decoding gives back every count at its value, so histograms from many reports merge exactly.
///
/// Layout (big-endian): cookie `0x1c849314`, compressed length, then zlib of the V2 block: cookie
/// `0x1c849313`, payload length, normalizing index offset, significant digits, lowest discernible
/// value, highest trackable value, integer-to-double ratio, and the counts array as ZigZag LEB128
/// with runs of empty buckets written as one negative number.
public enum HistogramCodec {
    static let compressedCookie: UInt32 = 0x1c84_9314
    static let encodingCookie: UInt32 = 0x1c84_9313
    static let headerSize = 40
    /// More samples than any run makes (2^48): refused, so adding many decoded histograms cannot overflow.
    static let maximumTotal: UInt64 = 1 << 48

    /// Why a string is not a histogram this codec can read.
    public enum DecodingError: Error, Equatable, CustomStringConvertible, Sendable {
        case notBase64
        case badCookie(UInt32)
        case truncated
        case inflateFailed(Int32)
        case unsupportedParameters(String)
        case corrupt(String)

        public var description: String {
            switch self {
            case .notBase64: "not base64"
            case .badCookie(let cookie): "not an HdrHistogram compressed V2 histogram (cookie 0x\(String(cookie, radix: 16)))"
            case .truncated: "truncated histogram"
            case .inflateFailed(let code): "zlib could not inflate the histogram (error \(code))"
            case .unsupportedParameters(let detail): "unsupported histogram parameters: \(detail)"
            case .corrupt(let detail): "corrupt histogram: \(detail)"
            }
        }
    }

    /// `histogram` as compressed V2, base64.
    public static func encode<Count>(_ histogram: Histogram<Count>) -> String {
        var payload: [UInt8] = []
        let layout = IndexLayout(lowest: histogram.lowestDiscernibleValue, digits: histogram.numberOfSignificantValueDigits.rawValue)
        var nextIndex = 0
        for value in histogram.recordedValues() {
            let index = layout.index(of: value.value)
            if index > nextIndex { appendZigZag(-Int64(index - nextIndex), to: &payload) }
            appendZigZag(Int64(clamping: value.count), to: &payload)
            nextIndex = index + 1
        }
        var block = header(payloadLength: payload.count, digits: Int(histogram.numberOfSignificantValueDigits.rawValue),
                           lowest: histogram.lowestDiscernibleValue, highest: histogram.highestTrackableValue)
        block += payload
        return framed(block)
    }

    /// A V2 block compressed and framed as the compressed encoding, base64.
    static func framed(_ block: [UInt8]) -> String {
        let compressed = deflate(block)
        var framed: [UInt8] = []
        appendBigEndian(compressedCookie, to: &framed)
        appendBigEndian(UInt32(compressed.count), to: &framed)
        framed += compressed
        return Data(framed).base64EncodedString()
    }

    /// A V2 block's 40-byte header.
    static func header(payloadLength: Int, digits: Int, lowest: UInt64, highest: UInt64) -> [UInt8] {
        var block: [UInt8] = []
        appendBigEndian(encodingCookie, to: &block)
        appendBigEndian(UInt32(payloadLength), to: &block)
        appendBigEndian(UInt32(0), to: &block)  // normalizing index offset
        appendBigEndian(UInt32(digits), to: &block)
        appendBigEndian(lowest, to: &block)
        appendBigEndian(highest, to: &block)
        appendBigEndian(Double(1).bitPattern, to: &block)
        return block
    }

    /// The histogram `text` encodes (as `encode` writes it, or any V2 encoder with a lowest discernible value of 1
    /// or more and 1…5 significant digits).
    public static func decode(_ text: String) throws -> Histogram<UInt64> {
        guard let data = Data(base64Encoded: text) else { throw DecodingError.notBase64 }
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else { throw DecodingError.truncated }
        let cookie = readBigEndian(UInt32.self, bytes, at: 0)
        guard cookie == compressedCookie else { throw DecodingError.badCookie(cookie) }
        let length = Int(readBigEndian(UInt32.self, bytes, at: 4))
        guard bytes.count >= 8 + length else { throw DecodingError.truncated }
        let block = try inflate(Array(bytes[8..<(8 + length)]))
        guard block.count >= headerSize else { throw DecodingError.truncated }
        let innerCookie = readBigEndian(UInt32.self, block, at: 0)
        guard innerCookie & 0xFFFF_FF0F == encodingCookie & 0xFFFF_FF0F else { throw DecodingError.badCookie(innerCookie) }
        let payloadLength = Int(readBigEndian(UInt32.self, block, at: 4))
        let digits = Int(readBigEndian(UInt32.self, block, at: 12))
        let lowest = readBigEndian(UInt64.self, block, at: 16)
        let highest = readBigEndian(UInt64.self, block, at: 24)
        // Bounds that keep HdrHistogram's own preconditions (and its counts array) out of reach of a bad file.
        guard let significant = SignificantDigits(rawValue: Int8(clamping: digits)), lowest >= 1, lowest <= 1 << 40,
              highest >= 2 * lowest, highest <= 1 << 62 else {
            throw DecodingError.unsupportedParameters("lowest \(lowest), highest \(highest), digits \(digits)")
        }
        guard block.count >= headerSize + payloadLength else { throw DecodingError.truncated }
        var histogram = Histogram<UInt64>(lowestDiscernibleValue: lowest, highestTrackableValue: highest, numberOfSignificantValueDigits: significant)
        let layout = IndexLayout(lowest: lowest, digits: significant.rawValue)
        var position = headerSize
        let end = headerSize + payloadLength
        let indexLimit = layout.index(of: highest) + 1
        var index = 0
        var total: UInt64 = 0
        while position < end {
            let word = try readZigZag(block, at: &position, end: end)
            if word < 0 {
                guard word.magnitude <= UInt64(indexLimit) else { throw DecodingError.corrupt("a run of empty buckets past the end") }
                index += Int(word.magnitude)
            } else {
                if word > 0 {
                    guard index < indexLimit else { throw DecodingError.corrupt("a count past the highest trackable value") }
                    total += word.magnitude
                    guard total <= Self.maximumTotal else { throw DecodingError.corrupt("more than \(Self.maximumTotal) samples") }
                    _ = histogram.record(layout.value(at: index), count: word.magnitude)
                }
                index += 1
            }
        }
        return histogram
    }

    /// Where each value lives in HdrHistogram's counts array (the format's index space).
    struct IndexLayout {
        let unitMagnitude: Int
        let subBucketHalfCountMagnitude: Int
        var subBucketHalfCount: Int { 1 << subBucketHalfCountMagnitude }
        var subBucketMask: UInt64 { UInt64((1 << (subBucketHalfCountMagnitude + 1)) - 1) << unitMagnitude }

        init(lowest: UInt64, digits: Int8) {
            unitMagnitude = Int(Double(lowest).log2Floor)
            let largestSingleUnitResolution = 2 * Int(pow(10, Double(digits)))
            let subBucketCountMagnitude = Int(ceil(log2(Double(largestSingleUnitResolution))))
            subBucketHalfCountMagnitude = max(subBucketCountMagnitude, 1) - 1
        }

        func index(of value: UInt64) -> Int {
            let leadingZeroCountBase = 64 - unitMagnitude - (subBucketHalfCountMagnitude + 1)
            let bucket = leadingZeroCountBase - (value | subBucketMask).leadingZeroBitCount
            let subBucket = Int(value >> UInt64(bucket + unitMagnitude))
            return ((bucket + 1) << subBucketHalfCountMagnitude) + (subBucket - subBucketHalfCount)
        }

        func value(at index: Int) -> UInt64 {
            var bucket = (index >> subBucketHalfCountMagnitude) - 1
            var subBucket = (index & (subBucketHalfCount - 1)) + subBucketHalfCount
            if bucket < 0 {
                subBucket -= subBucketHalfCount
                bucket = 0
            }
            return UInt64(subBucket) << UInt64(bucket + unitMagnitude)
        }
    }

    // MARK: bytes

    private static func appendBigEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    private static func readBigEndian<T: FixedWidthInteger>(_: T.Type, _ bytes: [UInt8], at offset: Int) -> T {
        var value: T = 0
        for byte in bytes[offset..<(offset + MemoryLayout<T>.size)] { value = value << 8 | T(byte) }
        return value
    }

    /// ZigZag then LEB128, at most 9 bytes (the 9th carries 8 bits), as HdrHistogram writes it.
    private static func appendZigZag(_ value: Int64, to bytes: inout [UInt8]) {
        var remaining = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        for _ in 0..<8 {
            if remaining < 0x80 {
                bytes.append(UInt8(remaining))
                return
            }
            bytes.append(UInt8(remaining & 0x7F) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: remaining))
    }

    private static func readZigZag(_ bytes: [UInt8], at position: inout Int, end: Int) throws -> Int64 {
        var raw: UInt64 = 0
        var shift: UInt64 = 0
        for byteNumber in 0..<9 {
            guard position < end else { throw DecodingError.truncated }
            let byte = bytes[position]
            position += 1
            if byteNumber == 8 {
                raw |= UInt64(byte) << 56
                break
            }
            raw |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    private static func deflate(_ input: [UInt8]) -> [UInt8] {
        var length = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(length))
        let status = compress2(&output, &length, input, uLong(input.count), Z_DEFAULT_COMPRESSION)
        precondition(status == Z_OK, "zlib compress2 failed (\(status)) with an output buffer of compressBound")
        return Array(output.prefix(Int(length)))
    }

    private static func inflate(_ input: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        var status = inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw DecodingError.inflateFailed(status) }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var input = input
        return try input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = uInt(inputBuffer.count)
            repeat {
                status = chunk.withUnsafeMutableBufferPointer { chunkBuffer in
                    stream.next_out = chunkBuffer.baseAddress
                    stream.avail_out = uInt(chunkBuffer.count)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                guard status == Z_OK || status == Z_STREAM_END else { throw DecodingError.inflateFailed(status) }
                output += chunk.prefix(chunk.count - Int(stream.avail_out))
                // A V2 block is at most 40 bytes + 9 per bucket: refuse a "zip bomb" far past that.
                guard output.count <= 64 << 20 else { throw DecodingError.inflateFailed(Z_BUF_ERROR) }
            } while status != Z_STREAM_END && (stream.avail_in > 0 || stream.avail_out == 0)
            guard status == Z_STREAM_END else { throw DecodingError.truncated }
            return output
        }
    }
}

private extension Double {
    var log2Floor: Double { Foundation.floor(Foundation.log2(self)) }
}
