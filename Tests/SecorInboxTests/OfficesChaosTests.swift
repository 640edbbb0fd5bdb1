import Foundation
import Testing
import TestSupport
@testable import SecorCore
@testable import SecorRegistry
import SecorFixtures

/// Two watchers (two workstations) on one inbox, one OUT and one PostgreSQL registry, documents
/// dropped while each watcher is SIGKILLed at random moments and started again: every document is
/// filed exactly once, its outcome in the registry once, nothing left claimed or unmoved.
/// `make chaos-offices` runs it with 300 documents and 10 kills of each watcher; `make test` with fewer.
@Suite(.serialized, .enabled(if: PostgresForTests.available, Comment(rawValue: PostgresForTests.skipped)))
struct OfficesChaosTests {
    @Test func twoWatchersShareOneInboxThroughKills() throws {
        let env = ProcessInfo.processInfo.environment
        let count = Int(env["CHAOS_DOCS"] ?? "") ?? 40
        let kills = Int(env["CHAOS_KILLS"] ?? "") ?? 3
        let db = try PostgresForTests.newDatabase("offices")
        let inbox = try temporaryFolder("offices-inbox"), out = try temporaryFolder("offices-out"), staging = try temporaryFolder("offices-staging")
        defer { for u in [inbox, out, staging] { try? FileManager.default.removeItem(at: u) } }

        let (inputs, digests) = try chaosDocuments(count, in: staging, tag: "offices")
        #expect(digests.count == count)

        let seed = UInt64(env["CHAOS_SEED"] ?? "") ?? 2027
        print("chaos-offices: seed=\(seed)")
        var random = SeededRandom(seed: seed)
        // A short lease, so that a killed watcher's claims are taken over within the test's time.
        let watchers = (0..<2).map { _ in
            RunningWatcher(inbox: inbox, out: out, extra: ["--settle", "1", "--db", db, "--claim-lease", "3"])
        }
        for w in watchers { try w.start() }
        var killed = [0, 0]
        func killOne() throws {
            let which = killed[0] < kills && (killed[1] >= kills || Bool.random(using: &random)) ? 0 : 1
            watchers[which].kill()
            killed[which] += 1
            usleep(UInt32.random(in: 0...300_000, using: &random))
            try watchers[which].start()
        }
        var next = 0
        let killEvery = max(1, count / (2 * kills + 1))
        while next < inputs.count {
            for _ in 0..<Int.random(in: 1...6, using: &random) where next < inputs.count {
                try drop(inputs[next], into: inbox, random: &random)
                next += 1
            }
            usleep(UInt32.random(in: 50_000...400_000, using: &random))
            if killed[0] + killed[1] < 2 * kills && next >= (killed[0] + killed[1] + 1) * killEvery { try killOne() }
        }
        while killed[0] + killed[1] < 2 * kills {
            usleep(UInt32.random(in: 200_000...900_000, using: &random))
            try killOne()
        }
        let settled = eventually(Double(count) * 2 + 90) {
            inboxFiles(inbox).isEmpty && filedDigests(out).keys.count == count
        }
        #expect(settled, "inbox still holds \(inboxFiles(inbox).count)")
        // Both idle: the last moves made, then stopped.
        let quiet = try Registry(path: db)
        _ = eventually(30) { ((try? quiet.pendingMoves().isEmpty) ?? false) || ((try? quiet.allDocuments().allSatisfy { $0.state != .claimed }) ?? false) }
        for w in watchers { #expect(w.stop() == 0) }

        let filed = filedDigests(out)
        let lost = digests.filter { filed[$0] == nil }.count
        let duplicated = filed.values.filter { $0.count > 1 }.count
        let strangers = filed.keys.filter { !digests.contains($0) }.count
        print("chaos-offices: documents=\(count) watchers=2 kills=\(killed[0])+\(killed[1]) lost=\(lost) duplicated=\(duplicated)")
        #expect(killed == [kills, kills])
        #expect(lost == 0 && duplicated == 0)
        #expect(strangers == 0, "not inputs: \(filed.filter { !digests.contains($0.key) }.flatMap(\.value))")
        #expect(inboxFiles(inbox).isEmpty)
        let registry = try Registry(path: db)
        let rows = try registry.allDocuments()
        #expect(rows.count == count, "one registry row per input")
        #expect(Set(rows.map(\.sha256)) == digests)
        #expect(rows.allSatisfy { $0.state != .claimed }, "nothing left half done")
        let moves = try registry.store.read { db in try db.scalar(as: Int.self, "SELECT COUNT(*) FROM moves WHERE done = 0") } ?? -1
        #expect(moves == 0, "every recorded move made")
        let failed = ((try? FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("failed").path)) ?? []).count
        #expect(failed == 0, "a valid document filed as failed")
    }
}
