import Foundation
import SecorCore

/// Alberta's program over the registry: enrolments on record, certificates and what happened to
/// them (rules 14-17). The rules are `Certificate`'s; this reads and writes what they need, each
/// change in the transaction of the decision or the run that made it, with its event.
public final class ProgramCertificates: CertificateRegister {
    public let registry: Registry
    public let program: String
    public let terms: CertificateTerms

    public init(registry: Registry, program: String, terms: CertificateTerms) {
        self.registry = registry
        self.program = program
        self.terms = terms
    }

    /// Each program of `library` that certifies by audit, under its edition in force on `date`.
    public static func all(registry: Registry, library: ProgramLibrary, on date: CalendarDate) -> [ProgramCertificates] {
        Set(library.editions.map(\.program)).sorted().compactMap { program in
            library.edition(of: program, on: date)?.certificates.map { ProgramCertificates(registry: registry, program: program, terms: $0) }
        }
    }

    // MARK: - CertificateRegister

    public func isEnrolled(_ account: String) throws -> Bool {
        try registry.store.read { db in
            try db.scalar(as: Bool.self, """
                SELECT EXISTS (SELECT 1 FROM applications WHERE program = ? AND form = 'enrolment' AND state = 'accepted' AND wcb_account = ?)
                """, [program, account]) ?? false
        }
    }

    public func certificates(of account: String) throws -> [Certificate] {
        try registry.store.read { db in try Self.certificates(db, account: account, number: nil) }
    }

    public func certificate(_ number: String) throws -> Certificate? {
        try registry.store.read { db in try Self.certificates(db, account: nil, number: Certificate.key(number)).first }
    }

    /// Every certificate (of `account`, or numbered `number`), in issue order, with its events.
    static func certificates(_ db: any SQLConnection, account: String?, number: String?) throws -> [Certificate] {
        var sql = "SELECT * FROM certificates WHERE TRUE"
        var arguments: SQLArguments = []
        if let account { sql += " AND wcb_account = ?"; arguments.append(account) }
        if let number { sql += " AND number = ?"; arguments.append(number) }
        sql += " ORDER BY issued, \(db.dialect.insertOrder)"
        var list: [Certificate] = []
        var index: [String: Int] = [:]
        for row in try db.rows(sql, arguments) {
            // Its dates as issued (a later edition's terms do not move them).
            let anniversaries = (row["anniversaries"] as String).split(separator: ",").compactMap { CalendarDate(iso: String($0)) }
            guard let issued = CalendarDate(iso: row["issued"]), let expires = CalendarDate(iso: row["expires"]) else { continue }
            index[row["number"]] = list.count
            list.append(Certificate(number: row["number"], account: row["wcb_account"], issued: issued, anniversaries: anniversaries,
                                    expires: expires, replaces: row["replaces"]))
        }
        guard !list.isEmpty else { return [] }
        let numbers = list.map(\.number)
        let marks = questionMarks(numbers.count)
        for row in try db.rows("SELECT * FROM certificate_events WHERE certificate IN (\(marks)) ORDER BY id",
                                    numbers) {
            guard let i = index[row["certificate"]], let on = CalendarDate(iso: row["on_date"]) else { continue }
            switch row["kind"] as String {
            case "maintenance": if let year = row["year"] as Int? { list[i].maintenance[year] = on }
            case "cancelled":
                list[i].cancelledOn = on
                list[i].missedAnniversary = (row["missed"] as String?).flatMap(CalendarDate.init(iso:))
            case "replaced":
                list[i].replacedOn = on
                list[i].replacedBy = row["replaced_by"]
            default: break
            }
        }
        return list
    }

    // MARK: - Runs

    /// Rule 15 on a processing date: each valid certificate past an anniversary with no accepted
    /// maintenance audit for it is cancelled, in one transaction; what each company is told.
    public func carryOut(on date: CalendarDate) throws -> [LifeNotice] {
        let companies = try companyNames()
        return try registry.store.write { db in
            var notices: [LifeNotice] = []
            for c in try Self.certificates(db, account: nil, number: nil) {
                guard let (anniversary, audit) = c.missed(on: date) else { continue }
                try db.execute("INSERT INTO certificate_events (certificate, kind, on_date, missed) VALUES (?, 'cancelled', ?, ?)",
                               [c.number, date.description, anniversary.description])
                try Registry.log(db, sha256: nil, applicationID: nil, event: "certificate cancelled",
                                 detail: "\(c.number): no \(audit.rawValue) by the anniversary of \(anniversary)")
                notices.append(LifeNotice(cancelled: c, missed: anniversary, audit: audit, on: date, company: companies[c.account] ?? ""))
            }
            // Ordered as the due listing orders them: by date, then certificate number.
            return notices.sorted { ($0.missedAnniversary ?? date, $0.certificate ?? "") < ($1.missedAnniversary ?? date, $1.certificate ?? "") }
        }
    }

    // MARK: - Views

    /// Each account that has sent this program anything: its company as first written.
    public func companyNames() throws -> [String: String] {
        Dictionary(try accounts().map { ($0.account, $0.company) }, uniquingKeysWith: { first, _ in first })
    }

    /// Each account with its company as first written and its enrolments' latest decisions, in the order first recorded.
    func accounts() throws -> [(account: String, company: String, enrolments: [ApplicationState])] {
        try registry.accounts(of: program).map { a in
            (a.account, a.company, a.applications.filter { $0.form == DocumentKind.enrolment.rawValue }.map(\.state))
        }
    }

    /// Each account's state on `date`, keyed by account.
    public func companies(on date: CalendarDate) throws -> [String: CertifiedCompanyView] {
        let all = try registry.store.read { db in try Self.certificates(db, account: nil, number: nil) }
        var result: [String: CertifiedCompanyView] = [:]
        for a in try accounts() {
            let enrolment: ApplicationState? = a.enrolments.contains(.accepted) ? .accepted : a.enrolments.last
            result[a.account] = CertifiedCompanyView(company: a.company, enrolment: enrolment,
                                                     certificates: all.filter { $0.account == a.account }, on: date)
        }
        return result
    }

    /// Rule 17: the due listing on `date`.
    public func due(on date: CalendarDate) throws -> CertificateDueListing {
        let all = try registry.store.read { db in try Self.certificates(db, account: nil, number: nil) }
        return CertificateDueListing(on: date, certificates: all, companies: try companyNames(), windowDays: terms.dueWindowDays)
    }

    /// Whether this registry holds anything of the program.
    public func isUsed() throws -> Bool {
        try registry.store.read { db in
            try db.scalar(as: Bool.self, "SELECT EXISTS (SELECT 1 FROM applications WHERE program = ?)", [program]) ?? false
        }
    }
}

extension Registry {
    /// What an accepted document did to the program's record, in the transaction that files it.
    static func record(_ changes: [CertificateChange], of applicationID: String, in db: any SQLConnection) throws {
        for change in changes {
            switch change {
            case .enrolled:
                continue // the accepted enrolment itself is the record
            case let .issued(c):
                try db.execute("""
                    INSERT INTO certificates (number, wcb_account, issued, anniversaries, expires, replaces, application_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, [c.number, c.account, c.issued.description, c.anniversaries.map(\.description).joined(separator: ","),
                                    c.expires.description, c.replaces, applicationID])
                try log(db, sha256: nil, applicationID: applicationID, event: "certificate issued",
                        detail: "\(c.number), issued \(c.issued), expires \(c.expires)" + (c.replaces.map { ", replacing \($0)" } ?? ""))
            case let .maintenance(number, year, on):
                try db.execute("INSERT INTO certificate_events (certificate, kind, on_date, year, application_id) VALUES (?, 'maintenance', ?, ?, ?)",
                               [number, on.description, year, applicationID])
                try log(db, sha256: nil, applicationID: applicationID, event: "maintenance audit", detail: "\(number), year \(year), received \(on)")
            case let .replaced(number, by, on):
                try db.execute("INSERT INTO certificate_events (certificate, kind, on_date, replaced_by, application_id) VALUES (?, 'replaced', ?, ?, ?)",
                               [number, on.description, by, applicationID])
                try log(db, sha256: nil, applicationID: applicationID, event: "certificate replaced", detail: "\(number) by \(by) on \(on)")
            }
        }
    }
}
