import Foundation
import TLSDrill

/// One drill PKI for the whole test process, generated with the project's own PKI code. It and every
/// scratch directory live under one per-process directory that is removed when the test process exits.
enum TestPKI {
    /// `/tmp/tlsdrill-tests-PID`, created on first use.
    static let root: String = {
        let path = rootPath(of: getpid())
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: TestPKI.rootPath(of: getpid())) }
        return path
    }()

    static let shared: DrillPKI = {
        var options = DrillPKI.Options()
        options.spiffe = true
        return try! DrillPKI.create(at: root + "/pki", options: options)
    }()

    /// A scratch directory for one test.
    static func scratch(_ name: String) -> String {
        let path = root + "/\(name)-\(UInt32.random(in: 0...UInt32.max))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private static func rootPath(of pid: pid_t) -> String { NSTemporaryDirectory() + "tlsdrill-tests-\(pid)" }
}
