import Foundation
import TLSDrill

/// One drill PKI for the whole test process, generated with the project's own PKI code.
enum TestPKI {
    static let shared: DrillPKI = {
        let directory = NSTemporaryDirectory() + "tlsdrill-tests-pki-\(getpid())"
        var options = DrillPKI.Options()
        options.spiffe = true
        return try! DrillPKI.create(at: directory, options: options)
    }()

    /// A scratch directory for one test.
    static func scratch(_ name: String) -> String {
        let path = NSTemporaryDirectory() + "tlsdrill-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
