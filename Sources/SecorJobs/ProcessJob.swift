import Foundation
import Logging
import SecorCore
import SecorReaders
import SecorOutput
import SecorPipeline
import SecorRegistry
import SecorSupport

/// `secor-intake process`: a batch of files and folders, read, assembled into applications and decided.
public struct ProcessJob {
    public let processingDate: CalendarDate
    public let jobs: Int
    public let showProgress: Bool
    /// The registry the batch is recorded in (`process --db`): trained employees already named count
    /// against it (rule 5 across days), and accepted registrations and removals too (L4); each
    /// decision is recorded, then the processing date's removals and notices are carried out. The
    /// applicants' files stay where they are.
    public let registry: Registry?
    /// Where to write each application's folder (record, letters, annotated copies, worksheet) and the summary.
    public let out: URL?
    public var limits = Extraction.Limits()
    /// Printed on every letter.
    public var office: Office = .unnamed
    /// Documents a batch keeps in memory while it waits to decide; the rest wait on disk.
    public var documentsInMemory = 1_000
    let logger = Logger(label: "secor.process")

    public init(processingDate: CalendarDate, jobs: Int = ProcessInfo.processInfo.activeProcessorCount, showProgress: Bool = false,
                registry: Registry? = nil, out: URL? = nil) {
        self.processingDate = processingDate
        self.jobs = max(1, jobs)
        self.showProgress = showProgress
        self.registry = registry
        self.out = out
    }

    /// Reads and decides the batch, handing each application's record to `each` as it is
    /// decided (and writing its folder under `out`), so a batch does not hold every record.
    /// Throws only for a broken installation or output that cannot be written. `reading` is this
    /// process's own extraction unless given (the command line reads PDFs in reader processes).
    /// `keepingLines: false` keeps only the count of each decision, not a line per application
    /// (a caller that prints no table needs none; at 10,000 documents they are megabytes).
    public func run(paths: [String], reading: (any DocumentReading)? = nil, keepingLines: Bool = true,
                    each: (ApplicationRecord) throws -> Void = { _ in }) async throws -> BatchSummary {
        // Over a shared registry, other workstations' registrations ready from now on wait (a
        // moment, bounded) until this batch is read and its own registrations announced.
        let batchKey = "batch-\(UUID().uuidString)"
        try registry?.beginReading(batchKey)
        defer { try? registry?.endReading([batchKey]) }
        let pipeline = try IntakePipeline.shipped(limits: limits, reading: reading)
        let files = Self.expand(paths)
        let progress = BatchProgress(total: files.count, enabled: showProgress)

        // Each file is received (normalized) as it is read and its documents go to the spill (in
        // memory for the first `documentsInMemory`, on disk after); the batch itself keeps only
        // each document's key. Applications can pair across the whole batch, so nothing can be
        // decided before every file is read.
        let spill = ReceivedDocument.spill(inMemory: documentsInMemory, normalizer: pipeline.assembler.normalizer)
        let receipts = OrderedResults<Result<Receipt<DocumentKey<Spill<ReceivedDocument>.Handle>>, any Error>>(count: files.count)
        let unavailable = OrderedResults<Bool>(count: files.count)
        await pipeline.readAll(files, jobs: jobs) { index, read in
            if ReadFailure.isTransient(read) { unavailable.set(index, true) }
            progress.finished(sha256: read.file.sha256, outcome: read.summary)
            receipts.set(index, Result {
                switch pipeline.receive(read, index: index) {
                case let .unmatched(u): return .unmatched(u)
                case let .forms(file): return .forms(try file.map { DocumentKey($0, handle: try spill.append($0)) })
                }
            })
        }
        // Files no reader could read, after reading them again, are the run's failure (out of
        // processes or descriptors), not the applicants': nothing is decided.
        let notRead = unavailable.values().count
        if notRead > 0 {
            throw ProcessError(message: "\(notRead) of \(files.count) files could not be read: no reader process could be started "
                + "or the readers were stopped (out of processes or open files? see ulimit -n). Nothing was decided; run the batch again.")
        }
        // A file of forms given twice (or a copy under another name) is one document: the first is
        // decided, the others are listed as duplicates of it. A file in no application keeps its own reason.
        var firstOf: [String: String] = [:]
        let received = try receipts.values().map { try $0.get() }.map { receipt -> Receipt<DocumentKey<Spill<ReceivedDocument>.Handle>> in
            guard case let .forms(file) = receipt else { return receipt }
            let (sha256, path) = (file.reference.sha256, file.reference.path)
            // Recording, a file the registry has is not received again.
            if let known = try registry?.document(sha256: sha256) {
                return .unmatched(UnmatchedFile(path: path, sha256: sha256, kind: .unknown, reasons: [
                    Diagnostic(.note, code: UnmatchedOutcome.duplicateCode,
                               "the same bytes as \(known.originalName), received \(known.receivedAt.prefix(10)); that file is the document",
                               location: .init(file: path))]))
            }
            guard let first = firstOf[sha256] else { firstOf[sha256] = path; return receipt }
            return .unmatched(UnmatchedFile(path: path, sha256: sha256, kind: .unknown, reasons: [
                Diagnostic(.note, code: UnmatchedOutcome.duplicateCode, "the same bytes as \(first), given earlier in this batch; that file is the document",
                           location: .init(file: path))]))
        }
        let assembly = pipeline.assemble(received)
        let (applications, unmatched) = (assembly.applications, assembly.unmatched)
        func load(_ application: AssembledApplication<DocumentKey<Spill<ReceivedDocument>.Handle>>) throws -> Application {
            try application.map { try spill.value($0.handle) }
        }

        // With a registry, other workstations may be deciding too: this batch decides and records
        // while none does, after any registration of theirs submitted earlier that names one of
        // this batch's trained employees.
        let intents = try registry == nil ? [] : applications.flatMap { Registry.intents(try load($0).documents) }
        func exclusively<T>(_ body: () throws -> T) throws -> T {
            guard let registry else { return try body() }
            return try registry.deciding(intents, reading: [batchKey], body)
        }
        return try exclusively {
        // Decide in submission order (rule 5: the earlier registration keeps its trained employee),
        // keeping only each decision and its reasons; then hand on the records in file order.
        let decider = pipeline.decider(on: processingDate)
        var outcomes: [Int: (edition: ProgramEdition, decision: Decision, reasons: [Reason], unconfirmed: [String], mayRegisterFrom: CalendarDate?,
                             changes: [CertificateChange])] = [:]
        let life = registry.flatMap { ProgramLife(registry: $0, library: pipeline.library, on: processingDate) }
        // Alberta's certificates: the record its audit rules read, and the cancellations a run carries out.
        let certified = registry.map { ProgramCertificates.all(registry: $0, library: pipeline.library, on: processingDate) } ?? []
        try decider.decideInSubmissionOrder(applications, earlier: registry, history: life, certificates: certified.first, load: load) { index, d in
            outcomes[index] = (d.edition, d.decision, d.reasons, d.unconfirmed, d.mayRegisterFrom, d.certificateChanges)
        }
        let writer = OutputWriter(library: pipeline.library, office: office)
        let day = try out.map { try DaySummaryWriter(date: processingDate, into: $0) }
        var summary = BatchSummary(asOf: processingDate.description, unmatched: unmatched.map(pipeline.record))
        for (index, planned) in applications.enumerated() {
            guard let outcome = outcomes.removeValue(forKey: index) else { continue }
            // Loaded again as it was decided: with its readings checked against their context.
            let validator = Validator(edition: outcome.edition, templates: pipeline.templates, processingDate: processingDate)
            var d = DecidedApplication(application: validator.confirmed(try load(planned)), edition: outcome.edition,
                                       decision: outcome.decision, reasons: outcome.reasons, unconfirmed: outcome.unconfirmed)
            d.mayRegisterFrom = outcome.mayRegisterFrom
            d.certificateChanges = outcome.changes
            // No applicant data above debug: the digest prefix, the outcome and the reason codes.
            logger.info("decided", metadata: [
                "sha256": "\(d.application.documents.first.map { String($0.sha256.prefix(12)) } ?? "")",
                "decision": "\(d.decision.rawValue)", "reasons": "\(d.reasons.map(\.code).joined(separator: ","))"])
            let record = pipeline.record(d)
            if let out, let day {
                try writer.write(record, into: out.appendingPathComponent("\(record.decision.folder)/\(record.id)"),
                                 date: processingDate)
                try writer.writeIssued(by: d, company: record.company, date: processingDate, into: out)
                try day.add(record)
            }
            if let registry { try Self.record(d, record, on: processingDate, in: registry) }
            if let issued = d.issued { summary.issued.append(issued) }
            summary.add(record, keepingLine: keepingLines)
            try each(record)
        }
        // What arrived is decided first; then the date's removals and notices (L3, L6).
        if let life {
            summary.notices = try life.carryOut(on: processingDate)
            if let out { try writer.writeNotices(summary.notices, messages: life.terms.messages, date: processingDate, into: out) }
        }
        for program in certified {
            let cancelled = try program.carryOut(on: processingDate)
            summary.notices += cancelled
            if let out { try writer.writeNotices(cancelled, messages: program.terms.messages, date: processingDate, into: out) }
        }
        for u in unmatched {
            logger.info("unmatched", metadata: ["sha256": "\(u.sha256.prefix(12))", "kind": "\(u.kind.rawValue)",
                                                "reasons": "\(u.reasons.map(\.code).joined(separator: ","))"])
        }
        try day?.finish(unmatched: summary.unmatched)
        return summary
        }
    }

    /// `process --db`: a decision recorded as the watcher records one, the files left where they are.
    static func record(_ d: DecidedApplication, _ record: ApplicationRecord, on date: CalendarDate, in registry: Registry) throws {
        let app = d.application
        var filing = Registry.Filing()
        var seen = Set<String>()
        for doc in app.documents where seen.insert(doc.sha256).inserted {
            _ = try registry.claim(sha256: doc.sha256, originalName: (doc.path as NSString).lastPathComponent, inboxPath: doc.path)
            filing.documents.append(.init(sha256: doc.sha256, kind: doc.kind.rawValue, state: .decided, applicationID: app.id, storedPath: doc.path))
            filing.events.append(.init(sha256: doc.sha256, applicationID: app.id, event: "decided",
                                       detail: "\(record.decision.rawValue): " + d.reasons.map(\.code).joined(separator: ","), edition: d.edition.edition))
        }
        let person = app.registration?.kind == .registration ? app.registration?.trainee : nil
        var update = Registry.Filing.ApplicationUpdate(
            id: app.id, wcbAccount: app.wcbAccount, companyKey: (app.registration ?? app.declaration)?.companyKey, state: record.decision,
            submitted: app.submitted?.text, edition: d.edition.edition, recordJSON: try JSONOutput.string(record),
            decision: (d.decision, d.edition.program, d.edition.edition, d.reasons),
            trainee: person.flatMap { p in app.wcbAccount.map { (p, $0) } }, decidedOn: date)
        update.searchText = record.searchText
        update.program = d.edition.program
        update.form = app.documents.first?.kind.rawValue
        update.certificateChanges = d.certificateChanges
        filing.applications.append(update)
        try registry.commit(filing)
    }

    /// Files as given, and folders walked recursively, in a stable order. Hidden names are skipped;
    /// links and other non-files are listed (not followed) so each gets its reason.
    public static func expand(_ paths: [String]) -> [String] {
        var files: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                files.append(path)
                continue
            }
            let url = URL(fileURLWithPath: path)
            let walker = fm.enumerator(at: url, includingPropertiesForKeys: [.isDirectoryKey, .isSymbolicLinkKey],
                                       options: [.skipsHiddenFiles])
            var found: [String] = []
            while let item = walker?.nextObject() as? URL {
                let values = try? item.resourceValues(forKeys: [.isDirectoryKey, .isSymbolicLinkKey])
                if values?.isSymbolicLink == true || values?.isDirectory != true { found.append(item.path) }
            }
            files += found.sorted()
        }
        return files
    }

    /// A table a person reads: one line per application, its reasons beneath.
    public static func text(_ report: BatchSummary) -> String {
        var out = "Processed \(report.asOf): \(report.applications.count) applications"
        out += " (" + [ApplicationState.accepted, .rejected, .needsReview].map { "\(report.decisions[$0] ?? 0) \($0.words)" }.joined(separator: ", ") + ")"
        let duplicates = report.unmatched.filter { $0.decision == .duplicate }.count
        let inNone = report.unmatched.count - duplicates
        if inNone > 0 { out += ", \(inNone) file\(inNone == 1 ? "" : "s") in no application" }
        if duplicates > 0 { out += ", \(duplicates) duplicate\(duplicates == 1 ? "" : "s") of files given" }
        out += "\n\n"
        let rows = report.applications.map { a -> [String] in
            [a.decision.words, a.id, a.company, a.submitted ?? "", a.files.joined(separator: ", ")]
        }
        let header = ["DECISION", "APPLICATION", "COMPANY", "SUBMITTED", "FILES"]
        let widths = (0..<header.count).map { i in ([header] + rows).map { $0[i].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == cells.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ") + "\n"
        }
        out += line(header)
        for (row, app) in zip(rows, report.applications) {
            out += line(row)
            for r in app.reasons { out += "    - [\(r.severity)] " + Letter.labelled(r.field, r.message) + "\n" }
        }
        for u in report.unmatched {
            out += "\n\(u.decision.words): \(u.path)\n"
            for r in u.reasons { out += "    - \(r.message)\n" }
        }
        if !report.notices.isEmpty { out += "\nTold after the run:\n" }
        for n in report.notices {
            switch n.kind {
            case "removed":
                out += "  removed  \(n.wcb)  \(n.company): \(n.missed ?? "") was due \(n.deadline?.description ?? ""); may register from \(n.mayRegisterFrom?.description ?? "")\n"
            case "cancelled":
                out += "  cancelled  \(n.wcb)  \(n.company): certificate \(n.certificate ?? "") had no \(n.maintenanceAudit ?? "maintenance audit") by \(n.missedAnniversary?.description ?? "")\n"
            default:
                out += "  \(n.kind)  \(n.wcb)  \(n.company): the anniversary of \(n.missedAnniversary?.description ?? "") has no audit\n"
            }
        }
        if !report.issued.isEmpty { out += "\nCertificates issued:\n" }
        for c in report.issued {
            out += "  \(c.certificate)  \(c.wcb): issued \(c.issued), anniversaries \(c.anniversaries.map(\.description).joined(separator: ", ")), expires \(c.expires)"
                + (c.replaces.map { ", replacing \($0)" } ?? "") + "\n"
        }
        return out
    }
}

extension ReceivedDocument {
    /// On disk, a document keeps what was read and where from; its normalized values are worked
    /// out again when it is read back.
    struct Stored: Codable {
        let path: String
        let sha256: String
        let fileIndex: Int
        let extracted: ExtractedDocument
    }

    static func spill(inMemory: Int, normalizer: FieldNormalizer) -> Spill<ReceivedDocument> {
        Spill(inMemory: inMemory, encode: { d in
            try JSONEncoder().encode(Stored(path: d.path, sha256: d.sha256, fileIndex: d.fileIndex, extracted: d.extracted))
        }, decode: { data in
            let s = try JSONDecoder().decode(Stored.self, from: data)
            return ReceivedDocument(path: s.path, sha256: s.sha256, extracted: s.extracted,
                                    normalized: normalizer.normalize(s.extracted), fileIndex: s.fileIndex)
        })
    }
}

/// What is kept of a batch once each record has been handed on: a line per application for
/// the table and the exit status, and the files in no application.
public struct BatchSummary: Sendable {
    public struct Line: Sendable {
        public struct Reason: Sendable {
            public let severity: String
            public let field: String
            public let message: String
        }

        public let id: String
        public let decision: ApplicationState
        public let company: String
        public let submitted: String?
        public let files: [String]
        public let reasons: [Reason]

        init(_ a: ApplicationRecord) {
            id = a.id
            decision = a.decision
            company = a.company
            submitted = a.submitted
            files = a.documents.map { ($0.path as NSString).lastPathComponent }
            reasons = a.reasons.map { Reason(severity: $0.severity.rawValue, field: $0.label ?? $0.field ?? "", message: $0.message) }
        }
    }

    public let asOf: String
    /// A line per application, when the run was asked to keep them.
    public private(set) var applications: [Line] = []
    /// How many applications got each decision.
    public private(set) var decisions: [ApplicationState: Int] = [:]
    public let unmatched: [UnmatchedRecord]
    /// What companies are told after the run (`process --db`): removals, audits overdue, certificates cancelled.
    public var notices: [LifeNotice] = []
    /// Certificates issued in the run (Alberta's, rule 14).
    public var issued: [IssuedCertificate] = []

    /// Every application accepted, and no file in none (a duplicate of a file given is not one).
    public var allAccepted: Bool {
        unmatched.allSatisfy { $0.decision == .duplicate } && decisions.keys.allSatisfy { $0 == .accepted }
    }

    mutating func add(_ record: ApplicationRecord, keepingLine: Bool) {
        decisions[record.decision, default: 0] += 1
        if keepingLine { applications.append(Line(record)) }
    }
}

/// `process --format json` written as it goes: the same document as one encoded report
/// (`applications`, `as_of`, `unmatched`), one application at a time.
public struct StreamingJSONReport {
    let write: (String) -> Void
    var count = 0

    public init(write: @escaping (String) -> Void) {
        self.write = write
        write("{\n  \"applications\" : [")
    }

    public mutating func add(_ record: ApplicationRecord) throws {
        write((count == 0 ? "\n    " : ",\n    ") + String(decoding: try JSONOutput.bytes(record, indent: 2), as: UTF8.self))
        count += 1
    }

    public func finish(_ summary: BatchSummary) throws {
        let unmatched = summary.unmatched.isEmpty ? "[]" : JSONOutput.indented(try JSONOutput.string(summary.unmatched), levels: 2)
        let notices = summary.notices.isEmpty ? "[]" : JSONOutput.indented(try JSONOutput.string(summary.notices), levels: 2)
        let issued = summary.issued.isEmpty ? "[]" : JSONOutput.indented(try JSONOutput.string(summary.issued), levels: 2)
        write((count == 0 ? "" : "\n  ") + "],\n  \"as_of\" : " + (try JSONOutput.string(summary.asOf))
              + ",\n  \"issued\" : " + issued + ",\n  \"notices\" : " + notices + ",\n  \"unmatched\" : " + unmatched + "\n}\n")
    }
}

/// A batch that cannot be run as asked: said in one line, and nothing decided.
public struct ProcessError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
