import Foundation
import SecorCore

/// How well generated scans were read: each field value against what was written.
public struct AccuracyReport: Sendable, CustomStringConvertible {
    public struct Miss: Sendable, CustomStringConvertible {
        public let file: String
        public let key: String
        public let written: String
        public let read: String
        public let confidence: Double
        public var description: String {
            "\(file) \(key): wrote “\(written)”, read “\(read)” (confidence \(String(format: "%.2f", confidence)))"
        }
    }

    public let threshold: Double
    public private(set) var values = 0
    public private(set) var right = 0
    /// Values reported below the threshold, right or wrong: staff review them.
    public private(set) var sentToReview = 0
    /// Read with every letter and digit right but a mark of punctuation lost or added ("Ltd" for
    /// "Ltd.", "Dr Weyburn" for "Dr, Weyburn"): counted right, and listed.
    public private(set) var punctuationOnly: [Miss] = []
    /// Read wrong yet reported at or above the threshold: the failure that must not happen.
    public private(set) var wrongButSure: [Miss] = []
    /// Read wrong and reported below the threshold: staff review catches these.
    public private(set) var wrongAndFlagged: [Miss] = []

    public init(threshold: Double) { self.threshold = threshold }

    public var accuracy: Double { values == 0 ? 0 : Double(right) / Double(values) }
    /// The share of values read wrong yet reported sure.
    public var confidentlyWrong: Double { values == 0 ? 0 : Double(wrongButSure.count) / Double(values) }

    /// One line for a table: values, right, sent to review, confidently wrong.
    public var line: String {
        String(format: "%6d values  %6.2f%% right  %6.2f%% sent to review  %5.2f%% confidently wrong",
               values, accuracy * 100, Double(sentToReview) / Double(max(1, values)) * 100, confidentlyWrong * 100)
    }

    /// Adds one document: what was written and what was read from it.
    public mutating func add(file: String, written: [String: String], read: ExtractedDocument?) {
        for (key, value) in written.sorted(by: { $0.key < $1.key }) {
            values += 1
            let field = read?.fields[key]
            if (field?.confidence ?? 0) < threshold { sentToReview += 1 }
            if field?.value == value {
                right += 1
            } else if let read = field?.value, !read.isEmpty, Self.withoutPunctuation(read) == Self.withoutPunctuation(value) {
                right += 1
                punctuationOnly.append(Miss(file: file, key: key, written: value, read: read, confidence: field?.confidence ?? 0))
            } else {
                let miss = Miss(file: file, key: key, written: value, read: field?.value ?? "(not read)", confidence: field?.confidence ?? 0)
                if (field?.confidence ?? 0) >= threshold { wrongButSure.append(miss) } else { wrongAndFlagged.append(miss) }
            }
        }
    }

    static func withoutPunctuation(_ s: String) -> String {
        s.filter { $0.isLetter || $0.isNumber || $0 == " " }.split(separator: " ").joined(separator: " ")
    }

    public var description: String {
        var s = String(format: "%d of %d field values read right (%.2f%%); %d wrong but sure (confidence ≥ %.2f); %d wrong and sent to review\n",
                       right, values, accuracy * 100, wrongButSure.count, threshold, wrongAndFlagged.count)
        // In the order of the files and fields, so that two runs' lists compare line by line.
        func sorted(_ misses: [Miss]) -> [Miss] { misses.sorted { ($0.file, $0.key) < ($1.file, $1.key) } }
        for m in sorted(wrongButSure) { s += "  SURE BUT WRONG: \(m)\n" }
        for m in sorted(wrongAndFlagged) { s += "  flagged: \(m)\n" }
        for m in sorted(punctuationOnly) { s += "  punctuation only: \(m)\n" }
        return s
    }
}
