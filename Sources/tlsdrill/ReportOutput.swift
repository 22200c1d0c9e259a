import Foundation
import TLSDrill

/// The end of every load command: the terminal report's verdict blocks, then the report files (written
/// after the screen, so a write that fails loses nothing shown).
enum ReportOutput {
    /// Prints the rotation and threshold blocks of `report`.
    static func printVerdicts(_ report: RunReport) {
        if let rotation = report.rotation { print(rotation.render(steps: report.steps ?? []), terminator: "") }
        print((report.thresholds ?? []).render(), terminator: "")
    }

    /// Writes the JSON and HTML reports asked for, saying where; `extra` writes anything else first.
    static func write(_ report: RunReport, json: String?, html: String?, extra: () throws -> Void = {}) throws {
        try reportingFailures {
            if let json {
                try report.write(to: json)
                print("  JSON report: \(json)")
            }
            try extra()
            if let html {
                try HTMLReport.write(report, to: html)
                print("  HTML report: \(html)")
            }
        }
    }
}
