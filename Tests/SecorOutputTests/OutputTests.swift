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

    let missingTotal = Reason(code: "required-fields", severity: .reject, field: "workers_total", found: "", message: "Fill it in.",
                              rule: "sk-secor/2018-09/required-fields", label: "Total workers")
    let office = Office(name: "SCSA SECOR Registration", address: ["1 Office Rd", "Regina SK S4P 1A1"], telephone: "306-555-0100",
                        email: "secor@example.ca", contact: "Pat Officer")

    @Test func aRejectionSaysWhatToDoForEachReason() throws {
        let date = CalendarDate(year: 2026, month: 11, day: 22)!
        let writer = LetterWriter(library: library, office: office)
        // Too many workers: a corrected form cannot put that right; the letter points to COR and asks for none.
        let tooBig = try #require(writer.letter(for: try record(decision: "rejected", company: "A Ltd", reasons: [workforce]), date: date))
        #expect(tooBig.entries.map(\.label) == ["Total workers"])
        #expect(tooBig.entries[0].programText?.contains("9 or fewer workers") == true, "the rule it comes from")
        #expect(tooBig.text.contains("What to do: Apply for the Certificate of Recognition (COR)"))
        #expect(!tooBig.text.contains("What to send back") && !tooBig.text.contains("Please send us"), "no corrected form is asked for")
        #expect(tooBig.opening.contains("for the reason below.") && !tooBig.opening.contains("yet") && !tooBig.opening.contains("Each can"))
        #expect(tooBig.greeting == "Dear Lee Chen,")
        #expect(tooBig.date == "November 22, 2026")
        #expect(tooBig.text.contains("Reference: 3000001-abcdef12"))
        // The office's name, address and how to reach it, on every letter.
        for line in ["SCSA SECOR Registration", "1 Office Rd", "Telephone 306-555-0100", "Email secor@example.ca", "Pat Officer"] {
            #expect(tooBig.text.contains(line) && tooBig.html.contains(line), "\(line)")
        }
        // Two reasons a corrected form puts right: counted, and each can be.
        let two = try #require(writer.letter(for: try record(decision: "rejected", company: "A Ltd", reasons: [missingTotal, missingTotal]), date: date))
        #expect(two.opening.contains("yet, for the 2 reasons below. Each can be put right."))
        #expect(two.text.contains("Please send us a corrected SECOR Registration Form"))
        // One that a corrected form cannot put right beside one it could: nothing is asked for.
        let mixed = try #require(writer.letter(for: try record(decision: "rejected", company: "A Ltd", reasons: [missingTotal, workforce]), date: date))
        #expect(!mixed.text.contains("Please send us") && !mixed.text.contains("What to send back") && !mixed.opening.contains("yet"))
    }

    @Test func anAcceptedApplicantGetsALetterAndOnlyDecidedOnesDo() throws {
        let date = CalendarDate(year: 2026, month: 11, day: 22)!
        let writer = LetterWriter(library: library, office: office)
        let accepted = try #require(writer.letter(for: try record(decision: "accepted", company: "A Ltd", reasons: []), date: date))
        #expect(accepted.kind == .acceptance && accepted.entries.isEmpty)
        #expect(accepted.text.contains("A Ltd is accepted") && accepted.text.contains("Pat Officer"))
        #expect(writer.letter(for: try record(decision: "needs_review", company: "A Ltd", reasons: []), date: date) == nil)
        #expect(writer.letter(for: try record(decision: "pending", company: "A Ltd", reasons: []), date: date) == nil)
    }

    @Test func aSupervisorsRejectionGivesItsReason() throws {
        var r = try record(decision: "rejected", company: "A Ltd", reasons: [])
        r.override = StaffOverride(decision: .rejected, reason: "The company's account is closed.", by: "Sam Supervisor", at: "2026-11-22T10:00:00Z")
        let letter = try #require(LetterWriter(library: library).letter(for: r, date: CalendarDate(year: 2026, month: 11, day: 22)!))
        #expect(letter.text.contains("The company's account is closed."))
    }

    @Test func labelsEndingInAFullStopAreNotFollowedByAColon() {
        #expect(Letter.labelled("The company has a permanent office in Saskatchewan.", "Ticked?") == "The company has a permanent office in Saskatchewan: Ticked?")
        #expect(Letter.labelled("Total workers", "Too many.") == "Total workers: Too many.")
    }

    @Test func phonesInTheCSVAreAsASpreadsheetShowsThem() throws {
        var r = try record(decision: "accepted", company: "A Ltd", reasons: [])
        r.fields["phone"] = .text("+13065550142")
        let row = DaySummary(date: CalendarDate(year: 2026, month: 11, day: 22)!, applications: [r], unmatched: []).csv.split(separator: "\r\n")[1]
        #expect(row.contains(",306-555-0142,") && !row.contains("'"))
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
