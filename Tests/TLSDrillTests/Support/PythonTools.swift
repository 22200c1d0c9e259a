import Foundation

/// The Python tools some tests check against (HdrHistogram's Python port, kubernetes-validate), in the
/// virtualenv `scripts/test-deps` makes at `.build/test-python`.
enum PythonTools {
    static var root: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
    }

    static var python: String { root + "/.build/test-python/bin/python3" }

    /// Whether the virtualenv has `module`.
    static func has(_ module: String) -> Bool {
        guard FileManager.default.isExecutableFile(atPath: python) else { return false }
        return (try? run(["-c", "import \(module)"]).status) == 0
    }

    /// Runs the virtualenv's python with `arguments`.
    static func run(_ arguments: [String]) throws -> CLI.Output {
        try CLI.run(arguments, executable: python)
    }
}
