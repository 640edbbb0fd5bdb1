import Foundation
import SecorCore
import SecorReaders
import SecorOutput
import Imaging

/// What `secor-intake extract` prints for one file.
public struct ExtractReport: Sendable, Encodable {
    public struct Field: Sendable, Encodable {
        public let value: String
        public let raw: String
        public let source: String
        public let page: Int?
        public let box: Box?
        public let confidence: Double
    }

    public struct Reason: Sendable, Encodable {
        public let code: String
        public let severity: String
        public let message: String
        public let field: String?
        public let page: Int?
        public let line: Int?
    }

    public struct Document: Sendable, Encodable {
        public let kind: String
        public let flavor: String
        public let pages: [Int]
        public let fields: [String: Field]
        public let reasons: [Reason]
    }

    public let path: String
    public let sha256: String
    public let kind: String
    public let format: String
    public let pages: Int
    public let flavor: String?
    public let submitted: String?
    public let attachment: String?
    /// The fields of the file's one document; for an envelope, see `documents`.
    public let fields: [String: Field]
    /// Set only when the file holds more than one document (an envelope).
    public let documents: [Document]?
    public let reasons: [Reason]

    public init(_ read: ReadFile) {
        path = read.file.path
        sha256 = read.file.sha256
        format = read.format.rawValue
        pages = read.pageCount
        let docs = read.documents
        if docs.count > 1 {
            kind = "envelope"
            documents = docs.map { Document(kind: $0.kind.rawValue, flavor: $0.flavor.rawValue, pages: $0.pages,
                                            fields: Self.fields($0), reasons: $0.reasons.map(Self.reason)) }
            fields = [:]
            flavor = nil
        } else {
            kind = read.kind.rawValue
            documents = nil
            fields = docs.first.map(Self.fields) ?? [:]
            flavor = docs.first?.flavor.rawValue
        }
        submitted = docs.first?.submitted
        attachment = docs.first?.attachmentFileName
        reasons = (read.reasons + docs.flatMap(\.reasons)).map(Self.reason)
    }

    /// Whether the file was read as one of the office's documents.
    public var wasRead: Bool { kind == "registration" || kind == "declaration" || kind == "envelope" }

    static func fields(_ doc: ExtractedDocument) -> [String: Field] {
        doc.fields.mapValues { f in
            Field(value: f.value, raw: f.raw, source: f.source.rawValue, page: f.page, box: f.box,
                  confidence: (f.confidence * 1000).rounded() / 1000)
        }
    }

    static func reason(_ d: Diagnostic) -> Reason {
        Reason(code: d.code, severity: d.severity.rawValue, message: d.message, field: d.field,
               page: d.location.page, line: d.location.line)
    }
}

public enum OutputFormat: String, Sendable, CaseIterable {
    case json, text
}

/// Renders extract reports as JSON or as text a person reads.
public enum ExtractOutput {
    public static func json(_ reports: [ExtractReport]) throws -> String { try JSONOutput.string(reports) }

    public static func text(_ reports: [ExtractReport]) -> String {
        var out = ""
        for r in reports {
            out += "\(r.path)\n"
            out += "  kind: \(r.kind)   format: \(r.format)   pages: \(r.pages)   sha256: \(r.sha256.prefix(16))…\n"
            if let flavor = r.flavor { out += "  flavor: \(flavor)\n" }
            if let s = r.submitted { out += "  submitted: \(s)\n" }
            if let a = r.attachment { out += "  declaration file named: \(a)\n" }
            func table(_ fields: [String: ExtractReport.Field], indent: String) {
                let width = fields.keys.map(\.count).max() ?? 0
                for key in fields.keys.sorted() {
                    let f = fields[key]!
                    let shown = f.value.isEmpty ? "(blank)" : f.value
                    let conf = f.confidence < 1 ? String(format: "  %.2f", f.confidence) : ""
                    let page = f.page.map { " p\($0)" } ?? ""
                    out += "\(indent)\(key.padding(toLength: width, withPad: " ", startingAt: 0))  \(shown)   [\(f.source)\(page)\(conf)]\n"
                }
            }
            table(r.fields, indent: "    ")
            for d in r.documents ?? [] {
                out += "  \(d.kind) (pages \(d.pages.map(String.init).joined(separator: ", ")))\n"
                table(d.fields, indent: "    ")
            }
            for reason in r.reasons {
                out += "  ! \(reason.message)\(reason.line.map { " (line \($0))" } ?? "")\n"
            }
            out += "\n"
        }
        return out
    }
}
