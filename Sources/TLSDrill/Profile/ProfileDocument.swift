import Foundation

/// A profile as written in YAML (paths still relative to the profile file).
public struct ProfileDocument: Decodable, Sendable {
    public var targets: [TargetSpec]
    public var identities: [IdentitySpec]
    public var load: LoadSpec
    public var validate: ValidateSpec
    public var rotation: RotationSpec?
    /// Pass/fail rules for `run PROFILE` and `validate` (parsed at load; a bad one names its line).
    public var thresholds: [Threshold]

    private enum Keys: String, CodingKey, CaseIterable { case targets, identities, load, validate, rotation, thresholds, description }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(Keys.allCases.map(\.rawValue), in: "the profile")
        let container = try decoder.container(keyedBy: Keys.self)
        targets = try container.decode([TargetSpec].self, forKey: .targets)
        identities = try container.decode([IdentitySpec].self, forKey: .identities)
        load = try container.decodeIfPresent(LoadSpec.self, forKey: .load) ?? LoadSpec()
        validate = try container.decodeIfPresent(ValidateSpec.self, forKey: .validate) ?? ValidateSpec()
        rotation = try container.decodeIfPresent(RotationSpec.self, forKey: .rotation)
        let expressions = try container.decodeIfPresent([String].self, forKey: .thresholds) ?? []
        let thresholdsLine = (try? container.superDecoder(forKey: .thresholds))?.mark?.line
        thresholds = try expressions.map { expression in
            do { return try Threshold.parse(expression, source: "thresholds") } catch let error as TLSDrillError {
                throw ProfileIssue(line: thresholdsLine, message: error.description)
            }
        }
        var seen = Set<String>()
        for identity in identities where !seen.insert(identity.name).inserted {
            throw ProfileIssue(line: identity.line, message: "identity '\(identity.name)' is named twice; give each identity its own name")
        }
        guard !targets.isEmpty else { throw ProfileIssue(line: decoder.line, message: "targets: needs at least one target") }
        guard !identities.isEmpty else { throw ProfileIssue(line: decoder.line, message: "identities: needs at least one identity") }
    }
}

/// One gateway to drill.
public struct TargetSpec: Decodable, Sendable {
    public var name: String
    public var address: String
    public var sni: String?
    public var verifyName: String?
    public var alpn: [String]
    /// TLS versions to run under (`auto`, `1.2`, `1.3`, or a list).
    public var tls: [TLSVersionChoice]
    /// Trust bundle for the server's chain.
    public var ca: String?
    public var insecure: Bool
    public var expectServer: ServerExpectationSpec?
    public var line: Int?

    private enum Keys: String, CodingKey, CaseIterable {
        case name, address, sni, alpn, tls, ca, insecure
        case verifyName = "verify_name", expectServer = "expect_server"
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(Keys.allCases.map(\.rawValue), in: "a target")
        let container = try decoder.container(keyedBy: Keys.self)
        line = decoder.line
        address = try container.decode(String.self, forKey: .address)
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? address
        sni = try container.decodeIfPresent(String.self, forKey: .sni)
        verifyName = try container.decodeIfPresent(String.self, forKey: .verifyName)
        alpn = try container.decodeIfPresent([String].self, forKey: .alpn) ?? []
        let versions: [String]
        if let one = try? container.decode(String.self, forKey: .tls) { versions = [one] } else {
            versions = try container.decodeIfPresent([String].self, forKey: .tls) ?? ["auto"]
        }
        tls = try versions.map { text in
            guard let version = TLSVersionChoice(rawValue: text) else {
                throw ProfileIssue(line: (try? container.superDecoder(forKey: .tls))?.mark?.line,
                                   message: "tls: '\(text)' — use auto, \"1.2\" or \"1.3\"")
            }
            return version
        }
        ca = try container.decodeIfPresent(String.self, forKey: .ca)
        insecure = try container.decodeIfPresent(Bool.self, forKey: .insecure) ?? false
        expectServer = try container.decodeIfPresent(ServerExpectationSpec.self, forKey: .expectServer)
    }
}

/// Gateway-level checks validation makes before any load.
public struct ServerExpectationSpec: Decodable, Sendable {
    /// DNS name (or IP) the served leaf must match.
    public var name: String?
    /// URI SAN (e.g. SPIFFE ID) the served leaf must carry.
    public var uri: String?
    /// Every certificate of the served chain (and its anchor in `ca`) must be valid this many more days.
    public var minDaysLeft: Double?
    /// The gateway must refuse a client without a certificate.
    public var clientCertRequired: Bool?
    /// PEM files whose subjects must / must not be among the CA names the CertificateRequest lists.
    public var requestedCANamesInclude: [String]
    public var requestedCANamesExclude: [String]

    private enum Keys: String, CodingKey, CaseIterable {
        case name, uri
        case minDaysLeft = "min_days_left", clientCertRequired = "client_cert_required", requestedCANames = "requested_ca_names"
    }
    private enum NameKeys: String, CodingKey, CaseIterable { case include, exclude }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(Keys.allCases.map(\.rawValue), in: "expect_server")
        let container = try decoder.container(keyedBy: Keys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        uri = try container.decodeIfPresent(String.self, forKey: .uri)
        minDaysLeft = try container.decodeIfPresent(Double.self, forKey: .minDaysLeft)
        clientCertRequired = try container.decodeIfPresent(Bool.self, forKey: .clientCertRequired)
        requestedCANamesInclude = []
        requestedCANamesExclude = []
        if container.contains(.requestedCANames) {
            let names = try container.superDecoder(forKey: .requestedCANames)
            try names.rejectUnknownKeys(NameKeys.allCases.map(\.rawValue), in: "requested_ca_names")
            let inner = try names.container(keyedBy: NameKeys.self)
            requestedCANamesInclude = try inner.decodeIfPresent([String].self, forKey: .include) ?? []
            requestedCANamesExclude = try inner.decodeIfPresent([String].self, forKey: .exclude) ?? []
        }
    }
}

/// One client identity (or `none: true` for no certificate).
public struct IdentitySpec: Decodable, Sendable {
    public var name: String
    public var cert: String?
    public var key: String?
    public var chain: String?
    public var none: Bool
    public var weight: Double
    public var expect: Expectation?
    /// `validate`: every certificate this identity presents must stay valid this many more days
    /// (overrides `validate.min_days_left`).
    public var minDaysLeft: Double?
    /// Share of this identity's attempts that resume a session (overrides `--resume`).
    public var resume: Double?
    public var line: Int?

    private enum Keys: String, CodingKey, CaseIterable { case name, cert, key, chain, none, weight, expect, resume, minDaysLeft = "min_days_left" }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(Keys.allCases.map(\.rawValue), in: "an identity")
        let container = try decoder.container(keyedBy: Keys.self)
        line = decoder.line
        name = try container.decode(String.self, forKey: .name)
        cert = try container.decodeIfPresent(String.self, forKey: .cert)
        key = try container.decodeIfPresent(String.self, forKey: .key)
        chain = try container.decodeIfPresent(String.self, forKey: .chain)
        none = try container.decodeIfPresent(Bool.self, forKey: .none) ?? false
        weight = try container.decodeIfPresent(Double.self, forKey: .weight) ?? 1
        expect = try container.decodeIfPresent(Expectation.self, forKey: .expect)
        minDaysLeft = try container.decodeIfPresent(Double.self, forKey: .minDaysLeft)
        resume = try container.decodeIfPresent(Double.self, forKey: .resume)
        if let resume, !(0...1).contains(resume) { throw ProfileIssue(line: line, message: "identity '\(name)': resume must be from 0 to 1") }
        if none && (cert != nil || key != nil) {
            throw ProfileIssue(line: line, message: "identity '\(name)': 'none: true' cannot have cert/key")
        }
        if !none && (cert == nil || key == nil) {
            throw ProfileIssue(line: line, message: "identity '\(name)': needs cert and key (or 'none: true' for no certificate)")
        }
        guard weight.isFinite, weight >= 0, weight <= 1_000_000 else {
            throw ProfileIssue(line: line, message: "identity '\(name)': weight must be from 0 to 1000000")
        }
    }
}

/// How to load the target (`tlsdrill run PROFILE`); flags override each field.
public struct LoadSpec: Decodable, Sendable {
    public var concurrency: Int?
    public var rate: Double?
    public var duration: TimeInterval?
    public var handshakes: Int?
    public var confirm: ConfirmMode?
    public var workers: Int?
    public var interval: TimeInterval?
    public var timeout: TimeInterval?
    public var hold: TimeInterval?
    public var resume: Double?

    private enum Keys: String, CodingKey, CaseIterable { case concurrency, rate, duration, handshakes, confirm, workers, interval, timeout, hold, resume }

    public init() {}

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(Keys.allCases.map(\.rawValue), in: "load")
        let container = try decoder.container(keyedBy: Keys.self)
        concurrency = try container.decodeIfPresent(Int.self, forKey: .concurrency)
        rate = try container.decodeIfPresent(Double.self, forKey: .rate)
        duration = try container.decodeDuration(.duration)
        handshakes = try container.decodeIfPresent(Int.self, forKey: .handshakes)
        if let text = try container.decodeIfPresent(String.self, forKey: .confirm) {
            guard let mode = ConfirmMode(rawValue: text) else {
                throw ProfileIssue(line: (try? container.superDecoder(forKey: .confirm))?.mark?.line, message: "confirm: '\(text)' — use http, read or none")
            }
            confirm = mode
        }
        workers = try container.decodeIfPresent(Int.self, forKey: .workers)
        interval = try container.decodeDuration(.interval)
        timeout = try container.decodeDuration(.timeout)
        hold = try container.decodeDuration(.hold)
        resume = try container.decodeIfPresent(Double.self, forKey: .resume)
    }
}

/// How `tlsdrill validate` samples each cell.
public struct ValidateSpec: Decodable, Sendable {
    /// Attempts per identity per target per TLS version.
    public var attempts = 20
    /// Attempts in flight per cell.
    public var concurrency = 4
    /// Run all identities of a target together as one mixed load (at `load.concurrency`) instead of cell by cell.
    public var underLoad = false
    /// Every certificate each identity presents must stay valid this many more days.
    public var minDaysLeft: Double?

    private enum Keys: String, CodingKey, CaseIterable { case attempts, concurrency, underLoad = "under_load", minDaysLeft = "min_days_left" }

    public init() {}

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(Keys.allCases.map(\.rawValue), in: "validate")
        let container = try decoder.container(keyedBy: Keys.self)
        attempts = try container.decodeIfPresent(Int.self, forKey: .attempts) ?? 20
        concurrency = try container.decodeIfPresent(Int.self, forKey: .concurrency) ?? 4
        underLoad = try container.decodeIfPresent(Bool.self, forKey: .underLoad) ?? false
        minDaysLeft = try container.decodeIfPresent(Double.self, forKey: .minDaysLeft)
    }
}
