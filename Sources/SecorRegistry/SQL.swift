import Foundation

// The registry's SQL, written once, over either database: SQLite (one machine, nothing to install)
// or PostgreSQL (several offices). Each store turns its library's values and errors into these,
// in its own file; the registry above sees only statements, rows and `RegistryError`.

/// A value as it goes into or comes out of a statement.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
}

/// What a statement's `?` may be bound to.
public protocol SQLBindable {
    var sqlValue: SQLValue { get }
}

extension String: SQLBindable { public var sqlValue: SQLValue { .text(self) } }
extension Substring: SQLBindable { public var sqlValue: SQLValue { .text(String(self)) } }
extension Int: SQLBindable { public var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Int64: SQLBindable { public var sqlValue: SQLValue { .integer(self) } }
extension Double: SQLBindable { public var sqlValue: SQLValue { .real(self) } }
extension Bool: SQLBindable { public var sqlValue: SQLValue { .integer(self ? 1 : 0) } }
extension SQLValue: SQLBindable { public var sqlValue: SQLValue { self } }

/// Arguments as written at a call: `[id, account, nil]`.
public typealias SQLArguments = [(any SQLBindable)?]

extension Array where Element == (any SQLBindable)? {
    var values: [SQLValue] { map { $0?.sqlValue ?? .null } }
}

/// What a column's value may be read as.
public protocol SQLDecodable {
    static func decode(_ value: SQLValue) -> Self?
}

extension String: SQLDecodable {
    public static func decode(_ value: SQLValue) -> String? {
        switch value {
        case let .text(s): s
        case let .integer(i): String(i)
        case let .real(d): String(d)
        case .null: nil
        }
    }
}

extension Int64: SQLDecodable {
    public static func decode(_ value: SQLValue) -> Int64? {
        switch value {
        case let .integer(i): i
        case let .real(d): Int64(exactly: d)
        case let .text(s): Int64(s)
        case .null: nil
        }
    }
}

extension Int: SQLDecodable {
    public static func decode(_ value: SQLValue) -> Int? { Int64.decode(value).map(Int.init) }
}

extension Double: SQLDecodable {
    public static func decode(_ value: SQLValue) -> Double? {
        switch value {
        case let .real(d): d
        case let .integer(i): Double(i)
        case let .text(s): Double(s)
        case .null: nil
        }
    }
}

extension Bool: SQLDecodable {
    public static func decode(_ value: SQLValue) -> Bool? { Int64.decode(value).map { $0 != 0 } }
}

extension Optional: SQLDecodable where Wrapped: SQLDecodable {
    public static func decode(_ value: SQLValue) -> Wrapped?? {
        if case .null = value { return .some(nil) }
        return Wrapped.decode(value).map { .some($0) }
    }
}

/// One row of a result, by column name.
public struct SQLRow: Sendable {
    let names: [String]
    let values: [SQLValue]

    init(names: [String], values: [SQLValue]) { self.names = names; self.values = values }

    public func hasColumn(_ name: String) -> Bool { names.contains(name) }

    /// The column as `T`. The schema is the registry's own, so a column missing or of another type
    /// is this program's mistake, as with GRDB's rows.
    public subscript<T: SQLDecodable>(_ name: String) -> T {
        guard let i = names.firstIndex(of: name) else { preconditionFailure("no column \(name) in the registry's row") }
        let value = values[i]
        guard let decoded = T.decode(value) else { preconditionFailure("column \(name) is not a \(T.self): \(value)") }
        return decoded
    }
}

/// How the two databases write what SQL does not say once for both.
public enum SQLDialect: Sendable {
    case sqlite, postgres

    /// The column that orders a table's rows as first inserted (SQLite's rowid; a sequence in PostgreSQL).
    public var insertOrder: String { self == .sqlite ? "rowid" : "seq" }
}

/// Statements inside one read or one transaction.
public protocol SQLConnection {
    var dialect: SQLDialect { get }
    /// Runs a statement; how many rows it changed.
    @discardableResult func execute(_ sql: String, _ arguments: SQLArguments) throws -> Int
    func rows(_ sql: String, _ arguments: SQLArguments) throws -> [SQLRow]
    /// Runs an INSERT into a table whose key is `id`; the new row's id.
    func insert(_ sql: String, _ arguments: SQLArguments) throws -> Int64
}

extension SQLConnection {
    @discardableResult public func execute(_ sql: String) throws -> Int { try execute(sql, []) }
    public func rows(_ sql: String) throws -> [SQLRow] { try rows(sql, []) }
    public func row(_ sql: String, _ arguments: SQLArguments = []) throws -> SQLRow? { try rows(sql, arguments).first }
    /// The first column of the first row; nil when there is no row or it is NULL.
    public func scalar<T: SQLDecodable>(as type: T.Type, _ sql: String, _ arguments: SQLArguments = []) throws -> T? {
        guard let row = try rows(sql, arguments).first, let value = row.values.first else { return nil }
        return Optional<T>.decode(value) ?? nil
    }
    public func column<T: SQLDecodable>(as type: T.Type, _ sql: String, _ arguments: SQLArguments = []) throws -> [T] {
        try rows(sql, arguments).compactMap { row in row.values.first.flatMap { T.decode($0) } }
    }
}

/// `?, ?, ?` for an IN list of `count` values.
func questionMarks(_ count: Int) -> String {
    Array(repeating: "?", count: max(1, count)).joined(separator: ", ")
}

/// A database the registry lives in: reads, and writes in one transaction each.
public protocol RegistryStore: AnyObject, Sendable {
    var dialect: SQLDialect { get }
    /// Where it is, as given (a path, or a URL without its password).
    var location: String { get }
    func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T
    /// One transaction: all of `body`'s statements are kept, or none. PostgreSQL's may run `body`
    /// again when another office's transaction made it conflict (serializable isolation).
    func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T
    func close()
}
