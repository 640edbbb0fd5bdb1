import Foundation
import Testing
import SecorSupport

@Suite struct FileReplacementTests {
    @Test func replacesWholeAndKnowsItsLeftovers() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("replace-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("record.json")
        try Data("old".utf8).write(to: url)
        struct Broken: Error {}
        #expect(throws: Broken.self) { try FileReplacement.replace(url) { try Data("half".utf8).write(to: $0); throw Broken() } }
        #expect(try String(contentsOf: url, encoding: .utf8) == "old", "a failed write leaves the old file")
        try FileReplacement.replace(url) { try Data("new".utf8).write(to: $0) }
        #expect(try String(contentsOf: url, encoding: .utf8) == "new")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["record.json"])
        #expect(FileReplacement.isLeftover(FileReplacement.temporary(for: url).lastPathComponent))
        #expect(FileReplacement.isLeftover(".scan.pdf.part-123"))
        #expect(!FileReplacement.isLeftover("report.tmp") && !FileReplacement.isLeftover("record.json"))
        // An applicant's file can be called anything that does not start with a dot.
        #expect(!FileReplacement.isLeftover("registration.tmp-2026") && !FileReplacement.isLeftover("scan.pdf.part-123"))
    }
}
