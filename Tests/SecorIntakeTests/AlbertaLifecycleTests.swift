import Foundation
import Testing
import TestSupport
import SecorCore
import SecorFixtures

/// A certificate's whole life through the commands, on forms typed for the story (the samples'
/// timeline never reaches a recertification, a second maintenance audit, an early one, or a
/// certification after a cancellation): every decision, certificate and state as rules 5-17 say.
@Suite struct AlbertaLifecycleTests {
    static var samples: [String: [String: String]] {
        let url = Fixtures.root.appendingPathComponent("fixtures/ab-samples/expected.json")
        let json = (try? JSONSerialization.jsonObject(with: Data(contentsOf: url))) as? [String: Any]
        var out: [String: [String: String]] = [:]
        for c in json?["cases"] as? [[String: Any]] ?? [] {
            guard let id = c["id"] as? String, let kind = c["kind"] as? String else { continue }
            out[id] = c[kind] as? [String: String]
        }
        return out
    }

    struct Story {
        let dir: URL
        let db: String
        let generator: ScanGenerator
        var random = SeededRandom(seed: 3)
        var count = 0

        /// A form typed with the sample's values and these changes, as a new file.
        mutating func form(_ kind: DocumentKind, from sample: String, _ changes: [String: String]) throws -> String {
            count += 1
            let url = dir.appendingPathComponent(String(format: "%02d-%@.pdf", count, kind.rawValue))
            try generator.writeTyped(kind, values: AlbertaLifecycleTests.samples[sample]!.merging(changes) { $1 }, to: url, random: &random)
            return url.path
        }

        /// `process --db` on `date`: each file's decision and reason fields, and the report.
        func process(_ date: String, _ files: [String]) throws -> (decisions: [String: (String, Set<String>)], report: [String: Any]) {
            let run = try ProgramRun.run(["process", "--db", db, "--as-of", date, "--format", "json", "--quiet"] + files)
            let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stderr)")
            var decisions: [String: (String, Set<String>)] = [:]
            for app in report["applications"] as? [[String: Any]] ?? [] {
                let path = ((app["documents"] as? [[String: Any]])?.first?["path"] as? String) ?? ""
                decisions[path] = (app["decision"] as? String ?? "", Set((app["reasons"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }))
            }
            return (decisions, report)
        }

        func companies(_ date: String) throws -> [String: [String: Any]] {
            let run = try ProgramRun.run(["companies", "--db", db, "--as-of", date])
            return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: [String: Any]])
        }
    }

    static func enrolment(_ account: String, _ company: String) -> [String: String] {
        ["wcb_account_number": account, "company_legal_name": company, "date_signed": "2024-04-20", "course_completion_date": "2024-03-01"]
    }

    static func audit(_ account: String, _ company: String, _ type: AuditType, _ certificate: String, auditor: String = "External",
                      score: String = "85", date: String, signed: String) -> [String: String] {
        ["wcb_account_number": account, "company_legal_name": company, "audit_type": type.rawValue, "secor_certificate_number": certificate,
         "auditor_type": auditor, "auditor_certification_number": auditor == "External" ? "AUD-10001" : "", "audit_score": score,
         "audit_date": date, "date_signed": signed]
    }

    @Test func certificatesAreKeptCancelledReissuedAndReplaced() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ab-life-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var story = Story(dir: dir, db: dir.appendingPathComponent("registry.sqlite").path,
                          generator: try ScanGenerator(templates: try FormTemplates.load(from: Fixtures.blankForms), forms: Fixtures.blankForms))
        let (g, h, i) = (("5550001", "Glacier Fencing Ltd."), ("5550002", "Hoodoo Welding Inc."), ("5550003", "Icefield Roofing Ltd."))

        // 2024-05-01: two enrolments; 2024-06-01: a second enrolment for H (staff), a certification audit without one (I).
        let gEnrol = try story.form(.enrolment, from: "s01", Self.enrolment(g.0, g.1))
        let hEnrol = try story.form(.enrolment, from: "s01", Self.enrolment(h.0, h.1))
        var step = try story.process("2024-05-01", [gEnrol, hEnrol])
        #expect(step.decisions[gEnrol]?.0 == "accepted" && step.decisions[hEnrol]?.0 == "accepted")
        let hAgain = try story.form(.enrolment, from: "s01", Self.enrolment(h.0, h.1))
        let iAudit = try story.form(.auditSubmission, from: "s07", Self.audit(i.0, i.1, .certification, "", date: "2024-05-20", signed: "2024-05-25"))
        step = try story.process("2024-06-01", [hAgain, iAudit])
        #expect(step.decisions[hAgain]! == ("needs_review", ["wcb_account_number"]))
        #expect(step.decisions[iAudit]! == ("rejected", ["wcb_account_number"]))

        // 2024-06-10: certification audits for G and H: a certificate each.
        let gCert = try story.form(.auditSubmission, from: "s07", Self.audit(g.0, g.1, .certification, "", date: "2024-06-01", signed: "2024-06-05"))
        let hCert = try story.form(.auditSubmission, from: "s07", Self.audit(h.0, h.1, .certification, "", score: "90", date: "2024-06-01", signed: "2024-06-05"))
        step = try story.process("2024-06-10", [gCert, hCert])
        #expect(step.decisions[gCert]?.0 == "accepted" && step.decisions[hCert]?.0 == "accepted")
        #expect((step.report["issued"] as? [[String: Any]])?.compactMap { $0["certificate"] as? String } == ["AB5550001-01", "AB5550002-01"])

        // 2025-05-01: G's year-2 maintenance audit (internal, any score) in its window; its year-3 one too early.
        let gYear2 = try story.form(.auditSubmission, from: "s13", Self.audit(g.0, g.1, .maintenanceYear2, "ab5550001-01", auditor: "Internal",
                                                                            score: "70", date: "2025-04-20", signed: "2025-04-25"))
        let gYear3Early = try story.form(.auditSubmission, from: "s13", Self.audit(g.0, g.1, .maintenanceYear3, "AB5550001-01", auditor: "Internal",
                                                                                 date: "2025-04-21", signed: "2025-04-26"))
        step = try story.process("2025-05-01", [gYear2, gYear3Early])
        #expect(step.decisions[gYear2]?.0 == "accepted")
        #expect(step.decisions[gYear3Early]! == ("rejected", ["audit_type"]))
        // 2025-05-20: a second year-2 audit goes to staff.
        let gYear2Again = try story.form(.auditSubmission, from: "s13", Self.audit(g.0, g.1, .maintenanceYear2, "AB5550001-01", auditor: "Internal",
                                                                                 date: "2025-05-10", signed: "2025-05-12"))
        step = try story.process("2025-05-20", [gYear2Again])
        #expect(step.decisions[gYear2Again]! == ("needs_review", ["audit_type"]))

        // 2025-06-11: the day after the first anniversary, H has no maintenance audit: cancelled and told.
        let due = try ProgramRun.run(["due", "--db", story.db, "--as-of", "2025-06-11"])
        let listing = try #require(try JSONSerialization.jsonObject(with: Data(due.stdout.utf8)) as? [String: Any])
        #expect((listing["notices"] as? [[String: Any]])?.map { $0["certificate"] as? String } == ["AB5550002-01"])
        #expect(((listing["due"] as? [String: Any])?["cancelled"] as? [[String: Any]])?.first?["missed_anniversary"] as? String == "2025-06-10")

        // 2025-08-01: H starts again with a certification audit (its enrolment still on record): a second certificate.
        let hCertAgain = try story.form(.auditSubmission, from: "s07", Self.audit(h.0, h.1, .certification, "", date: "2025-07-20", signed: "2025-07-25"))
        step = try story.process("2025-08-01", [hCertAgain])
        #expect(step.decisions[hCertAgain]?.0 == "accepted")
        #expect((step.report["issued"] as? [[String: Any]])?.first?["certificate"] as? String == "AB5550002-02")

        // 2026-03-01: G's year-3 audit; 2026-07-01 (after the second anniversary): its recertification replaces the certificate.
        let gYear3 = try story.form(.auditSubmission, from: "s13", Self.audit(g.0, g.1, .maintenanceYear3, "AB5550001-01", auditor: "Internal",
                                                                            date: "2026-02-20", signed: "2026-02-25"))
        step = try story.process("2026-03-01", [gYear3])
        #expect(step.decisions[gYear3]?.0 == "accepted")
        let gRecert = try story.form(.auditSubmission, from: "s07", Self.audit(g.0, g.1, .recertification, "AB5550001-01", score: "88",
                                                                             date: "2026-06-20", signed: "2026-06-25"))
        step = try story.process("2026-07-01", [gRecert])
        #expect(step.decisions[gRecert]?.0 == "accepted")
        let issued = try #require((step.report["issued"] as? [[String: Any]])?.first)
        #expect(issued["certificate"] as? String == "AB5550001-02" && issued["replaces"] as? String == "AB5550001-01")
        #expect(issued["expires"] as? String == "2029-07-01")

        let companies = try story.companies("2026-07-01")
        let gCerts = try #require(companies[g.0]?["certificates"] as? [[String: Any]])
        #expect(gCerts.map { $0["status"] as? String } == ["replaced", "valid"])
        #expect(gCerts[0]["replaced_on"] as? String == "2026-07-01" && gCerts[0]["replaced_by"] as? String == "AB5550001-02")
        #expect((gCerts[0]["maintenance"] as? [String: String]) == ["year_2": "2025-05-01", "year_3": "2026-03-01"])
        let hCerts = try #require(companies[h.0]?["certificates"] as? [[String: Any]])
        #expect(hCerts.map { $0["status"] as? String } == ["cancelled", "valid"])
        #expect(companies[h.0]?["enrolment"] as? String == "accepted")
        #expect(companies[i.0]?["enrolment"] is NSNull, "I never enrolled")
        // The replacement expires the day after its expiry date (no run needed, no notice).
        let later = try story.companies("2029-07-02")
        #expect((later[g.0]?["certificates"] as? [[String: Any]])?.last?["status"] as? String == "expired")
    }
}
