import Foundation
import Testing
import TestSupport

/// The hostile corpus through `process --out`: none of it accepted, no crash, no hang, every
/// file given a reason, and nothing from outside an input file in any output.
@Suite(.serialized) struct HostileCorpusTests {
    @Test func nothingHostileIsAcceptedCrashesHangsOrLeaks() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)")
        // SECOR_KEEP_HOSTILE=1 keeps the corpus and the output to look at.
        defer { if ProcessInfo.processInfo.environment["SECOR_KEEP_HOSTILE"] == nil { try? FileManager.default.removeItem(at: base) } }
        let inputs = base.appendingPathComponent("in"), out = base.appendingPathComponent("out")
        let names = try HostileCorpus.write(into: inputs, secretFile: base.appendingPathComponent("secret.txt"))
        #expect(names.count >= 40)
        let started = Date()
        let run = try ProgramRun.run(["process", "--as-of", "2026-11-22", "--format", "json", "--quiet", "--out", out.path, inputs.path])
        #expect(Date().timeIntervalSince(started) < 240, "the corpus must not hang the run")
        #expect(run.status == 1, "exit 1 (some not accepted), not a crash: \(run.status) \(run.stderr.suffix(500))")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let applications = report["applications"] as? [[String: Any]] ?? []
        let unmatched = report["unmatched"] as? [[String: Any]] ?? []
        #expect(applications.allSatisfy { $0["decision"] as? String != "accepted" }, "nothing hostile is accepted")
        // A page of solid ink is no form, however well it "covers" the form's printed lines.
        #expect(unmatched.contains { ($0["path"] as? String ?? "").hasSuffix("decompression-bomb.pdf") })
        for a in applications { #expect(!(a["reasons"] as? [Any] ?? []).isEmpty) }
        for u in unmatched {
            #expect(["failed", "rejected", "needs_review"].contains(u["decision"] as? String ?? ""))
            let reasons = u["reasons"] as? [[String: Any]] ?? []
            #expect(!reasons.isEmpty && reasons.allSatisfy { !($0["message"] as? String ?? "").isEmpty }, "\(u["path"] ?? "")")
        }
        // Every entry of the folder but the subfolder (a link, a pipe included) is accounted for once, with a reason.
        let listed = applications.flatMap { ($0["documents"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String } }
            + unmatched.compactMap { $0["path"] as? String }
        #expect(Set(listed).count == listed.count, "no file listed twice")
        #expect(Set(listed.map { ($0 as NSString).lastPathComponent }) == Set(names), "\(Set(names).subtracting(listed.map { ($0 as NSString).lastPathComponent }))")
        // Nothing from outside an input anywhere in the output.
        #expect(!run.stdout.contains(HostileCorpus.secretFileContents) && !run.stderr.contains(HostileCorpus.secretFileContents))
        let walker = FileManager.default.enumerator(at: out, includingPropertiesForKeys: nil)
        while let url = walker?.nextObject() as? URL {
            if let data = try? Data(contentsOf: url) {
                #expect(data.range(of: Data(HostileCorpus.secretFileContents.utf8)) == nil, "\(url.lastPathComponent)")
            }
        }
    }
}

/// --doc-timeout: a document over its time is stopped and failed with that reason; the rest of
/// the batch is read and decided as usual. (Which document is slow is not left to the machine's
/// speed: the limit, a millisecond, is below what any PDF takes through a reader process, and the
/// XML export is read in the program itself. IsolatedReadingTests holds the timing to stand-ins.)
@Suite struct DocumentTimeLimitTests {
    @Test func aDocumentOverItsTimeFailsAndTheBatchCarriesOn() throws {
        let files = ["s05-registration.xml", "s05-declaration.pdf", "s04-registration.pdf"].map { Fixtures.sample($0).path }
        let run = try ProgramRun.run(["process", "--as-of", "2026-11-22", "--format", "json", "--quiet", "--jobs", "1",
                                      "--doc-timeout", "0.001"] + files)
        #expect(run.status == 1, "\(run.stderr.suffix(400))")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let applications = try #require(report["applications"] as? [[String: Any]])
        // The export is read and decided; the declaration it names could not be read in time, so
        // staff review it rather than the applicant being told it is missing.
        #expect(applications.count == 1)
        #expect(applications.first?["decision"] as? String == "needs_review")
        let documents = applications.first?["documents"] as? [[String: Any]] ?? []
        #expect(documents.compactMap { ($0["path"] as? String).map { ($0 as NSString).lastPathComponent } }
                == ["s05-registration.xml", "s05-declaration.pdf"])
        let unmatched = try #require(report["unmatched"] as? [[String: Any]])
        #expect(unmatched.count == 1)
        #expect((unmatched.first?["path"] as? String)?.hasSuffix("s04-registration.pdf") == true)
        #expect(unmatched.first?["decision"] as? String == "failed")
        let reason = (unmatched.first?["reasons"] as? [[String: Any]])?.first
        #expect(reason?["code"] as? String == "timeout")
        #expect((reason?["message"] as? String)?.contains("--doc-timeout") == true)
    }
}
