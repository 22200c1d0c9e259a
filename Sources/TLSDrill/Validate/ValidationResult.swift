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
    /// The most frequent evidence for a class that broke the expectation.
    public var evidence: String?

    /// "20/20 accepted" or "3/100 client-cert-unknown-ca, 97/100 accepted".
    public var observedText: String {
        observed.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
            .map { "\($0.value)/\(attempts) \($0.key)" }.joined(separator: ", ")
    }
}

/// A gateway-level check (served chain days left, SAN, client certificate required, CA names).
public struct GatewayCheck: Codable, Sendable {
    public var target: String
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
    public var passed: Bool { checks.allSatisfy(\.passed) && cells.allSatisfy(\.passed) }

    /// JUnit XML: one test suite per target, one test case per check and per cell.
    public func junitXML() -> String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        var targets: [String] = []
        for name in checks.map(\.target) + cells.map(\.target) where !targets.contains(name) { targets.append(name) }
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let failures = checks.filter { !$0.passed }.count + cells.filter { !$0.passed }.count
        xml += "<testsuites name=\"tlsdrill validate\" tests=\"\(checks.count + cells.count)\" failures=\"\(failures)\">\n"
        for target in targets {
            let targetChecks = checks.filter { $0.target == target }
            let targetCells = cells.filter { $0.target == target }
            let targetFailures = targetChecks.filter { !$0.passed }.count + targetCells.filter { !$0.passed }.count
            xml += "  <testsuite name=\"\(escape(target))\" tests=\"\(targetChecks.count + targetCells.count)\" failures=\"\(targetFailures)\">\n"
            for check in targetChecks {
                xml += "    <testcase classname=\"\(escape(target)).gateway\" name=\"\(escape(check.name))\""
                xml += check.passed ? "/>\n" : ">\n      <failure message=\"\(escape(check.detail))\"/>\n    </testcase>\n"
            }
            for cell in targetCells {
                xml += "    <testcase classname=\"\(escape(target)).tls\(escape(cell.tls))\" name=\"\(escape(cell.identity)): \(escape(cell.expected))\""
                let message = "expected \(cell.expected), observed \(cell.observedText)" + (cell.evidence.map { " (\($0))" } ?? "")
                xml += cell.passed ? "/>\n" : ">\n      <failure message=\"\(escape(message))\"/>\n    </testcase>\n"
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
        out += "  " + TerminalReport.pad("target", 16) + TerminalReport.pad("tls", 6) + TerminalReport.pad("identity", 30)
            + TerminalReport.pad("expected", 34) + "observed\n"
        for cell in cells {
            out += "  " + TerminalReport.pad(cell.target, 16) + TerminalReport.pad(cell.tls, 6) + TerminalReport.pad(cell.identity, 30)
                + TerminalReport.pad(cell.expected, 34) + cell.observedText + "  " + (cell.passed ? "PASS" : "FAIL")
            if !cell.passed, let evidence = cell.evidence { out += "  (\(evidence))" }
            out += "\n"
        }
        let failedCells = cells.filter { !$0.passed }.count
        let failedChecks = checks.filter { !$0.passed }.count
        out += "\n  " + (passed ? "PASS: \(cells.count) cells and \(checks.count) gateway checks hold"
                                : "FAIL: \(failedCells) of \(cells.count) cells and \(failedChecks) of \(checks.count) gateway checks do not hold") + "\n"
        return out
    }
}
