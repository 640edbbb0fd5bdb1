import Foundation
import Logging
import SecorCore
import SecorOutput
import SecorPipeline
import SecorRegistry
import SecorSupport
import Poppler
import Imaging

/// What staff do after the program has decided, as commands over the registry and OUT: the review
/// queue, confirming and correcting values, deciding again, a supervisor's override, history,
/// search, letters again and exports. Every action is recorded in the event log with who did it;
/// the applicant's files are never altered (a correction is a value beside the value read).
public final class StaffDesk {
    public let filer: Filer
    public var registry: Registry { filer.registry }
    let pipeline: IntakePipeline

    /// The registry and OUT the watcher uses; `asOf` dates decisions made now (default: today).
    public init(out: String, database: String, asOf: CalendarDate? = nil, office: Office = .unnamed) throws {
        guard Registry.isDatabaseURL(database) || FileManager.default.fileExists(atPath: database) else {
            throw StaffError("no registry at \(database): name OUT as the watcher was given it (--out), or the registry (--db)")
        }
        let registry = try Registry(path: database)
        pipeline = try IntakePipeline.shipped()
        filer = Filer(out: URL(fileURLWithPath: out).standardizedFileURL.path, registry: registry, pipeline: pipeline,
                      logger: Logger(label: "secor.staff"), office: office, date: { asOf ?? .today() })
    }

    /// The forms' templates (field names and labels).
    public var templates: FormTemplates { pipeline.templates }

    /// The processing date decisions made now take.
    public var processingDate: CalendarDate { filer.date() }

    /// A field's label as printed on its form, by the name records use.
    public func label(_ name: String, form: DocumentKind = .registration) -> String? {
        guard let f = RecordField(name, templates: pipeline.templates, form: form) else { return nil }
        return pipeline.templates.template(for: f.kind)?.field(f.key)?.label
    }

    // MARK: - Reading what the registry holds

    func stored(_ id: String) throws -> (Registry.StoredApplication, ApplicationRecord) {
        guard let app = try registry.application(id: id) else { throw StaffError("no application \(id) in the registry (try: secor-intake find TEXT)") }
        guard let json = app.recordJSON, let record = try? JSONDecoder().decode(ApplicationRecord.self, from: Data(json.utf8)) else {
            throw StaffError("application \(id) has no record in the registry")
        }
        return (app, record)
    }

    /// A field's value as read, by the name records use (`declaration_signer_name`).
    static func read(_ r: ApplicationRecord, _ field: RecordField) -> String {
        r.asWritten[field.slot]?[field.key] ?? ""
    }

    /// When its first document came in.
    func received(_ id: String) throws -> String {
        try registry.documents(ofApplication: id).map(\.receivedAt).min() ?? ""
    }

    // MARK: - review list / show

    public struct QueueEntry: Sendable {
        public let id: String
        public let company: String
        public let account: String
        public let received: String
        /// The fields its review reasons name.
        public let doubtful: [String]
    }

    /// Applications in review, oldest first: at most `limit` of them (the queue's head).
    public func reviewQueue(limit: Int = 10_000) throws -> [QueueEntry] {
        try registry.oldestFirst(in: .needsReview, limit: limit).applications.compactMap { app, received -> QueueEntry? in
            guard let listed = app.listed else { return nil }
            return QueueEntry(id: app.id, company: listed.company, account: listed.account, received: received, doubtful: listed.doubtful)
        }
    }

    /// How many applications are in review.
    public func reviewCount() throws -> Int { try registry.oldestFirst(in: .needsReview, limit: 1).count }

    public func reviewListText() throws -> String {
        let queue = try reviewQueue()
        if queue.isEmpty { return "No applications in review.\n" }
        var out = "\(queue.count) application\(queue.count == 1 ? "" : "s") in review, oldest first\n\n"
        let rows = [["APPLICATION", "COMPANY", "WCB", "RECEIVED", "DOUBTFUL FIELDS"]]
            + queue.map { [$0.id, $0.company, $0.account, String($0.received.prefix(19)), $0.doubtful.joined(separator: ", ")] }
        out += Self.table(rows)
        return out
    }

    /// Every field of an application: the value read, how sure, from where, any value staff set,
    /// and a crop of the page where a scanned value was read (written beside the application).
    public func showText(_ id: String) throws -> String {
        let (app, record) = try stored(id)
        let corrections = Dictionary(try registry.corrections(of: id).map { ($0.field, $0) }, uniquingKeysWith: { $1 })
            .merging(record.corrections ?? [:]) { newer, _ in newer }
        let dir = URL(fileURLWithPath: "\(filer.out)/\(app.state.folder)/\(id)")
        let crops = (try? OutputWriter(library: pipeline.library).writeCrops(record, into: dir.appendingPathComponent("crops"))) ?? [:]
        var out = "Application \(id): \(app.state.words)\n"
        out += "Company \(record.company), WCB account \(record.account), received \(String(try received(id).prefix(19)))\n"
        if let o = record.override { out += "Overridden to \(o.decision.words) by \(o.by) on \(o.at.prefix(10)): \(o.reason)\n" }
        out += "\nDocuments\n"
        for d in record.documents { out += "  \(d.kind)  \(d.path)\n" }
        out += "\nFields\n"
        var rows = [["FIELD", "READ", "CONFIDENCE", "SOURCE", "STAFF", "CROP"]]
        for name in RecordField.names(pipeline.templates, form: record.mainForm) {
            guard let field = RecordField(name, templates: pipeline.templates, form: record.mainForm),
                  record.asWritten[field.slot] != nil else { continue }
            let reading = record.readings[name]
            let staff = corrections[name].map { c in (c.confirms ? "confirmed" : "set “\(c.value)”") + " by \(c.by)" } ?? ""
            rows.append([name, Self.read(record, field), reading.map { String(format: "%.2f", $0.confidence) } ?? "",
                         reading?.source.rawValue ?? "", staff, crops[name] ?? ""])
        }
        out += Self.table(rows, indent: "  ")
        out += "\nReasons\n"
        if record.reasons.isEmpty { out += "  none\n" }
        for r in record.reasons { out += "  [\(r.severity.rawValue)] \(r.field ?? r.code): \(r.message)\n" }
        if let unconfirmed = record.unconfirmed { out += "\nUnconfirmed (read without confidence; no rule reads them): \(unconfirmed.joined(separator: ", "))\n" }
        return out
    }

    // MARK: - review set / decide

    /// Records staff's values for fields of an application in review: `FIELD=VALUE` corrects,
    /// `FIELD=` (nothing after the sign) confirms the value read. Nothing is decided yet.
    @discardableResult
    public func set(_ id: String, assignments: [String], by actor: String, note: String?) throws -> [StaffCorrection] {
        let (app, record) = try stored(id)
        guard app.state == .needsReview else {
            throw StaffError("application \(id) is \(app.state.words); only an application in review is corrected (a supervisor may use override)")
        }
        var filing = Registry.Filing()
        var made: [StaffCorrection] = []
        let at = Registry.now()
        for assignment in assignments {
            guard let eq = assignment.firstIndex(of: "=") else { throw StaffError("“\(assignment)” is not FIELD=VALUE") }
            let name = String(assignment[..<eq]).trimmingCharacters(in: .whitespaces)
            let given = String(assignment[assignment.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
            guard let field = RecordField(name, templates: pipeline.templates, form: record.mainForm) else {
                throw StaffError("no field “\(name)” on the forms; fields are: \(RecordField.names(pipeline.templates, form: record.mainForm).joined(separator: ", "))")
            }
            guard record.asWritten[field.slot] != nil else {
                throw StaffError("application \(id) has no \(field.kind.rawValue) to set \(name) on")
            }
            let read = Self.read(record, field)
            let correction = StaffCorrection(field: name, value: given.isEmpty ? read : given, read: read, by: actor, at: at, note: note)
            made.append(correction)
            filing.corrections.append((id, correction))
            filing.events.append(.init(sha256: nil, applicationID: id, event: correction.confirms ? "confirmed" : "corrected",
                                       detail: "\(name): read “\(read)”" + (correction.confirms ? "" : ", set “\(correction.value)”")
                                           + (note.map { " (\($0))" } ?? ""),
                                       edition: nil, actor: actor))
        }
        try registry.commit(filing)
        return made
    }

    /// What deciding again made of an application: its state and folder, and the fields still in doubt.
    public struct Outcome: Sendable {
        public let id: String
        public let state: ApplicationState
        public let folder: String
        public let stillDoubtful: [String]

        public var text: String {
            var out = "\(id): \(state.words), filed in \(folder)\n"
            if !stillDoubtful.isEmpty { out += "Still in doubt: \(stillDoubtful.joined(separator: ", "))\n" }
            return out
        }
    }

    /// The rules run again over the documents as read, with staff's values in place; the
    /// application is filed as the rules now say (accepted or rejected, with its letters), or
    /// stays in review naming what is still in doubt.
    public func decide(_ id: String, by actor: String) throws -> Outcome {
        let (app, _) = try stored(id)
        guard app.state == .needsReview else {
            throw StaffError("application \(id) is \(app.state.words); only an application in review is decided again (a supervisor may use override)")
        }
        return try file(id, staff: StaffDecision(actor: actor, corrections: try registry.corrections(of: id)), event: "review decided")
    }

    /// A supervisor's decision against the rules, with its reason in the record and the letter.
    public func override(_ id: String, decision: ApplicationState, reason: String, by actor: String) throws -> Outcome {
        let (app, _) = try stored(id)
        guard [.accepted, .rejected, .needsReview].contains(app.state) else {
            throw StaffError("application \(id) is \(app.state.words); only a decided application can be overridden")
        }
        guard decision == .accepted || decision == .rejected else { throw StaffError("an override decides accepted or rejected") }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw StaffError("an override needs its reason (--reason)") }
        let o = StaffOverride(decision: decision, reason: reason, by: actor, at: Registry.now())
        return try file(id, staff: StaffDecision(actor: actor, corrections: try registry.corrections(of: id), override: o),
                        event: "overridden", detail: "\(decision.words): \(reason)")
    }

    /// Decides the application's documents again as staff say, and files it.
    func file(_ id: String, staff: StaffDecision, event: String, detail: String? = nil) throws -> Outcome {
        let (app, holding) = try assembled(id, corrections: staff.corrections)
        let onFile = Dictionary(uniqueKeysWithValues: holding.map { ($0.document.sha256, $0.document) })
        // Decided as the watchers decide: one at a time across the office (rule 5, certificates).
        let state = try registry.deciding(Registry.intents(app.documents)) { () -> ApplicationState in
            var filing = Registry.Filing()
            let previous = (try? registry.application(id: id))??.recordJSON
                .flatMap { try? JSONDecoder().decode(ApplicationRecord.self, from: Data($0.utf8)) }
            try filer.plan(app, pending: false, stored: onFile, newName: "", into: &filing, staff: staff,
                           supersedes: previous?.supersedes ?? [])
            let state = filing.applications.first?.state ?? .needsReview
            filing.events.append(.init(sha256: nil, applicationID: id, event: event, detail: detail ?? state.words, edition: nil, actor: staff.actor))
            try registry.commit(filing)
            return state
        }
        try filer.afterCommit([id])
        filer.writeDaySummary()
        let (_, record) = try stored(id)
        var doubtful: [String] = []
        for r in record.reasons where state == .needsReview && r.severity == .review && !doubtful.contains(r.field ?? r.code) {
            doubtful.append(r.field ?? r.code)
        }
        return Outcome(id: id, state: state, folder: "\(filer.out)/\(state.folder)/\(id)", stillDoubtful: doubtful)
    }

    /// What the rules would decide with these values in place, without filing anything: for the
    /// workstation, to show the decision before staff commit it.
    public func preview(_ id: String, values: [String: String], by actor: String) throws -> (state: ApplicationState, reasons: [Reason]) {
        let (app, record) = try stored(id)
        let at = Registry.now()
        var corrections = try registry.corrections(of: id)
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            guard let field = RecordField(name, templates: pipeline.templates, form: record.mainForm) else { throw StaffError("no field “\(name)” on the forms") }
            let read = Self.read(record, field)
            corrections.removeAll { $0.field == name }
            corrections.append(StaffCorrection(field: name, value: value.isEmpty ? read : value, read: read, by: actor, at: at))
        }
        let (one, _) = try assembled(app.id, corrections: corrections)
        guard let decided = try pipeline.decider(on: filer.date()).decide([one], earlier: registry, history: filer.life,
                                                                         certificates: filer.certified.first).first else {
            throw StaffError("no edition of the program was in effect for application \(id)")
        }
        return (ApplicationState(decided.decision), decided.reasons)
    }

    /// The application's documents on file, read as they were with staff's values in place,
    /// as one application under its own id (they belong together as filed, whatever their values now say).
    func assembled(_ id: String, corrections: [StaffCorrection]) throws -> (Application, [Filer.Held]) {
        let holding = filer.held(try registry.documents(ofApplication: id).filter { $0.state == .decided })
        let receipts = holding.enumerated().map { index, h -> Receipt<ReceivedDocument> in
            var read = h.read
            read.documents = read.documents.map { $0.correcting(corrections, templates: pipeline.templates) }
            return pipeline.receive(read, index: index)
        }
        let all = pipeline.assemble(receipts).applications
        guard var app = all.first else { throw StaffError("application \(id) has no documents on file to decide from") }
        for other in all.dropFirst() {
            app.registration = app.registration ?? other.registration
            app.declaration = app.declaration ?? other.declaration
            app.files += other.files
        }
        app.id = id
        return (app, holding)
    }

    /// The fields staff should look at: those its review reasons name, and those read without confidence.
    public func doubtfulFields(_ record: ApplicationRecord) -> [String] {
        var names: [String] = []
        for r in record.reasons where r.severity == .review {
            if let f = r.field, RecordField(f, templates: pipeline.templates, form: record.mainForm) != nil, !names.contains(f) { names.append(f) }
        }
        let threshold = pipeline.library.editions.first { $0.program == record.program && $0.edition == record.edition }?.reviewBelowConfidence ?? 0.8
        for name in RecordField.names(pipeline.templates, form: record.mainForm) where !names.contains(name) {
            if let r = record.readings[name], r.source != .staff, r.confidence < threshold { names.append(name) }
        }
        return names
    }

    /// The record as it stands, and where its folder is.
    public func application(_ id: String) throws -> (state: ApplicationState, record: ApplicationRecord, folder: URL) {
        let (app, record) = try stored(id)
        return (app.state, record, URL(fileURLWithPath: "\(filer.out)/\(app.state.folder)/\(id)"))
    }

    /// The values staff set, latest per field.
    public func corrections(_ id: String) throws -> [StaffCorrection] { try registry.corrections(of: id) }

    /// The history of one application, oldest first.
    public func events(_ id: String) throws -> [Registry.Event] { try registry.events(applications: [id]) }

    /// An applicant's document of this application, by its digest: its name and bytes. Served by
    /// id and digest, never by a path from a request.
    public func document(_ id: String, sha256: String) throws -> (name: String, data: Data)? {
        guard let d = try registry.documents(ofApplication: id).first(where: { $0.sha256 == sha256 }), let path = d.storedPath,
              let data = FileManager.default.contents(atPath: path) else { return nil }
        return (d.originalName, data)
    }

    /// One page of an application's document as PNG, `scale` pixels per point.
    public func pageImage(_ id: String, sha256: String, page: Int, scale: Double) throws -> Data? {
        guard let (_, data) = try document(id, sha256: sha256), let pdf = try? PDFDocument(data: data),
              let p = pdf.page(at: page - 1) else { return nil }
        return p.renderPNG(region: Box(x: 0, y: 0, width: p.size.width, height: p.size.height), scale: scale)
    }

    /// The crop of the page where a field was read, as PNG.
    public func crop(_ id: String, field: String) throws -> Data? {
        let (_, record) = try stored(id)
        guard let reading = record.readings[field], let path = reading.document, let page = reading.page, let box = reading.box,
              let doc = record.documents.first(where: { $0.path == path }),
              let (_, data) = try document(id, sha256: doc.sha256), let pdf = try? PDFDocument(data: data),
              let p = pdf.page(at: page - 1) else { return nil }
        return p.renderPNG(region: Box(x: box.x - 8, y: box.y - 6, width: box.width + 16, height: box.height + 12), scale: 2)
    }

    /// One of the office's files in the application's folder (a letter, a marked copy), by name.
    public func officeFile(_ id: String, name: String) throws -> Data? {
        guard Filer.isOfficeOutput(name), !name.contains("/"), name != "crops" else { return nil }
        let (app, _) = try stored(id)
        return FileManager.default.contents(atPath: "\(filer.out)/\(app.state.folder)/\(id)/\(name)")
    }

    // MARK: - history / find

    /// Every event of an application, or of every application for a WCB account, oldest first.
    public func historyText(_ key: String) throws -> String {
        var ids: [String]
        if try registry.application(id: key) != nil {
            ids = [key]
        } else {
            let digits = key.filter(\.isNumber)
            ids = try registry.applications(account: digits).map(\.id)
            guard !ids.isEmpty else { throw StaffError("no application or WCB account “\(key)” in the registry") }
        }
        // An application's history goes on in what superseded it, and back to what it superseded.
        var i = 0
        while i < ids.count {
            if let (_, r) = try? stored(ids[i]) {
                for other in [r.supersededBy].compactMap({ $0 }) + (r.supersedes ?? []) where !ids.contains(other) { ids.append(other) }
            }
            i += 1
        }
        let events = try registry.events(applications: ids)
        var rows = [["WHEN", "WHO", "APPLICATION", "EVENT", "DETAIL"]]
        for e in events {
            rows.append([String(e.at.prefix(19)), e.actor ?? "secor-intake", e.applicationID ?? "", e.event, e.detail ?? ""])
        }
        return Self.table(rows)
    }

    public struct Found: Sendable {
        public let id: String
        public let state: ApplicationState
        public let company: String
        public let account: String
    }

    /// Applications whose id, WCB account, company, operating name, trained employee or signer
    /// holds every word of `text` (case and accents aside), most recently changed first.
    public func find(_ text: String, limit: Int = 200) throws -> [Found] {
        let words = ApplicationRecord.folded(text).split(separator: " ").map(String.init)
        guard !words.isEmpty else { throw StaffError("give some text to find") }
        let (indexed, unindexed) = try registry.search(words, limit: limit)
        var found: [Found] = []
        func add(_ app: Registry.StoredApplication, _ r: some NamesTheCompany) {
            found.append(Found(id: app.id, state: app.state, company: r.company, account: r.account))
        }
        for app in indexed {
            guard let listed = app.listed else { continue }
            found.append(Found(id: app.id, state: app.state, company: listed.company, account: listed.account))
        }
        // Applications recorded before search was kept are looked at one by one.
        for app in unindexed where found.count < limit {
            guard let json = app.recordJSON, let r = try? JSONDecoder().decode(ApplicationRecord.self, from: Data(json.utf8)) else { continue }
            let haystack = r.searchText
            if words.allSatisfy(haystack.contains) { add(app, r) }
        }
        return found
    }

    public func findText(_ text: String) throws -> String {
        let found = try find(text)
        if found.isEmpty { return "Nothing found for “\(text)”.\n" }
        return Self.table([["APPLICATION", "STATE", "COMPANY", "WCB"]] + found.map { [$0.id, $0.state.words, $0.company, $0.account] })
    }

    // MARK: - letter / export

    /// Writes an application's letters again into `dir`, dated as first written: the same bytes.
    public func letters(_ id: String, into dir: URL) throws -> [String] {
        let (_, record) = try stored(id)
        guard let decision = try registry.latestDecision(of: id) else { throw StaffError("application \(id) has not been decided") }
        let date = decision.decidedOn ?? filer.date()
        let written = try filer.writer.writeLetters(record, into: dir, date: date)
        guard !written.isEmpty else { throw StaffError("application \(id) is \(record.decision.words): it has no letter") }
        return written
    }

    public enum ExportFormat: String, Sendable, CaseIterable { case csv, jsonl }

    /// What was decided on the processing dates from `from` to `to`, as decided (the same ids,
    /// dates and records), from the registry: nothing is decided again. CSV has the accepted
    /// applications' rows, as the day's `accepted.csv`; JSON lines have every decided record.
    public func export(from: CalendarDate, to: CalendarDate, format: ExportFormat) throws -> String {
        var out = format == .csv ? DaySummary.csvHeader : ""
        for (app, decision) in try registry.decided(from: from, to: to) {
            guard let json = app.recordJSON, let record = try? JSONDecoder().decode(ApplicationRecord.self, from: Data(json.utf8)),
                  record.decision.isDecided else { continue }
            switch format {
            case .csv: if let row = DaySummary.csvRow(record, date: decision.decidedOn ?? from) { out += row }
            case .jsonl: out += try DaySummary.jsonLine(record)
            }
        }
        return out
    }

    // MARK: - Tables

    /// Columns padded to their widest cell.
    static func table(_ rows: [[String]], indent: String = "") -> String {
        guard let first = rows.first else { return "" }
        var widths = first.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            indent + row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
        }.joined()
    }
}

public struct StaffError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
