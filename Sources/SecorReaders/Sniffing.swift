import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SecorCore

/// The first stage: reads a file and decides its format by content.
public struct Sniffer: Sendable {
    /// Files larger than this are refused before any parser sees them.
    public var maxBytes: Int

    public init(maxBytes: Int = 50 * 1024 * 1024) { self.maxBytes = maxBytes }

    public enum Outcome: Sendable {
        case sniffed(InputFile, DocumentFormat)
        /// The file could not even be read: a reason and, when the bytes were read, the file.
        case failed(path: String, Diagnostic)
    }

    /// Reads `path` (never following a symbolic link) and sniffs it.
    public func sniff(path: String) -> Outcome {
        let url = URL(fileURLWithPath: path)
        // lstat, not FileManager's attributes: those look up the owner's and group's names
        // too, which costs more than reading a small file.
        var info = stat()
        guard lstat(path, &info) == 0 else {
            return .failed(path: path, Diagnostic(.unreadable, code: "no-such-file", "the file does not exist or cannot be opened"))
        }
        switch info.st_mode & S_IFMT {
        case S_IFLNK:
            return .failed(path: path, Diagnostic(.unreadable, code: "symbolic-link", "the file is a symbolic link; links are not followed"))
        case S_IFDIR:
            return .failed(path: path, Diagnostic(.unreadable, code: "directory", "this is a folder, not a document"))
        case S_IFREG:
            break
        default:
            // A pipe, socket or device would block or never end: only plain files are read.
            return .failed(path: path, Diagnostic(.unreadable, code: "not-a-plain-file", "this is not a plain file (a pipe, socket or device); it is not read"))
        }
        if info.st_size > maxBytes {
            return .failed(path: path, Diagnostic(.unreadable, code: "too-large",
                "the file is \(Self.size(Int64(info.st_size))); the limit is \(Self.size(Int64(maxBytes)))"))
        }
        guard let data = try? Data(contentsOf: url, options: [.uncached]) else {
            return .failed(path: path, Diagnostic(.unreadable, code: "unreadable-file", "the file cannot be read"))
        }
        let file = InputFile(path: path, data: data)
        return .sniffed(file, DocumentFormat(sniffing: data))
    }

    /// The SHA-256 of a plain file, read a megabyte at a time: the identity of a file that is
    /// not read whole (one over the size limit). Nil when it cannot be opened or read.
    public static func digest(ofFileAt path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var digest = InputFile.Digest()
        do {
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { digest.update(chunk) }
        } catch {
            return nil
        }
        return digest.finish()
    }

    /// A size as people read it: `980 bytes`, `4.4 KB`, `50 MB`, `3.1 GB`.
    static func size(_ bytes: Int64) -> String {
        let units = [(1 << 30, "GB"), (1 << 20, "MB"), (1 << 10, "KB")]
        for (unit, name) in units where bytes >= Int64(unit) {
            let value = Double(bytes) / Double(unit)
            return value >= 100 || value == value.rounded() ? "\(Int(value.rounded())) \(name)" : String(format: "%.1f %@", value, name)
        }
        return "\(bytes) bytes"
    }
}
