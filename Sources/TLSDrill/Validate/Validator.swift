import Foundation

/// Runs a profile's expectations: gateway checks first, then a bounded number of attempts per cell.
public enum Validator {
    public static func run(_ profile: Profile, now: Date = Date(), progress: ((String) -> Void)? = nil) throws -> ValidationResult {
        var result = ValidationResult(profile: profile.path, checks: [], cells: [])
        result.checks += try IdentityChecks.minDaysLeft(profile, now: now)
        for target in profile.document.targets {
            let address = try TargetAddress.resolve(target.address)
            if let expectation = target.expectServer {
                progress?("checking gateway \(target.name)")
                result.checks += try GatewayChecks.run(expectation, target: target, address: address, now: now)
            }
            for version in target.tls {
                var runs: [RunResult] = []
                if profile.document.validate.underLoad {
                    progress?("\(target.name) TLS \(version.rawValue): all identities under load")
                    let (cells, run) = try cellsUnderLoad(target: target, address: address, version: version, profile: profile, now: now)
                    result.cells += cells
                    runs.append(run)
                } else {
                    for spec in profile.document.identities where spec.expect != nil {
                        progress?("\(target.name) TLS \(version.rawValue) \(spec.name)")
                        let (cell, run) = try cell(target: target, address: address, version: version, spec: spec,
                                                   validate: profile.document.validate, load: profile.document.load, now: now)
                        result.cells.append(cell)
                        runs.append(run)
                    }
                }
                if let combined = RunResult.combining(runs) {
                    let report = combined.report()
                    result.thresholds += profile.document.thresholds.map {
                        ValidationThreshold(target: target.name, tls: version.rawValue, result: $0.evaluate(report))
                    }
                }
            }
        }
        return result
    }

    /// One mixed run per target and version: every identity with an expectation, equal shares.
    private static func cellsUnderLoad(target: TargetSpec, address: TargetAddress, version: TLSVersionChoice, profile: Profile,
                                       now: Date) throws -> ([ValidationCell], RunResult) {
        let specs = profile.document.identities.filter { $0.expect != nil }
        let validate = profile.document.validate
        var settings = try settings(target: target, address: address, version: version, load: profile.document.load)
        settings.handshakes = validate.attempts * specs.count
        settings.concurrency = profile.document.load.concurrency ?? 50
        settings.workers = profile.document.load.workers ?? settings.workers
        let identities = try specs.map { WeightedIdentity(context: try ClientTLSContext(identity: try Profile.identity($0), settings: settings.tls)) }
        let result = try LoadRunner(settings: settings, identities: identities, validationTime: now).run()
        let cells = specs.map { spec in
            let counts = OutcomeClass.allCases.map { ($0, result.count($0, identity: spec.name)) }.filter { $0.1 > 0 }
            // Attempts split over workers can differ by one per identity: require only that each was exercised.
            return makeCell(target: target, version: version, spec: spec, counts: counts, expectedAttempts: nil, result: result)
        }
        return (cells, result)
    }

    private static func settings(target: TargetSpec, address: TargetAddress, version: TLSVersionChoice, load: LoadSpec) throws -> RunSettings {
        var settings = RunSettings(target: address)
        settings.tls = Profile.tlsSettings(target, version: version, address: address)
        settings.hostHeader = settings.tls.serverName ?? address.host
        settings.confirm = load.confirm ?? .http
        if let timeout = load.timeout {
            settings.connectTimeout = timeout
            settings.handshakeTimeout = timeout
            settings.verdictTimeout = timeout
        }
        return settings
    }

    private static func makeCell(target: TargetSpec, version: TLSVersionChoice, spec: IdentitySpec, counts: [(OutcomeClass, Int)],
                                 expectedAttempts: Int?, result: RunResult) -> ValidationCell {
        let expectation = spec.expect!
        var observed: [String: Int] = [:]
        for (outcome, count) in counts { observed[outcome.rawValue] = count }
        let attempts = counts.reduce(0) { $0 + $1.1 }
        let breaking = counts.first { !expectation.allows($0.0) }?.0
        var evidence: [String: [String: Int]] = [:]
        for (outcome, _) in counts {
            evidence[outcome.rawValue] = Dictionary(uniqueKeysWithValues: result.evidence(for: outcome, identity: spec.name))
        }
        return ValidationCell(target: target.name, tls: version.rawValue, identity: spec.name, expected: expectation.description,
                              observed: observed, attempts: attempts,
                              passed: attempts == (expectedAttempts ?? max(1, attempts)) && counts.allSatisfy { expectation.allows($0.0) },
                              evidence: evidence, failureEvidence: breaking.flatMap { result.evidence(for: $0, identity: spec.name).first?.0 })
    }

    private static func cell(target: TargetSpec, address: TargetAddress, version: TLSVersionChoice, spec: IdentitySpec,
                             validate: ValidateSpec, load: LoadSpec, now: Date) throws -> (ValidationCell, RunResult) {
        var settings = try settings(target: target, address: address, version: version, load: load)
        settings.handshakes = validate.attempts
        settings.concurrency = max(1, min(validate.concurrency, validate.attempts))
        settings.workers = 1
        let context = try ClientTLSContext(identity: try Profile.identity(spec), settings: settings.tls)
        let result = try LoadRunner(settings: settings, identities: [WeightedIdentity(context: context)], validationTime: now).run()
        return (makeCell(target: target, version: version, spec: spec, counts: result.outcomeCounts, expectedAttempts: validate.attempts, result: result), result)
    }
}

/// The gateway-level checks of `expect_server`.
enum GatewayChecks {
    static func run(_ expectation: ServerExpectationSpec, target: TargetSpec, address: TargetAddress, now: Date) throws -> [GatewayCheck] {
        var tls = Profile.tlsSettings(target, version: target.tls.first ?? .auto, address: address)
        if let name = expectation.name { tls.verifyName = name }
        let inspection: GatewayInspection
        do {
            inspection = try GatewayInspector.inspect(target: address, tls: tls, probeNoCertificate: expectation.clientCertRequired != nil, now: now)
        } catch let error as TLSDrillError {
            return [GatewayCheck(id: "reachable", target: target.name, name: "reachable", passed: false, detail: error.description)]
        }
        var checks: [GatewayCheck] = []
        func check(_ id: String, _ name: String, _ passed: Bool, _ detail: String) {
            checks.append(GatewayCheck(id: id, target: target.name, name: name, passed: passed, detail: detail))
        }
        let code = inspection.verificationCode
        check("chain-verifies", "served chain verifies", code == 0 || code == X509VerifyCode.hostnameMismatch || code == X509VerifyCode.ipAddressMismatch,
              code == 0 ? "chain verifies against \(target.ca ?? "the system store")" : inspection.verification)
        if let name = expectation.name {
            let matches = code != X509VerifyCode.hostnameMismatch && code != X509VerifyCode.ipAddressMismatch
            check("name-matches", "server SAN matches \(name)", matches, matches ? "leaf SANs: \(inspection.servedChain.first?.subjectAlternativeNames.joined(separator: ", ") ?? "")"
                                                                 : "leaf SANs: \(inspection.servedChain.first?.subjectAlternativeNames.joined(separator: ", ") ?? "none")")
        }
        if let uri = expectation.uri {
            let sans = inspection.servedChain.first?.subjectAlternativeNames ?? []
            check("uri-san", "server URI SAN \(uri)", sans.contains("URI:\(uri)"), "leaf SANs: \(sans.joined(separator: ", "))")
        }
        if let days = expectation.minDaysLeft {
            var levels = inspection.servedChain.enumerated().map { index, certificate in
                (index == 0 ? "leaf" : "intermediate", certificate)
            }
            if let anchor = anchor(for: inspection.servedChain.last, caFile: target.ca, now: now) { levels.append(("anchor", anchor)) }
            let short = levels.filter { $0.1.daysLeft < days }
            let detail = short.isEmpty
                ? "every level ≥ \(Int(days)) days (" + levels.map { "\($0.0) \(Int($0.1.daysLeft))d" }.joined(separator: ", ") + ")"
                : short.map { "\($0.0) \($0.1.subject) has \($0.1.daysLeft) days left" }.joined(separator: "; ")
            check("min-days-left", "served chain valid ≥ \(Int(days)) days at every level", short.isEmpty, detail)
        }
        if let required = expectation.clientCertRequired {
            let actual = inspection.clientCertificateRequired ?? false
            check("client-cert-required", required ? "client certificate required" : "client certificate optional", actual == required,
                  "a client without a certificate got \(inspection.noCertificateOutcome ?? "nothing")")
        }
        if !expectation.requestedCANamesInclude.isEmpty || !expectation.requestedCANamesExclude.isEmpty {
            let requested = Set(inspection.acceptableClientCANames)
            let listed = requested.isEmpty ? "none" : requested.sorted().joined(separator: " | ")
            for subject in expectation.requestedCANamesInclude.flatMap(subjects) {
                let present = requested.contains(subject)
                check("requested-ca-names", "CertificateRequest names \(subject)", present,
                      present ? "requested: \(listed)" : "the gateway does not ask for it; it asks for: \(listed)")
            }
            for subject in expectation.requestedCANamesExclude.flatMap(subjects) {
                let present = requested.contains(subject)
                check("omitted-ca-names", "CertificateRequest omits \(subject)", !present,
                      present ? "the gateway still asks for it (requested: \(listed))" : "requested: \(listed)")
            }
        }
        return checks
    }

    private static func subjects(_ file: String) -> [String] { (try? Certificate.loadPEMFile(file).map(\.subject)) ?? [] }

    /// The trust anchor in `caFile` that issued the last served certificate.
    private static func anchor(for last: ServedCertificate?, caFile: String?, now: Date) -> ServedCertificate? {
        guard let last, let caFile, let anchors = try? Certificate.loadPEMFile(caFile) else { return nil }
        guard last.subject != last.issuer else { return nil }
        return anchors.first { $0.subject == last.issuer }.map { ServedCertificate($0, now: now) }
    }
}
