import Foundation

/// One cell of the expectation matrix: a target under one TLS version, one identity.
public struct ValidationCell: Codable, Sendable {
    public var target: String
    public var tls: String
    public var identity: String
    public var expected: String
    /// class id → count
    public var observed: [String: Int]
    public var attempts: Int
    public var passed: Bool
    /// What was observed: class id → evidence text → count (passing cells too).
    public var evidence: [String: [String: Int]]
    /// The most frequent evidence for a class that broke the expectation.
    public var failureEvidence: String?

    /// "20/20 accepted" or "3/100 client-cert-unknown-ca, 97/100 accepted".
    public var observedText: String {
        observed.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
            .map { "\($0.value)/\(attempts) \($0.key)" }.joined(separator: ", ")
    }
}

/// A gateway-level check (served chain days left, SAN, client certificate required, CA names), or a
/// local check of an identity's chain (`identity-min-days-left`).
public struct GatewayCheck: Codable, Sendable {
    /// Stable id of the kind of check: `reachable`, `chain-verifies`, `name-matches`, `uri-san`,
    /// `min-days-left`, `client-cert-required`, `requested-ca-names`, `omitted-ca-names`, `identity-min-days-left`.
    public var id: String
    /// The gateway, or `identities` for local identity checks.
    public var target: String
    /// Human text (may change between versions; match on `id`).
    public var name: String
    public var passed: Bool
    public var detail: String
}

/// Everything `tlsdrill validate` found.
public struct ValidationResult: Codable, Sendable {
    public var schema = "tlsdrill.validation/v1"
    public var profile: String
    public var checks: [GatewayCheck]
    public var cells: [ValidationCell]
    /// Each threshold per target × TLS version, over all of that run's cells.
    public var thresholds: [ValidationThreshold] = []
    public var passed: Bool { checks.allSatisfy(\.passed) && cells.allSatisfy(\.passed) && thresholds.allSatisfy(\.result.passed) }

    /// JUnit XML: one test suite per target, one test case per check and per cell.
    public func junitXML() -> String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        var targets: [String] = []
        for name in checks.map(\.target) + cells.map(\.target) + thresholds.map(\.target) where !targets.contains(name) { targets.append(name) }
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let failures = checks.filter { !$0.passed }.count + cells.filter { !$0.passed }.count + thresholds.filter { !$0.result.passed }.count
        xml += "<testsuites name=\"tlsdrill validate\" tests=\"\(checks.count + cells.count + thresholds.count)\" failures=\"\(failures)\">\n"
        for target in targets {
            let targetChecks = checks.filter { $0.target == target }
            let targetCells = cells.filter { $0.target == target }
            let targetThresholds = thresholds.filter { $0.target == target }
            let targetFailures = targetChecks.filter { !$0.passed }.count + targetCells.filter { !$0.passed }.count
                + targetThresholds.filter { !$0.result.passed }.count
            let tests = targetChecks.count + targetCells.count + targetThresholds.count
            xml += "  <testsuite name=\"\(escape(target))\" tests=\"\(tests)\" failures=\"\(targetFailures)\">\n"
            for check in targetChecks {
                xml += "    <testcase classname=\"\(escape(target)).\(escape(check.id))\" name=\"\(escape(check.name))\""
                xml += check.passed ? "/>\n" : ">\n      <failure message=\"\(escape(check.detail))\"/>\n    </testcase>\n"
            }
            for cell in targetCells {
                xml += "    <testcase classname=\"\(escape(target)).tls\(escape(cell.tls))\" name=\"\(escape(cell.identity)): \(escape(cell.expected))\""
                let message = "expected \(cell.expected), observed \(cell.observedText)" + (cell.failureEvidence.map { " (\($0))" } ?? "")
                xml += cell.passed ? "/>\n" : ">\n      <failure message=\"\(escape(message))\"/>\n    </testcase>\n"
            }
            for threshold in targetThresholds {
                xml += "    <testcase classname=\"\(escape(target)).tls\(escape(threshold.tls)).threshold\" name=\"\(escape(threshold.result.expr))\""
                let message = "observed \(threshold.result.observedText)"
                xml += threshold.result.passed ? "/>\n" : ">\n      <failure message=\"\(escape(message))\"/>\n    </testcase>\n"
            }
            xml += "  </testsuite>\n"
        }
        return xml + "</testsuites>\n"
    }

    /// The matrix and checks as text.
    public func render() -> String {
        var out = ""
        for check in checks {
            out += "  \(check.passed ? "PASS" : "FAIL")  \(check.target)  \(check.name): \(check.detail)\n"
        }
        if !checks.isEmpty { out += "\n" }
        // Columns as wide as their longest entry, so long expectations never push the verdict off the table.
        let widths = [("target", cells.map(\.target)), ("tls", cells.map(\.tls)), ("identity", cells.map(\.identity)),
                      ("expected", cells.map(\.expected))].map { header, values in (values + [header]).map(\.count).max()! + 2 }
        out += "  " + zip(["target", "tls", "identity", "expected"], widths).map { TerminalReport.pad($0, $1) }.joined() + "observed\n"
        for cell in cells {
            out += "  " + zip([cell.target, cell.tls, cell.identity, cell.expected], widths).map { TerminalReport.pad($0, $1) }.joined()
                + cell.observedText + "  " + (cell.passed ? "PASS" : "FAIL")
            if !cell.passed, let evidence = cell.failureEvidence { out += "  (\(evidence))" }
            out += "\n"
        }
        if !thresholds.isEmpty { out += "\n  Thresholds\n" }
        for threshold in thresholds {
            out += "    \(threshold.result.passed ? "✓" : "✗") " + TerminalReport.pad("\(threshold.target) TLS \(threshold.tls)", 22)
                + TerminalReport.pad(threshold.result.expr, 44) + " observed \(threshold.result.observedText)\n"
        }
        let failedCells = cells.filter { !$0.passed }.count
        let failedChecks = checks.filter { !$0.passed }.count
        let failedThresholds = thresholds.filter { !$0.result.passed }.count
        let thresholdText = thresholds.isEmpty ? "" : " and \(thresholds.count) thresholds"
        out += "\n  " + (passed ? "PASS: \(cells.count) cells, \(checks.count) checks" + thresholdText + " hold"
                                : "FAIL: \(failedCells) of \(cells.count) cells, \(failedChecks) of \(checks.count) checks"
                                    + (thresholds.isEmpty ? "" : " and \(failedThresholds) of \(thresholds.count) thresholds") + " do not hold") + "\n"
        return out
    }
}

/// One threshold's verdict on one target × TLS version of a validation.
public struct ValidationThreshold: Codable, Sendable {
    public var target: String
    public var tls: String
    public var result: ThresholdResult
}
