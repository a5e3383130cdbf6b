// swift-tools-version:6.0
import PackageDescription

// Layering (imports point down only), see docs/architecture.md:
//   executables (printedged, printedge, printedge-sim, printedge-bench)
//   PrintEdgeDaemon           printer actors, jobs, telemetry, control socket, HTTP listener (metrics), services
//   PrintEdgeAgent            stream sessions: drive the core over a port
//   PrintEdgeControl          the control socket's JSON-lines messages and client; the strict JSON parser (JSONValue)
//   PrintEdgeSerial, PrintEdgeSimulator, PrintEdgeStore   adapters: the only code doing I/O
//   PrintEdgeConfig           the TOML configuration and printer profiles, typed
//   PrintEdgeCalibration      sans-I/O: calibration output parsers, sessions, mesh analysis and images
//   PrintEdgeCore             sans-I/O: G-code lines, replies, flow control, analysis
//   PrintEdgeMQTT, PrintEdgeUSB, PrintEdgeGPIO            adapters: libmosquitto, libudev + sysfs, GPIO uAPI v2
//   CSerial, CGPIO            termios2 / GPIO ioctl shims; CMosquitto, CUdev, CCurl: system libraries
let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "printedge",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "printedge", targets: ["printedge"]),
        .executable(name: "printedge-sim", targets: ["printedge-sim"]),
        .executable(name: "printedge-bench", targets: ["printedge-bench"]),
        .executable(name: "printedged", targets: ["printedged"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // The HTTP listener (/metrics, /healthz): no SwiftNIO, a poll thread of its own;
        // see docs/metrics.md for why this one and what it costs.
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .target(name: "CSerial"),
        .target(name: "CGPIO"),
        .systemLibrary(name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),
        .systemLibrary(name: "CUdev", pkgConfig: "libudev", providers: [.apt(["libudev-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "PrintEdgeCore", swiftSettings: strict),
        .target(name: "PrintEdgeSerial", dependencies: ["CSerial", "PrintEdgeCore"], swiftSettings: strict),
        .target(name: "PrintEdgeSimulator", dependencies: ["PrintEdgeCore", "PrintEdgeSerial"], swiftSettings: strict),
        .target(name: "PrintEdgeAgent", dependencies: ["PrintEdgeCore", "PrintEdgeSerial"], swiftSettings: strict),
        .target(name: "PrintEdgeFixtures", dependencies: ["PrintEdgeCore"], swiftSettings: strict),
        .target(name: "PrintEdgeConfig", dependencies: ["PrintEdgeCore"], swiftSettings: strict),
        .target(name: "PrintEdgeCalibration", dependencies: ["PrintEdgeCore"], swiftSettings: strict),
        .target(
            name: "PrintEdgeStore",
            dependencies: ["PrintEdgeCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict),
        .target(name: "PrintEdgeControl", dependencies: ["PrintEdgeCore"], swiftSettings: strict),
        .target(name: "PrintEdgeMQTT", dependencies: ["CMosquitto"], swiftSettings: strict),
        .target(name: "PrintEdgeUSB", dependencies: ["CUdev"], swiftSettings: strict),
        .target(name: "PrintEdgeGPIO", dependencies: ["CGPIO"], swiftSettings: strict),
        .target(
            name: "PrintEdgeDaemon",
            dependencies: [
                "PrintEdgeAgent", "PrintEdgeConfig", "PrintEdgeStore", "PrintEdgeControl", "PrintEdgeMQTT", "PrintEdgeUSB", "PrintEdgeGPIO", "CCurl",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "printedged",
            dependencies: ["PrintEdgeDaemon", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),
        .executableTarget(
            name: "printedge",
            dependencies: [
                "PrintEdgeAgent", "PrintEdgeControl", "PrintEdgeConfig", "PrintEdgeUSB", "PrintEdgeGPIO",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "printedge-sim",
            dependencies: ["PrintEdgeSimulator", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),
        .executableTarget(
            name: "printedge-bench",
            dependencies: [
                "PrintEdgeAgent", "PrintEdgeFixtures", "PrintEdgeStore", "PrintEdgeControl", "PrintEdgeMQTT",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "bench/printedge-bench",
            swiftSettings: strict),
        .testTarget(name: "PrintEdgeCoreTests", dependencies: ["PrintEdgeCore", "PrintEdgeSimulator", "PrintEdgeFixtures", "PrintEdgeTestSupport"]),
        .testTarget(name: "PrintEdgeSerialTests", dependencies: ["PrintEdgeSerial"]),
        .testTarget(name: "PrintEdgeSimulatorTests", dependencies: ["PrintEdgeSimulator", "PrintEdgeTestSupport"]),
        .testTarget(name: "PrintEdgeAgentTests", dependencies: ["PrintEdgeAgent", "PrintEdgeSerial", "PrintEdgeFixtures"]),
        .testTarget(name: "PrintEdgeConfigTests", dependencies: ["PrintEdgeConfig"]),
        .testTarget(name: "PrintEdgeCalibrationTests", dependencies: ["PrintEdgeCalibration"]),
        .testTarget(name: "PrintEdgeStoreTests", dependencies: ["PrintEdgeStore"]),
        .testTarget(name: "PrintEdgeControlTests", dependencies: ["PrintEdgeControl"]),
        // Real brokers and certificates for the MQTT and integration tests; child processes and
        // threads of their own for the tests that wait on them or would hold the cooperative pool.
        .target(name: "PrintEdgeTestSupport", dependencies: ["PrintEdgeMQTT"], path: "Tests/PrintEdgeTestSupport"),
        .testTarget(name: "PrintEdgeMQTTTests", dependencies: ["PrintEdgeMQTT", "PrintEdgeTestSupport"]),
        .testTarget(name: "PrintEdgeUSBTests", dependencies: ["PrintEdgeUSB"]),
        .testTarget(name: "PrintEdgeGPIOTests", dependencies: ["PrintEdgeGPIO", "PrintEdgeTestSupport"]),
        .testTarget(name: "PrintEdgeDaemonTests", dependencies: ["PrintEdgeDaemon", "PrintEdgeFixtures", "PrintEdgeTestSupport"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "PrintEdgeCore", "PrintEdgeFixtures", "PrintEdgeStore", "PrintEdgeControl", "PrintEdgeMQTT",
                "PrintEdgeTestSupport", "printedge", "printedge-sim", "printedged",
            ]),
    ],
    swiftLanguageModes: [.v6]
)
