import Foundation
import SecorSchemas
import Yams

/// How serious a reason is: `reject` goes back to the applicant, `review` to staff.
public enum RuleSeverity: String, Sendable, Codable {
    case reject, review
}

/// A condition a rule tests: one kind of check, decoded from the edition file when it is loaded.
/// The kinds are code; which fields, limits and values they use are data. A condition with a key
/// no kind knows, or with the keys of two kinds, is refused at load, naming the file and the rule.
public enum RuleCondition: Sendable, Hashable {
    /// The field is filled in (`present: true`) or blank (`present: false`).
    case present(field: String, filled: Bool)
    /// The field's value, case aside.
    case equals(field: String, value: String)
    case oneOf(field: String, values: [String])
    case noneOf(field: String, values: [String])
    /// A count at most `limit`.
    case atMost(field: String, limit: Int)
    /// The sum of these counts at most `limit`.
    case sumAtMost(fields: [String], limit: Int)
    /// The field equals the sum of these counts.
    case equalsSum(field: String, parts: [String])
    /// A date no later than the processing date.
    case notAfterProcessingDate(field: String)
    /// The same normalized value as another field (the WCB account on both documents).
    case sameAs(field: String, other: String)
    /// The same company, by the company-name comparison key.
    case sameCompanyAs(field: String, other: String)
    /// At least one of these fields is filled in.
    case anyPresent([String])
    /// The application holds this document (`registration` or `declaration`).
    case documentPresent(String)
    /// The trained employee is not already named for another WCB account (rule 5 across applications).
    case traineeNotClaimed
    /// A number (a percentage, a count) at least `limit` (Alberta's 80% pass mark).
    case atLeast(field: String, limit: Double)
    /// A date no later than another date of the document (the audit date and the date signed).
    case notAfterField(field: String, other: String)
    // Alberta's checks against the registry's enrolments and certificates (they need a registry):
    /// The account has an accepted enrolment on record (`enrolled: true`), or none yet (`false`).
    case enrolled(Bool)
    /// The account holds no valid certificate on the processing date.
    case noValidCertificate
    /// The certificate the field names exists, is valid and is the account's own.
    case certificateOfAccount(field: String)
    /// The processing date is after the audit's window opens (`opened`) or on or before it closes (`not_closed`).
    case auditWindow(AuditWindowEdge)
    /// No maintenance audit for the same year is accepted yet on the certificate named.
    case auditYearOpen

    public enum AuditWindowEdge: String, Sendable, Hashable, Codable {
        case opened
        case notClosed = "not_closed"
    }

    /// Whether the condition reads the registry's enrolments and certificates.
    public var readsCertificates: Bool {
        switch self {
        case .enrolled, .noValidCertificate, .certificateOfAccount, .auditWindow, .auditYearOpen: true
        default: false
        }
    }

    // What each kind reads, for the code that asks (nil where the kind has none).
    public var field: String? {
        switch self {
        case let .present(f, _), let .equals(f, _), let .oneOf(f, _), let .noneOf(f, _), let .atMost(f, _), let .equalsSum(f, _),
             let .notAfterProcessingDate(f), let .sameAs(f, _), let .sameCompanyAs(f, _), let .atLeast(f, _), let .notAfterField(f, _),
             let .certificateOfAccount(f): f
        case .sumAtMost, .anyPresent, .documentPresent, .traineeNotClaimed, .enrolled, .noValidCertificate, .auditWindow, .auditYearOpen: nil
        }
    }
    public var sameCompanyAs: String? { if case let .sameCompanyAs(_, o) = self { o } else { nil } }
    public var sameAs: String? { if case let .sameAs(_, o) = self { o } else { nil } }
    public var notAfterOther: String? { if case let .notAfterField(_, o) = self { o } else { nil } }
    public var equalsSum: [String]? { if case let .equalsSum(_, p) = self { p } else { nil } }
    public var sum: [String]? { if case let .sumAtMost(p, _) = self { p } else { nil } }
    public var anyPresent: [String]? { if case let .anyPresent(p) = self { p } else { nil } }
    public var documentPresent: String? { if case let .documentPresent(d) = self { d } else { nil } }
    public var atMost: Int? {
        switch self { case let .atMost(_, n), let .sumAtMost(_, n): n; default: nil }
    }
    /// Whether it asks only whether something is there (filled in, or the document received).
    public var asksPresence: Bool {
        switch self { case .present, .anyPresent, .documentPresent: true; default: false }
    }
}

extension RuleCondition: Codable {
    enum Key: String, CodingKey, CaseIterable {
        case field, present, equals, `in`, sum
        case notIn = "not_in", atMost = "at_most", equalsSum = "equals_sum", notAfter = "not_after", sameAs = "same_as"
        case sameCompanyAs = "same_company_as", anyPresent = "any_present", documentPresent = "document_present"
        case traineeNotClaimed = "trainee_not_claimed"
        case atLeast = "at_least", enrolled, noValidCertificate = "no_valid_certificate"
        case certificateOfAccount = "certificate_of_account", auditWindow = "audit_window", auditYearOpen = "audit_year_open"
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let all = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
        let unknown = all.filter { Key(rawValue: $0) == nil }
        func refuse(_ why: String) -> DecodingError {
            DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: why))
        }
        if !unknown.isEmpty {
            throw refuse("unknown condition key \(unknown.sorted().joined(separator: ", ")); a condition is one of: "
                         + Key.allCases.filter { $0 != .field }.map(\.rawValue).joined(separator: ", "))
        }
        let c = try decoder.container(keyedBy: Key.self)
        let kinds = Set(all).subtracting([Key.field.rawValue])
        // `sum` goes with `at_most`; everything else is one key (with `field` where it tests one).
        let kind: Set<String> = kinds == ["sum", "at_most"] ? ["sum"] : kinds
        guard kind.count == 1, let key = kind.first.flatMap(Key.init(rawValue:)) else {
            throw refuse(kinds.isEmpty ? "a condition names no check" : "a condition with more than one check (\(kinds.sorted().joined(separator: ", "))) is ambiguous")
        }
        func field() throws -> String {
            guard let f = try c.decodeIfPresent(String.self, forKey: .field) else { throw refuse("`\(key.rawValue)` needs a `field`") }
            return f
        }
        func noField() throws {
            if c.contains(.field) { throw refuse("`\(key.rawValue)` takes no `field`") }
        }
        switch key {
        case .present: self = .present(field: try field(), filled: try c.decode(Bool.self, forKey: .present))
        case .equals: self = .equals(field: try field(), value: try c.decode(String.self, forKey: .equals))
        case .in: self = .oneOf(field: try field(), values: try c.decode([String].self, forKey: .in))
        case .notIn: self = .noneOf(field: try field(), values: try c.decode([String].self, forKey: .notIn))
        case .atMost: self = .atMost(field: try field(), limit: try c.decode(Int.self, forKey: .atMost))
        case .sum: try noField(); self = .sumAtMost(fields: try c.decode([String].self, forKey: .sum), limit: try c.decode(Int.self, forKey: .atMost))
        case .equalsSum: self = .equalsSum(field: try field(), parts: try c.decode([String].self, forKey: .equalsSum))
        case .notAfter:
            // The processing date, or another date field of the document.
            let other = try c.decode(String.self, forKey: .notAfter)
            self = other == "processing_date" ? .notAfterProcessingDate(field: try field()) : .notAfterField(field: try field(), other: other)
        case .atLeast: self = .atLeast(field: try field(), limit: try c.decode(Double.self, forKey: .atLeast))
        case .enrolled: try noField(); self = .enrolled(try c.decode(Bool.self, forKey: .enrolled))
        case .noValidCertificate:
            try noField()
            guard try c.decode(Bool.self, forKey: .noValidCertificate) else { throw refuse("`no_valid_certificate` is only ever true") }
            self = .noValidCertificate
        case .certificateOfAccount:
            guard try c.decode(Bool.self, forKey: .certificateOfAccount) else { throw refuse("`certificate_of_account` is only ever true") }
            self = .certificateOfAccount(field: try field())
        case .auditWindow: try noField(); self = .auditWindow(try c.decode(AuditWindowEdge.self, forKey: .auditWindow))
        case .auditYearOpen:
            try noField()
            guard try c.decode(Bool.self, forKey: .auditYearOpen) else { throw refuse("`audit_year_open` is only ever true") }
            self = .auditYearOpen
        case .sameAs: self = .sameAs(field: try field(), other: try c.decode(String.self, forKey: .sameAs))
        case .sameCompanyAs: self = .sameCompanyAs(field: try field(), other: try c.decode(String.self, forKey: .sameCompanyAs))
        case .anyPresent: try noField(); self = .anyPresent(try c.decode([String].self, forKey: .anyPresent))
        case .documentPresent: try noField(); self = .documentPresent(try c.decode(String.self, forKey: .documentPresent))
        case .traineeNotClaimed:
            try noField()
            guard try c.decode(Bool.self, forKey: .traineeNotClaimed) else { throw refuse("`trainee_not_claimed` is only ever true") }
            self = .traineeNotClaimed
        case .field: throw refuse("a condition names no check")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encodeIfPresent(field, forKey: .field)
        switch self {
        case let .present(_, filled): try c.encode(filled, forKey: .present)
        case let .equals(_, v): try c.encode(v, forKey: .equals)
        case let .oneOf(_, v): try c.encode(v, forKey: .in)
        case let .noneOf(_, v): try c.encode(v, forKey: .notIn)
        case let .atMost(_, n): try c.encode(n, forKey: .atMost)
        case let .sumAtMost(p, n): try c.encode(p, forKey: .sum); try c.encode(n, forKey: .atMost)
        case let .equalsSum(_, p): try c.encode(p, forKey: .equalsSum)
        case .notAfterProcessingDate: try c.encode("processing_date", forKey: .notAfter)
        case let .notAfterField(_, o): try c.encode(o, forKey: .notAfter)
        case let .atLeast(_, n): try c.encode(n, forKey: .atLeast)
        case let .enrolled(b): try c.encode(b, forKey: .enrolled)
        case .noValidCertificate: try c.encode(true, forKey: .noValidCertificate)
        case .certificateOfAccount: try c.encode(true, forKey: .certificateOfAccount)
        case let .auditWindow(e): try c.encode(e, forKey: .auditWindow)
        case .auditYearOpen: try c.encode(true, forKey: .auditYearOpen)
        case let .sameAs(_, o): try c.encode(o, forKey: .sameAs)
        case let .sameCompanyAs(_, o): try c.encode(o, forKey: .sameCompanyAs)
        case let .anyPresent(p): try c.encode(p, forKey: .anyPresent)
        case let .documentPresent(d): try c.encode(d, forKey: .documentPresent)
        case .traineeNotClaimed: try c.encode(true, forKey: .traineeNotClaimed)
        }
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
    /// What a sum of counts counts, in the applicant's words (`workers`, `employees`).
    public let counts: String?

    enum CodingKeys: String, CodingKey {
        case id, severity, field, when, require, required, ticked, message, instead, counts
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

/// How a letter names a form and what to send back to correct it.
public struct FormWords: Sendable, Codable, Hashable {
    /// The document in a sentence: "enrolment", "audit submission".
    public let document: String
    /// In the closing's list: "a corrected SECOR Enrolment".
    public let sendBack: String
    /// Beside each reason: "A corrected SECOR Enrolment, signed and dated again in section 4."
    public let sendBackDetail: String

    enum CodingKeys: String, CodingKey {
        case document
        case sendBack = "send_back"
        case sendBackDetail = "send_back_detail"
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
    /// How letters name each form the program decides on its own (absent: a Saskatchewan registration).
    public let letters: [String: FormWords]?
    /// A program that certifies by audit (Alberta's): the certificate's life.
    public let certificates: CertificateTerms?

    enum CodingKeys: String, CodingKey {
        case program, title, edition, formats, rules, lifecycle, certificates, letters
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
        } catch let DecodingError.dataCorrupted(context) {
            throw SchemaError(file: file, reason: where_(context.codingPath, yaml) + context.debugDescription)
        } catch let DecodingError.keyNotFound(key, context) {
            throw SchemaError(file: file, reason: where_(context.codingPath, yaml) + "`\(key.stringValue)` is missing")
        } catch let DecodingError.typeMismatch(_, context) {
            throw SchemaError(file: file, reason: where_(context.codingPath, yaml) + context.debugDescription)
        } catch {
            throw SchemaError(file: file, reason: "\(error)")
        }
    }

    /// "rule workforce-limit: " for a problem inside a rule (its id from the file), else the path.
    static func where_(_ path: [any CodingKey], _ yaml: String) -> String {
        guard let i = path.firstIndex(where: { $0.stringValue == "rules" }), i + 1 < path.count, let n = path[i + 1].intValue else {
            return path.isEmpty ? "" : path.map(\.stringValue).joined(separator: ".") + ": "
        }
        let rules = ((try? Yams.load(yaml: yaml)) as? [String: Any])?["rules"] as? [[String: Any]]
        let id = rules.flatMap { n < $0.count ? $0[n]["id"] as? String : nil } ?? "number \(n + 1)"
        return "rule \(id): "
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

    /// Every field a rule names that no form of its program has (a misspelt key would otherwise
    /// make its rule never apply): `program/edition`, the rule, the field. Empty when all are known.
    public func unknownFields(_ templates: FormTemplates) -> [(edition: String, rule: String, field: String)] {
        var unknown: [(String, String, String)] = []
        for edition in editions {
            let forms = templates.all.filter { $0.program == edition.program }
            func known(_ name: String) -> Bool {
                if name.hasPrefix("declaration.") { return templates.declaration.field(String(name.dropFirst("declaration.".count))) != nil }
                return forms.contains { $0.field(name) != nil }
            }
            for rule in edition.rules {
                let conditions = (rule.when ?? []) + [rule.require].compactMap { $0 }
                let names = (rule.required ?? []) + conditions.flatMap { [$0.field, $0.notAfterOther].compactMap { $0 } }
                for name in names where !known(name) { unknown.append(("\(edition.program)/\(edition.edition)", rule.id, name)) }
            }
        }
        return unknown
    }

    /// The edition of `program` in effect on `date`; before the first edition, the first.
    public func edition(of program: String = "sk-secor", on date: CalendarDate) -> ProgramEdition? {
        let mine = editions.filter { $0.program == program }
        return mine.last { $0.isEffective(on: date) } ?? mine.last { $0.effectiveFrom <= date } ?? mine.first
    }
}
