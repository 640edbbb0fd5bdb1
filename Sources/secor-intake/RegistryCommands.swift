import ArgumentParser
import Foundation
import SecorRegistry

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the registry into a new file while watchers and the workstation keep working.",
        discussion: "SQLite's online backup: a consistent copy of every document, application, decision, record and event. The file must not exist.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var registry: RegistryOptions
    @Option(name: .customLong("to"), help: "The backup file to write (a new file).") var file: String

    func run() throws {
        try common.start()
        let db = registry.database
        guard Registry.isDatabaseURL(db) || FileManager.default.fileExists(atPath: db) else { throw ValidationError("no registry at \(db)") }
        let where_ = try refusingAsUsage { () -> String in
            let opened = try Registry(path: db)
            try opened.backup(to: file)
            return opened.path
        }
        print("Backed up \(where_) to \(file).")
    }
}

struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a registry from a backup, into a new or empty registry.",
        discussion: "The backup is checked as a registry of a version this program knows, copied, and brought up to this version. A registry that holds anything is never overwritten.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var registry: RegistryOptions
    @Option(name: .long, help: "The backup file (written by `secor-intake backup`).") var from: String

    func run() throws {
        try common.start()
        let db = registry.database
        let restored = try refusingAsUsage { try Registry.restore(from: from, to: db) }
        print("Restored \(restored.path) from \(from).")
    }
}
