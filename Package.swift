// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "tlsdrill",
    products: [
        .library(name: "TLSDrill", targets: ["TLSDrill"]),
        .executable(name: "tlsdrill", targets: ["tlsdrill"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.82.0"),
        .package(url: "https://github.com/apple/swift-nio-http2", from: "1.46.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.0"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.0"),
    ],
    targets: [
        /// libssl/libcrypto from the system (Debian: libssl-dev).
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        /// zlib from the system (Debian: zlib1g-dev), for HdrHistogram's compressed V2 encoding.
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        /// C wrappers for the OpenSSL macros Swift cannot import, epoll, and the handshake message observer.
        .target(
            name: "CTLSDrillShims",
            dependencies: ["COpenSSL"]
        ),
        .target(
            name: "TLSDrill",
            dependencies: [
                "COpenSSL",
                "CTLSDrillShims",
                "CZlib",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "FlyingFox", package: "FlyingFox"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "tlsdrill",
            dependencies: [
                "TLSDrill",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "TLSDrillTests",
            dependencies: [
                "TLSDrill",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
