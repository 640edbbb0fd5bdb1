import Foundation
import Testing
import TestSupport
@testable import SecorCore
@testable import SecorJobs
@testable import SecorReaders

@Suite struct ExtractReportTests {
    @Test func unreadableFileHasReasonsAndNoFields() throws {
        let file = InputFile(path: "x.pdf", data: Data())
        let report = ExtractReport(.unreadable(file, format: .empty, Diagnostic(.unreadable, code: "empty-file", "the file is empty (0 bytes)")))
        #expect(report.kind == "unreadable" && report.fields.isEmpty && !report.wasRead)
        #expect(report.reasons.map(\.code) == ["empty-file"])
        let json = try ExtractOutput.json([report])
        #expect(json.contains("\"kind\" : \"unreadable\""))
    }

    @Test func aFileWithTwoDocumentsIsAnEnvelope() {
        let file = InputFile(path: "env.pdf", data: Data("x".utf8))
        let read = ReadFile(file: file, format: .pdf, pageCount: 3, documents: [
            ExtractedDocument(kind: .registration, flavor: .print, pages: [1, 2], fields: ["city": .init(value: "Regina", source: .text)]),
            ExtractedDocument(kind: .declaration, flavor: .print, pages: [3]),
        ])
        let report = ExtractReport(read)
        #expect(report.kind == "envelope")
        #expect(report.documents?.map(\.kind) == ["registration", "declaration"])
        #expect(report.documents?.first?.fields["city"]?.value == "Regina")
        #expect(ExtractOutput.text([report]).contains("declaration (pages 3)"))
    }
}
