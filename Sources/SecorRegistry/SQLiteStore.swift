import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// The registry in one SQLite file, through GRDB: every GRDB call of the registry is in this file.
final class SQLiteStore: RegistryStore, @unchecked Sendable {
    let queue: DatabaseQueue
    let location: String
    var dialect: SQLDialect { .sqlite }

    init(path: String, readOnly: Bool = false) throws {
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.busyMode = .timeout(10)
        location = path
        queue = try DatabaseQueue(path: path, configuration: configuration)
    }

    func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try Self.translating { try queue.read { try body(Connection(db: $0)) } }
    }

    func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try Self.translating { try queue.write { try body(Connection(db: $0)) } }
    }

    func close() { try? queue.close() }

    /// SQLite's errors become the registry's, with what SQLite said; the registry's own pass through.
    static func translating<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as DatabaseError {
            throw RegistryError(message: "the registry's database (SQLite): \(error.message ?? "\(error)")")
        }
    }

    struct Connection: SQLConnection {
        let db: GRDB.Database
        var dialect: SQLDialect { .sqlite }

        func execute(_ sql: String, _ arguments: SQLArguments) throws -> Int {
            try db.execute(sql: sql, arguments: Self.arguments(arguments))
            return db.changesCount
        }

        func rows(_ sql: String, _ arguments: SQLArguments) throws -> [SQLRow] {
            try Row.fetchAll(db, sql: sql, arguments: Self.arguments(arguments)).map { row in
                SQLRow(names: Array(row.columnNames), values: row.databaseValues.map(Self.value))
            }
        }

        func insert(_ sql: String, _ arguments: SQLArguments) throws -> Int64 {
            try db.execute(sql: sql, arguments: Self.arguments(arguments))
            return db.lastInsertedRowID
        }

        static func arguments(_ arguments: SQLArguments) -> StatementArguments {
            StatementArguments(arguments.values.map { value -> DatabaseValue in
                switch value {
                case .null: .null
                case let .integer(i): i.databaseValue
                case let .real(d): d.databaseValue
                case let .text(s): s.databaseValue
                }
            })
        }

        static func value(_ value: DatabaseValue) -> SQLValue {
            switch value.storage {
            case .null: .null
            case let .int64(i): .integer(i)
            case let .double(d): .real(d)
            case let .string(s): .text(s)
            case let .blob(data): .text(String(decoding: data, as: UTF8.self))
            }
        }
    }

    // MARK: - What only a file has

    /// A copy of the whole database into a new file, by SQLite's online backup: consistent even
    /// while a watcher writes (page by page, under SQLite's own locking).
    func backup(to file: String, replacing: Bool = false) throws {
        let destination = try DatabaseQueue(path: file)
        try queue.backup(to: destination)
        try destination.close()
    }

    /// Every migration identifier applied, and the tables there are.
    func inventory() throws -> (applied: Set<String>, tables: Set<String>) {
        try queue.read { db in
            (try Registry.migrator.appliedIdentifiers(db),
             Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")))
        }
    }

    func migrate() throws {
        try Self.translating { try Registry.migrator.migrate(queue) }
    }

    /// `body` while this process holds the lock file beside the registry (`REGISTRY.decide-lock`);
    /// nil when another process holds it. The kernel lets go of it however the process ends.
    func tryWithDecisionLock<T>(_ body: () throws -> T) throws -> T? {
        let lockPath = location + ".decide-lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw RegistryError(message: "the registry's lock file \(lockPath) cannot be opened (errno \(errno))")
        }
        defer { Glibc.close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            if errno == EWOULDBLOCK { return nil }
            throw RegistryError(message: "the registry's lock file \(lockPath) cannot be locked (errno \(errno))")
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    static var migrationIdentifiers: [String] { Registry.migrator.migrations }
}
