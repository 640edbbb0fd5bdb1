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
    public var wcbAccount: String? { normalized.text("wcb_account_number") }
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
}

/// When an application was submitted: the XML export's `submitted` time, else the date signed.
public struct SubmissionTime: Sendable, Hashable, Comparable {
    public let instant: Date
    public let date: CalendarDate
    /// As records show it: the XML time as written, or `YYYY-MM-DD`.
    public let text: String

    public static func < (a: SubmissionTime, b: SubmissionTime) -> Bool { a.instant < b.instant }

    /// Saskatchewan keeps Central Standard Time all year.
    static let saskatchewan = TimeZone(secondsFromGMT: -6 * 3600)!

    public init(date: CalendarDate) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = Self.saskatchewan
        self.instant = calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day)) ?? .distantPast
        self.date = date
        self.text = date.description
    }

    public init?(iso8601 text: String) {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var parsed = formatter.date(from: text)
        if parsed == nil {
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            parsed = formatter.date(from: text)
        }
        guard let instant = parsed else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = Self.saskatchewan
        let c = calendar.dateComponents([.year, .month, .day], from: instant)
        guard let date = CalendarDate(year: c.year ?? 0, month: c.month ?? 0, day: c.day ?? 0) else { return nil }
        self.instant = instant
        self.date = date
        self.text = text
    }
}

/// A registration and its compliance declaration, as one application; either may be missing.
public struct Application: Sendable {
    public var id: String
    public var registration: ReceivedDocument?
    public var declaration: ReceivedDocument?
    public var files: [FileReference]

    /// The XML `submitted` time, else the registration's date signed, else the declaration's.
    public var submitted: SubmissionTime? {
        if let text = registration?.extracted.submitted, let t = SubmissionTime(iso8601: text) { return t }
        if case let .date(d)? = registration?.normalized.value("date_signed") { return SubmissionTime(date: d) }
        if case let .date(d)? = declaration?.normalized.value("date_signed") { return SubmissionTime(date: d) }
        return nil
    }

    public var wcbAccount: String? { registration?.wcbAccount ?? declaration?.wcbAccount }
    public var documents: [ReceivedDocument] { [registration, declaration].compactMap { $0 } }
}

/// A file that is in no application: unreadable, not a SECOR form, or not yet readable.
public struct UnmatchedFile: Sendable {
    public let path: String
    public let sha256: String
    public let kind: DocumentKind
    public let reasons: [Diagnostic]
}

/// The assemble stage: documents into applications.
///
/// Documents of one file belong together (an envelope); then an XML export is paired with
/// the declaration file it names; then by WCB account number; then by the company-name key.
public struct ApplicationAssembler: Sendable {
    public let normalizer: FieldNormalizer

    public init(normalizer: FieldNormalizer) { self.normalizer = normalizer }

    public func assemble(_ files: [ReadFile]) -> (applications: [Application], unmatched: [UnmatchedFile]) {
        var unmatched: [UnmatchedFile] = []
        var registrations: [ReceivedDocument] = []
        var declarations: [ReceivedDocument] = []
        var applications: [Application] = []
        var references: [String: FileReference] = [:] // by file path + index

        for (index, read) in files.enumerated() {
            let forms = read.documents.filter { $0.kind == .registration || $0.kind == .declaration }
            guard !forms.isEmpty else {
                unmatched.append(UnmatchedFile(path: read.file.path, sha256: read.file.sha256, kind: read.kind,
                                               reasons: read.reasons + read.documents.flatMap(\.reasons)))
                continue
            }
            let kinds = Set(forms.map(\.kind))
            let reference = FileReference(path: read.file.path, sha256: read.file.sha256,
                                          kind: kinds.count > 1 || forms.count > 1 ? "envelope" : forms[0].kind.rawValue,
                                          pages: read.pageCount)
            references["\(index)"] = reference
            let received = forms.map {
                ReceivedDocument(path: read.file.path, sha256: read.file.sha256, extracted: $0,
                                 normalized: normalizer.normalize($0), fileIndex: index)
            }
            if kinds.count > 1 {
                // An envelope: each registration with the declaration that follows it.
                var pendingRegistration: ReceivedDocument? = nil
                for doc in received {
                    if doc.kind == .registration {
                        if let r = pendingRegistration { registrations.append(r) }
                        pendingRegistration = doc
                    } else if let r = pendingRegistration {
                        applications.append(Application(id: "", registration: r, declaration: doc, files: [reference]))
                        pendingRegistration = nil
                    } else {
                        declarations.append(doc)
                    }
                }
                if let r = pendingRegistration { registrations.append(r) }
            } else {
                for doc in received {
                    if doc.kind == .registration { registrations.append(doc) } else { declarations.append(doc) }
                }
            }
        }

        // Pair the rest, most certain link first.
        func pair(_ matches: (ReceivedDocument, ReceivedDocument) -> Bool) {
            var i = 0
            while i < registrations.count {
                let r = registrations[i]
                if let j = declarations.firstIndex(where: { matches(r, $0) }) {
                    let d = declarations.remove(at: j)
                    registrations.remove(at: i)
                    applications.append(Application(id: "", registration: r, declaration: d,
                                                    files: fileRefs([r, d], references)))
                } else {
                    i += 1
                }
            }
        }
        pair { r, d in r.extracted.attachmentFileName.map { $0 == d.fileName } ?? false }
        pair { r, d in r.wcbAccount != nil && r.wcbAccount == d.wcbAccount }
        pair { r, d in r.companyKey != nil && r.companyKey == d.companyKey }

        for r in registrations {
            applications.append(Application(id: "", registration: r, declaration: nil, files: fileRefs([r], references)))
        }
        for d in declarations {
            applications.append(Application(id: "", registration: nil, declaration: d, files: fileRefs([d], references)))
        }
        applications.sort { a, b in
            (a.documents.map(\.fileIndex).min() ?? 0) < (b.documents.map(\.fileIndex).min() ?? 0)
        }
        var used: [String: Int] = [:]
        for i in applications.indices {
            let base = Self.identifier(applications[i])
            used[base, default: 0] += 1
            applications[i].id = used[base]! > 1 ? "\(base)-\(used[base]!)" : base
        }
        return (applications, unmatched)
    }

    private func fileRefs(_ docs: [ReceivedDocument], _ references: [String: FileReference]) -> [FileReference] {
        var seen = Set<Int>()
        return docs.compactMap { d in
            guard seen.insert(d.fileIndex).inserted else { return nil }
            return references["\(d.fileIndex)"]
        }
    }

    /// A readable, file-name-safe id: the WCB account and the first document's digest prefix.
    static func identifier(_ application: Application) -> String {
        let account = application.wcbAccount ?? "no-wcb"
        let digest = application.documents.first.map { String($0.sha256.prefix(8)) } ?? "empty"
        return "\(account)-\(digest)"
    }
}
