import Imaging
/// A problem found while reading or deciding a document. Problems are collected as
/// values with where they were found, never thrown: a thrown error means the run itself broke.
public struct Diagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Codable, Comparable {
        case note, review, reject, unreadable

        private var rank: Int {
            switch self { case .note: 0; case .review: 1; case .reject: 2; case .unreadable: 3 }
        }
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    /// Where in the input the problem sits.
    public struct Location: Sendable, Hashable, Codable {
        public var file: String?
        public var page: Int?
        public var line: Int?
        public var box: Box?
        public init(file: String? = nil, page: Int? = nil, line: Int? = nil, box: Box? = nil) {
            self.file = file; self.page = page; self.line = line; self.box = box
        }
    }

    public var severity: Severity
    /// A stable code for machines and staff (`empty-file`, `xml-schema`, ...).
    public var code: String
    /// One line that says what is wrong.
    public var message: String
    /// The form field it is about, if any (a key from the forms README).
    public var field: String?
    public var location: Location
    /// Extra facts: what was found, which rule, and the like.
    public var context: [String: String]

    public init(_ severity: Severity, code: String, _ message: String, field: String? = nil,
                location: Location = Location(), context: [String: String] = [:]) {
        self.severity = severity
        self.code = code
        self.message = message
        self.field = field
        self.location = location
        self.context = context
    }

    public var description: String {
        var where_: [String] = []
        if let p = location.page { where_.append("page \(p)") }
        if let l = location.line { where_.append("line \(l)") }
        let at = where_.isEmpty ? "" : " (\(where_.joined(separator: ", ")))"
        return "\(code): \(message)\(at)"
    }
}
