import Foundation
import GRDB
import Testing
import TestSupport
@testable import SecorCore
@testable import SecorRegistry

func temporaryRegistry() throws -> (Registry, URL) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("registry-\(UUID().uuidString)")
    return (try Registry(path: dir.appendingPathComponent("registry.sqlite").path), dir)
}

@Suite struct RegistryTests {
    @Test func oneRowPerDigest() throws {
        let (registry, dir) = try temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try registry.claim(sha256: "aa", originalName: "a.pdf", inboxPath: "/in/a.pdf"))
        #expect(try !registry.claim(sha256: "aa", originalName: "copy.pdf", inboxPath: "/in/copy.pdf"))
        #expect(try registry.allDocuments().count == 1)
        #expect(try registry.document(sha256: "aa")?.state == .claimed)
        #expect(try registry.document(sha256: "aa")?.originalName == "a.pdf")
    }

    @Test func aFilingIsOneTransaction() throws {
        let (registry, dir) = try temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try registry.claim(sha256: "r1", originalName: "reg.pdf", inboxPath: "/in/reg.pdf")
        var filing = Registry.Filing()
        let reason = Reason(code: "workforce-limit", severity: .reject, field: "workers_total", found: "10", message: "m",
                            rule: "sk-secor/2018-09/workforce-limit")
        filing.applications.append(.init(id: "app1", wcbAccount: "3000001", companyKey: "acme", state: .rejected, submitted: "2026-01-01",
                                         edition: "2018-09", recordJSON: "{}", decision: (.rejected, "sk-secor", "2018-09", [reason]),
                                         trainee: nil))
        filing.documents.append(.init(sha256: "r1", kind: "registration", state: .decided, applicationID: "app1", storedPath: "/out/rejected/app1/reg.pdf"))
        filing.moves.append(("r1", "/in/reg.pdf", "/out/rejected/app1/reg.pdf"))
        try registry.commit(filing)
        #expect(try registry.document(sha256: "r1")?.state == .decided)
        #expect(try registry.application(id: "app1")?.state == .rejected)
        #expect(try registry.pendingMoves().map(\.to) == ["/out/rejected/app1/reg.pdf"])
        // A filing naming a document that was never claimed is refused whole.
        var bad = Registry.Filing()
        bad.applications.append(.init(id: "app2", wcbAccount: nil, companyKey: nil, state: .accepted, submitted: nil, edition: nil,
                                      recordJSON: nil, decision: nil, trainee: nil))
        bad.documents.append(.init(sha256: "never", kind: "registration", state: .decided, applicationID: "app2", storedPath: "/x"))
        #expect(throws: RegistryError.self) { try registry.commit(bad) }
        #expect(try registry.application(id: "app2") == nil)
    }

    @Test func theEventLogIsAppendOnly() throws {
        let (registry, dir) = try temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: dir) }
        try registry.log(sha256: "x", event: "claimed", detail: nil)
        #expect(throws: (any Error).self) { try registry.db.write { try $0.execute(sql: "UPDATE events SET event = 'forged'") } }
        #expect(throws: (any Error).self) { try registry.db.write { try $0.execute(sql: "DELETE FROM events") } }
        #expect(try registry.events().map(\.event) == ["claimed"])
    }

    @Test func traineesNamedByLiveApplicationsCountForRuleFive() throws {
        let (registry, dir) = try temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: dir) }
        let riley = try #require(TraineeIdentity(name: "Riley Bergstrom", email: "riley@a.ca"))
        var filing = Registry.Filing()
        filing.applications.append(.init(id: "a", wcbAccount: "3000001", companyKey: nil, state: .accepted, submitted: nil, edition: nil,
                                         recordJSON: nil, decision: nil, trainee: (riley, "3000001")))
        try registry.commit(filing)
        let again = try #require(TraineeIdentity(name: "BERGSTROM, Riley", email: "riley@a.ca"))
        #expect(try registry.account(claiming: again, otherThan: "3000002") == "3000001")
        #expect(try registry.account(claiming: again, otherThan: "3000001") == nil, "the same account is not another")
        let someoneElse = try #require(TraineeIdentity(name: "Riley Bergstrom", email: "riley@b.ca"))
        #expect(try registry.account(claiming: someoneElse, otherThan: "3000002") == nil)
        // A rejected application names nobody.
        var rejected = Registry.Filing()
        rejected.applications.append(.init(id: "a", wcbAccount: "3000001", companyKey: nil, state: .rejected, submitted: nil, edition: nil,
                                           recordJSON: nil, decision: nil, trainee: (riley, "3000001")))
        try registry.commit(rejected)
        #expect(try registry.account(claiming: again, otherThan: "3000002") == nil)
    }

    @Test func reopeningKeepsEverything() throws {
        let (registry, dir) = try temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try registry.claim(sha256: "k", originalName: "k.pdf", inboxPath: "/in/k.pdf")
        let reopened = try Registry(path: registry.path)
        #expect(try reopened.document(sha256: "k") != nil)
        #expect(try reopened.documentCounts()[.claimed] == 1)
    }

    @Test func aDatabaseThatCannotAnswerIsABrokenRunNotAPass() throws {
        let (registry, dir) = try temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: dir) }
        let riley = try #require(TraineeIdentity(name: "Riley Bergstrom", email: nil))
        try registry.db.write { try $0.execute(sql: "DROP TABLE trained_employees") }
        // Before: the error was swallowed and rule 5 passed as if no one had claimed Riley.
        #expect(throws: (any Error).self) { try registry.account(claiming: riley, otherThan: "3000002") }
        // Through the decider too: nothing is decided on a register that cannot answer.
        let register = BatchTraineeRegister(earlier: registry)
        #expect(throws: (any Error).self) { try register.account(claiming: riley, otherThan: "3000002") }
    }

    @Test func readingOnlyCreatesNothingAndRefusesWhatIsNotARegistry() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("registry-ro-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("nested/registry.sqlite").path
        #expect(throws: RegistryError.self) { try Registry(readingOnly: missing) }
        #expect(!FileManager.default.fileExists(atPath: dir.path), "nothing is created for a path that does not exist")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let notOne = dir.appendingPathComponent("notes.txt")
        try Data("hello".utf8).write(to: notOne)
        #expect(throws: RegistryError.self) { try Registry(readingOnly: notOne.path) }
        #expect(try Data(contentsOf: notOne) == Data("hello".utf8), "the file is left as it was")
        let made = try Registry(path: dir.appendingPathComponent("registry.sqlite").path)
        _ = try made.claim(sha256: "k", originalName: "k.pdf", inboxPath: "/in/k.pdf")
        let readOnly = try Registry(readingOnly: made.path)
        #expect(try readOnly.document(sha256: "k") != nil)
        #expect(throws: (any Error).self) { try readOnly.claim(sha256: "j", originalName: "j.pdf", inboxPath: "/in/j.pdf") }
    }

    @Test func aRegistryThatIsThereButNotOneToUseIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("registry-refuse-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // Truncated to 0 bytes: before, it was silently made again, history and rule 5 gone.
        let empty = dir.appendingPathComponent("empty.sqlite")
        _ = FileManager.default.createFile(atPath: empty.path, contents: Data())
        #expect(throws: RegistryError.self) { try Registry(path: empty.path) }
        #expect(try Data(contentsOf: empty).isEmpty, "left as it was")
        // Another program's database.
        let other = dir.appendingPathComponent("other.sqlite")
        let queue = try DatabaseQueue(path: other.path)
        try queue.write { try $0.execute(sql: "CREATE TABLE invoices (id INTEGER PRIMARY KEY)") }
        #expect(throws: RegistryError.self) { try Registry(path: other.path) }
        // A newer version's: a migration this version does not know.
        let newer = try Registry(path: dir.appendingPathComponent("newer.sqlite").path)
        try newer.db.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9: from the future')") }
        #expect(throws: RegistryError.self) { try Registry(path: newer.path) }
        // Ours, again: opens.
        let ours = try Registry(path: dir.appendingPathComponent("ours.sqlite").path)
        _ = try ours.claim(sha256: "k", originalName: "k.pdf", inboxPath: "/in/k.pdf")
        #expect(try Registry(path: ours.path).document(sha256: "k") != nil)
    }
}
