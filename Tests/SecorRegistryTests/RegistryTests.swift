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

/// Where a test's registry lives: a SQLite file, or a database of its own on the test server.
enum Backend: Sendable {
    case sqlite, postgres

    /// A new, empty registry; and what removes it.
    func registry() throws -> (Registry, () -> Void) {
        switch self {
        case .sqlite:
            let (registry, dir) = try temporaryRegistry()
            return (registry, { try? FileManager.default.removeItem(at: dir) })
        case .postgres:
            let url = try PostgresForTests.newDatabase("registry")
            return (try Registry(path: url), {})
        }
    }

    /// The same registry opened again (another workstation, or a later run).
    func reopen(_ registry: Registry, _ location: String) throws -> Registry { try Registry(path: location) }
}

/// The registry's behaviour, the same on both databases: each suite below runs it on one.
struct RegistryBehaviour {
    let backend: Backend

    func oneRowPerDigest() throws {
        let (registry, cleanup) = try backend.registry()
        defer { cleanup() }
        #expect(try registry.claim(sha256: "aa", originalName: "a.pdf", inboxPath: "/in/a.pdf"))
        #expect(try !registry.claim(sha256: "aa", originalName: "copy.pdf", inboxPath: "/in/copy.pdf"))
        #expect(try registry.allDocuments().count == 1)
        #expect(try registry.document(sha256: "aa")?.state == .claimed)
        #expect(try registry.document(sha256: "aa")?.originalName == "a.pdf")
    }

    func aFilingIsOneTransaction() throws {
        let (registry, cleanup) = try backend.registry()
        defer { cleanup() }
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

    func theEventLogIsAppendOnly() throws {
        let (registry, cleanup) = try backend.registry()
        defer { cleanup() }
        try registry.log(sha256: "x", event: "claimed", detail: nil)
        #expect(throws: (any Error).self) { try registry.store.write { try $0.execute("UPDATE events SET event = 'forged'") } }
        #expect(throws: (any Error).self) { try registry.store.write { try $0.execute("DELETE FROM events") } }
        #expect(try registry.events().map(\.event) == ["claimed"])
    }

    func traineesNamedByLiveApplicationsCountForRuleFive() throws {
        let (registry, cleanup) = try backend.registry()
        defer { cleanup() }
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

    func reopeningKeepsEverything(location: (Registry) -> String) throws {
        let (registry, cleanup) = try backend.registry()
        defer { cleanup() }
        _ = try registry.claim(sha256: "k", originalName: "k.pdf", inboxPath: "/in/k.pdf")
        let reopened = try Registry(path: location(registry))
        #expect(try reopened.document(sha256: "k") != nil)
        #expect(try reopened.documentCounts()[.claimed] == 1)
    }

    func aDatabaseThatCannotAnswerIsABrokenRunNotAPass() throws {
        let (registry, cleanup) = try backend.registry()
        defer { cleanup() }
        let riley = try #require(TraineeIdentity(name: "Riley Bergstrom", email: nil))
        _ = try registry.store.write { try $0.execute("DROP TABLE trained_employees") }
        // Before: the error was swallowed and rule 5 passed as if no one had claimed Riley.
        #expect(throws: (any Error).self) { try registry.account(claiming: riley, otherThan: "3000002") }
        // Through the decider too: nothing is decided on a register that cannot answer.
        let register = BatchTraineeRegister(earlier: registry)
        #expect(throws: (any Error).self) { try register.account(claiming: riley, otherThan: "3000002") }
    }

}

@Suite struct RegistryTests {
    let behaviour = RegistryBehaviour(backend: .sqlite)
    @Test func oneRowPerDigest() throws { try behaviour.oneRowPerDigest() }
    @Test func aFilingIsOneTransaction() throws { try behaviour.aFilingIsOneTransaction() }
    @Test func theEventLogIsAppendOnly() throws { try behaviour.theEventLogIsAppendOnly() }
    @Test func traineesNamedByLiveApplicationsCountForRuleFive() throws { try behaviour.traineesNamedByLiveApplicationsCountForRuleFive() }
    @Test func reopeningKeepsEverything() throws { try behaviour.reopeningKeepsEverything { $0.path } }
    @Test func aDatabaseThatCannotAnswerIsABrokenRunNotAPass() throws { try behaviour.aDatabaseThatCannotAnswerIsABrokenRunNotAPass() }
    @Test func claimsHoldWhileRenewedAndAreTakenOverOnceTheyRunOut() throws { try behaviour.claimsHoldWhileRenewedAndAreTakenOverOnceTheyRunOut() }
    @Test func oneDecidesAtATime() throws { try behaviour.oneDecidesAtATime() }

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
        _ = try newer.store.write { try $0.execute("INSERT INTO grdb_migrations (identifier) VALUES ('v9: from the future')") }
        #expect(throws: RegistryError.self) { try Registry(path: newer.path) }
        // Ours, again: opens.
        let ours = try Registry(path: dir.appendingPathComponent("ours.sqlite").path)
        _ = try ours.claim(sha256: "k", originalName: "k.pdf", inboxPath: "/in/k.pdf")
        #expect(try Registry(path: ours.path).document(sha256: "k") != nil)
    }
}

/// The same behaviour on PostgreSQL, in a database of its own on the server `make test` starts;
/// and what only a shared database has.
@Suite(.enabled(if: PostgresForTests.available, Comment(rawValue: PostgresForTests.skipped)))
struct RegistryOnPostgresTests {
    let behaviour = RegistryBehaviour(backend: .postgres)
    @Test func oneRowPerDigest() throws { try behaviour.oneRowPerDigest() }
    @Test func aFilingIsOneTransaction() throws { try behaviour.aFilingIsOneTransaction() }
    @Test func theEventLogIsAppendOnly() throws { try behaviour.theEventLogIsAppendOnly() }
    @Test func traineesNamedByLiveApplicationsCountForRuleFive() throws { try behaviour.traineesNamedByLiveApplicationsCountForRuleFive() }
    @Test func aDatabaseThatCannotAnswerIsABrokenRunNotAPass() throws { try behaviour.aDatabaseThatCannotAnswerIsABrokenRunNotAPass() }
    @Test func claimsHoldWhileRenewedAndAreTakenOverOnceTheyRunOut() throws { try behaviour.claimsHoldWhileRenewedAndAreTakenOverOnceTheyRunOut() }
    @Test func oneDecidesAtATime() throws { try behaviour.oneDecidesAtATime() }

    @Test func reopeningKeepsEverything() throws { try behaviour.reopeningKeepsEverything { $0.path } }

    @Test func aDatabaseThatIsNotOneToUseIsRefused() throws {
        // Another program's tables.
        let other = try PostgresForTests.newDatabase("other")
        try PostgresForTests.psql(other, "CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
        #expect(throws: RegistryError.self) { try Registry(path: other) }
        #expect(throws: RegistryError.self) { try Registry(readingOnly: other) }
        // A newer version's.
        let newer = try PostgresForTests.newDatabase("newer")
        _ = try Registry(path: newer)
        try PostgresForTests.psql(newer, "INSERT INTO secor_migrations (identifier, applied_at) VALUES ('v9: from the future', 'now')")
        #expect(throws: RegistryError.self) { try Registry(path: newer) }
        // A server that is not there: a clear error, not a hang.
        #expect(throws: RegistryError.self) { try Registry(path: "postgres://nobody@127.0.0.1:1/none?sslmode=disable") }
        // The password never appears in where the registry says it is.
        let ours = try PostgresForTests.newDatabase("ours")
        var withPassword = try #require(URLComponents(string: ours))
        withPassword.password = "s3cret"
        let registry = try Registry(path: withPassword.string!)
        #expect(!registry.path.contains("s3cret"))
        // Two opening at once apply the migrations once.
        let fresh = try PostgresForTests.newDatabase("fresh")
        let opened = DispatchGroup()
        let failures = Turns()
        for _ in 0..<3 {
            onNewThread(in: opened) {
                do { _ = try Registry(path: fresh) } catch { failures.work("\(error)") }
            }
        }
        opened.wait()
        #expect(failures.order.isEmpty)
    }
}

extension RegistryBehaviour {
    /// A claim is one holder's while it renews it; another (a second workstation) is told so, and
    /// takes it over only once its lease has run out.
    func claimsHoldWhileRenewedAndAreTakenOverOnceTheyRunOut() throws {
        let (first, cleanup) = try backend.registry()
        defer { cleanup() }
        let second = try Registry(path: first.path)
        first.leaseSeconds = 1
        second.leaseSeconds = 1
        #expect(try first.claim(sha256: "d1", originalName: "a.pdf", inboxPath: "/in/a.pdf", exclusive: false) == .claimed)
        #expect(try second.claim(sha256: "d1", originalName: "a.pdf", inboxPath: "/in/a.pdf", exclusive: false) == .heldElsewhere)
        #expect(try first.claim(sha256: "d1", originalName: "a.pdf", inboxPath: "/in/a.pdf", exclusive: false) == .resumed, "its own claim")
        // The same bytes from another place, while claimed, are a copy.
        if case .known = try second.claim(sha256: "d1", originalName: "b.pdf", inboxPath: "/in/b.pdf", exclusive: false) {} else {
            Issue.record("a copy under another name is known")
        }
        // Renewed, it holds past its first lease.
        Thread.sleep(forTimeInterval: 0.6)
        try first.renewLeases()
        Thread.sleep(forTimeInterval: 0.6)
        #expect(try second.claim(sha256: "d1", originalName: "a.pdf", inboxPath: "/in/a.pdf", exclusive: false) == .heldElsewhere)
        // Not renewed (its watcher killed), it is taken over.
        Thread.sleep(forTimeInterval: 1.3)
        #expect(try second.claim(sha256: "d1", originalName: "a.pdf", inboxPath: "/in/a.pdf", exclusive: false) == .resumed)
        #expect(try first.claim(sha256: "d1", originalName: "a.pdf", inboxPath: "/in/a.pdf", exclusive: false) == .heldElsewhere)
        #expect(try second.events(sha256: "d1").map(\.event).contains("claim taken over"))
        // One machine's watcher (exclusive) resumes a claim left by its earlier run at once.
        #expect(try first.claim(sha256: "d1", originalName: "a.pdf", inboxPath: "/in/a.pdf", exclusive: true) == .resumed)

        // Moves recorded by a holder are its own to make until its lease runs out.
        var filing = Registry.Filing()
        filing.documents.append(.init(sha256: "d1", kind: "registration", state: .decided, applicationID: nil, storedPath: "/out/x/a.pdf"))
        filing.moves.append(("d1", "/in/a.pdf", "/out/x/a.pdf"))
        try first.commit(filing)
        #expect(try first.isBeingMoved(sha256: "d1", from: "/in/a.pdf"))
        if backend == .postgres {
            #expect(try first.pendingMoves().count == 1)
            #expect(try second.pendingMoves().isEmpty, "another's moves are not made twice")
            Thread.sleep(forTimeInterval: 1.3)
            let taken = try second.pendingMoves()
            #expect(taken.count == 1, "once its holder stops renewing, they are taken over")
            #expect(try first.pendingMoves().isEmpty)
            try second.finishMove(taken[0])
        } else {
            try first.finishMove(try #require(first.pendingMoves().first))
        }
        #expect(try !first.isBeingMoved(sha256: "d1", from: "/in/a.pdf"))
        #expect(try first.document(sha256: "d1")?.state == .decided)
    }

    /// Two registries deciding at once take turns, and an earlier registration announced elsewhere
    /// is decided first.
    func oneDecidesAtATime() throws {
        let (first, cleanup) = try backend.registry()
        defer { cleanup() }
        let second = try Registry(path: first.path)
        let turns = Turns()
        let work = { @Sendable (name: String) in turns.work(name) }
        let group = DispatchGroup()
        for (i, registry) in [first, second, first, second].enumerated() {
            onNewThread(in: group) { try? registry.deciding { work("\(i)") } }
        }
        group.wait()
        #expect(turns.most == 1)
        #expect(turns.order.count == 4)
        guard backend == .postgres else { return }
        // Announced at once: the later waits for the earlier, whichever took the lock first.
        turns.order = []
        let early = SubmissionTime(date: CalendarDate(iso: "2026-05-01")!), late = SubmissionTime(date: CalendarDate(iso: "2026-05-02")!)
        let a = Registry.TraineeIntent(application: "a", personKey: "pat", account: "1000001", submitted: early)
        let b = Registry.TraineeIntent(application: "b", personKey: "pat", account: "1000002", submitted: late)
        onNewThread(in: group) { try? second.deciding([b]) { work("later") } }
        Thread.sleep(forTimeInterval: 0.3)
        onNewThread(in: group) { try? first.deciding([a]) { work("earlier") } }
        group.wait()
        #expect(turns.order == ["earlier", "later"])
        // Still being read elsewhere when the later is ready (its registration not announced yet):
        // the later waits until it is read and announced, then for it to be decided.
        turns.order = []
        try first.beginReading("batch-1")
        onNewThread(in: group) { try? second.deciding([b]) { work("later") } }
        Thread.sleep(forTimeInterval: Registry.gatherSeconds + 1)
        #expect(turns.order.isEmpty, "waits while the earlier is still being read")
        onNewThread(in: group) { try? first.deciding([a], reading: ["batch-1"]) { work("earlier") } }
        group.wait()
        #expect(turns.order == ["earlier", "later"])
    }
}

/// Who was inside a decision, and how many at once.
final class Turns: @unchecked Sendable {
    let lock = NSLock()
    var inside = 0, most = 0, order: [String] = []
    func work(_ name: String) {
        lock.lock(); inside += 1; most = max(most, inside); order.append(name); lock.unlock()
        Thread.sleep(forTimeInterval: 0.05)
        lock.lock(); inside -= 1; lock.unlock()
    }
}
