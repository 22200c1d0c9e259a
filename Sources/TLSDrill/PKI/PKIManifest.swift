import Foundation

/// What each file of a drill PKI is (`manifest.json`, schema `tlsdrill.pki/v1`).
public struct PKIManifest: Codable, Sendable {
    public var schema = "tlsdrill.pki/v1"
    public var createdAt: Date
    public var algorithm: String
    public var generations: [String]
    public var entries: [PKIEntry]

    /// The entry with this name.
    public func entry(_ name: String) -> PKIEntry? { entries.first { $0.name == name } }
}

/// One credential or bundle of a drill PKI. Paths are relative to the PKI directory.
public struct PKIEntry: Codable, Sendable, Equatable {
    public enum Role: String, Codable, Sendable {
        case root, intermediate, trustBundle = "trust-bundle", client, server
    }
    public var name: String
    public var role: Role
    public var generation: String?
    /// nil for a sound credential; otherwise what is wrong with it on purpose.
    public var defect: String?
    /// PEM: the certificate followed by its intermediates (leaves), or the bundle.
    public var cert: String
    public var key: String?
    public var description: String
    /// For client leaves: the class a gateway trusting this generation's root should produce.
    public var expect: String?
}
