import Foundation
import Yams

/// A problem in a profile, with the line it is on when known.
public struct ProfileIssue: Error, Equatable, Sendable {
    public var line: Int?
    public var message: String
}

/// Any key, for listing what a mapping holds.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension Decoder {
    /// Throws a `ProfileIssue` naming the line of the first key not in `allowed`.
    func rejectUnknownKeys(_ allowed: [String], in section: String) throws {
        let container = try self.container(keyedBy: AnyKey.self)
        for key in container.allKeys where !allowed.contains(key.stringValue) {
            let line = (try? container.superDecoder(forKey: key))?.mark?.line ?? mark?.line
            throw ProfileIssue(line: line, message: "unknown field '\(key.stringValue)' in \(section); allowed: \(allowed.joined(separator: ", "))")
        }
    }

    /// The line this value starts on.
    var line: Int? { mark?.line }
}

extension KeyedDecodingContainer {
    /// Decodes an optional duration string ("8s") into seconds, naming the line on a bad value.
    func decodeDuration(_ key: Key) throws -> TimeInterval? {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return nil }
        do {
            return try DurationText.parse(text, flag: key.stringValue)
        } catch {
            throw ProfileIssue(line: (try? superDecoder(forKey: key))?.mark?.line,
                               message: "\(key.stringValue): '\(text)' is not a duration; use e.g. 500ms, 8s, 2m or 1m30s")
        }
    }
}
