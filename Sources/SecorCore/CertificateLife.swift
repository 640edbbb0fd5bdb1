import Foundation

// The certificate's life (Alberta README, rules 14-17): issued when a certification or
// recertification audit is accepted, kept by a maintenance audit before each anniversary,
// cancelled at the first run after an anniversary missed, expired after three years, replaced by
// recertification. Pure values and rules; the registry stores certificates and what runs did.

/// The terms of a program's certificates, from its edition file (`certificates:`).
public struct CertificateTerms: Sendable, Codable, Hashable {
    /// The certificate is valid this many months from its issue date (through that day).
    public let validMonths: Int
    /// The anniversaries by which a maintenance audit is due, in months from the issue date, in
    /// order: the first is year 2's, the second year 3's.
    public let anniversaryMonths: [Int]
    public let dueWindowDays: Int
    /// `notice-cancelled(-title)` ({company}, {certificate}, {missed_anniversary}, {maintenance_audit},
    /// {cancelled_on}) and `notice-issued(-title)` ({company}, {certificate}, {issued}, {anniversaries}, {expires}).
    public let messages: [String: String]

    enum CodingKeys: String, CodingKey {
        case messages
        case validMonths = "valid_months"
        case anniversaryMonths = "anniversary_months"
        case dueWindowDays = "due_window_days"
    }
}

/// The kind of audit an audit submission is, by the form's choice.
public enum AuditType: String, Sendable, Codable, CaseIterable {
    case certification = "Certification audit (year 1)"
    case maintenanceYear2 = "Maintenance audit (year 2)"
    case maintenanceYear3 = "Maintenance audit (year 3)"
    case recertification = "Recertification audit (year 4)"

    /// Issues a certificate when accepted.
    public var issues: Bool { self == .certification || self == .recertification }
    /// The maintenance year (2 or 3); nil for the others.
    public var maintenanceYear: Int? {
        switch self { case .maintenanceYear2: 2; case .maintenanceYear3: 3; default: nil }
    }
    /// The maintenance audit due by the certificate's `n`-th anniversary (from 1).
    public static func maintenance(dueBy anniversary: Int) -> AuditType? {
        anniversary == 1 ? .maintenanceYear2 : anniversary == 2 ? .maintenanceYear3 : nil
    }
}

public enum CertificateStatus: String, Sendable, Codable {
    case valid, cancelled, expired, replaced
}

/// One certificate as the registry holds it, with what happened to it.
public struct Certificate: Sendable, Hashable {
    /// `AB1234567-01`.
    public let number: String
    public let account: String
    public let issued: CalendarDate
    public let anniversaries: [CalendarDate]
    public let expires: CalendarDate
    /// The certificate a recertification replaced.
    public let replaces: String?
    /// The day an accepted maintenance audit for each year (2, 3) was received.
    public var maintenance: [Int: CalendarDate] = [:]
    public var cancelledOn: CalendarDate? = nil
    public var missedAnniversary: CalendarDate? = nil
    public var replacedOn: CalendarDate? = nil
    public var replacedBy: String? = nil

    /// A certificate issued on `issued` under `terms`: its anniversaries and expiry follow from them.
    public init(number: String, account: String, issued: CalendarDate, replaces: String?, terms: CertificateTerms) {
        self.init(number: number, account: account, issued: issued, anniversaries: terms.anniversaryMonths.map { issued.adding(months: $0) },
                  expires: issued.adding(months: terms.validMonths), replaces: replaces)
    }

    /// A certificate as issued and kept: its dates stay what they were when it was issued, whatever
    /// a later edition's terms say.
    public init(number: String, account: String, issued: CalendarDate, anniversaries: [CalendarDate], expires: CalendarDate, replaces: String?) {
        self.number = number
        self.account = account
        self.issued = issued
        self.anniversaries = anniversaries
        self.expires = expires
        self.replaces = replaces
    }

    /// The number the `count`-th certificate of `account` gets (rule 14): `AB`, the account, `-01`.
    public static func number(account: String, count: Int) -> String {
        "AB\(account)-" + (count < 10 ? "0\(count)" : "\(count)")
    }

    /// Certificate numbers compare without regard to case or spaces.
    public static func key(_ number: String) -> String { number.uppercased().filter { !$0.isWhitespace } }

    public func status(on date: CalendarDate) -> CertificateStatus {
        if let r = replacedOn, r <= date { return .replaced }
        if let c = cancelledOn, c <= date { return .cancelled }
        if date > expires { return .expired }
        return .valid
    }

    /// When an audit of `type` may arrive for this certificate: after the day before the window
    /// opens, on or before the day it closes (rule 11). Nil for a certification audit.
    public func window(for type: AuditType) -> (after: CalendarDate, through: CalendarDate)? {
        switch type {
        case .certification: return nil
        case .maintenanceYear2: return anniversaries.count >= 1 ? (issued, anniversaries[0]) : nil
        case .maintenanceYear3: return anniversaries.count >= 2 ? (anniversaries[0], anniversaries[1]) : nil
        case .recertification: return (anniversaries.last ?? issued, expires)
        }
    }

    /// Rule 15 on a processing date: the first anniversary passed (the day after it or later)
    /// with no accepted maintenance audit for it, if the certificate is still valid then.
    public func missed(on date: CalendarDate) -> (anniversary: CalendarDate, audit: AuditType)? {
        guard status(on: date) == .valid else { return nil }
        for (i, anniversary) in anniversaries.enumerated() where date > anniversary {
            guard let audit = AuditType.maintenance(dueBy: i + 1), let year = audit.maintenanceYear else { continue }
            if maintenance[year] == nil { return (anniversary, audit) }
        }
        return nil
    }
}

/// What the registry knows of a program's enrolments and certificates, as the audit rules ask it.
/// Throws when it cannot answer (a broken database): never a silent "none".
public protocol CertificateRegister: AnyObject {
    /// Whether the account has an accepted enrolment on record.
    func isEnrolled(_ account: String) throws -> Bool
    /// The account's certificates, in issue order.
    func certificates(of account: String) throws -> [Certificate]
    /// The certificate with this number (compared by `Certificate.key`), whoever holds it.
    func certificate(_ number: String) throws -> Certificate?
    /// Whether the office's whole record stands behind the answers (a registry), not only one batch's documents.
    var keepsRecord: Bool { get }
}

extension CertificateRegister {
    public var keepsRecord: Bool { true }
}

/// What an accepted document does to the program's record (rule 14): recorded with its decision.
public enum CertificateChange: Sendable, Hashable {
    case enrolled(account: String)
    case issued(Certificate)
    case maintenance(certificate: String, year: Int, on: CalendarDate)
    case replaced(certificate: String, by: String, on: CalendarDate)
}

/// The registry's certificates with this batch's changes on top: enrolments first, then audits,
/// each sees what the ones before it did.
public final class BatchCertificates: CertificateRegister {
    private let earlier: (any CertificateRegister)?
    private var enrolled = Set<String>()
    private var changed: [String: Certificate] = [:] // by key, this batch's versions
    private var issuedTo: [String: [String]] = [:]   // account -> keys issued in this batch

    public init(earlier: (any CertificateRegister)?) {
        self.earlier = earlier
    }

    /// Whether a registry stands behind the batch (without one, only the batch's own documents are known).
    public var keepsRecord: Bool { earlier?.keepsRecord ?? false }

    public func isEnrolled(_ account: String) throws -> Bool {
        if enrolled.contains(account) { return true }
        return try earlier?.isEnrolled(account) ?? false
    }

    public func certificates(of account: String) throws -> [Certificate] {
        var list = try earlier?.certificates(of: account) ?? []
        list = list.map { changed[Certificate.key($0.number)] ?? $0 }
        list += (issuedTo[account] ?? []).compactMap { changed[$0] }
        return list
    }

    public func certificate(_ number: String) throws -> Certificate? {
        let key = Certificate.key(number)
        if let c = changed[key] { return c }
        return try earlier?.certificate(key)
    }

    /// What an accepted document of `type` (nil: an enrolment) for `account` does on `date`.
    public func accept(account: String, audit type: AuditType?, naming number: String?, on date: CalendarDate,
                       terms: CertificateTerms) throws -> [CertificateChange] {
        guard let type else {
            enrolled.insert(account)
            return [.enrolled(account: account)]
        }
        if let year = type.maintenanceYear {
            guard let number, var c = try certificate(number) else { return [] }
            c.maintenance[year] = date
            changed[Certificate.key(c.number)] = c
            return [.maintenance(certificate: c.number, year: year, on: date)]
        }
        let count = try certificates(of: account).count + 1
        let replaces = type == .recertification ? try number.flatMap(certificate) : nil
        let new = Certificate(number: Certificate.number(account: account, count: count), account: account, issued: date,
                              replaces: replaces?.number, terms: terms)
        changed[Certificate.key(new.number)] = new
        issuedTo[account, default: []].append(Certificate.key(new.number))
        var changes: [CertificateChange] = [.issued(new)]
        if var old = replaces {
            old.replacedOn = date
            old.replacedBy = new.number
            changed[Certificate.key(old.number)] = old
            changes.append(.replaced(certificate: old.number, by: new.number, on: date))
        }
        return changes
    }
}

/// A certificate issued in a run, as `process` prints it.
public struct IssuedCertificate: Sendable, Codable, Hashable {
    public let certificate: String
    public let wcb: String
    public let issued: CalendarDate
    public let anniversaries: [CalendarDate]
    public let expires: CalendarDate
    public let replaces: String?
    /// The application (audit) that earned it; the letter's reference, not printed in the JSON.
    public let application: String

    public init(_ c: Certificate, application: String) {
        certificate = c.number; wcb = c.account; issued = c.issued; anniversaries = c.anniversaries; expires = c.expires
        replaces = c.replaces; self.application = application
    }

    enum CodingKeys: String, CodingKey {
        case certificate, wcb, issued, anniversaries, expires, replaces, application
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(certificate, forKey: .certificate)
        try c.encode(wcb, forKey: .wcb)
        try c.encode(issued, forKey: .issued)
        try c.encode(anniversaries, forKey: .anniversaries)
        try c.encode(expires, forKey: .expires)
        try c.encodeIfPresent(replaces, forKey: .replaces)
    }
}

extension LifeNotice {
    /// Rule 15: a certificate cancelled on `on` for the anniversary missed.
    public init(cancelled c: Certificate, missed: CalendarDate, audit: AuditType, on: CalendarDate, company: String) {
        self.init(kind: "cancelled", registration: c.number, wcb: c.account, company: company)
        certificate = c.number
        missedAnniversary = missed
        maintenanceAudit = audit.rawValue
        cancelledOn = on
    }
}

/// An account's place in the certificate program on a date, as `companies` prints it.
public struct CertifiedCompanyView: Sendable, Encodable {
    public struct CertificateView: Sendable, Encodable {
        public let number: String
        public let status: CertificateStatus
        public let issued: CalendarDate
        public let anniversaries: [CalendarDate]
        public let expires: CalendarDate
        public let maintenance: [String: CalendarDate?]
        public let cancelledOn: CalendarDate?
        public let missedAnniversary: CalendarDate?
        public let replacedOn: CalendarDate?
        public let replacedBy: String?

        public init(_ c: Certificate, on date: CalendarDate) {
            number = c.number; status = c.status(on: date); issued = c.issued; anniversaries = c.anniversaries; expires = c.expires
            maintenance = ["year_2": c.maintenance[2].flatMap { $0 <= date ? $0 : nil }, "year_3": c.maintenance[3].flatMap { $0 <= date ? $0 : nil }]
            cancelledOn = c.cancelledOn.flatMap { $0 <= date ? $0 : nil }
            missedAnniversary = cancelledOn == nil ? nil : c.missedAnniversary
            replacedOn = c.replacedOn.flatMap { $0 <= date ? $0 : nil }
            replacedBy = replacedOn == nil ? nil : c.replacedBy
        }

        enum CodingKeys: String, CodingKey {
            case number, status, issued, anniversaries, expires, maintenance
            case cancelledOn = "cancelled_on", missedAnniversary = "missed_anniversary"
            case replacedOn = "replaced_on", replacedBy = "replaced_by"
        }

        // Absent values are printed as null: the listing's shape does not change with the data.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(number, forKey: .number)
            try c.encode(status, forKey: .status)
            try c.encode(issued, forKey: .issued)
            try c.encode(anniversaries, forKey: .anniversaries)
            try c.encode(expires, forKey: .expires)
            try c.encode(maintenance, forKey: .maintenance)
            try c.encode(cancelledOn, forKey: .cancelledOn)
            try c.encode(missedAnniversary, forKey: .missedAnniversary)
            try c.encode(replacedOn, forKey: .replacedOn)
            try c.encode(replacedBy, forKey: .replacedBy)
        }
    }

    public let company: String
    /// `accepted` if any enrolment was accepted, else the latest enrolment's decision; nil if none came.
    public let enrolment: ApplicationState?
    public let certificates: [CertificateView]

    public init(company: String, enrolment: ApplicationState?, certificates: [Certificate], on date: CalendarDate) {
        self.company = company
        self.enrolment = enrolment
        self.certificates = certificates.filter { $0.issued <= date }.map { CertificateView($0, on: date) }
    }

    enum CodingKeys: String, CodingKey { case company, enrolment, certificates }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(company, forKey: .company)
        try c.encode(enrolment, forKey: .enrolment)
        try c.encode(certificates, forKey: .certificates)
    }
}

/// Rule 17: the due listing on a date.
public struct CertificateDueListing: Sendable, Encodable {
    public struct Due: Sendable, Encodable, Hashable {
        public let certificate: String
        public let wcb: String
        public let company: String
        public let auditType: String
        public let due: CalendarDate
        enum CodingKeys: String, CodingKey { case certificate, wcb, company, due; case auditType = "audit_type" }
    }
    public struct Cancelled: Sendable, Encodable, Hashable {
        public let certificate: String
        public let wcb: String
        public let company: String
        public let missedAnniversary: CalendarDate?
        public let cancelledOn: CalendarDate
        enum CodingKeys: String, CodingKey {
            case certificate, wcb, company
            case missedAnniversary = "missed_anniversary", cancelledOn = "cancelled_on"
        }
    }

    public let windowDays: Int
    public let until: CalendarDate
    public let maintenanceDue: [Due]
    public let recertificationDue: [Due]
    public let cancelled: [Cancelled]

    enum CodingKeys: String, CodingKey {
        case until, cancelled
        case windowDays = "window_days", maintenanceDue = "maintenance_due", recertificationDue = "recertification_due"
    }

    public init(on date: CalendarDate, certificates: [Certificate], companies: [String: String], windowDays: Int) {
        self.windowDays = windowDays
        until = date.adding(days: windowDays)
        var maintenance: [Due] = [], recertification: [Due] = [], cancelled: [Cancelled] = []
        for c in certificates where c.issued <= date {
            let company = companies[c.account] ?? ""
            switch c.status(on: date) {
            case .valid:
                for (i, anniversary) in c.anniversaries.enumerated() where anniversary >= date && anniversary <= until {
                    guard let audit = AuditType.maintenance(dueBy: i + 1), let year = audit.maintenanceYear,
                          c.maintenance[year].map({ $0 > date }) ?? true else { continue }
                    maintenance.append(Due(certificate: c.number, wcb: c.account, company: company, auditType: audit.rawValue, due: anniversary))
                }
                if c.expires >= date && c.expires <= until {
                    recertification.append(Due(certificate: c.number, wcb: c.account, company: company,
                                               auditType: AuditType.recertification.rawValue, due: c.expires))
                }
            case .cancelled:
                if let on = c.cancelledOn {
                    cancelled.append(Cancelled(certificate: c.number, wcb: c.account, company: company, missedAnniversary: c.missedAnniversary, cancelledOn: on))
                }
            case .expired, .replaced:
                break
            }
        }
        maintenanceDue = maintenance.sorted { ($0.due, $0.certificate) < ($1.due, $1.certificate) }
        recertificationDue = recertification.sorted { ($0.due, $0.certificate) < ($1.due, $1.certificate) }
        self.cancelled = cancelled.sorted { ($0.cancelledOn, $0.certificate) < ($1.cancelledOn, $1.certificate) }
    }
}
