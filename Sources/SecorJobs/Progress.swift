import Foundation

/// Progress of a batch on stderr: a bar that redraws itself on a terminal (done/total,
/// rate, time left), one plain line per document otherwise (a log, a pipe).
public final class BatchProgress: @unchecked Sendable {
    private let total: Int
    private let started = Date()
    private let lock = NSLock()
    private var done = 0
    private let isTerminal: Bool
    private let enabled: Bool
    private var lastDraw = Date.distantPast

    public init(total: Int, enabled: Bool = true) {
        self.total = total
        self.enabled = enabled && total > 0
        self.isTerminal = isatty(STDERR_FILENO) == 1
    }

    /// One document finished; `outcome` is a word like `registration` or `unreadable` (no applicant data).
    public func finished(sha256: String, outcome: String) {
        guard enabled else { return }
        lock.withLock {
            done += 1
            if isTerminal {
                let now = Date()
                guard done == total || now.timeIntervalSince(lastDraw) > 0.1 else { return }
                lastDraw = now
                write("\r" + Self.bar(done: done, total: total, elapsed: now.timeIntervalSince(started)) + (done == total ? "\n" : ""))
            } else {
                write("[\(done)/\(total)] \(sha256.prefix(12)) \(outcome)\n")
            }
        }
    }

    /// `[#####.....] 50/100  12.5 files/s  0:04 left`
    static func bar(done: Int, total: Int, elapsed: TimeInterval, width: Int = 30) -> String {
        let filled = total > 0 ? width * done / total : width
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let left = rate > 0 ? Int((Double(total - done) / rate).rounded()) : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        return String(format: "[%@] %d/%d  %.1f files/s  %d:%02d left", bar, done, total, rate, left / 60, left % 60)
    }

    private func write(_ s: String) {
        FileHandle.standardError.write(Data(s.utf8))
    }
}
