import Foundation
import SecorCore
import SecorSupport

/// The day at a glance for staff: `summary.html`, `accepted.csv` and `results.jsonl`.
public struct DaySummary: Sendable {
    public let date: CalendarDate
    public let applications: [ApplicationRecord]
    public let unmatched: [UnmatchedRecord]

    public init(date: CalendarDate, applications: [ApplicationRecord], unmatched: [UnmatchedRecord]) {
        self.date = date
        self.applications = applications
        self.unmatched = unmatched
    }

    public func write(into dir: URL) throws {
        let writer = try DaySummaryWriter(date: date, into: dir)
        for a in applications { try writer.add(a) }
        try writer.finish(unmatched: unmatched)
    }

    /// The canonical registration fields, in the form's order.
    static let columns = ["company_legal_name", "company_operating_name", "wcb_account_number", "division", "mailing_address", "city",
                          "province", "postal_code", "phone", "email", "scsa_member", "sk_permanent_office", "sk_office_address",
                          "company_role", "expects_more_than_9", "workers_owners", "workers_full_time", "workers_part_time",
                          "workers_casual", "workers_subcontractors", "workers_total", "trainee_name", "trainee_position",
                          "trainee_status", "trainee_in_sk", "trainee_email", "trainee_other_account",
                          "trainee_other_account_number", "signer_name", "signer_title", "date_signed"]

    /// One row per accepted application: its id, when and under which edition it was decided, and its fields.
    public var csv: String {
        Self.csvHeader + applications.compactMap { Self.csvRow($0, date: date) }.joined()
    }

    /// The last column names the values read without confidence (space-separated): not to be
    /// taken as read until staff confirm them.
    public static let csvHeader = (["application_id", "decided_on", "program", "edition"] + columns + ["unconfirmed"]).joined(separator: ",") + "\r\n"

    /// The record's row if it was accepted.
    public static func csvRow(_ a: ApplicationRecord, date: CalendarDate) -> String? {
        guard a.decision == .accepted else { return nil }
        func cell(_ s: String) -> String {
            // A leading = + - @ makes spreadsheets run a formula: quote it as text.
            var v = s
            if let first = v.first, "=+-@".contains(first) { v = "'" + v }
            return v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || v != s
                ? "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : v
        }
        // Telephone numbers as a spreadsheet shows them (306-555-0142), not as a formula to quote.
        let row = [a.id, date.description, a.program, a.edition]
            + columns.map { $0 == "phone" ? Normalize.phoneAsWritten(a.fields[$0]?.description ?? "") : (a.fields[$0]?.description ?? "") }
            + [(a.unconfirmed ?? []).joined(separator: " ")]
        return row.map(cell).joined(separator: ",") + "\r\n"
    }

    /// One JSON record per line: applications, then files in no application. A record that
    /// cannot be encoded is an error, never a line left out.
    public func jsonl() throws -> String {
        try (applications.map { try Self.jsonLine($0) } + unmatched.map { try Self.jsonLine($0) }).joined()
    }

    public static func jsonLine(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    public func html(root: URL) -> String {
        var page = Page(date: date)
        for a in applications { page.add(a, root: root) }
        return page.html(unmatched: unmatched)
    }

    /// summary.html as it is built: the counts, the reasons' tally and a row per application.
    struct Page {
        let date: CalendarDate
        var counts: [ApplicationState: Int] = [:]
        var tally: [String: Int] = [:]
        var rows = ""

        init(date: CalendarDate) { self.date = date }

        /// After the application's folder is written (the row links what is in it).
        mutating func add(_ a: ApplicationRecord, root: URL) {
            counts[a.decision, default: 0] += 1
            // Reasons by the label they name, most frequent first.
            for r in a.reasons { tally[r.label ?? r.field ?? r.code, default: 0] += 1 }
            let folder = "\(a.decision.folder)/\(a.id)"
            let company = a.company
            var links = ["<a href=\"\(HTML.escape(folder))/record.json\">record</a>"]
            let dir = root.appendingPathComponent(folder)
            for (file, text) in [("letter.html", "letter"), ("letter.pdf", "letter (PDF)"), ("review.html", "worksheet")]
            where FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).path) {
                links.append("<a href=\"\(HTML.escape(folder))/\(file)\">\(text)</a>")
            }
            for file in ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted() where file.hasPrefix("annotated-") {
                links.append("<a href=\"\(HTML.escape(folder))/\(HTML.escape(file))\">\(HTML.escape(file))</a>")
            }
            let reasons = a.reasons.map { HTML.escape($0.label ?? $0.field ?? $0.code) }.joined(separator: "<br>")
            rows += "<tr class=\"\(a.decision.rawValue)\"><td>\(a.decision.words)</td>"
                + "<td>\(HTML.escape(company))</td><td>\(HTML.escape(a.fields["wcb_account_number"]?.description ?? ""))</td>"
                + "<td>\(HTML.escape(a.submitted ?? ""))</td><td>\(reasons)</td><td>\(links.joined(separator: " · "))</td></tr>\n"
        }

        func html(unmatched: [UnmatchedRecord]) -> String {
            var cards = ""
            for (decision, label, color) in [(ApplicationState.accepted, "Accepted", "#2e7d32"), (.rejected, "Rejected", "#b3261e"),
                                             (.needsReview, "For review", "#b26a00"), (.pending, "Waiting for a partner", "#5f6368")] {
                cards += "<div class=\"card\" style=\"border-color:\(color)\"><b>\(counts[decision] ?? 0)</b><span>\(label)</span></div>"
            }
            if !unmatched.isEmpty {
                cards += "<div class=\"card\" style=\"border-color:#5f6368\"><b>\(unmatched.count)</b><span>Files in no application</span></div>"
            }
            let bars = tally.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            let maxCount = bars.map(\.value).max() ?? 1
            var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"720\" height=\"\(max(40, bars.count * 26 + 10))\" role=\"img\" aria-label=\"Reasons\">"
            for (i, bar) in bars.enumerated() {
                let y = i * 26 + 5, w = max(4, 360 * bar.value / maxCount)
                let label = bar.key.count > 48 ? String(bar.key.prefix(46)) + "…" : bar.key
                svg += "<text x=\"0\" y=\"\(y + 15)\" font-size=\"12\">\(HTML.escape(label))</text>"
                svg += "<rect x=\"330\" y=\"\(y + 3)\" width=\"\(w)\" height=\"16\" fill=\"#b3261e\"/>"
                svg += "<text x=\"\(336 + w)\" y=\"\(y + 15)\" font-size=\"12\">\(bar.value)</text>"
            }
            svg += "</svg>"
            var rows = self.rows
            for u in unmatched {
                rows += "<tr class=\"unmatched\"><td>\(u.decision.words)</td>"
                    + "<td>\(HTML.escape((u.path as NSString).lastPathComponent))</td><td></td><td></td>"
                    + "<td>\(u.reasons.map { HTML.escape($0.message) }.joined(separator: "<br>"))</td><td></td></tr>\n"
            }
            let body = """
                <h1>SECOR registrations, \(HTML.escape(LetterWriter.longDate(date)))</h1>
                <div class="cards">\(cards)</div>
                <h2>Reasons</h2>
                \(bars.isEmpty ? "<p>No reasons today.</p>" : svg)
                <h2>Applications</h2>
                <table><thead><tr><th>Decision</th><th>Company</th><th>WCB account</th><th>Submitted</th><th>Reasons</th><th>Files</th></tr></thead>
                <tbody>
                \(rows)</tbody></table>
                <p class="foot"><a href="accepted.csv">accepted.csv</a> · <a href="results.jsonl">results.jsonl</a></p>
                """
            return HTML.page(title: "SECOR registrations \(date)", style: DaySummary.style, body: body)
        }
    }

    static let style = """
        body { font-family: "Nimbus Sans", Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 70em; color: #1b1b1b; }
        h1 { color: #1f3a5f; font-size: 1.5em; } h2 { font-size: 1.1em; color: #1f3a5f; margin-top: 1.5em; }
        .cards { display: flex; gap: 1em; } .card { border-left: 6px solid; padding: .5em 1em; background: #f6f7f9; min-width: 8em; }
        .card b { display: block; font-size: 1.8em; } .card span { color: #444; }
        table { border-collapse: collapse; width: 100%; } th, td { border-bottom: 1px solid #ddd; padding: .45em .5em; text-align: left; vertical-align: top; font-size: .92em; }
        th { background: #eef2f7; } tr.rejected td:first-child { color: #b3261e; font-weight: bold; }
        tr.accepted td:first-child { color: #2e7d32; font-weight: bold; } tr.needs_review td:first-child { color: #b26a00; font-weight: bold; }
        .foot { margin-top: 2em; color: #666; }
        """
}

/// The day summary written as a batch goes: each record's CSV row and JSON line are appended
/// to the files' temporaries as it is decided, and `finish` puts the three files in place, so a
/// batch of thousands does not keep its records for the summary.
public final class DaySummaryWriter {
    private let date: CalendarDate
    private let dir: URL
    private let csv: FileHandle
    private let jsonl: FileHandle
    private var page: DaySummary.Page
    private var finished = false

    public init(date: CalendarDate, into dir: URL) throws {
        self.date = date
        self.dir = dir
        page = DaySummary.Page(date: date)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        func start(_ name: String, _ first: String) throws -> FileHandle {
            let temporary = FileReplacement.temporary(for: dir.appendingPathComponent(name))
            try Data(first.utf8).write(to: temporary)
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.seekToEnd()
            return handle
        }
        csv = try start("accepted.csv", DaySummary.csvHeader)
        jsonl = try start("results.jsonl", "")
    }

    deinit {
        guard !finished else { return }
        // A batch that stopped early leaves no half-written summary files.
        for (handle, name) in [(csv, "accepted.csv"), (jsonl, "results.jsonl")] {
            try? handle.close()
            try? FileManager.default.removeItem(at: FileReplacement.temporary(for: dir.appendingPathComponent(name)))
        }
    }

    /// After the record's folder is written.
    public func add(_ record: ApplicationRecord) throws {
        if let row = DaySummary.csvRow(record, date: date) { try csv.write(contentsOf: Data(row.utf8)) }
        try jsonl.write(contentsOf: Data(try DaySummary.jsonLine(record).utf8))
        page.add(record, root: dir)
    }

    public func finish(unmatched: [UnmatchedRecord]) throws {
        for u in unmatched { try jsonl.write(contentsOf: Data(try DaySummary.jsonLine(u).utf8)) }
        finished = true
        for (handle, name) in [(csv, "accepted.csv"), (jsonl, "results.jsonl")] {
            try handle.synchronize()
            try handle.close()
            let url = dir.appendingPathComponent(name)
            try FileReplacement.commit(FileReplacement.temporary(for: url), to: url)
        }
        let html = page.html(unmatched: unmatched)
        try FileReplacement.replace(dir.appendingPathComponent("summary.html")) { try Data(html.utf8).write(to: $0) }
    }
}
