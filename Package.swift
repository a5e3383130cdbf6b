// swift-tools-version:6.0
import PackageDescription

// Layering (imports point down only; each target declares every module it imports, which
// tools/check-layering.py checks in CI), see docs/architecture.md:
//   executables      printedged, printedge (the CLI), printedge-sim, printedge-bench
//   PrintEdgeDaemon  printer actors, jobs, calibration driver, telemetry, control socket, fleet link, HTTP, services
//   PrintEdgeDoctor  printedge doctor's host checks, over a root directory (/ or a test's fake tree)
//   PrintEdgeAgent   the one link loop (PrinterConnection) behind LinkTransport, the job streamer, the wire log
//   PrintEdgeControl the control socket's JSON-lines messages and client; the strict JSON parser (JSONValue)
//   PrintEdgeConfig  the TOML configuration and printer profiles, typed
//   adapters, the only code doing I/O:
//     PrintEdgeSerial (termios2, ppoll), PrintEdgeStore (SQLite via GRDB), PrintEdgeMQTT (libmosquitto),
//     PrintEdgeUSB (libudev, sysfs), PrintEdgeGPIO (GPIO uAPI v2), PrintEdgeJournal (the log's lines)
//   PrintEdgePOSIX   what they share (PollSet, WakeupPipe, SignalWakeup, DirectoryListing, FileContents):
//                    Glibc and CPOSIX only, so any layer above may import it
//   sans-I/O:
//     PrintEdgeSimulator (VirtualMarlin: the firmware model), PrintEdgeCalibration (output parsers,
//     sessions, meshes), PrintEdgeCore (G-code, replies, the protocol, JobSession, analysis)
//   C shims: CSerial, CGPIO, CPOSIX; system libraries: CMosquitto, CUdev, CCurl, CTimex
let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

// Release executables (what a Pi runs) start lighter: LLVM's lld, shipped with the toolchain,
// packs the ~96,000 relative relocations of a position-independent binary into a few KB
// (DT_RELR, glibc 2.36: Debian 12, Raspberry Pi OS bookworm) instead of 2.3 MB read at every
// start, and the program's own symbols are not exported (`-static-stdlib` asks for it; no one
// looks them up at run time, backtraces read .symtab). Measured: `printedge stream` 2.8 MB
// and printedged 3.8 MB less resident (bench/README.md).
let leanRelease: [LinkerSetting] = [
    .unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic"],
                 .when(configuration: .release)),
]

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
        .target(name: "CPOSIX"),
        .systemLibrary(name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),
        .systemLibrary(name: "CUdev", pkgConfig: "libudev", providers: [.apt(["libudev-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CTimex"),
        .target(name: "PrintEdgeCore", swiftSettings: strict),
        .target(name: "PrintEdgePOSIX", dependencies: ["CPOSIX"], swiftSettings: strict),
        .target(name: "PrintEdgeSerial", dependencies: ["CSerial", "PrintEdgeCore", "PrintEdgePOSIX"], swiftSettings: strict),
        .target(name: "PrintEdgeSimulator", dependencies: ["PrintEdgeCore"], swiftSettings: strict),
        .target(name: "PrintEdgeAgent", dependencies: ["PrintEdgeCore", "PrintEdgePOSIX", "PrintEdgeSerial"], swiftSettings: strict),
        .target(name: "PrintEdgeFixtures", dependencies: ["PrintEdgeCore"], swiftSettings: strict),
        .target(name: "PrintEdgeConfig", dependencies: ["PrintEdgeCore", "PrintEdgeCalibration", "PrintEdgePOSIX"], swiftSettings: strict),
        .target(name: "PrintEdgeCalibration", dependencies: ["PrintEdgeCore"], swiftSettings: strict),
        .target(
            name: "PrintEdgeStore",
            dependencies: ["PrintEdgeCore", "PrintEdgePOSIX", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict),
        .target(name: "PrintEdgeControl", dependencies: ["PrintEdgeCalibration"], swiftSettings: strict),
        .target(name: "PrintEdgeMQTT", dependencies: ["CMosquitto"], swiftSettings: strict),
        .target(name: "PrintEdgeUSB", dependencies: ["CUdev", "PrintEdgePOSIX"], swiftSettings: strict),
        .target(name: "PrintEdgeGPIO", dependencies: ["CGPIO", "PrintEdgePOSIX"], swiftSettings: strict),
        .target(
            name: "PrintEdgeDoctor", dependencies: ["CTimex", "PrintEdgeConfig", "PrintEdgeControl", "PrintEdgeCore", "PrintEdgePOSIX", "PrintEdgeUSB", "PrintEdgeMQTT"],
            swiftSettings: strict),
        .target(name: "PrintEdgeJournal", dependencies: [.product(name: "Logging", package: "swift-log")], swiftSettings: strict),
        .target(
            name: "PrintEdgeDaemon",
            dependencies: [
                "PrintEdgeCore", "PrintEdgePOSIX", "PrintEdgeAgent", "PrintEdgeCalibration", "PrintEdgeConfig", "PrintEdgeStore", "PrintEdgeControl",
                "PrintEdgeMQTT", "PrintEdgeUSB", "PrintEdgeGPIO", "CCurl",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "printedged",
            dependencies: [
                "PrintEdgeCore", "PrintEdgeConfig", "PrintEdgeDaemon", "PrintEdgeJournal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict, linkerSettings: leanRelease),
        .executableTarget(
            name: "printedge",
            dependencies: [
                "PrintEdgeCore", "PrintEdgePOSIX", "PrintEdgeSerial", "PrintEdgeAgent", "PrintEdgeControl", "PrintEdgeConfig", "PrintEdgeCalibration", "PrintEdgeUSB",
                "PrintEdgeGPIO", "PrintEdgeStore", "PrintEdgeJournal", "PrintEdgeDoctor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict, linkerSettings: leanRelease),
        .executableTarget(
            name: "printedge-sim",
            dependencies: [
                "PrintEdgeCore", "PrintEdgePOSIX", "PrintEdgeSerial", "PrintEdgeSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict, linkerSettings: leanRelease),
        .executableTarget(
            name: "printedge-bench",
            dependencies: [
                "PrintEdgeAgent", "PrintEdgeFixtures", "PrintEdgeStore", "PrintEdgeControl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "bench/printedge-bench",
            swiftSettings: strict),
        .testTarget(name: "PrintEdgeCoreTests", dependencies: ["PrintEdgeCore", "PrintEdgeTestSupport"]),
        .testTarget(name: "PrintEdgePOSIXTests", dependencies: ["PrintEdgePOSIX", "PrintEdgeTestSupport"]),
        .testTarget(name: "PrintEdgeSerialTests", dependencies: ["PrintEdgeCore", "PrintEdgePOSIX", "PrintEdgeSerial", "PrintEdgeTestSupport"]),
        .testTarget(name: "PrintEdgeSimulatorTests", dependencies: ["PrintEdgeCore", "PrintEdgeSimulator", "PrintEdgeTestSupport"]),
        .testTarget(
            name: "PrintEdgeAgentTests",
            dependencies: [
                "PrintEdgeCore", "PrintEdgeAgent", "PrintEdgePOSIX", "PrintEdgeSerial", "PrintEdgeFixtures", "PrintEdgeSimulator", "PrintEdgeVirtualLink",
                "PrintEdgeTestSupport",
            ]),
        .testTarget(
            name: "PrintEdgeConfigTests", dependencies: ["PrintEdgeCore", "PrintEdgeConfig", "PrintEdgeCalibration", "PrintEdgePOSIX", "PrintEdgeTestSupport"]),
        .testTarget(name: "PrintEdgeCalibrationTests", dependencies: ["PrintEdgeCore", "PrintEdgeCalibration", "PrintEdgeTestSupport"]),
        .testTarget(name: "PrintEdgeStoreTests", dependencies: ["PrintEdgeStore", "PrintEdgeTestSupport"]),
        .testTarget(name: "PrintEdgeControlTests", dependencies: ["PrintEdgeControl"]),
        // The CLI's sans-I/O parts (line editor, console transcript, job view, exit table).
        .testTarget(name: "PrintEdgeCLITests", dependencies: ["PrintEdgeControl", "printedge"]),
        // What every kind of test shares, importing nothing of ours: temporary directories,
        // child processes and threads of their own for the tests that wait on them or would hold
        // the cooperative pool, certificates, fake /sys, /dev and /proc trees.
        .target(name: "PrintEdgeTestSupport", path: "Tests/PrintEdgeTestSupport"),
        // A real mosquitto for the tests that talk MQTT; apart, so that only they pull in libmosquitto.
        .target(name: "PrintEdgeBrokerSupport", dependencies: ["PrintEdgeMQTT", "PrintEdgeTestSupport"], path: "Tests/PrintEdgeBrokerSupport"),
        // The link loop over an in-process VirtualMarlin on a virtual clock. It joins the agent
        // and the simulator, which import neither the other (see VirtualLinkTransport).
        .target(
            name: "PrintEdgeVirtualLink", dependencies: ["PrintEdgeCore", "PrintEdgeSerial", "PrintEdgeAgent", "PrintEdgeSimulator"],
            path: "Tests/PrintEdgeVirtualLink", swiftSettings: strict),
        .testTarget(name: "PrintEdgeMQTTTests", dependencies: ["PrintEdgeMQTT", "PrintEdgeBrokerSupport", "PrintEdgeTestSupport"]),
        .testTarget(name: "PrintEdgeUSBTests", dependencies: ["PrintEdgeUSB", "PrintEdgeTestSupport"]),
        .testTarget(name: "PrintEdgeGPIOTests", dependencies: ["CGPIO", "PrintEdgeGPIO", "PrintEdgeTestSupport"]),
        .testTarget(
            name: "PrintEdgeDoctorTests",
            dependencies: ["PrintEdgeConfig", "PrintEdgeControl", "PrintEdgeDoctor", "PrintEdgeBrokerSupport", "PrintEdgeTestSupport"]),
        .testTarget(name: "PrintEdgeJournalTests", dependencies: ["PrintEdgeJournal"], exclude: ["journalctl-printedged.json"]),
        .testTarget(
            name: "PrintEdgeDaemonTests",
            dependencies: [
                "CGPIO", "PrintEdgeCore", "PrintEdgeAgent", "PrintEdgeCalibration", "PrintEdgeConfig", "PrintEdgeControl", "PrintEdgeGPIO",
                "PrintEdgeMQTT", "PrintEdgeStore", "PrintEdgeUSB", "PrintEdgeDaemon", "PrintEdgeFixtures", "PrintEdgeTestSupport",
            ]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "PrintEdgeCore", "PrintEdgeFixtures", "PrintEdgeStore", "PrintEdgeControl", "PrintEdgeMQTT", "PrintEdgeSimulator", "PrintEdgeCalibration",
                "PrintEdgeBrokerSupport", "PrintEdgeTestSupport", "printedge", "printedge-sim", "printedged",
            ]),
    ],
    swiftLanguageModes: [.v6]
)
