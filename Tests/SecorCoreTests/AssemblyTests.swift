import Foundation
import Testing
@testable import SecorCore

@Suite struct AssemblyTests {
    let assembler = ApplicationAssembler(normalizer: FieldNormalizer(templates: templates))

    func file(_ path: String, _ documents: [ExtractedDocument]) -> ReadFile {
        ReadFile(file: InputFile(path: path, data: Data(path.utf8)), format: .pdf, pageCount: documents.count, documents: documents)
    }

    func registration(wcb: String, company: String, attachment: String? = nil) -> ExtractedDocument {
        ExtractedDocument(kind: .registration, flavor: .xml, pages: [1],
                          fields: ["wcb_account_number": .init(value: wcb, source: .xml), "company_legal_name": .init(value: company, source: .xml)],
                          attachmentFileName: attachment)
    }

    func declaration(wcb: String, company: String) -> ExtractedDocument {
        ExtractedDocument(kind: .declaration, flavor: .print, pages: [1],
                          fields: ["wcb_account_number": .init(value: wcb, source: .text), "company_legal_name": .init(value: company, source: .text)])
    }

    @Test func pairsByAttachmentThenWCBThenCompany() {
        let files = [
            file("in/export.xml", [registration(wcb: "3000001", company: "Alpha Ltd", attachment: "scan-17.pdf")]),
            file("in/reg-b.pdf", [registration(wcb: "3000002", company: "Beta Ltd")]),
            file("in/reg-c.pdf", [registration(wcb: "", company: "Gamma Limited")]),
            file("in/decl-c.pdf", [declaration(wcb: "", company: "GAMMA LTD.")]),
            file("in/decl-b.pdf", [declaration(wcb: "300-0002", company: "Something else")]),
            // Named by the export, though its WCB number is misread.
            file("in/scan-17.pdf", [declaration(wcb: "3000009", company: "Alpha Ltd")]),
        ]
        let assembly = assembler.assemble(files)
        let (apps, unmatched) = (assembly.applications, assembly.unmatched)
        #expect(unmatched.isEmpty)
        let pairs = apps.map { [$0.registration?.path, $0.declaration?.path] }
        #expect(pairs == [["in/export.xml", "in/scan-17.pdf"], ["in/reg-b.pdf", "in/decl-b.pdf"], ["in/reg-c.pdf", "in/decl-c.pdf"]])
    }

    /// Hand-filled halves whose accounts were read with doubt pair by a company name nearly the same.
    @Test func scannedHalvesInDoubtPairByACompanyNearlyTheSame() {
        func scanned(_ kind: DocumentKind, wcb: String, company: String) -> ExtractedDocument {
            ExtractedDocument(kind: kind, flavor: .scan, pages: [1],
                              fields: ["wcb_account_number": .init(value: wcb, source: .ocr, confidence: 0.5),
                                       "company_legal_name": .init(value: company, source: .ocr, confidence: 0.6)])
        }
        let files = [
            file("in/reg-1.pdf", [scanned(.registration, wcb: "3368371", company: "Prairie Class Inc")]),
            file("in/reg-2.pdf", [scanned(.registration, wcb: "3000002", company: "Northern Roofing Ltd")]),
            file("in/decl-1.pdf", [scanned(.declaration, wcb: "336837", company: "Prairie Ulass Inc")]),
        ]
        let apps = assembler.assemble(files).applications
        let pairs = apps.map { [$0.registration?.path, $0.declaration?.path] }
        #expect(pairs.contains(["in/reg-1.pdf", "in/decl-1.pdf"]))
        #expect(pairs.contains(["in/reg-2.pdf", nil]))
    }

    @Test func theDocumentsOfOneFileAreOneApplication() {
        let envelope = file("envelope.pdf", [registration(wcb: "3000001", company: "Alpha"), declaration(wcb: "3999999", company: "Other")])
        let apps = assembler.assemble([envelope, file("d.pdf", [declaration(wcb: "3000001", company: "Alpha")])]).applications
        #expect(apps.count == 2)
        #expect(apps[0].registration?.path == "envelope.pdf" && apps[0].declaration?.path == "envelope.pdf")
        #expect(apps[0].files.map(\.kind) == ["envelope"])
        #expect(apps[1].registration == nil && apps[1].declaration?.path == "d.pdf")
    }

    @Test func everyFileAppearsExactlyOnce() {
        let unreadable = ReadFile.unreadable(InputFile(path: "empty.pdf", data: Data()), format: .empty,
                                             Diagnostic(.unreadable, code: "empty-file", "the file is empty (0 bytes)"))
        let files = [file("r.pdf", [registration(wcb: "3000001", company: "A")]), unreadable,
                     file("d.pdf", [declaration(wcb: "3000001", company: "A")]), file("lonely.pdf", [declaration(wcb: "3000005", company: "Z")])]
        let assembly = assembler.assemble(files)
        let (apps, unmatched) = (assembly.applications, assembly.unmatched)
        let listed = apps.flatMap { $0.files.map(\.path) } + unmatched.map(\.path)
        #expect(listed.sorted() == ["d.pdf", "empty.pdf", "lonely.pdf", "r.pdf"])
        #expect(Set(apps.map(\.id)).count == apps.count)
    }

    @Test func submissionTimeIsTheExportsElseTheDateSigned() {
        let xml = SubmissionTime(iso8601: "2026-05-14T10:25:00-06:00")
        #expect(xml?.date == CalendarDate(year: 2026, month: 5, day: 14))
        // Late evening in Saskatchewan is the same day there, whatever UTC says.
        #expect(SubmissionTime(iso8601: "2026-05-14T23:30:00-06:00")?.date == CalendarDate(year: 2026, month: 5, day: 14))
        #expect(SubmissionTime(date: CalendarDate(year: 2026, month: 5, day: 14)!) < xml!)
        #expect(SubmissionTime(iso8601: "last Tuesday") == nil)
    }
    @Test func keysAssembleExactlyAsTheWholeDocumentsDo() {
        // A batch keeps only each document's key while it reads; the pairing must not change.
        var files: [ReadFile] = []
        for n in 0..<60 {
            let wcb = String(3_000_000 + n % 25)
            switch n % 4 {
            case 0: files.append(file("in/export-\(n).xml", [registration(wcb: wcb, company: "Firm \(n % 7)", attachment: "decl-\(n + 1).pdf")]))
            case 1: files.append(file("in/decl-\(n).pdf", [declaration(wcb: n % 3 == 0 ? "" : wcb, company: "Firm \(n % 7)")]))
            case 2: files.append(file("in/reg-\(n).pdf", [registration(wcb: wcb, company: "Firm \(n % 5)")]))
            default: files.append(file("in/envelope-\(n).pdf", [registration(wcb: wcb, company: "A"), declaration(wcb: wcb, company: "A"),
                                                                 declaration(wcb: "3999999", company: "B")]))
            }
        }
        let receipts = files.enumerated().map { assembler.receive($1, index: $0) }
        let whole = assembler.assemble(receipts)
        let keyed = assembler.assemble(receipts.map { receipt -> Receipt<DocumentKey<Int>> in
            switch receipt {
            case let .unmatched(u): return .unmatched(u)
            case let .forms(f): return .forms(f.map { DocumentKey($0, handle: $0.fileIndex) })
            }
        })
        #expect(whole.applications.map(\.id) == keyed.applications.map(\.id))
        #expect(whole.applications.map { [$0.registration?.path, $0.declaration?.path] }
                == keyed.applications.map { [$0.registration?.path, $0.declaration?.path] })
        #expect(whole.applications.map { $0.files.map(\.path) } == keyed.applications.map { $0.files.map(\.path) })
        #expect(Set(whole.applications.map(\.id)).count == whole.applications.count, "ids are unique")
        #expect(whole.applications.contains { $0.registration != nil && $0.declaration != nil })
    }

}

@Suite struct SubmissionTimeTests {
    @Test(arguments: [
        ("2026-05-14T10:25:00-06:00", 1_778_775_900.0), ("2026-05-14T16:25:00Z", 1_778_775_900.0),
        ("2026-05-14T16:25:00.5Z", 1_778_775_900.5), ("2024-02-29T00:00:00+00:00", 1_709_164_800.0),
    ])
    func parsesRFC3339(_ text: String, _ epoch: Double) throws {
        let t = try #require(SubmissionTime(iso8601: text))
        #expect(t.instant.timeIntervalSince1970 == epoch)
    }

    @Test(arguments: ["2026-05-14", "2026-05-14T10:25:00", "2026-13-14T10:25:00Z", "2026-05-14T25:25:00Z", "2026-05-14T10:25:00+0600", "x"])
    func refusesWhatIsNotATime(_ text: String) {
        #expect(SubmissionTime(iso8601: text) == nil)
    }

    @Test func civilDaysRoundTrip() {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            guard let d = SubmissionTime.civil(fromDays: days) else { continue }
            #expect(SubmissionTime.daysSinceEpoch(d) == days)
        }
        #expect(SubmissionTime.daysSinceEpoch(CalendarDate(year: 1970, month: 1, day: 1)!) == 0)
    }

}
