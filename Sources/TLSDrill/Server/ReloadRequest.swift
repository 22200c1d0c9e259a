/// A reload expressed as `key=value` overrides of the settings in force:
/// `cert=PATH key=PATH chain=PATH trust=PATH[,PATH] client-auth=MODE reject=MODE allow-san=A[,B]`.
/// With no overrides, the same paths are re-read (a rotated file on disk is picked up).
public struct ReloadRequest: Sendable, Equatable {
    public var overrides: [String: String] = [:]

    public init(overrides: [String: String] = [:]) { self.overrides = overrides }

    /// Parses whitespace- or newline-separated `key=value` words; `#` starts a comment to the end of the line.
    public static func parse(_ text: String) throws -> ReloadRequest {
        var overrides: [String: String] = [:]
        let uncommented = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "" }
            .joined(separator: " ")
        for word in uncommented.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            guard let equals = word.firstIndex(of: "="), Self.keys.contains(String(word[..<equals])) else {
                throw TLSDrillError.invalidOption(flag: "reload", value: String(word),
                                                  expected: "expected key=value with key one of \(Self.keys.sorted().joined(separator: ", "))")
            }
            overrides[String(word[..<equals])] = String(word[word.index(after: equals)...])
        }
        return ReloadRequest(overrides: overrides)
    }

    static let keys: Set<String> = ["cert", "key", "chain", "trust", "client-auth", "reject", "allow-san", "rotate-ticket-keys"]

    /// The settings in force with the overrides applied.
    public func applied(to base: ServerTLSSettings) throws -> ServerTLSSettings {
        var settings = base
        for (key, value) in overrides {
            switch key {
            case "cert": settings.certFile = value
            case "key": settings.keyFile = value
            case "chain": settings.chainFile = value.isEmpty ? nil : value
            case "trust": settings.trustFiles = value.split(separator: ",").map(String.init)
            case "client-auth":
                guard let mode = ClientAuthMode(rawValue: value) else {
                    throw TLSDrillError.invalidOption(flag: "client-auth", value: value, expected: "use require, optional or none")
                }
                settings.clientAuth = mode
            case "reject":
                guard let mode = RejectMode(rawValue: value) else {
                    throw TLSDrillError.invalidOption(flag: "reject", value: value, expected: "use alert, generic-alert or http")
                }
                settings.reject = mode
            case "allow-san": settings.allowedClientSANs = value.split(separator: ",").map(String.init)
            case "rotate-ticket-keys":
                guard value == "yes" || value == "no" else {
                    throw TLSDrillError.invalidOption(flag: "rotate-ticket-keys", value: value, expected: "use yes or no")
                }
                settings.rotateTicketKeys = value == "yes"
            default: break
            }
        }
        return settings
    }
}
