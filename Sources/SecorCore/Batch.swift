import Foundation
import Imaging

/// An application with its decision, under the edition that decided it.
public struct DecidedApplication: Sendable {
    public let application: Application
    public let edition: ProgramEdition
    public let decision: Decision
    public let reasons: [Reason]
    /// Fields read without confidence that no rule reads to decide: for staff to confirm, never
    /// passed on as read.
    public let unconfirmed: [String]
    /// A registration rejected under L4: the first date its account may register again.
    public var mayRegisterFrom: CalendarDate? = nil
    /// What an accepted Alberta document did to the program's record (an enrolment on record, a
    /// certificate issued or replaced, a maintenance audit received): recorded with the decision.
    public var certificateChanges: [CertificateChange] = []

    /// The certificate this decision issued, if any.
    public var issued: IssuedCertificate? {
        for change in certificateChanges { if case let .issued(c) = change { return IssuedCertificate(c, application: application.id) } }
        return nil
    }

    public init(application: Application, edition: ProgramEdition, decision: Decision, reasons: [Reason], unconfirmed: [String] = []) {
        self.application = application
        self.edition = edition
        self.decision = decision
        self.reasons = reasons
        self.unconfirmed = unconfirmed
    }
}

/// The decide stage for a batch: each application under the edition in effect when it was
/// submitted; rule 5 across applications in submission order, so the earlier registration
/// keeps its trained employee.
public struct BatchDecider: Sendable {
    public let library: ProgramLibrary
    public let templates: FormTemplates
    public let processingDate: CalendarDate
    public let program: String

    public init(library: ProgramLibrary, templates: FormTemplates, processingDate: CalendarDate, program: String = "sk-secor") {
        self.library = library
        self.templates = templates
        self.processingDate = processingDate
        self.program = program
    }

    public func edition(for application: Application) -> ProgramEdition? {
        library.edition(of: program(of: application), on: application.submitted?.date ?? processingDate)
    }

    /// The program whose rules decide the application: its form's, told by the form's title.
    public func program<Document>(of application: AssembledApplication<Document>) -> String {
        application.documents.first.flatMap { templates.template(for: $0.kind)?.program } ?? program
    }

    public func decide(_ applications: [Application], earlier: (any TraineeRegister)? = nil,
                       history: (any RegistrationHistory)? = nil, certificates: (any CertificateRegister)? = nil) throws -> [DecidedApplication] {
        var decided: [Int: DecidedApplication] = [:]
        try decideInSubmissionOrder(applications, earlier: earlier, history: history, certificates: certificates, load: { $0 }) { decided[$0] = $1 }
        return applications.indices.compactMap { decided[$0] }
    }

    /// Each application, loaded by `load` in its turn, decided in submission order and handed to
    /// `each` with its position; one with no edition in effect on its date is left out. Throws
    /// when a register cannot answer: a broken run, never a decision.
    public func decideInSubmissionOrder<Document>(_ applications: [AssembledApplication<Document>], earlier: (any TraineeRegister)? = nil,
                                                  history: (any RegistrationHistory)? = nil,
                                                  certificates: (any CertificateRegister)? = nil,
                                                  load: (AssembledApplication<Document>) throws -> Application,
                                                  each: (Int, DecidedApplication) throws -> Void) throws {
        let register = BatchTraineeRegister(earlier: earlier)
        let standing = history.map { BatchRegistrationHistory(earlier: $0) }
        let record = BatchCertificates(earlier: certificates)
        // Alberta's order within a run: enrolments first, then audit submissions, each by date signed.
        let order = Self.submissionOrder(applications.map(\.submitted))
        let isAudit = { (i: Int) in applications[i].documents.contains { $0.kind == .auditSubmission } }
        for index in order.filter({ !isAudit($0) }) + order.filter(isAudit) {
            if let d = try decide(try load(applications[index]), register: register, history: standing, certificates: record) { try each(index, d) }
        }
    }

    /// The order to decide in: by submission time; those with no time last; ties by position.
    public static func submissionOrder(_ submitted: [SubmissionTime?]) -> [Int] {
        submitted.indices.sorted { a, b in
            switch (submitted[a], submitted[b]) {
            case let (x?, y?) where x != y: return x < y
            case (_?, nil): return true
            case (nil, _?): return false
            default: return a < b
            }
        }
    }

    /// One application, in its turn: a registration that is not rejected claims its trained
    /// employee in `register`, so later ones naming the same person break rule 5.
    /// Nil when no edition of the program was in effect on its date.
    public func decide(_ app: Application, register: BatchTraineeRegister, history: BatchRegistrationHistory? = nil,
                       certificates: BatchCertificates? = nil) throws -> DecidedApplication? {
        guard let edition = edition(for: app) else { return nil }
        let validator = Validator(edition: edition, templates: templates, processingDate: processingDate)
        let app = validator.confirmed(app)
        // Which fields decide, once: it may ask the registry about trained employees.
        let deciding = validator.decidingFields(app, trainees: register)
        var reasons = try validator.validate(app, trainees: register, deciding: deciding, certificates: certificates)
        // The rules are chosen by the document's date; on a date no edition was in force (before the
        // program's first), the nearest edition decided it, and staff say whether that is right.
        let dated = app.submitted?.date ?? processingDate
        if !library.editions.contains(where: { $0.program == edition.program && $0.isEffective(on: dated) }) {
            reasons.append(Reason(code: "no-edition-in-force", severity: .review, field: "date_signed", found: dated.description,
                                  message: "No edition of the program's rules was in force on \(dated), the date this was signed (the \(edition.edition) edition starts \(edition.effectiveFrom)); staff will decide which rules apply.",
                                  rule: edition.cite("edition-in-force")))
        }
        // L4: the account's standing with the program, as the registry and this batch have it.
        var mayRegisterFrom: CalendarDate? = nil
        if let history, app.registration?.kind == .registration, let account = app.wcbAccount, !account.isEmpty {
            let standing = try history.standing(of: account, on: processingDate)
            if let reason = validator.standingReason(app, standing, on: processingDate) {
                reasons.append(reason)
                if case let .removed(_, from) = standing { mayRegisterFrom = from }
            }
        }
        let decision = Decision(reasons: reasons)
        let form = app.registration?.kind
        if decision == .accepted, form == .registration, let account = app.wcbAccount { history?.accepted(account, on: processingDate) }
        if decision != .rejected, form == .registration, let account = app.wcbAccount, let person = app.registration?.trainee {
            register.claim(person, for: account)
        }
        // An accepted Alberta document changes the program's record (rule 14), for the documents after it too.
        var changes: [CertificateChange] = []
        if decision == .accepted, let terms = edition.certificates, let certificates, let doc = app.registration, let account = app.wcbAccount {
            if doc.kind == .enrolment || doc.auditType != nil {
                changes = try certificates.accept(account: account, audit: doc.auditType, naming: doc.normalized.text("secor_certificate_number"),
                                                  on: processingDate, terms: terms)
            }
        }
        var decided = DecidedApplication(application: app, edition: edition, decision: decision, reasons: reasons,
                                         unconfirmed: validator.unconfirmed(app, deciding: deciding))
        decided.mayRegisterFrom = mayRegisterFrom
        decided.certificateChanges = changes
        return decided
    }
}

/// The registry's registrations and this batch's acceptances: a second registration for one account
/// in one batch finds the first in force.
public final class BatchRegistrationHistory: RegistrationHistory {
    private let earlier: any RegistrationHistory
    private var accepted: [String: CalendarDate] = [:]

    public init(earlier: any RegistrationHistory) { self.earlier = earlier }

    public func standing(of account: String, on date: CalendarDate) throws -> AccountStanding {
        if let registered = accepted[account] { return .inForce(registered: registered, status: .registered) }
        return try earlier.standing(of: account, on: date)
    }

    public func accepted(_ account: String, on date: CalendarDate) { accepted[account] = date }
}

/// What `process` prints for an application, and `record.json` holds.
public struct ApplicationRecord: Sendable, Codable {
    public var id: String
    public var decision: ApplicationState
    public var program: String
    public var edition: String
    public var submitted: String?
    public var documents: [FileReference]
    /// Registration fields, normalized (counts as numbers, Yes/No, dates as YYYY-MM-DD, blank as "").
    public var fields: [String: FieldValue]
    public var declarationFields: [String: FieldValue]
    /// Each field as the applicant wrote it.
    public var asWritten: [String: [String: String]]
    public var reasons: [Reason]
    /// How each field was read, by the field names reasons use (`decl_office`, `declaration_signature`).
    public var readings: [String: FieldReading]
    /// Fields read without confidence that no rule reads to decide (an email, a position): they
    /// did not hold the decision; staff confirm them. Absent when there are none.
    public var unconfirmed: [String]?
    /// Values staff confirmed or corrected, by field, each beside the value read. Absent when none.
    public var corrections: [String: StaffCorrection]?
    /// A supervisor's decision against the rules. Absent when the rules decided.
    public var override: StaffOverride?
    /// Where it was superseded: the application that replaced it; where it supersedes, the ones it replaced.
    public var supersededBy: String?
    public var supersedes: [String]?
    /// A registration rejected because its account was removed less than the wait ago (L4): the
    /// first date it may register again.
    public var mayRegisterFrom: CalendarDate?

    /// Where and how sure: for staff checking a doubtful field.
    public struct FieldReading: Sendable, Codable, Hashable {
        public let source: FieldSource
        public let confidence: Double
        public let document: String?
        public let page: Int?
        public let box: Box?

        public init(source: FieldSource, confidence: Double, document: String?, page: Int?, box: Box?) {
            self.source = source; self.confidence = confidence; self.document = document; self.page = page; self.box = box
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, decision, program, edition, submitted, documents, fields, reasons, readings, unconfirmed, corrections, override, supersedes
        case supersededBy = "superseded_by"
        case mayRegisterFrom = "may_register_from"
        case declarationFields = "declaration_fields"
        case asWritten = "as_written"
    }

    /// The same record in another state (`pending`, `superseded`).
    public func marked(_ decision: ApplicationState) -> ApplicationRecord {
        var copy = self
        copy.decision = decision
        return copy
    }

    /// The same record with its documents' paths where they are now filed.
    public func relocated(_ paths: [String: String]) -> ApplicationRecord {
        var copy = self
        copy.documents = documents.map { d in
            FileReference(path: paths[d.sha256] ?? d.path, sha256: d.sha256, kind: d.kind, pages: d.pages, otherPages: d.otherPages)
        }
        copy.readings = readings.mapValues { r in
            guard let doc = r.document, let moved = documents.first(where: { $0.path == doc }).flatMap({ paths[$0.sha256] }) else { return r }
            return FieldReading(source: r.source, confidence: r.confidence, document: moved, page: r.page, box: r.box)
        }
        copy.reasons = reasons.map { r in
            guard let doc = r.document, let moved = documents.first(where: { $0.path == doc }).flatMap({ paths[$0.sha256] }) else { return r }
            return Reason(code: r.code, severity: r.severity, field: r.field, found: r.found, message: r.message, rule: r.rule,
                          label: r.label, document: moved, page: r.page, box: r.box)
        }
        return copy
    }

    public init(_ decided: DecidedApplication) {
        let app = decided.application
        id = app.id
        decision = ApplicationState(decided.decision)
        program = decided.edition.program
        edition = decided.edition.edition
        submitted = app.submitted?.text
        documents = app.files
        func values(_ doc: ReceivedDocument?) -> [String: FieldValue] {
            guard let doc else { return [:] }
            return doc.normalized.fields.mapValues { f in f.value ?? .text(f.isBlank ? "" : f.written) }
        }
        fields = values(app.registration)
        declarationFields = values(app.declaration)
        var written: [String: [String: String]] = [:]
        if let r = app.registration { written["registration"] = r.normalized.fields.mapValues(\.written) }
        if let d = app.declaration { written["declaration"] = d.normalized.fields.mapValues(\.written) }
        asWritten = written
        reasons = decided.reasons
        mayRegisterFrom = decided.mayRegisterFrom
        unconfirmed = decided.unconfirmed.isEmpty ? nil : decided.unconfirmed
        var readings: [String: FieldReading] = [:]
        for doc in app.documents {
            for (key, f) in doc.normalized.fields {
                let name = doc.kind == .declaration ? Validator.reasonField("declaration." + key) : key
                readings[name] = FieldReading(source: f.source, confidence: (f.confidence * 1000).rounded() / 1000,
                                              document: doc.path, page: f.page, box: f.box)
            }
        }
        self.readings = readings
    }
}

/// A file in no application, as `process` prints it.
public struct UnmatchedRecord: Sendable, Codable {
    public struct ReasonRecord: Sendable, Codable {
        public let code: String
        public let severity: String
        public let message: String
    }

    public let path: String
    public let sha256: String
    public let kind: String
    /// `failed` (unreadable), `rejected` (not a SECOR form) or `needs_review`.
    public let decision: UnmatchedOutcome
    public let reasons: [ReasonRecord]

    public init(_ file: UnmatchedFile) {
        path = file.path
        sha256 = file.sha256
        kind = file.kind.rawValue
        decision = UnmatchedOutcome(file.reasons)
        reasons = file.reasons.map { ReasonRecord(code: $0.code, severity: $0.severity.rawValue, message: $0.message) }
    }
}
