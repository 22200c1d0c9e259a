import Foundation
import TLSDrill

/// Writes profiles next to a copy of the test PKI so relative paths resolve like the shipped examples.
enum ProfileFixtures {
    /// A directory holding `drill-pki/` (the test PKI) and `profiles/`.
    static let root: String = {
        let root = TestPKI.scratch("profiles")
        try! FileManager.default.createSymbolicLink(atPath: root + "/drill-pki", withDestinationPath: TestPKI.shared.directory)
        try! FileManager.default.createDirectory(atPath: root + "/profiles", withIntermediateDirectories: true)
        return root
    }()

    /// Writes `text` as `profiles/NAME.yaml`, replacing each `PORT_n` placeholder.
    static func write(_ name: String, _ text: String, ports: [UInt16] = []) throws -> String {
        var body = text
        for (index, port) in ports.enumerated() { body = body.replacingOccurrences(of: "PORT_\(index)", with: "\(port)") }
        let path = root + "/profiles/\(name).yaml"
        try body.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A shipped example from the repository's `profiles/`, with its fixed ports replaced.
    static func shipped(_ name: String, ports: [String: UInt16]) throws -> String {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        var text = try String(contentsOf: repository.appendingPathComponent("profiles/\(name).yaml"), encoding: .utf8)
        for (old, port) in ports { text = text.replacingOccurrences(of: old, with: "127.0.0.1:\(port)") }
        return try write(name, text)
    }
}
