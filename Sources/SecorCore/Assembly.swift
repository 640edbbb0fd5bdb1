import Foundation

/// A document that came in: where from, what was read, and its values after normalization.
public struct ReceivedDocument: Sendable {
    public let path: String
    public let sha256: String
    public let extracted: ExtractedDocument
    public let normalized: NormalizedDocument
    /// The position of its file in the batch (ties in ordering go to the earlier file).
    public let fileIndex: Int

    public init(path: String, sha256: String, extracted: ExtractedDocument, normalized: NormalizedDocument, fileIndex: Int) {
        self.path = path
        self.sha256 = sha256
        self.extracted = extracted
        self.normalized = normalized
        self.fileIndex = fileIndex
    }

    public var kind: DocumentKind { extracted.kind }
    public var fileName: String { (path as NSString).lastPathComponent }

    /// The same document with these normalized fields (readings held surer, say).
    public func with(fields: [String: NormalizedField]) -> ReceivedDocument {
        ReceivedDocument(path: path, sha256: sha256, extracted: extracted,
                         normalized: NormalizedDocument(kind: normalized.kind, fields: fields), fileIndex: fileIndex)
    }
    public var wcbAccount: String? { normalized.text("wcb_account_number") }
    /// The kind of audit an audit submission is (nil for any other form, or a choice not read).
    public var auditType: AuditType? { kind == .auditSubmission ? normalized.text("audit_type").flatMap(AuditType.init(rawValue:)) : nil }
    /// The trained employee a registration names, as rule 5 compares them.
    public var trainee: TraineeIdentity? { TraineeIdentity(name: normalized.text("trainee_name"), email: normalized.text("trainee_email")) }
    public var companyKey: String? {
        normalized.text("company_legal_name").map(Normalize.companyKey).flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// A file as an application lists it.
public struct FileReference: Sendable, Codable, Hashable {
    public let path: String
    public let sha256: String
    /// `registration`, `declaration`, or `envelope` for a file holding both.
    public let kind: String
    public let pages: Int
    /// The file's pages in no form: a cover letter, the blank back of a duplex scan, a page that
    /// could not be read as a form's (staff see them listed; nothing the applicant sent is dropped).
    public let otherPages: [Int]?

    public init(path: String, sha256: String, kind: String, pages: Int, otherPages: [Int]? = nil) {
        self.path = path
        self.sha256 = sha256
        self.kind = kind
        self.pages = pages
        self.otherPages = otherPages
    }

    enum CodingKeys: String, CodingKey {
        case path, sha256, kind, pages
        case otherPages = "other_pages"
    }
}

/// When an application was submitted: the XML export's `submitted` time, else the date signed.
public struct SubmissionTime: Sendable, Hashable, Comparable {
    public let instant: Date
    public let date: CalendarDate
    /// As records show it: the XML time as written, or `YYYY-MM-DD`.
    public let text: String

    public static func < (a: SubmissionTime, b: SubmissionTime) -> Bool { a.instant < b.instant }

    /// The start of `date` in Saskatchewan.
    public init(date: CalendarDate) {
        self.instant = Date(timeIntervalSince1970: Double(Self.daysSinceEpoch(date)) * 86_400 + 6 * 3600)
        self.date = date
        self.text = date.description
    }

    /// An RFC 3339 time (`2026-05-14T10:25:00-06:00`, `...Z`, fractions of a second allowed).
    /// Parsed by hand: ICU's date formatter costs milliseconds per call.
    public init?(iso8601 text: String) {
        let b = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var n = 0
            for i in from..<from + count {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                n = n * 10 + Int(b[i] - 48)
            }
            return n
        }
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
              hour < 24, minute < 60, second < 61,
              let civil = CalendarDate(year: year, month: month, day: day) else { return nil }
        var i = 19
        var fraction = 0.0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            while i < b.count, b[i] >= 48, b[i] <= 57 { fraction += Double(b[i] - 48) * scale; scale /= 10; i += 1 }
        }
        guard i < b.count else { return nil }
        var offsetSeconds = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            guard i + 1 == b.count else { return nil }
        } else {
            guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), i + 6 == b.count, b[i + 3] == UInt8(ascii: ":"),
                  let oh = number(i + 1, 2), let om = number(i + 4, 2), oh < 24, om < 60 else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
        }
        let utc = Double(Self.daysSinceEpoch(civil)) * 86_400 + Double(hour * 3600 + minute * 60 + second) + fraction - Double(offsetSeconds)
        self.instant = Date(timeIntervalSince1970: utc)
        // The calendar day in Saskatchewan (UTC-6 all year).
        let local = Int((utc - 6 * 3600).rounded(.down))
        let localDays = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        guard let date = Self.civil(fromDays: localDays) else { return nil }
        self.date = date
        self.text = text
    }

    /// Days from 1970-01-01 (Howard Hinnant's civil-date algorithm).
    static func daysSinceEpoch(_ d: CalendarDate) -> Int {
        let y = d.month <= 2 ? d.year - 1 : d.year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (d.month + 9) % 12
        let doy = (153 * mp + 2) / 5 + d.day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int) -> CalendarDate? {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return CalendarDate(year: yoe + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }
}

/// What assembly and the submission order need of a document: which form, which file, and the
/// few values that link a registration to its declaration. A batch keeps only this of each document
/// while it is read (`DocumentKey`); deciding loads the rest back.
public protocol AssemblyDocument: Sendable {
    var kind: DocumentKind { get }
    var path: String { get }
    var sha256: String { get }
    var fileIndex: Int { get }
    var wcbAccount: String? { get }
    var companyKey: String? { get }
    /// XML exports: the declaration file the export names.
    var attachmentFileName: String? { get }
    /// XML exports: the submission time as written.
    var submittedText: String? { get }
    /// The date signed, normalized.
    var dateSigned: CalendarDate? { get }
    /// How sure the WCB account's reading is (1 where it is exact; 0 where nothing was read).
    var wcbConfidence: Double { get }
}

extension AssemblyDocument {
    public var fileName: String { (path as NSString).lastPathComponent }
}

extension ReceivedDocument: AssemblyDocument {
    public var wcbConfidence: Double { normalized["wcb_account_number"]?.confidence ?? 1 }
    public var attachmentFileName: String? { extracted.attachmentFileName }
    public var submittedText: String? { extracted.submitted }
    public var dateSigned: CalendarDate? {
        if case let .date(d)? = normalized.value("date_signed") { return d }
        return nil
    }
}

/// A received document reduced to its `AssemblyDocument` values, with `handle` saying where
/// the whole document is kept.
public struct DocumentKey<Handle: Sendable>: AssemblyDocument {
    public let handle: Handle
    public let kind: DocumentKind
    public let path: String
    public let sha256: String
    public let fileIndex: Int
    public let wcbAccount: String?
    public let companyKey: String?
    public let attachmentFileName: String?
    public let submittedText: String?
    public let dateSigned: CalendarDate?
    public let wcbConfidence: Double

    public init(_ document: ReceivedDocument, handle: Handle) {
        self.handle = handle
        kind = document.kind
        path = document.path
        sha256 = document.sha256
        fileIndex = document.fileIndex
        wcbAccount = document.wcbAccount
        companyKey = document.companyKey
        attachmentFileName = document.attachmentFileName
        submittedText = document.submittedText
        dateSigned = document.dateSigned
        wcbConfidence = document.wcbConfidence
    }
}

/// A registration and its compliance declaration, as one application; either may be missing.
/// A document decided on its own (an Alberta enrolment or audit submission) is the application's
/// one form, held where a registration is: the unprefixed fields rules name.
public struct AssembledApplication<Document: AssemblyDocument>: Sendable {
    public var id: String
    public var registration: Document?
    public var declaration: Document?
    public var files: [FileReference]
    /// Files that belong to this application but could not be read as a form
    /// (a declaration an XML export names that is a scan, say).
    public var unreadableParts: [UnmatchedFile] = []
    /// A lone document for which a document of the other kind, also alone, came in with it and
    /// either's WCB account was not read with confidence: it may be the partner, so the partner
    /// is not known to be missing.
    public var partnerInDoubt = false

    public init(id: String, registration: Document?, declaration: Document?, files: [FileReference], unreadableParts: [UnmatchedFile] = [],
                partnerInDoubt: Bool = false) {
        self.id = id
        self.registration = registration
        self.declaration = declaration
        self.files = files
        self.unreadableParts = unreadableParts
        self.partnerInDoubt = partnerInDoubt
    }

    /// The XML `submitted` time, else the registration's date signed, else the declaration's.
    public var submitted: SubmissionTime? {
        if let text = registration?.submittedText, let t = SubmissionTime(iso8601: text) { return t }
        if let d = registration?.dateSigned { return SubmissionTime(date: d) }
        if let d = declaration?.dateSigned { return SubmissionTime(date: d) }
        return nil
    }

    public var wcbAccount: String? { registration?.wcbAccount ?? declaration?.wcbAccount }
    public var documents: [Document] { [registration, declaration].compactMap { $0 } }

    /// The same application with each document replaced (a key by the document it stands for).
    public func map<Other>(_ transform: (Document) throws -> Other) rethrows -> AssembledApplication<Other> {
        AssembledApplication<Other>(id: id, registration: try registration.map(transform), declaration: try declaration.map(transform),
                                    files: files, unreadableParts: unreadableParts, partnerInDoubt: partnerInDoubt)
    }
}

/// An application with every document at hand, as validation takes it.
public typealias Application = AssembledApplication<ReceivedDocument>

/// A file that is in no application: unreadable, not a SECOR form, or not yet readable.
public struct UnmatchedFile: Sendable {
    public let path: String
    public let sha256: String
    public let kind: DocumentKind
    public let reasons: [Diagnostic]

    public init(path: String, sha256: String, kind: DocumentKind, reasons: [Diagnostic]) {
        self.path = path
        self.sha256 = sha256
        self.kind = kind
        self.reasons = reasons
    }
}

/// A file that holds forms, as received: how the application will list it, and its documents.
public struct ReceivedFile<Document: AssemblyDocument>: Sendable {
    public let index: Int
    public let reference: FileReference
    public let documents: [Document]

    public init(index: Int, reference: FileReference, documents: [Document]) {
        self.index = index
        self.reference = reference
        self.documents = documents
    }

    public func map<Other>(_ transform: (Document) throws -> Other) rethrows -> ReceivedFile<Other> {
        ReceivedFile<Other>(index: index, reference: reference, documents: try documents.map(transform))
    }
}

/// What assembly makes of a batch: applications (in file order) and the files in none.
public struct Assembly<Document: AssemblyDocument>: Sendable {
    public var applications: [AssembledApplication<Document>]
    public var unmatched: [UnmatchedFile]

    public init(applications: [AssembledApplication<Document>], unmatched: [UnmatchedFile]) {
        self.applications = applications
        self.unmatched = unmatched
    }
}

/// What a read file turns into when it is received: its forms, normalized, or the reasons it is in no application.
public enum Receipt<Document: AssemblyDocument>: Sendable {
    case forms(ReceivedFile<Document>)
    case unmatched(UnmatchedFile)
}

/// The assemble stage: documents into applications.
///
/// Documents of one file belong together (an envelope); then an XML export is paired with
/// the declaration file it names; then by WCB account number; then by the company-name key.
/// Each file can be received (normalized) as it is read; assembly itself needs only the
/// `AssemblyDocument` values, so a batch can keep the rest of each document elsewhere.
public struct ApplicationAssembler: Sendable {
    public let normalizer: FieldNormalizer
    /// A WCB account read at or above this confidence is sure enough to tell documents apart.
    public let sureAt: Double

    public init(normalizer: FieldNormalizer, sureAt: Double = 0.8) {
        self.normalizer = normalizer
        self.sureAt = sureAt
    }

    /// Receives one read file (the `index`-th of the batch): its forms normalized, or why it is in no application.
    public func receive(_ read: ReadFile, index: Int) -> Receipt<ReceivedDocument> {
        let forms = read.documents.filter { normalizer.templates.template(for: $0.kind) != nil }
        guard !forms.isEmpty else {
            return .unmatched(UnmatchedFile(path: read.file.path, sha256: read.file.sha256, kind: read.kind,
                                            reasons: read.reasons + read.documents.flatMap(\.reasons)))
        }
        let kinds = Set(forms.map(\.kind))
        let other = read.documents.filter { normalizer.templates.template(for: $0.kind) == nil }.flatMap(\.pages).sorted()
        let reference = FileReference(path: read.file.path, sha256: read.file.sha256,
                                      kind: kinds.count > 1 || forms.count > 1 ? "envelope" : forms[0].kind.rawValue,
                                      pages: read.pageCount, otherPages: other.isEmpty ? nil : other)
        return .forms(ReceivedFile(index: index, reference: reference, documents: forms.map {
            ReceivedDocument(path: read.file.path, sha256: read.file.sha256, extracted: $0, normalized: normalizer.normalize($0), fileIndex: index)
        }))
    }

    /// A batch's files, read, into applications (in file order) and the files in none.
    public func assemble(_ files: [ReadFile]) -> Assembly<ReceivedDocument> {
        assemble(files.enumerated().map { receive($1, index: $0) })
    }

    /// Received files, in the batch's order, into applications (in file order) and the files in none.
    public func assemble<Document>(_ receipts: [Receipt<Document>]) -> Assembly<Document> {
        typealias App = AssembledApplication<Document>
        var unmatched: [UnmatchedFile] = []
        var registrations: [Document] = []
        var declarations: [Document] = []
        var applications: [App] = []
        var references: [Int: FileReference] = [:] // by file index

        for receipt in receipts {
            let whole: ReceivedFile<Document>
            switch receipt {
            case let .unmatched(u): unmatched.append(u); continue
            case let .forms(f): whole = f
            }
            references[whole.index] = whole.reference
            // A document decided on its own (Alberta's) is an application by itself.
            for doc in whole.documents where doc.kind.isDecidedAlone {
                applications.append(App(id: "", registration: doc, declaration: nil, files: [whole.reference]))
            }
            let file = ReceivedFile(index: whole.index, reference: whole.reference, documents: whole.documents.filter { !$0.kind.isDecidedAlone })
            if Set(file.documents.map(\.kind)).count > 1 {
                // An envelope: each registration with the declaration next to it, after it
                // first (as the forms are sent), then before it (an envelope packed the other way).
                let docs = file.documents
                var taken = [Bool](repeating: false, count: docs.count)
                for (first, second) in [(DocumentKind.registration, DocumentKind.declaration), (.declaration, .registration)] {
                    for i in docs.indices where !taken[i] && docs[i].kind == first {
                        guard let j = docs.indices.first(where: { $0 > i && !taken[$0] }), docs[j].kind == second else { continue }
                        taken[i] = true
                        taken[j] = true
                        let (r, d) = first == .registration ? (docs[i], docs[j]) : (docs[j], docs[i])
                        applications.append(App(id: "", registration: r, declaration: d, files: [file.reference]))
                    }
                }
                for (i, doc) in docs.enumerated() where !taken[i] {
                    if doc.kind == .registration { registrations.append(doc) } else { declarations.append(doc) }
                }
            } else {
                for doc in file.documents {
                    if doc.kind == .registration { registrations.append(doc) } else { declarations.append(doc) }
                }
            }
        }

        func fileRefs(_ docs: [Document]) -> [FileReference] {
            var seen = Set<Int>()
            return docs.compactMap { d in seen.insert(d.fileIndex).inserted ? references[d.fileIndex] : nil }
        }

        // Pair the rest, most certain link first: each registration, in order, with the first
        // declaration left that has the same link. Declarations are looked up by link (a batch
        // of thousands would otherwise compare every pair).
        func pair(_ registrationLink: (Document) -> String?, _ declarationLink: (Document) -> String?) {
            var waiting: [String: [Int]] = [:] // link -> declaration positions, in order
            for (j, d) in declarations.enumerated() { if let link = declarationLink(d) { waiting[link, default: []].append(j) } }
            guard !waiting.isEmpty else { return }
            var taken = Set<Int>()
            var unpaired: [Document] = []
            for r in registrations {
                if let link = registrationLink(r), var positions = waiting[link], !positions.isEmpty {
                    let j = positions.removeFirst()
                    waiting[link] = positions
                    taken.insert(j)
                    applications.append(App(id: "", registration: r, declaration: declarations[j], files: fileRefs([r, declarations[j]])))
                } else {
                    unpaired.append(r)
                }
            }
            registrations = unpaired
            declarations = declarations.enumerated().filter { !taken.contains($0.offset) }.map(\.element)
        }
        pair(\.attachmentFileName, \.fileName)
        pair(\.wcbAccount, \.wcbAccount)
        pair(\.companyKey, \.companyKey)

        /// Last, the halves whose WCB account was not read with confidence (hand print): a
        /// registration and a declaration naming nearly the same company ("Prairie Class Inc",
        /// "Prairie Ulass Inc"), each the other's nearest, are one application. Only such halves
        /// are compared, and only while there are few (a batch of thousands is not compared pair by pair).
        func pairAlike() {
            let doubtful = { (d: Document) in d.wcbConfidence < sureAt || d.wcbAccount == nil }
            let regs = registrations.indices.filter { doubtful(registrations[$0]) && registrations[$0].companyKey != nil }
            let decls = declarations.indices.filter { doubtful(declarations[$0]) && declarations[$0].companyKey != nil }
            guard !regs.isEmpty, !decls.isEmpty, regs.count * decls.count <= 250_000 else { return }
            // Each pair's likeness, once.
            var likeness: [Int: [Int: Double]] = [:]
            for i in regs {
                for j in decls { likeness[i, default: [:]][j] = Normalize.similarity(registrations[i].companyKey!, declarations[j].companyKey!) }
            }
            func alike(_ i: Int, _ j: Int) -> Double { likeness[i]![j]! }
            var pairs: [(Int, Int)] = []
            for i in regs {
                guard let j = decls.max(by: { alike(i, $0) < alike(i, $1) }), alike(i, j) >= 0.8,
                      regs.max(by: { alike($0, j) < alike($1, j) }) == i else { continue }
                pairs.append((i, j))
            }
            for (i, j) in pairs {
                applications.append(App(id: "", registration: registrations[i], declaration: declarations[j],
                                        files: fileRefs([registrations[i], declarations[j]])))
            }
            let pairedRegs = Set(pairs.map(\.0)), pairedDecls = Set(pairs.map(\.1))
            registrations = registrations.enumerated().filter { !pairedRegs.contains($0.offset) }.map(\.element)
            declarations = declarations.enumerated().filter { !pairedDecls.contains($0.offset) }.map(\.element)
        }
        pairAlike()

        // The declaration an export names may be here but unreadable: it belongs to that application.
        var unreadableByName: [String: [Int]] = [:]
        for (k, u) in unmatched.enumerated() { unreadableByName[(u.path as NSString).lastPathComponent, default: []].append(k) }
        var claimed = Set<Int>()
        for r in registrations {
            var app = App(id: "", registration: r, declaration: nil, files: fileRefs([r]))
            if let name = r.attachmentFileName, let k = unreadableByName[name]?.first(where: { !claimed.contains($0) }) {
                claimed.insert(k)
                let part = unmatched[k]
                app.unreadableParts.append(part)
                app.files.append(FileReference(path: part.path, sha256: part.sha256, kind: part.kind.rawValue, pages: 0))
            }
            applications.append(app)
        }
        unmatched = unmatched.enumerated().filter { !claimed.contains($0.offset) }.map(\.element)
        for d in declarations {
            applications.append(App(id: "", registration: nil, declaration: d, files: fileRefs([d])))
        }
        // Lone documents of both kinds, one of them with an account not read with confidence:
        // each may be the other's partner, so neither is known to lack one.
        // Counted per kind, so that a batch of thousands of lone documents is not compared pair by pair.
        let lone = applications.indices.compactMap { i -> (index: Int, kind: DocumentKind, doubtful: Bool)? in
            let app = applications[i]
            guard app.registration == nil || app.declaration == nil, let doc = app.registration ?? app.declaration,
                  !doc.kind.isDecidedAlone else { return nil }
            return (i, doc.kind, doc.wcbConfidence < sureAt || doc.wcbAccount == nil)
        }
        var loneOfKind: [DocumentKind: Int] = [:], doubtfulOfKind: [DocumentKind: Int] = [:]
        for l in lone {
            loneOfKind[l.kind, default: 0] += 1
            if l.doubtful { doubtfulOfKind[l.kind, default: 0] += 1 }
        }
        for l in lone {
            let other: DocumentKind = l.kind == .registration ? .declaration : .registration
            applications[l.index].partnerInDoubt = l.doubtful ? (loneOfKind[other] ?? 0) > 0 : (doubtfulOfKind[other] ?? 0) > 0
        }
        let firstFile = applications.map { $0.documents.map(\.fileIndex).min() ?? 0 }
        applications = applications.indices.sorted { (firstFile[$0], $0) < (firstFile[$1], $1) }.map { applications[$0] }
        var used: [String: Int] = [:]
        for i in applications.indices {
            let base = Self.identifier(applications[i])
            used[base, default: 0] += 1
            applications[i].id = used[base]! > 1 ? "\(base)-\(used[base]!)" : base
        }
        return Assembly(applications: applications, unmatched: unmatched)
    }

    /// A readable, file-name-safe id: the WCB account and the first document's digest prefix.
    static func identifier<Document>(_ application: AssembledApplication<Document>) -> String {
        let account = application.wcbAccount ?? "no-wcb"
        let digest = application.documents.first.map { String($0.sha256.prefix(8)) } ?? "empty"
        return "\(account)-\(digest)"
    }
}
