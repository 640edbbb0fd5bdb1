import Foundation

// The registration's life (forms README, L1-L8): what follows an accepted registration. Pure
// values and rules; the registry stores the records and what runs did, and hands them here.

extension CalendarDate {
    /// The same day `months` months on; a day that month lacks falls on its last day
    /// (31 March + 18 months: 30 September; 29 February: 28 February in other years).
    public func adding(months: Int) -> CalendarDate {
        let total = year * 12 + (month - 1) + months
        let y = total / 12, m = total % 12 + 1
        return CalendarDate(year: y, month: m, day: min(day, Self.daysIn(month: m, year: y)))!
    }

    public func adding(days: Int) -> CalendarDate {
        SubmissionTime.civil(fromDays: SubmissionTime.daysSinceEpoch(self) + days)!
    }
}

/// The deadlines and windows of a program's lifecycle, from its edition file (`lifecycle:`).
public struct LifecycleTerms: Sendable, Codable, Hashable {
    public let milestone1Months: Int
    public let certificationMonths: Int
    public let waitAfterRemovalMonths: Int
    public let auditEveryMonths: Int
    public let dueWindowDays: Int
    /// What the applicant is told, by case: `removed-wait` ({removed_on}, {may_register_from}) and
    /// `already-registered` ({registered}, {status}).
    public let messages: [String: String]

    enum CodingKeys: String, CodingKey {
        case messages
        case milestone1Months = "milestone_1_months"
        case certificationMonths = "certification_months"
        case waitAfterRemovalMonths = "wait_after_removal_months"
        case auditEveryMonths = "audit_every_months"
        case dueWindowDays = "due_window_days"
    }
}

/// What staff record from the office's own training and audit records.
public enum LifeEvent: String, Sendable, Codable, CaseIterable {
    case milestone1 = "milestone-1"
    case certified
    case annualAudit = "annual-audit"
    case withdrawn
}

public enum RegistrationStatus: String, Sendable, Codable {
    case registered, certified, removed, withdrawn

    /// Registered or certified: the registration the account holds now.
    public var inForce: Bool { self == .registered || self == .certified }
}

/// One record staff made. A correction is a new record that supersedes the one it corrects;
/// nothing is deleted.
public struct LifeRecord: Sendable, Codable, Hashable {
    /// The order recorded in.
    public let id: Int64
    /// The registration (application id) it is for.
    public let registration: String
    public let event: LifeEvent
    public let on: CalendarDate
    public let by: String
    public let recorded: CalendarDate
    public let supersedes: Int64?

    public init(id: Int64, registration: String, event: LifeEvent, on: CalendarDate, by: String, recorded: CalendarDate, supersedes: Int64?) {
        self.id = id; self.registration = registration; self.event = event; self.on = on; self.by = by
        self.recorded = recorded; self.supersedes = supersedes
    }
}

/// What a processing run did to a registration: removed it (L3) or told it an audit is overdue (L6).
public enum LifeAction: Sendable, Codable, Hashable {
    case removed(on: CalendarDate, missed: LifeEvent, deadline: CalendarDate, mayRegisterFrom: CalendarDate)
    case auditOverdue(on: CalendarDate, anniversary: CalendarDate)

    public var on: CalendarDate {
        switch self { case let .removed(on, _, _, _), let .auditOverdue(on, _): on }
    }
}

/// A refused record: why, in staff's words.
public struct RecordRefused: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ s: String) { description = s }
}

/// One accepted registration and everything since.
public struct RegistrationLife: Sendable {
    public let id: String
    public let account: String
    public let registered: CalendarDate
    public let terms: LifecycleTerms
    /// In the order recorded.
    public var records: [LifeRecord]
    public var actions: [LifeAction]

    public init(id: String, account: String, registered: CalendarDate, terms: LifecycleTerms, records: [LifeRecord] = [], actions: [LifeAction] = []) {
        self.id = id; self.account = account; self.registered = registered; self.terms = terms
        self.records = records.sorted { $0.id < $1.id }; self.actions = actions
    }

    public var milestone1Due: CalendarDate { registered.adding(months: terms.milestone1Months) }
    public var certificationDue: CalendarDate { registered.adding(months: terms.certificationMonths) }

    public func isSuperseded(_ r: LifeRecord) -> Bool { records.contains { $0.supersedes == r.id } }
    public var inForce: [LifeRecord] { records.filter { !isSuperseded($0) } }
    func latest(_ event: LifeEvent) -> LifeRecord? { inForce.last { $0.event == event } }

    public var milestone1: CalendarDate? { latest(.milestone1)?.on }
    public var certified: CalendarDate? { latest(.certified)?.on }
    public var withdrawn: CalendarDate? { latest(.withdrawn)?.on }
    public var removal: (on: CalendarDate, missed: LifeEvent, deadline: CalendarDate, mayRegisterFrom: CalendarDate)? {
        for case let .removed(on, missed, deadline, from) in actions { return (on, missed, deadline, from) }
        return nil
    }

    public var status: RegistrationStatus {
        if withdrawn != nil { return .withdrawn }
        if removal != nil { return .removed }
        return certified == nil ? .registered : .certified
    }

    /// The `k`th anniversary of the certification (the 0th is the certification itself).
    public func anniversary(_ k: Int) -> CalendarDate? { certified.map { $0.adding(months: k * terms.auditEveryMonths) } }

    /// The audits in force, oldest first, each counted for the earliest anniversary still without one.
    public var annualAudits: [(anniversary: CalendarDate, on: CalendarDate)] {
        let audits = inForce.filter { $0.event == .annualAudit }.sorted { ($0.on, $0.id) < ($1.on, $1.id) }
        return audits.enumerated().compactMap { k, a in anniversary(k + 1).map { ($0, a.on) } }
    }

    /// The anniversary a run told the company it missed, while no audit counts for it (L6).
    public var auditOverdue: CalendarDate? {
        guard status == .certified, let next = anniversary(annualAudits.count + 1) else { return nil }
        for case let .auditOverdue(_, anniversary) in actions where anniversary == next { return next }
        return nil
    }

    /// What a processing run on `date` does to it (L3, L6): nothing once it is out of force.
    public func duties(on date: CalendarDate) -> [LifeAction] {
        switch status {
        case .registered:
            if milestone1 == nil, date > milestone1Due {
                return [.removed(on: date, missed: .milestone1, deadline: milestone1Due, mayRegisterFrom: date.adding(months: terms.waitAfterRemovalMonths))]
            }
            if date > certificationDue {
                return [.removed(on: date, missed: .certified, deadline: certificationDue, mayRegisterFrom: date.adding(months: terms.waitAfterRemovalMonths))]
            }
            return []
        case .certified:
            var told = Set<CalendarDate>()
            for case let .auditOverdue(_, anniversary) in actions { told.insert(anniversary) }
            var out: [LifeAction] = []
            var k = annualAudits.count + 1
            while let a = anniversary(k), a < date {
                if !told.contains(a) { out.append(.auditOverdue(on: date, anniversary: a)) }
                k += 1
            }
            return out
        case .removed, .withdrawn:
            return []
        }
    }

    /// Checks a new record against L7: the record it supersedes (nil for a new one), or why it is refused.
    public func check(_ event: LifeEvent, on date: CalendarDate, recordedOn today: CalendarDate) throws -> Int64? {
        guard status.inForce else { throw RecordRefused("the registration of \(registered) is \(status.rawValue): a record cannot be made for it") }
        if date > today { throw RecordRefused("\(event.rawValue) on \(date) is after today (\(today))") }
        if date < registered { throw RecordRefused("\(event.rawValue) on \(date) is before the registration date, \(registered)") }
        switch event {
        case .milestone1:
            if date > milestone1Due { throw RecordRefused("Milestone #1 on \(date) is after its deadline, \(milestone1Due)") }
            return latest(.milestone1)?.id
        case .certified:
            if date > certificationDue { throw RecordRefused("certification on \(date) is after its deadline, \(certificationDue)") }
            return latest(.certified)?.id
        case .withdrawn:
            return latest(.withdrawn)?.id
        case .annualAudit:
            guard let certified else { throw RecordRefused("an annual audit needs a certification on record first") }
            if date <= certified { throw RecordRefused("an annual audit on \(date) is not after the certification, \(certified)") }
            let audits = inForce.filter { $0.event == .annualAudit }.sorted { ($0.on, $0.id) < ($1.on, $1.id) }
            guard let last = audits.last else { return nil }
            // After the latest audit and after the anniversary before the one it would count for: a new audit.
            if date > last.on, let before = anniversary(audits.count), date > before { return nil }
            // Otherwise it corrects the latest, unless it falls on or before the anniversary before that audit's.
            if let before = anniversary(audits.count - 1), date <= before {
                throw RecordRefused("an annual audit on \(date) is on or before \(before), the anniversary before the latest audit's")
            }
            return last.id
        }
    }
}

/// What a company is told after a run, as `timeline.json` has it.
public struct LifeNotice: Sendable, Encodable, Hashable {
    public let kind: String
    /// The registration it is about (its application id): the letter's reference; not printed in the JSON.
    public let registration: String
    public let wcb: String
    public let company: String
    public var missed: String? = nil
    public var deadline: CalendarDate? = nil
    public var removedOn: CalendarDate? = nil
    public var mayRegisterFrom: CalendarDate? = nil
    public var certified: CalendarDate? = nil
    public var missedAnniversary: CalendarDate? = nil
    /// Alberta's: the certificate cancelled, the maintenance audit that was due, the day.
    public var certificate: String? = nil
    public var maintenanceAudit: String? = nil
    public var cancelledOn: CalendarDate? = nil

    enum CodingKeys: String, CodingKey {
        case kind, wcb, company, certificate, missed, deadline, certified
        case removedOn = "removed_on"
        case mayRegisterFrom = "may_register_from"
        case missedAnniversary = "missed_anniversary"
        case maintenanceAudit = "maintenance_audit"
        case cancelledOn = "cancelled_on"
    }

    public init(kind: String, registration: String, wcb: String, company: String) {
        self.kind = kind; self.registration = registration; self.wcb = wcb; self.company = company
    }

    public init(_ action: LifeAction, life: RegistrationLife, company: String) {
        switch action {
        case let .removed(on, missed, deadline, from):
            kind = "removed"
            self.missed = missed.rawValue; self.deadline = deadline; removedOn = on; mayRegisterFrom = from
        case let .auditOverdue(_, anniversary):
            kind = "audit-overdue"
            certified = life.certified; missedAnniversary = anniversary
        }
        wcb = life.account
        registration = life.id
        self.company = company
    }
}

/// An account's standing when a registration for it arrives (L4).
public enum AccountStanding: Sendable, Equatable {
    case none
    /// A registration in force: registered on the date, registered or certified.
    case inForce(registered: CalendarDate, status: RegistrationStatus)
    /// Removed, and may register again from the date.
    case removed(on: CalendarDate, mayRegisterFrom: CalendarDate)
}

/// The registry's memory of accepted registrations, for L4 when a registration is decided.
public protocol RegistrationHistory {
    /// The account's standing on `date`. Throws when the registry cannot answer.
    func standing(of account: String, on date: CalendarDate) throws -> AccountStanding
}
