import Foundation
import SecorCore

/// How well an office's mailed samples (`samples-mail/expected.json`: every value as written) were
/// read, per field kind: right, sent to review, confidently wrong. A value is right when it reads
/// as written, or when both normalize to the same value (a WCB account "3368371" for "336 8371").
public struct MailAccuracy: Sendable {
    /// One case's documents as written, by kind.
    public struct Case: Sendable {
        public let id: String
        public let files: [String]
        public let wcb: String
        public let documents: [DocumentKind: [String: String]]
    }

    public let threshold: Double
    /// The threshold the office's rules review below (the strictest edition's): values reported
    /// under it are sent to review.
    public static func reviewThreshold(_ library: ProgramLibrary) -> Double {
        library.editions.map(\.reviewBelowConfidence).max() ?? 0.8
    }

    public private(set) var overall: AccuracyReport
    public private(set) var byKind: [String: AccuracyReport] = [:]
    /// Documents read that match no case's document of their kind (a page read as the wrong form).
    public private(set) var unmatched: [String] = []
    let templates: FormTemplates

    public init(threshold: Double, templates: FormTemplates) {
        self.threshold = threshold
        self.templates = templates
        overall = AccuracyReport(threshold: threshold)
    }

    /// The cases of an `expected.json`.
    public static func cases(in expected: URL) throws -> [Case] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: expected)) as? [String: Any]
        return (json?["cases"] as? [[String: Any]] ?? []).map { c in
            Case(id: c["id"] as? String ?? "", files: c["files"] as? [String] ?? [], wcb: c["wcb"] as? String ?? "",
                 documents: Dictionary(uniqueKeysWithValues: DocumentKind.allCases.compactMap { kind in
                     (c[kind.rawValue] as? [String: String]).map { (kind, $0) }
                 }))
        }
    }

    /// The kind a field's value is reported under: what reading it takes.
    public func reportKind(_ key: String, of document: DocumentKind) -> String {
        Self.reportKind(key, of: document, templates: templates)
    }

    /// The kind a field's value is reported under, by the form's template.
    public static func reportKind(_ key: String, of document: DocumentKind, templates: FormTemplates) -> String {
        switch key {
        case "wcb_account_number", "trainee_other_account_number": return "account"
        case "postal_code": return "postal code"
        case "phone": return "phone"
        case "email", "trainee_email": return "email"
        case "province": return "province"
        case "city": return "city"
        default: break
        }
        let field = templates.all.first { $0.form == document }?.fields.first { $0.key == key }
        switch field?.kind {
        case .count?: return "count"
        case .date?: return "date"
        case .percent?: return "percent"
        case .choice?: return "choice"
        case .yesNo?: return "yes/no"
        case .tick?: return "tick"
        case .ink?: return "signature"
        case .text?, nil: return key.hasSuffix("_name") ? "name" : "text"
        }
    }

    /// Adds one file's documents, each compared with the case document it is: the case whose
    /// WCB account it was read with, else the one it agrees with most.
    public mutating func add(file: String, documents: [ExtractedDocument], cases: [Case]) {
        let name = (file as NSString).lastPathComponent
        let mine = cases.filter { $0.files.contains(name) }
        for document in documents { add(file: name, document: document, among: mine) }
    }

    /// Adds an application's documents as it was filed: each value as the record holds it, after
    /// the application's context was weighed (a name the declaration repeats, read surer there),
    /// as sure as the record says. What staff and the office are given, where `add(file:documents:cases:)`
    /// measures the reader alone.
    public mutating func add(record: ApplicationRecord, cases: [Case]) {
        let names = Set(record.documents.map { ($0.path as NSString).lastPathComponent })
        let mine = cases.filter { !Set($0.files).isDisjoint(with: names) }
        for (kindName, written) in record.asWritten.sorted(by: { $0.key < $1.key }) {
            guard let kind = DocumentKind(rawValue: kindName) else { continue }
            func reading(_ key: String) -> ApplicationRecord.FieldReading? {
                record.readings[kind == .declaration ? Validator.reasonField("declaration." + key) : key]
            }
            let fields = Dictionary(uniqueKeysWithValues: written.map { key, value in
                (key, ExtractedField(value: value, source: reading(key)?.source ?? .ocr, confidence: reading(key)?.confidence ?? 0))
            })
            let path = written.keys.sorted().lazy.compactMap { reading($0)?.document }.first
            let name = path.map { ($0 as NSString).lastPathComponent } ?? names.sorted().first ?? record.id
            add(file: name, document: ExtractedDocument(kind: kind, flavor: .scan, pages: [], fields: fields), among: mine)
        }
    }

    /// Adds a batch as filed: each application's record (`add(record:cases:)`), and the files in
    /// no application as they were read.
    public mutating func add(applications: [ApplicationRecord], unmatched: [String], reads: [ReadFile], cases: [Case]) {
        for record in applications { add(record: record, cases: cases) }
        let alone = Set(unmatched)
        for read in reads where alone.contains(read.file.path) { add(file: read.file.path, documents: read.documents, cases: cases) }
    }

    /// Adds one document, compared with the case document it is: the case whose WCB account it
    /// was read with, else the one it agrees with most.
    mutating func add(file name: String, document: ExtractedDocument, among mine: [Case]) {
        let candidates = mine.filter { $0.documents[document.kind] != nil }
        let account = document.fields["wcb_account_number"].flatMap { Self.normalizedAccount($0.value) }
        let byAccount = candidates.filter { Self.normalizedAccount($0.wcb) == account }
        let chosen = byAccount.first ?? candidates.max { agreement(document, $0) < agreement(document, $1) }
        guard let chosen, let written = chosen.documents[document.kind] else {
            unmatched.append("\(name): \(document.kind.rawValue)")
            return
        }
        add(file: "\(chosen.id) \(name)", written: written, read: document)
    }

    mutating func add(file: String, written: [String: String], read: ExtractedDocument) {
        for (key, value) in written {
            let kind = reportKind(key, of: read.kind)
            var readField = read.fields[key]
            // A page the file does not have (an envelope without page 2) has nothing written on it,
            // and the reader says so (`pages-missing`): its fields are not misread as blank.
            if readField == nil, value.isEmpty, read.reasons.contains(where: { $0.code == "pages-missing" }) {
                readField = ExtractedField(value: "", raw: "page missing", source: .ocr, confidence: 1)
            }
            // Normalized alike is read right (the spaces in an account, a date's spelling).
            // Letters are letters in either case: "Trade contractor" is the choice written "TRADE CONTRACTOR".
            if let r = readField, r.value != value, r.value.lowercased() == value.lowercased() || Self.sameNormalized(value, r.value, kind: kind) {
                readField = ExtractedField(value: value, raw: r.raw, source: r.source, page: r.page, box: r.box, confidence: r.confidence)
            }
            var one = read
            one.fields = readField.map { [key: $0] } ?? [:]
            overall.add(file: file, written: [key: value], read: one)
            byKind[kind, default: AccuracyReport(threshold: threshold)].add(file: file, written: [key: value], read: one)
        }
    }

    func agreement(_ document: ExtractedDocument, _ c: Case) -> Int {
        (c.documents[document.kind] ?? [:]).filter { document.fields[$0.key]?.value == $0.value }.count
    }

    static func normalizedAccount(_ text: String) -> String? {
        if case let .value(v) = Normalize.wcbAccount(text) { return v }
        return nil
    }

    static func sameNormalized(_ a: String, _ b: String, kind: String) -> Bool {
        func same<T>(_ f: (String) -> Normalized<T>) -> Bool {
            if case let .value(x) = f(a), case let .value(y) = f(b) { return x == y }
            return false
        }
        switch kind {
        case "account": return same(Normalize.wcbAccount)
        case "postal code": return same(Normalize.postalCode)
        case "phone": return same(Normalize.phone)
        case "email": return same(Normalize.email)
        case "province": return same(Normalize.province)
        case "date": return same(Normalize.date)
        case "count": return same(Normalize.count)
        case "percent": return same(Normalize.percent)
        default: return false
        }
    }

    /// The table: every kind's line, then the whole.
    public var table: String { Self.table(byKind) + "  \("all".padding(toLength: 12, withPad: " ", startingAt: 0)) \(overall.line)\n" }

    /// Every kind's line.
    public static func table(_ byKind: [String: AccuracyReport]) -> String {
        byKind.sorted(by: { $0.key < $1.key }).map { "  \($0.key.padding(toLength: 12, withPad: " ", startingAt: 0)) \($0.value.line)\n" }.joined()
    }
}
