// swift-tools-version: 6.0
// libFuzzer targets for every parser that reads bytes from a peer or a user. A nested package, so
// `swift test` never builds it; `Tests/Fuzz/run.sh SECONDS` builds it with -sanitize=fuzzer,address and runs each.
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its directory: the repository checkout's name.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "tlsdrill-fuzz",
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(
            name: "tlsdrill-fuzz",
            dependencies: [.product(name: "TLSDrill", package: root)],
            path: "Sources",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
