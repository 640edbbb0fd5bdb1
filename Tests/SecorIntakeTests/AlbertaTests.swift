import Foundation
import Testing
import TestSupport

/// Alberta's documents as the office receives them: each decided on its own under ab-secor,
/// certificates issued and companies told. (Every value of the fifteen samples is checked as
/// written where the timeline replays them, in `TimelineTests`.)
@Suite struct AlbertaTests {
    static var folder: URL { Fixtures.root.appendingPathComponent("fixtures/ab-samples") }

    struct Case {
        let id: String, kind: String, flavor: String, file: String, asOf: String, decision: String, fields: [String]
        let values: [String: String]
    }

    static func cases() throws -> [Case] {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("expected.json"))) as? [String: Any])
        return try (json["cases"] as? [[String: Any]] ?? []).map { c in
            let kind = try #require(c["kind"] as? String)
            return Case(id: c["id"] as? String ?? "", kind: kind, flavor: c["flavor"] as? String ?? "", file: (c["files"] as? [String])?.first ?? "",
                        asOf: c["as_of"] as? String ?? "", decision: c["decision"] as? String ?? "", fields: c["fields"] as? [String] ?? [],
                        values: c[kind] as? [String: String] ?? [:])
        }
    }

    static func report(_ arguments: [String]) throws -> [String: Any] {
        let run = try ProgramRun.run(arguments, in: folder)
        #expect(run.status <= 1, "\(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    /// Acceptance: each enrolment processed alone at its date is decided as the office expects.
    @Test func eachEnrolmentAloneIsDecidedAsTheOfficeExpects() throws {
        for c in try Self.cases() where c.kind == "enrolment" {
            let report = try Self.report(["process", "--as-of", c.asOf, "--format", "json", "--quiet", c.file])
            let app = try #require((report["applications"] as? [[String: Any]])?.first, "\(c.id)")
            #expect(app["program"] as? String == "ab-secor" && app["edition"] as? String == "2024-04", "\(c.id)")
            #expect(app["decision"] as? String == c.decision, "\(c.id) \(c.flavor)")
            let fields = Set((app["reasons"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields == Set(c.fields), "\(c.id): \(fields)")
            #expect((app["documents"] as? [[String: Any]])?.first?["kind"] as? String == "enrolment")
        }
    }

    /// Without a registry, an audit that must be checked against the record is for staff, never a guess.
    @Test func anAuditWithoutTheRecordGoesToStaff() throws {
        let report = try Self.report(["process", "--as-of", "2025-09-15", "--format", "json", "--quiet", "s07-audit.pdf"])
        let app = try #require((report["applications"] as? [[String: Any]])?.first)
        #expect(app["decision"] as? String == "needs_review")
        #expect((app["reasons"] as? [[String: Any]])?.map { $0["code"] as? String } == ["needs-record"])
    }

    /// The letters: a certificate issued gets one with its number and dates; a cancellation names
    /// the certificate and the anniversary missed.
    @Test func certificatesAndCancellationsAreToldInLetters() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ab-letters-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("registry.sqlite").path, out = dir.appendingPathComponent("out")
        for (date, files) in [("2025-03-03", ["s03-enrolment.pdf"]), ("2025-10-20", ["s10-audit.pdf"]), ("2026-11-22", [String]())] {
            let run = try ProgramRun.run(["process", "--db", db, "--as-of", date, "--out", out.path, "--quiet"] + files, in: Self.folder)
            #expect(run.status <= 1, "\(run.stderr)")
        }
        // Letters are wrapped: compared with their lines joined.
        func letter(_ path: String) throws -> String {
            try String(contentsOf: out.appendingPathComponent(path), encoding: .utf8).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
        let issued = try letter("notices/2025-10-20-9479964-issued/notice.txt")
        #expect(issued.contains("AB9479964-01") && issued.contains("October 20, 2028") && issued.contains("Iron Creek Plumbing"))
        let cancelled = try letter("notices/2026-11-22-9479964-cancelled/notice.txt")
        #expect(cancelled.contains("AB9479964-01") && cancelled.contains("October 20, 2026") && cancelled.contains("maintenance audit (year 2)"))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("notices/2026-11-22-9479964-cancelled/notice.pdf").path))
        let companies = try ProgramRun.run(["companies", "--db", db, "--as-of", "2026-11-22", "--format", "text"])
        #expect(companies.stdout.contains("AB9479964-01: cancelled"), "\(companies.stdout)")
    }
}
