import Foundation
import Yams

/// Every parser that reads bytes from a peer or a user, as a libFuzzer entry point (`Tests/Fuzz`).
/// Each must return for any input: errors are fine, traps are findings.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// The HTTP/1.1 reply a gateway sends (status and nginx's 400 page titles).
    case httpVerdict = "http-verdict"
    /// The HTTP/2 frames a gateway sends (HPACK-coded :status, DATA pages, GOAWAY, RST_STREAM).
    case http2Verdict = "http2-verdict"
    /// A control-socket request line.
    case controlCommand = "control-command"
    /// A `--reload-from` file.
    case reloadFile = "reload-file"
    /// A duration flag (`--duration`, `--timeout`, profile durations).
    case duration
    /// A `--threshold` expression.
    case threshold
    /// A profile (YAML).
    case profile
    /// A report's histogram (HdrHistogram compressed V2, base64), as `tlsdrill merge` reads it; also the raw
    /// bytes behind the base64.
    case histogram

    /// Feeds `data` to the target's parser.
    public func run(_ data: UnsafeRawBufferPointer) {
        let text = String(decoding: data, as: UTF8.self)
        switch self {
        case .httpVerdict:
            _ = HTTPVerdictParser.parse(data, complete: false)
            _ = HTTPVerdictParser.parse(data, complete: true)
        case .http2Verdict:
            _ = HTTP2VerdictParser.parse(data, complete: false)
            _ = HTTP2VerdictParser.parse(data, complete: true)
        case .controlCommand:
            _ = ControlCommand.parse(text)
        case .reloadFile:
            if let request = try? ReloadRequest.parse(text) { _ = try? request.applied(to: ServerTLSSettings(certFile: "c", keyFile: "k")) }
        case .duration:
            if let seconds = try? DurationText.parse(text, flag: "--fuzz") { _ = try? OptionRange.check(seconds, flag: "--fuzz", in: OptionRange.timeout) }
        case .threshold:
            _ = try? Threshold.parse(text)
        case .profile:
            do { _ = try YAMLDecoder().decode(ProfileDocument.self, from: text) } catch { _ = ProfileLines.describe(error, path: "fuzz.yaml", text: text) }
        case .histogram:
            for candidate in [text, Data(data).base64EncodedString()] {
                if let decoded = try? HistogramCodec.decode(candidate) { _ = RunResult.summary(decoded) }
            }
        }
    }
}
