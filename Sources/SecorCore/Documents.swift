import Foundation
import Imaging

/// Where a value was read from; `staff` for a value staff confirmed or corrected (the value
/// read stays beside it in the record).
public enum FieldSource: String, Sendable, Codable {
    case acroform, text, xml, ocr, ink, staff
}

/// How a document arrived (the forms README's "flavor").
public enum Flavor: String, Sendable, Codable {
    case fill, flat, print, scan, xml, unknown
}

/// One value read from a document, before normalization.
public struct ExtractedField: Sendable, Hashable, Codable {
    /// The value as the applicant wrote it, in the form's terms (`Yes`/`No` for ticks and radio groups).
    public var value: String
    /// Exactly what was read (the XML text, the AcroForm state, the OCR text).
    public var raw: String
    public var source: FieldSource
    /// 1-based page within the file, where known.
    public var page: Int?
    public var box: Box?
    /// 1.0 where the value is exact (AcroForm, text layer, XML).
    public var confidence: Double
    /// Other readings of a doubtful value, likeliest first (a hand-written count's next likeliest
    /// digits), in the record for staff. Never a value read, and never chosen among by the form's
    /// context (the counts' total would assume the sum the rules check).
    public var alternatives: [String]?

    public init(value: String, raw: String? = nil, source: FieldSource, page: Int? = nil, box: Box? = nil, confidence: Double = 1.0,
                alternatives: [String]? = nil) {
        self.value = value
        self.raw = raw ?? value
        self.source = source
        self.page = page
        self.box = box
        self.confidence = confidence
        self.alternatives = alternatives
    }
}

/// A document read from a file: which form it is and every field found on it.
public struct ExtractedDocument: Sendable, Codable {
    public var kind: DocumentKind
    public var flavor: Flavor
    /// The form edition it was read against (`2018-09`), when known.
    public var formEdition: String?
    /// The file's pages this document covers (1-based).
    public var pages: [Int]
    public var fields: [String: ExtractedField]
    /// XML exports: the submission time as written (`submitted`).
    public var submitted: String?
    /// XML exports: the declaration file the export names.
    public var attachmentFileName: String?
    /// Problems met while reading (a missing field is not one; rules decide that).
    public var reasons: [Diagnostic]

    public init(kind: DocumentKind, flavor: Flavor, formEdition: String? = nil, pages: [Int], fields: [String: ExtractedField] = [:],
                submitted: String? = nil, attachmentFileName: String? = nil, reasons: [Diagnostic] = []) {
        self.kind = kind
        self.flavor = flavor
        self.formEdition = formEdition
        self.pages = pages
        self.fields = fields
        self.submitted = submitted
        self.attachmentFileName = attachmentFileName
        self.reasons = reasons
    }
}

/// Everything read from one input file. Most files hold one document; an envelope scan holds several.
/// Codable so a reader process can hand it back (without the file's bytes).
public struct ReadFile: Sendable, Codable {
    public var file: InputFile
    public var format: DocumentFormat
    public var pageCount: Int
    public var documents: [ExtractedDocument]
    /// Why the file could not be read, when it could not.
    public var reasons: [Diagnostic]

    public init(file: InputFile, format: DocumentFormat, pageCount: Int, documents: [ExtractedDocument], reasons: [Diagnostic] = []) {
        self.file = file
        self.format = format
        self.pageCount = pageCount
        self.documents = documents
        self.reasons = reasons
    }

    /// The file's kind as a whole: `unreadable` when nothing could be read.
    /// A file's forms say what it is; pages in no form beside them (a cover letter, a blank
    /// back) do not.
    public var kind: DocumentKind {
        if documents.isEmpty { return reasons.isEmpty ? .unknown : .unreadable }
        let forms = documents.filter { $0.kind == .registration || $0.kind == .declaration }
        let telling = forms.isEmpty ? documents : forms
        if telling.count == 1 { return telling[0].kind }
        let kinds = Set(telling.map(\.kind))
        return kinds.count == 1 ? kinds.first! : .unknown
    }

    /// One word for logs and progress: the kind, or `envelope` for a file holding several documents.
    public var summary: String {
        let forms = documents.filter { $0.kind == .registration || $0.kind == .declaration }
        return forms.count > 1 ? "envelope" : kind.rawValue
    }

    public static func unreadable(_ file: InputFile, format: DocumentFormat, pageCount: Int = 0, _ reason: Diagnostic) -> ReadFile {
        ReadFile(file: file, format: format, pageCount: pageCount, documents: [], reasons: [reason])
    }
}
