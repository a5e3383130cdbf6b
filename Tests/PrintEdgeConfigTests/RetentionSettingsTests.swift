import PrintEdgeTestSupport
import Testing
@testable import PrintEdgeConfig

/// `[retention]`: how big the database may grow, softly (retention) and hard (a cap).
@Suite struct RetentionSettingsTests {
    private let printer = "\n[[printer]]\nid = \"sim\"\nvirtual = true\n"

    private func load(_ text: String) throws -> DaemonConfiguration {
        let directory = try TemporaryDirectory()
        return try DaemonConfiguration.load(path: try directory.write("printedge.toml", text), workingDirectory: packageRoot)
    }

    @Test func theHardLimitIsUnsetByDefaultAndReadInMebibytes() throws {
        #expect(try load(printer).retention.databaseHardLimitBytes == nil)
        let capped = try load("[retention]\nmax_database_mb = 64\ndatabase_hard_limit_mb = 96\n" + printer)
        #expect(capped.retention == RetentionSettings(maxDatabaseMegabytes: 64, databaseHardLimitMegabytes: 96))
        #expect(capped.retention.databaseHardLimitBytes == 96 << 20)
    }

    @Test func aHardLimitBelowTheRetentionLimitSaysWhereAndWhatToDo() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("printedge.toml", "[retention]\ndatabase_hard_limit_mb = 100\n" + printer)
        #expect {
            try DaemonConfiguration.load(path: path, workingDirectory: packageRoot)
        } throws: { error in
            let description = (error as? ConfigurationError)?.description ?? ""
            return description.hasPrefix("\(path):2:")
                && description.contains("`retention.database_hard_limit_mb` is 100 MiB, below max_database_mb (512 MiB)")
                && description.contains("raise it or lower max_database_mb")
        }
    }
}
