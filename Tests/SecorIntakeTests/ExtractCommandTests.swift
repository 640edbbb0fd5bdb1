import Foundation
import Testing
import TestSupport

/// `secor-intake extract` as staff run it: the real program, real files.
@Suite struct ExtractCommandTests {
    @Test func jsonHasOneObjectPerFileWithTheDocumentedShape() throws {
        let run = try ProgramRun.run(["extract", "--format", "json", "s03-registration.pdf", "s05-registration.xml"],
                                     in: Fixtures.samples)
        #expect(run.status == 0, "\(run.stderr)")
        let array = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        #expect(array.count == 2)
        let first = array[0]
        #expect(first["path"] as? String == "s03-registration.pdf")
        #expect((first["sha256"] as? String)?.count == 64)
        #expect(first["kind"] as? String == "registration")
        #expect(first["pages"] as? Int == 2)
        let fields = try #require(first["fields"] as? [String: [String: Any]])
        let wcb = try #require(fields["wcb_account_number"])
        #expect(wcb["value"] as? String == "3732948")
        #expect(wcb["raw"] as? String == "3732948")
        #expect(wcb["source"] as? String == "text")
        #expect(wcb["page"] as? Int == 1)
        #expect((wcb["box"] as? [Double])?.count == 4)
        #expect(wcb["confidence"] as? Double == 1)
        #expect((array[1]["fields"] as? [String: [String: Any]])?["workers_total"]?["source"] as? String == "xml")
    }

    @Test func unreadableFilesAreReportedAndExitOne() throws {
        let run = try ProgramRun.run(["extract", "--format", "json", Fixtures.bad("empty.pdf").path,
                                      Fixtures.sample("s03-declaration.pdf").path])
        #expect(run.status == 1)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        #expect(array[0]["kind"] as? String == "unreadable")
        let reasons = try #require(array[0]["reasons"] as? [[String: Any]])
        #expect(reasons.first?["message"] as? String == "the file is empty (0 bytes)")
        #expect(array[1]["kind"] as? String == "declaration")
    }

    @Test func usageErrorsExit64() throws {
        #expect(try ProgramRun.run(["extract"]).status == 64)
        #expect(try ProgramRun.run(["extract", "--format", "yaml", "x.pdf"]).status == 64)
        #expect(try ProgramRun.run(["no-such-command"]).status == 64)
    }

    @Test func textFormatIsReadable() throws {
        let run = try ProgramRun.run(["extract", "s02-declaration.pdf"], in: Fixtures.samples)
        #expect(run.status == 0)
        #expect(run.stdout.contains("kind: declaration"))
        #expect(run.stdout.contains("Riverbend Masonry Limited"))
    }

    @Test func applicantDataStaysOutOfLogsAboveDebug() throws {
        let run = try ProgramRun.run(["extract", "--log-level", "info", "--format", "json", "s05-registration.xml"],
                                     in: Fixtures.samples)
        #expect(run.stderr.contains("sha256"))
        for personal in ["Harper Okafor", "office@wascanapainting.ca", "555-4809", "Wascana Painting"] {
            #expect(!run.stderr.contains(personal))
        }
    }
}
