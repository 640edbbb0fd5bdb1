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
                "the file is \(info.st_size / 1_048_576) MB; the limit is \(maxBytes / 1_048_576) MB"))
        }
        guard let data = try? Data(contentsOf: url, options: [.uncached]) else {
            return .failed(path: path, Diagnostic(.unreadable, code: "unreadable-file", "the file cannot be read"))
        }
        let file = InputFile(path: path, data: data)
        return .sniffed(file, DocumentFormat(sniffing: data))
    }
}
