import Foundation
import Testing
import TestSupport

/// `secor-intake process` as staff run it, on copies of the office's samples.
@Suite struct ProcessCommandTests {
    static let typedCases = ["s01", "s02", "s03", "s07"]
    static let allCases = ["s01", "s02", "s03", "s04", "s05", "s06", "s07", "s08", "s09"]

    @Test(arguments: [typedCases, allCases])
    func decidesTheSamplesAsTheOfficeExpects(_ cases: [String]) throws {
        let expected = try Expected.load()
        let files = cases.flatMap { id in expected.case(id)!.files }
        let run = try ProgramRun.run(["process", "--as-of", "2026-11-22", "--format", "json"] + files, in: Fixtures.samples)
        #expect(run.status == 1, "s07 is rejected, so not every application is accepted")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(report["as_of"] as? String == "2026-11-22")
        let applications = try #require(report["applications"] as? [[String: Any]])
        #expect((report["unmatched"] as? [Any])?.isEmpty == true)
        #expect(applications.count == cases.count)

        var listed: [String] = []
        for id in cases {
            let want = try #require(expected.case(id))
            let app = try #require(applications.first { app in
                (app["documents"] as? [[String: Any]])?.contains { want.files.contains($0["path"] as? String ?? "") } == true
            }, "application for \(id)")
            listed += (app["documents"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
            #expect(app["decision"] as? String == want.decision, "\(id)")
            #expect(app["program"] as? String == "sk-secor" && app["edition"] as? String == "2018-09")
            let reasons = app["reasons"] as? [[String: Any]] ?? []
            #expect(Set(reasons.compactMap { $0["field"] as? String }) == Set(want.fields), "\(id)")
            for r in reasons {
                for key in ["code", "severity", "field", "found", "message", "rule"] { #expect(r[key] != nil, "\(id) reason has \(key)") }
            }
            let fields = try #require(app["fields"] as? [String: Any])
            let declarationFields = try #require(app["declaration_fields"] as? [String: Any])
            for (key, value) in want.registration ?? [:] {
                #expect(Self.same(key, fields[key], value), "\(id) \(key): \(String(describing: fields[key])) vs \(value)")
            }
            for (key, value) in want.declaration ?? [:] {
                #expect(Self.same(key, declarationFields[key], value), "\(id) declaration \(key)")
            }
        }
        #expect(listed.sorted() == files.sorted(), "every input file appears exactly once")
    }

    /// Normalized values against the values as written: phones compare by their digits.
    static func same(_ key: String, _ got: Any?, _ written: String) -> Bool {
        let value = got.map { "\($0)" } ?? "nil"
        if key == "phone" { return value.filter(\.isNumber).suffix(10) == written.filter(\.isNumber).suffix(10) }
        return value == written
    }

    @Test func allAcceptedExitsZeroAndTextIsATable() throws {
        let run = try ProgramRun.run(["process", "--as-of", "2026-11-22", "s02-registration.pdf", "s02-declaration.pdf"], in: Fixtures.samples)
        #expect(run.status == 0)
        #expect(run.stdout.contains("DECISION"))
        #expect(run.stdout.contains("accepted  3855770-"))
    }

    @Test func foldersAreReadRecursivelyAndBadFilesAreListed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("batch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("monday"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: Fixtures.sample("s07-registration.pdf"), to: dir.appendingPathComponent("monday/a.pdf"))
        try FileManager.default.copyItem(at: Fixtures.sample("s07-declaration.pdf"), to: dir.appendingPathComponent("b.pdf"))
        try Data().write(to: dir.appendingPathComponent("monday/empty.pdf"))
        let run = try ProgramRun.run(["process", "--as-of", "2026-11-22", "--format", "json", dir.path])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let apps = try #require(report["applications"] as? [[String: Any]])
        #expect(apps.count == 1 && apps[0]["decision"] as? String == "rejected")
        let unmatched = try #require(report["unmatched"] as? [[String: Any]])
        #expect(unmatched.count == 1 && unmatched[0]["decision"] as? String == "failed")
        #expect(run.status == 1)
    }

    @Test func usageErrors() throws {
        #expect(try ProgramRun.run(["process"]).status == 64)
        #expect(try ProgramRun.run(["process", "--as-of", "22/11/2026", "x.pdf"]).status == 64)
    }
}

@Suite struct LimitOptionTests {
    @Test func limitsAreConfigurable() throws {
        let run = try ProgramRun.run(["process", "--as-of", "2026-11-22", "--format", "json", "--quiet", "--max-pages", "1",
                                      "s03-registration.pdf"], in: Fixtures.samples)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let unmatched = try #require((report["unmatched"] as? [[String: Any]])?.first)
        #expect(unmatched["decision"] as? String == "failed")
        #expect((unmatched["reasons"] as? [[String: Any]])?.first?["code"] as? String == "too-many-pages")
        #expect(try ProgramRun.run(["process", "--scan-dpi", "50", "x.pdf"]).status == 64)
        #expect(try ProgramRun.run(["extract", "--max-file-mb", "0", "x.pdf"]).status == 64)
    }
}

/// What the command line refuses before it starts: a usage error (exit 64) naming the problem,
/// and nothing created or started.
@Suite struct RefusedCommandTests {
    @Test func aRegistryThatIsNotThereIsNotMade() throws {
        let missing = "/nonexistent-\(UUID().uuidString)/registry.sqlite"
        let run = try ProgramRun.run(["process", "--db", missing, Fixtures.sample("s03-registration.pdf").path])
        #expect(run.status == 64)
        #expect(run.stderr.contains(missing))
        #expect(!FileManager.default.fileExists(atPath: (missing as NSString).deletingLastPathComponent))
    }

    @Test func aRegistryTruncatedToNothingIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("refused-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = dir.appendingPathComponent("registry.sqlite")
        _ = FileManager.default.createFile(atPath: empty.path, contents: Data())
        for arguments in [["watch", dir.appendingPathComponent("in").path, "--out", dir.appendingPathComponent("out").path, "--db", empty.path],
                          ["status", "--db", empty.path]] {
            let run = try ProgramRun.run(arguments)
            #expect(run.status == 64, "\(arguments[0]): \(run.stderr.suffix(300))")
            #expect(run.stderr.contains(empty.path))
        }
        #expect(try Data(contentsOf: empty).isEmpty)
    }

    @Test(arguments: [["--max-file-mb", "99999999999999"], ["--max-xml-kb", "9223372036854775807"], ["--doc-timeout", "inf"],
                      ["--doc-timeout", "nan"], ["--rescan", "nan"], ["--settle", "nan"], ["--rescan", "inf"], ["--max-file-mb", "0"]])
    func numbersThatMeanNothingAreUsageErrors(_ option: [String]) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("refused-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try ProgramRun.run(["watch", dir.appendingPathComponent("in").path, "--out", dir.appendingPathComponent("out").path] + option)
        #expect(run.status == 64, "\(option): \(run.stderr.suffix(300))")
        #expect(!FileManager.default.fileExists(atPath: dir.path), "nothing started")
    }
}

/// Out of open files: readers are started only as far as the limit leaves room, and with room
/// for none the batch stops with one clear error instead of crashing or calling files unreadable.
@Suite struct OpenFileLimitTests {
    /// Runs the program under `ulimit -n limit` (soft and hard), or the soft limit alone.
    func run(limit: Int, softOnly: Bool = false, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", "ulimit \(softOnly ? "-Sn" : "-n") \(limit) && exec \"$0\" \"$@\"", Fixtures.executable.path] + arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test func readersFitTheLimitOrTheBatchStopsClearly() throws {
        let files = ["s01-registration.pdf", "s01-declaration.pdf", "s02-registration.pdf", "s02-declaration.pdf",
                     "s03-registration.pdf", "s03-declaration.pdf"].map { Fixtures.sample($0).path }
        // Before: a crash in the process library (ulimit -n 64, --jobs 32).
        let tight = try run(limit: 64, ["process", "--as-of", "2026-11-22", "--quiet", "--format", "json", "--jobs", "32"] + files)
        #expect(tight.status == 0, "\(tight.stderr.suffix(300))")
        #expect(tight.stdout.components(separatedBy: "\"decision\" : \"accepted\"").count - 1 == 3)
        let none = try run(limit: 32, ["process", "--as-of", "2026-11-22", "--quiet", "--jobs", "2"] + files)
        #expect(none.status == 1)
        #expect(none.stderr.contains("could not be read") && none.stderr.contains("ulimit -n"))
        #expect(!none.stdout.contains("rejected"), "nothing decided")
    }

    @Test(arguments: [8, 24])
    func aLimitTooLowToWorkUnderIsSaidAtStart(_ limit: Int) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ulimit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        // Before: ulimit -n 8 ended in a fatal error inside the library that lists the schemas.
        for arguments in [["watch", dir.appendingPathComponent("in").path, "--out", dir.appendingPathComponent("out").path],
                          ["process", "--as-of", "2026-11-22", Fixtures.sample("s01-registration.pdf").path],
                          ["status", "--db", dir.appendingPathComponent("registry.sqlite").path]] {
            let run = try run(limit: limit, arguments)
            #expect(run.status == 71, "\(arguments[0]): \(run.stderr.suffix(300))")
            #expect(run.stderr.contains("only \(limit) files may be open at once (ulimit -n)"), "\(arguments[0])")
            #expect(!run.stderr.contains("Fatal error") && !run.stderr.contains("Error Domain"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path), "nothing started")
    }

    @Test func aLowSoftLimitIsRaisedToTheHardOne() throws {
        // A shell's soft limit below what the system allows is no reason to stop.
        let run = try run(limit: 8, softOnly: true, ["process", "--as-of", "2026-11-22", "--quiet", "--format", "json", "--jobs", "2",
                                                    Fixtures.sample("s01-registration.pdf").path, Fixtures.sample("s01-declaration.pdf").path])
        #expect(run.status == 0, "\(run.stderr.suffix(300))")
        #expect(run.stdout.contains("\"decision\" : \"accepted\""))
    }
}

/// What `process` makes of the same bytes given again, and of the office's own outputs given back.
@Suite struct RepeatedInputTests {
    @Test func theSameFileGivenTwiceIsOneApplicationAndADuplicate() throws {
        let run = try ProgramRun.run(["process", "--as-of", "2026-11-22", "--format", "json", "--quiet",
                                      "s01-registration.pdf", "s01-declaration.pdf", "s01-registration.pdf"], in: Fixtures.samples)
        #expect(run.status == 0, "a duplicate is not a failure: \(run.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let applications = try #require(report["applications"] as? [[String: Any]])
        #expect(applications.count == 1 && applications[0]["decision"] as? String == "accepted")
        let unmatched = try #require(report["unmatched"] as? [[String: Any]])
        #expect(unmatched.count == 1 && unmatched[0]["decision"] as? String == "duplicate")
        #expect((unmatched[0]["reasons"] as? [[String: Any]])?.first?["code"] as? String == "duplicate")
    }

    @Test func theOfficesOwnCopiesAreRefusedWhenTheyComeBack() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("office-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        _ = try ProgramRun.run(["process", "--as-of", "2026-11-22", "--quiet", "--out", out.path, "s07-registration.pdf", "s07-declaration.pdf"],
                               in: Fixtures.samples)
        let folder = try #require(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("rejected").path).first)
        let dir = out.appendingPathComponent("rejected/\(folder)")
        let run = try ProgramRun.run(["process", "--as-of", "2026-11-22", "--format", "json", "--quiet",
                                      dir.appendingPathComponent("annotated-s07-registration.pdf").path, dir.appendingPathComponent("letter.pdf").path])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect((report["applications"] as? [Any])?.isEmpty == true, "no letter saying the declaration is missing")
        let unmatched = try #require(report["unmatched"] as? [[String: Any]])
        #expect(unmatched.count == 2)
        for u in unmatched { #expect((u["reasons"] as? [[String: Any]])?.first?["code"] as? String == "office-output") }
    }
}

/// Staff read `--help`: each command says what it writes (or that it writes nothing).
@Suite struct HelpTests {
    @Test(arguments: [["process"], ["watch"], ["status"], ["extract"], ["review", "list"], ["review", "show"], ["review", "set"],
                      ["review", "decide"], ["override"], ["history"], ["find"], ["letter"], ["export"], ["serve"], ["staff", "add"]])
    func everyCommandSaysWhatItWrites(_ command: [String]) throws {
        let run = try ProgramRun.run(command + ["--help"])
        #expect(run.status == 0)
        #expect(run.stdout.lowercased().contains("writ"), "\(command): \(run.stdout.prefix(300))")
    }
}
