import Foundation
import SecorCore
import SecorOutput
import SecorReaders

/// The intake chain, in one place. Each stage is a small value and each boundary a named type:
///
///     path ─sniff→ InputFile ─read→ ReadFile ─receive→ Receipt (normalized documents)
///          ─assemble→ Assembly (applications, files in none) ─decide→ DecidedApplication
///          ─record→ ApplicationRecord (what to file, and under which state's folder)
///
/// `process`, `watch` and the fuzz targets run these stages. What each adds is its own: a batch
/// keeps its documents in a spill and hands records on in file order; the watcher claims, holds,
/// commits and moves files. Nothing here touches OUT.
public struct IntakePipeline: Sendable {
    /// Stage 1: a path to a file's bytes and format, refused before reading when over a limit.
    public let sniffer: Sniffer
    /// Stage 2: bytes to everything read (here, or in reader processes under a time limit).
    public let reading: any DocumentReading
    /// Stages 3 and 4: each read file's forms normalized, then documents into applications.
    public let assembler: ApplicationAssembler
    /// Stage 5's data: the rule editions and the form templates.
    public let library: ProgramLibrary
    public let templates: FormTemplates

    public init(sniffer: Sniffer, reading: any DocumentReading, assembler: ApplicationAssembler,
                library: ProgramLibrary, templates: FormTemplates) {
        self.sniffer = sniffer
        self.reading = reading
        self.assembler = assembler
        self.library = library
        self.templates = templates
    }

    /// The stages built from the shipped schemas, reading in this process unless `reading` is
    /// given. Throws only for a broken installation.
    public static func shipped(limits: Extraction.Limits = .init(), reading: (any DocumentReading)? = nil) throws -> IntakePipeline {
        let templates = try FormTemplates.shipped.get()
        let library = try ProgramLibrary.shipped.get()
        if let unknown = library.unknownFields(templates).first {
            throw SchemaError(file: "schemas/programs/\(unknown.edition).yaml",
                              reason: "rule \(unknown.rule): names \(unknown.field), which no form of the program has")
        }
        let extraction = try Extraction.shipped(limits: limits)
        return IntakePipeline(sniffer: extraction.sniffer, reading: reading ?? extraction,
                              assembler: ApplicationAssembler(normalizer: FieldNormalizer(templates: templates),
                                                              sureAt: library.editions.map(\.reviewBelowConfidence).max() ?? 0.8),
                              library: library, templates: templates)
    }

    // MARK: - The stages

    /// Stages 1 and 2 for one path: sniffed (limits checked before any byte is read), then read.
    /// A file refused by the sniffer is read as nothing, with the sniffer's reason.
    public func read(path: String) -> ReadFile {
        switch sniffer.sniff(path: path) {
        case let .failed(path, reason):
            return .unreadable(InputFile(path: path, data: Data()), format: .unrecognized, reason)
        case let .sniffed(file, format):
            return reading.read(file, format: format)
        }
    }

    /// Stages 1 and 2 for a batch, `jobs` at a time; each file goes to `deliver` as it is read.
    /// A file not read for a reason that is not its own (its reader stopped from outside, no
    /// reader could be started) is read again, up to `retries` more times, a little later each
    /// time; what is still not read then is delivered as it is.
    public func readAll(_ paths: [String], jobs: Int, retries: Int = 2, deliver: @escaping @Sendable (Int, ReadFile) -> Void) async {
        let again = Retries()
        await reading.readAll(paths, jobs: jobs) { index, read in
            if retries > 0 && ReadFailure.isTransient(read) { again.add(index, read) } else { deliver(index, read) }
        }
        var pending = again.take()
        for round in 1...max(1, retries) where !pending.isEmpty {
            try? await Task.sleep(for: .milliseconds(200 * round))
            let indices = pending.map(\.index)
            let last = round == retries
            await reading.readAll(indices.map { paths[$0] }, jobs: jobs) { position, read in
                if !last && ReadFailure.isTransient(read) { again.add(indices[position], read) } else { deliver(indices[position], read) }
            }
            pending = again.take()
        }
        for (index, read) in pending { deliver(index, read) }
    }

    /// Stage 3: a read file's forms, normalized once, or why it is in no application.
    public func receive(_ read: ReadFile, index: Int) -> Receipt<ReceivedDocument> {
        assembler.receive(read, index: index)
    }

    /// Stage 4: received files, in the batch's order, into applications.
    public func assemble<Document>(_ receipts: [Receipt<Document>]) -> Assembly<Document> {
        assembler.assemble(receipts)
    }

    /// Stage 5: the decider for a processing date (each application under the edition in
    /// effect when it was submitted; rule 5 in submission order).
    public func decider(on date: CalendarDate) -> BatchDecider {
        BatchDecider(library: library, templates: templates, processingDate: date)
    }

    /// Stage 6: what is filed and told for a decided application.
    public func record(_ decided: DecidedApplication) -> ApplicationRecord { ApplicationRecord(decided) }

    /// Stage 6 for a file in no application.
    public func record(_ unmatched: UnmatchedFile) -> UnmatchedRecord { UnmatchedRecord(unmatched) }

    // MARK: - The whole chain

    /// What the chain makes of a batch: a record per application, in file order, and the files in none.
    public struct Outcome: Sendable {
        public let applications: [ApplicationRecord]
        public let unmatched: [UnmatchedRecord]
    }

    /// Stages 3 to 6 over files already read, all in memory: for small batches, the fuzz
    /// targets and tests. A register that cannot answer is thrown (a broken run).
    public func decide(_ reads: [ReadFile], on date: CalendarDate, earlier: (any TraineeRegister)? = nil) throws -> Outcome {
        let assembly = assemble(reads.enumerated().map { receive($1, index: $0) })
        let decided = try decider(on: date).decide(assembly.applications, earlier: earlier)
        return Outcome(applications: decided.map(record), unmatched: assembly.unmatched.map(record))
    }

    /// Every stage over paths, read in this process one at a time.
    public func run(paths: [String], on date: CalendarDate, earlier: (any TraineeRegister)? = nil) throws -> Outcome {
        try decide(paths.map(read(path:)), on: date, earlier: earlier)
    }
}

/// Files to read again, collected from several workers.
final class Retries: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [(index: Int, read: ReadFile)] = []
    func add(_ index: Int, _ read: ReadFile) { lock.withLock { items.append((index, read)) } }
    func take() -> [(index: Int, read: ReadFile)] { lock.withLock { defer { items = [] }; return items.sorted { $0.index < $1.index } } }
}
