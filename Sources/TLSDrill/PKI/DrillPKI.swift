import Foundation

/// Builds a drill PKI on disk: CA generations (root → intermediate), leaves with chosen defects, trust
/// bundles and a manifest. Tests use it for their fixtures; `tlsdrill pki init` exposes it.
public struct DrillPKI: Sendable {
    /// Options for `create`.
    public struct Options: Sendable {
        public var generations = ["gen1", "gen2"]
        public var algorithm: PrivateKey.Algorithm = .ecdsaP256
        /// Add SPIFFE URI SANs to client leaves (spiffe://TRUST-DOMAIN/ns/drill/sa/client).
        public var spiffe = false
        public var trustDomain = "cluster.local"
        /// DNS names and IPs server leaves are valid for.
        public var serverNames = ["localhost", "127.0.0.1", "::1"]
        /// The clock validity windows are set against (injectable for tests).
        public var now = Date()
        /// Days until the intermediates expire (short values model the 90-day-TTL incident).
        public var intermediateValidityDays = 1825.0
        /// Replace an existing PKI (its CA keys included) in the directory.
        public var overwrite = false
        public init() {}
    }

    public let directory: String
    public let manifest: PKIManifest

    /// Absolute path of a manifest-relative file.
    public func path(_ relative: String) -> String { (directory as NSString).appendingPathComponent(relative) }

    /// Absolute certificate path of the named entry.
    public func cert(_ name: String) -> String { path(manifest.entry(name)!.cert) }
    /// Absolute key path of the named entry.
    public func key(_ name: String) -> String { path(manifest.entry(name)!.key!) }

    /// Loads a PKI written earlier.
    public static func open(_ directory: String) throws -> DrillPKI {
        let manifestPath = (directory as NSString).appendingPathComponent("manifest.json")
        let data = try PEMFile.read(manifestPath)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return DrillPKI(directory: directory, manifest: try decoder.decode(PKIManifest.self, from: data))
    }

    /// Generates every credential into `directory` (created if needed).
    public static func create(at directory: String, options: Options = Options()) throws -> DrillPKI {
        for generation in options.generations {
            let allowed = generation.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0) }
            guard !generation.isEmpty, allowed, generation != ".", generation != "..", !["trust", "self-signed"].contains(generation) else {
                throw TLSDrillError.invalidOption(flag: "--generations", value: generation,
                                                  expected: "a generation name is letters, digits, '.', '_' or '-' (no path separators; not trust or self-signed)")
            }
        }
        if !options.overwrite && FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent("manifest.json")) {
            throw TLSDrillError.invalidOption(flag: "pki init", value: directory,
                                              expected: "already holds a drill PKI (CA keys included); pass --force to replace it")
        }
        var writer = try PKIWriter(directory: directory, options: options)
        var generationRoots: [String] = []
        for generation in options.generations {
            let ca = try writer.writeGeneration(generation)
            generationRoots.append(ca.rootPath)
            try writer.writeLeaves(generation: generation, ca: ca)
        }
        try writer.writeSelfSigned()
        try writer.writeBundle(name: options.generations.joined(separator: "+"), files: generationRoots)
        let manifest = PKIManifest(createdAt: options.now, algorithm: options.algorithm.rawValue, generations: options.generations,
                                   entries: writer.entries)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try writer.write(String(decoding: try encoder.encode(manifest), as: UTF8.self) + "\n", to: "manifest.json")
        return DrillPKI(directory: directory, manifest: manifest)
    }
}
