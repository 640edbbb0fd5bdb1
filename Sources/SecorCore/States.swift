/// Where an application stands. The raw values are what records and the registry hold; the
/// folder is where its files are kept under OUT. Both are said here once.
public enum ApplicationState: String, Sendable, Codable, CaseIterable, Comparable {
    /// One document has come; it waits for its partner.
    case pending
    case accepted
    case rejected
    /// Staff must look at it before it is decided.
    case needsReview = "needs_review"
    /// A corrected resubmission replaced it.
    case superseded

    public init(_ decision: Decision) {
        switch decision {
        case .accepted: self = .accepted
        case .rejected: self = .rejected
        case .needsReview: self = .needsReview
        }
    }

    /// The folder under OUT that holds its files: one per state, so an id stands in one folder.
    public var folder: String {
        switch self {
        case .pending: "pending"
        case .accepted: "accepted"
        case .rejected: "rejected"
        case .needsReview: "review"
        case .superseded: "superseded"
        }
    }

    /// Every folder an application's files can be in.
    public static let folders = ["pending", "accepted", "rejected", "review", "superseded"]

    /// How people read it: `needs review`.
    public var words: String { rawValue.replacingOccurrences(of: "_", with: " ") }

    /// States whose trained employee counts against later registrations (rule 5).
    public var holdsTrainee: Bool { self == .pending || self == .accepted || self == .needsReview }

    /// Whether the application has been decided (letters and worksheets belong to these).
    public var isDecided: Bool { self == .accepted || self == .rejected || self == .needsReview }

    public static func < (a: ApplicationState, b: ApplicationState) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// What becomes of a file that is in no application.
public enum UnmatchedOutcome: String, Sendable, Codable, CaseIterable {
    /// It could not be read.
    case failed
    /// It was read and is not a SECOR form.
    case rejected
    case needsReview = "needs_review"
    /// The same bytes as a file received before: that file is the document.
    case duplicate

    /// The code of the one reason a duplicate has.
    public static let duplicateCode = "duplicate"

    /// By the worst of its reasons; a file whose only reason is being a copy is a duplicate.
    public init(_ reasons: [Diagnostic]) {
        if !reasons.isEmpty, reasons.allSatisfy({ $0.code == Self.duplicateCode }) { self = .duplicate; return }
        self.init(worst: reasons.map(\.severity).max())
    }

    /// By the worst of its reasons.
    public init(worst: Diagnostic.Severity?) {
        switch worst {
        case .unreadable?: self = .failed
        case .reject?: self = .rejected
        default: self = .needsReview
        }
    }

    public var folder: String {
        switch self {
        case .failed: "failed"
        case .rejected: "rejected"
        case .needsReview: "review"
        case .duplicate: "duplicates"
        }
    }

    public var words: String { rawValue.replacingOccurrences(of: "_", with: " ") }
}

/// Where a document stands in the registry. The raw values are the registry's.
public enum DocumentState: String, Sendable, Codable, CaseIterable {
    /// Taken from the inbox, not yet decided (a crash here means: decide again).
    case claimed
    /// Waiting for its partner document in OUT/pending.
    case pending
    /// Decided and filed.
    case decided
    /// The same bytes as an earlier document.
    case duplicate
    /// Could not be read.
    case failed
    /// Replaced by a corrected resubmission.
    case superseded
}
