import Foundation
import GRDB
import SecorCore

/// What the office remembers across days, in one SQLite file: every document received
/// (by digest), every application and its decisions, the trained employees, and an
/// append-only log of what happened to which document under which rule edition.
///
/// A broken database is a broken run: its errors are thrown, never turned into reasons.
public final class Registry: @unchecked Sendable {
    public let path: String
    let db: DatabaseQueue

    /// Opens the registry at `path`, making a new one only where no file exists. A file that is
    /// there but empty (truncated), of another program, or of a newer version of this one is
    /// refused with a `RegistryError` naming it: history and rule 5 across days live in it, so it
    /// is never silently started again.
    public init(path: String) throws {
        self.path = path
        let existed = FileManager.default.fileExists(atPath: path)
        if existed, let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size == 0 {
            throw RegistryError(message: "the registry \(path) is empty (0 bytes): it may have been truncated. Restore it from a backup; remove it only to start a new registry with no history")
        }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        do {
            db = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw RegistryError(message: "\(path) cannot be opened as a registry: \(error)")
        }
        if existed { try Self.checkIsOurs(db, path: path) }
        try Self.migrator.migrate(db)
    }

    /// A registry this program made, of a version it knows.
    static func checkIsOurs(_ db: DatabaseQueue, path: String) throws {
        let (applied, tables): (Set<String>, Set<String>)
        do {
            (applied, tables) = try db.read { db in
                (try Self.migrator.appliedIdentifiers(db),
                 Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")))
            }
        } catch {
            throw RegistryError(message: "\(path) cannot be read as a registry: \(error)")
        }
        let known = Set(Self.migrator.migrations)
        if !applied.isSubset(of: known) {
            throw RegistryError(message: "the registry \(path) was made by a newer version of secor-intake (\(applied.subtracting(known).sorted().joined(separator: ", "))); use that version")
        }
        if applied.isEmpty && !tables.subtracting(["grdb_migrations"]).isEmpty {
            throw RegistryError(message: "\(path) is not a secor-intake registry (it holds other tables: \(tables.sorted().prefix(5).joined(separator: ", ")))")
        }
    }

    /// An existing registry, opened read only (`process --db`): nothing is created or migrated,
    /// and a file that is not a registry is refused.
    public init(readingOnly path: String) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else {
            throw RegistryError(message: "no registry at \(path)")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        do {
            db = try DatabaseQueue(path: path, configuration: configuration)
            let complete = try db.read { db in
                try ["documents", "applications", "trained_employees"].allSatisfy { try db.tableExists($0) }
            }
            guard complete else { throw RegistryError(message: "\(path) is not a secor-intake registry") }
        } catch let error as RegistryError {
            throw error
        } catch {
            throw RegistryError(message: "\(path) cannot be read as a registry: \(error)")
        }
    }

    // MARK: - Backup and restore

    /// A copy of the whole registry into a new file, by SQLite's online backup: consistent even
    /// while a watcher writes (it takes the registry page by page under SQLite's own locking).
    /// An existing file is never replaced.
    public func backup(to file: String) throws {
        guard !FileManager.default.fileExists(atPath: file) else {
            throw RegistryError(message: "\(file) exists; a backup is written to a new file, never over one")
        }
        do {
            let destination = try DatabaseQueue(path: file)
            try db.backup(to: destination)
        } catch {
            try? FileManager.default.removeItem(atPath: file)
            throw RegistryError(message: "the registry could not be backed up to \(file): \(error)")
        }
    }

    /// The registry at `path` restored from `backup`: the backup must be a registry of a version
    /// this program knows; `path` must hold no registry, or an empty one (nothing received, no
    /// staff), so that no history is ever overwritten. Brought up to this version's migrations.
    public static func restore(from backup: String, to path: String) throws -> Registry {
        guard FileManager.default.fileExists(atPath: backup) else { throw RegistryError(message: "no backup at \(backup)") }
        var readOnly = Configuration()
        readOnly.readonly = true
        let source: DatabaseQueue
        do { source = try DatabaseQueue(path: backup, configuration: readOnly) } catch {
            throw RegistryError(message: "\(backup) cannot be opened as a registry backup: \(error)")
        }
        try checkIsOurs(source, path: backup)
        let holds = try source.read { db in try db.tableExists("applications") }
        guard holds else { throw RegistryError(message: "\(backup) is not a secor-intake registry") }
        if FileManager.default.fileExists(atPath: path) {
            let existing = try Registry(path: path)
            let used = try existing.db.read { db in
                try Int.fetchOne(db, sql: "SELECT (SELECT COUNT(*) FROM documents) + (SELECT COUNT(*) FROM applications) + (SELECT COUNT(*) FROM staff)") ?? 0
            }
            guard used == 0 else {
                throw RegistryError(message: "the registry \(path) already holds documents, applications or staff; restore into a new or empty registry")
            }
            try existing.db.close()
        }
        do {
            let destination = try DatabaseQueue(path: path)
            try source.backup(to: destination)
            try destination.close()
        } catch {
            throw RegistryError(message: "\(backup) could not be restored into \(path): \(error)")
        }
        return try Registry(path: path)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: documents, applications, decisions, trainees, events, moves") { db in
            try db.execute(sql: """
                CREATE TABLE documents (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    sha256 TEXT NOT NULL UNIQUE,
                    original_name TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    received_at TEXT NOT NULL,
                    state TEXT NOT NULL,
                    application_id TEXT,
                    stored_path TEXT,
                    inbox_path TEXT,
                    duplicate_of TEXT,
                    extracted_json TEXT,
                    record_json TEXT
                );
                CREATE INDEX documents_state ON documents(state);
                CREATE TABLE applications (
                    id TEXT PRIMARY KEY,
                    wcb_account TEXT,
                    company_key TEXT,
                    state TEXT NOT NULL,
                    submitted TEXT,
                    edition TEXT,
                    updated_at TEXT NOT NULL,
                    record_json TEXT
                );
                CREATE INDEX applications_wcb ON applications(wcb_account);
                CREATE TABLE decisions (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    application_id TEXT NOT NULL REFERENCES applications(id),
                    decision TEXT NOT NULL,
                    program TEXT NOT NULL,
                    edition TEXT NOT NULL,
                    decided_at TEXT NOT NULL
                );
                CREATE TABLE reasons (
                    decision_id INTEGER NOT NULL REFERENCES decisions(id),
                    code TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    field TEXT,
                    found TEXT,
                    message TEXT NOT NULL,
                    rule TEXT NOT NULL
                );
                CREATE TABLE trained_employees (
                    person_key TEXT NOT NULL,
                    email TEXT,
                    wcb_account TEXT NOT NULL,
                    application_id TEXT NOT NULL REFERENCES applications(id),
                    PRIMARY KEY (person_key, wcb_account, application_id)
                );
                CREATE TABLE events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at TEXT NOT NULL,
                    sha256 TEXT,
                    application_id TEXT,
                    event TEXT NOT NULL,
                    detail TEXT,
                    edition TEXT
                );
                CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
                    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
                CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
                    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
                CREATE TABLE moves (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    sha256 TEXT NOT NULL,
                    from_path TEXT NOT NULL,
                    to_path TEXT NOT NULL,
                    done INTEGER NOT NULL DEFAULT 0
                );
                """)
        }
        // Staff actions: who did each thing (events and decisions), the processing date a decision
        // was made on (letters and exports are dated by it), and staff's values beside those read.
        migrator.registerMigration("v2: staff actions, decision dates, corrections") { db in
            try db.execute(sql: """
                ALTER TABLE events ADD COLUMN actor TEXT;
                ALTER TABLE decisions ADD COLUMN decided_on TEXT;
                ALTER TABLE decisions ADD COLUMN actor TEXT;
                CREATE INDEX events_application ON events(application_id);
                CREATE INDEX decisions_application ON decisions(application_id);
                CREATE TABLE corrections (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    application_id TEXT NOT NULL REFERENCES applications(id),
                    field TEXT NOT NULL,
                    value TEXT NOT NULL,
                    read_value TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    at TEXT NOT NULL,
                    note TEXT
                );
                CREATE INDEX corrections_application ON corrections(application_id);
                """)
        }
        // The workstation: staff accounts (a slow hash of each password, never the password), and
        // each application's searchable words, so search answers from an index.
        migrator.registerMigration("v3: staff accounts, search") { db in
            try db.execute(sql: """
                CREATE TABLE staff (
                    name TEXT PRIMARY KEY,
                    role TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    added_at TEXT NOT NULL,
                    added_by TEXT
                );
                ALTER TABLE applications ADD COLUMN search_text TEXT;
                CREATE INDEX applications_state ON applications(state, updated_at);
                CREATE INDEX documents_application ON documents(application_id);
                """)
        }
        migrator.registerMigration("v4: the registration's life (staff's records, what runs did)") { db in
            try db.execute(sql: """
                CREATE TABLE life_records (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    registration TEXT NOT NULL REFERENCES applications(id),
                    wcb_account TEXT NOT NULL,
                    event TEXT NOT NULL,
                    on_date TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    recorded_on TEXT NOT NULL,
                    recorded_at TEXT NOT NULL,
                    supersedes INTEGER REFERENCES life_records(id)
                );
                CREATE INDEX life_records_account ON life_records(wcb_account);
                CREATE TABLE life_actions (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    registration TEXT NOT NULL REFERENCES applications(id),
                    wcb_account TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    on_date TEXT NOT NULL,
                    missed TEXT,
                    deadline TEXT,
                    may_register_from TEXT,
                    anniversary TEXT
                );
                CREATE INDEX life_actions_account ON life_actions(wcb_account);
                """)
        }
        // Lists (the review queue, search) read small rows of their own: an application's row holds
        // its whole record, which SQLite would read through to reach a column after it.
        migrator.registerMigration("v5: listings (what lists show and search finds of each application)") { db in
            try db.execute(sql: """
                CREATE TABLE listings (
                    application_id TEXT PRIMARY KEY REFERENCES applications(id),
                    search_text TEXT,
                    summary_json TEXT
                );
                """)
            for row in try Row.fetchAll(db, sql: "SELECT id, search_text, record_json FROM applications") {
                let record = row["record_json"] as String?
                // Records from before search was kept get their words now.
                let words = (row["search_text"] as String?)
                    ?? record.flatMap { try? JSONDecoder().decode(ApplicationRecord.self, from: Data($0.utf8)) }?.searchText
                try db.execute(sql: "INSERT INTO listings (application_id, search_text, summary_json) VALUES (?, ?, ?)",
                               arguments: [row["id"] as String, words, record.flatMap(Self.summary(of:))])
            }
        }
        // Alberta's program (its certificates) beside Saskatchewan's: each application says which
        // program and which form it is, so each program's life reads only its own.
        migrator.registerMigration("v6: programs and forms of applications, certificates") { db in
            try db.execute(sql: """
                ALTER TABLE applications ADD COLUMN program TEXT;
                ALTER TABLE applications ADD COLUMN form TEXT;
                UPDATE applications SET program = (SELECT program FROM decisions WHERE application_id = applications.id ORDER BY id DESC LIMIT 1);
                CREATE INDEX applications_program ON applications(program, wcb_account);
                CREATE TABLE certificates (
                    number TEXT PRIMARY KEY,
                    wcb_account TEXT NOT NULL,
                    issued TEXT NOT NULL,
                    anniversaries TEXT NOT NULL,
                    expires TEXT NOT NULL,
                    replaces TEXT REFERENCES certificates(number),
                    application_id TEXT NOT NULL REFERENCES applications(id)
                );
                CREATE INDEX certificates_account ON certificates(wcb_account);
                CREATE TABLE certificate_events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    certificate TEXT NOT NULL REFERENCES certificates(number),
                    kind TEXT NOT NULL,
                    on_date TEXT NOT NULL,
                    year INTEGER,
                    missed TEXT,
                    replaced_by TEXT,
                    application_id TEXT
                );
                CREATE INDEX certificate_events_certificate ON certificate_events(certificate);
                """)
        }
        return migrator
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

        init(row: Row) throws {
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
        try db.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM documents WHERE sha256 = ?", arguments: [sha256]).map { try Document(row: $0) }
        }
    }

    public func documents(in state: DocumentState) throws -> [Document] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM documents WHERE state = ? ORDER BY id", arguments: [state.rawValue]).map { try Document(row: $0) }
        }
    }

    public func allDocuments() throws -> [Document] {
        try db.read { db in try Row.fetchAll(db, sql: "SELECT * FROM documents ORDER BY id").map { try Document(row: $0) } }
    }

    /// Claims a file from the inbox: one row per digest. Returns false when the digest is known.
    public func claim(sha256: String, originalName: String, inboxPath: String) throws -> Bool {
        try db.write { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM documents WHERE sha256 = ?", arguments: [sha256]) != nil { return false }
            try db.execute(sql: """
                INSERT INTO documents (sha256, original_name, kind, received_at, state, inbox_path)
                VALUES (?, ?, 'unknown', ?, 'claimed', ?)
                """, arguments: [sha256, originalName, Self.now(), inboxPath])
            try Self.log(db, sha256: sha256, event: "claimed", detail: "from the inbox")
            return true
        }
    }

    /// Gives up a claim that was not filed (the file changed while it was read): the row goes,
    /// the event log keeps that it was claimed and released.
    public func release(sha256: String) throws {
        try db.write { db in
            try db.execute(sql: "DELETE FROM documents WHERE sha256 = ? AND state = ?", arguments: [sha256, DocumentState.claimed.rawValue])
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
        try db.write { db in
            let now = Self.now()
            for a in filing.applications {
                try db.execute(sql: """
                    INSERT INTO applications (id, wcb_account, company_key, state, submitted, edition, updated_at, record_json, search_text,
                                              program, form)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET wcb_account = excluded.wcb_account, company_key = excluded.company_key,
                        state = excluded.state, submitted = excluded.submitted, edition = excluded.edition,
                        updated_at = excluded.updated_at, record_json = excluded.record_json,
                        search_text = COALESCE(excluded.search_text, search_text),
                        program = COALESCE(excluded.program, program), form = COALESCE(excluded.form, form)
                    """, arguments: [a.id, a.wcbAccount, a.companyKey, a.state.rawValue, a.submitted, a.edition, now, a.recordJSON,
                                    a.searchText, a.program ?? a.decision?.program, a.form])
                try Self.record(a.certificateChanges, of: a.id, in: db)
                try db.execute(sql: """
                    INSERT INTO listings (application_id, search_text, summary_json) VALUES (?, ?, ?)
                    ON CONFLICT(application_id) DO UPDATE SET search_text = COALESCE(excluded.search_text, search_text),
                        summary_json = excluded.summary_json
                    """, arguments: [a.id, a.searchText, a.recordJSON.flatMap(Self.summary(of:))])
                if let d = a.decision {
                    try db.execute(sql: """
                        INSERT INTO decisions (application_id, decision, program, edition, decided_at, decided_on, actor)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [a.id, d.decision.rawValue, d.program, d.edition, now, a.decidedOn?.description, a.actor])
                    let decisionID = db.lastInsertedRowID
                    for r in d.reasons {
                        try db.execute(sql: "INSERT INTO reasons (decision_id, code, severity, field, found, message, rule) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                       arguments: [decisionID, r.code, r.severity.rawValue, r.field, r.found, r.message, r.rule])
                    }
                }
                try db.execute(sql: "DELETE FROM trained_employees WHERE application_id = ?", arguments: [a.id])
                if let t = a.trainee, a.state.holdsTrainee {
                    try db.execute(sql: "INSERT OR REPLACE INTO trained_employees (person_key, email, wcb_account, application_id) VALUES (?, ?, ?, ?)",
                                   arguments: [t.person.nameKey, t.person.email, t.account, a.id])
                }
            }
            for d in filing.documents {
                try db.execute(sql: """
                    UPDATE documents SET kind = ?, state = ?, application_id = ?, stored_path = ?,
                        extracted_json = COALESCE(?, extracted_json), duplicate_of = COALESCE(?, duplicate_of),
                        record_json = COALESCE(?, record_json)
                    WHERE sha256 = ?
                    """, arguments: [d.kind, d.state.rawValue, d.applicationID, d.storedPath, d.extractedJSON, d.duplicateOf,
                                    d.recordJSON, d.sha256])
                if db.changesCount == 0 {
                    throw RegistryError(message: "document \(d.sha256.prefix(12)) was filed without being claimed")
                }
            }
            for m in filing.moves {
                try db.execute(sql: "INSERT INTO moves (sha256, from_path, to_path) VALUES (?, ?, ?)", arguments: [m.sha256, m.from, m.to])
            }
            for (id, c) in filing.corrections {
                try db.execute(sql: """
                    INSERT INTO corrections (application_id, field, value, read_value, actor, at, note) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [id, c.field, c.value, c.read, c.by, c.at, c.note])
            }
            for e in filing.events {
                try db.execute(sql: "INSERT INTO events (at, sha256, application_id, event, detail, edition, actor) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               arguments: [now, e.sha256, e.applicationID, e.event, e.detail, e.edition, e.actor])
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

    public func pendingMoves() throws -> [Move] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM moves WHERE done = 0 ORDER BY id").map {
                Move(id: $0["id"], sha256: $0["sha256"], from: $0["from_path"], to: $0["to_path"])
            }
        }
    }

    public func finishMove(_ move: Move) throws {
        try db.write { db in
            try db.execute(sql: "UPDATE moves SET done = 1 WHERE id = ?", arguments: [move.id])
            try Self.log(db, sha256: move.sha256, event: "moved", detail: move.to)
        }
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

        init(row: Row) throws {
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
        try db.read { db in
            let marks = states.map { _ in "?" }.joined(separator: ",")
            return try Row.fetchAll(db, sql: "SELECT * FROM applications WHERE state IN (\(marks)) ORDER BY updated_at",
                                    arguments: StatementArguments(states.map(\.rawValue))).map(StoredApplication.init)
        }
    }

    public func application(id: String) throws -> StoredApplication? {
        try db.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM applications WHERE id = ?", arguments: [id]).map(StoredApplication.init)
        }
    }

    public func documents(ofApplication id: String) throws -> [Document] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM documents WHERE application_id = ? ORDER BY id", arguments: [id]).map { try Document(row: $0) }
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

        init(row: Row) {
            at = row["at"]; sha256 = row["sha256"]; applicationID = row["application_id"]; event = row["event"]
            detail = row["detail"]; edition = row["edition"]; actor = row["actor"]
        }
    }

    public func events(sha256: String? = nil) throws -> [Event] {
        try db.read { db in
            let rows = sha256 == nil
                ? try Row.fetchAll(db, sql: "SELECT * FROM events ORDER BY id")
                : try Row.fetchAll(db, sql: "SELECT * FROM events WHERE sha256 = ? ORDER BY id", arguments: [sha256])
            return rows.map(Event.init(row:))
        }
    }

    /// Every event of these applications and of their documents, oldest first.
    public func events(applications ids: [String]) throws -> [Event] {
        guard !ids.isEmpty else { return [] }
        return try db.read { db in
            let marks = ids.map { _ in "?" }.joined(separator: ",")
            return try Row.fetchAll(db, sql: """
                SELECT * FROM events WHERE application_id IN (\(marks))
                    OR sha256 IN (SELECT sha256 FROM documents WHERE application_id IN (\(marks)))
                ORDER BY id
                """, arguments: StatementArguments(ids + ids)).map(Event.init(row:))
        }
    }

    public func log(sha256: String?, applicationID: String? = nil, event: String, detail: String?, edition: String? = nil,
                    actor: String? = nil) throws {
        try db.write { db in
            try Self.log(db, sha256: sha256, applicationID: applicationID, event: event, detail: detail, edition: edition, actor: actor)
        }
    }

    static func log(_ db: GRDB.Database, sha256: String?, applicationID: String? = nil, event: String, detail: String?, edition: String? = nil,
                    actor: String? = nil) throws {
        try db.execute(sql: "INSERT INTO events (at, sha256, application_id, event, detail, edition, actor) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       arguments: [now(), sha256, applicationID, event, detail, edition, actor])
    }

    /// A failed document's file is no longer where it was filed (it changed since, and went back
    /// to the inbox as new bytes): the row keeps what was read, without the path.
    public func forgetStoredFile(sha256: String, detail: String) throws {
        try db.write { db in
            try db.execute(sql: "UPDATE documents SET stored_path = NULL WHERE sha256 = ?", arguments: [sha256])
            try Self.log(db, sha256: sha256, event: "retaken", detail: detail)
        }
    }

    // MARK: - Staff actions and what they read back

    /// The values staff set for an application: the latest for each field, in the order set.
    public func corrections(of id: String) throws -> [StaffCorrection] {
        let all = try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM corrections WHERE application_id = ? ORDER BY id", arguments: [id]).map {
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
        try db.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM decisions WHERE application_id = ? ORDER BY id DESC LIMIT 1", arguments: [id])
                .map(Self.decisionEntry)
        }
    }

    static func decisionEntry(_ row: Row) throws -> DecisionEntry {
        let id: String = row["application_id"]
        let on: String? = row["decided_on"]
        return DecisionEntry(applicationID: id, decision: try state(row["decision"], of: "a decision of \(id)"),
                             decidedOn: on.flatMap(CalendarDate.init(iso:)), actor: row["actor"])
    }

    /// Applications whose latest decision was made on a processing date from `from` to `to`
    /// (inclusive), in the order decided, with that decision.
    public func decided(from: CalendarDate, to: CalendarDate) throws -> [(application: StoredApplication, decision: DecisionEntry)] {
        try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT d.*, a.id AS app_id FROM decisions d JOIN applications a ON a.id = d.application_id
                WHERE d.id = (SELECT MAX(id) FROM decisions WHERE application_id = d.application_id)
                    AND d.decided_on >= ? AND d.decided_on <= ?
                ORDER BY d.id
                """, arguments: [from.description, to.description]).compactMap { row -> (StoredApplication, DecisionEntry)? in
                let id: String = row["app_id"]
                guard let app = try Row.fetchOne(db, sql: "SELECT * FROM applications WHERE id = ?", arguments: [id]) else { return nil }
                return (try StoredApplication(row: app), try Self.decisionEntry(row))
            }
        }
    }

    /// Applications whose searchable words hold every word of `words` (folded as they were
    /// stored), most recently changed first; and those recorded before search was kept, to look at one by one.
    public func search(_ words: [String], limit: Int) throws -> (found: [StoredApplication], unindexed: [StoredApplication]) {
        try db.read { db in
            var clauses: [String] = []
            var arguments: [String] = []
            for w in words {
                clauses.append("l.search_text LIKE ? ESCAPE '\\'")
                arguments.append("%" + w.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                    .replacingOccurrences(of: "_", with: "\\_") + "%")
            }
            // The matching ids first (small rows), then those applications whole.
            let found = try Row.fetchAll(db, sql: """
                SELECT a.id, a.wcb_account, a.company_key, a.state, a.updated_at, l.summary_json,
                    CASE WHEN l.summary_json IS NULL THEN a.record_json END AS record_json FROM (
                    SELECT l.application_id AS id, a.updated_at AS at FROM listings l JOIN applications a ON a.id = l.application_id
                    WHERE \(clauses.isEmpty ? "1" : clauses.joined(separator: " AND ")) ORDER BY a.updated_at DESC LIMIT \(max(1, limit))
                ) m JOIN applications a ON a.id = m.id LEFT JOIN listings l ON l.application_id = m.id ORDER BY m.at DESC
                """, arguments: StatementArguments(arguments)).map(StoredApplication.init)
            let unindexed = try Row.fetchAll(db, sql: """
                SELECT a.* FROM listings l JOIN applications a ON a.id = l.application_id WHERE l.search_text IS NULL
                """).map(StoredApplication.init)
            return (found, unindexed)
        }
    }

    /// Applications in a state by when their first document came in, oldest first, at most
    /// `limit`, with that time; and how many there are. One query, for the review queue.
    public func oldestFirst(in state: ApplicationState, limit: Int) throws -> (applications: [(StoredApplication, received: String)], count: Int) {
        try db.read { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM applications WHERE state = ?", arguments: [state.rawValue]) ?? 0
            // Ordered by ids and times alone, then the chosen applications read whole.
            let rows = try Row.fetchAll(db, sql: """
                SELECT a.id, a.wcb_account, a.company_key, a.state, a.updated_at, l.summary_json, q.received,
                    CASE WHEN l.summary_json IS NULL THEN a.record_json END AS record_json FROM (
                    SELECT a.id AS id, (SELECT MIN(received_at) FROM documents d WHERE d.application_id = a.id) AS received
                    FROM applications a WHERE a.state = ? ORDER BY received, a.id LIMIT \(max(1, limit))
                ) q JOIN applications a ON a.id = q.id LEFT JOIN listings l ON l.application_id = q.id ORDER BY q.received, q.id
                """, arguments: [state.rawValue])
            return (try rows.map { (try StoredApplication(row: $0), ($0["received"] as String?) ?? "") }, count)
        }
    }

    /// Applications in a state, oldest change first, at most `limit`; and how many there are.
    public func applications(in state: ApplicationState, limit: Int) throws -> (applications: [StoredApplication], count: Int) {
        try db.read { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM applications WHERE state = ?", arguments: [state.rawValue]) ?? 0
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM applications WHERE state = ? ORDER BY updated_at LIMIT \(max(1, limit))",
                                        arguments: [state.rawValue]).map(StoredApplication.init)
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
        try db.write { db in
            try db.execute(sql: """
                INSERT INTO staff (name, role, password_hash, added_at, added_by) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash
                """, arguments: [name, role.rawValue, passwordHash, Self.now(), actor])
            try Self.log(db, sha256: nil, event: "staff saved", detail: "\(name) (\(role.rawValue))", actor: actor)
        }
    }

    public func staff(named name: String) throws -> StaffAccount? {
        try db.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM staff WHERE name = ?", arguments: [name]).map {
                StaffAccount(name: $0["name"], role: try Self.state($0["role"], of: "staff \(name)"), passwordHash: $0["password_hash"])
            }
        }
    }

    /// Every staff account by name, with when and by whom it was added (no password hashes).
    public func staffAccounts() throws -> [(name: String, role: StaffRole, addedAt: String, addedBy: String?)] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT name, role, added_at, added_by FROM staff ORDER BY name").map {
                let name: String = $0["name"]
                return (name, try Self.state($0["role"], of: "staff \(name)"), $0["added_at"], $0["added_by"])
            }
        }
    }

    public func staffCount() throws -> Int {
        try db.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM staff") ?? 0 }
    }

    /// Every application, in the order first recorded.
    public func allApplications() throws -> [StoredApplication] {
        try db.read { db in try Row.fetchAll(db, sql: "SELECT * FROM applications ORDER BY rowid").map(StoredApplication.init) }
    }

    /// Applications for a WCB account, in the order first recorded.
    public func applications(account: String) throws -> [StoredApplication] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM applications WHERE wcb_account = ? ORDER BY rowid", arguments: [account])
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
        try db.read { db in
            var counts: [State: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM \(table) GROUP BY state") {
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
        let rows = try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT t.email, t.wcb_account FROM trained_employees t JOIN applications a ON a.id = t.application_id
                WHERE t.person_key = ? AND a.state IN (\(Self.traineeHoldingStates))
                """, arguments: [person.nameKey])
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
        let keys = try db.read { db in
            try String.fetchAll(db, sql: """
                SELECT DISTINCT t.person_key FROM trained_employees t JOIN applications a ON a.id = t.application_id
                WHERE a.state IN (\(Self.traineeHoldingStates)) AND t.wcb_account IS NOT ?
                """, arguments: [account])
        }
        return keys.contains { namesAlike($0, nameKey) }
    }
}

public struct RegistryError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
