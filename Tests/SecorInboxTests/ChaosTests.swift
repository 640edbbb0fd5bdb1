import Foundation
import Testing
import TestSupport
@testable import SecorCore
@testable import SecorRegistry
import SecorFixtures

/// Documents dropped while the watcher is killed (SIGKILL) at random moments and started again,
/// and its reader processes killed under it: every input must end up exactly once under OUT,
/// none left in the inbox, one registry row each, and none (all are valid) in failed/ (a reader
/// killed from outside is not the document's fault). `make chaos` runs it with 300 documents, 12
/// kills of the watcher, 12 SIGTERMs to its whole process group and 24 kills of readers; `make test` with fewer.
@Suite(.serialized) struct ChaosTests {
    @Test func nothingLostNothingDuplicatedThroughKills() throws {
        let env = ProcessInfo.processInfo.environment
        let count = Int(env["CHAOS_DOCS"] ?? "") ?? 40
        let kills = Int(env["CHAOS_KILLS"] ?? "") ?? 4
        let readerKills = Int(env["CHAOS_READER_KILLS"] ?? "") ?? 4
        // SIGTERM to the watcher's process group and every process under it, as systemd stops a service.
        let terms = Int(env["CHAOS_TERMS"] ?? "") ?? 2
        let inbox = try temporaryFolder("chaos-inbox"), out = try temporaryFolder("chaos-out"), staging = try temporaryFolder("chaos-staging")
        defer { for u in [inbox, out, staging] { try? FileManager.default.removeItem(at: u) } }

        // Distinct documents: the typed samples and XML exports, each made unique by a trailing comment.
        let (inputs, digests) = try chaosDocuments(count, in: staging, tag: "chaos")
        #expect(digests.count == count)

        // Seeded, so a failing run can be run again as it was (CHAOS_SEED to try others).
        let seed = UInt64(ProcessInfo.processInfo.environment["CHAOS_SEED"] ?? "") ?? 2026
        print("chaos: seed=\(seed)")
        var random = SeededRandom(seed: seed)
        // A settle time with room for a loaded machine: a copy stalled longer than this would be read half-made.
        let watcher = RunningWatcher(inbox: inbox, out: out, extra: ["--settle", "1"])
        try watcher.start()
        var killed = 0, termed = 0, uncleanStops: [Int32] = []
        // Each stop is a SIGKILL of the watcher or a SIGTERM to the whole group, in turn while both are due.
        func stop() throws {
            if termed < terms && (killed >= kills || (killed + termed) % 2 == 1) {
                let status = watcher.terminateEverything()
                if status != 0 { uncleanStops.append(status) }
                termed += 1
            } else {
                watcher.kill()
                killed += 1
            }
            try watcher.start()
        }
        var next = 0
        // Beside the main loop: a reader is killed as soon as one is seen, then a pause, until enough are.
        let readerKiller = ReaderKiller(limit: readerKills, seed: seed)
        readerKiller.start { watcher.pid }
        defer { readerKiller.stop() }
        let killEvery = max(1, count / (kills + terms + 1))
        while next < inputs.count {
            let batch = Int.random(in: 1...6, using: &random)
            for _ in 0..<batch where next < inputs.count {
                try drop(inputs[next], into: inbox, random: &random)
                next += 1
            }
            usleep(UInt32.random(in: 50_000...400_000, using: &random))
            if killed + termed < kills + terms && next >= (killed + termed + 1) * killEvery { try stop() }
        }
        // The rest of the stops land while the watcher works through the inbox.
        while killed + termed < kills + terms {
            usleep(UInt32.random(in: 200_000...900_000, using: &random))
            try stop()
        }
        let settled = eventually(Double(count) * 2 + 60) {
            inboxFiles(inbox).isEmpty && (filedDigests(out).keys.count == count)
        }
        #expect(settled, "inbox still holds \(inboxFiles(inbox).count)")
        #expect(watcher.stop() == 0)

        let filed = filedDigests(out)
        let lost = digests.filter { filed[$0] == nil }.count
        let duplicated = filed.values.filter { $0.count > 1 }.count
        let strangers = filed.keys.filter { !digests.contains($0) }.count
        readerKiller.stop()
        let readersKilled = readerKiller.kills
        let failed = ((try? FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("failed").path)) ?? []).count
        print("chaos: documents=\(count) kills=\(killed) group-terms=\(termed) reader-kills=\(readersKilled) lost=\(lost) duplicated=\(duplicated) failed=\(failed)")
        #expect(failed == 0, "a valid document filed as failed")
        #expect(killed >= kills && termed >= terms)
        #expect(uncleanStops.isEmpty, "SIGTERM finishes the file in hand and exits 0: \(uncleanStops)")
        #expect(lost == 0 && duplicated == 0)
        #expect(strangers == 0, "not inputs: \(filed.filter { !digests.contains($0.key) }.flatMap(\.value))")
        #expect(inboxFiles(inbox).isEmpty)
        let registry = try Registry(path: out.appendingPathComponent("registry.sqlite").path)
        let rows = try registry.allDocuments()
        #expect(rows.count == count, "one registry row per input")
        #expect(Set(rows.map(\.sha256)) == digests)
        #expect(rows.allSatisfy { $0.state != .claimed }, "nothing left half done")
        #expect(try registry.pendingMoves().isEmpty)
    }
}

/// `count` distinct documents written into `staging`: the typed samples and XML exports, each made
/// unique by a trailing comment naming `tag` and its number; and their digests.
func chaosDocuments(_ count: Int, in staging: URL, tag: String) throws -> (inputs: [URL], digests: Set<String>) {
    let sources = ["s01-registration.pdf", "s01-declaration.pdf", "s02-registration.pdf", "s02-declaration.pdf",
                   "s03-registration.pdf", "s03-declaration.pdf", "s07-registration.pdf", "s07-declaration.pdf",
                   "s05-registration.xml", "s09-registration.xml"]
    var inputs: [URL] = []
    var digests = Set<String>()
    for n in 0..<count {
        let source = sources[n % sources.count]
        var data = try Data(contentsOf: Fixtures.sample(source))
        data.append(Data((source.hasSuffix(".xml") ? "<!-- \(tag) \(n) -->\n" : "\n%\(tag) \(n)\n").utf8))
        let url = staging.appendingPathComponent("doc-\(n)-\(source)")
        try data.write(to: url)
        inputs.append(url)
        digests.insert(InputFile(path: url.path, data: data).sha256)
    }
    return (inputs, digests)
}

/// Drops one document into the inbox as people do: renamed in, or copied in and then removed.
func drop(_ url: URL, into inbox: URL, random: inout SeededRandom) throws {
    let target = inbox.appendingPathComponent(url.lastPathComponent)
    if Bool.random(using: &random) {
        try FileManager.default.moveItem(at: url, to: target)
    } else {
        try FileManager.default.copyItem(at: url, to: target)
        try FileManager.default.removeItem(at: url)
    }
}

/// The processes whose parent is `pid` (the watcher's readers).
func children(of pid: Int32) -> [Int32] {
    ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init).filter { child in
        guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 && Int32(fields[1]) == pid
    }
}

/// SIGKILLs the reader processes the watcher has started (its children); whether any was running.
func killReaders(of pid: Int32) -> Bool {
    let found = children(of: pid)
    for child in found { kill(child, SIGKILL) }
    return !found.isEmpty
}

extension RunningWatcher {
    /// SIGTERM to the watcher's process group and to every process it started (a service manager
    /// stops the whole service so: its readers get it at the same moment); returns the exit status.
    func terminateEverything() -> Int32 {
        guard let p = process, p.isRunning else { return -1 }
        // A service is stopped once it is up: before the program has set its handler (in its first
        // milliseconds, longer on a loaded machine) SIGTERM ends it as the signal's default does.
        eventually(60) { self.starts <= ((try? String(contentsOf: self.log, encoding: .utf8)) ?? "").components(separatedBy: "] watching").count - 1 }
        // Foundation starts it as the leader of a process group of its own (-2 if it is not).
        guard getpgid(p.processIdentifier) == p.processIdentifier else { return -2 }
        let readers = children(of: p.processIdentifier)
        Foundation.kill(-p.processIdentifier, SIGTERM)
        for reader in readers { Foundation.kill(reader, SIGTERM) }
        p.waitUntilExit()
        return p.terminationStatus
    }
}

/// Kills the watcher's readers from another thread while the test drops files.
final class ReaderKiller: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var done = false
    private let limit: Int
    private var random: SeededRandom

    init(limit: Int, seed: UInt64) {
        self.limit = limit
        random = SeededRandom(seed: seed &+ 1)
    }

    var kills: Int { lock.withLock { count } }

    func start(_ pid: @escaping @Sendable () -> Int32) {
        Thread.detachNewThread { [self] in
            while lock.withLock({ !done && count < limit }) {
                if killReaders(of: pid()) {
                    let pause = lock.withLock { () -> UInt32 in
                        count += 1
                        return UInt32.random(in: 200_000...800_000, using: &random)
                    }
                    usleep(pause)
                } else {
                    usleep(5_000)
                }
            }
        }
    }

    func stop() { lock.withLock { done = true } }
}
