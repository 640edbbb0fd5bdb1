import Foundation
import Poppler
import SecorCore
import SecorOutput

/// Typed applications for `make bench`: each registration and declaration typed onto the blank
/// forms as a PDF with a text layer (the "print" flavor), and each registration as an XML export
/// naming its declaration.
extension ScanGenerator {
    public struct TypedFiles: Sendable {
        public var pdfs: [String] = []
        public var xmls: [String] = []
    }

    /// Applications 1...max(pdfs, xmls): `typed-NNNN-registration.pdf` and `typed-NNNN-declaration.pdf`
    /// for the first `pdfs`, `export-NNNN.xml` (the registration as the online form exports it) for the first `xmls`.
    public func generateTyped(pdfs: Int, xmls: Int, seed: UInt64, into folder: URL) throws -> TypedFiles {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var random = SeededRandom(seed: seed)
        var files = TypedFiles()
        for n in 1...max(1, pdfs, xmls) {
            let app = SampleApplications.make(&random)
            for (kind, values) in [(DocumentKind.registration, app.registration), (.declaration, app.declaration)] where n <= pdfs {
                let name = String(format: "typed-%04d-%@.pdf", n, kind.rawValue)
                try writeTyped(kind, values: values, to: folder.appendingPathComponent(name), random: &random)
                files.pdfs.append(name)
            }
            if n <= xmls {
                let name = String(format: "export-%04d.xml", n)
                try Data(Self.xmlExport(app.registration, declarationFile: String(format: "typed-%04d-declaration.pdf", n)).utf8)
                    .write(to: folder.appendingPathComponent(name))
                files.xmls.append(name)
            }
        }
        return files
    }

    /// One form (any program's) with `values` typed into it by a program: a PDF with a text layer, as
    /// the `print` flavor arrives.
    public func writeTyped(_ kind: DocumentKind, values: [String: String], to url: URL, random: inout SeededRandom) throws {
        guard let template = templates.template(for: kind), let blank = blanks[kind] else { return }
        let marks = (0..<blank.pageCount).map { index in
            template.fields.filter { $0.page == index + 1 }.flatMap { Self.marks($0, value: values[$0.key] ?? "", random: &random) }
        }
        try writeDrawnPDF(blank, to: url) { index, canvas in
            for mark in index < marks.count ? marks[index] : [] { mark.draw(on: canvas) }
        }
    }

    /// A registration as the online form exports it (the shape of the office's samples).
    public static func xmlExport(_ v: [String: String], declarationFile: String) -> String {
        func e(_ key: String) -> String { HTML.escape(v[key] ?? "") }
        func flag(_ key: String) -> String { v[key] == "Yes" ? "true" : "false" }
        func element(_ name: String, _ key: String, _ indent: String = "    ") -> String {
            let value = e(key)
            return value.isEmpty ? "\(indent)<\(name)/>\n" : "\(indent)<\(name)>\(value)</\(name)>\n"
        }
        let date = v["date_signed"] ?? "2026-01-01"
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <SecorRegistration xmlns="urn:scsa:secor:registration:2018" formVersion="2018.09" submitted="\(date)T10:25:00-06:00">
              <Company>
            \(element("LegalName", "company_legal_name"))\(element("OperatingName", "company_operating_name"))\(element("WcbAccountNumber", "wcb_account_number"))\(element("Division", "division"))    <MailingAddress>
            \(element("Street", "mailing_address", "      "))\(element("City", "city", "      "))\(element("Province", "province", "      "))\(element("PostalCode", "postal_code", "      "))    </MailingAddress>
            \(element("Telephone", "phone"))\(element("Email", "email"))    <ScsaMember>\(flag("scsa_member"))</ScsaMember>
                <PermanentSaskatchewanOffice present="\(flag("sk_permanent_office"))">\(e("sk_office_address"))</PermanentSaskatchewanOffice>
            \(element("Role", "company_role"))    <ExpectsMoreThanNineWorkers>\(flag("expects_more_than_9"))</ExpectsMoreThanNineWorkers>
              </Company>
              <Workforce>
            \(element("Owners", "workers_owners"))\(element("FullTime", "workers_full_time"))\(element("PartTime", "workers_part_time"))\(element("Casual", "workers_casual"))\(element("SubContractors", "workers_subcontractors"))\(element("Total", "workers_total"))  </Workforce>
              <TrainedEmployee>
            \(element("Name", "trainee_name"))\(element("Position", "trainee_position"))\(element("EmploymentStatus", "trainee_status"))    <WorksFromSaskatchewanOffice>\(flag("trainee_in_sk"))</WorksFromSaskatchewanOffice>
            \(element("Email", "trainee_email"))    <TrainedEmployeeForOtherAccount account="\(e("trainee_other_account_number"))">\(flag("trainee_other_account"))</TrainedEmployeeForOtherAccount>
              </TrainedEmployee>
              <Authorization>
            \(element("SignerName", "signer_name"))\(element("SignerTitle", "signer_title"))\(element("DateSigned", "date_signed"))  </Authorization>
              <Attachment kind="compliance-declaration" fileName="\(HTML.escape(declarationFile))"/>
            </SecorRegistration>

            """
    }
}
