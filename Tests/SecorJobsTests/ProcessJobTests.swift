import Foundation
import Testing
import SecorCore
import SecorJobs
import TestSupport
import SecorSupport
import SecorOutput

@Suite struct ProcessJobTests {
    let date = CalendarDate(year: 2026, month: 11, day: 22)!
    var samples: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: Fixtures.samples.path))?.filter { !$0.hasSuffix(".json") }.sorted()
            .map { Fixtures.sample($0).path } ?? []
    }

    func run(_ job: ProcessJob) async throws -> (BatchSummary, [String]) {
        var records: [String] = []
        let summary = try await job.run(paths: samples) { records.append(try JSONOutput.string($0)) }
        return (summary, records)
    }

    @Test func documentsWaitingOnDiskAreDecidedAsInMemory() async throws {
        var inMemory = ProcessJob(processingDate: date, jobs: 2)
        inMemory.documentsInMemory = 10_000
        var onDisk = inMemory
        onDisk.documentsInMemory = 0
        let (a, recordsA) = try await run(inMemory)
        let (b, recordsB) = try await run(onDisk)
        #expect(recordsA.count == 9)
        #expect(recordsA == recordsB)
        #expect(a.applications.map(\.decision) == b.applications.map(\.decision))
        #expect(a.applications.filter { $0.decision == .accepted }.count == 6)
    }

    @Test func theDaySummaryIsWrittenAsTheBatchGoes() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("process-out-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        var job = ProcessJob(processingDate: date, jobs: 2, out: out)
        job.documentsInMemory = 2
        let summary = try await job.run(paths: samples + [Fixtures.bad("empty.pdf").path])
        let jsonl = try String(contentsOf: out.appendingPathComponent("results.jsonl"), encoding: .utf8)
        let lines = jsonl.split(separator: "\n").count
        #expect(lines == summary.applications.count + summary.unmatched.count)
        let csv = try String(contentsOf: out.appendingPathComponent("accepted.csv"), encoding: .utf8)
        let accepted = summary.applications.filter { $0.decision == .accepted }.count
        #expect(csv.split(separator: "\r\n").count == 1 + accepted)
        let html = try String(contentsOf: out.appendingPathComponent("summary.html"), encoding: .utf8)
        #expect(html.contains("<b>6</b><span>Accepted</span>"))
        for line in summary.applications { #expect(html.contains(line.id)) }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: out.path).filter(FileReplacement.isLeftover)
        #expect(leftovers.isEmpty)
    }
}
