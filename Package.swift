// swift-tools-version:6.0
import PackageDescription

// Layering (imports point down only), see docs/architecture.md:
//   executables (printedge, printedge-sim, printedge-bench)
//   PrintEdgeAgent            stream sessions: drive the core over a port
//   PrintEdgeSerial, PrintEdgeSimulator   adapters: the only code doing I/O
//   PrintEdgeCore             sans-I/O: G-code lines, replies, flow control
//   CSerial                   termios2 / ioctl shim
let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "printedge",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "printedge", targets: ["printedge"]),
        .executable(name: "printedge-sim", targets: ["printedge-sim"]),
        .executable(name: "printedge-bench", targets: ["printedge-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .target(name: "CSerial"),
        .target(name: "PrintEdgeCore", swiftSettings: strict),
        .target(name: "PrintEdgeSerial", dependencies: ["CSerial", "PrintEdgeCore"], swiftSettings: strict),
        .target(name: "PrintEdgeSimulator", dependencies: ["PrintEdgeCore", "PrintEdgeSerial"], swiftSettings: strict),
        .target(name: "PrintEdgeAgent", dependencies: ["PrintEdgeCore", "PrintEdgeSerial"], swiftSettings: strict),
        .target(name: "PrintEdgeFixtures", dependencies: ["PrintEdgeCore"], swiftSettings: strict),
        .executableTarget(
            name: "printedge",
            dependencies: ["PrintEdgeAgent", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),
        .executableTarget(
            name: "printedge-sim",
            dependencies: ["PrintEdgeSimulator", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),
        .executableTarget(
            name: "printedge-bench",
            dependencies: ["PrintEdgeAgent", "PrintEdgeFixtures", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "bench/printedge-bench",
            swiftSettings: strict),
        .testTarget(name: "PrintEdgeCoreTests", dependencies: ["PrintEdgeCore", "PrintEdgeSimulator", "PrintEdgeFixtures"]),
        .testTarget(name: "PrintEdgeSerialTests", dependencies: ["PrintEdgeSerial"]),
        .testTarget(name: "PrintEdgeSimulatorTests", dependencies: ["PrintEdgeSimulator"]),
        .testTarget(name: "PrintEdgeAgentTests", dependencies: ["PrintEdgeAgent", "PrintEdgeSerial", "PrintEdgeFixtures"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["PrintEdgeCore", "PrintEdgeFixtures", "printedge", "printedge-sim"]),
    ],
    swiftLanguageModes: [.v6]
)
