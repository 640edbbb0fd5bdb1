import Dispatch
import Foundation
import Logging
import SecorCore
import SecorReaders

/// `secor-intake extract`: reads each file and prints what was found.
public struct ExtractJob {
    public let format: OutputFormat
    /// Files read at once; each worker opens its own documents.
    public let jobs: Int
    let logger = Logger(label: "secor.extract")

    public init(format: OutputFormat, jobs: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.format = format
        self.jobs = max(1, jobs)
    }

    /// Returns whether every file was read as a SECOR document.
    public func run(paths: [String]) throws -> Bool {
        let extraction = try Extraction.shipped()
        let reports = ParallelMap.map(paths, jobs: jobs) { path in ExtractReport(extraction.read(path: path)) }
        for report in reports {
            // No applicant data above debug: the digest prefix and the outcome only.
            logger.info("read", metadata: ["sha256": "\(report.sha256.prefix(12))", "kind": "\(report.kind)",
                                           "reasons": "\(report.reasons.map(\.code).joined(separator: ","))"])
        }
        switch format {
        case .json: print(try ExtractOutput.json(reports))
        case .text: print(ExtractOutput.text(reports), terminator: "")
        }
        return reports.allSatisfy(\.wasRead)
    }
}

/// Maps items on `jobs` threads, keeping their order.
public enum ParallelMap {
    public static func map<T: Sendable, R: Sendable>(_ items: [T], jobs: Int, _ transform: @Sendable (T) -> R) -> [R] {
        guard jobs > 1, items.count > 1 else { return items.map(transform) }
        let results = ResultSlots<R>(count: items.count)
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: min(jobs, items.count)) { _ in
            while let i = next.take(below: items.count) {
                results.set(i, transform(items[i]))
            }
        }
        return results.values()
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func take(below limit: Int) -> Int? {
        lock.withLock {
            guard value < limit else { return nil }
            defer { value += 1 }
            return value
        }
    }
}

private final class ResultSlots<R>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [R?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: R) { lock.withLock { slots[i] = value } }
    func values() -> [R] { lock.withLock { slots.map { $0! } } }
}
