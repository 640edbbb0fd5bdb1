import Foundation
import SecorSchemas
import Yams

/// How serious a reason is: `reject` goes back to the applicant, `review` to staff.
public enum RuleSeverity: String, Sendable, Codable {
    case reject, review
}

/// A condition a rule tests. The kinds of check are code; which fields, limits and
/// values they use are data in the edition file.
public struct RuleCondition: Sendable, Codable, Hashable {
    /// The field tested: a registration key, or `declaration.<key>`.
    public var field: String?
    public var present: Bool?
    public var equals: String?
    public var `in`: [String]?
    public var notIn: [String]?
    /// The sum of these counts...
    public var sum: [String]?
    /// ...(or the field) is at most this.
    public var atMost: Int?
    /// The field equals the sum of these counts.
    public var equalsSum: [String]?
    /// A date no later than `processing_date`.
    public var notAfter: String?
    /// Same normalized value as another field (WCB account on both documents).
    public var sameAs: String?
    /// Same company, by the company-name comparison key.
    public var sameCompanyAs: String?
    /// At least one of these fields is filled in.
    public var anyPresent: [String]?
    /// The application holds this document (`registration` or `declaration`).
    public var documentPresent: String?
    /// The trained employee is not already named for another WCB account (rule 5 across applications).
    public var traineeNotClaimed: Bool?

    enum CodingKeys: String, CodingKey {
        case field, present, equals, `in`, sum
        case notIn = "not_in"
        case atMost = "at_most"
        case equalsSum = "equals_sum"
        case notAfter = "not_after"
        case sameAs = "same_as"
        case sameCompanyAs = "same_company_as"
        case anyPresent = "any_present"
        case documentPresent = "document_present"
        case traineeNotClaimed = "trainee_not_claimed"
    }
}

/// One program rule: what it checks, how serious a failure is, and what the applicant is told.
public struct ProgramRule: Sendable, Codable, Hashable {
    public let id: String
    public let severity: RuleSeverity
    /// The form field a reason names (a forms-README key, `declaration_...`, or `declaration`).
    public let field: String?
    /// The rule applies only when all of these hold.
    public let when: [RuleCondition]?
    public let require: RuleCondition?
    /// Fields that must each be filled in (one reason per blank field).
    public let required: [String]?
    /// Declaration statements that must each be ticked.
    public let ticked: [String]?
    public let message: String
    /// The program's own words this rule enforces.
    public let programText: String?
    /// What the applicant should do instead of sending a corrected form, for a reason a
    /// correction cannot put right (a company too large applies for COR). Nil: send it corrected.
    public let instead: String?

    enum CodingKeys: String, CodingKey {
        case id, severity, field, when, require, required, ticked, message, instead
        case programText = "program_text"
    }
}

/// What to tell the applicant when a value is written but is not a valid one.
public struct FormatRule: Sendable, Codable, Hashable {
    /// A field key (`declaration.<key>` for the declaration) ...
    public let field: String?
    /// ... or every field of a kind (`count`, `choice`, `yn`) ...
    public let kind: FieldKind?
    /// ... or any ambiguous value.
    public let ambiguous: Bool?
    public let reasonField: String?
    public let severity: RuleSeverity
    public let message: String

    enum CodingKeys: String, CodingKey {
        case field, kind, ambiguous, severity, message
        case reasonField = "reason_field"
    }
}

/// One edition of a program's rules, read from `schemas/programs/<program>/<edition>.yaml`.
public struct ProgramEdition: Sendable, Codable {
    public let program: String
    public let title: String
    public let edition: String
    public let effectiveFrom: CalendarDate
    public let effectiveUntil: CalendarDate?
    public let reviewBelowConfidence: Double
    /// What an online submission (the XML export) counts as, by field: submitting it is signing it.
    public let onlineSubmission: [String: String]?
    public let formats: [FormatRule]
    public let rules: [ProgramRule]
    /// What follows an accepted registration: deadlines, waits, windows (absent: nothing follows).
    public let lifecycle: LifecycleTerms?

    enum CodingKeys: String, CodingKey {
        case program, title, edition, formats, rules, lifecycle
        case onlineSubmission = "online_submission"
        case effectiveFrom = "effective_from"
        case effectiveUntil = "effective_until"
        case reviewBelowConfidence = "review_below_confidence"
    }

    public func isEffective(on date: CalendarDate) -> Bool {
        effectiveFrom <= date && (effectiveUntil.map { date < $0 } ?? true)
    }

    /// `program/edition/rule-id`, as reasons cite it.
    public func cite(_ ruleID: String) -> String { "\(program)/\(edition)/\(ruleID)" }

    public static func load(yaml: String, file: String) throws -> ProgramEdition {
        do {
            return try YAMLDecoder().decode(ProgramEdition.self, from: yaml)
        } catch {
            throw SchemaError(file: file, reason: "\(error)")
        }
    }
}

/// Every edition of every program found under a folder; picks the one in effect on a date.
public struct ProgramLibrary: Sendable {
    public let editions: [ProgramEdition]

    public init(editions: [ProgramEdition]) {
        self.editions = editions.sorted { ($0.program, $0.effectiveFrom) < ($1.program, $1.effectiveFrom) }
    }

    /// Reads `<folder>/<program>/*.yaml`.
    public static func load(from folder: URL = SchemaFiles.programs) throws -> ProgramLibrary {
        let fm = FileManager.default
        var editions: [ProgramEdition] = []
        let programs = (try? fm.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
        for program in programs.sorted(by: { $0.path < $1.path }) {
            let files = (try? fm.contentsOfDirectory(at: program, includingPropertiesForKeys: nil)) ?? []
            for file in files where file.pathExtension == "yaml" || file.pathExtension == "yml" {
                let text = try String(contentsOf: file, encoding: .utf8)
                editions.append(try ProgramEdition.load(yaml: text, file: file.path))
            }
        }
        guard !editions.isEmpty else { throw SchemaError(file: folder.path, reason: "no program editions found") }
        return ProgramLibrary(editions: editions)
    }

    /// Loaded once per process; the files are part of the program.
    public static let shipped: Result<ProgramLibrary, SchemaError> = Result {
        try ProgramLibrary.load()
    }.mapError { $0 as? SchemaError ?? SchemaError(file: "schemas/programs", reason: "\($0)") }

    /// The edition of `program` in effect on `date`; before the first edition, the first.
    public func edition(of program: String = "sk-secor", on date: CalendarDate) -> ProgramEdition? {
        let mine = editions.filter { $0.program == program }
        return mine.last { $0.isEffective(on: date) } ?? mine.last { $0.effectiveFrom <= date } ?? mine.first
    }
}
