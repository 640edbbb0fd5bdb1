import Foundation
import Testing
import TestSupport
import SecorCore
import SecorPipeline
import SecorReaders

/// The chain as `process`, `watch` and the fuzz targets run it.
@Suite struct IntakePipelineTests {
    static let pipeline = try! IntakePipeline.shipped()
    static let date = CalendarDate(year: 2026, month: 11, day: 22)!
    /// The typed, filled, flattened and XML samples (scans are read in SecorReadersTests).
    static let cases = ["s01", "s02", "s03", "s05", "s06", "s07", "s09"]

    @Test func theChainDecidesTheSamplesAsExpected() throws {
        let expected = try Expected.load()
        let wanted = expected.cases.filter { Self.cases.contains($0.id) }
        let paths = wanted.flatMap(\.files).map { Fixtures.sample($0).path }
        let outcome = try Self.pipeline.run(paths: paths, on: Self.date)
        #expect(outcome.unmatched.isEmpty)
        #expect(outcome.applications.count == wanted.count)
        for c in wanted {
            let record = try #require(outcome.applications.first { Set($0.documents.map { ($0.path as NSString).lastPathComponent }) == Set(c.files) },
                                      "\(c.id) is one application")
            #expect(record.decision.rawValue == c.decision, "\(c.id)")
            #expect(Set(record.reasons.compactMap(\.field)) == Set(c.fields), "\(c.id)")
        }
        // Every file in exactly one place.
        #expect(outcome.applications.flatMap { $0.documents.map(\.path) }.sorted() == paths.sorted())
    }

    @Test func eachStageHandsOnItsNamedValue() throws {
        let p = Self.pipeline
        let reads = ["s07-registration.pdf", "s07-declaration.pdf"].map { p.read(path: Fixtures.sample($0).path) }
        #expect(reads.map(\.kind) == [.registration, .declaration])
        let receipts = reads.enumerated().map { p.receive($1, index: $0) }
        guard case let .forms(registration) = receipts[0] else { Issue.record("no forms"); return }
        // Received means normalized: the count is a number, the account seven digits.
        #expect(registration.documents[0].normalized.value("workers_total") == .count(10))
        #expect(registration.documents[0].wcbAccount?.count == 7)
        let assembly = p.assemble(receipts)
        #expect(assembly.applications.count == 1 && assembly.unmatched.isEmpty)
        let decided = try p.decider(on: Self.date).decide(assembly.applications)
        #expect(decided.map(\.decision) == [.rejected])
        let record = p.record(decided[0])
        #expect(record.decision == .rejected && record.decision.folder == "rejected")
        #expect(record.reasons.map(\.code) == ["workforce-limit"])
    }

    @Test func aFileOverTheLimitIsRefusedBeforeItIsRead() throws {
        var limits = Extraction.Limits()
        limits.maxFileBytes = 1_000
        let small = try IntakePipeline.shipped(limits: limits)
        let read = small.read(path: Fixtures.sample("s03-declaration.pdf").path)
        #expect(read.documents.isEmpty)
        #expect(read.reasons.map(\.code) == ["too-large"])
        guard case let .unmatched(unmatched) = small.receive(read, index: 0) else { Issue.record("received as a form"); return }
        #expect(small.record(unmatched).decision == .failed)
        #expect(small.record(unmatched).decision.folder == "failed")
    }

    @Test func aRegisterThatCannotAnswerBreaksTheRun() throws {
        struct Broken: Error {}
        struct BrokenRegister: TraineeRegister {
            func account(claiming person: TraineeIdentity, otherThan account: String?) throws -> String? { throw Broken() }
        }
        let reads = ["s01-registration.pdf", "s01-declaration.pdf"].map { Self.pipeline.read(path: Fixtures.sample($0).path) }
        #expect(throws: Broken.self) { try Self.pipeline.decide(reads, on: Self.date, earlier: BrokenRegister()) }
        // With a register that answers, the same files are accepted.
        #expect(try Self.pipeline.decide(reads, on: Self.date).applications.map(\.decision) == [.accepted])
    }
}
