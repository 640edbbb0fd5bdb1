import Foundation
import SecorCore

/// Several workstations over one registry: claims that hold only while their holder renews them,
/// and office-wide decisions (rule 5, Alberta's certificates, pairing) made one at a time, the
/// earlier registration by submission time first wherever it was read.
extension Registry {
    /// The database's clock in seconds since 1970: leases are compared on one clock, whichever
    /// workstation wrote them.
    static func now(_ dialect: SQLDialect) -> String {
        switch dialect {
        case .sqlite: "((julianday('now') - 2440587.5) * 86400.0)"
        case .postgres: "(extract(epoch from clock_timestamp())::double precision)"
        }
    }

    // MARK: - Claims

    public enum ClaimOutcome: Sendable, Equatable {
        /// New: the file is this registry's to decide.
        case claimed
        /// Claimed before and not filed (by this registry, or by a workstation that stopped renewing
        /// its claim): taken over, to be decided again.
        case resumed
        /// Another workstation is deciding it now.
        case heldElsewhere
        /// Received before (decided, pending, failed), or claimed from another place: a copy.
        case known(Document)

        public static func == (a: ClaimOutcome, b: ClaimOutcome) -> Bool {
            switch (a, b) {
            case (.claimed, .claimed), (.resumed, .resumed), (.heldElsewhere, .heldElsewhere): true
            case let (.known(x), .known(y)): x.sha256 == y.sha256
            default: false
            }
        }
    }

    /// Claims a file from the inbox for this registry's holder, with a lease, in one transaction.
    /// `exclusive`: no other watcher can be on this inbox (one machine's lock), so a claim left by
    /// an earlier run is resumed at once, without waiting for its lease to run out.
    public func claim(sha256: String, originalName: String, inboxPath: String, exclusive: Bool) throws -> ClaimOutcome {
        try store.write { db in
            let now = Self.now(db.dialect)
            let inserted = try db.execute("""
                INSERT INTO documents (sha256, original_name, kind, received_at, state, inbox_path, claimed_by, lease_until)
                VALUES (?, ?, 'unknown', ?, 'claimed', ?, ?, \(now) + ?) ON CONFLICT (sha256) DO NOTHING
                """, [sha256, originalName, Self.now(), inboxPath, holder, leaseSeconds])
            if inserted > 0 {
                try Self.log(db, sha256: sha256, event: "claimed", detail: "from the inbox", actor: nil)
                return .claimed
            }
            guard let row = try db.row("SELECT * FROM documents WHERE sha256 = ?", [sha256]) else { return .heldElsewhere }
            let known = try Document(row: row)
            guard known.state == .claimed, known.inboxPath == inboxPath else { return .known(known) }
            let takenOver = try db.execute("""
                UPDATE documents SET claimed_by = ?, lease_until = \(now) + ?
                WHERE sha256 = ? \(exclusive ? "" : "AND (claimed_by IS NULL OR claimed_by = ? OR lease_until < \(now))")
                """, exclusive ? [holder, leaseSeconds, sha256] : [holder, leaseSeconds, sha256, holder])
            guard takenOver > 0 else { return .heldElsewhere }
            let previous: String? = row["claimed_by"]
            if let previous, previous != holder {
                try Self.log(db, sha256: sha256, event: "claim taken over", detail: "its holder stopped renewing it")
            }
            return .resumed
        }
    }

    /// Renews this registry's claims and intents (a watcher does so while it lives).
    public func renewLeases() throws {
        try store.write { db in
            let now = Self.now(db.dialect)
            try db.execute("UPDATE documents SET lease_until = \(now) + ? WHERE claimed_by = ?", [leaseSeconds, holder])
            try db.execute("UPDATE decision_intents SET lease_until = \(now) + ? WHERE holder = ?", [leaseSeconds, holder])
            try db.execute("UPDATE reading_now SET lease_until = \(now) + ? WHERE holder = ?", [leaseSeconds, holder])
        }
    }

    // MARK: - Reading, announced

    /// Announces that this holder has begun reading `key` (a document, or a batch not read yet):
    /// until it is read and its registrations announced, a registration naming a trained employee
    /// that is ready elsewhere after this began waits for it (bounded by the decider's patience).
    /// Only a shared registry needs it: on one machine, one process decides at a time.
    public func beginReading(_ key: String) throws {
        guard isShared else { return }
        try store.write { db in
            let now = Self.now(db.dialect)
            try db.execute("DELETE FROM reading_now WHERE lease_until < \(now)")
            try db.execute("""
                INSERT INTO reading_now (holder, reading_key, since, lease_until) VALUES (?, ?, \(now), \(now) + ?)
                ON CONFLICT (holder, reading_key) DO NOTHING
                """, [holder, key, leaseSeconds])
        }
    }

    /// Ends this holder's reading of `keys` (read and announced, or given up).
    public func endReading(_ keys: [String]) throws {
        guard isShared, !keys.isEmpty else { return }
        try store.write { db in try Self.endReading(keys, holder: holder, in: db) }
    }

    static func endReading(_ keys: [String], holder: String, in db: SQLConnection) throws {
        guard !keys.isEmpty else { return }
        try db.execute("DELETE FROM reading_now WHERE holder = ? AND reading_key IN (\(questionMarks(keys.count)))",
                       [holder] + keys.map { $0 })
    }

    // MARK: - Deciding, one at a time across the office

    /// A registration about to be decided that names a trained employee (rule 5).
    public struct TraineeIntent: Sendable {
        public let application: String
        public let personKey: String
        public let account: String
        public let submitted: SubmissionTime
        public init(application: String, personKey: String, account: String, submitted: SubmissionTime) {
            self.application = application; self.personKey = personKey; self.account = account; self.submitted = submitted
        }
    }

    /// The registrations among `documents` that name a trained employee, as intents keyed by the
    /// registration's digest (an application's id may change as it is paired).
    public static func intents(_ documents: [ReceivedDocument]) -> [TraineeIntent] {
        documents.compactMap { d in
            guard d.kind == .registration, let person = d.trainee, let account = d.wcbAccount,
                  let submitted = d.submittedText.flatMap(SubmissionTime.init(iso8601:)) ?? d.dateSigned.map(SubmissionTime.init(date:))
            else { return nil }
            return TraineeIntent(application: d.sha256, personKey: person.nameKey, account: account, submitted: submitted)
        }
    }

    /// Runs `body` (deciding and committing) while no other process of the office decides: the
    /// decision lock (PostgreSQL's advisory lock; a lock file beside a SQLite registry), and within
    /// this process a mutex. The registrations in `intents` are announced first: while another
    /// workstation holds a registration submitted earlier that names the same trained employee for
    /// another account, and has not decided it, this one waits, so that the earlier keeps the
    /// person whichever was read first. It also waits while another workstation is still reading a
    /// document it began reading before this one was ready (its registrations are not announced
    /// yet). `reading`: this holder's own readings that end here, in the same transaction that
    /// announces their registrations, so that no moment passes when neither is known. The wait ends
    /// after `patience` (a holder that hangs), when the lock alone still keeps both from being accepted.
    public func deciding<T>(_ intents: [TraineeIntent] = [], reading: [String] = [], patience: TimeInterval = 60,
                            _ body: () throws -> T) throws -> T {
        // Already deciding on this thread (a run's life carried out inside its decisions): one lock.
        if Thread.current.threadDictionary[Self.decidingKey] != nil { return try body() }
        // Readings that began elsewhere before this moment (on the database's clock) are waited for.
        var ready: Double? = nil
        if !intents.isEmpty || (isShared && !reading.isEmpty) {
            ready = try store.write { db in
                let now = Self.now(db.dialect)
                if isShared { try Self.endReading(reading, holder: holder, in: db) }
                guard !intents.isEmpty else { return nil }
                try db.execute("DELETE FROM decision_intents WHERE lease_until < \(now)")
                for i in intents {
                    try db.execute("""
                        INSERT INTO decision_intents (holder, application_key, person_key, wcb_account, submitted, lease_until)
                        VALUES (?, ?, ?, ?, ?, \(now) + ?) ON CONFLICT (holder, application_key, person_key) DO NOTHING
                        """, [holder, i.application, i.personKey, i.account, i.submitted.instant.timeIntervalSince1970, leaseSeconds])
                }
                return try db.scalar(as: Double.self, "SELECT \(now)")
            }
        }
        defer {
            if !intents.isEmpty {
                let keys = intents.map(\.application)
                _ = try? store.write { db in
                    try db.execute("DELETE FROM decision_intents WHERE holder = ? AND application_key IN (\(questionMarks(keys.count)))",
                                   [holder] + keys.map { $0 })
                }
            }
        }
        // Shared by several workstations, a registration naming a trained employee is decided once it
        // has been announced a moment: one read at the same moment elsewhere and submitted earlier is
        // then known here, and decided first.
        if isShared && !intents.isEmpty {
            usleep(UInt32(Self.gatherSeconds * 1_000_000))
            ready = ready.map { $0 + Self.gatherSeconds }
        }
        let giveUp = Date().addingTimeInterval(patience)
        var lastRenewal = Date()
        while true {
            let turn: Turn<T>? = try {
                Self.decisionMutex.lock()
                defer { Self.decisionMutex.unlock() }
                return try withDecisionLock {
                    if Date() < giveUp, try mustWait(intents, readingBefore: ready, patience: patience) {
                        return .waiting
                    }
                    Thread.current.threadDictionary[Self.decidingKey] = true
                    defer { Thread.current.threadDictionary[Self.decidingKey] = nil }
                    return .decided(try body())
                }
            }()
            if case let .decided(result)? = turn { return result }
            if Date().timeIntervalSince(lastRenewal) > leaseSeconds / 3 {
                try renewLeases()
                lastRenewal = Date()
            }
            usleep(20_000)
        }
    }

    private enum Turn<T> { case decided(T), waiting }

    /// Whether this holder's registrations must wait, asked in one read at every turn while waiting:
    /// another holder's live intent names one of this holder's people for another account and was
    /// submitted earlier (ties: by application id), one query however many intents this holder
    /// has; or, shared, another holder is still reading something it began before `ready` (and
    /// less than `patience` ago: a batch reading for longer holds no one up for longer than that).
    func mustWait(_ intents: [TraineeIntent], readingBefore ready: Double?, patience: TimeInterval) throws -> Bool {
        guard !intents.isEmpty else { return false }
        let keys = Set(intents.map(\.application)).sorted()
        return try store.read { db in
            let now = Self.now(db.dialect)
            let earlier = try db.scalar(as: Int.self, """
                SELECT COUNT(*) FROM decision_intents mine JOIN decision_intents other
                    ON other.person_key = mine.person_key AND other.wcb_account != mine.wcb_account
                WHERE mine.holder = ? AND mine.application_key IN (\(questionMarks(keys.count)))
                    AND other.holder != ? AND other.lease_until >= \(now)
                    AND (other.submitted < mine.submitted OR (other.submitted = mine.submitted AND other.application_key < mine.application_key))
                """, [holder] + keys.map { $0 } + [holder]) ?? 0
            if earlier > 0 { return true }
            guard isShared, let ready else { return false }
            return (try db.scalar(as: Int.self, """
                SELECT COUNT(*) FROM reading_now
                WHERE holder != ? AND lease_until >= \(now) AND since < ? AND since > \(now) - ?
                """, [holder, ready, patience]) ?? 0) > 0
        }
    }

    /// `body` under the office-wide decision lock when it can be had now; nil when another process holds it.
    private func withDecisionLock<T>(_ body: () throws -> T) throws -> T? {
        if let postgres = store as? PostgresStore { return try postgres.tryWithDecisionLock(body) }
        if let sqlite = store as? SQLiteStore { return try sqlite.tryWithDecisionLock(body) }
        return try body()
    }

    /// How long an announced registration waits before it is decided over a shared registry
    /// (`SECOR_GATHER_SECONDS`, default 2): longer than two workstations' reads of one moment differ.
    static let gatherSeconds: Double = ProcessInfo.processInfo.environment["SECOR_GATHER_SECONDS"].flatMap(Double.init)
        .map { min(max($0, 0), 60) } ?? 2

    /// One decision at a time within a process (the lock file and the advisory lock are per process).
    static let decisionMutex = NSLock()
    /// Marks a thread that is inside `deciding`.
    static let decidingKey = "secor.registry.deciding"
}
