import Foundation

/// A value staff set for one field of an application, beside the value that was read: the
/// applicant's file is never altered, and the record shows both.
public struct StaffCorrection: Sendable, Codable, Hashable {
    /// The field as records and reasons name it (`workers_full_time`, `declaration_signer_name`, `decl_office`).
    public let field: String
    /// The value staff set; the same as `read` when they confirmed what was read.
    public let value: String
    /// The value as it was read, before staff set it.
    public let read: String
    public let by: String
    /// When (RFC 3339).
    public let at: String
    public let note: String?

    public init(field: String, value: String, read: String, by: String, at: String, note: String? = nil) {
        self.field = field; self.value = value; self.read = read; self.by = by; self.at = at; self.note = note
    }

    /// Whether staff kept the value read (a confirmation) rather than changing it.
    public var confirms: Bool { value == read }
}

/// A supervisor's decision against the rules, with its reason.
public struct StaffOverride: Sendable, Codable, Hashable {
    public let decision: ApplicationState
    public let reason: String
    public let by: String
    public let at: String

    public init(decision: ApplicationState, reason: String, by: String, at: String) {
        self.decision = decision; self.reason = reason; self.by = by; self.at = at
    }
}

/// Where a field named as records name it lives: which document, and its key on that form.
public struct RecordField: Sendable, Hashable {
    public let kind: DocumentKind
    public let key: String

    /// Where the record keeps it: `registration` (the application's main form) or `declaration`.
    public var slot: String { kind == .declaration ? "declaration" : "registration" }

    /// `declaration_signer_name` and `decl_office` are the declaration's; every other name the
    /// main form's: the registration, or `form` for a document decided on its own (Alberta's).
    /// Nil when the form has no such field.
    public init?(_ name: String, templates: FormTemplates, form: DocumentKind = .registration) {
        if form.isDecidedAlone {
            (kind, key) = (form, name)
        } else if name.hasPrefix("declaration_") {
            (kind, key) = (.declaration, String(name.dropFirst("declaration_".count)))
        } else if name.hasPrefix("decl_") {
            (kind, key) = (.declaration, name)
        } else {
            (kind, key) = (.registration, name)
        }
        guard templates.template(for: kind)?.field(key) != nil else { return nil }
    }

    /// Every field name of the application's forms, as records name them: a document decided on
    /// its own has its own form's; a registration, both Saskatchewan forms'.
    public static func names(_ templates: FormTemplates, form: DocumentKind = .registration) -> [String] {
        if form.isDecidedAlone { return templates.template(for: form)?.fields.map(\.key) ?? [] }
        return templates.registration.fields.map(\.key)
            + templates.declaration.fields.map { $0.key.hasPrefix("decl_") ? $0.key : "declaration_" + $0.key }
    }
}

extension ApplicationRecord {
    /// The form whose fields the record's unprefixed names are: the registration, or the one form
    /// a document decided on its own is.
    public var mainForm: DocumentKind {
        documents.compactMap { DocumentKind(rawValue: $0.kind) }.first { $0.isDecidedAlone } ?? .registration
    }
}

extension ExtractedDocument {
    /// The same document with staff's values in place of what was read, each held sure and
    /// marked as staff's; the reading's place on the page is kept for the record.
    public func correcting(_ corrections: [StaffCorrection], templates: FormTemplates) -> ExtractedDocument {
        var copy = self
        for c in corrections {
            guard let field = RecordField(c.field, templates: templates, form: kind == .declaration ? .registration : kind),
                  field.kind == kind else { continue }
            let was = fields[field.key]
            copy.fields[field.key] = ExtractedField(value: c.value, raw: was?.raw ?? c.read, source: .staff, page: was?.page,
                                                    box: was?.box, confidence: 1)
        }
        return copy
    }
}

/// What lists show of a record: its company and WCB account (from either document: the
/// registration's when it has them, else the declaration's).
public protocol NamesTheCompany {
    var fields: [String: FieldValue] { get }
    var declarationFields: [String: FieldValue] { get }
}

extension NamesTheCompany {
    public var company: String { either("company_legal_name") }
    public var account: String { either("wcb_account_number") }

    private func either(_ key: String) -> String {
        let registration = fields[key]?.description ?? ""
        return registration.isEmpty ? (declarationFields[key]?.description ?? "") : registration
    }
}

extension ApplicationRecord: NamesTheCompany {}

/// The few parts of a stored record that a list shows (company, account, the fields in doubt),
/// decoded without the rest: the review queue and search show hundreds of records at once.
public struct RecordSummary: Decodable, Sendable, NamesTheCompany {
    public struct Doubt: Decodable, Sendable {
        public let code: String
        public let severity: RuleSeverity
        public let field: String?
    }
    public let fields: [String: FieldValue]
    public let declarationFields: [String: FieldValue]
    public let reasons: [Doubt]

    enum CodingKeys: String, CodingKey {
        case fields, reasons
        case declarationFields = "declaration_fields"
    }

    /// The fields a review reason names, in the order named (the reason's code where it names none).
    public var doubtful: [String] {
        var names: [String] = []
        for r in reasons where r.severity == .review {
            let f = r.field ?? r.code
            if !names.contains(f) { names.append(f) }
        }
        return names
    }

    public init(json: String) throws {
        self = try JSONDecoder().decode(RecordSummary.self, from: Data(json.utf8))
    }

    /// What a list keeps of it.
    public var listed: ListedApplication { ListedApplication(company: company, account: account, doubtful: doubtful) }
}

/// What a list shows of an application, stored beside its record when it is filed.
public struct ListedApplication: Sendable, Codable, Hashable {
    public let company: String
    public let account: String
    public let doubtful: [String]

    public init(company: String, account: String, doubtful: [String]) {
        self.company = company; self.account = account; self.doubtful = doubtful
    }
}

extension ApplicationRecord {
    /// The words staff find an application by, folded (case and accents aside): its id, WCB
    /// account, company and operating names, trained employee and signers.
    public var searchText: String {
        var parts = [id]
        for fields in [fields, declarationFields] {
            for key in ["wcb_account_number", "company_legal_name", "company_operating_name", "trainee_name", "signer_name"] {
                if let v = fields[key]?.description, !v.isEmpty { parts.append(v) }
            }
        }
        return Self.folded(parts.joined(separator: " | "))
    }

    /// Text as search compares it: lower case, no accents, single spaces.
    public static func folded(_ s: String) -> String {
        s.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
