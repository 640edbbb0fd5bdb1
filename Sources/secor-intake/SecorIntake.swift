import ArgumentParser
import Foundation
import Logging
import SecorCore
import SecorInbox
import SecorJobs
import SecorReaders
import SecorRegistry
import SecorSupport
import SecorWorkers

@main
struct SecorIntake: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secor-intake",
        abstract: "Reads SECOR registrations and compliance declarations and decides them.",
        subcommands: [Process.self, Watch.self, Status.self, Extract.self, Review.self, Override.self, History.self, Find.self,
                      Letter.self, Export.self, Serve.self, Staff.self, Record.self, Due.self, Companies.self, Backup.self, Restore.self, ReadWorker.self],
        defaultSubcommand: nil
    )
}

/// Options every subcommand takes.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .warning

    /// What every command does first: logging set up, and the open-file limit raised as far as
    /// allowed; one too low to work under is said plainly (exit 71) instead of failing inside a library.
    func start() throws {
        bootstrapLogging()
        if let problem = OpenFileLimit.problem() {
            FileHandle.standardError.write(Data("Error: \(problem)\n".utf8))
            throw ExitCode(71)
        }
    }

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

/// What one document may cost; each limit has a safe default.
struct LimitOptions: ParsableArguments {
    @Option(name: .long, help: "Largest file read, in MB (fractions allowed).")
    var maxFileMb: Double = 50

    @Option(name: .long, help: "Most pages read from one PDF.")
    var maxPages: Int = 20

    @Option(name: .long, help: "Resolution scanned pages are rendered at to be read (100 to 600 dpi).")
    var scanDpi: Double = 300

    @Option(name: .long, help: "Largest XML export read, in KB.")
    var maxXmlKb: Int = 1024

    @Option(name: .long, help: "Seconds a PDF may take to read; one over it is stopped and goes to failed.")
    var docTimeout: Double = 120

    /// Every number checked before use: a NaN, an infinity or a value past what the program can
    /// hold is a usage error, never a crash or a limit that means nothing.
    func validate() throws {
        if !(maxFileMb > 0 && maxFileMb <= 100_000) { throw ValidationError("--max-file-mb must be more than 0 and at most 100000") }
        if !(1...100_000).contains(maxPages) { throw ValidationError("--max-pages must be between 1 and 100000") }
        if !(1...1_048_576).contains(maxXmlKb) { throw ValidationError("--max-xml-kb must be between 1 and 1048576") }
        if !(100...600).contains(scanDpi) { throw ValidationError("--scan-dpi must be between 100 and 600") }
        if !(docTimeout > 0 && docTimeout <= 86_400) { throw ValidationError("--doc-timeout must be more than 0 and at most 86400 seconds") }
    }

    /// The same limits as options, for a reader process.
    var arguments: [String] {
        ["--max-file-mb", "\(maxFileMb)", "--max-pages", "\(maxPages)", "--scan-dpi", "\(scanDpi)", "--max-xml-kb", "\(maxXmlKb)"]
    }

    /// PDFs read in reader processes (this program's `read-worker`), each under --doc-timeout.
    func isolatedReading(logLevel: Logger.Level) throws -> IsolatedReading {
        guard let executable = Bundle.main.executablePath else { throw ValidationError("cannot find this program's own path") }
        return IsolatedReading(
            extraction: try Extraction.shipped(limits: limits),
            command: ReaderCommand(executable: executable, arguments: ["read-worker", "--log-level", logLevel.rawValue] + arguments),
            timeout: .milliseconds(Int64((docTimeout * 1000).rounded())))
    }

    var limits: Extraction.Limits {
        var l = Extraction.Limits()
        l.maxFileBytes = max(1, Int((maxFileMb * 1024 * 1024).rounded()))
        l.maxPages = maxPages
        l.scanDPI = scanDpi
        l.maxXMLBytes = maxXmlKb * 1024
        l.documentSeconds = docTimeout
        return l
    }
}

/// Opening what staff named (a registry, an inbox and OUT): a refusal names the file or folder,
/// and is a usage error (exit 64) with nothing started.
func refusingAsUsage<T>(_ open: () throws -> T) throws -> T {
    do {
        return try open()
    } catch let error as RegistryError {
        throw ValidationError(error.message)
    } catch let error as WatchError {
        throw ValidationError(error.message)
    }
}

/// An office file that cannot be used is a usage error naming it.
func officeOrUsage(_ find: () throws -> Office) throws -> Office {
    do {
        return try find()
    } catch let error as OfficeError {
        throw ValidationError(error.message)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
extension OutputFormat: ExpressibleByArgument {}

struct Extract: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show every field read from each file.",
        discussion: "Writes every field read to standard output (text or JSON), and no file. Exit status: 0 when every file was read as a SECOR document, 1 when some were not, 64 for a usage error."
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var batch: BatchOptions
    @OptionGroup var limits: LimitOptions

    @Argument(help: "PDF or XML files.")
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one file") }
    }

    func run() async throws {
        try common.start()
        var job = ExtractJob(format: batch.format, jobs: batch.jobs)
        job.limits = limits.limits
        let ok = try await job.run(paths: files, reading: limits.isolatedReading(logLevel: common.logLevel))
        if !ok { throw ExitCode(1) }
    }
}

struct Process: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read, assemble and decide a batch of registrations and declarations.",
        discussion: """
        Writes each decision to standard output (a table, or JSON); a file given twice is decided once and listed as a duplicate. \
        With --out DIR, also each application's folder (DIR/accepted|rejected|review/<id>/: record.json, letters, marked copies, \
        the review worksheet) and the day's DIR/summary.html, DIR/accepted.csv and DIR/results.jsonl. The applicants' files are not moved. \
        Exit status: 0 when every application is accepted, 1 when some are not, 64 for a usage error.
        """
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var batch: BatchOptions
    @OptionGroup var limits: LimitOptions

    @Option(name: .long, help: "The processing date, YYYY-MM-DD (default: today).")
    var asOf: String?

    @Option(name: .long, help: "Record the batch in this registry, a SQLite file or a postgres:// URL (made if missing): each decision, received on the processing date; then that date's removals and notices.")
    var db: String?

    @Option(name: .long, help: "Write each application's folder (record, letters, annotated copies, worksheet) and the day's summary here.")
    var out: String?

    @Option(name: .long, help: "The office file printed on letters (default: secor-intake.yaml in OUT, if there is one).")
    var config: String?

    @Argument(help: "Files and folders (folders are read recursively).")
    var paths: [String] = []

    func validate() throws {
        // With a registry, a run with nothing received still carries out the date's removals and notices.
        if paths.isEmpty && db == nil { throw ValidationError("name at least one file or folder") }
        if let asOf, CalendarDate(iso: asOf) == nil { throw ValidationError("--as-of must be a date like 2026-11-22") }
        // A mistyped folder must not become a new registry somewhere unexpected.
        if let db, !Registry.isDatabaseURL(db), !FileManager.default.fileExists(atPath: (db as NSString).deletingLastPathComponent.isEmpty ? "." : (db as NSString).deletingLastPathComponent) {
            throw ValidationError("no folder for the registry \(db): --db makes a registry only in a folder that exists")
        }
    }

    func run() async throws {
        try common.start()
        let date = asOf.flatMap(CalendarDate.init(iso:)) ?? CalendarDate.today()
        let registry = try refusingAsUsage { try db.map { try Registry(path: $0) } }
        var job = ProcessJob(processingDate: date, jobs: batch.jobs, showProgress: !batch.quiet, registry: registry,
                             out: out.map { URL(fileURLWithPath: $0) })
        job.limits = limits.limits
        job.office = try officeOrUsage { try Office.find(config: config, beside: out) }
        let reading = try limits.isolatedReading(logLevel: common.logLevel)
        let summary: BatchSummary
        switch batch.format {
        case .json:
            // Written as each application is decided, so a large batch does not hold them all.
            let stdout = FileHandle.standardOutput
            var report = StreamingJSONReport { stdout.write(Data($0.utf8)) }
            summary = try await job.run(paths: paths, reading: reading, keepingLines: false) { try report.add($0) }
            try report.finish(summary)
        case .text:
            summary = try await job.run(paths: paths, reading: reading)
            print(ProcessJob.text(summary), terminator: "")
        }
        let allAccepted = summary.allAccepted
        if !allAccepted { throw ExitCode(1) }
    }
}

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watch an inbox folder: decide every file that lands and file it under OUT.",
        discussion: """
        Files are taken once their size and time have held still for --settle seconds. Each ends in exactly one of
        OUT/accepted, OUT/rejected, OUT/review, OUT/pending, OUT/superseded, OUT/failed or OUT/duplicates, with the
        application's record.json, letters and marked copies beside it; the day's OUT/summary.html, OUT/accepted.csv and
        OUT/results.jsonl are written as it goes, and everything is recorded in the registry (OUT/registry.sqlite).
        SIGTERM or SIGINT finishes the file in hand and exits 0.
        """
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var limits: LimitOptions

    @Argument(help: "The inbox folder.")
    var inbox: String

    @Option(name: .long, help: "Where decided files are filed.")
    var out: String

    @Option(name: .long, help: "The registry: a SQLite file, or postgres://user@host:5432/database shared by several workstations (default: OUT/registry.sqlite).")
    var db: String?

    @Option(name: .long, help: "Over a PostgreSQL registry: seconds a claim holds once its watcher stops renewing it; then another watcher takes the file over.")
    var claimLease: Double = 30

    @Option(name: .long, help: "Seconds a file must hold still before it is taken.")
    var settle: Double = 2

    @Option(name: .long, help: "Days a document waits for its partner before it is decided without it.")
    var pairWait: Double = 14

    @Option(name: .long, help: "The processing date, YYYY-MM-DD (default: each day's date).")
    var asOf: String?

    @Option(name: .long, help: "Seconds between full looks at the inbox (network shares send no events).")
    var rescan: Double = 5

    @Option(name: .long, help: "Seconds a copy may pause: a file that looks cut short is failed only once it has held still this long.")
    var writerPause: Double = 120

    @Option(name: .long, help: "The office file printed on letters (default: secor-intake.yaml beside the registry).")
    var config: String?

    func validate() throws {
        if !(settle >= 0 && settle <= 3600) { throw ValidationError("--settle must be between 0 and 3600 seconds") }
        if !(pairWait >= 0 && pairWait <= 3650) { throw ValidationError("--pair-wait must be between 0 and 3650 days") }
        if !(rescan > 0 && rescan <= 3600) { throw ValidationError("--rescan must be more than 0 and at most 3600 seconds") }
        if !(writerPause >= 0 && writerPause <= 86_400) { throw ValidationError("--writer-pause must be between 0 and 86400 seconds") }
        if !(claimLease >= 1 && claimLease <= 3600) { throw ValidationError("--claim-lease must be between 1 and 3600 seconds") }
        if let asOf, CalendarDate(iso: asOf) == nil { throw ValidationError("--as-of must be a date like 2026-11-22") }
    }

    func run() throws {
        try common.start()
        StopSignals.install()
        var configuration = Watcher.Configuration(inbox: inbox, out: out, database: db ?? (out as NSString).appendingPathComponent("registry.sqlite"))
        configuration.settle = settle
        configuration.pairWaitDays = pairWait
        configuration.asOf = asOf.flatMap(CalendarDate.init(iso:))
        configuration.rescanEvery = rescan
        configuration.writerPause = writerPause
        configuration.claimLease = claimLease
        configuration.limits = limits.limits
        let database = configuration.database
        let folder = Registry.isDatabaseURL(database) ? out : (database as NSString).deletingLastPathComponent
        configuration.office = try officeOrUsage { try Office.find(config: config, beside: folder) }
        configuration.reading = try limits.isolatedReading(logLevel: common.logLevel)
        let watcher = try refusingAsUsage { try Watcher(configuration) }
        do {
            try watcher.run { StopSignals.requested }
        } catch let error as WatchError {
            throw ValidationError(error.message)
        }
    }
}

/// A reader process, started by the commands above: reads the PDFs sent on standard input.
struct ReadWorker: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read-worker", abstract: "Internal: read PDFs sent on standard input (started by process, extract, watch).",
        shouldDisplay: false)

    @OptionGroup var common: CommonOptions
    @OptionGroup var limits: LimitOptions

    func run() throws {
        try common.start()
        try ReaderWorker.serve(extraction: Extraction.shipped(limits: limits.limits))
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "What the registry holds: counts per state, the oldest pending documents, recent failures.",
        discussion: "Writes nothing; reads the registry the watcher uses (OUT/registry.sqlite, or --db).")

    @OptionGroup var common: CommonOptions
    @OptionGroup var registry: RegistryOptions

    func run() throws {
        try common.start()
        let db = registry.database
        guard Registry.isDatabaseURL(db) || FileManager.default.fileExists(atPath: db) else { throw ValidationError("no registry at \(db)") }
        print(try refusingAsUsage { try StatusReport(registry: Registry(readingOnly: db), out: registry.outFolder) }.text, terminator: "")
    }
}
