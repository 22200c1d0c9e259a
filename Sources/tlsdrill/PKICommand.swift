import ArgumentParser
import Foundation
import TLSDrill

/// `tlsdrill pki ...`
struct PKICommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pki", abstract: "Generate drill PKIs.",
                                                    subcommands: [PKIInitCommand.self])
}

/// `tlsdrill pki init DIR`
struct PKIInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write CA generations, client and server leaves (valid and defective), trust bundles and a manifest into DIR.",
        discussion: ExitStatus.helpText)

    @Argument(help: "Directory to write (created if missing).")
    var directory: String

    @Option(help: "Comma-separated CA generation names.")
    var generations = "gen1,gen2"

    @Option(help: "Key algorithm: ecdsa-p256 or rsa-2048.")
    var algorithm = "ecdsa-p256"

    @Flag(help: "Add SPIFFE URI SANs (spiffe://TRUST-DOMAIN/ns/drill/sa/client) to client leaves.")
    var spiffe = false

    @Option(help: "SPIFFE trust domain.")
    var trustDomain = "cluster.local"

    @Option(help: "Comma-separated DNS names / IPs server leaves are valid for.")
    var serverNames = "localhost,127.0.0.1,::1"

    @Option(help: "Days until the intermediate CAs expire (e.g. 30 to rehearse an expiring intermediate).")
    var intermediateDays = 1825

    @Flag(help: "Replace an existing drill PKI in DIR (its CA keys included).")
    var force = false

    func run() throws {
        try reportingFailures {
            var options = DrillPKI.Options()
            options.generations = generations.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            options.algorithm = try choice(algorithm, flag: "--algorithm")
            options.spiffe = spiffe
            options.overwrite = force
            options.trustDomain = trustDomain
            options.serverNames = serverNames.split(separator: ",").map(String.init)
            try OptionRange.check(intermediateDays, flag: "--intermediate-days", in: 1...36_500)
            options.intermediateValidityDays = Double(intermediateDays)
            let pki = try DrillPKI.create(at: directory, options: options)
            print("wrote \(pki.manifest.entries.count) credentials to \(directory) (manifest.json lists them):")
            for entry in pki.manifest.entries {
                let name = entry.name.padding(toLength: 34, withPad: " ", startingAt: 0)
                print("  \(name) \(entry.cert.padding(toLength: 34, withPad: " ", startingAt: 0)) \(entry.description)")
            }
        }
    }
}
