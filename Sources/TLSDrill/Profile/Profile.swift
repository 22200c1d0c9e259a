import Foundation
import Yams

/// A loaded profile: decoded strictly, paths resolved against the profile's directory, files checked.
public struct Profile: Sendable {
    public let path: String
    public var document: ProfileDocument

    /// Loads and checks `path`; every problem is a `TLSDrillError.profile` naming the line.
    public static func load(_ path: String) throws -> Profile {
        let data = try PEMFile.read(path)
        let text = String(decoding: data, as: UTF8.self)
        var document: ProfileDocument
        do {
            document = try YAMLDecoder().decode(ProfileDocument.self, from: text)
        } catch {
            throw ProfileLines.describe(error, path: path, text: text)
        }
        document.targets = try document.targets.map { try resolvedTarget($0, profile: path) }
        document.identities = try document.identities.map { try resolvedIdentity($0, profile: path) }
        let total = document.identities.map(\.weight).reduce(0, +)
        if document.identities.count > 1 && !(abs(total - 100) < 0.5 || abs(total - 1) < 0.001 || document.identities.allSatisfy { $0.weight == 1 }) {
            throw TLSDrillError.profile(path: path, line: document.identities.first?.line,
                                        message: "identity weights sum to \(total); make them sum to 100 (percent) or 1 (fractions)")
        }
        guard total > 0 else {
            throw TLSDrillError.profile(path: path, line: document.identities.first?.line, message: "every identity has weight 0; give at least one a positive weight")
        }
        return Profile(path: path, document: document)
    }

    private static func resolve(_ file: String?, profile: String) -> String? {
        file.map { ProfilePaths.resolve($0, profile: profile) }
    }

    private static func requireReadable(_ file: String?, profile: String, line: Int?) throws {
        guard let file else { return }
        guard FileManager.default.isReadableFile(atPath: file) else {
            throw TLSDrillError.profile(path: profile, line: line, message: "\(file): no such readable file (paths are relative to the profile)")
        }
    }

    private static func resolvedTarget(_ spec: TargetSpec, profile: String) throws -> TargetSpec {
        var target = spec
        target.ca = resolve(target.ca, profile: profile)
        try requireReadable(target.ca, profile: profile, line: target.line)
        if var expectation = target.expectServer {
            expectation.requestedCANamesInclude = expectation.requestedCANamesInclude.map { ProfilePaths.resolve($0, profile: profile) }
            expectation.requestedCANamesExclude = expectation.requestedCANamesExclude.map { ProfilePaths.resolve($0, profile: profile) }
            for file in expectation.requestedCANamesInclude + expectation.requestedCANamesExclude {
                try requireReadable(file, profile: profile, line: target.line)
            }
            target.expectServer = expectation
        }
        return target
    }

    private static func resolvedIdentity(_ spec: IdentitySpec, profile: String) throws -> IdentitySpec {
        let cert = resolve(spec.cert, profile: profile)
        let key = resolve(spec.key, profile: profile)
        let chain = resolve(spec.chain, profile: profile)
        try requireReadable(cert, profile: profile, line: spec.line)
        try requireReadable(key, profile: profile, line: spec.line)
        try requireReadable(chain, profile: profile, line: spec.line)
        var identity = spec
        identity.cert = cert
        identity.key = key
        identity.chain = chain
        return identity
    }

    /// The target with this name, or the first when nil.
    public func target(named name: String?) throws -> TargetSpec {
        guard let name else { return document.targets[0] }
        guard let target = document.targets.first(where: { $0.name == name }) else {
            throw TLSDrillError.invalidOption(flag: "--target-name", value: name,
                                              expected: "not in \(path); targets: \(document.targets.map(\.name).joined(separator: ", "))")
        }
        return target
    }

    /// Loads one identity's credentials.
    public static func identity(_ spec: IdentitySpec) throws -> ClientIdentity {
        if spec.none { return .noCertificate(name: spec.name) }
        return try ClientIdentity.load(name: spec.name, certPath: spec.cert!, keyPath: spec.key!, chainPath: spec.chain)
    }

    /// Client TLS settings for a target under one TLS version.
    public static func tlsSettings(_ target: TargetSpec, version: TLSVersionChoice, address: TargetAddress) -> ClientTLSSettings {
        var settings = ClientTLSSettings()
        settings.version = version
        settings.caFile = target.ca
        settings.insecure = target.insecure
        settings.serverName = target.sni ?? (IPAddressText.isIPAddress(address.host) ? nil : address.host)
        settings.verifyName = target.verifyName ?? target.sni ?? address.host
        settings.alpn = target.alpn
        return settings
    }
}

/// Maps decoding errors back to profile lines.
enum ProfileLines {
    /// One `TLSDrillError.profile` for anything the YAML decoder threw (Yams wraps our own issues).
    static func describe(_ error: Error, path: String, text: String) -> TLSDrillError {
        switch error {
        case let issue as ProfileIssue:
            return .profile(path: path, line: issue.line, message: issue.message)
        case let yaml as YamlError:
            let description = yaml.description
            let line = description.split(separator: ":").first.flatMap { Int($0) }
            let problem = (description.split(separator: "\n").first.map(String.init) ?? description)
                .split(separator: ":").dropFirst(2).joined(separator: ":").trimmingCharacters(in: .whitespaces)
            return .profile(path: path, line: line, message: "malformed YAML: \(problem.isEmpty ? description : problem)")
        case DecodingError.dataCorrupted(let context) where context.underlyingError != nil:
            return describe(context.underlyingError!, path: path, text: text)
        case let decoding as DecodingError:
            return .profile(path: path, line: line(of: decoding, in: text), message: message(decoding))
        default:
            return .profile(path: path, line: nil, message: "\(error)")
        }
    }

    static func line(of error: DecodingError, in text: String) -> Int? {
        let path: [CodingKey]
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): path = context.codingPath
        case .keyNotFound(_, let context): path = context.codingPath
        @unknown default: return nil
        }
        guard var node = try? Yams.compose(yaml: text) else { return nil }
        for key in path {
            if let index = key.intValue, let sequence = node.sequence, index < sequence.count {
                node = sequence[index]
            } else if let child = node[key.stringValue] {
                node = child
            } else {
                break
            }
        }
        return node.mark?.line
    }

    static func message(_ error: DecodingError) -> String {
        func where_(_ path: [CodingKey]) -> String { path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field '\(key.stringValue)'" + (context.codingPath.isEmpty ? "" : " in \(where_(context.codingPath))")
        case .typeMismatch(let type, let context):
            return "\(where_(context.codingPath)): expected \(type == String.self ? "text" : "\(type)".lowercased())"
        case .valueNotFound(_, let context):
            return "\(where_(context.codingPath)): value missing"
        case .dataCorrupted(let context):
            return "\(where_(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
