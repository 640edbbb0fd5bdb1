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
public struct IsolatedReading: BatchReading {
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
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, min(jobs, paths.count)) {
                group.addTask {
                    let next = { self.nextPDF(queue: queue, paths: paths, deliver: deliver) }
                    while let first = next() {
                        await self.session(first: first, next: next, deliver: deliver)
                    }
                }
            }
        }
    }

    /// One file already in memory (the watcher's), read and returned.
    public func read(_ file: InputFile) async -> ReadFile {
        let format = Sniffer.format(of: file.data)
        guard format == .pdf else { return readHere(file, format: format) }
        let result = OrderedResults<ReadFile>(count: 1)
        await session(first: (0, file), next: { nil }, deliver: { result.set($0, $1) })
        return result.values().first ?? .unreadable(file.withoutBytes, format: .pdf, Self.unavailable)
    }

    /// `read(_:)` for callers on a plain thread (the watcher's loop).
    public func readWaiting(_ file: InputFile) -> ReadFile {
        let result = OrderedResults<ReadFile>(count: 1)
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            result.set(0, await self.read(file))
            done.signal()
        }
        done.wait()
        return result.values()[0]
    }

    // MARK: -

    private func readHere(_ file: InputFile, format: DocumentFormat) -> ReadFile {
        var read = extraction.read(file, format: format)
        read.file = file.withoutBytes
        return read
    }

    /// Takes files off the queue, reading all but PDFs here, until a PDF (returned) or the end.
    private func nextPDF(queue: WorkQueue, paths: [String], deliver: @Sendable (Int, ReadFile) -> Void) -> (Int, InputFile)? {
        while let index = queue.take() {
            switch extraction.sniffer.sniff(path: paths[index]) {
            case let .failed(path, reason):
                deliver(index, .unreadable(InputFile(path: path, data: Data()), format: .unrecognized, reason))
            case let .sniffed(file, format) where format != .pdf:
                deliver(index, readHere(file, format: format))
            case let .sniffed(file, _):
                return (index, file)
            }
        }
        return nil
    }

    private enum SessionEnd: Sendable {
        case finished
        /// The reader was stopped (or died) on this file.
        case stopped(Int, InputFile, timedOut: Bool)
    }

    /// One reader process: `first`, then every PDF `next` gives, until it ends or stops on a file.
    private func session(first: (Int, InputFile), next: () -> (Int, InputFile)?,
                         deliver: @Sendable (Int, ReadFile) -> Void) async {
        var pending: (Int, InputFile)? = first
        let encoder = JSONEncoder()
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
                while let (index, file) = pending ?? next() {
                    pending = nil
                    let expired = Flag()
                    // On a Dispatch timer, not a task: the kill must come on time even when
                    // every cooperative thread is busy.
                    let watchdog = DispatchWorkItem {
                        expired.set()
                        try? execution.send(signal: .kill, toProcessGroup: true)
                    }
                    DispatchQueue.global().asyncAfter(deadline: .now() + Self.interval(self.timeout), execute: watchdog)
                    do {
                        let header = try encoder.encode(ReaderWorker.Request(path: file.path, sha256: file.sha256))
                        _ = try await execution.standardInputWriter.write(Frames.encode(header))
                        _ = try await execution.standardInputWriter.write(Frames.encode(file.data))
                        guard let reply = try await replies.next() else { throw Frames.Malformed(description: "the reader ended") }
                        watchdog.cancel()
                        deliver(index, try decoder.decode(ReadFile.self, from: Data(reply)))
                    } catch {
                        watchdog.cancel()
                        try? execution.send(signal: .kill, toProcessGroup: true)
                        return .stopped(index, file, timedOut: expired.isSet)
                    }
                }
                try await execution.standardInputWriter.finish()
                return .finished
            }
            if case let .stopped(index, file, timedOut) = result.closureResult {
                let reason: Diagnostic
                if timedOut {
                    reason = Diagnostic(.unreadable, code: "timeout",
                        "reading this file took longer than the \(Self.seconds(timeout)) limit per document (--doc-timeout); it was stopped")
                } else {
                    reason = Diagnostic(.unreadable, code: "reader-crashed",
                        "the PDF reader stopped unexpectedly on this file (\(Self.describe(result.terminationStatus))); the file may be damaged")
                }
                logger.warning("reader stopped", metadata: ["sha256": "\(file.sha256.prefix(12))", "reason": "\(reason.code)"])
                deliver(index, .unreadable(file.withoutBytes, format: .pdf, reason))
            }
        } catch {
            // The reader process could not be started: a broken installation, not a bad file.
            logger.error("cannot start a reader process", metadata: ["error": "\(error)"])
            if let (index, file) = pending { deliver(index, .unreadable(file.withoutBytes, format: .pdf, Self.unavailable)) }
        }
    }

    static let unavailable = Diagnostic(.unreadable, code: "reader-unavailable", "no reader process could be started for this file")

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

final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
