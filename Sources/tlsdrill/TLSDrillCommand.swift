import ArgumentParser
import TLSDrill

@main
struct TLSDrillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tlsdrill",
        abstract: "Hammer mTLS gateways with concurrent handshakes and say exactly why each rejected one failed.",
        subcommands: [DemoCommand.self, RunCommand.self, ValidateCommand.self, InspectCommand.self, ServeCommand.self, DrillCommand.self, PKICommand.self, ClassesCommand.self])
}
