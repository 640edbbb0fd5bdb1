import Foundation
import Testing
import TestSupport
@testable import SecorCore
@testable import SecorOutput

let library = try! ProgramLibrary.load()

/// A record as `process` writes it, with the values a test needs.
func record(decision: String, company: String, reasons: [Reason], readings: String = "{}") throws -> ApplicationRecord {
    let reasonsJSON = String(decoding: try JSONEncoder().encode(reasons), as: UTF8.self)
    let json = """
    {"id": "3000001-abcdef12", "decision": "\(decision)", "program": "sk-secor", "edition": "2018-09", "submitted": "2026-05-14",
     "documents": [{"path": "/nowhere/reg.xml", "sha256": "00", "kind": "registration", "pages": 0}],
     "fields": {"company_legal_name": \(String(decoding: try JSONEncoder().encode(company), as: UTF8.self)),
                "signer_name": "Lee Chen", "signer_title": "Owner", "wcb_account_number": "3000001", "workers_total": 4,
                "mailing_address": "1 Main St", "city": "Regina", "province": "SK", "postal_code": "S4P 1P9"},
     "declaration_fields": {}, "as_written": {}, "reasons": \(reasonsJSON), "readings": \(readings)}
    """
    return try JSONDecoder().decode(ApplicationRecord.self, from: Data(json.utf8))
}

let workforce = Reason(code: "workforce-limit", severity: .reject, field: "workers_total", found: "10 workers", message: "Too many.",
                       rule: "sk-secor/2018-09/workforce-limit", label: "Total workers")

@Suite struct OutputTests {
    @Test func applicantTextIsEscapedInHTML() throws {
        let r = try record(decision: "rejected", company: "<script>alert(1)</script> & Sons", reasons: [workforce])
        let letter = try #require(LetterWriter(library: library).letter(for: r, date: CalendarDate(year: 2026, month: 11, day: 22)!))
        #expect(!letter.html.contains("<script>"))
        #expect(letter.html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons"))
        #expect(letter.text.contains("<script>alert(1)</script> & Sons"), "plain text keeps what was written")
        let summary = DaySummary(date: CalendarDate(year: 2026, month: 11, day: 22)!, applications: [r], unmatched: [])
        #expect(!summary.html(root: URL(fileURLWithPath: "/nowhere")).contains("<script>alert"))
    }

    @Test func aLetterIsOnlyForARejection() throws {
        let date = CalendarDate(year: 2026, month: 11, day: 22)!
        #expect(LetterWriter(library: library).letter(for: try record(decision: "accepted", company: "A", reasons: []), date: date) == nil)
        let letter = try #require(LetterWriter(library: library).letter(for: try record(decision: "rejected", company: "A Ltd", reasons: [workforce]), date: date))
        #expect(letter.entries.map(\.label) == ["Total workers"])
        #expect(letter.entries[0].programText?.contains("9 or fewer workers") == true, "the rule it comes from")
        #expect(letter.greeting == "Dear Lee Chen,")
        #expect(letter.date == "November 22, 2026")
        #expect(letter.text.contains("Reference: 3000001-abcdef12"))
    }

    @Test func csvCellsCannotBecomeFormulas() throws {
        var r = try record(decision: "accepted", company: "=HYPERLINK(\"x\")", reasons: [])
        r.fields["city"] = .text("Regina, SK")
        let csv = DaySummary(date: CalendarDate(year: 2026, month: 11, day: 22)!, applications: [r], unmatched: []).csv
        let row = csv.split(separator: "\r\n")[1]
        #expect(row.contains("\"'=HYPERLINK(\"\"x\"\")\""))
        #expect(row.contains("\"Regina, SK\""))
        #expect(row.hasPrefix("3000001-abcdef12,2026-11-22,sk-secor,2018-09,"))
    }

    @Test func theReviewSheetShowsEachDoubtfulFieldAndHowSureWeWere() throws {
        let doubt = Reason(code: "uncertain-reading", severity: .review, field: "workers_total", found: "1O", message: "Staff will check it.",
                           rule: "sk-secor/2018-09/reading-confidence", label: "Total workers")
        let readings = #"{"workers_total": {"source": "ocr", "confidence": 0.42, "page": 1}}"#
        let r = try record(decision: "needs_review", company: "B Ltd", reasons: [doubt], readings: readings)
        let sheet = OutputWriter(library: library).reviewSheet(r)
        #expect(sheet.contains("Total workers") && sheet.contains("1O") && sheet.contains("42%") && sheet.contains("ocr"))
    }

    @Test func writesTheFilesOfEachDecision() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("write-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = OutputWriter(library: library)
        let date = CalendarDate(year: 2026, month: 11, day: 22)!
        try writer.write(try record(decision: "rejected", company: "C Ltd", reasons: [workforce]), into: dir.appendingPathComponent("r"), date: date)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("r").path))
                == ["record.json", "letter.txt", "letter.html", "letter.pdf"], "an XML submission: the letter alone")
        try writer.write(try record(decision: "accepted", company: "D Ltd", reasons: []), into: dir.appendingPathComponent("a"), date: date)
        // An accepted applicant is told so: the acceptance letter, and no annotated copy.
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("a").path))
                == ["record.json", "letter.txt", "letter.html", "letter.pdf"])
        let accepted = try String(contentsOf: dir.appendingPathComponent("a/letter.txt"), encoding: .utf8)
        #expect(accepted.contains("is accepted") && !accepted.contains("send us"))
    }

    @Test func aRecordThatCannotBeWrittenStopsTheSummaryInsteadOfMissingFromIt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("summary-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var r = try record(decision: "accepted", company: "E Ltd", reasons: [])
        r.readings["signature"] = .init(source: .ink, confidence: .nan, document: nil, page: nil, box: nil)
        let summary = DaySummary(date: CalendarDate(year: 2026, month: 11, day: 22)!, applications: [r], unmatched: [])
        // Before, results.jsonl was written without the record's line and nothing said so.
        #expect(throws: EncodingError.self) { try summary.jsonl() }
        #expect(throws: EncodingError.self) { try summary.write(into: dir) }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("results.jsonl").path))
    }
}
