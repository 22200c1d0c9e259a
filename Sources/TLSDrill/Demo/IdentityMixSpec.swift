/// A population written as `name=weight,name=weight` (names from a drill PKI's manifest, or `no-cert`).
public struct IdentityMixSpec: Sendable, Equatable {
    public var entries: [(name: String, weight: Double)]

    public static func == (lhs: IdentityMixSpec, rhs: IdentityMixSpec) -> Bool {
        lhs.entries.map(\.name) == rhs.entries.map(\.name) && lhs.entries.map(\.weight) == rhs.entries.map(\.weight)
    }

    /// The demo's default: mostly valid gen1 clients, a few of each failure.
    public static let demoDefault = try! parse("gen1-client=80,gen2-client=5,gen1-client-expired=5,gen1-client-serverauth-only=5,no-cert=5", flag: "--mix")

    public static func parse(_ text: String, flag: String) throws -> IdentityMixSpec {
        var entries: [(String, Double)] = []
        for part in text.split(separator: ",") {
            let pieces = part.split(separator: "=", maxSplits: 1)
            guard pieces.count == 2, let weight = Double(pieces[1]), weight >= 0, weight <= 1_000_000 else {
                throw TLSDrillError.invalidOption(flag: flag, value: String(part), expected: "expected NAME=WEIGHT with a weight from 0 to 1000000, e.g. gen1-client=80,no-cert=5")
            }
            guard !entries.contains(where: { $0.0 == pieces[0] }) else {
                throw TLSDrillError.invalidOption(flag: flag, value: String(pieces[0]), expected: "named twice; give each identity one weight")
            }
            entries.append((String(pieces[0]), weight))
        }
        guard !entries.isEmpty, entries.contains(where: { $0.1 > 0 }) else {
            throw TLSDrillError.invalidOption(flag: flag, value: text, expected: "needs at least one identity with a positive weight")
        }
        return IdentityMixSpec(entries: entries)
    }

    /// Loads each named identity from `pki`.
    public func identities(from pki: DrillPKI, flag: String) throws -> [(ClientIdentity, Double)] {
        try entries.filter { $0.weight > 0 }.map { name, weight in
            if name == "no-cert" { return (.noCertificate(), weight) }
            guard let entry = pki.manifest.entry(name), entry.role == .client, let key = entry.key else {
                let known = pki.manifest.entries.filter { $0.role == .client }.map(\.name) + ["no-cert"]
                throw TLSDrillError.invalidOption(flag: flag, value: name, expected: "unknown identity; use one of \(known.joined(separator: ", "))")
            }
            return (try ClientIdentity.load(name: name, certPath: pki.path(entry.cert), keyPath: pki.path(key)), weight)
        }
    }
}
