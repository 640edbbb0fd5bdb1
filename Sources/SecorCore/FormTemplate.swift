import Foundation
import SecorSchemas
import Imaging

/// What kind of value a form field holds, in the forms README's words.
public enum FieldKind: String, Sendable, Codable {
    case text
    /// A Yes/No radio group.
    case yesNo = "yn"
    /// One of a fixed list (a combo box on the fillable form).
    case choice
    case count
    case date
    /// A percentage from 0 to 100, `%` optional (Alberta's audit score).
    case percent
    /// A declaration statement's tick box.
    case tick
    /// Ink in a drawn box (the signature).
    case ink
}

/// The kind of document the office receives, known by its content.
public enum DocumentKind: String, Sendable, Codable, CaseIterable {
    /// Saskatchewan: a registration and its compliance declaration make one application.
    case registration
    case declaration
    /// Alberta: an enrolment, and later audit submissions, each decided on its own.
    case enrolment
    case auditSubmission = "audit_submission"
    case unknown
    case unreadable

    /// A document that is an application by itself, never paired with another.
    public var isDecidedAlone: Bool { self == .enrolment || self == .auditSubmission }
    /// A form the office reads (not a cover letter, an unknown or an unreadable file).
    public var isForm: Bool { self != .unknown && self != .unreadable }
}

/// One field of a form, where it is on the blank form and what the form prints beside it.
public struct TemplateField: Sendable, Codable, Hashable {
    public let key: String
    /// The label as printed on the form (what letters and reasons name).
    public let label: String
    public let kind: FieldKind
    /// 1-based page number.
    public let page: Int
    /// The field's box on the blank form (for Yes/No fields, the span of both options).
    public let box: Box
    /// The printed label's box on the blank form; used to place a page that is shifted.
    public let labelBox: Box?
    /// Yes/No fields: each option's tick box.
    public let options: [String: Box]?
    /// Choice fields: the items the form offers.
    public let choices: [String]?
    /// Registration fields: the XML export's path (`Company/LegalName`, `.../@attr`).
    public let xml: String?
    /// A city field: the list of places (`schemas/places/<name>.txt`) a reading off a scan may be.
    public let places: String?
    /// An address that ends in one of the list's places and its province's code ("…, Saskatoon SK").
    public let addressIn: String?
    /// A title or a position: the list of words people write there (`schemas/words/<name>.txt`).
    public let words: String?
    /// A company's name: the list of places (`schemas/places/<name>.txt`) its long words may be
    /// (a company is often named for its town: "Battleford Mechanical").
    public let placeWords: String?

    enum CodingKeys: String, CodingKey {
        case key, label, kind, page, box, options, choices, xml, places
        case labelBox = "label_box"
        case addressIn = "address_in"
        case words
        case placeWords = "place_words"
    }
}

/// A form edition's layout: every field's key, label, kind and box.
public struct FormTemplate: Sendable, Codable {
    public let form: DocumentKind
    /// The program whose rules decide this form (`sk-secor`, `ab-secor`): the form's title tells
    /// the program, never the file name.
    public let program: String
    public let edition: String
    public let title: String
    /// Printed text that only this form carries, used to classify a PDF by its text layer.
    public let identifyingText: [String]
    public let blankForm: String
    public let pages: Int
    public let pageSize: [Double]
    public let fields: [TemplateField]
    /// Printed lines of the blank form with their boxes.
    public let anchors: [TemplateAnchor]

    enum CodingKeys: String, CodingKey {
        case form, program, edition, title, pages, fields, anchors
        case identifyingText = "identifying_text"
        case blankForm = "blank_form"
        case pageSize = "page_size"
    }

    public func field(_ key: String) -> TemplateField? { fields.first { $0.key == key } }
    public var keys: [String] { fields.map(\.key) }
}

/// The templates shipped in `schemas/forms`: each form's latest edition.
public struct FormTemplates: Sendable {
    /// Every form, Saskatchewan's registration and declaration first.
    public let all: [FormTemplate]
    /// Saskatchewan's two forms, which code pairing them into one application names.
    public let registration: FormTemplate
    public let declaration: FormTemplate

    public init(registration: FormTemplate, declaration: FormTemplate, others: [FormTemplate] = []) {
        self.registration = registration
        self.declaration = declaration
        self.all = [registration, declaration] + others
    }

    public func template(for kind: DocumentKind) -> FormTemplate? {
        all.first { $0.form == kind }
    }

    /// Every `*.template.json` in `schemas/forms`, found by listing the folder (a new edition of a
    /// form, or a new program's form, is a new file); for each form, its latest edition is the one read.
    public static func load(from folder: URL = SchemaFiles.forms) throws -> FormTemplates {
        let decoder = JSONDecoder()
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".template.json") }.sorted()
        } catch {
            throw SchemaError(file: folder.path, reason: "the form templates cannot be listed: \(error)")
        }
        let templates = try names.map { name -> FormTemplate in
            let url = folder.appendingPathComponent(name)
            do {
                return try decoder.decode(FormTemplate.self, from: Data(contentsOf: url))
            } catch {
                throw SchemaError(file: url.path, reason: "\(error)")
            }
        }
        func latest(_ form: DocumentKind) -> FormTemplate? {
            templates.filter { $0.form == form }.max(by: { $0.edition < $1.edition })
        }
        guard let registration = latest(.registration), let declaration = latest(.declaration) else {
            throw SchemaError(file: folder.path, reason: "no template for the registration form or the compliance declaration")
        }
        let others = DocumentKind.allCases.filter { $0.isDecidedAlone }.compactMap(latest)
        return FormTemplates(registration: registration, declaration: declaration, others: others)
    }

    /// Loaded once per process; the files are part of the program.
    public static let shipped: Result<FormTemplates, SchemaError> = Result {
        try FormTemplates.load()
    }.mapError { $0 as? SchemaError ?? SchemaError(file: "schemas/forms", reason: "\($0)") }
}

/// A broken or missing data file under `schemas/`: a broken installation, so it is thrown.
public struct SchemaError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let reason: String
    public init(file: String, reason: String) { self.file = file; self.reason = reason }
    public var description: String { "cannot read \(file): \(reason)" }
}

/// A line printed on the blank form, used to find how far a page is shifted from the template.
public struct TemplateAnchor: Sendable, Codable, Hashable {
    public let page: Int
    public let text: String
    public let box: Box

    public init(page: Int, text: String, box: Box) {
        self.page = page; self.text = text; self.box = box
    }
}
