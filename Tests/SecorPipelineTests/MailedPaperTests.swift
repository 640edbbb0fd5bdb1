import Foundation
import Testing
import TestSupport
import SecorCore
import SecorPipeline
import SecorReaders
import SecorSupport
import SecorFixtures

/// Paper as the mail brings it (fixtures/samples-mail: hand-filled, shrunk to fit, upside down,
/// sideways, duplex, a cover letter, colour, fax, phone photos, a stack, envelopes): whatever is
/// not read with confidence goes to staff, and no decision rests on what was not read.
@Suite struct MailedPaperTests {
    static let date = CalendarDate(year: 2026, month: 11, day: 22)!

    /// The mail samples through the whole chain, read two at a time as `process` reads them; and
    /// every value read compared with what was written.
    static func decide() async throws -> (outcome: IntakePipeline.Outcome, values: MailAccuracy, filed: MailAccuracy) {
        let pipeline = try IntakePipeline.shipped()
        let paths = try FileManager.default.contentsOfDirectory(atPath: Fixtures.mailSamples.path)
            .filter { $0.hasSuffix(".pdf") }.sorted().map { Fixtures.mailSamples.appendingPathComponent($0).path }
        let reads = OrderedResults<ReadFile>(count: paths.count)
        await pipeline.readAll(paths, jobs: 2) { reads.set($0, $1) }
        let cases = try MailAccuracy.cases(in: Fixtures.mailSamples.appendingPathComponent("expected.json"))
        var values = MailAccuracy(threshold: MailAccuracy.reviewThreshold(pipeline.library), templates: pipeline.templates)
        for read in reads.values() { values.add(file: read.file.path, documents: read.documents, cases: cases) }
        let outcome = try pipeline.decide(reads.values(), on: date)
        var filed = MailAccuracy(threshold: MailAccuracy.reviewThreshold(pipeline.library), templates: pipeline.templates)
        filed.add(applications: outcome.applications, unmatched: outcome.unmatched.map(\.path), reads: reads.values(), cases: cases)
        return (outcome, values, filed)
    }

    /// Whether `record` is a safe outcome for `c`: its decision, or staff review; a rejection only
    /// for fields the case names; never an acceptance of what should be rejected.
    static func isSafe(_ record: ApplicationRecord, for c: ExpectedCase) -> Bool {
        let rejected = Set(record.reasons.filter { $0.severity == .reject }.compactMap(\.field))
        switch record.decision {
        case .needsReview: return true
        case .accepted: return c.decision == "accepted"
        case .rejected: return c.decision == "rejected" && !rejected.isEmpty && rejected.isSubset(of: Set(c.fields))
        default: return false
        }
    }

    @Test func noDecisionRestsOnWhatWasNotRead() async throws {
        let expected = try Expected.load(from: Fixtures.mailSamples)
        let (outcome, values, filed) = try await Self.decide()
        var right = 0
        for record in outcome.applications {
            let names = Set(record.documents.map { ($0.path as NSString).lastPathComponent })
            let cases = expected.cases.filter { !Set($0.files).isDisjoint(with: names) }
            try #require(!cases.isEmpty, "\(names) is in no case")
            // In a stack of several applications, the case is the one whose account was read;
            // otherwise the outcome must be safe for every case the file holds.
            let account = record.fields["wcb_account_number"]?.description ?? record.declarationFields["wcb_account_number"]?.description
            let mine = cases.filter { $0.wcb == account }
            let candidates = mine.isEmpty ? cases : mine
            let reasons = record.reasons.map { "\($0.severity.rawValue) \($0.field ?? "-")" }
            #expect(candidates.allSatisfy { Self.isSafe(record, for: $0) }, "\(names.sorted()): \(record.decision.rawValue) \(reasons)")
            if record.decision == .needsReview {
                // Review names what staff must look at.
                #expect(record.reasons.contains { $0.severity == .review && ($0.field != nil || $0.document != nil) }, "\(names.sorted())")
            } else if candidates.count == 1, Self.isSafe(record, for: candidates[0]), record.decision.rawValue == candidates[0].decision {
                right += 1
            }
        }
        // Every file the mail brought is in an application or listed as read as nothing.
        let listed = Set(outcome.applications.flatMap { $0.documents.map { ($0.path as NSString).lastPathComponent } }
                         + outcome.unmatched.map { ($0.path as NSString).lastPathComponent })
        #expect(listed == Set(expected.cases.flatMap(\.files)))
        // Most are decided outright, exactly as expected (the rest wait for staff, naming a field).
        #expect(right >= 13, "\(right) decided exactly")
        // Values as read, before the application's context (the declaration's repeated values, the
        // counts' total) doubts some of them, and as filed, after it: 95.3% and 96.2% right, none
        // read wrong yet sure, on this machine (14 of 15 decided exactly; m01 rests on two doubtful
        // dates of one month, so 13 are required). As filed is what the office gets, held to the
        // issue's 95%; as read with a little room for another machine's arithmetic.
        print("mail samples: \(right) of \(expected.cases.count) decided exactly; values as read:\n\(values.table)"
              + "values as filed:\n\(filed.table)", terminator: "")
        #expect(values.overall.confidentlyWrong < 0.015, "\(values.overall.wrongButSure)")
        #expect(values.overall.accuracy >= 0.94, "\(values.overall)")
        #expect(filed.overall.confidentlyWrong < 0.01, "\(filed.overall.wrongButSure)")
        #expect(filed.overall.accuracy >= 0.95, "\(filed.overall)")
    }
}
