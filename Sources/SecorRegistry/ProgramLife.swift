import Foundation
import SecorCore

/// The registration's life over the registry: each accepted registration with staff's records and
/// what processing runs did to it (L1-L8 of the forms README). The rules are `RegistrationLife`'s;
/// this reads and writes what they need, each change in one transaction with its event.
public struct ProgramLife: RegistrationHistory {
    /// The program whose registrations have this life (Saskatchewan's); others' applications are not registrations.
    public static let program = "sk-secor"
    public let registry: Registry
    public let terms: LifecycleTerms

    public init(registry: Registry, terms: LifecycleTerms) {
        self.registry = registry
        self.terms = terms
    }

    /// Under the edition of `library` in force on `date`; nil when that edition has no lifecycle.
    public init?(registry: Registry, library: ProgramLibrary, on date: CalendarDate) {
        guard let terms = library.edition(of: Self.program, on: date)?.lifecycle else { return nil }
        self.init(registry: registry, terms: terms)
    }

    // MARK: - Reading

    /// Every accepted registration of `account` (all accounts when nil), oldest first, as it stood on `date`.
    public func lives(of account: String? = nil, on date: CalendarDate? = nil) throws -> [RegistrationLife] {
        try registry.store.read { db in try Self.lives(db, account: account, on: date, terms: terms) }
    }

    static func lives(_ db: any SQLConnection, account: String?, on date: CalendarDate?, terms: LifecycleTerms) throws -> [RegistrationLife] {
        // A registration is an application whose latest decision accepted it; registered on that decision's processing date.
        var sql = """
            SELECT a.id, a.wcb_account, d.decided_on FROM applications a
            JOIN decisions d ON d.id = (SELECT MAX(id) FROM decisions WHERE application_id = a.id)
            WHERE a.state = 'accepted' AND d.decided_on IS NOT NULL AND a.wcb_account IS NOT NULL
                AND COALESCE(a.program, d.program) = '\(Self.program)'
            """
        var arguments: SQLArguments = []
        if let account { sql += " AND a.wcb_account = ?"; arguments.append(account) }
        if let date { sql += " AND d.decided_on <= ?"; arguments.append(date.description) }
        sql += " ORDER BY d.decided_on, a.\(db.dialect.insertOrder)"
        let rows = try db.rows(sql, arguments)
        // Staff's records and what runs did, for all of them at once (two queries, not two per registration).
        var filter = ""
        var args: SQLArguments = []
        if let account { filter += " AND wcb_account = ?"; args.append(account) }
        var records: [String: [LifeRecord]] = [:], actions: [String: [LifeAction]] = [:]
        let recordFilter = filter + (date != nil ? " AND recorded_on <= ?" : ""), actionFilter = filter + (date != nil ? " AND on_date <= ?" : "")
        if let date { args.append(date.description) }
        for row in try db.rows("SELECT * FROM life_records WHERE TRUE" + recordFilter + " ORDER BY id", args) {
            if let r = Self.record(row) { records[r.registration, default: []].append(r) }
        }
        for row in try db.rows("SELECT * FROM life_actions WHERE TRUE" + actionFilter + " ORDER BY id", args) {
            if let a = Self.action(row) { actions[row["registration"] as String, default: []].append(a) }
        }
        return rows.compactMap { row -> RegistrationLife? in
            let id: String = row["id"]
            guard let registered = CalendarDate(iso: row["decided_on"]) else { return nil }
            return RegistrationLife(id: id, account: row["wcb_account"], registered: registered, terms: terms,
                                    records: records[id] ?? [], actions: actions[id] ?? [])
        }
    }

    static func record(_ row: SQLRow) -> LifeRecord? {
        guard let event = LifeEvent(rawValue: row["event"]), let on = CalendarDate(iso: row["on_date"]),
              let recorded = CalendarDate(iso: row["recorded_on"]) else { return nil }
        return LifeRecord(id: row["id"], registration: row["registration"], event: event, on: on, by: row["actor"], recorded: recorded,
                          supersedes: row["supersedes"])
    }

    static func action(_ row: SQLRow) -> LifeAction? {
        guard let on = CalendarDate(iso: row["on_date"]) else { return nil }
        switch row["kind"] as String {
        case "removed":
            guard let missed = (row["missed"] as String?).flatMap(LifeEvent.init(rawValue:)),
                  let deadline = (row["deadline"] as String?).flatMap(CalendarDate.init(iso:)),
                  let from = (row["may_register_from"] as String?).flatMap(CalendarDate.init(iso:)) else { return nil }
            return .removed(on: on, missed: missed, deadline: deadline, mayRegisterFrom: from)
        case "audit-overdue":
            guard let anniversary = (row["anniversary"] as String?).flatMap(CalendarDate.init(iso:)) else { return nil }
            return .auditOverdue(on: on, anniversary: anniversary)
        default:
            return nil
        }
    }

    /// L4: the account's latest registration, in force or removed (a withdrawal leaves no wait).
    public func standing(of account: String, on date: CalendarDate) throws -> AccountStanding {
        guard let latest = try lives(of: account).last else { return .none }
        if latest.status.inForce { return .inForce(registered: latest.registered, status: latest.status) }
        if let removal = latest.removal { return .removed(on: removal.on, mayRegisterFrom: removal.mayRegisterFrom) }
        return .none
    }

    /// Each account that has sent anything decided: its company as first written, and each
    /// application's latest decision in the order first recorded.
    public func accounts() throws -> [(account: String, company: String, decisions: [ApplicationState])] {
        try registry.accounts(of: Self.program).map { ($0.account, $0.company, $0.applications.map(\.state)) }
    }

    /// Each account's company as first written.
    public func companyNames() throws -> [String: String] {
        Dictionary(try accounts().map { ($0.account, $0.company) }, uniquingKeysWith: { first, _ in first })
    }

    /// L8: the due listing on `date`, from the registry as it stood then.
    public func due(on date: CalendarDate) throws -> DueListing {
        DueListing(on: date, lives: try lives(on: date), companies: try companyNames(), windowDays: terms.dueWindowDays)
    }

    // MARK: - Runs and records

    /// L3 and L6 on a processing date: removes the registrations past a deadline and notes the
    /// audits overdue, in one transaction; what each company is told.
    public func carryOut(on date: CalendarDate) throws -> [LifeNotice] {
        let companies = try companyNames()
        return try registry.store.write { db in
            var notices: [LifeNotice] = []
            for life in try Self.lives(db, account: nil, on: nil, terms: terms) {
                for action in life.duties(on: date) {
                    var columns: (missed: String?, deadline: String?, from: String?, anniversary: String?) = (nil, nil, nil, nil)
                    let kind: String
                    switch action {
                    case let .removed(_, missed, deadline, from):
                        kind = "removed"; columns = (missed.rawValue, deadline.description, from.description, nil)
                    case let .auditOverdue(_, anniversary):
                        kind = "audit-overdue"; columns.anniversary = anniversary.description
                    }
                    try db.execute("""
                        INSERT INTO life_actions (registration, wcb_account, kind, on_date, missed, deadline, may_register_from, anniversary)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """, [life.id, life.account, kind, date.description, columns.missed, columns.deadline, columns.from, columns.anniversary])
                    try Registry.log(db, sha256: nil, applicationID: life.id, event: kind,
                                     detail: columns.missed.map { "missed \($0), due \(columns.deadline ?? "")" } ?? "anniversary \(columns.anniversary ?? "")")
                    notices.append(LifeNotice(action, life: life, company: companies[life.account] ?? ""))
                }
            }
            return notices
        }
    }

    /// Records what the office learned (L7) for the account's registration in force, recorded
    /// on `today` by `by`: the record made, or why it is refused (nothing is written then).
    public func record(_ account: String, _ event: LifeEvent, on date: CalendarDate, by: String, today: CalendarDate) throws -> LifeRecord {
        try registry.store.write { db in
            guard let life = try Self.lives(db, account: account, on: nil, terms: terms).last else {
                throw RecordRefused("no accepted registration for WCB account \(account)")
            }
            let supersedes = try life.check(event, on: date, recordedOn: today)
            let id = try db.insert("""
                INSERT INTO life_records (registration, wcb_account, event, on_date, actor, recorded_on, recorded_at, supersedes)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [life.id, account, event.rawValue, date.description, by, today.description, Registry.now(), supersedes])
            try Registry.log(db, sha256: nil, applicationID: life.id, event: "recorded \(event.rawValue)",
                             detail: "on \(date)" + (supersedes.map { ", correcting record \($0)" } ?? ""), actor: by)
            return LifeRecord(id: id, registration: life.id, event: event, on: date, by: by, recorded: today, supersedes: supersedes)
        }
    }
}

extension Registry {
    /// Each account that has sent `program` anything decided or waiting (not superseded), in the
    /// order first recorded: its company as first written, and each application's state and form.
    /// Applications from before programs were recorded are Saskatchewan's.
    func accounts(of program: String) throws -> [(account: String, company: String, applications: [(state: ApplicationState, form: String?)])] {
        try store.read { db in
            var out: [String: (company: String, applications: [(state: ApplicationState, form: String?)])] = [:]
            var order: [String] = []
            for row in try db.rows("""
                SELECT a.id, a.wcb_account, a.state, a.form, l.summary_json FROM applications a LEFT JOIN listings l ON l.application_id = a.id
                WHERE a.wcb_account IS NOT NULL AND a.wcb_account != '' AND a.state != 'superseded'
                    AND COALESCE(a.program, ?) = ? ORDER BY a.\(db.dialect.insertOrder)
                """, [ProgramLife.program, program]) {
                let account: String = row["wcb_account"]
                guard let state = ApplicationState(rawValue: row["state"]) else { continue }
                if out[account] == nil {
                    // The company as first written: from the list summary, or (an unreadable summary) the record.
                    let listed = (row["summary_json"] as String?).flatMap { try? JSONDecoder().decode(ListedApplication.self, from: Data($0.utf8)) }
                    let company = try listed?.company ?? db.scalar(as: String.self, "SELECT record_json FROM applications WHERE id = ?",
                                                                         [row["id"] as String])
                        .flatMap { try? RecordSummary(json: $0) }?.company ?? ""
                    out[account] = (company, [])
                    order.append(account)
                }
                out[account]?.applications.append((state, row["form"]))
            }
            return order.map { ($0, out[$0]!.company, out[$0]!.applications) }
        }
    }
}
