import Foundation
import SecorCore
import SecorReaders
import Testing
import TestSupport
@testable import SecorWorkers
import SecorSupport
import SecorPipeline

/// Reader processes that misbehave (hang, crash, are missing) cost only the file in hand;
/// the real reader gives what this process's own extraction gives.
@Suite struct IsolatedReadingTests {
    static let extraction = Result { try Extraction.shipped() }

    func reading(_ command: ReaderCommand, timeout: Duration = .seconds(30)) throws -> IsolatedReading {
        IsolatedReading(extraction: try Self.extraction.get(), command: command, timeout: timeout)
    }

    /// A stand-in reader: says it is ready (an empty message), then runs `then`.
    static func shell(_ then: String) -> ReaderCommand {
        ReaderCommand(executable: "/bin/sh", arguments: ["-c", "printf '0\\n'; \(then)"])
    }

    func readAll(_ reading: IsolatedReading, _ files: [String], jobs: Int = 2) async -> [ReadFile] {
        let results = OrderedResults<ReadFile>(count: files.count)
        await reading.readAll(files, jobs: jobs) { results.set($0, $1) }
        return results.values()
    }

    static let batch = ["s01-registration.pdf", "s05-registration.xml", "s02-declaration.pdf"].map { Fixtures.sample($0).path }

    @Test func aReaderThatHangsIsStoppedAtTheTimeLimit() async throws {
        let started = Date()
        // Readers that would sleep an hour: the batch must not wait for them. Other tests can hold the
        // cooperative pool for minutes on a 2-core machine (300 s was once reached with a 600 s sleep),
        // so the bound is half the sleep, far beyond any wait for the pool.
        let reads = await readAll(try reading(Self.shell("sleep 3600"), timeout: .milliseconds(500)), Self.batch)
        #expect(Date().timeIntervalSince(started) < 1800, "the readers' sleep 3600 was not waited for")
        #expect(reads.count == 3)
        for read in [reads[0], reads[2]] {
            #expect(read.reasons.map(\.code) == ["timeout"])
            #expect(read.reasons.first?.message.contains("0.50 s limit") == true)
            #expect(read.reasons.first?.severity == .unreadable)
            #expect(read.file.sha256.count == 64)
        }
        // The XML export is read here, not by a reader process: the batch carries on.
        #expect(reads[1].documents.first?.kind == .registration)
    }

    @Test func aReaderThatCrashesCostsOnlyItsFile() async throws {
        let reads = await readAll(try reading(Self.shell("kill -SEGV $$")), Self.batch, jobs: 1)
        #expect(reads.count == 3)
        #expect(reads[0].reasons.map(\.code) == ["reader-crashed"])
        #expect(reads[0].reasons.first?.message.contains("signal 11") == true)
        #expect(reads[2].reasons.map(\.code) == ["reader-crashed"])
        #expect(reads[1].documents.first?.kind == .registration)
    }

    @Test func aReaderThatSaysNonsenseIsStopped() async throws {
        let reads = await readAll(try reading(Self.shell("cat > /dev/null & printf 'not a frame'; sleep 60")), [Self.batch[0]])
        #expect(reads.first?.reasons.map(\.code) == ["reader-crashed"])
    }

    @Test func aMissingReaderIsSaidSo() async throws {
        let reads = await readAll(try reading(ReaderCommand(executable: "/nonexistent/secor-reader", arguments: [])), [Self.batch[0]])
        #expect(reads.first?.reasons.map(\.code) == ["reader-unavailable"])
    }

    /// A reader is sent its next file before it answers the last. When it is stopped on one file,
    /// the file already waiting in its pipe is read by the next reader, not lost or failed.
    @Test func theFileSentAheadOfAStoppedOneIsReadByTheNextReader() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sent-ahead-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let names = ["a.pdf", "hang.pdf", "b.pdf", "c.pdf"]
        for name in names {
            try FileManager.default.copyItem(at: Fixtures.sample("s03-declaration.pdf"), to: folder.appendingPathComponent(name))
        }
        // The stand-in answers every request with this, except one whose name says hang.
        let canned = try JSONEncoder().encode(ReadFile.unreadable(InputFile(path: "canned", sha256: String(repeating: "0", count: 64)),
                                                                  format: .pdf, Diagnostic(.review, code: "canned", "read")))
        let reply = folder.appendingPathComponent("reply.json")
        try canned.write(to: reply)
        let reader = Self.shell("""
            while read -r n; do
              header=$(dd bs=1 count="$n" 2>/dev/null)
              read -r n; dd bs=1 count="$n" of=/dev/null 2>/dev/null
              case "$header" in *hang*) sleep 600 ;; esac
              printf '%d\\n' \(canned.count); cat '\(reply.path)'
            done
            """)
        let reads = await readAll(try reading(reader, timeout: .seconds(3)), names.map { folder.appendingPathComponent($0).path }, jobs: 1)
        #expect(reads.count == 4)
        #expect(reads.map { $0.reasons.first?.code } == ["canned", "timeout", "canned", "canned"])
    }

    @Test func theRealReaderReadsWhatThisProcessReads() async throws {
        let files = ["s01-registration.pdf", "s03-declaration.pdf", "s04-registration.pdf"].map { Fixtures.sample($0).path }
        let command = ReaderCommand(executable: Fixtures.executable.path, arguments: ["read-worker"])
        let isolated = await readAll(try reading(command, timeout: .seconds(120)), files)
        let here = try files.map { try Self.extraction.get().read(path: $0) }
        #expect(isolated.count == here.count)
        for (a, b) in zip(isolated, here) {
            #expect(a.file.sha256 == b.file.sha256)
            #expect(a.documents.map(\.kind) == b.documents.map(\.kind))
            #expect(a.documents.map { $0.fields.mapValues(\.value) } == b.documents.map { $0.fields.mapValues(\.value) })
        }
        // One file in memory, as the watcher has it.
        let file = InputFile(path: files[0], data: try Data(contentsOf: URL(fileURLWithPath: files[0])))
        let one = await (try reading(command, timeout: .seconds(120))).read(file, format: .pdf)
        #expect(one.documents.first?.fields.mapValues(\.value) == here[0].documents.first?.fields.mapValues(\.value))
    }
}

/// A reader stopped from outside is not the file's fault: the file is read again.
@Suite struct StoppedReaderTests {
    @Test func aFileWhoseReaderWasKilledIsReadAgain() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("killed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let marker = folder.appendingPathComponent("killed-once").path
        // The first reader says it is ready and is then killed (as by an operator, or the kernel);
        // every later one is the real reader.
        let command = ReaderCommand(executable: "/bin/sh", arguments: ["-c", """
            if [ -e '\(marker)' ]; then exec '\(Fixtures.executable.path)' read-worker; fi
            touch '\(marker)'; printf '0\\n'; sleep 1; kill -9 $$
            """])
        let shipped = try IntakePipeline.shipped()
        let isolated = IsolatedReading(extraction: try Extraction.shipped(), command: command, timeout: .seconds(120))
        let pipeline = IntakePipeline(sniffer: shipped.sniffer, reading: isolated, assembler: shipped.assembler,
                                      library: shipped.library, templates: shipped.templates)
        let file = Fixtures.sample("s03-registration.pdf").path
        let results = OrderedResults<ReadFile>(count: 1)
        // Before, the file was reported unreadable ("may be damaged") and filed as failed.
        await pipeline.readAll([file], jobs: 1) { results.set($0, $1) }
        let read = try #require(results.values().first)
        #expect(read.kind == .registration, "\(read.reasons.map(\.code))")
        // Without reading again, it says why, and that it was not the file's fault.
        try FileManager.default.removeItem(atPath: marker)
        let once = OrderedResults<ReadFile>(count: 1)
        await pipeline.readAll([file], jobs: 1, retries: 0) { once.set($0, $1) }
        #expect(once.values().first?.reasons.map(\.code) == [ReadFailure.readerStopped])
    }
}
