import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Replacing a file so that a crash leaves the old file or the whole new one: the new one is
/// written under a hidden temporary name beside it (`.<name>.tmp-<pid>`) and renamed into place.
/// A temporary a crash left behind is known by its name, and is never an applicant's file: the
/// office files applicants' documents under names that never start with a dot, and the inbox
/// never takes hidden names.
public enum FileReplacement {
    public static func temporary(for url: URL) -> URL {
        url.deletingLastPathComponent().appendingPathComponent(hidden(url.lastPathComponent, "tmp"))
    }

    /// `.<name>.<what>-<pid>`: a name of the program's own, for a file being made.
    public static func hidden(_ name: String, _ what: String) -> String {
        ".\(name).\(what)-\(ProcessInfo.processInfo.processIdentifier)"
    }

    /// Calls `write` with the temporary URL, then renames it over `url`.
    public static func replace(_ url: URL, write: (URL) throws -> Void) throws {
        let temporary = temporary(for: url)
        try? FileManager.default.removeItem(at: temporary)
        do {
            try write(temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        try commit(temporary, to: url)
    }

    /// Renames a temporary written by other means (appended to as a batch goes) over `url`.
    public static func commit(_ temporary: URL, to url: URL) throws {
        guard rename(temporary.path, url.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
    }

    /// Whether a name is the program's own temporary of a write (`.<name>.tmp-<pid>`) or a
    /// cross-disk copy (`.<name>.part-<pid>`) cut short. An applicant's `registration.tmp-2026` is not.
    public static func isLeftover(_ name: String) -> Bool {
        name.hasPrefix(".") && name.range(of: #"\.(tmp|part)-[0-9]+$"#, options: .regularExpression) != nil
    }
}
