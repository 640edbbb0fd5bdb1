import Foundation
import Imaging

/// A field's value after normalization.
public enum FieldValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case text(String)
    case count(Int)
    case flag(Bool)
    case date(CalendarDate)
    /// A percentage, 0 to 100.
    case percent(Double)

    /// How records show it: counts as numbers, Yes/No as `Yes`/`No`, dates as `YYYY-MM-DD`.
    public var description: String {
        switch self {
        case let .text(s): s
        case let .count(n): String(n)
        case let .flag(b): b ? "Yes" : "No"
        case let .date(d): d.description
        case let .percent(p): p == p.rounded() ? String(Int(p)) : String(p)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .count(n): try c.encode(n)
        case let .percent(p): try c.encode(p)
        default: try c.encode(description)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int.self) { self = .count(n); return }
        if let p = try? c.decode(Double.self) { self = .percent(p); return }
        let s = try c.decode(String.self)
        if s == "Yes" { self = .flag(true) } else if s == "No" { self = .flag(false) }
        else if let d = CalendarDate(iso: s) { self = .date(d) } else { self = .text(s) }
    }
}

/// One field after normalization, with what was written and where.
public struct NormalizedField: Sendable {
    public enum Status: Sendable, Equatable {
        case ok, blank
        case invalid(why: String)
        case ambiguous(readings: [String])
    }

    public let key: String
    public let label: String
    /// What the applicant wrote (the extracted value).
    public let written: String
    public let value: FieldValue?
    public let status: Status
    public let source: FieldSource
    public let confidence: Double
    public let page: Int?
    public let box: Box?

    public var isBlank: Bool { status == .blank }

    /// This field offering `other`'s reading of the same value (the other document's, where the
    /// applicant wrote it again), found where this one was and held as sure as `confidence`.
    public func offering(_ other: NormalizedField, at confidence: Double) -> NormalizedField {
        NormalizedField(key: key, label: label, written: other.written, value: other.value, status: other.status, source: source,
                        confidence: confidence, page: page, box: box)
    }

    /// The same reading, held as sure as `confidence`.
    public func held(at confidence: Double) -> NormalizedField {
        NormalizedField(key: key, label: label, written: written, value: value, status: status, source: source,
                        confidence: confidence, page: page, box: box)
    }
}

/// A document's fields after normalization.
public struct NormalizedDocument: Sendable {
    public let kind: DocumentKind
    public let fields: [String: NormalizedField]

    public subscript(_ key: String) -> NormalizedField? { fields[key] }
    public func value(_ key: String) -> FieldValue? { fields[key]?.value }
    public func text(_ key: String) -> String? {
        if case let .text(s)? = fields[key]?.value { return s }
        return nil
    }
}

/// The normalize stage: each extracted value through the normalizer its field calls for.
public struct FieldNormalizer: Sendable {
    public let templates: FormTemplates

    public init(templates: FormTemplates) { self.templates = templates }

    public func normalize(_ document: ExtractedDocument) -> NormalizedDocument {
        guard let template = templates.template(for: document.kind) else {
            return NormalizedDocument(kind: document.kind, fields: [:])
        }
        var fields: [String: NormalizedField] = [:]
        for field in template.fields {
            let extracted = document.fields[field.key]
            let written = extracted?.value ?? ""
            let (value, status) = Self.normalize(written, field: field)
            fields[field.key] = NormalizedField(
                key: field.key, label: field.label, written: written, value: value, status: status,
                source: extracted?.source ?? .text, confidence: extracted?.confidence ?? 1.0,
                page: extracted?.page ?? field.page, box: extracted?.box ?? field.box)
        }
        return NormalizedDocument(kind: document.kind, fields: fields)
    }

    /// Which normalizer a field calls for: by its kind, and for text fields by what they hold.
    static func normalize(_ written: String, field: TemplateField) -> (FieldValue?, NormalizedField.Status) {
        func wrap<T>(_ n: Normalized<T>, _ make: (T) -> FieldValue, _ show: (T) -> String) -> (FieldValue?, NormalizedField.Status) {
            switch n {
            case let .value(v): (make(v), .ok)
            case .blank: (nil, .blank)
            case let .invalid(why): (nil, .invalid(why: why))
            case let .ambiguous(readings): (nil, .ambiguous(readings: readings.map(show)))
            }
        }
        switch field.kind {
        case .count: return wrap(Normalize.count(written), FieldValue.count, String.init)
        case .date: return wrap(Normalize.date(written), FieldValue.date, \.description)
        case .percent: return wrap(Normalize.percent(written), FieldValue.percent) { FieldValue.percent($0).description }
        case .yesNo, .tick, .ink: return wrap(Normalize.yesNo(written), FieldValue.flag) { $0 ? "Yes" : "No" }
        case .choice: return wrap(Normalize.choice(written, among: field.choices ?? []), FieldValue.text) { $0 }
        case .text:
            // "N/A" written in a box that does not apply (the other WCB account of a trainee who
            // has none) is nothing written there, not a value that fails its format.
            if Normalize.isNotApplicable(written) { return (nil, .blank) }
            switch field.key {
            case "phone": return wrap(Normalize.phone(written), FieldValue.text) { $0 }
            case "postal_code": return wrap(Normalize.postalCode(written), FieldValue.text) { $0 }
            case "province": return wrap(Normalize.province(written), FieldValue.text) { $0 }
            case "wcb_account_number", "trainee_other_account_number":
                return wrap(Normalize.wcbAccount(written), FieldValue.text) { $0 }
            case "email", "trainee_email": return wrap(Normalize.email(written), FieldValue.text) { $0 }
            case "secor_certificate_number": return wrap(Normalize.certificateNumber(written), FieldValue.text) { $0 }
            default: return wrap(Normalize.text(written), FieldValue.text) { $0 }
            }
        }
    }
}
