import Foundation

/// One control-socket request, parsed: `stats`, or `reload [key=value ...]` (also the SIGHUP and
/// watched-file paths). Pure, so it can be fuzzed and unit-tested without a gateway.
public enum ControlCommand: Equatable, Sendable {
    case stats
    case reload(ReloadRequest)

    /// The command in `request`, or a one-line reason it is not one.
    public static func parse(_ request: String) -> Result<ControlCommand, ControlCommandError> {
        let trimmed = request.trimmingCharacters(in: .whitespacesAndNewlines)
        let firstLine = trimmed.prefix { $0 != "\n" }
        if firstLine == "stats" { return .success(.stats) }
        guard firstLine == "reload" || firstLine.hasPrefix("reload ") || trimmed.hasPrefix("reload\n") else {
            return .failure(ControlCommandError(reason: "unknown command; use 'reload [key=value ...]' or 'stats'"))
        }
        do {
            return .success(.reload(try ReloadRequest.parse(String(trimmed.dropFirst("reload".count)))))
        } catch {
            return .failure(ControlCommandError(reason: ControlEndpoint.publicReason(error)))
        }
    }
}

/// Why a control request was not understood.
public struct ControlCommandError: Error, Equatable, Sendable {
    public var reason: String
}
