import ArgumentParser
import Foundation
import Logging
import SecorCore
import SecorJobs

@main
struct SecorIntake: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secor-intake",
        abstract: "Reads SECOR registrations and compliance declarations and decides them.",
        subcommands: [Process.self, Extract.self],
        defaultSubcommand: nil
    )
}

/// Options every subcommand takes.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .warning

    func bootstrapLogging() {
        // Several OCR workers run at once: each tesseract must keep to one thread.
        setenv("OMP_THREAD_LIMIT", "1", 0)
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

/// Options of the commands that read a batch of files.
struct BatchOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: json or text.")
    var format: OutputFormat = .text

    @Option(name: .long, help: "Files read at once (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(name: .long, help: "No progress on stderr.")
    var quiet = false

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
extension OutputFormat: ExpressibleByArgument {}

struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show every field read from each file.",
        discussion: "Exit status: 0 when every file was read as a SECOR document, 1 when some were not, 64 for a usage error."
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var batch: BatchOptions

    @Argument(help: "PDF or XML files.")
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one file") }
    }

    func run() throws {
        common.bootstrapLogging()
        let ok = try ExtractJob(format: batch.format, jobs: batch.jobs).run(paths: files)
        if !ok { throw ExitCode(1) }
    }
}

struct Process: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read, assemble and decide a batch of registrations and declarations.",
        discussion: "Exit status: 0 when every application is accepted, 1 when some are not, 64 for a usage error."
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var batch: BatchOptions

    @Option(name: .long, help: "The processing date, YYYY-MM-DD (default: today).")
    var asOf: String?

    @Argument(help: "Files and folders (folders are read recursively).")
    var paths: [String]

    func validate() throws {
        if paths.isEmpty { throw ValidationError("name at least one file or folder") }
        if let asOf, CalendarDate(iso: asOf) == nil { throw ValidationError("--as-of must be a date like 2026-11-22") }
    }

    func run() throws {
        common.bootstrapLogging()
        let date = asOf.flatMap(CalendarDate.init(iso:)) ?? CalendarDate.today()
        let report = try ProcessJob(processingDate: date, jobs: batch.jobs, showProgress: !batch.quiet).run(paths: paths)
        switch batch.format {
        case .json: print(try ProcessJob.json(report))
        case .text: print(ProcessJob.text(report), terminator: "")
        }
        let allAccepted = report.unmatched.isEmpty && report.applications.allSatisfy { $0.decision == "accepted" }
        if !allAccepted { throw ExitCode(1) }
    }
}
