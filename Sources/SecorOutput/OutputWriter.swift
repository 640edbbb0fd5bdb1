import Foundation
import Poppler
import SecorCore
import SecorSupport
import Imaging

/// What the office sends and keeps, written beside each application: `record.json`; for a
/// rejected application the letter (text, HTML, PDF) and an annotated copy of each PDF the
/// applicant sent; for one in review, a worksheet for staff. And the day's summary.
public struct OutputWriter: Sendable {
    public let letters: LetterWriter

    public init(library: ProgramLibrary, office: Office = .unnamed) { letters = LetterWriter(library: library, office: office) }

    /// Writes everything for one application into `dir` (which holds, or will hold, its documents).
    public func write(_ record: ApplicationRecord, into dir: URL, date: CalendarDate) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileReplacement.replace(dir.appendingPathComponent("record.json")) { try Data(JSONOutput.string(record).utf8).write(to: $0) }
        if try !writeLetters(record, into: dir, date: date).isEmpty, record.decision == .rejected {
            try annotate(record, into: dir)
        }
        if record.decision == .needsReview {
            try FileReplacement.replace(dir.appendingPathComponent("review.html")) { try Data(reviewSheet(record).utf8).write(to: $0) }
        }
    }

    /// The letter for the application as text, HTML and PDF, dated `date`; the names written
    /// (none when its state has no letter).
    @discardableResult
    public func writeLetters(_ record: ApplicationRecord, into dir: URL, date: CalendarDate) throws -> [String] {
        guard let letter = letters.letter(for: record, date: date) else { return [] }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileReplacement.replace(dir.appendingPathComponent("letter.txt")) { try Data(letter.text.utf8).write(to: $0) }
        try FileReplacement.replace(dir.appendingPathComponent("letter.html")) { try Data(letter.html.utf8).write(to: $0) }
        try FileReplacement.replace(dir.appendingPathComponent("letter.pdf")) { try writeTextPDF(Self.blocks(letter), to: $0, created: "\(date)T00:00:00Z", creator: Self.creator) }
        return ["letter.txt", "letter.html", "letter.pdf"]
    }

    /// Each notice's letter, in OUT/notices/<date>-<wcb>-<kind>/.
    public func writeNotices(_ notices: [LifeNotice], messages: [String: String], date: CalendarDate, into out: URL) throws {
        for n in notices {
            let letter = letters.letter(for: n, reference: n.registration, messages: messages, date: date)
            try writeNotice(letter, into: out.appendingPathComponent("notices/\(date)-\(n.wcb)-\(n.kind)"), date: date)
        }
    }

    /// The letter for the certificate `decided` issued, if it issued one, into `OUT/notices/DATE-WCB-issued/`,
    /// in the words of the edition that decided it.
    public func writeIssued(by decided: DecidedApplication, company: String, date: CalendarDate, into out: URL) throws {
        guard let issued = decided.issued, let terms = decided.edition.certificates else { return }
        let letter = letters.letter(for: issued, company: company, auditType: decided.application.registration?.auditType?.rawValue ?? "",
                                    messages: terms.messages, date: date)
        try writeNotice(letter, into: out.appendingPathComponent("notices/\(date)-\(issued.wcb)-issued"), date: date)
    }

    /// A notice to a company (a removal, an audit overdue) as text, HTML and PDF, into `dir`.
    public func writeNotice(_ letter: Letter, into dir: URL, date: CalendarDate) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileReplacement.replace(dir.appendingPathComponent("notice.txt")) { try Data(letter.text.utf8).write(to: $0) }
        try FileReplacement.replace(dir.appendingPathComponent("notice.html")) { try Data(letter.html.utf8).write(to: $0) }
        try FileReplacement.replace(dir.appendingPathComponent("notice.pdf")) {
            try writeTextPDF(Self.blocks(letter), to: $0, created: "\(date)T00:00:00Z", creator: Self.creator)
        }
    }

    /// A PNG of the page around each field read from a scan that a reason names or that was read
    /// without confidence, for staff checking it; the paths, by field.
    public func writeCrops(_ record: ApplicationRecord, into dir: URL) throws -> [String: String] {
        var documents: [String: PDFDocument] = [:]
        var written: [String: String] = [:]
        let named = Set(record.reasons.compactMap(\.field))
        for (name, reading) in record.readings.sorted(by: { $0.key < $1.key }) where named.contains(name) || reading.confidence < 0.8 {
            guard reading.source == .ocr || reading.source == .ink, let path = reading.document, let page = reading.page,
                  let box = reading.box else { continue }
            if documents[path] == nil, let data = FileManager.default.contents(atPath: path) { documents[path] = try? PDFDocument(data: data) }
            guard let png = documents[path]?.page(at: page - 1)?.renderPNG(
                region: Box(x: box.x - 8, y: box.y - 6, width: box.width + 16, height: box.height + 12), scale: 2) else { continue }
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let url = dir.appendingPathComponent("\(name).png")
            try FileReplacement.replace(url) { try png.write(to: $0) }
            written[name] = url.path
        }
        return written
    }

    /// How the office's own PDFs name their maker (letters; annotated copies carry it too), so one
    /// that comes back in is known for what it is.
    public static let creator = Office.outputCreator

    static func blocks(_ letter: Letter) -> [TextBlock] {
        var blocks: [TextBlock] = letter.letterhead.enumerated().map { $0 == 0 ? .heading($1) : .paragraph($1) } + [.space(10), .paragraph(letter.date), .space(8)]
        let to = [letter.signer.isEmpty ? "" : letter.signer + (letter.signerTitle.isEmpty ? "" : ", \(letter.signerTitle)"), letter.company]
            + letter.addressLines
        for line in to where !line.isEmpty { blocks.append(.paragraph(line)) }
        blocks += [.space(8), .paragraph("Reference: \(letter.reference)"), .space(6), .title(letter.title), .space(4),
                   .paragraph(letter.greeting), .paragraph(letter.opening)]
        for (n, e) in letter.entries.enumerated() {
            blocks.append(.heading("\(n + 1). \(e.label)"))
            blocks.append(.field(label: "WHAT WE READ", text: e.found))
            blocks.append(.field(label: "WHAT THE PROGRAM REQUIRES", text: e.requirement))
            if let rule = e.programText { blocks.append(.field(label: "FROM THE PROGRAM'S REQUIREMENTS", text: "\u{201C}\(rule)\u{201D}")) }
            if let action = letter.action(e) { blocks.append(.field(label: e.actionLabel.uppercased(), text: action)) }
        }
        blocks.append(.space(8))
        for line in letter.closing { blocks.append(.paragraph(line)) }
        return blocks
    }

    /// Each PDF the applicant sent that has a problem field, marked: the page widened by a
    /// column where each problem is printed beside its box, numbered, with the box outlined in
    /// red (and an outline annotation carrying the message for viewers that list them). The
    /// applicant's writing stays visible. The copy says it is the office's, so it is refused if it comes back in.
    func annotate(_ record: ApplicationRecord, into dir: URL) throws {
        let marked = record.reasons.filter { $0.severity == .reject && $0.box != nil && $0.page != nil && $0.document != nil }
        for doc in record.documents where doc.path.lowercased().hasSuffix(".pdf") || isPDF(doc.path) {
            guard let data = FileManager.default.contents(atPath: doc.path), let pdf = try? PDFDocument(data: data) else { continue }
            let mine = marked.filter { $0.document == doc.path }
            // Nothing to mark, no copy: an unmarked copy would be the applicant's bytes filed twice.
            guard !mine.isEmpty else { continue }
            let notes = mine.compactMap { r -> MarginNote? in
                guard let box = r.box, let page = r.page, page >= 1, page <= pdf.pageCount else { return nil }
                return MarginNote(page: page - 1, box: box, text: Letter.labelled(r.label ?? r.field ?? "Problem", r.message))
            }
            let name = "annotated-" + (doc.path as NSString).lastPathComponent
            try FileReplacement.replace(dir.appendingPathComponent(name)) { url in
                try writeMarkedCopy(pdf, notes: notes, to: url, creator: Self.creator)
                let copy = try PDFDocument(data: Data(contentsOf: url))
                for note in notes {
                    copy.page(at: note.page)?.addOutline(rect: Box(x: note.box.x - 2, y: note.box.y - 2, width: note.box.width + 4,
                                                                   height: note.box.height + 4), note: note.text)
                }
                copy.creator = Self.creator
                try copy.save(to: url)
            }
        }
    }

    private func isPDF(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return DocumentFormat(sniffing: handle.readData(ofLength: 1024)) == .pdf
    }

    /// A worksheet for staff: each doubtful field, the value read, how sure, and (for scans) the crop it was read from.
    func reviewSheet(_ record: ApplicationRecord) -> String {
        var rows = ""
        var documents: [String: PDFDocument] = [:]
        for r in record.reasons where r.severity == .review {
            let reading = r.field.flatMap { record.readings[$0] }
            var crop = ""
            if let reading, let path = reading.document, let page = reading.page, let box = reading.box,
               reading.source == .ocr || reading.source == .ink {
                if documents[path] == nil, let data = FileManager.default.contents(atPath: path) { documents[path] = try? PDFDocument(data: data) }
                if let png = documents[path]?.page(at: page - 1)?.renderPNG(
                    region: Box(x: box.x - 8, y: box.y - 6, width: box.width + 16, height: box.height + 12), scale: 2) {
                    crop = "<img alt=\"where it was read\" src=\"data:image/png;base64,\(png.base64EncodedString())\">"
                }
            }
            let confidence = reading.map { String(format: "%.0f%%", $0.confidence * 100) } ?? ""
            rows += "<tr><td>\(HTML.escape(r.label ?? r.field ?? ""))</td><td>\(HTML.escape(r.found ?? ""))</td>"
                + "<td>\(HTML.escape(reading?.source.rawValue ?? ""))</td><td>\(confidence)</td><td>\(crop)</td>"
                + "<td>\(HTML.escape(r.message))</td></tr>\n"
        }
        let company = record.company
        let body = """
            <h1>Review: \(HTML.escape(company))</h1>
            <p>Application \(HTML.escape(record.id)), WCB account \(HTML.escape(record.account)),
            submitted \(HTML.escape(record.submitted ?? "")). Check each field below against the document, then decide.</p>
            <table><thead><tr><th>Field</th><th>Read</th><th>How</th><th>Confidence</th><th>On the page</th><th>Why it is here</th></tr></thead>
            <tbody>
            \(rows)</tbody></table>
            """
        return HTML.page(title: "Review: \(company)", style: Self.sheetStyle, body: body)
    }

    static let sheetStyle = """
        body { font-family: "Nimbus Sans", Helvetica, Arial, sans-serif; margin: 2em; color: #1b1b1b; }
        h1 { font-size: 1.3em; color: #1f3a5f; } table { border-collapse: collapse; width: 100%; }
        th, td { border: 1px solid #ccc; padding: .4em .6em; text-align: left; vertical-align: top; font-size: .92em; }
        th { background: #eef2f7; } img { max-width: 28em; border: 1px solid #999; }
        """
}
