import Foundation
import Logging
import SecorCore
import SecorOutput
import SecorPipeline
import SecorReaders
import SecorRegistry
import SecorSupport

/// What staff did that a filing records: who, the values they set, a supervisor's override.
public struct StaffDecision: Sendable {
    public let actor: String
    public let corrections: [StaffCorrection]
    public let override: StaffOverride?

    public init(actor: String, corrections: [StaffCorrection] = [], override: StaffOverride? = nil) {
        self.actor = actor; self.corrections = corrections; self.override = override
    }
}

/// Filing under OUT, as the watcher and staff's commands both do it: plan what deciding an
/// application records and moves, commit that in one transaction, then write each record,
/// make the moves, and write letters and worksheets from what is then in place. A crash between
/// the commit and the moves is finished by `finishRecordedWork` on the next start.
public final class Filer {
    public let out: String
    public let registry: Registry
    let pipeline: IntakePipeline
    let logger: Logger
    /// The processing date for the rules and for letters of decisions made now.
    let date: () -> CalendarDate

    /// Letters, annotated copies and worksheets, with the office's details on every letter.
    let writer: OutputWriter

    public init(out: String, registry: Registry, pipeline: IntakePipeline, logger: Logger = Logger(label: "secor.filing"),
                office: Office = .unnamed, date: @escaping () -> CalendarDate) {
        self.out = out
        writer = OutputWriter(library: pipeline.library, office: office)
        self.registry = registry
        self.pipeline = pipeline
        self.logger = logger
        self.date = date
    }

    /// Writes the record beside each unmatched document; those it could not write for a filing
    /// trouble are returned by digest (their moves wait with them: a file is never filed without its record).
    func writeUnmatchedRecords(_ documents: [Registry.Document]) throws -> [String: FilingTrouble] {
        var unwritten: [String: FilingTrouble] = [:]
        for d in documents {
            guard let json = d.recordJSON, let stored = d.storedPath else { continue }
            unwritten[d.sha256] = try writeRecord(json, into: (stored as NSString).deletingLastPathComponent)
        }
        return unwritten
    }

    /// Writes `record.json` into `folder`; returns the filing trouble that stopped it, if one did
    /// (any other failure is thrown).
    func writeRecord(_ json: String, into folder: String) throws -> FilingTrouble? {
        do {
            try DurableFiles.write(Data(json.utf8), to: "\(folder)/record.json")
            return nil
        } catch {
            guard let trouble = FilingTrouble(error) else { throw error }
            return trouble
        }
    }

    func finish(_ move: Registry.Move) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: move.from) || DurableFiles.stamp(move.from)?.isLink == true {
            try DurableFiles.move(from: move.from, to: move.to)
        } else if !(fm.fileExists(atPath: move.to) || DurableFiles.stamp(move.to)?.isLink == true) {
            try registry.log(sha256: move.sha256, event: "missing", detail: "neither \(move.from) nor \(move.to) exists")
        }
        try registry.finishMove(move)
    }


    /// A document the registry holds, read back as the assembler takes it.
    struct Held {
        let document: Registry.Document
        let read: ReadFile
    }

    func held(_ documents: [Registry.Document]) -> [Held] {
        documents.compactMap { d in
            guard let json = d.extractedJSON, let docs = try? JSONDecoder().decode([ExtractedDocument].self, from: Data(json.utf8)),
                  let stored = d.storedPath else { return nil }
            let file = InputFile(path: stored, sha256: d.sha256)
            return Held(document: d, read: ReadFile(file: file, format: .pdf, pageCount: docs.map(\.pages.count).reduce(0, +), documents: docs))
        }
    }


    /// The registration's life over this registry, under the edition in force on the processing date.
    public var life: ProgramLife? {
        ProgramLife(registry: registry, library: pipeline.library, on: date())
    }

    /// The programs that certify by audit (Alberta's), over this registry.
    public var certified: [ProgramCertificates] {
        ProgramCertificates.all(registry: registry, library: pipeline.library, on: date())
    }

    /// Decisions planned that issued a certificate, with the company: their letters are written once committed.
    var issuedToTell: [(decided: DecidedApplication, company: String)] = []

    /// The date's removals, notices and cancellations (L3, L6; Alberta's rule 15), each notice's letter in OUT/notices.
    public func carryOutProgramLife() throws {
        let day = date()
        var told: [LifeNotice] = []
        if let life {
            let notices = try life.carryOut(on: day)
            try writer.writeNotices(notices, messages: life.terms.messages, date: day, into: URL(fileURLWithPath: out))
            told += notices
        }
        for program in certified {
            let notices = try program.carryOut(on: day)
            try writer.writeNotices(notices, messages: program.terms.messages, date: day, into: URL(fileURLWithPath: out))
            told += notices
        }
        for n in told { logger.info("told", metadata: ["notice": "\(n.kind)"]) }
    }

    /// Adds to `filing` what deciding (or holding) `app` records and moves.
    func plan(_ app: Application, pending: Bool, stored: [String: Registry.Document], newName: String,
              into filing: inout Registry.Filing, staff: StaffDecision? = nil, supersedes: [String] = [],
              alreadyRegistered: (id: String, on: CalendarDate?)? = nil) throws {
        let processingDate = date()
        let certificates = certified.first
        guard var decided = try pipeline.decider(on: processingDate).decide([app], earlier: registry, history: life,
                                                                             certificates: certificates).first else { return }
        if let registered = alreadyRegistered, let account = app.wcbAccount {
            // A second registration for an account the program already holds is for staff, whatever its rules say.
            let when = registered.on.map { " on \($0)" } ?? ""
            let reason = Reason(code: "already-registered", severity: .review, field: "wcb_account_number", found: account,
                                message: "WCB account \(account) is already registered: accepted\(when) as \(registered.id). Staff will check what this submission is for.",
                                rule: "\(decided.edition.program)/\(decided.edition.edition)/already-registered",
                                label: pipeline.templates.registration.field("wcb_account_number")?.label)
            // It names the application on file (the rules' own reason, if they gave one, says less).
            decided = DecidedApplication(application: decided.application, edition: decided.edition, decision: .needsReview,
                                         reasons: decided.reasons.filter { $0.code != "already-registered" } + [reason],
                                         unconfirmed: decided.unconfirmed)
        }
        let ruled = ApplicationState(decided.decision)
        let state = pending ? .pending : (staff?.override?.decision ?? ruled)
        let folder = state.folder
        let dir = "\(out)/\(folder)/\(app.id)"
        var record = pipeline.record(decided)
        if pending { record = record.marked(.pending) }
        if let staff {
            let corrections = Dictionary(staff.corrections.map { ($0.field, $0) }, uniquingKeysWith: { $1 })
            record.corrections = corrections.isEmpty ? nil : corrections
            if let o = staff.override { record = record.marked(o.decision); record.override = o }
        }
        record.supersedes = supersedes.isEmpty ? nil : supersedes
        // Files in their final place; the record lists them there.
        var locations: [String: String] = [:]
        var seenFiles = Set<String>()
        for doc in app.documents where seenFiles.insert(doc.sha256).inserted {
            let original = stored[doc.sha256]?.originalName ?? newName
            let current = stored[doc.sha256]?.storedPath ?? doc.path
            var destination = "\(dir)/\(Self.safeName(original))"
            // Never onto another file: a rename would replace it.
            if locations.values.contains(destination) || (destination != current && Self.exists(destination)) {
                destination = "\(dir)/\(doc.sha256.prefix(8))-\(Self.safeName(original))"
            }
            locations[doc.sha256] = destination
            let extractedJSON = stored[doc.sha256] == nil
                ? String(decoding: try JSONEncoder().encode(app.documents.filter { $0.sha256 == doc.sha256 }.map(\.extracted)), as: UTF8.self)
                : nil
            filing.documents.append(.init(sha256: doc.sha256, kind: doc.kind.rawValue, state: pending ? .pending : .decided,
                                          applicationID: app.id, storedPath: destination, extractedJSON: extractedJSON))
            if current != destination { filing.moves.append((doc.sha256, current, destination)) }
            filing.events.append(.init(sha256: doc.sha256, applicationID: app.id, event: pending ? "pending" : "decided",
                                       detail: pending ? "waiting for its partner" : "\(state.rawValue): " + decided.reasons.map(\.code).joined(separator: ","),
                                       edition: decided.edition.edition, actor: staff?.actor))
        }
        record = record.relocated(locations)
        let searchText = record.searchText
        let person = app.registration?.kind == .registration ? app.registration?.trainee : nil
        if !pending, staff?.override == nil, decided.issued != nil { issuedToTell.append((decided, record.company)) }
        filing.applications.append(.init(
            id: app.id, wcbAccount: app.wcbAccount, companyKey: (app.registration ?? app.declaration)?.companyKey, state: state,
            submitted: app.submitted?.text, edition: decided.edition.edition,
            recordJSON: try JSONOutput.string(record),
            decision: pending ? nil : (Decision(rawValue: state.rawValue) ?? decided.decision, decided.edition.program, decided.edition.edition,
                                       decided.reasons),
            trainee: person.flatMap { p in app.wcbAccount.map { (p, $0) } },
            decidedOn: pending ? nil : processingDate, actor: staff?.actor))
        filing.applications[filing.applications.count - 1].searchText = searchText
        filing.applications[filing.applications.count - 1].program = decided.edition.program
        filing.applications[filing.applications.count - 1].form = app.documents.first?.kind.rawValue
        // What an accepted Alberta document does to the record is recorded with its decision (not a staff override's).
        if !pending && staff?.override == nil { filing.applications[filing.applications.count - 1].certificateChanges = decided.certificateChanges }
        logger.info("filed", metadata: ["sha256": "\(app.documents.last.map { String($0.sha256.prefix(12)) } ?? "")",
                                        "outcome": "\(folder)", "reasons": "\(decided.reasons.map(\.code).joined(separator: ","))"])
    }

    /// Marks `old` as replaced by `newID`: its documents that are not in the new application go
    /// with it to superseded/<old id>/, and its record names the application that replaced it.
    func supersede(_ old: Registry.StoredApplication, by newID: String, keeping: Set<String>, into filing: inout Registry.Filing) throws {
        let docs = try registry.documents(ofApplication: old.id).filter { !keeping.contains($0.sha256) }
        for d in docs where d.state == .pending || d.state == .decided {
            let dir = "\(out)/\(ApplicationState.superseded.folder)/\(old.id)"
            var destination = "\(dir)/\(Self.safeName(d.originalName))"
            if Self.exists(destination) { destination = "\(dir)/\(d.sha256.prefix(8))-\(Self.safeName(d.originalName))" }
            filing.documents.append(.init(sha256: d.sha256, kind: d.kind, state: .superseded, applicationID: old.id, storedPath: destination))
            if let from = d.storedPath, from != destination { filing.moves.append((d.sha256, from, destination)) }
        }
        // The record names its documents where they are once this filing's moves are made: those
        // it kept in the new application's folder, the rest where they were moved or left.
        var locations: [String: String] = [:]
        for d in try registry.documents(ofApplication: old.id) { if let stored = d.storedPath { locations[d.sha256] = stored } }
        for d in filing.documents { locations[d.sha256] = d.storedPath }
        var record = old.recordJSON.flatMap { try? JSONDecoder().decode(ApplicationRecord.self, from: Data($0.utf8)) }
        record = record?.marked(.superseded).relocated(locations)
        record?.supersededBy = newID
        filing.applications.append(.init(id: old.id, wcbAccount: old.wcbAccount, companyKey: old.companyKey, state: .superseded,
                                         submitted: nil, edition: nil,
                                         recordJSON: record.flatMap { try? JSONOutput.string($0) },
                                         decision: nil, trainee: nil))
        filing.events.append(.init(sha256: nil, applicationID: old.id, event: "superseded", detail: "by \(newID)", edition: nil))
    }


    // MARK: - Moves and records

    /// Recorded moves that could not be made for a reason not the document's (a folder that may
    /// not be written, a full disk), by source path: their files stay in the inbox, are not taken
    /// again, and the moves are tried again later. Other files go on being filed meanwhile.
    private(set) var blockedMoves: [String: FilingTrouble] = [:]

    /// Makes the recorded moves, except those of documents in `held` (their record could not be
    /// written), which wait with the others a filing trouble blocks.
    func makeMoves(holding held: [String: FilingTrouble] = [:]) throws {
        var blocked: [String: FilingTrouble] = [:]
        // A document whose move is blocked keeps its later moves too (in the order recorded): the
        // next one starts where the blocked one would have put it.
        var waiting = held
        var firstBlocked: (trouble: FilingTrouble, folder: String)? = nil
        for move in try registry.pendingMoves() {
            do {
                if let trouble = waiting[move.sha256] { throw trouble }
                try finish(move)
            } catch {
                guard let trouble = error as? FilingTrouble ?? FilingTrouble(error) else { throw error }
                waiting[move.sha256] = trouble
                if blocked[move.from] == nil { blocked[move.from] = trouble }
                if firstBlocked == nil { firstBlocked = (trouble, (move.to as NSString).deletingLastPathComponent) }
            }
        }
        // Said once for each trouble while it lasts, with a folder it stops (not a file's name:
        // applicants' names stay out of logs), not once per file or per try.
        let troubles = Set(blocked.values)
        if let firstBlocked, !troubles.isSubset(of: Set(blockedMoves.values)) {
            logger.error("cannot file \(blocked.count) decided document(s): \(firstBlocked.trouble); they stay where they are and are filed once that is put right",
                         metadata: ["to": "\(firstBlocked.folder)"])
        }
        if !blockedMoves.isEmpty && blocked.isEmpty { logger.notice("decided documents filed again") }
        blockedMoves = blocked
    }

    /// What follows every commit, in this order: each touched application's record in its
    /// folder, the moves the commit recorded, the folders they emptied removed, then letters
    /// and worksheets (made from what is now in place). Recovery after a crash runs the same.
    /// An application whose record could not be written for a filing trouble keeps its files where
    /// they are (a file is never filed without its record); the others go on.
    func afterCommit(_ ids: Set<String>, holding held: [String: FilingTrouble] = [:]) throws {
        let unwritten = try writeRecords(for: ids)
        var holding = held
        for (id, trouble) in unwritten {
            for d in try registry.documents(ofApplication: id) { holding[d.sha256] = trouble }
        }
        try makeMoves(holding: holding)
        let written = ids.subtracting(unwritten.keys)
        removeEmptyFolders(for: written)
        writeLetters(for: written)
        let day = date()
        for i in issuedToTell { try writer.writeIssued(by: i.decided, company: i.company, date: day, into: URL(fileURLWithPath: out)) }
        issuedToTell = []
    }

    /// Writes each application's record.json into its folder, and removes it from where it was.
    /// Returns the applications whose record could not be written for a filing trouble.
    func writeRecords(for ids: Set<String>) throws -> [String: FilingTrouble] {
        var unwritten: [String: FilingTrouble] = [:]
        for id in ids.sorted() {
            guard let app = try registry.application(id: id), let json = app.recordJSON else { continue }
            let folder = app.state.folder
            let dir = "\(out)/\(folder)/\(id)"
            if let trouble = try writeRecord(json, into: dir) {
                unwritten[id] = trouble
                continue
            }
            for other in ApplicationState.folders where other != folder {
                try? FileManager.default.removeItem(atPath: "\(out)/\(other)/\(id)/record.json")
            }
        }
        return unwritten
    }

    /// Letters, annotated copies and worksheets, once the documents are in place. They are made
    /// from the record and the documents, so a failure here loses nothing: it is logged.
    func writeLetters(for ids: Set<String>) {
        for id in ids.sorted() {
            guard let app = try? registry.application(id: id), let json = app.recordJSON,
                  let record = try? JSONDecoder().decode(ApplicationRecord.self, from: Data(json.utf8)),
                  record.decision.isDecided else { continue }
            let dir = URL(fileURLWithPath: "\(out)/\(app.state.folder)/\(id)")
            do {
                // Dated as decided, so letters written again are the same letters.
                let decidedOn = (try? registry.latestDecision(of: id))??.decidedOn ?? date()
                try writer.write(record, into: dir, date: decidedOn)
            } catch {
                logger.error("letters not written", metadata: ["application": "\(id)", "error": "\(error)"])
            }
        }
    }

    /// Folders an application has left, once its files are out of them.
    /// The day's `summary.html`, `accepted.csv` and `results.jsonl` in OUT, as `process --out`
    /// writes them, from what the registry says was decided on the processing date: written
    /// again after a look at the inbox that filed something, and after staff decide.
    public func writeDaySummary() {
        let day = date()
        do {
            let records = try registry.decided(from: day, to: day).compactMap { app, _ -> ApplicationRecord? in
                guard let json = app.recordJSON, let r = try? JSONDecoder().decode(ApplicationRecord.self, from: Data(json.utf8)),
                      r.decision.isDecided else { return nil }
                return r
            }
            try DaySummary(date: day, applications: records, unmatched: []).write(into: URL(fileURLWithPath: out))
        } catch {
            logger.error("the day's summary was not written", metadata: ["error": "\(error)"])
        }
    }

    /// An id stands in one folder: the office's own files (record, letters, worksheet, crops,
    /// annotated copies) go from the folders it has left, and those folders once empty. A file
    /// the registry holds as a document's is never removed here.
    func removeEmptyFolders(for ids: Set<String>) {
        let fm = FileManager.default
        for id in ids {
            let current = (try? registry.application(id: id))??.state.folder
            let documents = Set(((try? registry.documents(ofApplication: id)) ?? []).compactMap(\.storedPath))
            for folder in ApplicationState.folders {
                let dir = "\(out)/\(folder)/\(id)"
                guard let left = try? fm.contentsOfDirectory(atPath: dir) else { continue }
                if folder != current {
                    for name in left where Self.isOfficeOutput(name) && !documents.contains("\(dir)/\(name)") {
                        // What was sent about a superseded application stays with it, as history.
                        let kept = "\(out)/\(ApplicationState.superseded.folder)/\(id)/\(name)"
                        if current == ApplicationState.superseded.folder && name != "record.json" && !Self.exists(kept) {
                            try? fm.moveItem(atPath: "\(dir)/\(name)", toPath: kept)
                        } else {
                            try? fm.removeItem(atPath: "\(dir)/\(name)")
                        }
                    }
                }
                if let left = try? fm.contentsOfDirectory(atPath: dir), left.isEmpty {
                    try? fm.removeItem(atPath: dir)
                }
            }
        }
    }

    /// What the office writes into an application's folder.
    public static func isOfficeOutput(_ name: String) -> Bool {
        ["record.json", "review.html", "letter.txt", "letter.html", "letter.pdf", "crops"].contains(name) || name.hasPrefix("annotated-")
    }

    // MARK: - Names

    /// A file name safe to create: no folders, no control characters, no leading dots.
    public static func safeName(_ name: String) -> String {
        var cleaned = String(name.unicodeScalars.map { scalar -> Character in
            scalar.value < 0x20 || scalar == "/" || scalar == "\\" ? "_" : Character(scalar)
        })
        while cleaned.hasPrefix(".") { cleaned.removeFirst() }
        if cleaned.isEmpty { cleaned = "document" }
        return String(cleaned.prefix(200))
    }

    static func exists(_ path: String) -> Bool { DurableFiles.stamp(path) != nil }

    /// When a document was received (the registry writes RFC 3339 times).
    static func receivedTime(_ d: Registry.Document) -> Date? {
        SubmissionTime(iso8601: d.receivedAt)?.instant
    }
}
