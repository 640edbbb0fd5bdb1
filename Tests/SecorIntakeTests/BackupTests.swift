import Foundation
import Testing
import TestSupport

/// `backup` then `restore` into an empty registry gives the same registry: the same status, export
/// and companies; nothing is ever written over a backup or over a registry that holds anything.
@Suite struct BackupTests {
    @Test func aRestoredBackupIsTheSameRegistry() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("registry.sqlite").path
        try Self.fill(db)
        let backup = dir.appendingPathComponent("backup.sqlite").path
        try Self.backUp(db, to: backup)

        let restored = dir.appendingPathComponent("restored/registry.sqlite").path
        try FileManager.default.createDirectory(atPath: (restored as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Self.restore(backup, into: restored, sameAs: db)
        // A registry that holds anything is never restored over.
        #expect(try ProgramRun.run(["restore", "--from", backup, "--db", db]).status == 64)
        // Nor is something that is not a registry restored.
        let junk = dir.appendingPathComponent("junk.sqlite").path
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: junk))
        #expect(try ProgramRun.run(["restore", "--from", junk, "--db", dir.appendingPathComponent("other.sqlite").path]).status == 64)
    }

    /// The same on PostgreSQL: a `pg_dump` archive, restored into an empty database.
    @Test(.enabled(if: PostgresForTests.available, Comment(rawValue: PostgresForTests.skipped)))
    func aRestoredPostgreSQLBackupIsTheSameRegistry() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pg-backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try PostgresForTests.newDatabase("backup")
        try Self.fill(db)
        let backup = dir.appendingPathComponent("registry.pgdump").path
        try Self.backUp(db, to: backup)

        // Into a new database, and into one a registry was opened in but holds nothing.
        let fresh = try PostgresForTests.newDatabase("restored")
        let opened = try PostgresForTests.newDatabase("opened")
        #expect(try ProgramRun.run(["process", "--db", opened, "--quiet"]).status <= 1, "a registry made, holding nothing")
        for restored in [fresh, opened] {
            try Self.restore(backup, into: restored, sameAs: db)
        }
        // A registry that holds anything is never restored over; a file that is not an archive is refused.
        #expect(try ProgramRun.run(["restore", "--from", backup, "--db", db]).status == 64)
        let junk = dir.appendingPathComponent("junk.pgdump").path
        try Data("not an archive".utf8).write(to: URL(fileURLWithPath: junk))
        #expect(try ProgramRun.run(["restore", "--from", junk, "--db", try PostgresForTests.newDatabase("junk")]).status == 64)
    }

    /// Both programs in the registry: Saskatchewan's samples and Alberta's first two steps (a certificate issued).
    static func fill(_ db: String) throws {
        let ab = Fixtures.root.appendingPathComponent("fixtures/ab-samples")
        for (date, files) in [("2025-03-03", ["s01-enrolment.pdf", "s04-enrolment.pdf"].map { ab.appendingPathComponent($0).path }),
                              ("2025-09-15", [ab.appendingPathComponent("s07-audit.pdf").path]),
                              ("2026-11-22", ["s01-registration.pdf", "s01-declaration.pdf", "s07-registration.pdf", "s07-declaration.pdf"]
                                .map { Fixtures.sample($0).path })] {
            let run = try ProgramRun.run(["process", "--db", db, "--as-of", date, "--quiet"] + files)
            #expect(run.status <= 1, "\(run.stderr)")
        }
    }

    /// `backup` into a new file, and never over it again.
    static func backUp(_ db: String, to backup: String) throws {
        let made = try ProgramRun.run(["backup", "--db", db, "--to", backup])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(try ProgramRun.run(["backup", "--db", db, "--to", backup]).status == 64, "never over an existing file")
    }

    /// `restore` into `restored`, which then answers `status`, `export`, `companies` and `due` as `db` does.
    static func restore(_ backup: String, into restored: String, sameAs db: String) throws {
        let back = try ProgramRun.run(["restore", "--from", backup, "--db", restored])
        #expect(back.status == 0, "\(back.stderr)")
        for command in [["status"], ["export", "--from", "2025-03-03", "--to", "2026-11-22", "--format", "jsonl"],
                        ["companies", "--as-of", "2026-11-22"], ["due", "--as-of", "2026-11-22", "--program", "ab-secor"]] {
            let before = try ProgramRun.run(command + ["--db", db]), after = try ProgramRun.run(command + ["--db", restored])
            #expect(before.status == 0 && after.status == 0, "\(command): \(before.stderr) \(after.stderr)")
            let strip = { (s: String) in s.replacingOccurrences(of: db, with: "DB").replacingOccurrences(of: restored, with: "DB") }
            #expect(!before.stdout.isEmpty && strip(before.stdout) == strip(after.stdout), "\(command)")
        }
    }
}
