import Foundation
import PrintEdgeBrokerSupport
import PrintEdgeTestSupport
import Testing

/// config/monitoring/ against the real tools: promtool for the rules and the scrape example,
/// and a real Prometheus scraping a real printedged while it prints on its virtual printer,
/// asked through its HTTP API for every panel's and every rule's query.
@Suite struct MonitoringTests {
    static let monitoring = repositoryRoot.appendingPathComponent("config/monitoring").path
    static let promtool = tool("promtool")
    static let prometheus = tool("prometheus")

    private static func tool(_ name: String) -> String? {
        ["/usr/bin/\(name)", "/usr/local/bin/\(name)"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test(.enabled(if: promtool != nil, "promtool is not installed (Debian's prometheus package)"))
    func theRulesTheirUnitTestsAndTheScrapeExamplePassPromtool() async throws {
        for arguments in [["check", "rules", "printedge-alerts.yml"], ["test", "rules", "printedge-alerts.test.yml"],
                          ["check", "config", "prometheus.yml"]] {
            let run = try await ToolRun(Self.promtool!, arguments, in: Self.monitoring, limit: .seconds(120))
            #expect(run.status == 0, "promtool \(arguments.joined(separator: " ")): \(run.standardOutput)\(run.standardError)")
        }
    }

    @Test(.enabled(if: prometheus != nil, "prometheus is not installed (Debian's prometheus package)"))
    func aRealPrometheusHasDataForEveryPanelAndEveryRuleWhileADaemonPrints() async throws {
        let scratch = try TemporaryDirectory()
        let broker = try await MosquittoBroker()
        let daemon = try await DaemonProcess(in: scratch, printers: ["sim"], speedup: 5, configuration: """

            [retention]
            max_database_mb = 64
            database_hard_limit_mb = 128

            [mqtt]
            host = "127.0.0.1"
            port = \(broker.port)
            fleet = "monitoring"
            client_id = "printedge-monitoring-test"

            """, httpListen: "127.0.0.1:0")
        try await daemon.waitUntil("the HTTP listener says where it listens") { daemon.logText.contains("HTTP listener on 127.0.0.1:") }
        let agentPort = try #require(Self.port(after: "HTTP listener on 127.0.0.1:", in: daemon.logText))

        // A print that lasts minutes, heating as it goes, so every series of a printing printer exists.
        let job = scratch.file("long.gcode")
        let moves = (1...6000).map { "G1 X\(20 + $0 % 150) Y\(20 + ($0 / 150) % 150) E0.04 F3000" }
        try (["G28", "M104 S205", "M140 S60", "G90", "M83"] + moves).joined(separator: "\n").write(toFile: job, atomically: true, encoding: .utf8)
        let submitted = try await daemon.cli(["jobs", "submit", job, "--start"])
        #expect(submitted.status == 0, "\(submitted.standardError)")

        let prometheusPort = try freePort()
        let configuration = scratch.file("prometheus.yml")
        try """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:
              - \(Self.monitoring)/printedge-alerts.yml
            scrape_configs:
              - job_name: printedge
                static_configs:
                  - targets: ["127.0.0.1:\(agentPort)"]
            """.write(toFile: configuration, atomically: true, encoding: .utf8)
        let server = try ChildProcess(Self.prometheus!, [
            "--config.file=\(configuration)", "--storage.tsdb.path=\(scratch.file("prometheus-data"))",
            "--web.listen-address=127.0.0.1:\(prometheusPort)", "--log.level=warn",
        ])
        let api = PrometheusAPI(port: prometheusPort)
        do {
            try await daemon.waitUntil("Prometheus scrapes printedged (up == 1)") {
                if server.exit.hasExited { throw TestSetupError("prometheus exited: \(server.output)") }
                // Refused until Prometheus listens.
                return (try? await api.query(#"up{job="printedge"} == 1"#))?.count == 1
            }
            // Rates need two samples in their window, and the print its first lines.
            try await daemon.waitUntil("Prometheus holds a few scrapes of the printing printer") {
                let printing = try await api.query(#"printedge_printer_state{state="printing"} == 1"#)
                let scrapes = try await api.query("count_over_time(printedge_serial_lines_acknowledged_total[1m]) >= 4")
                let connected = try await api.query("printedge_mqtt_connected == 1")
                return !printing.isEmpty && !scrapes.isEmpty && !connected.isEmpty
            }

            let dashboard = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(Self.monitoring)/printedge-dashboard.json")))
            let panels = ((dashboard as? [String: Any])?["panels"] as? [[String: Any]]) ?? []
            var queried = 0
            for panel in panels {
                for target in panel["targets"] as? [[String: Any]] ?? [] {
                    let expression = try #require(target["expr"] as? String)
                    let query = expression.replacingOccurrences(of: "$printer", with: ".+")
                        .replacingOccurrences(of: "$__rate_interval", with: "1m").replacingOccurrences(of: "$__range", with: "1h")
                    let result = try await api.query(query)
                    #expect(!result.isEmpty, "panel \"\(panel["title"] ?? "?")\": \(expression) returns nothing")
                    queried += 1
                }
            }
            #expect(queried >= 20, "the dashboard's queries were read: \(queried)")

            try await daemon.waitUntil("Prometheus has evaluated every rule") {
                try await api.rules().allSatisfy { $0.health == "ok" }
            }
            let rules = try await api.rules()
            #expect(rules.count == 10)
            for rule in rules {
                let names = Set(rule.query.matches(of: /\b(printedge_[a-z_]+|up)\b/).map { String($0.output.1) })
                #expect(!names.isEmpty, "\(rule.name): \(rule.query)")
                for name in names {
                    #expect(!(try await api.query(name)).isEmpty, "rule \(rule.name) reads \(name), which has no data")
                }
            }
        } catch {
            Issue.record("prometheus said: \(server.output)")
            throw error
        }
        await server.stop()
        await daemon.terminate()
    }

    /// The number that follows `marker` in `text`.
    private static func port(after marker: String, in text: String) -> Int? {
        guard let range = text.range(of: marker) else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }
}

/// Prometheus' HTTP API (`/api/v1/query`, `/api/v1/rules`), asked on a thread of its own.
private struct PrometheusAPI {
    let port: Int

    struct Rule {
        var name: String
        var query: String
        var health: String
    }

    /// The instant vector's samples, as JSON objects.
    func query(_ expression: String) async throws -> [[String: Any]] {
        let encoded = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? expression
        let data = try await get("/api/v1/query?query=\(encoded)")
        guard data["status"] as? String == "success" else { throw TestSetupError("\(expression): \(data)") }
        return ((data["data"] as? [String: Any])?["result"] as? [[String: Any]]) ?? []
    }

    func rules() async throws -> [Rule] {
        let data = try await get("/api/v1/rules")
        let groups = ((data["data"] as? [String: Any])?["groups"] as? [[String: Any]]) ?? []
        return groups.flatMap { ($0["rules"] as? [[String: Any]]) ?? [] }.map {
            Rule(name: $0["name"] as? String ?? "?", query: $0["query"] as? String ?? "", health: $0["health"] as? String ?? "?")
        }
    }

    private func get(_ path: String) async throws -> [String: Any] {
        let port = port
        let response = try await onThreadOfItsOwn { try HTTPFetch.get(port: port, path: path) }
        guard let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw TestSetupError("\(path): \(response.status) \(response.text)")
        }
        return object
    }
}
