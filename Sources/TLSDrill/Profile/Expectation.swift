import Foundation

/// What validation expects of an identity: `accept`, or `reject: CLASS` / `reject: [CLASS, ...]`.
public enum Expectation: Equatable, Sendable, Decodable, CustomStringConvertible {
    case accept
    case reject(Set<OutcomeClass>)

    /// Whether an observed class satisfies the expectation.
    public func allows(_ outcome: OutcomeClass) -> Bool {
        switch self {
        case .accept: outcome == .accepted
        case .reject(let classes): classes.contains(outcome)
        }
    }

    public var description: String {
        switch self {
        case .accept: "accept"
        case .reject(let classes): "reject: " + classes.sorted().map(\.rawValue).joined(separator: "|")
        }
    }

    private enum Keys: String, CodingKey { case reject }

    public init(from decoder: Decoder) throws {
        if let word = try? decoder.singleValueContainer().decode(String.self) {
            guard word == "accept" else {
                throw ProfileIssue(line: decoder.line, message: "expect: '\(word)' — use 'accept' or 'reject: CLASS' (or a list of classes)")
            }
            self = .accept
            return
        }
        try decoder.rejectUnknownKeys(["reject"], in: "expect")
        let container = try decoder.container(keyedBy: Keys.self)
        let names: [String]
        if let one = try? container.decode(String.self, forKey: .reject) {
            names = [one]
        } else {
            names = try container.decode([String].self, forKey: .reject)
        }
        var classes = Set<OutcomeClass>()
        for name in names {
            guard let outcome = OutcomeClass(rawValue: name) else {
                throw ProfileIssue(line: (try? container.superDecoder(forKey: .reject))?.mark?.line,
                                   message: "expect: '\(name)' is not a class; `tlsdrill classes` lists them")
            }
            classes.insert(outcome)
        }
        self = .reject(classes)
    }
}
