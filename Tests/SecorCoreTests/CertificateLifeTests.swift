import Foundation
import Testing
import TestSupport
@testable import SecorCore

let certificateTerms = try! #require(library.edition(of: "ab-secor", on: CalendarDate(year: 2026, month: 1, day: 1)!)?.certificates)

func day(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }

/// Rules 14-17: a certificate's dates, status, windows and the anniversary a run finds missed.
@Suite struct CertificateLifeTests {
    @Test func aCertificateIsValidThreeYearsWithTwoAnniversaries() {
        let c = Certificate(number: Certificate.number(account: "3807325", count: 1), account: "3807325", issued: day("2025-09-15"),
                            replaces: nil, terms: certificateTerms)
        #expect(c.number == "AB3807325-01")
        #expect(c.anniversaries == [day("2026-09-15"), day("2027-09-15")])
        #expect(c.expires == day("2028-09-15"))
        // Valid through the expiry day, expired from the next.
        #expect(c.status(on: day("2028-09-15")) == .valid)
        #expect(c.status(on: day("2028-09-16")) == .expired)
        #expect(Certificate.number(account: "3807325", count: 12) == "AB3807325-12")
        #expect(Certificate.key(" ab3807325 -01") == "AB3807325-01")
    }

    @Test func aTwentyNinthOfFebruaryFallsOnTheTwentyEighth() {
        let c = Certificate(number: "AB1234567-01", account: "1234567", issued: day("2028-02-29"), replaces: nil, terms: certificateTerms)
        #expect(c.anniversaries == [day("2029-02-28"), day("2030-02-28")])
        #expect(c.expires == day("2031-02-28"))
    }

    @Test func eachAuditHasItsWindow() throws {
        let c = Certificate(number: "AB1234567-01", account: "1234567", issued: day("2025-11-03"), replaces: nil, terms: certificateTerms)
        #expect(c.window(for: .certification) == nil)
        let y2 = try #require(c.window(for: .maintenanceYear2)), y3 = try #require(c.window(for: .maintenanceYear3))
        let y4 = try #require(c.window(for: .recertification))
        #expect((y2.after, y2.through) == (day("2025-11-03"), day("2026-11-03")))
        #expect((y3.after, y3.through) == (day("2026-11-03"), day("2027-11-03")))
        #expect((y4.after, y4.through) == (day("2027-11-03"), day("2028-11-03")))
    }

    /// Rule 15: the first run after an anniversary without its maintenance audit cancels; the day
    /// of the anniversary itself does not.
    @Test func aRunAfterAMissedAnniversaryCancels() throws {
        var c = Certificate(number: "AB1234567-01", account: "1234567", issued: day("2025-11-03"), replaces: nil, terms: certificateTerms)
        #expect(c.missed(on: day("2026-11-03")) == nil)
        let missed = try #require(c.missed(on: day("2026-11-04")))
        #expect(missed.anniversary == day("2026-11-03") && missed.audit == .maintenanceYear2)
        c.maintenance[2] = day("2026-10-01")
        #expect(c.missed(on: day("2027-01-01")) == nil)
        #expect(c.missed(on: day("2027-11-04"))?.audit == .maintenanceYear3)
        c.cancelledOn = day("2027-11-04")
        #expect(c.status(on: day("2027-11-04")) == .cancelled && c.missed(on: day("2027-12-01")) == nil)
    }

    /// Rule 17: maintenance due in the window, recertification due, cancellations; sorted.
    @Test func theDueListingHasEachKindInItsWindow() {
        var cancelled = Certificate(number: "AB2222222-01", account: "2222222", issued: day("2024-01-10"), replaces: nil, terms: certificateTerms)
        cancelled.cancelledOn = day("2025-01-20"); cancelled.missedAnniversary = day("2025-01-10")
        let maintenance = Certificate(number: "AB1111111-01", account: "1111111", issued: day("2024-12-15"), replaces: nil, terms: certificateTerms)
        var expiring = Certificate(number: "AB3333333-02", account: "3333333", issued: day("2022-01-05"), replaces: nil, terms: certificateTerms)
        expiring.maintenance = [2: day("2022-12-01"), 3: day("2023-12-01")]
        let listing = CertificateDueListing(on: day("2024-11-22"), certificates: [cancelled, maintenance, expiring],
                                            companies: ["1111111": "One", "2222222": "Two", "3333333": "Three"], windowDays: 60)
        #expect(listing.until == day("2025-01-21"))
        // A certificate not yet issued on the day is not listed.
        #expect(listing.maintenanceDue.map(\.certificate) == ["AB2222222-01"] && listing.maintenanceDue.first?.company == "Two")
        let later = CertificateDueListing(on: day("2024-12-20"), certificates: [cancelled, maintenance, expiring],
                                          companies: [:], windowDays: 60)
        #expect(later.maintenanceDue.map(\.certificate) == ["AB2222222-01"])
        #expect(later.recertificationDue.map(\.certificate) == ["AB3333333-02"] && later.recertificationDue.first?.due == day("2025-01-05"))
        let afterCancel = CertificateDueListing(on: day("2025-01-20"), certificates: [cancelled, maintenance, expiring], companies: [:], windowDays: 60)
        #expect(afterCancel.cancelled.map(\.certificate) == ["AB2222222-01"])
    }
}

/// A register in memory, as a registry would answer.
final class MemoryCertificates: CertificateRegister {
    var enrolled: Set<String> = []
    var list: [Certificate] = []
    func isEnrolled(_ account: String) throws -> Bool { enrolled.contains(account) }
    func certificates(of account: String) throws -> [Certificate] { list.filter { $0.account == account } }
    func certificate(_ number: String) throws -> Certificate? { list.first { Certificate.key($0.number) == Certificate.key(number) } }
}

/// Alberta's audits decided against the record: rules 6, 10, 11 and 14.
@Suite struct AlbertaAuditDecisionTests {
    /// Each sample's values as written, by case, for one kind of document.
    static func samples(_ kind: DocumentKind) -> [String: [String: String]] {
        let url = Fixtures.root.appendingPathComponent("fixtures/ab-samples/expected.json")
        let json = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        var out: [String: [String: String]] = [:]
        for c in json["cases"] as! [[String: Any]] { if let v = c[kind.rawValue] as? [String: String] { out[c["id"] as! String] = v } }
        return out
    }
    static let audits = samples(.auditSubmission)
    static let enrolments = samples(.enrolment)

    /// The audit of sample `id`, with some values changed.
    static func audit(_ id: String, _ changes: [String: String] = [:]) -> Application {
        let values = audits[id]!.merging(changes) { $1 }
        let doc = ExtractedDocument(kind: .auditSubmission, flavor: .fill, pages: [1], fields: values.mapValues { ExtractedField(value: $0, source: .acroform) })
        let received = ReceivedDocument(path: "\(id).pdf", sha256: String(repeating: "1", count: 64), extracted: doc,
                                        normalized: FieldNormalizer(templates: templates).normalize(doc), fileIndex: 0)
        return Application(id: id, registration: received, declaration: nil, files: [])
    }

    static func decide(_ app: Application, on date: String, _ register: MemoryCertificates?) throws -> DecidedApplication {
        let decider = BatchDecider(library: library, templates: templates, processingDate: day(date))
        return try #require(try decider.decide([app], certificates: register).first)
    }

    static func fields(_ d: DecidedApplication) -> Set<String> { Set(d.reasons.compactMap(\.field)) }

    /// Company B (7157194) holding AB7157194-01, issued 2025-11-03.
    static func bHolding() -> MemoryCertificates {
        let r = MemoryCertificates()
        r.enrolled = ["7157194", "3807325"]
        r.list = [Certificate(number: "AB7157194-01", account: "7157194", issued: day("2025-11-03"), replaces: nil, terms: certificateTerms),
                  Certificate(number: "AB3807325-01", account: "3807325", issued: day("2025-09-15"), replaces: nil, terms: certificateTerms)]
        return r
    }

    @Test func aPassedCertificationAuditIssuesTheAccountsNextCertificate() throws {
        let r = MemoryCertificates()
        r.enrolled = ["3807325"]
        let d = try Self.decide(Self.audit("s07"), on: "2025-09-15", r)
        #expect(d.decision == .accepted && d.edition.program == "ab-secor")
        #expect(d.issued?.certificate == "AB3807325-01" && d.issued?.expires == day("2028-09-15"))
        // 80 passes, 79.5 does not.
        #expect(try Self.decide(Self.audit("s07", ["audit_score": "80 %"]), on: "2025-09-15", r).decision == .accepted)
        let low = try Self.decide(Self.audit("s07", ["audit_score": "79.5%"]), on: "2025-09-15", r)
        #expect(low.decision == .rejected && Self.fields(low) == ["audit_score"] && low.issued == nil)
        // Not enrolled: rejected naming the account; with no record at all: staff look.
        let stranger = try Self.decide(Self.audit("s07"), on: "2025-09-15", MemoryCertificates())
        #expect(stranger.decision == .rejected && Self.fields(stranger) == ["wcb_account_number"])
        let unknown = try Self.decide(Self.audit("s07"), on: "2025-09-15", nil)
        #expect(unknown.decision == .needsReview && unknown.reasons.map(\.code) == ["needs-record"])
    }

    /// B's year-2 maintenance audit (s15), done and signed in September 2026.
    static func maintenance(_ changes: [String: String] = [:]) -> Application {
        audit("s15", ["audit_date": "2026-09-20", "date_signed": "2026-09-25"].merging(changes) { $1 })
    }

    /// Without a registry nothing is known of what an account already holds: an enrolment and a
    /// certification audit in one batch do not make a certificate that is recorded nowhere.
    @Test func aBatchWithoutTheRecordIssuesNoCertificate() throws {
        let s01 = try #require(Self.enrolments["s01"])
        let doc = ExtractedDocument(kind: .enrolment, flavor: .fill, pages: [1, 2], fields: s01.mapValues { ExtractedField(value: $0, source: .acroform) })
        let enrolment = Application(id: "enrolment", registration: ReceivedDocument(path: "s01.pdf", sha256: String(repeating: "2", count: 64), extracted: doc,
                                    normalized: FieldNormalizer(templates: templates).normalize(doc), fileIndex: 0), declaration: nil, files: [])
        let decider = BatchDecider(library: library, templates: templates, processingDate: day("2025-09-15"))
        let decided = try decider.decide([Self.audit("s07"), enrolment])
        #expect(decided[1].decision == .accepted)
        #expect(decided[0].decision == .needsReview && decided[0].reasons.map(\.code) == ["needs-record"] && decided[0].issued == nil)
    }

    @Test func aMaintenanceAuditMustComeInItsWindow() throws {
        let r = Self.bHolding()
        let inWindow = try Self.decide(Self.maintenance(), on: "2026-10-01", r)
        #expect(inWindow.decision == .accepted, "\(inWindow.reasons.map(\.message))")
        #expect(inWindow.certificateChanges == [.maintenance(certificate: "AB7157194-01", year: 2, on: day("2026-10-01"))])
        let onTheAnniversary = try Self.decide(Self.maintenance(), on: "2026-11-03", r)
        #expect(onTheAnniversary.decision == .accepted)
        let late = try Self.decide(Self.maintenance(), on: "2026-11-22", r)
        #expect(late.decision == .rejected && Self.fields(late) == ["date_received"])
        let early = try Self.decide(Self.maintenance(["audit_type": "Maintenance audit (year 3)"]), on: "2026-11-01", r)
        #expect(early.decision == .rejected && Self.fields(early) == ["audit_type"], "\(early.reasons.map(\.message))")
        // Another account's certificate, a cancelled one, one that does not exist.
        let others = try Self.decide(Self.maintenance(["secor_certificate_number": "ab3807325-01"]), on: "2026-10-01", r)
        #expect(others.decision == .rejected && Self.fields(others) == ["secor_certificate_number"])
        r.list[0].cancelledOn = day("2026-11-04")
        let cancelled = try Self.decide(Self.maintenance(), on: "2026-11-22", r)
        #expect(cancelled.decision == .rejected && Self.fields(cancelled) == ["secor_certificate_number"])
        let none = try Self.decide(Self.maintenance(["secor_certificate_number": "AB7157194-07"]), on: "2026-10-01", r)
        #expect(none.decision == .rejected && Self.fields(none) == ["secor_certificate_number"])
    }

    @Test func aSecondMaintenanceAuditForAYearGoesToStaff() throws {
        let r = Self.bHolding()
        r.list[0].maintenance[2] = day("2026-09-01")
        let d = try Self.decide(Self.maintenance(), on: "2026-10-01", r)
        #expect(d.decision == .needsReview && Self.fields(d) == ["audit_type"])
    }

    @Test func anAcceptedRecertificationReplacesTheCertificateItNames() throws {
        let r = Self.bHolding()
        r.list[0].maintenance = [2: day("2026-10-01"), 3: day("2027-10-01")]
        let recert = Self.audit("s11", ["audit_type": "Recertification audit (year 4)", "secor_certificate_number": "AB7157194-01",
                                        "audit_date": "2028-09-20", "date_signed": "2028-09-25"])
        let d = try Self.decide(recert, on: "2028-10-01", r)
        #expect(d.decision == .accepted, "\(d.reasons.map(\.message))")
        #expect(d.issued?.certificate == "AB7157194-02" && d.issued?.replaces == "AB7157194-01")
        #expect(d.certificateChanges.contains(.replaced(certificate: "AB7157194-01", by: "AB7157194-02", on: day("2028-10-01"))))
        // After the expiry day the certificate is expired: rule 10.
        let late = try Self.decide(recert, on: "2028-11-04", r)
        #expect(late.decision == .rejected && Self.fields(late) == ["secor_certificate_number"])
    }

    /// A document dated before any edition of its program's rules was in force is for staff.
    @Test func aDocumentSignedBeforeTheProgramsRulesGoesToStaff() throws {
        let r = MemoryCertificates()
        r.enrolled = ["3807325"]
        let d = try Self.decide(Self.audit("s07", ["audit_date": "2024-02-01", "date_signed": "2024-03-01"]), on: "2025-09-15", r)
        #expect(d.decision == .needsReview && d.reasons.map(\.code) == ["no-edition-in-force"] && d.edition.edition == "2024-04")
    }

    @Test func aCertificateNumberOnACertificationAuditGoesToStaff() throws {
        let r = MemoryCertificates()
        r.enrolled = ["3807325"]
        let d = try Self.decide(Self.audit("s07", ["secor_certificate_number": "AB3807325-01"]), on: "2025-09-15", r)
        #expect(d.decision == .needsReview && Self.fields(d) == ["secor_certificate_number"])
    }
}
