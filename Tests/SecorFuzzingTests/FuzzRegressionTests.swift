import Foundation
import SecorFuzzing
import Testing
import TestSupport

/// Every input `make fuzz` ever stopped on (kept in fixtures/fuzz/<target>/), and the seed
/// corpus it starts from, run through the same targets: none may break a promise.
@Suite struct FuzzRegressionTests {
    static func files(_ folder: URL) -> [URL] {
        ((try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? [])
            .filter { !$0.lastPathComponent.hasPrefix(".") && $0.pathExtension != "md" }.sorted { $0.path < $1.path }
    }

    @Test(arguments: ["normalizers", "xml", "pdf"])
    func foundInputsStayFixed(_ target: String) throws {
        let run = try #require(FuzzTargets.all[target])
        let found = Self.files(Fixtures.root.appendingPathComponent("fixtures/fuzz/\(target)"))
        // An empty folder would make this test pass with nothing run.
        #expect(!found.isEmpty, "no regression inputs for \(target)")
        for file in found {
            #expect(run(try Data(contentsOf: file)) == [], "\(file.lastPathComponent)")
        }
    }

    @Test(arguments: ["normalizers", "xml", "pdf"])
    func seedsKeepEveryPromise(_ target: String) throws {
        let run = try #require(FuzzTargets.all[target])
        let seeds = (Self.files(Fixtures.samples) + Self.files(Fixtures.bad)).filter { $0.pathExtension != "json" }
        #expect(seeds.count > 10)
        for file in seeds where target != "pdf" || (try? file.resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0) ?? 0 < 400_000 {
            #expect(run(try Data(contentsOf: file)) == [], "\(file.lastPathComponent)")
        }
        for text in ["", "0", "-1", "2026-02-30", "(306) 555-0199", "s4p 3y2", "１２", "\u{0}\u{0}\u{0}", "Yes\u{0}No\u{0}12"] {
            #expect(FuzzTargets.normalizers(Data(text.utf8)) == [], "\(text.debugDescription)")
        }
    }
}
