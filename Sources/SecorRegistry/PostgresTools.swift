import Foundation
import PostgresNIO

/// PostgreSQL's own tools for what the protocol does not do: a whole database's archive
/// (`pg_dump`, custom format, one consistent snapshot) and its restoring (`pg_restore`).
enum PostgresTools {
    static func dump(_ configuration: PostgresConnection.Configuration, to file: String) throws {
        try run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file=\(file)"], configuration)
    }

    static func restore(_ configuration: PostgresConnection.Configuration, from file: String) throws {
        try run("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", file], configuration)
    }

    /// Runs one tool against the registry's database; the password goes in its environment, never its arguments.
    private static func run(_ tool: String, _ arguments: [String], _ c: PostgresConnection.Configuration) throws {
        guard let executable = ["/usr/bin", "/usr/local/bin", "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"]
            .map({ "\($0)/\(tool)" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw RegistryError(message: "\(tool) is not installed (Debian's postgresql-client package has it)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--host=\(c.host ?? "localhost")", "--port=\(c.port ?? 5432)", "--username=\(c.username)",
                             "--dbname=\(c.database ?? c.username)", "--no-password"] + arguments
        var environment = ProcessInfo.processInfo.environment
        if let password = c.password { environment["PGPASSWORD"] = password }
        environment["PGSSLMODE"] = c.tls.isEnforced ? "require" : (c.tls.isAllowed ? "prefer" : "disable")
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let said = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw RegistryError(message: "\(tool) failed (\(process.terminationStatus)): "
                + String(decoding: said, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}
