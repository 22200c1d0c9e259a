import ArgumentParser
import Foundation
import TLSDrill

/// `tlsdrill inspect HOST:PORT`: what a gateway serves and asks for, in one command.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a gateway's TLS parameters, served chain (days left per certificate), verification, and client-certificate policy.",
        discussion: ExitStatus.helpText)

    @Argument(help: "Gateway, HOST:PORT.")
    var target: String

    @Option(help: "SNI to send (default: the host unless it is an IP).")
    var sni: String?

    @Option(help: "Name the server certificate should match (default: --sni, else the host).")
    var verifyName: String?

    @Option(help: "PEM CA bundle to verify the served chain against (default: system store).")
    var ca: String?

    @Option(help: "TLS versions: auto, 1.2 or 1.3.")
    var tls = "auto"

    @Option(help: "Comma-separated ALPN protocols to offer.")
    var alpn: String?

    @Option(help: "Write the inspection as JSON.")
    var json: String?

    @Option(help: "Timeout for each step.")
    var timeout = "5s"

    func run() throws {
        let inspection = try reportingFailures { () -> GatewayInspection in
            try OutputPaths.checkFile(json, flag: "--json")
            let address = try TargetAddress.resolve(target)
            var settings = ClientTLSSettings.defaults(for: address)
            settings.version = try choice(tls, flag: "--tls")
            settings.caFile = ca
            if let sni { settings.serverName = sni; settings.verifyName = sni }
            if let verifyName { settings.verifyName = verifyName }
            settings.alpn = alpn.map { $0.split(separator: ",").map(String.init) } ?? []
            let inspection = try GatewayInspector.inspect(target: address, tls: settings, timeout: try DurationText.parse(timeout, flag: "--timeout", in: OptionRange.timeout))
            if let json {
                do { try JSONOutput.write(inspection, to: json) } catch {
                    throw TLSDrillError.io(path: json, reason: "cannot write (\(error.localizedDescription))")
                }
            }
            return inspection
        }
        print(InspectionText.render(inspection), terminator: "")
    }
}
