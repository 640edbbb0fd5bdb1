import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// The registry in a PostgreSQL database, shared by every workstation that names it: every
/// PostgresNIO call of the registry is in this file. The registry's callers are synchronous; each
/// statement runs on this store's own event loop and is waited for, one at a time.
final class PostgresStore: RegistryStore, @unchecked Sendable {
    let location: String
    var dialect: SQLDialect { .postgres }
    let configuration: PostgresConnection.Configuration
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let logger = Logger(label: "secor.registry.postgres")
    /// One statement (or transaction) at a time on the one connection.
    private let lock = NSLock()
    private var connection: PostgresConnection?
    private var nextID = 0

    /// `postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require]`. The password
    /// comes from the URL, else `PGPASSWORD`, else the file `SECOR_DB_PASSWORD_FILE` names. TLS is
    /// used when the server offers it (`prefer`), unless the URL says otherwise.
    init(url: String) throws {
        guard let parts = URLComponents(string: url), ["postgres", "postgresql"].contains(parts.scheme ?? ""),
              let host = parts.host, !host.isEmpty else {
            throw RegistryError(message: "\(Self.redacted(url)) is not a PostgreSQL URL (postgres://user@host:5432/database)")
        }
        let database = String(parts.path.drop(while: { $0 == "/" }))
        let user = parts.user ?? ProcessInfo.processInfo.environment["PGUSER"] ?? "postgres"
        var password = parts.password
        let environment = ProcessInfo.processInfo.environment
        if password == nil { password = environment["PGPASSWORD"] }
        if password == nil, let file = environment["SECOR_DB_PASSWORD_FILE"] {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw RegistryError(message: "the password file \(file) (SECOR_DB_PASSWORD_FILE) cannot be read")
            }
            password = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let mode = parts.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch mode {
            case "disable": tls = .disable
            case "require", "verify-full", "verify-ca":
                var c = TLSConfiguration.makeClientConfiguration()
                if mode == "require" { c.certificateVerification = .none }
                tls = .require(try NIOSSLContext(configuration: c))
            default:
                // Offered, taken; the server's certificate is not checked (as libpq's `prefer`).
                var c = TLSConfiguration.makeClientConfiguration()
                c.certificateVerification = .none
                tls = .prefer(try NIOSSLContext(configuration: c))
            }
        } catch {
            throw RegistryError(message: "TLS for \(Self.redacted(url)) cannot be set up: \(error)")
        }
        configuration = .init(host: host, port: parts.port ?? 5432, username: user, password: password,
                              database: database.isEmpty ? user : database, tls: tls)
        location = Self.redacted(url)
        _ = try withConnection { _ in }
    }

    deinit {
        close()
        try? group.syncShutdownGracefully()
    }

    /// The URL as it may be shown: without a password.
    static func redacted(_ url: String) -> String {
        guard var parts = URLComponents(string: url), parts.password != nil else { return url }
        parts.password = "***"
        return parts.string ?? url
    }

    func close() {
        lock.lock(); defer { lock.unlock() }
        if let connection { try? connection.close().wait() }
        connection = nil
    }

    // MARK: - Statements

    /// The connection, made again if it was lost (a server restarted): a watcher runs for months.
    private func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        if connection == nil || connection?.isClosed == true {
            nextID += 1
            do {
                connection = try PostgresConnection.connect(on: group.next(), configuration: configuration, id: nextID, logger: logger).wait()
            } catch {
                throw RegistryError(message: "the registry \(location) cannot be reached: \(Self.describe(error))")
            }
        }
        return try body(connection!)
    }

    fileprivate func run(_ sql: String, _ values: [SQLValue]) throws -> PostgresQueryResult {
        var binds = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .null: binds.appendNull()
            case let .integer(i): binds.append(i)
            case let .real(d): binds.append(d)
            case let .text(s): binds.append(s)
            }
        }
        let query = PostgresQuery(unsafeSQL: Self.numbered(sql), binds: binds)
        return try withConnection { connection in
            do { return try connection.query(query, logger: logger).wait() } catch {
                throw StatementError(error)
            }
        }
    }

    /// `?` as PostgreSQL's `$1, $2, ...`, outside quoted text.
    static func numbered(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.count + 16)
        var n = 0
        var quoted = false
        for c in sql {
            if c == "'" { quoted.toggle() }
            if c == "?" && !quoted {
                n += 1
                out += "$\(n)"
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// A statement's failure, with the server's SQLSTATE: what decides whether a transaction is run again.
    struct StatementError: Error, CustomStringConvertible {
        let sqlState: String?
        let message: String
        init(_ error: any Error) {
            if let e = error as? PSQLError {
                sqlState = e.serverInfo?[.sqlState]
                message = e.serverInfo?[.message] ?? PostgresStore.describe(error)
            } else {
                sqlState = nil
                message = PostgresStore.describe(error)
            }
        }
        var description: String { message + (sqlState.map { " (SQLSTATE \($0))" } ?? "") }
        /// Serialization failure or deadlock: another office's transaction won; run ours again.
        var isConflict: Bool { sqlState == "40001" || sqlState == "40P01" }
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] { return message }
            return "\(e.code)" + (e.underlying.map { ": \($0)" } ?? "")
        }
        return "\(error)"
    }

    static func rows(_ result: PostgresQueryResult) throws -> [SQLRow] {
        try result.rows.map { row in
            var names: [String] = []
            var values: [SQLValue] = []
            for cell in row {
                names.append(cell.columnName)
                values.append(try value(cell))
            }
            return SQLRow(names: names, values: values)
        }
    }

    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        default: return .text(try cell.decode(String.self))
        }
    }

    struct Connection: SQLConnection {
        let store: PostgresStore
        var dialect: SQLDialect { .postgres }

        func execute(_ sql: String, _ arguments: SQLArguments) throws -> Int {
            try store.run(sql, arguments.values).metadata.rows ?? 0
        }

        func rows(_ sql: String, _ arguments: SQLArguments) throws -> [SQLRow] {
            try PostgresStore.rows(store.run(sql, arguments.values))
        }

        func insert(_ sql: String, _ arguments: SQLArguments) throws -> Int64 {
            let result = try store.run(sql + " RETURNING id", arguments.values)
            guard let id = try PostgresStore.rows(result).first.flatMap({ Int64.decode($0.values[0]) }) else {
                throw RegistryError(message: "the registry did not return the new row's id")
            }
            return id
        }
    }

    // MARK: - Transactions

    func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL SERIALIZABLE", body)
    }

    /// Runs `body` in a transaction; again (with a short random wait) when another office's
    /// transaction conflicted with it, up to a limit.
    private func transaction<T>(_ begin: String, _ body: (any SQLConnection) throws -> T) throws -> T {
        lock.lock(); defer { lock.unlock() }
        var attempt = 0
        while true {
            attempt += 1
            do {
                _ = try run(begin, [])
                let result = try body(Connection(store: self))
                _ = try run("COMMIT", [])
                return result
            } catch {
                _ = try? run("ROLLBACK", [])
                if let e = error as? StatementError, e.isConflict, attempt < 50 {
                    usleep(UInt32.random(in: 1_000...(5_000 * UInt32(min(attempt, 20)))))
                    continue
                }
                if let e = error as? StatementError {
                    throw RegistryError(message: "the registry's database (PostgreSQL): \(e)")
                }
                throw error
            }
        }
    }

    // MARK: - The decision lock

    /// Holds the office-wide decision lock (a PostgreSQL advisory lock) while `body` runs, when it
    /// can be had now; nil when another workstation holds it. The connection is free for others
    /// in this process (renewing leases) between tries.
    func tryWithDecisionLock<T>(_ body: () throws -> T) throws -> T? {
        let got: Bool = try {
            lock.lock(); defer { lock.unlock() }
            let result = try Self.rows(run("SELECT pg_try_advisory_lock(\(Self.decisionLockKey)) AS got", []))
            return result.first.map { $0["got"] as Bool } ?? false
        }()
        guard got else { return nil }
        defer {
            lock.lock()
            _ = try? run("SELECT pg_advisory_unlock(\(Self.decisionLockKey))", [])
            lock.unlock()
        }
        return try body()
    }

    /// The advisory lock's number: "SECOR" in ASCII.
    static let decisionLockKey: Int64 = 0x5345_434F_52

    // MARK: - Schema

    /// Applies the versions not yet applied, under a lock so that two workstations starting at once
    /// do not both apply one. Refuses a database of another program or a newer version.
    func migrate() throws {
        lock.lock()
        _ = try? run("SELECT pg_advisory_lock(\(Self.decisionLockKey + 1))", [])
        lock.unlock()
        defer {
            lock.lock()
            _ = try? run("SELECT pg_advisory_unlock(\(Self.decisionLockKey + 1))", [])
            lock.unlock()
        }
        let (applied, tables) = try inventory()
        let known = Set(Migrations.postgres.map(\.identifier))
        if !applied.isSubset(of: known) {
            throw RegistryError(message: "the registry \(location) was made by a newer version of secor-intake (\(applied.subtracting(known).sorted().joined(separator: ", "))); use that version")
        }
        if applied.isEmpty && !tables.subtracting(["secor_migrations"]).isEmpty {
            throw RegistryError(message: "\(location) is not a secor-intake registry (it holds other tables: \(tables.sorted().prefix(5).joined(separator: ", ")))")
        }
        for migration in Migrations.postgres where !applied.contains(migration.identifier) {
            try write { db in
                try db.execute("CREATE TABLE IF NOT EXISTS secor_migrations (identifier TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
                for statement in migration.statements { try db.execute(statement) }
                try db.execute("INSERT INTO secor_migrations (identifier, applied_at) VALUES (?, ?)", [migration.identifier, Registry.now()])
            }
        }
    }

    /// The versions applied and the tables in the database's schema.
    func inventory() throws -> (applied: Set<String>, tables: Set<String>) {
        try read { db in
            let tables = Set(try db.column(as: String.self, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"))
            let applied = tables.contains("secor_migrations")
                ? Set(try db.column(as: String.self, "SELECT identifier FROM secor_migrations")) : []
            return (applied, tables)
        }
    }
}
