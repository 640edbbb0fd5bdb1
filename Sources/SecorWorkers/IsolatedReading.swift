import Dispatch
import Foundation
import Logging
import SecorCore
import SecorReaders
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif
import SecorSupport

/// How to start a reader process: this program, with the `read-worker` subcommand and the limits.
public struct ReaderCommand: Sendable {
    public var executable: String
    public var arguments: [String]

    public init(executable: String, arguments: [String]) {
        self.executable = executable
        self.arguments = arguments
    }
}

/// Reads PDFs in reader processes, each document under a time limit; sniffs every file and
/// reads XML exports here (they are bounded by size and depth, and parsed without entities).
///
/// poppler and tesseract calls cannot be interrupted: a document over its time is stopped
/// by killing its reader process, and a new one carries on with the rest of the batch.
/// A reader that crashes costs only the document it was reading.
public struct IsolatedReading: DocumentReading {
    public let extraction: Extraction
    public let command: ReaderCommand
    public let timeout: Duration
    let logger = Logger(label: "secor.readers")

    public init(extraction: Extraction, command: ReaderCommand, timeout: Duration) {
        self.extraction = extraction
        self.command = command
        self.timeout = timeout
        // A reader that dies while its file is being sent must be an error on the write,
        // not SIGPIPE ending this process (and the batch with it).
        signal(SIGPIPE, SIG_IGN)
    }

    /// Reads every path on `jobs` reader processes; each result goes to `deliver` with its
    /// path's index as soon as it is read.
    public func readAll(_ paths: [String], jobs: Int, deliver: @escaping @Sendable (Int, ReadFile) -> Void) async {
        let queue = WorkQueue(count: paths.count)
        // As many readers as the open-file limit leaves room for: starting one past it fails
        // inside the process library (a crash, not an error). With room for none, no PDF is read,
        // each says why, and the batch stops with that error.
        let fit = Self.readersThatFit()
        if fit < 1 {
            logger.error("too few open files allowed to start a reader process (ulimit -n)")
            while let index = queue.take() {
                switch extraction.sniffer.sniff(path: paths[index]) {
                case let .failed(path, reason): deliver(index, .unreadable(InputFile(path: path, data: Data()), format: .unrecognized, reason))
                case let .sniffed(file, format) where format != .pdf: deliver(index, extraction.read(bytesOf: file, format: format))
                case let .sniffed(file, _): deliver(index, .unreadable(file.withoutBytes, format: .pdf, Self.unavailable))
                }
            }
            return
        }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, min(jobs, paths.count, fit)) {
                group.addTask {
                    let next = { @Sendable in self.nextPDF(queue: queue, paths: paths, deliver: deliver) }
                    // Files sent to a reader that stopped before reading them go to the next one.
                    var carried: [(Int, InputFile)] = []
                    while true {
                        if carried.isEmpty {
                            guard let first = next() else { break }
                            carried = [first]
                        }
                        carried = await self.session(carried, next: next, deliver: deliver)
                    }
                }
            }
        }
    }

    /// One file already in memory (the watcher's), read and returned.
    public func read(_ file: InputFile, format: DocumentFormat) async -> ReadFile {
        guard format == .pdf else { return extraction.read(bytesOf: file, format: format) }
        let result = OrderedResults<ReadFile>(count: 1)
        _ = await session([(0, file)], next: { nil }, deliver: { result.set($0, $1) })
        return result.values().first ?? .unreadable(file.withoutBytes, format: .pdf, Self.unavailable)
    }

    /// `read(_:format:)` for callers on a plain thread (the watcher's loop).
    public func read(_ file: InputFile, format: DocumentFormat) -> ReadFile {
        let result = OrderedResults<ReadFile>(count: 1)
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            result.set(0, await self.read(file, format: format))
            done.signal()
        }
        done.wait()
        return result.values()[0]
    }

    // MARK: -

    /// Takes files off the queue, reading all but PDFs here, until a PDF (returned) or the end.
    private func nextPDF(queue: WorkQueue, paths: [String], deliver: @Sendable (Int, ReadFile) -> Void) -> (Int, InputFile)? {
        while let index = queue.take() {
            switch extraction.sniffer.sniff(path: paths[index]) {
            case let .failed(path, reason):
                deliver(index, .unreadable(InputFile(path: path, data: Data()), format: .unrecognized, reason))
            case let .sniffed(file, format) where format != .pdf:
                deliver(index, extraction.read(bytesOf: file, format: format))
            case let .sniffed(file, _):
                return (index, file)
            }
        }
        return nil
    }

    private enum SessionEnd: Sendable {
        case finished
        /// The reader was stopped (or died) on this file.
        case stopped(Int, InputFile, timedOut: Bool, misbehaved: Bool)
    }

    /// How many files a reader is sent ahead of the one it is reading, so that the next is
    /// waiting in its pipe while this process sniffs, hashes and hands on the last one.
    static let sentAhead = 1

    /// One reader process: the `carried` files, then every PDF `next` gives, until it ends or
    /// stops on a file. Returns the files it was sent but did not read, for the next reader.
    private func session(_ carried: [(Int, InputFile)], next: @escaping @Sendable () -> (Int, InputFile)?,
                         deliver: @escaping @Sendable (Int, ReadFile) -> Void) async -> [(Int, InputFile)] {
        let inFlight = InFlight(timeout: Self.interval(timeout))
        let decoder = JSONDecoder()
        // Its own process group, so a stop takes anything it started too (and the pipe closes).
        var options = PlatformOptions()
        options.processGroupID = 0
        do {
            let result = try await run(
                .path(FilePath(command.executable)), arguments: Arguments(command.arguments),
                environment: .inherit.updating(["OMP_THREAD_LIMIT": "1"]), platformOptions: options,
                input: .inputWriter, output: .sequence, error: .currentStandardError
            ) { execution -> SessionEnd in
                var replies = ReplyReader(iterator: execution.standardOutput.makeAsyncIterator())
                guard try await replies.next() == [] else { throw Frames.Malformed(description: "the reader did not start") }
                let writer = execution.standardInputWriter
                // Each reply lets one more file be sent.
                let (permits, permit) = AsyncStream.makeStream(of: Void.self)
                for _ in 0...Self.sentAhead { permit.yield() }
                let sending = Task {
                    let encoder = JSONEncoder()
                    var carried = carried[...]
                    for await _ in permits {
                        guard let (index, file) = carried.popFirst() ?? next() else { break }
                        // Listed before it is written: a reader stopped mid-write must not lose it.
                        // Its time starts when it is the oldest unanswered file.
                        inFlight.append(index, file) {
                            try? execution.send(signal: .kill, toProcessGroup: true)
                        }
                        do {
                            // The file's name and digest (an InputFile encodes as those alone), then its bytes.
                            let header = try encoder.encode(file)
                            _ = try await writer.write(Frames.encode(header))
                            _ = try await writer.write(Frames.encode(file.data))
                        } catch {
                            return  // the reader is gone; the reply loop says why
                        }
                    }
                    try? await writer.finish()
                }
                defer { sending.cancel() }
                // Whether the reader answered nonsense (then it is stopped by us, and that is its fault).
                var misbehaved = false
                while true {
                    let reply: [UInt8]?
                    do { reply = try await replies.next() } catch { reply = nil; misbehaved = true }
                    guard let reply else { break }
                    guard let (index, file) = inFlight.answered() else { break }
                    permit.yield()
                    do {
                        deliver(index, try decoder.decode(ReadFile.self, from: Data(reply)))
                    } catch {
                        inFlight.putBack(index, file)
                        misbehaved = true
                        break
                    }
                }
                // The replies ended: the reader has read everything it was sent, or it was stopped
                // (or died) on the oldest file not answered.
                permit.finish()
                sending.cancel()
                await sending.value
                guard let (index, file, timedOut) = inFlight.stopped() else { return .finished }
                try? execution.send(signal: .kill, toProcessGroup: true)
                return .stopped(index, file, timedOut: timedOut, misbehaved: misbehaved)
            }
            if case let .stopped(index, file, timedOut, misbehaved) = result.closureResult {
                let reason: Diagnostic
                if timedOut {
                    reason = Diagnostic(.unreadable, code: "timeout",
                        "reading this file took longer than the \(Self.seconds(timeout)) limit per document (--doc-timeout); it was stopped")
                } else if !misbehaved, case let .signaled(signal) = result.terminationStatus, [SIGKILL, SIGTERM, SIGINT, SIGHUP].contains(signal) {
                    // Stopped from outside (an operator, systemd stopping the service, the kernel
                    // short of memory): not the file's fault, so it is read again.
                    reason = Diagnostic(.unreadable, code: ReadFailure.readerStopped,
                        "the PDF reader was stopped from outside (signal \(signal)) while reading this file; it is read again")
                } else {
                    reason = Diagnostic(.unreadable, code: "reader-crashed",
                        "the PDF reader stopped unexpectedly on this file (\(Self.describe(result.terminationStatus))); the file may be damaged")
                }
                logger.warning("reader stopped", metadata: ["sha256": "\(file.sha256.prefix(12))", "reason": "\(reason.code)"])
                deliver(index, .unreadable(file.withoutBytes, format: .pdf, reason))
                return Array(inFlight.unread().dropFirst())
            }
            return inFlight.unread()
        } catch {
            // The reader process could not be started: a broken installation, not a bad file.
            logger.error("cannot start a reader process", metadata: ["error": "\(error)"])
            var unread = inFlight.unread()
            if unread.isEmpty { unread = carried }
            guard let (index, file) = unread.first else { return [] }
            deliver(index, .unreadable(file.withoutBytes, format: .pdf, Self.unavailable))
            return Array(unread.dropFirst())
        }
    }

    /// Descriptors one reader process costs this process (its pipes, with room to spare).
    static let descriptorsPerReader = 10

    /// How many reader processes the open-file limit leaves room for, beside what is open now.
    static func readersThatFit() -> Int {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return Int.max }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 32
        return (Int(limit.rlim_cur) - open - 16) / descriptorsPerReader
    }

    static let unavailable = Diagnostic(.unreadable, code: ReadFailure.readerUnavailable,
                                        "no reader process could be started for this file (out of processes or open files?)")

    static func seconds(_ d: Duration) -> String {
        let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        return s == s.rounded() ? "\(Int(s)) s" : String(format: "%.2f s", s)
    }

    static func interval(_ d: Duration) -> DispatchTimeInterval {
        .nanoseconds(Int(min(Double(Int.max / 2), (Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9).rounded())))
    }

    static func describe(_ status: TerminationStatus) -> String {
        switch status {
        case let .exited(code): "exit status \(code)"
        case let .signaled(signal): "signal \(signal)"
        }
    }
}

/// Reply frames from a reader's standard output.
struct ReplyReader {
    var iterator: SubprocessOutputSequence.Iterator
    var decoder = Frames.Decoder()

    mutating func next() async throws -> [UInt8]? {
        while true {
            if let message = try decoder.next() { return message }
            guard let buffer = try await iterator.next() else { return nil }
            buffer.withUnsafeBytes { decoder.append($0) }
        }
    }
}

/// Indices handed out once each, to whichever worker asks first.
final class WorkQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private let count: Int
    init(count: Int) { self.count = count }
    func take() -> Int? {
        lock.withLock {
            guard next < count else { return nil }
            defer { next += 1 }
            return next
        }
    }
}

/// The files a reader has been sent and not yet answered, oldest first. The oldest is the one
/// being read: it alone is under the time limit, from when it became the oldest.
final class InFlight: @unchecked Sendable {
    private let lock = NSLock()
    private var files: [(index: Int, file: InputFile)] = []
    private let timeout: DispatchTimeInterval
    private var stop: (@Sendable () -> Void)? = nil
    private var watchdog: DispatchWorkItem? = nil
    /// Which watch is current: one that fires as its file is answered must not stop the next.
    private var watch = 0
    private var expired = false
    private static let watchdogs = DispatchQueue(label: "secor.reader-watchdog")

    init(timeout: DispatchTimeInterval) { self.timeout = timeout }

    /// A file sent; `stop` ends the reader when the oldest file is over its time.
    func append(_ index: Int, _ file: InputFile, stop: @escaping @Sendable () -> Void) {
        lock.withLock {
            self.stop = stop
            files.append((index, file))
            if files.count == 1 { startWatch() }
        }
    }

    /// The oldest file, now answered; the next one's time starts.
    func answered() -> (Int, InputFile)? {
        lock.withLock {
            guard !files.isEmpty else { return nil }
            watchdog?.cancel()
            watchdog = nil
            watch += 1
            let first = files.removeFirst()
            if !files.isEmpty { startWatch() }
            return first
        }
    }

    /// An answered file that turned out not to be (its reply was unreadable).
    func putBack(_ index: Int, _ file: InputFile) {
        lock.withLock { files.insert((index, file), at: 0) }
    }

    /// The file the reader stopped on (still listed, until it is said so), and whether it was
    /// stopped for its time; nil when every file was answered.
    func stopped() -> (Int, InputFile, Bool)? {
        lock.withLock {
            watchdog?.cancel()
            guard let first = files.first else { return nil }
            return (first.index, first.file, expired)
        }
    }

    /// The files sent and not read.
    func unread() -> [(Int, InputFile)] {
        lock.withLock {
            defer { files = [] }
            return files.map { ($0.index, $0.file) }
        }
    }

    /// On a Dispatch timer of its own serial queue, not a task or the global queue: the stop must
    /// come on time even when every cooperative thread, and every thread of the global pool (the
    /// reads themselves), is busy; a serial queue always gets a thread.
    private func startWatch() {
        watch += 1
        let mine = watch
        let item = DispatchWorkItem { [self] in
            let stop = lock.withLock { () -> (@Sendable () -> Void)? in
                guard watch == mine, !files.isEmpty else { return nil }
                expired = true
                return self.stop
            }
            stop?()
        }
        watchdog = item
        Self.watchdogs.asyncAfter(deadline: .now() + timeout, execute: item)
    }
}
