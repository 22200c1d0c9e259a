import Foundation
internal import COpenSSL

/// What a report needs to be matched to gateway logs and dashboards: when, with what, from where, how.
public struct RunMetadata: Codable, Sendable, Equatable {
    /// RFC 3339 UTC with milliseconds.
    public var startedAt: String
    public var endedAt: String
    public var tlsdrillVersion: String
    public var opensslVersion: String
    public var hostname: String
    /// The full command line, one element per argument.
    public var commandLine: [String]
    /// The profile the run used, if any.
    public var profile: ProfileFingerprint?

    /// Metadata for a run between two wall-clock instants, from this process.
    public static func current(startedAt: Date, endedAt: Date) -> RunMetadata {
        RunMetadata(startedAt: Timestamp.rfc3339(startedAt), endedAt: Timestamp.rfc3339(endedAt), tlsdrillVersion: TLSDrillVersion.current,
                    opensslVersion: TLSDrillVersion.openSSL, hostname: ProcessInfo.processInfo.hostName,
                    commandLine: CommandLine.arguments, profile: nil)
    }
}

/// A profile's path and the SHA-256 of its bytes.
public struct ProfileFingerprint: Codable, Sendable, Equatable {
    public var path: String
    public var sha256: String

    /// Hashes the file at `path` (already read once by the profile loader).
    public static func of(_ path: String) -> ProfileFingerprint? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        var digest = [UInt8](repeating: 0, count: 32)
        let ok = data.withUnsafeBytes { bytes in
            digest.withUnsafeMutableBufferPointer { out in
                EVP_Digest(bytes.baseAddress, bytes.count, out.baseAddress, nil, EVP_sha256(), nil)
            }
        }
        guard ok == 1 else { return nil }
        return ProfileFingerprint(path: path, sha256: digest.map { String(format: "%02x", $0) }.joined())
    }
}

/// tlsdrill's own version and the OpenSSL it runs on.
public enum TLSDrillVersion {
    /// The package version (bumped with each release).
    public static let current = "0.11.0"
    /// OpenSSL's version string as the running library reports it.
    public static var openSSL: String { String(cString: OpenSSL_version(OPENSSL_VERSION)) }
    /// `tlsdrill --version`.
    public static var line: String { "tlsdrill \(current) (\(openSSL))" }
}

/// RFC 3339 timestamps (UTC, milliseconds) and their parsing.
public enum Timestamp {
    public static func rfc3339(_ date: Date) -> String { rfc3339Style.format(date) }

    /// A value type made once (an `ISO8601DateFormatter` costs ~80 µs to make; a report writes one stamp per
    /// timeline second). Milliseconds are truncated, never rounded up into the next second.
    private static let rfc3339Style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// `2027-02-20 17:58Z`: certificate dates as a person reads them.
    public static func minute(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm'Z'"
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return formatter.string(from: date)
    }

    /// Parses RFC 3339 with or without fractional seconds.
    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
