// swift-tools-version: 6.1
import PackageDescription
import Foundation

/// SwiftPM names a path dependency after its directory: the repository checkout's name.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

/// Microbenchmarks for tlsdrill's hot paths (ordo-one/benchmark). Kept in its own package so
/// `swift test` at the top level never builds it. Run: `swift package benchmark` in this directory.
let package = Package(
    name: "TLSDrillBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "TLSDrillBenchmarks",
            dependencies: [
                .product(name: "TLSDrill", package: root),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/TLSDrillBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
