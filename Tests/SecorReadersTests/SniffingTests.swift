import Foundation
import Testing
import TestSupport
@testable import SecorCore
import SecorReaders

@Suite struct SniffingTests {
    @Test(arguments: [
        ("%PDF-1.7\n", DocumentFormat.pdf),
        ("junk before %PDF-1.4\n", .pdf),
        ("<?xml version=\"1.0\"?><a/>", .xml),
        ("\u{FEFF}<?xml version=\"1.0\"?><a/>", .xml),
        ("\n  <SecorRegistration/>", .xml),
        ("", .empty),
        ("   \n", .unrecognized),
        ("PK\u{3}\u{4} a zip", .unrecognized),
    ])
    func formatIsKnownByContent(_ content: String, _ expected: DocumentFormat) {
        #expect(DocumentFormat(sniffing: Data(content.utf8)) == expected)
    }

    @Test func utf16IsXMLOnlyWithItsByteOrderMark() {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>"
        #expect(DocumentFormat(sniffing: Data([0xFF, 0xFE]) + text.data(using: .utf16LittleEndian)!) == .xml)
        #expect(DocumentFormat(sniffing: Data([0xFE, 0xFF]) + text.data(using: .utf16BigEndian)!) == .xml)
        // Without the mark, libxml2 would not take it for XML either: "<", then a zero byte.
        #expect(DocumentFormat(sniffing: Data([0x00]) + text.data(using: .utf16BigEndian)!) == .unrecognized)
    }

    @Test func tooLargeIsSaidInSizesPeopleRead() throws {
        let url = Fixtures.sample("s03-declaration.pdf")
        guard case let .failed(_, reason) = Sniffer(maxBytes: 1049).sniff(path: url.path) else { Issue.record("read"); return }
        #expect(reason.code == "too-large")
        #expect(reason.message == "the file is 3.1 KB; the limit is 1.0 KB")
        #expect(Sniffer.digest(ofFileAt: url.path) == InputFile(path: url.path, data: try Data(contentsOf: url)).sha256)
        #expect(Sniffer.digest(ofFileAt: "/nonexistent/file.pdf") == nil)
    }

    @Test func nameDoesNotMatter() throws {
        // An XML export named .pdf is XML.
        let url = Fixtures.bad("xml-named.pdf")
        guard case let .sniffed(file, format) = Sniffer().sniff(path: url.path) else {
            Issue.record("not sniffed"); return
        }
        #expect(format == .xml)
        #expect(file.sha256.count == 64)
    }

    @Test func sha256OfKnownBytes() {
        #expect(InputFile(path: "x", data: Data("abc".utf8)).sha256
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func refusesSymbolicLinksFoldersAndOversizedFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sniff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let link = dir.appendingPathComponent("link.pdf")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: Fixtures.sample("s03-declaration.pdf"))
        guard case let .failed(_, reason) = Sniffer().sniff(path: link.path) else { Issue.record("link followed"); return }
        #expect(reason.code == "symbolic-link")
        guard case let .failed(_, folder) = Sniffer().sniff(path: dir.path) else { Issue.record("folder read"); return }
        #expect(folder.code == "directory")
        guard case let .failed(_, big) = Sniffer(maxBytes: 100).sniff(path: Fixtures.sample("s03-declaration.pdf").path) else {
            Issue.record("size limit ignored"); return
        }
        #expect(big.code == "too-large")
    }
}

@Suite struct TemplateTests {
    @Test func shippedTemplatesCarryEveryFieldOfTheFormsReadme() throws {
        let templates = try FormTemplates.shipped.get()
        let registrationKeys = ["company_legal_name", "company_operating_name", "wcb_account_number", "division",
            "mailing_address", "city", "province", "postal_code", "phone", "email", "scsa_member", "sk_permanent_office",
            "sk_office_address", "company_role", "expects_more_than_9", "workers_owners", "workers_full_time",
            "workers_part_time", "workers_casual", "workers_subcontractors", "workers_total", "trainee_name",
            "trainee_position", "trainee_status", "trainee_in_sk", "trainee_email", "trainee_other_account",
            "trainee_other_account_number", "signer_name", "signer_title", "date_signed", "signature"]
        #expect(Set(templates.registration.keys) == Set(registrationKeys))
        #expect(Set(templates.declaration.keys) == ["company_legal_name", "wcb_account_number", "decl_workers",
            "decl_office", "decl_trainee", "decl_milestones", "decl_growth", "signer_name", "signer_title",
            "date_signed", "signature"])
        for field in templates.registration.fields where field.kind == .yesNo {
            #expect(Set(field.options?.keys.map { $0 } ?? []) == ["Yes", "No"], "\(field.key)")
        }
        #expect(templates.registration.field("trainee_status")?.choices?.contains("Full-time permanent") == true)
        #expect(templates.registration.field("signature")?.page == 2)
        #expect(templates.registration.field("workers_total")?.label == "Total workers")
    }
}
