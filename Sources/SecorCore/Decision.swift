import Foundation
import Imaging

/// Why an application is not accepted, in terms the applicant can act on.
public struct Reason: Sendable, Hashable, Codable {
    public let code: String
    public let severity: RuleSeverity
    /// A forms-README key; `declaration_...` for ambiguous declaration fields; `declaration` or
    /// `registration` for a missing document.
    public let field: String?
    /// What was read.
    public let found: String?
    /// For the applicant, naming the label as printed on the form.
    public let message: String
    /// `program/edition/rule-id`.
    public let rule: String
    /// The label as printed on the form (for letters and annotated copies).
    public let label: String?
    /// Where on which document the field is, for marking the applicant's copy.
    public let document: String?
    public let page: Int?
    public let box: Box?

    public init(code: String, severity: RuleSeverity, field: String?, found: String?, message: String, rule: String,
                label: String? = nil, document: String? = nil, page: Int? = nil, box: Box? = nil) {
        self.code = code; self.severity = severity; self.field = field; self.found = found
        self.message = message; self.rule = rule; self.label = label; self.document = document
        self.page = page; self.box = box
    }
}

public enum Decision: String, Sendable, Codable {
    case accepted, rejected
    case needsReview = "needs_review"

    public init(reasons: [Reason]) {
        if reasons.contains(where: { $0.severity == .reject }) { self = .rejected }
        else if reasons.isEmpty { self = .accepted }
        else { self = .needsReview }
    }
}

/// A trained employee as rule 5 compares them: the name key, and the email when given.
public struct TraineeIdentity: Sendable, Hashable {
    public let nameKey: String
    public let email: String?

    public init?(name: String?, email: String?) {
        guard let name else { return nil }
        let key = Normalize.personKey(name)
        guard !key.isEmpty else { return nil }
        nameKey = key
        self.email = email.flatMap { Normalize.email($0).value }
    }

    /// Same name key, and the same email where both are given.
    public func isSamePerson(as other: TraineeIdentity) -> Bool {
        guard nameKey == other.nameKey else { return false }
        if let a = email, let b = other.email { return a == b }
        return true
    }
}

/// Who is already the trained employee for which WCB account (rule 5 across applications).
public protocol TraineeRegister {
    /// The WCB account, other than `account`, that already has this person as its trained employee.
    /// Throws when the register cannot answer (a broken database): never a silent "no one".
    func account(claiming person: TraineeIdentity, otherThan account: String?) throws -> String?
    /// Whether someone whose name key is like `nameKey` (a doubtful reading of it) may be the trained
    /// employee for an account other than `account`.
    func mayClaim(alike nameKey: String, otherThan account: String?) throws -> Bool
}

extension TraineeRegister {
    /// Without a way to look, anyone may.
    public func mayClaim(alike nameKey: String, otherThan account: String?) throws -> Bool { true }
}

/// Name keys near enough that one may be a misreading of the other.
public func namesAlike(_ a: String, _ b: String) -> Bool {
    !a.isEmpty && !b.isEmpty && Normalize.similarity(a, b) >= 0.7
}

/// Trainees claimed within one batch, on top of an optional earlier register (the registry).
public final class BatchTraineeRegister: TraineeRegister {
    /// Claims by name key, in the order made (a batch of thousands looks each person up).
    private var claims: [String: [(TraineeIdentity, String)]] = [:]
    private let earlier: (any TraineeRegister)?

    public init(earlier: (any TraineeRegister)? = nil) { self.earlier = earlier }

    public func account(claiming person: TraineeIdentity, otherThan account: String?) throws -> String? {
        if let hit = claims[person.nameKey]?.first(where: { $0.0.isSamePerson(as: person) && $0.1 != account }) { return hit.1 }
        return try earlier?.account(claiming: person, otherThan: account)
    }

    public func mayClaim(alike nameKey: String, otherThan account: String?) throws -> Bool {
        if claims.contains(where: { key, held in namesAlike(key, nameKey) && held.contains { $0.1 != account } }) { return true }
        return try earlier?.mayClaim(alike: nameKey, otherThan: account) ?? false
    }

    public func claim(_ person: TraineeIdentity, for account: String) {
        claims[person.nameKey, default: []].append((person, account))
    }
}

/// The validate stage: an application against one program edition.
public struct Validator: Sendable {
    public let edition: ProgramEdition
    public let templates: FormTemplates
    public let processingDate: CalendarDate

    public init(edition: ProgramEdition, templates: FormTemplates, processingDate: CalendarDate) {
        self.edition = edition
        self.templates = templates
        self.processingDate = processingDate
    }

    /// The application with its readings checked against their context, as a verifier would:
    /// - the values the declaration repeats from the registration (the company, the WCB account, the
    ///   signer, the date), read from scans on both and agreeing, confirm each other: two
    ///   independent readings that agree are surer than either;
    /// - workforce counts that add up to the total they were read with confirm each other (slips
    ///   that still add up are far rarer than slips).
    public func confirmed(_ app: Application) -> Application {
        var copy = app
        var changed = false
        if let registration = app.registration, let declaration = app.declaration {
            var regFields = registration.normalized.fields, declFields = declaration.normalized.fields
            let repeated = Set(templates.declaration.fields.map(\.key)).intersection(templates.registration.fields.map(\.key))
            // A company is the same company whatever its suffix is written as ("Ltd." and "LIMITED").
            let companies = Set(edition.rules.compactMap(\.require).compactMap(\.sameCompanyAs))
            let listed = Set(templates.registration.fields.filter { $0.words != nil }.map(\.key))
            for key in repeated.sorted() {
                guard let a = regFields[key], let b = declFields[key], a.status == .ok, b.status == .ok,
                      !a.isBlank, !b.isBlank, a.confidence < 1 || b.confidence < 1 else { continue }
                let textKey = companies.contains(key) ? Normalize.companyKey : Normalize.personKey
                guard Self.sameValue(a, b, key: textKey) else {
                    // Two readings of one name from scans, a few letters apart: one of them is a misreading,
                    // however sure the engines were, and which cannot be told.
                    if case .text = a.value, a.source == .ocr, b.source == .ocr, a.written.contains(where: \.isLetter),
                       Normalize.similarity(textKey(a.written), textKey(b.written)) >= 0.75 {
                        // The reading clearly less sure of the two is offered as the other reads it:
                        // the applicant wrote one name twice, and the surer reading is the likelier.
                        // Still a doubt for staff (they may have written two names), never surer.
                        let (regRead, declRead) = a.confidence >= b.confidence + Self.surerBy ? (a, a)
                            : b.confidence >= a.confidence + Self.surerBy ? (b, b) : (a, b)
                        regFields[key] = a.offering(regRead, at: min(a.confidence, 0.75))
                        declFields[key] = b.offering(declRead, at: min(b.confidence, 0.75))
                        changed = true
                    }
                    continue
                }
                // Two readings put right by one list of words (a given name, a title's) agree by the
                // list, not by the ink: they confirm nothing ("Jaxon" read right twice is put right
                // to Jason twice). One of them as read is needed.
                if listed.contains(key), !Self.asRead(registration, key), !Self.asRead(declaration, key) { continue }
                let joint = min(0.99, 1 - (1 - a.confidence) * (1 - b.confidence))
                regFields[key] = a.held(at: max(a.confidence, joint))
                declFields[key] = b.held(at: max(b.confidence, joint))
                changed = true
            }
            copy.registration = registration.with(fields: regFields)
            copy.declaration = declaration.with(fields: declFields)
        }
        if let registration = copy.registration,
           let rule = edition.rules.compactMap(\.require).first(where: { $0.equalsSum != nil }),
           let parts = rule.equalsSum, let total = rule.field {
            var fields = registration.normalized.fields
            let names = parts + [total]
            let read = names.compactMap { fields[$0] }
            // One reading may be weak: the others and the total then say what it must be.
            if read.count == names.count, read.allSatisfy({ $0.status == .ok && $0.source == .ocr }),
               read.filter({ $0.confidence < 0.5 }).count <= 1, read.contains(where: isUncertain), countsAddUp(copy) {
                for name in names { fields[name] = fields[name]!.held(at: max(fields[name]!.confidence, 0.9)) }
                copy.registration = registration.with(fields: fields)
                changed = true
            }
        }
        return changed ? copy : app
    }

    /// Whether a document's field is as it was read off the page: not a scan's reading put right
    /// (its letters and digits as read, whatever its case, spaces and punctuation).
    static func asRead(_ document: ReceivedDocument, _ key: String) -> Bool {
        guard let f = document.extracted.fields[key], f.source == .ocr else { return true }
        func letters(_ s: String) -> String { s.lowercased().filter { $0.isLetter || $0.isNumber } }
        return letters(f.raw) == letters(f.value)
    }

    /// How much surer one of two differing readings of a repeated name must be to be offered for both.
    static let surerBy = 0.05

    /// Whether two readings of one field name the same value: equal values, or for free text the
    /// same words once case, accents and punctuation are set aside.
    static func sameValue(_ a: NormalizedField, _ b: NormalizedField, key: (String) -> String) -> Bool {
        if a.value != nil && a.value == b.value { return true }
        if case .text = a.value, case .text = b.value {
            let ka = key(a.written), kb = key(b.written)
            return !ka.isEmpty && ka == kb
        }
        return false
    }

    /// The fields (by rule name: `key`, `declaration.key`) whose value some rule of the edition
    /// reads to decide: a doubt there can change the decision. A field only required to be there
    /// (or only checked for its pattern, an email) is not among them: once something is written in
    /// it, a doubtful reading of what cannot change the decision. The trained employee's email
    /// tells two people of one name apart, so it is read when someone of that name is claimed.
    public func decidingFields(_ app: Application, trainees: (any TraineeRegister)?) -> Set<String> {
        var read = Set<String>()
        for rule in edition.rules {
            for condition in rule.when ?? [] { read.formUnion(readFields(condition)) }
            read.formUnion((rule.ticked ?? []).map { "declaration." + $0 })
            guard let c = rule.require else { continue }
            if c.asksPresence { continue }
            if c == .traineeNotClaimed {
                // The name (and the email that tells two people of one name apart) decides only when
                // someone of a name like it is already the trained employee for another account.
                guard let trainees, let name = app.registration?.normalized["trainee_name"] else { continue }
                // A name read surely is that name; one in doubt may be any name like it.
                let alike: Bool
                do {
                    if isUncertain(name) {
                        alike = try trainees.mayClaim(alike: Normalize.personKey(name.written), otherThan: app.wcbAccount)
                    } else {
                        alike = try TraineeIdentity(name: name.written, email: nil).map { try trainees.account(claiming: $0, otherThan: app.wcbAccount) != nil } ?? false
                    }
                } catch { alike = true }
                if alike { read.formUnion(["trainee_name", "trainee_email"]) }
                continue
            }
            // Two readings of one company's name that nearly agree say it is the same company;
            // neither needs to be read exactly for that.
            if let other = c.sameCompanyAs, let name = c.field, sameCompanyByReadings(name, other, app) { continue }
            // A doubtful date like the other document's, read surely and not late, is not late either.
            if case let .notAfterProcessingDate(name) = c, dateSettledByTheOther(name, app) { continue }
            read.formUnion(readFields(c))
        }
        return read
    }

    /// Whether a doubtful reading of date `name` can be told not late from the other document's date:
    /// read surely, not after the processing date, and written much alike (a signer dates both the
    /// same way, usually the same day: "2026-05-" read where "2026-05-09" was written).
    func dateSettledByTheOther(_ name: String, _ app: Application) -> Bool {
        let key = name.hasPrefix("declaration.") ? String(name.dropFirst("declaration.".count)) : name
        let otherName = name.hasPrefix("declaration.") ? key : "declaration." + key
        guard let f = field(name, in: app), isUncertain(f), Self.isWritten(f), let other = field(otherName, in: app),
              Self.isWritten(other) else { return false }
        func compact(_ s: String) -> String { s.lowercased().filter { $0.isLetter || $0.isNumber } }
        let a = compact(f.written), b = compact(other.written)
        guard a.count >= 4 else { return false }
        if !isUncertain(other) {
            guard other.status == .ok, case let .date(d)? = other.value, d <= processingDate else { return false }
            return b.hasPrefix(a) || Normalize.similarity(a, b) >= 0.7
        }
        // Both in doubt: two readings much alike, those that are dates all of one month wholly
        // before the processing date's, say that neither date is late, whatever the day.
        let dates = [f, other].compactMap { field -> CalendarDate? in
            if case let .date(d)? = field.value, field.status == .ok { return d } else { return nil }
        }
        guard let first = dates.first, dates.allSatisfy({ $0.year == first.year && $0.month == first.month }),
              Normalize.similarity(a, b) >= 0.6 else { return false }
        return (first.year, first.month) < (processingDate.year, processingDate.month)
    }

    /// Whether two scanned readings of a company's name, at least one doubtful, are so alike that
    /// they name the same company (each engine's slips differ: "Prairie Class Inc" and "Prairie Ulass Inc").
    func sameCompanyByReadings(_ name: String, _ other: String, _ app: Application) -> Bool {
        guard let a = field(name, in: app), let b = field(other, in: app), a.source == .ocr, b.source == .ocr,
              isUncertain(a) || isUncertain(b) else { return false }
        let ka = Normalize.companyKey(a.written), kb = Normalize.companyKey(b.written)
        // Both documents surely for one WCB account: names a few slips apart are that account's company.
        let regAccount = app.registration?.normalized["wcb_account_number"], declAccount = app.declaration?.normalized["wcb_account_number"]
        let oneAccount = regAccount.map { !isUncertain($0) && $0.status == .ok } == true && declAccount.map { !isUncertain($0) && $0.status == .ok } == true
            && regAccount?.value == declAccount?.value
        return ka.count >= 6 && Normalize.similarity(ka, kb) >= (oneAccount ? 0.7 : 0.85)
    }

    /// The fields a rule requires to be there (filled in, whatever their value).
    var presenceFields: Set<String> {
        var names = Set<String>()
        for rule in edition.rules {
            names.formUnion(rule.required ?? [])
            if let c = rule.require, c.asksPresence, c.documentPresent == nil { names.formUnion(readFields(c)) }
        }
        return names
    }

    /// Whether a doubtful reading of field `name` can change nothing the rules decide: no rule reads
    /// its value, and either none needs it to be there or something is written in it.
    func mayStayUnconfirmed(_ name: String, _ f: NormalizedField, deciding: Set<String>, presence: Set<String>) -> Bool {
        !deciding.contains(name) && (!presence.contains(name) || Self.isWritten(f))
    }

    /// The fields read without confidence that no rule reads to decide (`deciding`, from
    /// `decidingFields`), by reason-field name: they do not hold the application; staff confirm them later.
    public func unconfirmed(_ app: Application, deciding: Set<String>) -> [String] {
        unconfirmedFields(app, deciding: deciding).map(Self.reasonField)
    }

    /// `unconfirmed(_:deciding:)` by rule name (`key`, `declaration.key`).
    func unconfirmedFields(_ app: Application, deciding: Set<String>) -> [String] {
        let presence = presenceFields
        var names: [String] = []
        for doc in app.documents {
            let prefix = doc.kind == .declaration ? "declaration." : ""
            for field in templates.template(for: doc.kind)?.fields ?? [] {
                let name = prefix + field.key
                guard let f = doc.normalized[field.key], isUncertain(f),
                      mayStayUnconfirmed(name, f, deciding: deciding, presence: presence) else { continue }
                names.append(name)
            }
        }
        return names
    }

    /// Something was read in the field: what is there is in doubt, not whether anything is.
    static func isWritten(_ f: NormalizedField) -> Bool {
        !f.isBlank && f.written.contains { $0.isLetter || $0.isNumber }
    }

    /// Every reason the application is not accepted, in the edition's rule order. `deciding` is
    /// `decidingFields(application, trainees:)`, when the caller has it already.
    public func validate(_ application: Application, trainees: (any TraineeRegister)? = nil, deciding: Set<String>? = nil,
                         certificates: (any CertificateRegister)? = nil) throws -> [Reason] {
        var reasons: [Reason] = []
        reasons += readingProblems(application)
        let deciding = deciding ?? decidingFields(application, trainees: trainees)
        reasons += formatProblems(application, unconfirmed: Set(unconfirmedFields(application, deciding: deciding)))
        for rule in edition.rules {
            reasons += try evaluate(rule, application, trainees: trainees, certificates: certificates)
        }
        // Staff check an application against the record once, however many rules wanted it.
        if let first = reasons.firstIndex(where: { $0.code == "needs-record" }) {
            reasons = reasons.enumerated().filter { $0.offset <= first || $0.element.code != "needs-record" }.map(\.element)
        }
        // A rejection letter names the applicant's WCB account: one not read with confidence is for
        // staff to confirm before any letter goes (the reasons stand, held for review).
        if reasons.contains(where: { $0.severity == .reject }),
           let account = application.registration?.normalized["wcb_account_number"] ?? application.declaration?.normalized["wcb_account_number"],
           isUncertain(account) {
            reasons = reasons.map { r in
                r.severity == .reject ? Reason(code: r.code, severity: .review, field: r.field, found: r.found, message: r.message,
                                               rule: r.rule, label: r.label, document: r.document, page: r.page, box: r.box) : r
            }
            reasons.append(reason(code: "account-in-doubt", severity: .review, fieldName: "wcb_account_number", found: account.written,
                                  message: "The application would be refused, but its WCB account number (we read “{found}”) was not read with confidence; staff will confirm it before a letter is sent.",
                                  rule: "reading-confidence", app: application))
        }
        // One reason per field and code is enough for an applicant.
        var seen = Set<String>()
        return reasons.filter { seen.insert("\($0.code)|\($0.field ?? "")").inserted }
    }

    // MARK: - Field lookup

    /// A field by rule name: `key` on the registration, `declaration.key` on the declaration.
    func field(_ name: String, in app: Application) -> NormalizedField? {
        if name.hasPrefix("declaration.") {
            return app.declaration?.normalized[String(name.dropFirst("declaration.".count))]
        }
        return app.registration?.normalized[name]
    }

    func document(_ name: String, in app: Application) -> ReceivedDocument? {
        name.hasPrefix("declaration.") ? app.declaration : app.registration
    }

    /// The reason's field name for a rule's field name (the forms README's convention).
    public static func reasonField(_ name: String) -> String {
        guard name.hasPrefix("declaration.") else { return name }
        let key = String(name.dropFirst("declaration.".count))
        return key.hasPrefix("decl_") ? key : "declaration_" + key
    }

    func label(for name: String, in app: Application? = nil) -> String? {
        // A missing document is named by its title as printed on the form.
        if let kind = DocumentKind(rawValue: name), let form = templates.template(for: kind) { return form.title }
        var key = name
        // A form decided on its own names its own fields.
        var template = app?.registration.flatMap { templates.template(for: $0.kind) } ?? templates.registration
        if name.hasPrefix("declaration.") {
            key = String(name.dropFirst("declaration.".count)); template = templates.declaration
        } else if name.hasPrefix("declaration_") {
            key = String(name.dropFirst("declaration_".count)); template = templates.declaration
        } else if name.hasPrefix("decl_") {
            template = templates.declaration
        }
        return template.field(key)?.label
    }

    private func render(_ message: String, label: String?, found: String?, limit: Int? = nil) -> String {
        var text = message
        text = text.replacingOccurrences(of: "{label}", with: label ?? "")
        text = text.replacingOccurrences(of: "{found}", with: found ?? "")
        if let limit { text = text.replacingOccurrences(of: "{limit}", with: String(limit)) }
        return text
    }

    private func reason(code: String, severity: RuleSeverity, fieldName: String, reasonField: String? = nil, found: String?,
                        message: String, rule: String, app: Application, limit: Int? = nil) -> Reason {
        let label = label(for: fieldName, in: app)
        let f = field(fieldName, in: app)
        return Reason(code: code, severity: severity, field: reasonField ?? Self.reasonField(fieldName), found: found,
                      message: render(message, label: label, found: found, limit: limit), rule: edition.cite(rule),
                      label: label, document: document(fieldName, in: app)?.path, page: f?.page, box: f?.box)
    }

    /// A reading we are not sure of is for staff, never held against the applicant.
    /// A reading below the edition's threshold, blank ones included: a box read as empty without
    /// confidence (or not read at all) is a doubt for staff, never an empty box.
    func isUncertain(_ f: NormalizedField?) -> Bool {
        guard let f else { return false }
        return f.confidence < edition.reviewBelowConfidence
    }

    // MARK: - Reading and format problems

    func readingProblems(_ app: Application) -> [Reason] {
        let parts = app.unreadableParts.flatMap { part in
            part.reasons.map { d in
                Reason(code: d.code, severity: .review, field: app.declaration == nil ? "declaration" : nil, found: nil,
                       message: "\((part.path as NSString).lastPathComponent): \(d.message)", rule: edition.cite("document-reading"),
                       label: label(for: "declaration"), document: part.path)
            }
        }
        return parts + app.documents.flatMap { doc in
            doc.extracted.reasons.map { d in
                Reason(code: d.code, severity: d.severity == .reject || d.severity == .unreadable ? .reject : .review,
                       field: d.field.map { doc.kind == .declaration ? Self.reasonField("declaration." + $0) : $0 },
                       found: nil, message: d.message, rule: edition.cite("document-reading"),
                       label: d.field.flatMap { label(for: doc.kind == .declaration ? "declaration." + $0 : $0) },
                       document: doc.path, page: d.location.page, box: d.location.box)
            }
        }
    }

    /// Values that are not what their field holds, and doubts for staff; the fields in `unconfirmed`
    /// (rule names, from `unconfirmedFields`) are doubts that hold nothing and are left out.
    func formatProblems(_ app: Application, unconfirmed: Set<String> = []) -> [Reason] {
        var reasons: [Reason] = []
        for doc in app.documents {
            let prefix = doc.kind == .declaration ? "declaration." : ""
            let template = templates.template(for: doc.kind)
            for field in template?.fields ?? [] {
                guard let f = doc.normalized[field.key] else { continue }
                let name = prefix + field.key
                if unconfirmed.contains(name) { continue }
                if isUncertain(f) {
                    reasons.append(reason(code: "uncertain-reading", severity: .review, fieldName: name, found: f.written,
                        message: "We could not read “{label}” with confidence (we read “{found}”); staff will check it.",
                        rule: "reading-confidence", app: app))
                    continue
                }
                switch f.status {
                case .ok, .blank:
                    continue
                case .invalid:
                    let rule = edition.formats.first { $0.field == name } ?? edition.formats.first { $0.kind == field.kind && $0.field == nil }
                    // A value that fails its pattern after OCR may be our misreading: staff look first.
                    let severity: RuleSeverity = f.source == .ocr ? .review : (rule?.severity ?? .review)
                    reasons.append(reason(code: "invalid-value", severity: severity, fieldName: name, reasonField: rule?.reasonField,
                        found: f.written, message: rule?.message ?? "“{label}” does not hold a valid value: “{found}”.",
                        rule: "format-\(field.key)", app: app))
                case .ambiguous:
                    let rule = edition.formats.first { $0.ambiguous == true }
                    reasons.append(reason(code: "ambiguous-value", severity: rule?.severity ?? .review, fieldName: name,
                        reasonField: rule?.reasonField, found: f.written,
                        message: rule?.message ?? "“{found}” in “{label}” can be read more than one way.",
                        rule: "format-ambiguous", app: app))
                }
            }
        }
        return reasons
    }

    // MARK: - Rules

    /// The outcome of one condition.
    enum Outcome {
        case pass
        case fail(found: String?)
        /// A value the condition needs is blank, invalid or missing: other rules report that.
        case notApplicable
        /// It asks what is on record, and no record (registry) was given: staff look.
        case needsRecord
    }

    func evaluate(_ rule: ProgramRule, _ app: Application, trainees: (any TraineeRegister)?,
                  certificates: (any CertificateRegister)? = nil) throws -> [Reason] {
        for condition in rule.when ?? [] {
            guard case .pass = try test(condition, app, trainees: trainees, certificates: certificates) else { return [] }
        }
        var reasons: [Reason] = []
        if let required = rule.required, app.registration != nil {
            for key in required {
                // Blank only when measured empty: a doubtful blank is already named for review.
                guard let f = field(key, in: app), f.isBlank, !isUncertain(f) else { continue }
                reasons.append(reason(code: rule.id, severity: rule.severity, fieldName: key, found: "",
                                      message: rule.message, rule: rule.id, app: app))
            }
        }
        if let ticked = rule.ticked, app.declaration != nil {
            for key in ticked {
                let name = "declaration." + key
                guard let f = field(name, in: app), f.value != .flag(true) else { continue }
                let severity: RuleSeverity = isUncertain(f) ? .review : rule.severity
                reasons.append(reason(code: rule.id, severity: severity, fieldName: name, found: "not ticked",
                                      message: rule.message, rule: rule.id, app: app))
            }
        }
        if let condition = rule.require {
            if let which = condition.documentPresent, app.partnerInDoubt, case .fail = try test(condition, app, trainees: trainees, certificates: certificates) {
                // Not known to be missing: a lone document of the other kind came in too, and an
                // account number that would tell them apart was not read with confidence.
                reasons.append(Reason(code: "partner-in-doubt", severity: .review, field: which, found: "not matched",
                                      message: "A \(label(for: which) ?? which) received at the same time may belong to this application; the WCB account numbers could not be read with confidence to match them. Staff will match them.",
                                      rule: edition.cite(rule.id), label: label(for: which), document: app.documents.first?.path))
                return reasons
            }
            let outcome = try test(condition, app, trainees: trainees, certificates: certificates)
            if case .needsRecord = outcome {
                let name = rule.field ?? condition.field ?? "registration"
                reasons.append(reason(code: "needs-record", severity: .review, fieldName: name, found: nil,
                    message: "This is decided against the program's record of enrolments and certificates, which this run was not given; staff will check it.",
                    rule: rule.id, app: app))
            }
            if case let .fail(found) = outcome {
                let name = rule.field ?? condition.field ?? "registration"
                let fieldName = name.hasPrefix("declaration_") ? "declaration." + name.dropFirst("declaration_".count) : name
                let read = readFields(condition).map { field($0, in: app) }
                let severity: RuleSeverity = read.contains(where: isUncertain) || failureMayBeOurMisreading(condition, app)
                    ? .review : rule.severity
                var r = reason(code: rule.id, severity: severity, fieldName: fieldName, found: found,
                               message: rule.message, rule: rule.id, app: app, limit: condition.atMost)
                if ["declaration", "registration"].contains(name) {
                    r = Reason(code: r.code, severity: r.severity, field: name, found: found, message: r.message, rule: r.rule,
                               label: label(for: name), document: app.documents.first?.path)
                }
                reasons.append(r)
            }
        }
        return reasons
    }

    /// Whether a failed condition over values read from a scan is more likely our misreading than
    /// the applicant's: a reading that does not fit its context is never sure. Two readings of the
    /// same name or number that differ by a few characters; counts that do not add up to their
    /// total; a date in the future. Not when staff set one of the values it reads.
    func failureMayBeOurMisreading(_ c: RuleCondition, _ app: Application) -> Bool {
        let read = readFields(c).compactMap { field($0, in: app) }
        guard read.contains(where: { $0.source == .ocr }) else { return false }
        // Staff set one of its values looking at the page: the failure is the form's, not our reading's.
        if read.contains(where: { $0.source == .staff }) { return false }
        if let name = c.field, let other = c.sameAs ?? c.sameCompanyAs, let a = field(name, in: app), let b = field(other, in: app) {
            let key = c.sameCompanyAs != nil ? Normalize.companyKey : { $0.filter { !$0.isWhitespace } }
            return Normalize.similarity(key(a.written), key(b.written)) >= 0.6
        }
        if c.sum != nil || c.equalsSum != nil || c.atMost != nil {
            return !countsAddUp(app)
        }
        if case .notAfterProcessingDate = c { return true }
        if case .notAfterField = c { return true }
        return false
    }

    /// Whether the registration's counts equal its total, by the edition's own rule for it
    /// (true when there is no such rule or a count is missing: nothing to hold against a reading).
    func countsAddUp(_ app: Application) -> Bool {
        guard let rule = edition.rules.compactMap(\.require).first(where: { $0.equalsSum != nil }),
              let parts = rule.equalsSum, let total = rule.field,
              case let .count(t)? = field(total, in: app)?.value, let counts = counts(parts, app) else { return true }
        return counts.reduce(0, +) == t
    }

    /// Every field a condition reads.
    func readFields(_ c: RuleCondition) -> [String] {
        var names = ([c.field].compactMap { $0 }) + (c.sum ?? []) + (c.equalsSum ?? []) + (c.anyPresent ?? [])
            + [c.sameAs, c.sameCompanyAs, c.notAfterOther].compactMap { $0 }
        // Alberta's record checks read the account, and the audit's type and certificate.
        switch c {
        case .enrolled, .noValidCertificate, .certificateOfAccount: names.append("wcb_account_number")
        case .auditWindow, .auditYearOpen: names += ["wcb_account_number", "audit_type", "secor_certificate_number"]
        default: break
        }
        return names
    }

    func test(_ c: RuleCondition, _ app: Application, trainees: (any TraineeRegister)?,
              certificates: (any CertificateRegister)? = nil) throws -> Outcome {
        if c.readsCertificates { return try testRecord(c, app, certificates) }
        switch c {
        case let .documentPresent(which):
            let present = app.documents.contains { $0.kind.rawValue == which }
            // Received but unreadable is not missing: staff review it instead.
            if !present && which == "declaration" && !app.unreadableParts.isEmpty { return .notApplicable }
            return present ? .pass : .fail(found: "missing")
        case let .anyPresent(names):
            guard app.registration != nil else { return .notApplicable }
            return names.contains { field($0, in: app).map { !$0.isBlank } ?? false } ? .pass : .fail(found: "")
        case .traineeNotClaimed:
            guard let reg = app.registration, let person = reg.trainee, let trainees else { return .notApplicable }
            if try trainees.account(claiming: person, otherThan: app.wcbAccount) != nil {
                return .fail(found: reg.normalized["trainee_name"]?.written)
            }
            return .pass
        case let .sumAtMost(parts, limit):
            guard let counts = counts(parts, app) else { return .notApplicable }
            let total = counts.reduce(0, +)
            let noun = edition.rules.first { $0.require?.sum == parts }?.counts ?? "workers"
            return total <= limit ? .pass : .fail(found: "\(total) \(noun) (\(counts.map(String.init).joined(separator: " + ")))")
        default:
            break
        }
        guard let name = c.field else { return .notApplicable }
        // A field of a missing document: the missing-document rule speaks for it.
        guard document(name, in: app) != nil, let f = field(name, in: app) else { return .notApplicable }
        if case let .present(_, filled) = c {
            return f.isBlank == !filled ? .pass : .fail(found: f.written)
        }
        guard f.status == .ok, let value = f.value else { return .notApplicable }
        switch c {
        case let .equals(_, expected):
            return value.description.caseInsensitiveCompare(expected) == .orderedSame ? .pass : .fail(found: f.written)
        case let .oneOf(_, allowed):
            return allowed.contains(value.description) ? .pass : .fail(found: f.written)
        case let .noneOf(_, excluded):
            return excluded.contains(value.description) ? .fail(found: f.written) : .pass
        case let .atMost(_, limit):
            guard case let .count(n) = value else { return .notApplicable }
            return n <= limit ? .pass : .fail(found: f.written)
        case let .equalsSum(_, parts):
            guard case let .count(total) = value, let counts = counts(parts, app) else { return .notApplicable }
            let sum = counts.reduce(0, +)
            return total == sum ? .pass : .fail(found: "a total of \(total), but the counts add up to \(sum)")
        case .notAfterProcessingDate:
            guard case let .date(d) = value else { return .notApplicable }
            return d <= processingDate ? .pass : .fail(found: d.description)
        case let .notAfterField(_, other):
            guard case let .date(d) = value, let o = field(other, in: app), o.status == .ok, case let .date(od)? = o.value else { return .notApplicable }
            return d <= od ? .pass : .fail(found: "\(d), after \(od)")
        case let .atLeast(_, limit):
            switch value {
            case let .percent(p): return p >= limit ? .pass : .fail(found: f.written)
            case let .count(n): return Double(n) >= limit ? .pass : .fail(found: f.written)
            default: return .notApplicable
            }
        case let .sameAs(_, other):
            guard let o = field(other, in: app), o.status == .ok, let ov = o.value else { return .notApplicable }
            return ov == value ? .pass : .fail(found: f.written)
        case let .sameCompanyAs(_, other):
            guard let o = field(other, in: app), o.status == .ok else { return .notApplicable }
            if sameCompanyByReadings(name, other, app) { return .pass }
            return Normalize.companyKey(o.written) == Normalize.companyKey(f.written) ? .pass : .fail(found: f.written)
        case .present, .documentPresent, .anyPresent, .traineeNotClaimed, .sumAtMost,
             .enrolled, .noValidCertificate, .certificateOfAccount, .auditWindow, .auditYearOpen:
            return .notApplicable
        }
    }

    /// Alberta's checks against the record of enrolments and certificates. Without a registry a
    /// run knows only its own batch: what must be on record and is not found there is for staff.
    func testRecord(_ c: RuleCondition, _ app: Application, _ register: (any CertificateRegister)?) throws -> Outcome {
        guard let account = app.wcbAccount, !account.isEmpty else { return .notApplicable }
        guard let register else { return .needsRecord }
        let keepsRecord = register.keepsRecord
        // The certificate the audit names, when it is the account's own and valid on the processing date.
        func named() throws -> Certificate? {
            guard let f = field("secor_certificate_number", in: app), f.status == .ok, case let .text(number)? = f.value,
                  let c = try register.certificate(number), c.account == account, c.status(on: processingDate) == .valid else { return nil }
            return c
        }
        let auditType = app.registration?.auditType
        switch c {
        case let .enrolled(wanted):
            let enrolled = try register.isEnrolled(account)
            if wanted && !enrolled && !keepsRecord { return .needsRecord }
            return enrolled == wanted ? .pass : .fail(found: account)
        case .noValidCertificate:
            let valid = try register.certificates(of: account).first { $0.status(on: processingDate) == .valid }
            // That the account holds none is known only from the record: a batch alone cannot say so.
            return valid.map { .fail(found: $0.number) } ?? (keepsRecord ? .pass : .needsRecord)
        case let .certificateOfAccount(name):
            guard let f = field(name, in: app), f.status == .ok, case let .text(number)? = f.value else { return .notApplicable }
            guard let c = try register.certificate(number) else { return keepsRecord ? .fail(found: f.written) : .needsRecord }
            if c.account != account { return .fail(found: "\(f.written), the certificate of another WCB-Alberta account") }
            let status = c.status(on: processingDate)
            return status == .valid ? .pass : .fail(found: "\(f.written), \(status.rawValue)")
        case let .auditWindow(edge):
            guard let type = auditType, let c = try named(), let window = c.window(for: type) else { return .notApplicable }
            switch edge {
            case .opened: return processingDate > window.after ? .pass : .fail(found: "received \(processingDate), before the window opening after \(window.after)")
            case .notClosed: return processingDate <= window.through ? .pass : .fail(found: "received \(processingDate), after \(window.through)")
            }
        case .auditYearOpen:
            guard let year = auditType?.maintenanceYear, let c = try named() else { return .notApplicable }
            return c.maintenance[year].map { .fail(found: "year \(year) accepted \($0)") } ?? .pass
        default:
            return .notApplicable
        }
    }

    private func counts(_ names: [String], _ app: Application) -> [Int]? {
        var values: [Int] = []
        for name in names {
            guard case let .count(n)? = field(name, in: app)?.value else { return nil }
            values.append(n)
        }
        return values
    }
}

extension Validator {
    /// L4: a registration for an account removed less than the wait ago is rejected, giving the first
    /// date it may register again; one for an account whose registration is in force goes to staff.
    /// Nil when the account's standing does not stand in the way (or the edition has no lifecycle).
    public func standingReason(_ app: Application, _ standing: AccountStanding, on date: CalendarDate) -> Reason? {
        guard let terms = edition.lifecycle, app.registration != nil else { return nil }
        let account = app.wcbAccount ?? ""
        func message(_ key: String, _ values: [String: String]) -> String {
            values.reduce(terms.messages[key] ?? key) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
        }
        switch standing {
        case let .removed(on, from) where date < from:
            return reason(code: "removed-wait", severity: .reject, fieldName: "wcb_account_number", found: account,
                          message: message("removed-wait", ["removed_on": on.description, "may_register_from": from.description]),
                          rule: "removed-wait", app: app)
        case let .inForce(registered, status):
            return reason(code: "already-registered", severity: .review, fieldName: "wcb_account_number", found: account,
                          message: message("already-registered", ["registered": registered.description, "status": status.rawValue]),
                          rule: "already-registered", app: app)
        default:
            return nil
        }
    }
}
