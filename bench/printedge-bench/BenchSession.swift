import ArgumentParser
import Glibc

/// One invocation of the bench: runs the chosen sections in order, prints each table as
/// soon as it is complete, writes all of them as markdown, and removes the large files.
///
/// Exit status: 0 when every run completed (whatever the figures: this is a measurement,
/// not a timing test), 1 when a run failed, 130 when interrupted.
enum BenchSession {
    static func run(_ sections: [any BenchSection], options: CommonOptions) throws {
        let interruption = Interruption.install()
        let context = try BenchContext(binaries: Binaries(directory: options.binDir), workspace: Workspace(),
                                       interruption: interruption, quick: options.quick)
        let header = Machine.describe(binaries: context.binaries, quick: options.quick)
        BenchContext.write((["printedge benchmark"] + header).joined(separator: "\n") + "\n\n", to: STDOUT_FILENO)
        context.progress("logs: \(context.workspace.directory)")

        var tables: [ResultTable] = []
        defer { context.workspace.removeTemporaryFiles() }
        for section in sections {
            do {
                let table = try section.measure(with: context)
                tables.append(table)
                BenchContext.write(table.text + "\n", to: STDOUT_FILENO)
            } catch {
                // The bench could not set the section up (say, no room for its file): the
                // other sections still run.
                context.sectionFailed(error)
            }
            if interruption.isRequested { break }
        }
        context.workspace.removeTemporaryFiles()

        let markdown = ["# printedge benchmark", ""] + header.map { "\($0)  " } + [""]
            + tables.map(\.markdown) + ["Logs of these runs: `\(context.workspace.directory)`", ""]
        do {
            try Workspace.write(markdown.joined(separator: "\n"), to: options.results)
            context.progress("tables written to \(options.results); logs kept in \(context.workspace.directory)")
        } catch {
            context.progress("\(error) (the tables above are complete)")
        }

        if interruption.isRequested { throw ExitCode(130) }
        if context.failedRuns > 0 {
            context.progress("\(context.failedRuns) run(s) failed: see the tables and the logs")
            throw ExitCode(1)
        }
    }
}
