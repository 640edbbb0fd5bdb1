import Foundation
import Testing
import SecorCore
@testable import SecorOutput
import SecorFixtures

/// Records written by `PrettyJSON` are the bytes Foundation's encoder writes for them.
@Suite struct PrettyJSONTests {
    static let odd = ["", "Prairie Glass Inc.", "q\"\\/\u{1}\u{1f}\t\n\r\u{8}\u{c}é😀\u{7f}\u{2028}", "Ltée", "a/b", "x\u{0}y", "e\u{301}"]
    static let numbers: [Double] = [0, -0.0, 0.5, 0.93, 1, 300, 1e-05, 2.5e-07, 0.1, 1e15, 9e15, 9_007_199_254_740_991,
                                    9_007_199_254_740_992, 1e16, 1e21, -12.25, 123_456_789.123, 0.999, 1.0 / 3]

    /// A record with every kind of member, from a seeded generator.
    static func record(_ seed: Int) throws -> ApplicationRecord {
        var rng = SeededRandom(seed: UInt64(seed))
        func text() -> String { odd[Int(rng.next() % UInt64(odd.count))] }
        func number() -> Double { numbers[Int(rng.next() % UInt64(numbers.count))] }
        func maybe(_ value: Any) -> Any? { rng.next() % 3 == 0 ? nil : value }
        func box() -> [Double] { [number(), number(), number(), number()] }
        func fields() -> [String: Any] {
            var f: [String: Any] = [:]
            for i in 0..<Int(rng.next() % 5) {
                f[["company_legal_name", "wcb_account_number", "a_b", "ab", "B", "é", "z\(i)"][Int(rng.next() % 7)]] =
                    rng.next() % 2 == 0 ? Int(rng.next() % 40) : text()
            }
            return f
        }
        var readings: [String: Any] = [:]
        for key in ["signature", "decl_office", "company_role"] where rng.next() % 4 != 0 {
            readings[key] = ["source": "ink", "confidence": number(), "document": maybe(text()), "page": maybe(2), "box": maybe(box())]
                .compactMapValues { $0 }
        }
        let reasons: [[String: Any]] = (0..<Int(rng.next() % 3)).map { _ in
            ["code": text(), "severity": "reject", "message": text(), "rule": "secor/2018/r1", "field": maybe(text()),
             "found": maybe(text()), "label": maybe(text()), "document": maybe(text()), "page": maybe(1), "box": maybe(box())]
                .compactMapValues { $0 }
        }
        var record: [String: Any] = [
            "id": text(), "decision": "rejected", "program": "SECOR", "edition": "2018-09",
            "documents": (0..<Int(rng.next() % 3)).map { _ in ["path": text(), "sha256": "ab", "kind": "registration", "pages": 2] },
            "fields": fields(), "declaration_fields": fields(),
            "as_written": rng.next() % 2 == 0 ? [:] : ["registration": fields().mapValues { "\($0)" }, "declaration": [String: String]()],
            "reasons": reasons, "readings": readings,
        ]
        if rng.next() % 2 == 0 { record["submitted"] = "2026-05-14T10:25:00-06:00" }
        if rng.next() % 2 == 0 { record["unconfirmed"] = (0..<Int(rng.next() % 3)).map { _ in text() } }
        if rng.next() % 2 == 0 {
            record["corrections"] = Dictionary(uniqueKeysWithValues: (0..<Int(rng.next() % 3)).map { i in
                ("f\(i)", ["field": text(), "value": text(), "read": text(), "by": text(), "at": "2026-11-22T10:00:00Z", "note": maybe(text())]
                    .compactMapValues { $0 })
            })
        }
        if rng.next() % 2 == 0 { record["override"] = ["decision": "accepted", "reason": text(), "by": text(), "at": text()] }
        if rng.next() % 2 == 0 { record["superseded_by"] = text() }
        if rng.next() % 2 == 0 { record["supersedes"] = (0..<Int(rng.next() % 3)).map { _ in text() } }
        return try JSONDecoder().decode(ApplicationRecord.self, from: JSONSerialization.data(withJSONObject: record))
    }

    @Test func recordsAreTheEncodersBytes() throws {
        for seed in 0..<300 {
            let record = try Self.record(seed)
            let encoder = try JSONOutput.encoderString(record)
            #expect(try JSONOutput.string(record) == encoder, "seed \(seed)")
            // Indented as the batch report nests it: every line after the first two levels in.
            let indented = encoder.replacingOccurrences(of: "\n", with: "\n    ")
            #expect(String(decoding: try JSONOutput.bytes(record, indent: 2), as: UTF8.self) == indented, "seed \(seed)")
        }
    }

    @Test func whatTheEncoderRefusesIsRefused() throws {
        var record = try Self.record(1)
        record.readings["signature"] = .init(source: .ink, confidence: .nan, document: nil, page: nil, box: nil)
        #expect(throws: EncodingError.self) { try JSONOutput.string(record) }
    }

    @Test func keysSortByTheirBytes() {
        #expect(utf8Precedes("B", "_") && utf8Precedes("_", "a") && utf8Precedes("a_b", "ab") && utf8Precedes("ab", "b"))
        #expect(utf8Precedes("b", "é") && utf8Precedes("a", "ab") && !utf8Precedes("ab", "ab"))
    }
}
