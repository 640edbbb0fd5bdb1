import Foundation
import SecorCore

/// What the office remembers across days: every document received (by digest), every
/// application and its decisions, the trained employees, and an append-only log of what happened
/// to which document under which rule edition. In one SQLite file (one machine), or in a
/// PostgreSQL database that several workstations share (`--db postgres://...`).
///
/// A broken database is a broken run: its errors are thrown, never turned into reasons.
public final class Registry: @unchecked Sendable {
    /// Where it is: a file's path, or the database's URL without its password.
    public let path: String
    let store: any RegistryStore
    /// Who holds this registry's claims and intents: one per opening (host, process, a random part).
    public let holder: String
    /// How long a claim or an intent holds without being renewed (a watcher renews its own).
    public var leaseSeconds: Double = 30

    /// Whether `location` names a PostgreSQL database rather than a SQLite file.
    public static func isDatabaseURL(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }

    /// Whether other workstations may share this registry (PostgreSQL): claims then hold only
    /// while their holder renews them.
    public var isShared: Bool { store.dialect == .postgres }

    /// Opens the registry at `path` (a file, or a PostgreSQL URL), making a new one only where there
    /// is none. A file that is there but empty (truncated), a database of another program, or one
    /// of a newer version of this one is refused with a `RegistryError` naming it: history and
    /// rule 5 across days live in it, so it is never silently started again.
    public init(path location: String) throws {
        holder = Self.newHolder()
        if Self.isDatabaseURL(location) {
            let store = try PostgresStore(url: location)
            try store.migrate()
            self.store = store
            path = store.location
            return
        }
        path = location
        let existed = FileManager.default.fileExists(atPath: location)
        if existed, let size = (try? FileManager.default.attributesOfItem(atPath: location))?[.size] as? Int, size == 0 {
            throw RegistryError(message: "the registry \(location) is empty (0 bytes): it may have been truncated. Restore it from a backup; remove it only to start a new registry with no history")
        }
        try FileManager.default.createDirectory(atPath: (location as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let store: SQLiteStore
        do { store = try SQLiteStore(path: location) } catch {
            throw RegistryError(message: "\(location) cannot be opened as a registry: \(error)")
        }
        if existed { try Self.checkIsOurs(store, path: location) }
        try store.migrate()
        self.store = store
    }

    static func newHolder() -> String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))"
    }

    /// A registry this program made, of a version it knows.
    static func checkIsOurs(_ store: SQLiteStore, path: String) throws {
        let (applied, tables): (Set<String>, Set<String>)
        do { (applied, tables) = try store.inventory() } catch {
            throw RegistryError(message: "\(path) cannot be read as a registry: \(error)")
        }
        let known = Set(SQLiteStore.migrationIdentifiers)
        if !applied.isSubset(of: known) {
            throw RegistryError(message: "the registry \(path) was made by a newer version of secor-intake (\(applied.subtracting(known).sorted().joined(separator: ", "))); use that version")
        }
        if applied.isEmpty && !tables.subtracting(["grdb_migrations"]).isEmpty {
            throw RegistryError(message: "\(path) is not a secor-intake registry (it holds other tables: \(tables.sorted().prefix(5).joined(separator: ", ")))")
        }
    }

    /// An existing registry, opened read only (`status`): nothing is created or migrated, and a
    /// file that is not a registry is refused.
    public init(readingOnly location: String) throws {
        holder = Self.newHolder()
        if Self.isDatabaseURL(location) {
            let store = try PostgresStore(url: location)
            let (applied, tables) = try store.inventory()
            guard !applied.isEmpty, ["documents", "applications", "trained_employees"].allSatisfy(tables.contains) else {
                throw RegistryError(message: "\(store.location) is not a secor-intake registry")
            }
            self.store = store
            path = store.location
            return
        }
        path = location
        guard FileManager.default.fileExists(atPath: location) else {
            throw RegistryError(message: "no registry at \(location)")
        }
        do {
            let store = try SQLiteStore(path: location, readOnly: true)
            let tables = try store.inventory().tables
            guard ["documents", "applications", "trained_employees"].allSatisfy(tables.contains) else {
                throw RegistryError(message: "\(location) is not a secor-intake registry")
            }
            self.store = store
        } catch let error as RegistryError {
            throw error
        } catch {
            throw RegistryError(message: "\(location) cannot be read as a registry: \(error)")
        }
    }

    // MARK: - Backup and restore

    /// A copy of the whole registry into a new file: SQLite's online backup (consistent even while a
    /// watcher writes), or for PostgreSQL a `pg_dump` archive (one consistent snapshot). An
    /// existing file is never replaced.
    public func backup(to file: String) throws {
        guard !FileManager.default.fileExists(atPath: file) else {
            throw RegistryError(message: "\(file) exists; a backup is written to a new file, never over one")
        }
        do {
            if let sqlite = store as? SQLiteStore {
                try sqlite.backup(to: file)
            } else if let postgres = store as? PostgresStore {
                try PostgresTools.dump(postgres.configuration, to: file)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: file)
            throw RegistryError(message: "the registry could not be backed up to \(file): \(error)")
        }
    }

    /// Whether nothing has been received, decided or added (a registry a backup may be restored into).
    func isUnused() throws -> Bool {
        try store.read { db in
            try db.scalar(as: Int.self, "SELECT (SELECT COUNT(*) FROM documents) + (SELECT COUNT(*) FROM applications) + (SELECT COUNT(*) FROM staff)") ?? 0
        } == 0
    }

    /// The registry at `path` restored from `backup`: the backup must be a registry of a version
    /// this program knows (a SQLite file, or a `pg_dump` archive for a PostgreSQL URL); `path` must
    /// hold no registry, or an empty one (nothing received, no staff), so that no history is ever
    /// overwritten. Brought up to this version's migrations.
    public static func restore(from backup: String, to path: String) throws -> Registry {
        guard FileManager.default.fileExists(atPath: backup) else { throw RegistryError(message: "no backup at \(backup)") }
        if isDatabaseURL(path) {
            let target = try PostgresStore(url: path)
            let (applied, tables) = try target.inventory()
            if !applied.isEmpty {
                let existing = try Registry(path: path)
                guard try existing.isUnused() else {
                    throw RegistryError(message: "the registry \(target.location) already holds documents, applications or staff; restore into a new or empty registry")
                }
                // An empty registry's tables make way for the backup's.
                try target.write { db in
                    for table in tables.sorted() { try db.execute("DROP TABLE IF EXISTS \(table) CASCADE") }
                    try db.execute("DROP FUNCTION IF EXISTS secor_events_append_only() CASCADE")
                }
            } else if !tables.isEmpty {
                throw RegistryError(message: "\(target.location) is not a secor-intake registry (it holds other tables); restore into a new or empty registry")
            }
            target.close()
            do { try PostgresTools.restore(target.configuration, from: backup) } catch {
                throw RegistryError(message: "\(backup) could not be restored into \(target.location): \(error)")
            }
            return try Registry(path: path)
        }
        let source: SQLiteStore
        do { source = try SQLiteStore(path: backup, readOnly: true) } catch {
            throw RegistryError(message: "\(backup) cannot be opened as a registry backup: \(error)")
        }
        try checkIsOurs(source, path: backup)
        guard try source.inventory().tables.contains("applications") else {
            throw RegistryError(message: "\(backup) is not a secor-intake registry")
        }
        if FileManager.default.fileExists(atPath: path) {
            let existing = try Registry(path: path)
            guard try existing.isUnused() else {
                throw RegistryError(message: "the registry \(path) already holds documents, applications or staff; restore into a new or empty registry")
            }
            existing.store.close()
        }
        do { try source.backup(to: path, replacing: true) } catch {
            throw RegistryError(message: "\(backup) could not be restored into \(path): \(error)")
        }
        return try Registry(path: path)
    }

    public static func now() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date())
    }

    // MARK: - Documents

    public struct Document: Sendable, Equatable {
        public let sha256: String
        public let originalName: String
        public let kind: String
        public let receivedAt: String
        public let state: DocumentState
        public let applicationID: String?
        public let storedPath: String?
        public let inboxPath: String?
        public let duplicateOf: String?
        public let extractedJSON: String?
        /// A file in no application keeps its own record.
        public let recordJSON: String?

        init(row: SQLRow) throws {
            sha256 = row["sha256"]
            originalName = row["original_name"]
            kind = row["kind"]
            receivedAt = row["received_at"]
            state = try Registry.state(row["state"], of: "document \(sha256.prefix(12))")
            applicationID = row["application_id"]
            storedPath = row["stored_path"]
            inboxPath = row["inbox_path"]
            duplicateOf = row["duplicate_of"]
            extractedJSON = row["extracted_json"]
            recordJSON = row["record_json"]
        }
    }

    public func document(sha256: String) throws -> Document? {
        try store.read { db in
            try db.row("SELECT * FROM documents WHERE sha256 = ?", [sha256]).map { try Document(row: $0) }
        }
    }

    public func documents(in state: DocumentState) throws -> [Document] {
        try store.read { db in
            try db.rows("SELECT * FROM documents WHERE state = ? ORDER BY id", [state.rawValue]).map { try Document(row: $0) }
        }
    }

    public func allDocuments() throws -> [Document] {
        try store.read { db in try db.rows("SELECT * FROM documents ORDER BY id").map { try Document(row: $0) } }
    }

    /// Claims a file from the inbox: one row per digest. Returns false when the digest is known.
    public func claim(sha256: String, originalName: String, inboxPath: String) throws -> Bool {
        try store.write { db in
            if try db.row("SELECT 1 FROM documents WHERE sha256 = ?", [sha256]) != nil { return false }
            try db.execute("""
                INSERT INTO documents (sha256, original_name, kind, received_at, state, inbox_path)
                VALUES (?, ?, 'unknown', ?, 'claimed', ?)
                """, [sha256, originalName, Self.now(), inboxPath])
            try Self.log(db, sha256: sha256, event: "claimed", detail: "from the inbox")
            return true
        }
    }

    /// Gives up a claim that was not filed (the file changed while it was read): the row goes,
    /// the event log keeps that it was claimed and released.
    public func release(sha256: String) throws {
        try store.write { db in
            try db.execute("DELETE FROM documents WHERE sha256 = ? AND state = ? AND (claimed_by IS NULL OR claimed_by = ?)",
                           [sha256, DocumentState.claimed.rawValue, holder])
            try Self.log(db, sha256: sha256, event: "released", detail: "changed while it was read; put back for the next look")
        }
    }

    // MARK: - The one transaction that files a decision

    /// Everything one commit records.
    public struct Filing: Sendable {
        public struct DocumentUpdate: Sendable {
            public let sha256: String
            public let kind: String
            public let state: DocumentState
            public let applicationID: String?
            public let storedPath: String
            public let extractedJSON: String?
            public let duplicateOf: String?
            public let recordJSON: String?
            public init(sha256: String, kind: String, state: DocumentState, applicationID: String?, storedPath: String,
                        extractedJSON: String? = nil, duplicateOf: String? = nil, recordJSON: String? = nil) {
                self.sha256 = sha256; self.kind = kind; self.state = state; self.applicationID = applicationID
                self.storedPath = storedPath; self.extractedJSON = extractedJSON; self.duplicateOf = duplicateOf
                self.recordJSON = recordJSON
            }
        }

        public struct ApplicationUpdate: Sendable {
            public let id: String
            public let wcbAccount: String?
            public let companyKey: String?
            public let state: ApplicationState
            public let submitted: String?
            public let edition: String?
            public let recordJSON: String?
            public let decision: (decision: Decision, program: String, edition: String, reasons: [Reason])?
            public let trainee: (person: TraineeIdentity, account: String)?
            /// The processing date the decision was made on (its letters are dated by it).
            public let decidedOn: CalendarDate?
            /// Who decided: nil for the program's rules, else the staff member.
            public let actor: String?
            /// The words search finds it by (folded), when they are known.
            public var searchText: String? = nil
            /// The program that decided it and its form (`registration`, `enrolment`, ...), when known.
            public var program: String? = nil
            public var form: String? = nil
            /// What its acceptance did to the program's record of enrolments and certificates.
            public var certificateChanges: [CertificateChange] = []
            public init(id: String, wcbAccount: String?, companyKey: String?, state: ApplicationState, submitted: String?, edition: String?,
                        recordJSON: String?, decision: (decision: Decision, program: String, edition: String, reasons: [Reason])?,
                        trainee: (person: TraineeIdentity, account: String)?, decidedOn: CalendarDate? = nil, actor: String? = nil) {
                self.id = id; self.wcbAccount = wcbAccount; self.companyKey = companyKey; self.state = state
                self.submitted = submitted; self.edition = edition; self.recordJSON = recordJSON; self.decision = decision
                self.trainee = trainee; self.decidedOn = decidedOn; self.actor = actor
            }
        }

        public struct Event: Sendable {
            public let sha256: String?
            public let applicationID: String?
            public let event: String
            public let detail: String?
            public let edition: String?
            public let actor: String?
            public init(sha256: String?, applicationID: String?, event: String, detail: String?, edition: String?, actor: String? = nil) {
                self.sha256 = sha256; self.applicationID = applicationID; self.event = event; self.detail = detail; self.edition = edition
                self.actor = actor
            }
        }

        public var documents: [DocumentUpdate] = []
        public var applications: [ApplicationUpdate] = []
        /// Files to move once this is committed (from, to).
        public var moves: [(sha256: String, from: String, to: String)] = []
        public var events: [Event] = []
        /// Values staff set, by application.
        public var corrections: [(applicationID: String, correction: StaffCorrection)] = []
        public init() {}
    }

    /// Records a filing in one transaction: documents, applications, decisions and reasons,
    /// trained employees, the moves still to make, and the events.
    public func commit(_ filing: Filing) throws {
        try store.write { db in
            let now = Self.now()
            for a in filing.applications {
                try db.execute("""
                    INSERT INTO applications (id, wcb_account, company_key, state, submitted, edition, updated_at, record_json, search_text,
                                              program, form)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET wcb_account = excluded.wcb_account, company_key = excluded.company_key,
                        state = excluded.state, submitted = excluded.submitted, edition = excluded.edition,
                        updated_at = excluded.updated_at, record_json = excluded.record_json,
                        search_text = COALESCE(excluded.search_text, applications.search_text),
                        program = COALESCE(excluded.program, applications.program), form = COALESCE(excluded.form, applications.form)
                    """, [a.id, a.wcbAccount, a.companyKey, a.state.rawValue, a.submitted, a.edition, now, a.recordJSON,
                                    a.searchText, a.program ?? a.decision?.program, a.form])
                try Self.record(a.certificateChanges, of: a.id, in: db)
                try db.execute("""
                    INSERT INTO listings (application_id, search_text, summary_json) VALUES (?, ?, ?)
                    ON CONFLICT(application_id) DO UPDATE SET search_text = COALESCE(excluded.search_text, listings.search_text),
                        summary_json = excluded.summary_json
                    """, [a.id, a.searchText, a.recordJSON.flatMap(Self.summary(of:))])
                if let d = a.decision {
                    let decisionID = try db.insert("""
                        INSERT INTO decisions (application_id, decision, program, edition, decided_at, decided_on, actor)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """, [a.id, d.decision.rawValue, d.program, d.edition, now, a.decidedOn?.description, a.actor])
                    for r in d.reasons {
                        try db.execute("INSERT INTO reasons (decision_id, code, severity, field, found, message, rule) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                       [decisionID, r.code, r.severity.rawValue, r.field, r.found, r.message, r.rule])
                    }
                }
                try db.execute("DELETE FROM trained_employees WHERE application_id = ?", [a.id])
                if let t = a.trainee, a.state.holdsTrainee {
                    try db.execute("""
                        INSERT INTO trained_employees (person_key, email, wcb_account, application_id) VALUES (?, ?, ?, ?)
                        ON CONFLICT (person_key, wcb_account, application_id) DO UPDATE SET email = excluded.email
                        """, [t.person.nameKey, t.person.email, t.account, a.id])
                }
            }
            for d in filing.documents {
                let changed = try db.execute("""
                    UPDATE documents SET kind = ?, state = ?, application_id = ?, stored_path = ?,
                        extracted_json = COALESCE(?, extracted_json), duplicate_of = COALESCE(?, duplicate_of),
                        record_json = COALESCE(?, record_json)
                    WHERE sha256 = ?
                    """, [d.kind, d.state.rawValue, d.applicationID, d.storedPath, d.extractedJSON, d.duplicateOf,
                                    d.recordJSON, d.sha256])
                if changed == 0 {
                    throw RegistryError(message: "document \(d.sha256.prefix(12)) was filed without being claimed")
                }
            }
            for m in filing.moves {
                try db.execute("INSERT INTO moves (sha256, from_path, to_path) VALUES (?, ?, ?)", [m.sha256, m.from, m.to])
                // The moves are this registry's to make: its claim holds them until they are made.
                try db.execute("UPDATE documents SET claimed_by = ?, lease_until = \(Self.now(db.dialect)) + ? WHERE sha256 = ?",
                               [holder, leaseSeconds, m.sha256])
            }
            for (id, c) in filing.corrections {
                try db.execute("""
                    INSERT INTO corrections (application_id, field, value, read_value, actor, at, note) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, [id, c.field, c.value, c.read, c.by, c.at, c.note])
            }
            for e in filing.events {
                try db.execute("INSERT INTO events (at, sha256, application_id, event, detail, edition, actor) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               [now, e.sha256, e.applicationID, e.event, e.detail, e.edition, e.actor])
            }
        }
    }

    // MARK: - Moves

    public struct Move: Sendable {
        public let id: Int64
        public let sha256: String
        public let from: String
        public let to: String
    }

    /// The moves recorded and not yet made that are this registry's to make: all of them on one
    /// machine; shared, those of its own claims, and those whose holder stopped renewing them
    /// (taken over first, so that two workstations never make one move).
    public func pendingMoves() throws -> [Move] {
        let rows = try store.write { db -> [SQLRow] in
            guard isShared else { return try db.rows("SELECT * FROM moves WHERE done = 0 ORDER BY id") }
            try db.execute("""
                UPDATE documents SET claimed_by = ?, lease_until = \(Self.now(db.dialect)) + ?
                WHERE claimed_by IS NOT NULL AND claimed_by != ? AND lease_until < \(Self.now(db.dialect))
                    AND sha256 IN (SELECT sha256 FROM moves WHERE done = 0)
                """, [holder, leaseSeconds, holder])
            return try db.rows("""
                SELECT m.* FROM moves m JOIN documents d ON d.sha256 = m.sha256
                WHERE m.done = 0 AND (d.claimed_by = ? OR d.claimed_by IS NULL) ORDER BY m.id
                """, [holder])
        }
        return rows.map { Move(id: $0["id"], sha256: $0["sha256"], from: $0["from_path"], to: $0["to_path"]) }
    }

    /// A move made: recorded, and the document's claim let go once it has no move left.
    public func finishMove(_ move: Move) throws {
        try store.write { db in
            try db.execute("UPDATE moves SET done = 1 WHERE id = ?", [move.id])
            try db.execute("""
                UPDATE documents SET claimed_by = NULL, lease_until = NULL
                WHERE sha256 = ? AND NOT EXISTS (SELECT 1 FROM moves WHERE sha256 = ? AND done = 0)
                """, [move.sha256, move.sha256])
            try Self.log(db, sha256: move.sha256, event: "moved", detail: move.to)
        }
    }

    /// Whether a move of this document out of `path` is recorded and not made: the file there is
    /// being filed (by this workstation or another), not a second copy.
    public func isBeingMoved(sha256: String, from path: String) throws -> Bool {
        try store.read { db in
            try db.scalar(as: Int.self, "SELECT COUNT(*) FROM moves WHERE sha256 = ? AND from_path = ? AND done = 0", [sha256, path]) ?? 0
        } > 0
    }

    // MARK: - Applications

    public struct StoredApplication: Sendable {
        public let id: String
        public let wcbAccount: String?
        public let companyKey: String?
        public let state: ApplicationState
        public let recordJSON: String?
        public let updatedAt: String
        /// What lists show (company, account, fields in doubt), kept beside the record so a list of
        /// hundreds does not decode hundreds of records.
        public let summary: ListedApplication?

        /// What a list shows: the stored summary, or (none kept) the record's.
        public var listed: ListedApplication? {
            summary ?? recordJSON.flatMap { try? RecordSummary(json: $0) }?.listed
        }

        init(row: SQLRow) throws {
            updatedAt = row["updated_at"]
            summary = (row.hasColumn("summary_json") ? row["summary_json"] as String? : nil)
                .flatMap { try? JSONDecoder().decode(ListedApplication.self, from: Data($0.utf8)) }
            id = row["id"]
            wcbAccount = row["wcb_account"]
            companyKey = row["company_key"]
            state = try Registry.state(row["state"], of: "application \(id)")
            recordJSON = row["record_json"]
        }
    }

    public func applications(in states: [ApplicationState]) throws -> [StoredApplication] {
        try store.read { db in
            let marks = states.map { _ in "?" }.joined(separator: ",")
            return try db.rows("SELECT * FROM applications WHERE state IN (\(marks)) ORDER BY updated_at",
                                    states.map { $0.rawValue }).map(StoredApplication.init)
        }
    }

    public func application(id: String) throws -> StoredApplication? {
        try store.read { db in
            try db.row("SELECT * FROM applications WHERE id = ?", [id]).map(StoredApplication.init)
        }
    }

    public func documents(ofApplication id: String) throws -> [Document] {
        try store.read { db in
            try db.rows("SELECT * FROM documents WHERE application_id = ? ORDER BY id", [id]).map { try Document(row: $0) }
        }
    }

    // MARK: - Events and status

    public struct Event: Sendable {
        public let at: String
        public let sha256: String?
        public let applicationID: String?
        public let event: String
        public let detail: String?
        public let edition: String?
        /// Who did it: nil for the program itself.
        public let actor: String?

        init(row: SQLRow) {
            at = row["at"]; sha256 = row["sha256"]; applicationID = row["application_id"]; event = row["event"]
            detail = row["detail"]; edition = row["edition"]; actor = row["actor"]
        }
    }

    public func events(sha256: String? = nil) throws -> [Event] {
        try store.read { db in
            let rows = sha256 == nil
                ? try db.rows("SELECT * FROM events ORDER BY id")
                : try db.rows("SELECT * FROM events WHERE sha256 = ? ORDER BY id", [sha256])
            return rows.map(Event.init(row:))
        }
    }

    /// Every event of these applications and of their documents, oldest first.
    public func events(applications ids: [String]) throws -> [Event] {
        guard !ids.isEmpty else { return [] }
        return try store.read { db in
            let marks = ids.map { _ in "?" }.joined(separator: ",")
            return try db.rows("""
                SELECT * FROM events WHERE application_id IN (\(marks))
                    OR sha256 IN (SELECT sha256 FROM documents WHERE application_id IN (\(marks)))
                ORDER BY id
                """, (ids + ids).map { $0 }).map(Event.init(row:))
        }
    }

    public func log(sha256: String?, applicationID: String? = nil, event: String, detail: String?, edition: String? = nil,
                    actor: String? = nil) throws {
        try store.write { db in
            try Self.log(db, sha256: sha256, applicationID: applicationID, event: event, detail: detail, edition: edition, actor: actor)
        }
    }

    static func log(_ db: any SQLConnection, sha256: String?, applicationID: String? = nil, event: String, detail: String?, edition: String? = nil,
                    actor: String? = nil) throws {
        try db.execute("INSERT INTO events (at, sha256, application_id, event, detail, edition, actor) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [now(), sha256, applicationID, event, detail, edition, actor])
    }

    /// A failed document's file is no longer where it was filed (it changed since, and went back
    /// to the inbox as new bytes): the row keeps what was read, without the path.
    public func forgetStoredFile(sha256: String, detail: String) throws {
        try store.write { db in
            try db.execute("UPDATE documents SET stored_path = NULL WHERE sha256 = ?", [sha256])
            try Self.log(db, sha256: sha256, event: "retaken", detail: detail)
        }
    }

    // MARK: - Staff actions and what they read back

    /// The values staff set for an application: the latest for each field, in the order set.
    public func corrections(of id: String) throws -> [StaffCorrection] {
        let all = try store.read { db in
            try db.rows("SELECT * FROM corrections WHERE application_id = ? ORDER BY id", [id]).map {
                StaffCorrection(field: $0["field"], value: $0["value"], read: $0["read_value"], by: $0["actor"], at: $0["at"], note: $0["note"])
            }
        }
        var latest: [String: Int] = [:]
        for (i, c) in all.enumerated() { latest[c.field] = i }
        return all.enumerated().filter { latest[$0.element.field] == $0.offset }.map(\.element)
    }

    /// An application's latest decision: what, the processing date it was made on, and by whom.
    public struct DecisionEntry: Sendable {
        public let applicationID: String
        public let decision: Decision
        public let decidedOn: CalendarDate?
        public let actor: String?
    }

    public func latestDecision(of id: String) throws -> DecisionEntry? {
        try store.read { db in
            try db.row("SELECT * FROM decisions WHERE application_id = ? ORDER BY id DESC LIMIT 1", [id])
                .map(Self.decisionEntry)
        }
    }

    static func decisionEntry(_ row: SQLRow) throws -> DecisionEntry {
        let id: String = row["application_id"]
        let on: String? = row["decided_on"]
        return DecisionEntry(applicationID: id, decision: try state(row["decision"], of: "a decision of \(id)"),
                             decidedOn: on.flatMap(CalendarDate.init(iso:)), actor: row["actor"])
    }

    /// Applications whose latest decision was made on a processing date from `from` to `to`
    /// (inclusive), in the order decided, with that decision.
    public func decided(from: CalendarDate, to: CalendarDate) throws -> [(application: StoredApplication, decision: DecisionEntry)] {
        try store.read { db in
            try db.rows("""
                SELECT d.*, a.id AS app_id FROM decisions d JOIN applications a ON a.id = d.application_id
                WHERE d.id = (SELECT MAX(id) FROM decisions WHERE application_id = d.application_id)
                    AND d.decided_on >= ? AND d.decided_on <= ?
                ORDER BY d.id
                """, [from.description, to.description]).compactMap { row -> (StoredApplication, DecisionEntry)? in
                let id: String = row["app_id"]
                guard let app = try db.row("SELECT * FROM applications WHERE id = ?", [id]) else { return nil }
                return (try StoredApplication(row: app), try Self.decisionEntry(row))
            }
        }
    }

    /// Applications whose searchable words hold every word of `words` (folded as they were
    /// stored), most recently changed first; and those recorded before search was kept, to look at one by one.
    public func search(_ words: [String], limit: Int) throws -> (found: [StoredApplication], unindexed: [StoredApplication]) {
        try store.read { db in
            var clauses: [String] = []
            var arguments: SQLArguments = []
            for w in words {
                clauses.append("l.search_text LIKE ? ESCAPE '\\'")
                arguments.append("%" + w.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                    .replacingOccurrences(of: "_", with: "\\_") + "%")
            }
            // The matching ids first (small rows), then those applications whole.
            let found = try db.rows("""
                SELECT a.id, a.wcb_account, a.company_key, a.state, a.updated_at, l.summary_json,
                    CASE WHEN l.summary_json IS NULL THEN a.record_json END AS record_json FROM (
                    SELECT l.application_id AS id, a.updated_at AS at FROM listings l JOIN applications a ON a.id = l.application_id
                    WHERE \(clauses.isEmpty ? "TRUE" : clauses.joined(separator: " AND ")) ORDER BY a.updated_at DESC LIMIT \(max(1, limit))
                ) m JOIN applications a ON a.id = m.id LEFT JOIN listings l ON l.application_id = m.id ORDER BY m.at DESC
                """, arguments).map(StoredApplication.init)
            let unindexed = try db.rows("""
                SELECT a.* FROM listings l JOIN applications a ON a.id = l.application_id WHERE l.search_text IS NULL
                """).map(StoredApplication.init)
            return (found, unindexed)
        }
    }

    /// Applications in a state by when their first document came in, oldest first, at most
    /// `limit`, with that time; and how many there are. One query, for the review queue.
    public func oldestFirst(in state: ApplicationState, limit: Int) throws -> (applications: [(StoredApplication, received: String)], count: Int) {
        try store.read { db in
            let count = try db.scalar(as: Int.self, "SELECT COUNT(*) FROM applications WHERE state = ?", [state.rawValue]) ?? 0
            // Ordered by ids and times alone, then the chosen applications read whole.
            let rows = try db.rows("""
                SELECT a.id, a.wcb_account, a.company_key, a.state, a.updated_at, l.summary_json, q.received,
                    CASE WHEN l.summary_json IS NULL THEN a.record_json END AS record_json FROM (
                    SELECT a.id AS id, (SELECT MIN(received_at) FROM documents d WHERE d.application_id = a.id) AS received
                    FROM applications a WHERE a.state = ? ORDER BY received, a.id LIMIT \(max(1, limit))
                ) q JOIN applications a ON a.id = q.id LEFT JOIN listings l ON l.application_id = q.id ORDER BY q.received, q.id
                """, [state.rawValue])
            return (try rows.map { (try StoredApplication(row: $0), ($0["received"] as String?) ?? "") }, count)
        }
    }

    /// Applications in a state, oldest change first, at most `limit`; and how many there are.
    public func applications(in state: ApplicationState, limit: Int) throws -> (applications: [StoredApplication], count: Int) {
        try store.read { db in
            let count = try db.scalar(as: Int.self, "SELECT COUNT(*) FROM applications WHERE state = ?", [state.rawValue]) ?? 0
            let rows = try db.rows("SELECT * FROM applications WHERE state = ? ORDER BY updated_at LIMIT \(max(1, limit))",
                                        [state.rawValue]).map(StoredApplication.init)
            return (rows, count)
        }
    }

    /// A record's list summary, as stored: nil for a record that cannot be read.
    static func summary(of recordJSON: String) -> String? {
        guard let listed = try? RecordSummary(json: recordJSON).listed else { return nil }
        return (try? JSONEncoder().encode(listed)).map { String(decoding: $0, as: UTF8.self) }
    }

    // MARK: - Staff accounts

    public enum StaffRole: String, Sendable, Codable, CaseIterable {
        case clerk, supervisor
    }

    public struct StaffAccount: Sendable {
        public let name: String
        public let role: StaffRole
        public let passwordHash: String
    }

    /// Adds a staff account, or replaces its role and password hash (a password reset).
    public func saveStaff(name: String, role: StaffRole, passwordHash: String, by actor: String?) throws {
        try store.write { db in
            try db.execute("""
                INSERT INTO staff (name, role, password_hash, added_at, added_by) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash
                """, [name, role.rawValue, passwordHash, Self.now(), actor])
            try Self.log(db, sha256: nil, event: "staff saved", detail: "\(name) (\(role.rawValue))", actor: actor)
        }
    }

    public func staff(named name: String) throws -> StaffAccount? {
        try store.read { db in
            try db.row("SELECT * FROM staff WHERE name = ?", [name]).map {
                StaffAccount(name: $0["name"], role: try Self.state($0["role"], of: "staff \(name)"), passwordHash: $0["password_hash"])
            }
        }
    }

    /// Every staff account by name, with when and by whom it was added (no password hashes).
    public func staffAccounts() throws -> [(name: String, role: StaffRole, addedAt: String, addedBy: String?)] {
        try store.read { db in
            try db.rows("SELECT name, role, added_at, added_by FROM staff ORDER BY name").map {
                let name: String = $0["name"]
                return (name, try Self.state($0["role"], of: "staff \(name)"), $0["added_at"], $0["added_by"])
            }
        }
    }

    public func staffCount() throws -> Int {
        try store.read { db in try db.scalar(as: Int.self, "SELECT COUNT(*) FROM staff") ?? 0 }
    }

    /// Every application, in the order first recorded.
    public func allApplications() throws -> [StoredApplication] {
        try store.read { db in try db.rows("SELECT * FROM applications ORDER BY \(db.dialect.insertOrder)").map(StoredApplication.init) }
    }

    /// Applications for a WCB account, in the order first recorded.
    public func applications(account: String) throws -> [StoredApplication] {
        try store.read { db in
            try db.rows("SELECT * FROM applications WHERE wcb_account = ? ORDER BY \(db.dialect.insertOrder)", [account])
                .map(StoredApplication.init)
        }
    }

    public func documentCounts() throws -> [DocumentState: Int] { try counts(in: "documents") }

    public func applicationCounts() throws -> [ApplicationState: Int] { try counts(in: "applications") }

    /// A state as the registry holds it; one this program does not know is an error naming where.
    static func state<State: RawRepresentable>(_ value: String, of what: String) throws -> State where State.RawValue == String {
        guard let state = State(rawValue: value) else {
            throw RegistryError(message: "\(what) has an unknown state “\(value)” in the registry")
        }
        return state
    }

    /// Rows per state of one of our own tables (the name is ours, never input).
    private func counts<State: RawRepresentable & Hashable>(in table: String) throws -> [State: Int] where State.RawValue == String {
        try store.read { db in
            var counts: [State: Int] = [:]
            for row in try db.rows("SELECT state, COUNT(*) AS n FROM \(table) GROUP BY state") {
                counts[try Self.state(row["state"], of: "the \(table) table")] = row["n"]
            }
            return counts
        }
    }
}

/// The registry as rule 5 sees it: a trainee already named by an accepted or pending
/// application for another WCB account.
extension Registry: TraineeRegister {
    /// The states whose trained employee counts, as an SQL list of our own constants.
    static let traineeHoldingStates = ApplicationState.allCases.filter(\.holdsTrainee).map { "'\($0.rawValue)'" }.joined(separator: ", ")

    /// A database that cannot answer is a broken run (thrown), never "nobody claims this person".
    public func account(claiming person: TraineeIdentity, otherThan account: String?) throws -> String? {
        let rows = try store.read { db in
            try db.rows("""
                SELECT t.email, t.wcb_account FROM trained_employees t JOIN applications a ON a.id = t.application_id
                WHERE t.person_key = ? AND a.state IN (\(Self.traineeHoldingStates))
                """, [person.nameKey])
        }
        for row in rows {
            let email: String? = row["email"]
            let wcb: String = row["wcb_account"]
            guard wcb != account else { continue }
            if let a = email, let b = person.email, a != b { continue }
            return wcb
        }
        return nil
    }

    public func mayClaim(alike nameKey: String, otherThan account: String?) throws -> Bool {
        let keys = try store.read { db in
            try db.column(as: String.self, """
                SELECT DISTINCT t.person_key FROM trained_employees t JOIN applications a ON a.id = t.application_id
                WHERE a.state IN (\(Self.traineeHoldingStates)) AND t.wcb_account IS DISTINCT FROM ?
                """, [account])
        }
        return keys.contains { namesAlike($0, nameKey) }
    }
}

public struct RegistryError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
