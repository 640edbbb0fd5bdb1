import Foundation
import Testing
@testable import SecorCore

/// The registration's life as pure rules (forms README, L2, L3, L6, L7): deadlines by calendar
/// months, removals and overdue audits on a run's date, and which record a new one corrects.
@Suite struct RegistrationLifeTests {
    static func day(_ s: String) -> CalendarDate { CalendarDate(iso: s)! }
    static let terms = try! ProgramLibrary.load().edition(on: day("2026-11-22"))!.lifecycle!

    static func life(_ registered: String, _ records: [(LifeEvent, String, Int64?)] = [], actions: [LifeAction] = []) -> RegistrationLife {
        RegistrationLife(id: "A", account: "3000001", registered: day(registered), terms: terms,
                         records: records.enumerated().map { i, r in
                             LifeRecord(id: Int64(i + 1), registration: "A", event: r.0, on: day(r.1), by: "Staff", recorded: day(r.1), supersedes: r.2)
                         }, actions: actions)
    }

    @Test(arguments: [("2026-03-31", 18, "2027-09-30"), ("2024-02-29", 12, "2025-02-28"), ("2026-01-31", 1, "2026-02-28"),
                      ("2026-08-31", 6, "2027-02-28"), ("2026-01-19", 12, "2027-01-19")])
    func monthsOnFallOnTheLastDayTheMonthHas(_ from: String, _ months: Int, _ to: String) {
        #expect(Self.day(from).adding(months: months) == Self.day(to))
    }

    @Test func aMissedMilestoneRemovesOnTheFirstRunAfterItsDeadline() {
        let life = Self.life("2026-02-16")
        #expect(life.duties(on: Self.day("2027-02-16")).isEmpty, "on the deadline itself it is still in time")
        let duties = life.duties(on: Self.day("2027-03-01"))
        #expect(duties == [.removed(on: Self.day("2027-03-01"), missed: .milestone1, deadline: Self.day("2027-02-16"),
                                    mayRegisterFrom: Self.day("2027-09-01"))])
        var removed = life
        removed.actions = duties
        #expect(removed.status == .removed && removed.duties(on: Self.day("2028-01-01")).isEmpty, "removed once")
    }

    @Test func certificationMissedAfterAMilestoneRemovesForCertification() {
        let life = Self.life("2026-03-31", [(.milestone1, "2026-11-20", nil)])
        let duties = life.duties(on: Self.day("2027-10-04"))
        #expect(duties == [.removed(on: Self.day("2027-10-04"), missed: .certified, deadline: Self.day("2027-09-30"),
                                    mayRegisterFrom: Self.day("2028-04-04"))])
    }

    @Test func aCertifiedRegistrationIsToldOfEachAnniversaryWithoutAnAudit() {
        let life = Self.life("2026-01-19", [(.certified, "2027-04-12", nil)])
        #expect(life.duties(on: Self.day("2028-04-12")).isEmpty)
        let told = life.duties(on: Self.day("2028-04-17"))
        #expect(told == [.auditOverdue(on: Self.day("2028-04-17"), anniversary: Self.day("2028-04-12"))])
        var after = life
        after.actions = told
        #expect(after.auditOverdue == Self.day("2028-04-12") && after.status == .certified, "listed overdue, not removed")
        #expect(after.duties(on: Self.day("2028-05-01")).isEmpty, "told once")
    }

    @Test func aRecordOfAnEventAlreadyRecordedCorrectsIt() throws {
        let life = Self.life("2026-06-22", [(.milestone1, "2027-01-08", nil), (.certified, "2027-11-05", nil)])
        #expect(try life.check(.certified, on: Self.day("2027-10-29"), recordedOn: Self.day("2027-11-09")) == 2)
        #expect(throws: RecordRefused.self) { try life.check(.certified, on: Self.day("2027-12-23"), recordedOn: Self.day("2028-01-01")) }
        #expect(throws: RecordRefused.self) { try life.check(.milestone1, on: Self.day("2027-11-10"), recordedOn: Self.day("2027-11-09")) }
        #expect(throws: RecordRefused.self) { try life.check(.annualAudit, on: Self.day("2027-11-01"), recordedOn: Self.day("2027-11-09")) }
    }

    @Test func anAuditBeforeTheLatestCorrectsItAndOneAfterTheAnniversaryIsNew() throws {
        let life = Self.life("2026-05-19", [(.certified, "2027-07-19", nil), (.annualAudit, "2028-06-20", nil)])
        #expect(life.annualAudits.map(\.anniversary) == [Self.day("2028-07-19")])
        // Earlier than the latest audit: it corrects it.
        #expect(try life.check(.annualAudit, on: Self.day("2028-06-13"), recordedOn: Self.day("2028-06-23")) == 2)
        // After the latest and after the anniversary it counted for: the next year's audit.
        #expect(try life.check(.annualAudit, on: Self.day("2029-05-01"), recordedOn: Self.day("2029-05-02")) == nil)
        // On or before the anniversary before the latest audit's: refused.
        #expect(throws: RecordRefused.self) { try life.check(.annualAudit, on: Self.day("2027-07-19"), recordedOn: Self.day("2028-06-23")) }
    }

    @Test func aWithdrawalEndsTheRegistrationWithoutAWait() {
        let life = Self.life("2026-04-20", [(.withdrawn, "2027-02-01", nil)])
        #expect(life.status == .withdrawn && life.duties(on: Self.day("2027-05-01")).isEmpty)
        let view = RegistrationView(life)
        #expect(view.removedOn == Self.day("2027-02-01") && view.mayRegisterFrom == nil && view.missed == nil)
    }
}
