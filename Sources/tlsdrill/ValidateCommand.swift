import ArgumentParser
import Foundation
import TLSDrill

/// `tlsdrill validate PROFILE`: prove every identity is accepted or rejected for the right reason.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a profile's expectations (gateway checks, then target × TLS × identity cells); exit 0 only if all hold.",
        discussion: ExitStatus.helpText)

    @Argument(help: "Profile (YAML) with expectations.")
    var profile: String

    @Option(help: "Write JUnit XML (one test case per gateway check and per cell).")
    var junit: String?

    @Option(help: "Write the results as JSON (schema tlsdrill.validation/v1).")
    var json: String?

    @Option(help: "Attempts per cell (overrides the profile's validate.attempts).")
    var attempts: Int?

    @Flag(help: "No progress lines on stderr.")
    var quiet = false

    @Option(help: "Forecast instead of testing: evaluate every local fact (identity chains, served chains, trust anchors) as of this instant, +30d or RFC 3339, and list what would change.")
    var at: String?

    func run() throws {
        if let at { return try forecast(at) }
        let result = try reportingFailures { () -> ValidationResult in
            try OutputPaths.checkFile(junit, flag: "--junit")
            try OutputPaths.checkFile(json, flag: "--json")
            var loaded = try Profile.load(profile)
            if let attempts {
                guard attempts > 0 else { throw TLSDrillError.invalidOption(flag: "--attempts", value: "\(attempts)", expected: "must be at least 1") }
                loaded.document.validate.attempts = attempts
            }
            let result = try Validator.run(loaded, progress: quiet ? nil : { FileHandle.standardError.write(Data("validate: \($0)\n".utf8)) })
            do {
                if let junit { try result.junitXML().write(toFile: junit, atomically: true, encoding: .utf8) }
                if let json { try JSONOutput.write(result, to: json) }
            } catch {
                throw TLSDrillError.io(path: junit ?? json ?? "", reason: "cannot write (\(error.localizedDescription))")
            }
            return result
        }
        print("tlsdrill validate \(profile)\n")
        print(result.render(), terminator: "")
        if !result.passed { throw ExitCode(ExitStatus.failed.rawValue) }
    }

    private func forecast(_ text: String) throws {
        let forecast = try reportingFailures { () -> ValidationForecast in
            try OutputPaths.checkFile(json, flag: "--json")
            let now = Date()
            let instant = try ValidationForecast.instant(text, now: now)
            let forecast = try ValidationForecast.make(try Profile.load(profile), at: instant, now: now)
            if let json {
                do { try JSONOutput.write(forecast, to: json) } catch {
                    throw TLSDrillError.io(path: json, reason: "cannot write (\(error.localizedDescription))")
                }
            }
            return forecast
        }
        print("tlsdrill validate \(profile) --at \(text)\n")
        print(forecast.render(), terminator: "")
        if !forecast.passed { throw ExitCode(ExitStatus.failed.rawValue) }
    }
}
