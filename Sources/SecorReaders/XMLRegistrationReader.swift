import Foundation
import LibXML
import SecorCore
import SecorSchemas

/// Reads the online form's XML export into registration fields.
///
/// The export is parsed with the hardened libxml2 settings and validated against
/// `schemas/xml/secor-registration-2018.xsd`; each field is found by the path the
/// registration template gives it (`Company/LegalName`, `.../@account`).
public struct XMLRegistrationReader: Sendable {
    public static let namespace = "urn:scsa:secor:registration:2018"
    public static let rootName = "SecorRegistration"

    public let template: FormTemplate
    public let schema: XMLSchema
    /// The rule editions: what an online submission counts as is written there.
    public let library: ProgramLibrary
    public var limits = XMLLimits()

    public init(template: FormTemplate, schema: XMLSchema, library: ProgramLibrary) {
        self.template = template
        self.schema = schema
        self.library = library
    }

    /// Compiles the shipped XSD. A broken XSD is a broken installation, so it throws.
    public static func shippedSchema() throws -> XMLSchema {
        let url = SchemaFiles.xml.appendingPathComponent("secor-registration-2018.xsd")
        let data = try Data(contentsOf: url)
        do {
            return try XMLSchema(xsd: data)
        } catch {
            throw SchemaError(file: url.path, reason: error.description)
        }
    }

    public func read(_ file: InputFile) -> ReadFile {
        let result: XMLReadResult
        do {
            result = try LibXML.read(file.data, schema: schema, limits: limits)
        } catch {
            return .unreadable(file, format: .xml, Self.diagnostic(for: error))
        }
        let root = result.root
        guard root.name == Self.rootName, root.namespaceURI == Self.namespace else {
            let ns = root.namespaceURI.map { " in namespace \($0)" } ?? " with no namespace"
            let reason = Diagnostic(.reject, code: "not-a-secor-export",
                "the XML is not a SECOR registration export: its root is <\(root.name)>\(ns)")
            return ReadFile(file: file, format: .xml, pageCount: 0,
                            documents: [ExtractedDocument(kind: .unknown, flavor: .xml, pages: [], reasons: [reason])])
        }
        var reasons: [Diagnostic] = result.schemaIssues.map { issue in
            // libxml2 names elements as {namespace}Name; the namespace is always ours.
            var message = issue.message.replacingOccurrences(of: "{\(Self.namespace)}", with: "")
            if let element = issue.element, !message.contains(element) { message = "<\(element)>: " + message }
            let at = issue.line.map { " (line \($0))" } ?? ""
            return Diagnostic(.review, code: "xml-schema", "the XML export does not match its schema: \(message)\(at)",
                              location: .init(file: file.path, line: issue.line),
                              context: issue.element.map { ["element": $0] } ?? [:])
        }
        var fields: [String: ExtractedField] = [:]
        for field in template.fields {
            guard let path = field.xml else { continue }
            guard let raw = Self.value(at: path, in: root) else { continue }
            let value: String
            switch field.kind {
            case .yesNo, .tick:
                value = Self.yesNo(raw)
            default:
                value = raw.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            }
            fields[field.key] = ExtractedField(value: value, raw: raw, source: .xml)
        }
        let submitted = root.attributes["submitted"]
        // What submitting online counts as, by the edition in effect when it was submitted
        // (the latest when the export gives no time); a value the export itself gives stands.
        let edition = submitted.flatMap(SubmissionTime.init(iso8601:)).flatMap { library.edition(on: $0.date) }
            ?? library.editions.last { $0.program == template.program }
        for (key, value) in edition?.onlineSubmission ?? [:] where fields[key] == nil {
            fields[key] = ExtractedField(value: value, raw: "online submission", source: .xml)
        }
        let attachment = root.children.first { $0.name == "Attachment" && ($0.attributes["kind"] ?? "").contains("declaration") }
            ?? root.child("Attachment")
        if submitted == nil || submitted?.isEmpty == true {
            reasons.append(Diagnostic(.review, code: "xml-no-submission-time", "the XML export has no submission time",
                                      location: .init(file: file.path, line: root.line)))
        }
        let document = ExtractedDocument(kind: .registration, flavor: .xml, formEdition: root.attributes["formVersion"],
                                         pages: [], fields: fields, submitted: submitted,
                                         attachmentFileName: attachment?.attributes["fileName"], reasons: reasons)
        return ReadFile(file: file, format: .xml, pageCount: 0, documents: [document])
    }

    /// Follows `A/B/C` or `A/B/@attr` from the root; nil when the element is absent.
    static func value(at path: String, in root: XMLElement) -> String? {
        var element = root
        for part in path.split(separator: "/") {
            if part.hasPrefix("@") { return element.attributes[String(part.dropFirst())] }
            guard let next = element.child(String(part)) else { return nil }
            element = next
        }
        return element.text
    }

    static func yesNo(_ raw: String) -> String {
        switch raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() {
        case "true", "1", "yes": "Yes"
        case "false", "0", "no": "No"
        default: ""
        }
    }

    static func diagnostic(for error: XMLReadError) -> Diagnostic {
        switch error {
        case .doctype:
            Diagnostic(.unreadable, code: "xml-doctype", "the XML has a DOCTYPE declaration; DTDs and entities are refused")
        case .tooLarge:
            Diagnostic(.unreadable, code: "xml-too-large", error.description)
        case let .malformed(issue):
            Diagnostic(.unreadable, code: "xml-malformed", error.description, location: .init(line: issue.line))
        case .tooDeep:
            Diagnostic(.unreadable, code: "xml-too-deep", error.description)
        case .tooManyElements:
            Diagnostic(.unreadable, code: "xml-too-many-elements", error.description)
        case .noRoot:
            Diagnostic(.unreadable, code: "xml-no-root", error.description)
        }
    }
}
