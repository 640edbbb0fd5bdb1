import Foundation
import GRDB
import SecorCore

extension Registry {
    /// SQLite's versions, as GRDB records them in `grdb_migrations`.
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
        // Several watchers over one registry (PostgreSQL): whose claim each document is and until
        // when, renewed while its watcher lives; and the registrations being decided now, so that the
        // earlier by submission time is decided first wherever it was read (rule 5).
        migrator.registerMigration(Migrations.v7.identifier) { db in
            for statement in Migrations.v7.statements(.sqlite) { try db.execute(sql: statement) }
        }
        // Documents being read now, by holder: a registration read at the same moment elsewhere is
        // known to be coming before it is announced.
        migrator.registerMigration(Migrations.v8.identifier) { db in
            for statement in Migrations.v8.statements(.sqlite) { try db.execute(sql: statement) }
        }
        return migrator
    }
}

/// The registry's schema, version by version, for each database. SQLite's migrations are GRDB's
/// (registries made before PostgreSQL was kept keep their history); PostgreSQL's are the same
/// versions, written in its words, applied in order and recorded in `secor_migrations`.
enum Migrations {
    /// A version written once for both databases: its statements in each one's words.
    struct Shared: Sendable {
        let identifier: String
        let statements: @Sendable (SQLDialect) -> [String]
    }

    static let v7 = Shared(identifier: "v7: claims with leases, rule 5 in submission order across offices") { dialect in
        // Seconds since 1970 on the database's clock (`Registry.now(_:)`).
        let seconds = dialect == .sqlite ? "REAL" : "DOUBLE PRECISION"
        return [
            "ALTER TABLE documents ADD COLUMN claimed_by TEXT",
            "ALTER TABLE documents ADD COLUMN lease_until \(seconds)",
            "CREATE INDEX moves_pending ON moves(done, sha256)",
            """
            CREATE TABLE decision_intents (
                holder TEXT NOT NULL,
                application_key TEXT NOT NULL,
                person_key TEXT NOT NULL,
                wcb_account TEXT NOT NULL,
                submitted \(seconds) NOT NULL,
                lease_until \(seconds) NOT NULL,
                PRIMARY KEY (holder, application_key, person_key)
            )
            """,
            "CREATE INDEX decision_intents_person ON decision_intents(person_key)",
        ]
    }

    static let v8 = Shared(identifier: "v8: documents being read, waited for by rule 5's decisions") { dialect in
        let seconds = dialect == .sqlite ? "REAL" : "DOUBLE PRECISION"
        return [
            """
            CREATE TABLE reading_now (
                holder TEXT NOT NULL,
                reading_key TEXT NOT NULL,
                since \(seconds) NOT NULL,
                lease_until \(seconds) NOT NULL,
                PRIMARY KEY (holder, reading_key)
            )
            """,
        ]
    }

    /// PostgreSQL's versions: the same tables as SQLite's, with a sequence (`seq`) where SQLite
    /// orders by rowid, and the event log kept append-only by a trigger function.
    static let postgres: [(identifier: String, statements: [String])] = [
        ("v1: documents, applications, decisions, trainees, events, moves", [
            """
            CREATE TABLE documents (
                id BIGSERIAL PRIMARY KEY,
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
            )
            """,
            "CREATE INDEX documents_state ON documents(state)",
            """
            CREATE TABLE applications (
                seq BIGSERIAL UNIQUE,
                id TEXT PRIMARY KEY,
                wcb_account TEXT,
                company_key TEXT,
                state TEXT NOT NULL,
                submitted TEXT,
                edition TEXT,
                updated_at TEXT NOT NULL,
                record_json TEXT
            )
            """,
            "CREATE INDEX applications_wcb ON applications(wcb_account)",
            """
            CREATE TABLE decisions (
                id BIGSERIAL PRIMARY KEY,
                application_id TEXT NOT NULL REFERENCES applications(id),
                decision TEXT NOT NULL,
                program TEXT NOT NULL,
                edition TEXT NOT NULL,
                decided_at TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE reasons (
                decision_id BIGINT NOT NULL REFERENCES decisions(id),
                code TEXT NOT NULL,
                severity TEXT NOT NULL,
                field TEXT,
                found TEXT,
                message TEXT NOT NULL,
                rule TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE trained_employees (
                person_key TEXT NOT NULL,
                email TEXT,
                wcb_account TEXT NOT NULL,
                application_id TEXT NOT NULL REFERENCES applications(id),
                PRIMARY KEY (person_key, wcb_account, application_id)
            )
            """,
            """
            CREATE TABLE events (
                id BIGSERIAL PRIMARY KEY,
                at TEXT NOT NULL,
                sha256 TEXT,
                application_id TEXT,
                event TEXT NOT NULL,
                detail TEXT,
                edition TEXT
            )
            """,
            """
            CREATE FUNCTION secor_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'the event log is append-only'; END $$
            """,
            "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION secor_events_append_only()",
            "CREATE TRIGGER events_append_only_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION secor_events_append_only()",
            """
            CREATE TABLE moves (
                id BIGSERIAL PRIMARY KEY,
                sha256 TEXT NOT NULL,
                from_path TEXT NOT NULL,
                to_path TEXT NOT NULL,
                done BIGINT NOT NULL DEFAULT 0
            )
            """,
        ]),
        ("v2: staff actions, decision dates, corrections", [
            "ALTER TABLE events ADD COLUMN actor TEXT",
            "ALTER TABLE decisions ADD COLUMN decided_on TEXT",
            "ALTER TABLE decisions ADD COLUMN actor TEXT",
            "CREATE INDEX events_application ON events(application_id)",
            "CREATE INDEX decisions_application ON decisions(application_id)",
            """
            CREATE TABLE corrections (
                id BIGSERIAL PRIMARY KEY,
                application_id TEXT NOT NULL REFERENCES applications(id),
                field TEXT NOT NULL,
                value TEXT NOT NULL,
                read_value TEXT NOT NULL,
                actor TEXT NOT NULL,
                at TEXT NOT NULL,
                note TEXT
            )
            """,
            "CREATE INDEX corrections_application ON corrections(application_id)",
        ]),
        ("v3: staff accounts, search", [
            """
            CREATE TABLE staff (
                name TEXT PRIMARY KEY,
                role TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                added_at TEXT NOT NULL,
                added_by TEXT
            )
            """,
            "ALTER TABLE applications ADD COLUMN search_text TEXT",
            "CREATE INDEX applications_state ON applications(state, updated_at)",
            "CREATE INDEX documents_application ON documents(application_id)",
        ]),
        ("v4: the registration's life (staff's records, what runs did)", [
            """
            CREATE TABLE life_records (
                id BIGSERIAL PRIMARY KEY,
                registration TEXT NOT NULL REFERENCES applications(id),
                wcb_account TEXT NOT NULL,
                event TEXT NOT NULL,
                on_date TEXT NOT NULL,
                actor TEXT NOT NULL,
                recorded_on TEXT NOT NULL,
                recorded_at TEXT NOT NULL,
                supersedes BIGINT REFERENCES life_records(id)
            )
            """,
            "CREATE INDEX life_records_account ON life_records(wcb_account)",
            """
            CREATE TABLE life_actions (
                id BIGSERIAL PRIMARY KEY,
                registration TEXT NOT NULL REFERENCES applications(id),
                wcb_account TEXT NOT NULL,
                kind TEXT NOT NULL,
                on_date TEXT NOT NULL,
                missed TEXT,
                deadline TEXT,
                may_register_from TEXT,
                anniversary TEXT
            )
            """,
            "CREATE INDEX life_actions_account ON life_actions(wcb_account)",
        ]),
        ("v5: listings (what lists show and search finds of each application)", [
            """
            CREATE TABLE listings (
                application_id TEXT PRIMARY KEY REFERENCES applications(id),
                search_text TEXT,
                summary_json TEXT
            )
            """,
        ]),
        ("v6: programs and forms of applications, certificates", [
            "ALTER TABLE applications ADD COLUMN program TEXT",
            "ALTER TABLE applications ADD COLUMN form TEXT",
            "CREATE INDEX applications_program ON applications(program, wcb_account)",
            """
            CREATE TABLE certificates (
                seq BIGSERIAL UNIQUE,
                number TEXT PRIMARY KEY,
                wcb_account TEXT NOT NULL,
                issued TEXT NOT NULL,
                anniversaries TEXT NOT NULL,
                expires TEXT NOT NULL,
                replaces TEXT REFERENCES certificates(number),
                application_id TEXT NOT NULL REFERENCES applications(id)
            )
            """,
            "CREATE INDEX certificates_account ON certificates(wcb_account)",
            """
            CREATE TABLE certificate_events (
                id BIGSERIAL PRIMARY KEY,
                certificate TEXT NOT NULL REFERENCES certificates(number),
                kind TEXT NOT NULL,
                on_date TEXT NOT NULL,
                year BIGINT,
                missed TEXT,
                replaced_by TEXT,
                application_id TEXT
            )
            """,
            "CREATE INDEX certificate_events_certificate ON certificate_events(certificate)",
        ]),
        (v7.identifier, v7.statements(.postgres)),
        (v8.identifier, v8.statements(.postgres)),
    ]
}
