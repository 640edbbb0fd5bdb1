// The one file where the inbox calls Linux directly: inotify for file events, poll to
// wait for them without spinning, rename and fsync for moves that survive a crash.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SecorCore
import SecorSupport

/// Why a file-system call failed. The one place errno becomes a Swift error.
public struct FileSystemError: Error, CustomStringConvertible, Sendable {
    public let call: String
    public let path: String
    public let code: Int32
    public var description: String { "\(call) \(path): \(String(cString: strerror(code)))" }

    static func last(_ call: String, _ path: String) -> FileSystemError {
        FileSystemError(call: call, path: path, code: errno)
    }
}

/// A failure to file that is not any document's: the disk holding OUT (or the inbox) is full,
/// or a folder may not be written. The watcher says so once and waits for it to be put right,
/// instead of exiting (a service manager would start it again, and again, into the same wall).
public struct FilingTrouble: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: Int32
    public var description: String {
        switch code {
        case ENOSPC, EDQUOT: "the disk is full (\(String(cString: strerror(code))))"
        case EROFS: "the file system is read-only"
        default: "a folder may not be written (\(String(cString: strerror(code))))"
        }
    }

    static let codes: Set<Int32> = [ENOSPC, EDQUOT, EACCES, EPERM, EROFS]

    /// The trouble behind `error`, if it is one: errno from our own calls, Foundation's file
    /// errors, or SQLite's "disk is full" from the registry.
    public init?(_ error: any Error) {
        if let e = error as? FileSystemError {
            guard Self.codes.contains(e.code) else { return nil }
            code = e.code
            return
        }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain, Self.codes.contains(Int32(ns.code)) { code = Int32(ns.code); return }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
           Self.codes.contains(Int32(underlying.code)) {
            code = Int32(underlying.code)
            return
        }
        if ns.domain == NSCocoaErrorDomain {
            switch CocoaError.Code(rawValue: ns.code) {
            case .fileWriteOutOfSpace: code = ENOSPC; return
            case .fileWriteVolumeReadOnly: code = EROFS; return
            case .fileWriteNoPermission: code = EACCES; return
            default: break
            }
        }
        let text = String(describing: error)
        if text.contains("database or disk is full") || text.contains("SQLITE_FULL") { code = ENOSPC; return }
        if text.contains("attempt to write a readonly database") { code = EROFS; return }
        return nil
    }
}

/// Linux inotify on a folder tree: close-after-write, moved-in and created events wake the watcher.
public final class FileEvents {
    private let fd: Int32
    private var watched: [Int32: String] = [:]

    public init() throws {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw FileSystemError.last("inotify_init1", "") }
    }

    deinit { close(fd) }

    /// Watches `folder` and every folder below it (new subfolders are added as they appear).
    public func watchTree(_ folder: String) {
        add(folder)
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: folder) else { return }
        while let relative = walker.nextObject() as? String {
            let path = (folder as NSString).appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue,
               (try? fm.destinationOfSymbolicLink(atPath: path)) == nil {
                add(path)
            }
        }
    }

    private func add(_ folder: String) {
        guard !watched.values.contains(folder) else { return }
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE)
        let wd = inotify_add_watch(fd, folder, mask)
        if wd >= 0 { watched[wd] = folder }
    }

    /// Waits up to `timeout` seconds for events; returns whether any came. New folders are watched.
    public func wait(timeout: TimeInterval) -> Bool {
        // The inotify queue, and the stop signals' pipe: SIGTERM ends an idle wait at once.
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: StopSignals.wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        let ms = Int32(max(0, min(timeout.isFinite ? timeout : 3600, 3600)) * 1000)
        let ready = poll(&fds, StopSignals.wakeDescriptor >= 0 ? 2 : 1, ms)
        guard ready > 0, fds[0].revents & Int16(POLLIN) != 0 else { return false }
        // Drain the queue; the watcher rescans the tree, so only new folders matter here.
        let size = 64 * 1024
        var buffer = [UInt8](repeating: 0, count: size)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, size) }
            guard n > 0 else { break }
            var offset = 0
            while offset + MemoryLayout<inotify_event>.size <= n {
                let (wd, mask, length) = buffer.withUnsafeBytes { raw -> (Int32, UInt32, Int) in
                    let e = raw.load(fromByteOffset: offset, as: inotify_event.self)
                    return (e.wd, e.mask, Int(e.len))
                }
                let nameStart = offset + MemoryLayout<inotify_event>.size
                if mask & UInt32(IN_ISDIR) != 0, let parent = watched[wd], length > 0 {
                    let nameBytes = buffer[nameStart..<min(nameStart + length, n)].prefix { $0 != 0 }
                    add((parent as NSString).appendingPathComponent(String(decoding: nameBytes, as: UTF8.self)))
                }
                offset = nameStart + length
            }
        }
        return true
    }
}

/// Moves that survive a crash: a rename where possible; across file systems a copy made
/// durable first, then renamed into place, then the original removed.
public enum DurableFiles {
    public static func move(from source: String, to destination: String) throws {
        try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        if rename(source, destination) == 0 {
            syncFolder(of: destination)
            return
        }
        guard errno == EXDEV else { throw FileSystemError.last("rename", source) }
        let temporary = ((destination as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent(FileReplacement.hidden((destination as NSString).lastPathComponent, "part"))
        try? FileManager.default.removeItem(atPath: temporary)
        try FileManager.default.copyItem(atPath: source, toPath: temporary)
        try sync(temporary)
        guard rename(temporary, destination) == 0 else { throw FileSystemError.last("rename", temporary) }
        syncFolder(of: destination)
        guard unlink(source) == 0 || errno == ENOENT else { throw FileSystemError.last("unlink", source) }
    }

    /// Writes `data` so that a crash leaves either the old file or the whole new one.
    public static func write(_ data: Data, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileReplacement.replace(URL(fileURLWithPath: path)) { temporary in
            try data.write(to: temporary)
            try sync(temporary.path)
        }
    }

    static func sync(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw FileSystemError.last("open", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw FileSystemError.last("fsync", path) }
    }

    static func syncFolder(of path: String) {
        let fd = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY)
        if fd >= 0 { fsync(fd); close(fd) }
    }

    /// Size and modification time, without following a symbolic link.
    /// What a path is now: size, time, kind, and which file (inode) it names.
    public static func stamp(_ path: String) -> (size: Int64, modified: Double, isLink: Bool, isFile: Bool, inode: UInt64)? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        let mode = st.st_mode & S_IFMT
        let modified = Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
        return (Int64(st.st_size), modified, mode == S_IFLNK, mode == S_IFREG, UInt64(st.st_ino))
    }

    /// Where a symbolic link points (it is never followed).
    public static func linkTarget(_ path: String) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: path)
    }
}

/// SIGTERM and SIGINT ask the watcher to finish the file in hand and stop. The handler only
/// sets a flag (all a signal handler may safely do); the flag also cuts `poll` short.
public enum StopSignals {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0
    /// A pipe the handler writes a byte to, so that a wait on another thread's poll ends at once:
    /// a signal interrupts whichever thread it lands on, rarely the one waiting.
    nonisolated(unsafe) private static var wake: (read: Int32, write: Int32) = (-1, -1)
    /// The end a wait polls beside its own descriptors (-1 before `install`).
    static var wakeDescriptor: Int32 { wake.read }

    public static func install() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
            wake = (fds[0], fds[1])
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            StopSignals.flag = 1
            // write(2) is async-signal-safe; a full pipe already wakes the wait.
            var byte: UInt8 = 1
            _ = write(StopSignals.wake.write, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0 // no SA_RESTART: poll returns at once
        sigaction(SIGTERM, &action, nil)
        sigaction(SIGINT, &action, nil)
        // A parent may start us with these blocked (a blocked mask is inherited): unblock them.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    public static var requested: Bool { flag != 0 }
}

/// One watcher per inbox and per OUT: an exclusive lock (flock) on a hidden file in each, held
/// while the watcher runs and released by the kernel however it ends (a crash leaves no stale lock).
public final class WatchLock {
    private var descriptors: [Int32] = []

    /// Takes the lock in each folder that can hold one (a read-only inbox cannot; OUT always can).
    /// Throws, naming the folder and the holder's process, when another watcher has it.
    public init(folders: [String]) throws {
        for folder in folders {
            let path = (folder as NSString).appendingPathComponent(".secor-intake-watch.lock")
            let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
            guard fd >= 0 else { continue }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                var buffer = [UInt8](repeating: 0, count: 32)
                let n = pread(fd, &buffer, 31, 0)
                close(fd)
                let holder = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
                descriptors.forEach { close($0) }
                descriptors = []
                throw WatchError(message: "another watcher is already running on \(folder) (process \(holder)); one watcher per inbox")
            }
            let pid = Array("\(getpid())\n".utf8)
            _ = ftruncate(fd, 0)
            _ = pwrite(fd, pid, pid.count, 0)
            descriptors.append(fd)
        }
    }

    deinit { descriptors.forEach { close($0) } }
}
