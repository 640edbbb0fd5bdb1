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

/// A registration and its compliance declaration, as one application; either may be missing.
public struct Application: Sendable {
    public var id: String
    public var registration: ReceivedDocument?
    public var declaration: ReceivedDocument?
    public var files: [FileReference]
    /// Files that belong to this application but could not be read as a form
    /// (a declaration an XML export names that is a scan, say).
    public var unreadableParts: [UnmatchedFile] = []

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

    public init(path: String, sha256: String, kind: DocumentKind, reasons: [Diagnostic]) {
        self.path = path
        self.sha256 = sha256
        self.kind = kind
        self.reasons = reasons
    }
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
            var app = Application(id: "", registration: r, declaration: nil, files: fileRefs([r], references))
            // The declaration the export names is here but could not be read: it belongs to this application.
            if let name = r.extracted.attachmentFileName,
               let k = unmatched.firstIndex(where: { ($0.path as NSString).lastPathComponent == name }) {
                let part = unmatched.remove(at: k)
                app.unreadableParts.append(part)
                app.files.append(FileReference(path: part.path, sha256: part.sha256, kind: part.kind.rawValue, pages: 0))
            }
            applications.append(app)
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
