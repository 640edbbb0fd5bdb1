import Foundation

// What `companies` and `due` print, as `timeline.json` has them. Absent values are `null`, never
// left out: a reader sees every field of every registration.

/// One account's state on a date.
public struct CompanyView: Sendable, Encodable {
    public let company: String
    /// `accepted` if any registration was, else the latest decision (`null` if none came).
    public let registration: String?
    /// The latest accepted registration's status, or `null`.
    public let status: RegistrationStatus?
    public let registrations: [RegistrationView]

    public init(company: String, decisions: [ApplicationState], lives: [RegistrationLife]) {
        self.company = company
        registration = decisions.contains(.accepted) ? ApplicationState.accepted.rawValue : decisions.last?.rawValue
        status = lives.last?.status
        registrations = lives.map(RegistrationView.init)
    }
}

public struct RegistrationView: Sendable, Encodable {
    public struct Audit: Sendable, Encodable { public let anniversary: CalendarDate; public let on: CalendarDate }
    public struct Record: Sendable, Encodable {
        public let event: LifeEvent, on: CalendarDate, by: String, recorded: CalendarDate, superseded: Bool
    }
    public let registered: CalendarDate
    public let status: RegistrationStatus
    public let milestone1Due: CalendarDate
    public let certificationDue: CalendarDate
    public let milestone1: CalendarDate?
    public let certified: CalendarDate?
    public let annualAudits: [Audit]
    public let auditOverdue: CalendarDate?
    public let removedOn: CalendarDate?
    public let missed: LifeEvent?
    public let mayRegisterFrom: CalendarDate?
    public let records: [Record]

    public init(_ life: RegistrationLife) {
        registered = life.registered
        status = life.status
        milestone1Due = life.milestone1Due
        certificationDue = life.certificationDue
        milestone1 = life.milestone1
        certified = life.certified
        annualAudits = life.annualAudits.map { Audit(anniversary: $0.anniversary, on: $0.on) }
        auditOverdue = life.auditOverdue
        let removal = life.removal
        // A withdrawal takes it out on its own date, with no wait and nothing missed (L5).
        removedOn = life.withdrawn ?? removal?.on
        missed = life.withdrawn == nil ? removal?.missed : nil
        mayRegisterFrom = life.withdrawn == nil ? removal?.mayRegisterFrom : nil
        records = life.records.map { Record(event: $0.event, on: $0.on, by: $0.by, recorded: $0.recorded, superseded: life.isSuperseded($0)) }
    }

    enum CodingKeys: String, CodingKey {
        case registered, status, certified, missed, records
        case milestone1Due = "milestone_1_due", certificationDue = "certification_due", milestone1 = "milestone_1"
        case annualAudits = "annual_audits", auditOverdue = "audit_overdue", removedOn = "removed_on"
        case mayRegisterFrom = "may_register_from"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(registered, forKey: .registered)
        try c.encode(status, forKey: .status)
        try c.encode(milestone1Due, forKey: .milestone1Due)
        try c.encode(certificationDue, forKey: .certificationDue)
        try c.encode(milestone1, forKey: .milestone1)
        try c.encode(certified, forKey: .certified)
        try c.encode(annualAudits, forKey: .annualAudits)
        try c.encode(auditOverdue, forKey: .auditOverdue)
        try c.encode(removedOn, forKey: .removedOn)
        try c.encode(missed, forKey: .missed)
        try c.encode(mayRegisterFrom, forKey: .mayRegisterFrom)
        try c.encode(records, forKey: .records)
    }
}

extension CompanyView {
    enum CodingKeys: String, CodingKey { case company, registration, status, registrations }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(company, forKey: .company)
        try c.encode(registration, forKey: .registration)
        try c.encode(status, forKey: .status)
        try c.encode(registrations, forKey: .registrations)
    }
}

/// L8: what falls due from D to D + the window, what is overdue, and who was removed.
public struct DueListing: Sendable, Encodable {
    public struct Entry: Sendable, Encodable {
        public let wcb: String
        public let company: String
        public var registered: CalendarDate? = nil
        public var certified: CalendarDate? = nil
        public var due: CalendarDate? = nil
        public var missedAnniversary: CalendarDate? = nil
        public var missed: LifeEvent? = nil
        public var deadline: CalendarDate? = nil
        public var removedOn: CalendarDate? = nil
        public var mayRegisterFrom: CalendarDate? = nil

        enum CodingKeys: String, CodingKey {
            case wcb, company, registered, certified, due, missed, deadline
            case missedAnniversary = "missed_anniversary", removedOn = "removed_on", mayRegisterFrom = "may_register_from"
        }

        var date: CalendarDate { due ?? missedAnniversary ?? removedOn ?? registered ?? certified! }
    }

    public let windowDays: Int
    public let until: CalendarDate
    public let milestone1Due: [Entry]
    public let certificationDue: [Entry]
    public let annualAuditDue: [Entry]
    public let auditOverdue: [Entry]
    public let removed: [Entry]

    enum CodingKeys: String, CodingKey {
        case until, removed
        case windowDays = "window_days", milestone1Due = "milestone_1_due", certificationDue = "certification_due"
        case annualAuditDue = "annual_audit_due", auditOverdue = "audit_overdue"
    }

    public init(on date: CalendarDate, lives: [RegistrationLife], companies: [String: String], windowDays: Int) {
        self.windowDays = windowDays
        until = date.adding(days: windowDays)
        let span = date...until
        var m1: [Entry] = [], cert: [Entry] = [], audits: [Entry] = [], overdue: [Entry] = [], removed: [Entry] = []
        for life in lives {
            let company = companies[life.account] ?? ""
            switch life.status {
            case .registered:
                if life.milestone1 == nil, span.contains(life.milestone1Due) {
                    m1.append(Entry(wcb: life.account, company: company, registered: life.registered, due: life.milestone1Due))
                }
                if span.contains(life.certificationDue) {
                    cert.append(Entry(wcb: life.account, company: company, registered: life.registered, due: life.certificationDue))
                }
            case .certified:
                let counted = life.annualAudits.count
                var k = counted + 1
                while let a = life.anniversary(k), a <= until {
                    if span.contains(a) { audits.append(Entry(wcb: life.account, company: company, certified: life.certified, due: a)) }
                    k += 1
                }
                if let missed = life.auditOverdue {
                    overdue.append(Entry(wcb: life.account, company: company, certified: life.certified, missedAnniversary: missed))
                }
            case .removed:
                if let r = life.removal, r.on <= date {
                    removed.append(Entry(wcb: life.account, company: company, registered: life.registered, missed: r.missed,
                                         deadline: r.deadline, removedOn: r.on, mayRegisterFrom: r.mayRegisterFrom))
                }
            case .withdrawn:
                break
            }
        }
        func sorted(_ e: [Entry]) -> [Entry] { e.sorted { ($0.date, $0.wcb) < ($1.date, $1.wcb) } }
        milestone1Due = sorted(m1); certificationDue = sorted(cert); annualAuditDue = sorted(audits)
        auditOverdue = sorted(overdue); self.removed = sorted(removed)
    }
}
