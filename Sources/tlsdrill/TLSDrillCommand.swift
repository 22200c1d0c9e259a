import ArgumentParser
import Foundation
import TLSDrill

@main
struct TLSDrillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tlsdrill",
        abstract: "Hammer mTLS gateways with concurrent handshakes and say exactly why each rejected one failed.",
        discussion: ExitStatus.helpText,
        version: TLSDrillVersion.line,
        subcommands: [DemoCommand.self, RunCommand.self, ValidateCommand.self, InspectCommand.self, ServeCommand.self, DrillCommand.self, MergeCommand.self, PKICommand.self, ClassesCommand.self])

    /// ArgumentParser's own usage errors exit 64; the policy says 2 for every kind of bad input, in one line.
    static func main() {
        // The block cache trades ~6 KB per live TLS connection (its block headers and classes) for cheaper handshakes:
        // right for the load-generating client, not for a gateway holding thousands of connections.
        if CommandLine.arguments.dropFirst().first != "serve" { OpenSSLAllocator.install() }  // before anything calls OpenSSL
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            exit(withError: code)
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }  // --help, --version
            FileHandle.standardError.write(Data("tlsdrill: error: \(message(for: error)) (see --help)\n".utf8))
            Foundation.exit(ExitStatus.badInput.rawValue)
        }
    }
}
