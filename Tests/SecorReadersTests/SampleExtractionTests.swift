import Foundation
import Poppler
import Testing
import TestSupport
@testable import SecorCore
@testable import SecorReaders
import SecorSchemas
import Imaging

let extraction: Extraction = try! Extraction.shipped()

/// The typed samples (fill, flat, print) and the XML exports: every value as the applicant wrote it.
@Suite struct SampleExtractionTests {
    static let typedFiles: [(String, String)] = [
        ("s01", "s01-registration.pdf"), ("s01", "s01-declaration.pdf"),
        ("s02", "s02-registration.pdf"), ("s02", "s02-declaration.pdf"),
        ("s03", "s03-registration.pdf"), ("s03", "s03-declaration.pdf"),
        ("s07", "s07-registration.pdf"), ("s07", "s07-declaration.pdf"),
        ("s05", "s05-registration.xml"), ("s09", "s09-registration.xml"),
    ]

    @Test(arguments: typedFiles)
    func readsEveryValueTheOfficeExpects(_ id: String, _ file: String) throws {
        let expected = try #require(try Expected.load().case(id))
        let read = extraction.read(path: Fixtures.sample(file).path)
        let document = try #require(read.documents.first)
        #expect(read.documents.count == 1)
        let want = try #require(document.kind == .registration ? expected.registration : expected.declaration)
        #expect(file.contains(document.kind.rawValue))
        for (key, value) in want {
            #expect(document.fields[key]?.value == value, "\(file) \(key)")
        }
        #expect(document.reasons.isEmpty, "\(document.reasons)")
    }

    /// An empty box under a name written low, whose feet ("LTD.") reach into it, reads nothing,
    /// and stays a doubt (there is ink there); the name above is read.
    @Test func theFeetOfTheWritingAboveAreNoValue() throws {
        let read = extraction.read(path: Fixtures.mailSamples.appendingPathComponent("m07-colour-registration.pdf").path)
        let document = try #require(read.documents.first { $0.kind == .registration })
        let empty = try #require(document.fields["company_operating_name"])
        #expect(empty.value == "")
        #expect(empty.confidence < 0.8)
        #expect(document.fields["company_legal_name"]?.value.hasPrefix("KINISTINO LANDSCAPING") == true)
    }

    /// Rendering a page before reading its text (so poppler interprets it once) reads the same.
    @Test(arguments: ["s01-registration.pdf", "s02-registration.pdf", "s03-declaration.pdf", "s07-declaration.pdf"])
    func renderingFirstReadsTheSame(_ file: String) throws {
        var first = extraction.pdf, after = extraction.pdf
        first.primeBytesPerPage = .max
        after.primeBytesPerPage = 0
        let input = InputFile(path: file, data: try Fixtures.data(Fixtures.sample(file)))
        let a = try #require(first.read(input).documents.first), b = try #require(after.read(input).documents.first)
        #expect(a.kind == b.kind && a.flavor == b.flavor && a.reasons == b.reasons)
        #expect(a.fields.mapValues(\.value) == b.fields.mapValues(\.value))
        #expect(a.fields.mapValues(\.source) == b.fields.mapValues(\.source))
        for (key, field) in a.fields {
            #expect(abs(field.confidence - (b.fields[key]?.confidence ?? -1)) < 0.05, "\(file) \(key)")
        }
    }

    @Test func flavorsAreTold() throws {
        let flavors = ["s01-registration.pdf": Flavor.fill, "s02-registration.pdf": .flat, "s03-declaration.pdf": .print,
                       "s05-registration.xml": .xml]
        for (file, flavor) in flavors {
            #expect(extraction.read(path: Fixtures.sample(file).path).documents.first?.flavor == flavor, "\(file)")
        }
    }

    @Test func fieldsCarrySourcePageBoxAndConfidence() throws {
        let read = extraction.read(path: Fixtures.sample("s02-registration.pdf").path)
        let fields = try #require(read.documents.first?.fields)
        let legal = try #require(fields["company_legal_name"])
        #expect(legal.source == .text && legal.page == 1 && legal.confidence == 1)
        #expect(legal.box == Box(x: 300, y: 103, width: 330, height: 14))
        let signerName = try #require(fields["signer_name"])
        #expect(signerName.page == 2)
        let member = try #require(fields["scsa_member"])
        #expect(member.source == .ink && member.confidence > 0.8 && member.raw.contains("ink"))
        let filled = try #require(extraction.read(path: Fixtures.sample("s01-registration.pdf").path).documents.first)
        #expect(filled.fields["wcb_account_number"]?.source == .acroform)
        #expect(filled.fields["signature"]?.source == .ink)
    }

    @Test func xmlCarriesSubmissionTimeAndAttachment() throws {
        let doc = try #require(extraction.read(path: Fixtures.sample("s05-registration.xml").path).documents.first)
        #expect(doc.submitted == "2026-05-14T10:25:00-06:00")
        #expect(doc.attachmentFileName == "s05-declaration.pdf")
        #expect(doc.fields["scsa_member"]?.raw == "true" && doc.fields["scsa_member"]?.value == "Yes")
        #expect(doc.fields["signature"]?.value == "Yes" && doc.fields["signature"]?.raw == "online submission")
        #expect(doc.fields.values.allSatisfy { $0.source == .xml })
    }

    @Test func whatAnOnlineSubmissionCountsAsIsTheRuleFilesWord() throws {
        // The same edition without its `online_submission` entry: the export is not read as signed.
        let url = SchemaFiles.programs.appendingPathComponent("sk-secor/2018-09.yaml")
        let yaml = try String(contentsOf: url, encoding: .utf8)
        let without = yaml.replacingOccurrences(of: "online_submission:\n  signature: \"Yes\"\n", with: "")
        #expect(without != yaml)
        let library = ProgramLibrary(editions: [try ProgramEdition.load(yaml: without, file: "draft.yaml")])
        let reader = XMLRegistrationReader(template: extraction.xml.template, schema: extraction.xml.schema, library: library)
        let file = InputFile(path: "s05-registration.xml", data: try Data(contentsOf: Fixtures.sample("s05-registration.xml")))
        let doc = try #require(reader.read(file).documents.first)
        #expect(doc.fields["signature"] == nil)
        #expect(doc.fields["company_legal_name"]?.value == "Wascana Painting Ltd.")
    }

    static let scannedFiles: [(String, String)] = [
        ("s04", "s04-registration.pdf"), ("s04", "s04-declaration.pdf"), ("s05", "s05-declaration.pdf"),
        ("s08", "s08-registration.pdf"), ("s08", "s08-declaration.pdf"), ("s09", "s09-declaration.pdf"),
    ]

    /// Scans: every value right, and sure enough that none goes to review for our reading.
    @Test(arguments: scannedFiles)
    func readsScansAsTheOfficeExpects(_ id: String, _ file: String) throws {
        let expected = try #require(try Expected.load().case(id))
        let read = extraction.read(path: Fixtures.sample(file).path)
        let document = try #require(read.documents.first)
        #expect(read.documents.count == 1 && document.flavor == .scan)
        let want = try #require(document.kind == .registration ? expected.registration : expected.declaration)
        #expect(file.contains(document.kind.rawValue))
        for (key, value) in want {
            let field = document.fields[key]
            #expect(field?.value == value, "\(file) \(key)")
            #expect((field?.confidence ?? 0) >= 0.8, "\(file) \(key) confidence \(field?.confidence ?? 0)")
            #expect(field?.source == .ocr || field?.source == .ink)
        }
    }

    @Test func anEnvelopeIsSplitIntoItsDocuments() throws {
        let expected = try #require(try Expected.load().case("s06"))
        let read = extraction.read(path: Fixtures.sample("s06-envelope.pdf").path)
        #expect(read.documents.map(\.kind) == [.registration, .declaration])
        #expect(read.documents.map(\.pages) == [[1, 2], [3]])
        for (key, value) in expected.registration ?? [:] { #expect(read.documents[0].fields[key]?.value == value, "\(key)") }
        for (key, value) in expected.declaration ?? [:] { #expect(read.documents[1].fields[key]?.value == value, "declaration \(key)") }
        #expect(read.documents[1].fields["signature"]?.page == 3)
    }

    /// The committed templates must agree with the blank forms they were taken from.
    @Test(arguments: [DocumentKind.registration, .declaration])
    func templateBoxesAreTheBlankFormsWidgets(_ kind: DocumentKind) throws {
        let template = try #require(try FormTemplates.shipped.get().template(for: kind))
        let doc = try PDFDocument(data: Fixtures.data(Fixtures.blankForms.appendingPathComponent(template.blankForm)))
        #expect(doc.pageCount == template.pages)
        for pageIndex in 0..<doc.pageCount {
            let widgets = try #require(doc.page(at: pageIndex)).formWidgets()
            for field in template.fields where field.page == pageIndex + 1 && field.kind != .ink {
                let mine = widgets.filter { $0.name == field.key }
                #expect(!mine.isEmpty, "\(field.key) has a widget")
                if let options = field.options {
                    #expect(Set(options.values) == Set(mine.map { $0.rect }), "\(field.key) option boxes")
                } else {
                    #expect(mine.first.map { $0.rect } == field.box, "\(field.key) box")
                }
            }
        }
    }
}

@Suite struct BadInputTests {
    static let cases: [(String, DocumentKind, String)] = [
        ("empty.pdf", .unreadable, "empty-file"),
        ("random-bytes.pdf", .unreadable, "unrecognized-format"),
        ("plain-text.pdf", .unreadable, "unrecognized-format"),
        ("truncated.pdf", .unreadable, "pdf-damaged"),
        ("encrypted.pdf", .unreadable, "pdf-encrypted"),
        ("malformed.xml", .unreadable, "xml-malformed"),
        ("xxe-file.xml", .unreadable, "xml-doctype"),
        ("xxe-http.xml", .unreadable, "xml-doctype"),
        ("xxe-parameter.xml", .unreadable, "xml-doctype"),
        ("entity-bomb.xml", .unreadable, "xml-doctype"),
        ("other-namespace.xml", .unknown, "not-a-secor-export"),
        ("not-a-secor-form.pdf", .unknown, "not-a-secor-form"),
        ("schema-violation.xml", .registration, "xml-schema"),
    ]

    @Test(arguments: cases)
    func eachGetsAOneLineReason(_ name: String, _ kind: DocumentKind, _ code: String) throws {
        let read = extraction.read(path: Fixtures.bad(name).path)
        #expect(read.kind == kind)
        let reasons = read.reasons + read.documents.flatMap(\.reasons)
        let reason = try #require(reasons.first { $0.code == code }, "\(reasons)")
        #expect(!reason.message.isEmpty && !reason.message.contains("\n"))
    }

    @Test func anXMLExportNamedPDFIsReadAsXML() throws {
        let read = extraction.read(path: Fixtures.bad("xml-named.pdf").path)
        #expect(read.format == .xml && read.kind == .registration)
        #expect(read.documents.first?.fields["wcb_account_number"]?.value == "3228807")
    }

    @Test func schemaViolationNamesElementAndLine() throws {
        let read = extraction.read(path: Fixtures.bad("schema-violation.xml").path)
        let reason = try #require(read.documents.first?.reasons.first { $0.code == "xml-schema" })
        #expect(reason.message.contains("Extra"))
        #expect(reason.location.line == 27)
        #expect(reason.message.contains("line 27"))
    }

    @Test func nothingFromOutsideTheInputAppears() throws {
        let secret = (try? String(contentsOfFile: "/etc/hostname", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        for name in ["xxe-file.xml", "xxe-parameter.xml", "xxe-http.xml"] {
            let read = extraction.read(path: Fixtures.bad(name).path)
            let everything = (read.reasons + read.documents.flatMap(\.reasons)).map(\.message).joined()
                + read.documents.flatMap { $0.fields.values.map(\.value) }.joined()
            #expect(!everything.contains("root:"))
            if let secret, !secret.isEmpty { #expect(!everything.contains(secret)) }
        }
    }
}
