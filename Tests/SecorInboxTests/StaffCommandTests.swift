import Foundation
import Testing
import TestSupport
import SecorCore
import SecorFixtures
@testable import SecorRegistry

/// Staff settling applications after the watcher has decided them, through the commands they run.
@Suite(.serialized) struct StaffCommandTests {
    /// Sample s04's scanned registration with a blot over “Full-time employees” (fixtures/review).
    static let smudged = Fixtures.root.appendingPathComponent("fixtures/review/s04-registration-smudged.pdf")

    /// A batch run through the watcher (2026-11-22): the smudged s04 (to review) and s01 (accepted).
    /// Returns OUT, the review application's id, and the day's accepted.csv as the watcher wrote it.
    func reviewBatch() throws -> (out: URL, id: String, dayCSV: String, cleanup: () -> Void) {
        let inbox = try temporaryFolder("inbox"), out = try temporaryFolder("out")
        let watcher = RunningWatcher(inbox: inbox, out: out)
        try watcher.start()
        defer { watcher.kill() }
        for file in [Self.smudged, Fixtures.sample("s04-declaration.pdf"), Fixtures.sample("s01-registration.pdf"),
                     Fixtures.sample("s01-declaration.pdf")] {
            try FileManager.default.copyItem(at: file, to: inbox.appendingPathComponent(file.lastPathComponent))
        }
        let review = out.appendingPathComponent("review")
        #expect(eventually(120) {
            inboxFiles(inbox).isEmpty && ((try? FileManager.default.contentsOfDirectory(atPath: review.path)) ?? []).count == 1
                && FileManager.default.fileExists(atPath: out.appendingPathComponent("accepted.csv").path)
        })
        #expect(watcher.stop() == 0)
        let id = try #require(try FileManager.default.contentsOfDirectory(atPath: review.path).first)
        let csv = try String(contentsOf: out.appendingPathComponent("accepted.csv"), encoding: .utf8)
        try? FileManager.default.removeItem(at: watcher.log)
        return (out, id, csv, { for u in [inbox, out] { try? FileManager.default.removeItem(at: u) } })
    }

    func run(_ arguments: [String], _ out: URL) throws -> ProgramRun {
        try ProgramRun.run(arguments + ["--out", out.path])
    }

    func record(_ folder: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("record.json"))) as? [String: Any])
    }

    /// The folders under OUT that hold an application id.
    func folders(of id: String, in out: URL) -> [String] {
        ["pending", "accepted", "rejected", "review", "superseded"].filter {
            FileManager.default.fileExists(atPath: out.appendingPathComponent("\($0)/\(id)").path)
        }
    }

    /// An Alberta enrolment in review (a date that reads two ways) settled by staff with its own
    /// form's field names: corrected, decided, accepted.
    @Test func anAlbertaEnrolmentInReviewIsSettledByItsOwnFieldNames() throws {
        let inbox = try temporaryFolder("inbox"), out = try temporaryFolder("out"), made = try temporaryFolder("made")
        defer { for u in [inbox, out, made] { try? FileManager.default.removeItem(at: u) } }
        let url = Fixtures.root.appendingPathComponent("fixtures/ab-samples/expected.json")
        let cases = (try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])?["cases"] as? [[String: Any]] ?? []
        let s01 = try #require(cases.first { $0["id"] as? String == "s01" }?["enrolment"] as? [String: String])
        var random = SeededRandom(seed: 7)
        let generator = try ScanGenerator(templates: try FormTemplates.load(from: Fixtures.blankForms), forms: Fixtures.blankForms)
        let form = made.appendingPathComponent("enrolment.pdf")
        try generator.writeTyped(.enrolment, values: s01.merging(["date_signed": "02/03/2025"]) { $1 }, to: form, random: &random)
        let watcher = RunningWatcher(inbox: inbox, out: out, extra: ["--as-of", "2025-03-03"])
        try watcher.start()
        defer { watcher.kill() }
        try FileManager.default.copyItem(at: form, to: inbox.appendingPathComponent("enrolment.pdf"))
        let review = out.appendingPathComponent("review")
        #expect(eventually(60) { ((try? FileManager.default.contentsOfDirectory(atPath: review.path)) ?? []).count == 1 })
        #expect(watcher.stop() == 0)
        let id = try #require(try FileManager.default.contentsOfDirectory(atPath: review.path).first)
        let show = try run(["review", "show", id], out)
        #expect(show.status == 0 && show.stdout.contains("course_certificate_number") && show.stdout.contains("date_signed"), "\(show.stdout)")
        let wrong = try run(["review", "set", id, "workers_total=3", "--by", "Dana Clerk"], out)
        #expect(wrong.status != 0 && wrong.stderr.contains("employees_total"), "Saskatchewan's names are not this form's")
        let set = try run(["review", "set", id, "date_signed=2025-02-03", "--by", "Dana Clerk"], out)
        #expect(set.status == 0, "\(set.stderr)")
        let decide = try run(["review", "decide", id, "--by", "Dana Clerk", "--as-of", "2025-03-03"], out)
        #expect(decide.status == 0, "\(decide.stdout)\(decide.stderr)")
        let r = try record(out.appendingPathComponent("accepted/\(id)"))
        #expect(r["decision"] as? String == "accepted" && r["program"] as? String == "ab-secor")
        #expect((r["fields"] as? [String: Any])?["date_signed"] as? String == "2025-02-03")
        let companies = try ProgramRun.run(["companies", "--db", out.appendingPathComponent("registry.sqlite").path, "--as-of", "2025-03-03"])
        #expect(companies.stdout.contains("\"enrolment\" : \"accepted\""), "\(companies.stdout)")
    }

    @Test func aReviewIsCorrectedDecidedAndRecordedWithWhoDidIt() throws {
        let (out, id, dayCSV, cleanup) = try reviewBatch()
        defer { cleanup() }
        // The queue shows it, naming the doubtful field.
        let list = try run(["review", "list"], out)
        #expect(list.status == 0)
        let line = try #require(list.stdout.split(separator: "\n").first { $0.hasPrefix(id) })
        #expect(line.contains("Moose Jaw Valley Excavating Ltd") && line.contains("3729070") && line.contains("workers_full_time"))
        let show = try run(["review", "show", id], out)
        #expect(show.status == 0 && show.stdout.contains("workers_full_time") && show.stdout.contains("crops/workers_full_time.png"))
        let read = try #require((try record(out.appendingPathComponent("review/\(id)"))["as_written"] as? [String: [String: String]])?["registration"]?["workers_full_time"])

        // Corrected by a clerk, then decided: accepted, the value staff set beside the value read.
        let set = try run(["review", "set", id, "workers_full_time=1", "--by", "Dana Clerk", "--note", "checked against the scan"], out)
        #expect(set.status == 0, "\(set.stderr)")
        let decide = try run(["review", "decide", id, "--by", "Dana Clerk", "--as-of", "2026-11-23"], out)
        #expect(decide.status == 0, "\(decide.stdout)\(decide.stderr)")
        #expect(folders(of: id, in: out) == ["accepted"], "an id stands in one folder")
        let accepted = out.appendingPathComponent("accepted/\(id)")
        let r = try record(accepted)
        #expect(r["decision"] as? String == "accepted")
        #expect((r["fields"] as? [String: Any])?["workers_full_time"] as? Int == 1)
        let correction = try #require((r["corrections"] as? [String: [String: Any]])?["workers_full_time"])
        #expect(correction["read"] as? String == read && correction["value"] as? String == "1" && correction["by"] as? String == "Dana Clerk")
        #expect((r["readings"] as? [String: [String: Any]])?["workers_full_time"]?["source"] as? String == "staff")
        // The applicant's file is the one received, byte for byte.
        #expect(try Data(contentsOf: accepted.appendingPathComponent("s04-registration-smudged.pdf")) == Data(contentsOf: Self.smudged))
        #expect(FileManager.default.fileExists(atPath: accepted.appendingPathComponent("letter.pdf").path), "an acceptance letter")

        // Every step, with who did it.
        let history = try run(["history", id], out)
        let lines = history.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("secor-intake") && $0.contains("decided") && $0.contains("needs_review") })
        #expect(lines.contains { $0.contains("Dana Clerk") && $0.contains("corrected") && $0.contains("workers_full_time") })
        #expect(lines.contains { $0.contains("Dana Clerk") && $0.contains("review decided") && $0.contains("accepted") })
        #expect(try run(["history", "3729070"], out).stdout == history.stdout, "by WCB account too")

        // Letters written again are the same bytes; the registry holds the decision dates.
        let again = try temporaryFolder("letters")
        defer { try? FileManager.default.removeItem(at: again) }
        let letter = try ProgramRun.run(["letter", id, "--out", again.path], environment: ["SECOR_INTAKE_OUT": out.path])
        #expect(letter.status == 0, "\(letter.stderr)")
        for name in ["letter.txt", "letter.html", "letter.pdf"] {
            #expect(try Data(contentsOf: again.appendingPathComponent(name)) == Data(contentsOf: accepted.appendingPathComponent(name)), "\(name)")
        }
        // The export of a day is that day's accepted.csv: the 22nd as the watcher wrote it, the 23rd as staff's decision did.
        #expect(try run(["export", "--from", "2026-11-22", "--to", "2026-11-22"], out).stdout == dayCSV)
        #expect(dayCSV.split(separator: "\r\n").count == 2 && dayCSV.contains("3095119"))
        let day23 = try String(contentsOf: out.appendingPathComponent("accepted.csv"), encoding: .utf8)
        #expect(try run(["export", "--from", "2026-11-23"], out).stdout == day23)
        #expect(day23.contains(id) && day23.contains(",2026-11-23,"))
        let both = try run(["export", "--from", "2026-11-22", "--to", "2026-11-23", "--format", "jsonl"], out)
        #expect(both.stdout.split(separator: "\n").count == 2)

        // Found by company, account or signer.
        #expect(try run(["find", "moose jaw valley"], out).stdout.contains(id))
        #expect(try run(["find", "Casey Wiebe"], out).stdout.contains(id))
        // Only an application in review is corrected.
        let late = try run(["review", "set", id, "workers_full_time=2", "--by", "Dana Clerk"], out)
        #expect(late.status == 64 && late.stderr.contains("accepted"))

        // A supervisor's decision against the rules: filed as rejected, the reason in the record and the letter.
        let override = try run(["override", id, "--decision", "rejected", "--reason", "The WCB account was closed in March.",
                                "--by", "Sam Supervisor", "--as-of", "2026-11-24"], out)
        #expect(override.status == 0, "\(override.stderr)")
        #expect(folders(of: id, in: out) == ["rejected"])
        let rejected = out.appendingPathComponent("rejected/\(id)")
        #expect((try record(rejected)["override"] as? [String: Any])?["by"] as? String == "Sam Supervisor")
        #expect(try String(contentsOf: rejected.appendingPathComponent("letter.txt"), encoding: .utf8).contains("The WCB account was closed in March."))
        #expect(try run(["history", id], out).stdout.contains("Sam Supervisor"))
    }

    @Test func aCorrectionThatBreaksARuleRejectsWithTheCorrectedValue() throws {
        let (out, id, _, cleanup) = try reviewBatch()
        defer { cleanup() }
        #expect(try run(["review", "set", id, "workers_full_time=7", "--by", "Dana Clerk"], out).status == 0)
        let decide = try run(["review", "decide", id, "--by", "Dana Clerk", "--as-of", "2026-11-23"], out)
        #expect(decide.status == 0 && decide.stdout.contains("rejected"), "\(decide.stdout)\(decide.stderr)")
        #expect(folders(of: id, in: out) == ["rejected"])
        let letter = try String(contentsOf: out.appendingPathComponent("rejected/\(id)/letter.txt"), encoding: .utf8)
        #expect(letter.contains("2 + 7 + 0 + 1 + 1"), "the letter names the corrected value")
        #expect(try Data(contentsOf: out.appendingPathComponent("rejected/\(id)/s04-registration-smudged.pdf")) == Data(contentsOf: Self.smudged))
    }

    @Test func aCorrectedResubmissionSupersedesTheApplicationInReview() throws {
        let (out, id, _, cleanup) = try reviewBatch()
        defer { cleanup() }
        let inbox = try temporaryFolder("inbox")
        defer { try? FileManager.default.removeItem(at: inbox) }
        let watcher = RunningWatcher(inbox: inbox, out: out)
        try watcher.start()
        defer { watcher.kill() }
        // The applicant sends a clean registration: it pairs with the declaration already on file.
        try FileManager.default.copyItem(at: Fixtures.sample("s04-registration.pdf"), to: inbox.appendingPathComponent("s04-registration.pdf"))
        let accepted = out.appendingPathComponent("accepted")
        #expect(eventually(90) { inboxFiles(inbox).isEmpty && ((try? FileManager.default.contentsOfDirectory(atPath: accepted.path)) ?? []).count == 2 })
        #expect(watcher.stop() == 0)
        #expect(folders(of: id, in: out) == ["superseded"])
        let old = try record(out.appendingPathComponent("superseded/\(id)"))
        let newID = try #require(old["superseded_by"] as? String)
        #expect(folders(of: newID, in: out) == ["accepted"])
        #expect(try record(out.appendingPathComponent("accepted/\(newID)"))["supersedes"] as? [String] == [id])
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("superseded/\(id)/s04-registration-smudged.pdf").path))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("accepted/\(newID)/s04-declaration.pdf").path))
        try? FileManager.default.removeItem(at: watcher.log)
    }

    @Test func aPackageSentAgainForAnAcceptedAccountGoesToReviewAtOnce() throws {
        let inbox = try temporaryFolder("inbox"), out = try temporaryFolder("out")
        defer { for u in [inbox, out] { try? FileManager.default.removeItem(at: u) } }
        let watcher = RunningWatcher(inbox: inbox, out: out)
        try watcher.start()
        defer { watcher.kill() }
        let fm = FileManager.default
        try fm.copyItem(at: Fixtures.sample("s01-registration.pdf"), to: inbox.appendingPathComponent("s01-registration.pdf"))
        try fm.copyItem(at: Fixtures.sample("s01-declaration.pdf"), to: inbox.appendingPathComponent("s01-declaration.pdf"))
        #expect(eventually(60) { inboxFiles(inbox).isEmpty && ((try? fm.contentsOfDirectory(atPath: out.appendingPathComponent("accepted").path)) ?? []).count == 1 })
        let first = try #require(try fm.contentsOfDirectory(atPath: out.appendingPathComponent("accepted").path).first)
        // Sent again: the registration saved anew (new bytes), the declaration byte for byte the same.
        try (try Data(contentsOf: Fixtures.sample("s01-registration.pdf")) + Data("\n%saved again\n".utf8))
            .write(to: inbox.appendingPathComponent("resent-registration.pdf"))
        try fm.copyItem(at: Fixtures.sample("s01-declaration.pdf"), to: inbox.appendingPathComponent("resent-declaration.pdf"))
        let review = out.appendingPathComponent("review")
        #expect(eventually(60) { inboxFiles(inbox).isEmpty && ((try? fm.contentsOfDirectory(atPath: review.path)) ?? []).count == 1 })
        #expect(watcher.stop() == 0)
        let id = try #require(try fm.contentsOfDirectory(atPath: review.path).first)
        let reasons = try record(review.appendingPathComponent(id))["reasons"] as? [[String: Any]] ?? []
        let registered = try #require(reasons.first { $0["code"] as? String == "already-registered" })
        #expect(registered["field"] as? String == "wcb_account_number")
        #expect((registered["message"] as? String ?? "").contains("accepted on 2026-11-22 as \(first)"))
        #expect(((try? fm.contentsOfDirectory(atPath: out.appendingPathComponent("pending").path)) ?? []).isEmpty, "nothing waits 14 days")
        #expect(try fm.contentsOfDirectory(atPath: out.appendingPathComponent("duplicates").path).contains("resent-declaration.pdf"))
        #expect(folders(of: first, in: out) == ["accepted"] && folders(of: id, in: out) == ["review"])
        // status counts as the folders hold them.
        let status = try ProgramRun.run(["status", "--out", out.path])
        #expect(status.stdout.contains("duplicates   1") && status.stdout.contains("accepted     1") && status.stdout.contains("review       1"),
                "\(status.stdout)")
        try? FileManager.default.removeItem(at: watcher.log)
    }
}
