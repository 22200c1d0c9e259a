import ArgumentParser
import TLSDrill

/// `tlsdrill classes`: the outcome classes and what each means.
struct ClassesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "classes", abstract: "List the outcome classes and what each means.")

    func run() {
        for outcome in OutcomeClass.allCases {
            print(outcome.rawValue.padding(toLength: 32, withPad: " ", startingAt: 0) + outcome.meaning)
        }
    }
}
