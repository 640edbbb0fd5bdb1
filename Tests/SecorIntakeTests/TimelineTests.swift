import Foundation
import Testing
import TestSupport

/// Each program's life, replayed as the office's `timeline.json` has it: one registry, empty
/// before step 1; each step's files processed on its date (`process --db`), staff's records
/// (`record`), the due listing (`due`); after each step, the decisions, certificates issued,
/// notices and every account's state (`companies`) as expected. Saskatchewan's registrations
/// (`fixtures/sk-timeline`) and Alberta's certificates (`fixtures/ab-samples`).
@Suite struct TimelineTests {
    static let timelines = ["sk-timeline", "ab-samples"]

    /// A file the timeline in `folder` names: its own first, then Saskatchewan's samples.
    static func file(_ name: String, in folder: URL) -> String {
        let own = folder.appendingPathComponent(name)
        return FileManager.default.fileExists(atPath: own.path) ? own.path : Fixtures.sample(name).path
    }

    static func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    /// JSON values compared as JSON (numbers, strings, nulls, arrays in order, objects by key).
    static func same(_ a: Any?, _ b: Any?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (is NSNull, is NSNull): return true
        case (nil, is NSNull), (is NSNull, nil): return true
        case let (x as [String: Any], y as [String: Any]):
            return Set(x.keys) == Set(y.keys) && x.keys.allSatisfy { same(x[$0], y[$0]) }
        case let (x as [Any], y as [Any]):
            return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case let (x as String, y as String): return x == y
        case let (x as NSNumber, y as NSNumber): return x == y
        default: return false
        }
    }

    static func show(_ v: Any?) -> String {
        guard let v, JSONSerialization.isValidJSONObject(v),
              let d = try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys]) else { return String(describing: v) }
        return String(decoding: d, as: UTF8.self)
    }

    @Test(arguments: timelines) func theTimelineReplaysAsTheOfficeExpects(_ name: String) throws {
        let folder = Fixtures.root.appendingPathComponent("fixtures/\(name)")
        let timeline = try #require(try Self.json(String(contentsOf: folder.appendingPathComponent("timeline.json"), encoding: .utf8)) as? [String: Any])
        let steps = try #require(timeline["steps"] as? [[String: Any]])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("timeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("registry.sqlite").path
        // Where the folder has the office's expected.json (Alberta's), every value as written, by file.
        var written: [String: [String: String]] = [:]
        if let data = try? Data(contentsOf: folder.appendingPathComponent("expected.json")),
           let cases = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["cases"] as? [[String: Any]] {
            for c in cases {
                guard let kind = c["kind"] as? String, let values = c[kind] as? [String: String], let file = (c["files"] as? [String])?.first else { continue }
                written[file] = values
            }
        }

        for step in steps {
            let n = step["step"] as? Int ?? 0, date = try #require(step["as_of"] as? String), kind = step["kind"] as? String ?? ""
            let expected = try #require(step["expected"] as? [String: Any])
            var notices: Any = [Any]()
            var issued: Any = [Any]()
            var decisions: [[String: Any]] = []
            switch kind {
            case "receive":
                // A step with nothing received is a run that only removes and tells.
                let files = (step["files"] as? [String] ?? []).map { Self.file($0, in: folder) }
                let run = try ProgramRun.run(["process", "--db", db, "--as-of", date, "--format", "json", "--quiet"] + files)
                #expect(run.status <= 1, "step \(n): \(run.stderr)")
                let report = try #require(try Self.json(run.stdout) as? [String: Any], "step \(n)")
                notices = report["notices"] ?? []
                issued = report["issued"] ?? []
                decisions = report["applications"] as? [[String: Any]] ?? []
            case "record":
                let run = try ProgramRun.run(["record", try #require(step["wcb"] as? String), try #require(step["event"] as? String),
                                              "--on", try #require(step["on"] as? String), "--by", try #require(step["by"] as? String),
                                              "--db", db, "--as-of", date])
                #expect(run.status == 0, "step \(n): \(run.stderr)")
            case "due":
                let run = try ProgramRun.run(["due", "--db", db, "--as-of", date, "--format", "json"])
                #expect(run.status == 0, "step \(n): \(run.stderr)")
                let report = try #require(try Self.json(run.stdout) as? [String: Any], "step \(n)")
                notices = report["notices"] ?? []
                #expect(Self.same(report["due"], expected["due"]), "step \(n) due: \(Self.show(report["due"])) vs \(Self.show(expected["due"]))")
            default:
                Issue.record("step \(n): unknown kind \(kind)")
            }
            // Decisions: one per application, found by its registration (or envelope) file.
            let wantDecisions = expected["decisions"] as? [[String: Any]] ?? []
            #expect(decisions.count == wantDecisions.count, "step \(n): \(decisions.count) decisions")
            for want in wantDecisions {
                let file = try #require(want["file"] as? String)
                let app = decisions.first { ($0["documents"] as? [[String: Any]])?.contains { ($0["path"] as? String)?.hasSuffix("/" + file) == true } == true }
                #expect(app?["decision"] as? String == want["decision"] as? String, "step \(n) \(file)")
                let fields = Set((app?["reasons"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
                #expect(fields == Set(want["fields"] as? [String] ?? []), "step \(n) \(file): \(fields)")
                #expect(app?["may_register_from"] as? String == want["may_register_from"] as? String, "step \(n) \(file) may_register_from")
                // Each value read as the applicant wrote it, in every flavor (fill, flat, print, scan).
                let read = (app?["as_written"] as? [String: [String: String]])?["registration"] ?? [:]
                for (key, value) in written[file] ?? [:] {
                    #expect(read[key] == value, "step \(n) \(file) \(key): \(read[key] ?? "nil") vs \(value)")
                }
            }
            #expect(Self.same(notices, expected["notices"] ?? []), "step \(n) notices: \(Self.show(notices)) vs \(Self.show(expected["notices"]))")
            // Certificates issued: as listed, less the sample case each came from (the timeline's own bookkeeping).
            let wantIssued = (expected["issued"] as? [[String: Any]] ?? []).map { $0.filter { $0.key != "case" } }
            #expect(Self.same(issued, wantIssued), "step \(n) issued: \(Self.show(issued)) vs \(Self.show(wantIssued))")
            let companies = try ProgramRun.run(["companies", "--db", db, "--as-of", date, "--format", "json"])
            #expect(companies.status == 0, "step \(n): \(companies.stderr)")
            let got = try Self.json(companies.stdout)
            let want = expected["companies"] ?? [String: Any]()
            if !Self.same(got, want), let g = got as? [String: Any], let w = want as? [String: Any] {
                for account in Set(g.keys).union(w.keys).sorted() where !Self.same(g[account], w[account]) {
                    Issue.record("step \(n) (\(date)) company \(account): \(Self.show(g[account])) vs expected \(Self.show(w[account]))")
                }
            }
        }
    }
}
