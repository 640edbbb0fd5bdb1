import Dispatch
import Foundation

/// Maps items on `jobs` threads, keeping their order.
public enum ParallelMap {
    public static func map<T: Sendable, R: Sendable>(_ items: [T], jobs: Int, _ transform: @Sendable (T) -> R) -> [R] {
        guard jobs > 1, items.count > 1 else { return items.map(transform) }
        let results = OrderedResults<R>(count: items.count)
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

/// Results that arrive in any order from several workers, kept in their items' order.
public final class OrderedResults<R>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [R?]
    public init(count: Int) { slots = Array(repeating: nil, count: count) }
    public func set(_ i: Int, _ value: R) { lock.withLock { slots[i] = value } }
    /// Every result, in order; a slot never set is left out.
    public func values() -> [R] { lock.withLock { slots.compactMap { $0 } } }
}
