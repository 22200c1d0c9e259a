import Foundation

/// `tlsdrill validate PROFILE --at WHEN`: every local fact — each identity's presented chain, each
/// gateway's served chain (read by one probe now) and its trust anchor in `ca` — evaluated as of a
/// future instant. Lists what will be expired or not yet valid then, and which cells would change
/// class. No traffic is sent "as of the future": the gateways' own trust stores cannot be seen.
public struct ValidationForecast: Codable, Sendable {
    /// Something that is expired or not yet valid at the forecast instant.
    public struct Finding: Codable, Sendable, Equatable {
        /// `identity NAME`, `target NAME served chain` or `target NAME anchor`.
        public var owner: String
        /// `leaf`, `intermediate` or `anchor`.
        public var role: String
        public var subject: String
        /// `expires` or `not-yet-valid`.
        public var kind: String
        /// When it happens (RFC 3339): notAfter for `expires`, notBefore for `not-yet-valid`.
        public var date: String
        /// Already so now (not a change, but still true then).
        public var alreadyNow: Bool
    }

    /// A cell whose class would change by the forecast instant.
    public struct CellChange: Codable, Sendable, Equatable {
        public var target: String
        public var identity: String
        public var expected: String
        /// The class it would get.
        public var forecastClass: String
        /// From when (RFC 3339).
        public var from: String
        public var cause: String
        /// The new class breaks the cell's expectation.
        public var wouldFail: Bool
    }

    public var schema = "tlsdrill.forecast/v1"
    public var profile: String
    public var now: String
    public var at: String
    public var note = "local facts only: identity chains, served chains seen now and trust anchors in 'ca'; no traffic is sent as of the future"
    public var findings: [Finding]
    public var changes: [CellChange]
    /// Gateways that could not be probed (their served chains are not in the forecast).
    public var unreachable: [String]
    public var passed: Bool { changes.allSatisfy { !$0.wouldFail } }

    /// Builds the forecast (one probe per target, now, to read its served chain).
    public static func make(_ profile: Profile, at: Date, now: Date = Date()) throws -> ValidationForecast {
        var findings: [Finding] = []
        var changes: [CellChange] = []
        var unreachable: [String] = []
        var identityChange: [String: (date: Date, cause: String)] = [:]
        for spec in profile.document.identities where !spec.none {
            for level in try PresentedChain.load(spec) {
                let (finding, change) = judge(level.certificate, role: level.role, owner: "identity \(spec.name)", now: now, at: at)
                if let finding { findings.append(finding) }
                if let change, change.date < (identityChange[spec.name]?.date ?? .distantFuture) { identityChange[spec.name] = change }
            }
        }
        for target in profile.document.targets {
            var serverChange: (date: Date, cause: String)?
            do {
                let address = try TargetAddress.resolve(target.address)
                let tls = Profile.tlsSettings(target, version: target.tls.first ?? .auto, address: address)
                let inspection = try GatewayInspector.inspect(target: address, tls: tls, probeNoCertificate: false, now: now)
                var levels = inspection.servedChain.enumerated().map { ($0.offset == 0 ? "leaf" : "intermediate", $0.element) }
                if let last = inspection.servedChain.last, let caFile = target.ca, last.subject != last.issuer,
                   let anchor = (try? Certificate.loadPEMFile(caFile))?.first(where: { $0.subject == last.issuer }) {
                    levels.append(("anchor", ServedCertificate(anchor, now: now)))
                }
                for (role, served) in levels {
                    let owner = role == "anchor" ? "target \(target.name) anchor" : "target \(target.name) served chain"
                    let (finding, change) = judge(notBefore: served.notBefore, notAfter: served.notAfter, subject: served.subject,
                                                  role: role, owner: owner, now: now, at: at)
                    if let finding { findings.append(finding) }
                    if let change, change.date < (serverChange?.date ?? .distantFuture) { serverChange = change }
                }
            } catch let error as TLSDrillError {
                unreachable.append("\(target.name): \(error.description)")
            }
            for spec in profile.document.identities {
                guard let expectation = spec.expect else { continue }
                let forecast: (OutcomeClass, Date, String)?
                if let serverChange {
                    forecast = (.serverCertExpired, serverChange.date, serverChange.cause)
                } else if let change = identityChange[spec.name] {
                    forecast = (.clientCertExpired, change.date, change.cause)
                } else {
                    forecast = nil
                }
                guard let (outcome, date, cause) = forecast else { continue }
                changes.append(CellChange(target: target.name, identity: spec.name, expected: expectation.description,
                                          forecastClass: outcome.rawValue, from: Timestamp.rfc3339(date), cause: cause,
                                          wouldFail: !expectation.allows(outcome)))
            }
        }
        return ValidationForecast(profile: profile.path, now: Timestamp.rfc3339(now), at: Timestamp.rfc3339(at),
                                  findings: findings, changes: changes, unreachable: unreachable)
    }

    private static func judge(_ certificate: Certificate, role: String, owner: String, now: Date, at: Date)
        -> (Finding?, (date: Date, cause: String)?) {
        judge(notBefore: certificate.notBefore, notAfter: certificate.notAfter, subject: certificate.subject, role: role, owner: owner, now: now, at: at)
    }

    /// What one certificate means at `at`: a finding when it is expired or not yet valid then, and a
    /// change when it is valid now but expired then.
    private static func judge(notBefore: Date, notAfter: Date, subject: String, role: String, owner: String, now: Date, at: Date)
        -> (Finding?, (date: Date, cause: String)?) {
        if notAfter < at {
            let finding = Finding(owner: owner, role: role, subject: subject, kind: "expires", date: Timestamp.rfc3339(notAfter), alreadyNow: notAfter < now)
            let change = notAfter >= now ? (notAfter, "\(role) \(subject) expires") : nil
            return (finding, change)
        }
        if notBefore > at {
            return (Finding(owner: owner, role: role, subject: subject, kind: "not-yet-valid", date: Timestamp.rfc3339(notBefore), alreadyNow: true), nil)
        }
        return (nil, nil)
    }

    /// `+30d`, `+12h` (from `now`) or an RFC 3339 time, for `--at`.
    public static func instant(_ text: String, now: Date = Date()) throws -> Date {
        if text.hasPrefix("+") {
            return now.addingTimeInterval(try DurationText.parse(String(text.dropFirst()), flag: "--at"))
        }
        guard let date = Timestamp.parse(text) else {
            throw TLSDrillError.invalidOption(flag: "--at", value: text, expected: "use +30d, +12h or an RFC 3339 time such as 2027-02-20T18:00:00Z")
        }
        return date
    }

    /// The forecast as text.
    public func render() -> String {
        var out = "  Forecast as of \(at) (now \(now)): \(note).\n"
        for problem in unreachable { out += "  unreachable, served chain not forecast: \(problem)\n" }
        if findings.isEmpty { out += "\n  Nothing presented, served or trusted is expired or not yet valid then.\n" }
        for finding in findings {
            let when = finding.kind == "expires" ? "expires \(finding.date)" : "not valid until \(finding.date)"
            out += "  \(finding.alreadyNow ? "already" : "will be") \(finding.kind == "expires" ? "expired" : "not yet valid"): "
                + "\(finding.owner) \(finding.role) \(finding.subject) (\(when))\n"
        }
        if !changes.isEmpty { out += "\n" }
        for change in changes {
            out += "  \(change.wouldFail ? "FAIL" : "ok  ")  \(change.target): \(change.identity) → \(change.forecastClass) from \(change.from): "
                + "\(change.cause) (expected \(change.expected))\n"
        }
        let failing = changes.filter(\.wouldFail).count
        out += "\n  " + (passed ? "PASS: no cell would break its expectation by \(at)" : "FAIL: \(failing) cell\(failing == 1 ? "" : "s") would break \(failing == 1 ? "its" : "their") expectation by \(at)") + "\n"
        return out
    }
}
