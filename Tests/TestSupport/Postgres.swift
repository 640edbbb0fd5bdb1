import Foundation

/// The PostgreSQL server `make test` starts for the tests (scripts/with-postgres.sh), when it could.
public enum PostgresForTests {
    /// The maintenance database's URL, or nil when no server was started.
    public static let adminURL: String? = ProcessInfo.processInfo.environment["SECOR_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }

    public static var available: Bool { adminURL != nil }

    /// Why a PostgreSQL test does not run here.
    public static let skipped = "needs PostgreSQL: `make test` starts a server of its own (scripts/with-postgres.sh); SECOR_TEST_POSTGRES is not set, so it could not"

    /// A new, empty database of its own for one test: its URL.
    public static func newDatabase(_ label: String = "t") throws -> String {
        guard let admin = adminURL, var parts = URLComponents(string: admin) else { throw PostgresTestError("no PostgreSQL server for the tests") }
        let name = "secor_\(label)_\(UUID().uuidString.prefix(8).lowercased())"
        try psql(admin, "CREATE DATABASE \(name)")
        parts.path = "/" + name
        return parts.string!
    }

    /// Runs one SQL command through psql (outside any transaction: CREATE DATABASE needs that).
    public static func psql(_ url: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = ["-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let said = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw PostgresTestError("psql: \(String(decoding: said, as: UTF8.self))") }
    }
}

public struct PostgresTestError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
