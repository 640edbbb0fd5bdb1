import Testing
@testable import SecorCore

/// The counts' total chooses among a doubtful hand-written count's likely digits: one choice,
/// only when it is the only one that adds up, and never against a total in doubt.
@Suite struct CountContextTests {
    static let parts = ["workers_owners", "workers_full_time", "workers_part_time"]

    static func count(_ key: String, _ written: String, _ confidence: Double, _ alternatives: [String] = []) -> NormalizedField {
        NormalizedField(key: key, label: key, written: written, value: Int(written).map(FieldValue.count), status: written.isEmpty ? .blank : .ok,
                        source: .ocr, confidence: confidence, page: 1, box: nil, alternatives: alternatives)
    }

    static func choose(_ fields: [NormalizedField], total: NormalizedField) -> (String, NormalizedField)? {
        var all = Dictionary(uniqueKeysWithValues: fields.map { ($0.key, $0) })
        all["workers_total"] = total
        return Validator.countTheTotalChooses(parts: parts, total: "workers_total", fields: all, uncertain: { $0.confidence < 0.8 })
    }

    @Test func aDoubtfulDigitIsTheOneThatAddsUpToASureTotal() throws {
        // A "3" read as 7: its next likeliest digit makes 1 + 3 + 1 = 5.
        let fields = [Self.count("workers_owners", "1", 0.75), Self.count("workers_full_time", "7", 0.6, ["3", "1"]),
                      Self.count("workers_part_time", "1", 0.9)]
        let (key, chosen) = try #require(Self.choose(fields, total: Self.count("workers_total", "5", 0.95)))
        #expect(key == "workers_full_time")
        #expect(chosen.value == .count(3) && chosen.written == "3")
        #expect(chosen.confidence >= 0.8 && chosen.confidence < 0.9)
        #expect(chosen.alternatives.contains("7"), "what was read first stays on record as another reading")
        // A count written and not made out at all is chosen the same way.
        let blank = [Self.count("workers_owners", "1", 0.9), Self.count("workers_full_time", "", 0.3, ["2", "0"]),
                     Self.count("workers_part_time", "2", 0.9)]
        #expect(Self.choose(blank, total: Self.count("workers_total", "3", 0.95))?.1.value == .count(0))
    }

    @Test func noChoiceWhenTheTotalIsInDoubtOrTwoDigitsWouldAddUp() {
        let fields = [Self.count("workers_owners", "1", 0.75), Self.count("workers_full_time", "7", 0.6, ["3", "1"]),
                      Self.count("workers_part_time", "1", 0.9)]
        #expect(Self.choose(fields, total: Self.count("workers_total", "5", 0.6)) == nil, "the total is in doubt")
        // Two doubtful counts, each of which could be the one: no choice.
        let two = [Self.count("workers_owners", "4", 0.6, ["2"]), Self.count("workers_full_time", "7", 0.6, ["5"]),
                   Self.count("workers_part_time", "1", 0.9)]
        #expect(Self.choose(two, total: Self.count("workers_total", "10", 0.95)) == nil)
        // Nothing the model saw adds up.
        let none = [Self.count("workers_owners", "1", 0.75), Self.count("workers_full_time", "7", 0.6, ["9", "1"]),
                    Self.count("workers_part_time", "1", 0.9)]
        #expect(Self.choose(none, total: Self.count("workers_total", "5", 0.95)) == nil)
        // Counts that add up as read are left to the rule that confirms them.
        let right = [Self.count("workers_owners", "1", 0.75), Self.count("workers_full_time", "3", 0.6, ["8"]),
                     Self.count("workers_part_time", "1", 0.9)]
        #expect(Self.choose(right, total: Self.count("workers_total", "5", 0.95)) == nil)
    }
}
