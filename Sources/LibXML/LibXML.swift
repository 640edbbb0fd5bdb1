// The one file where libxml2 is called. Parsing is hardened: no network, no DTD
// loading, no entity substitution, a DOCTYPE is refused before the parser sees
// the bytes, and the tree handed back is plain Swift values.
import CLibXML2
import Foundation

/// An element of a parsed document, copied out of libxml2.
public struct XMLElement: Sendable {
    public let name: String
    public let namespaceURI: String?
    /// Attributes by local name.
    public let attributes: [String: String]
    public let children: [XMLElement]
    /// The element's own text (its text and CDATA children, concatenated).
    public let text: String
    public let line: Int

    public func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }
}

/// Limits on what one XML document may cost.
public struct XMLLimits: Sendable {
    public var maxBytes: Int
    public var maxDepth: Int
    public var maxElements: Int
    public init(maxBytes: Int = 1_048_576, maxDepth: Int = 32, maxElements: Int = 10_000) {
        self.maxBytes = maxBytes; self.maxDepth = maxDepth; self.maxElements = maxElements
    }
}

/// One problem libxml2 reported, with where.
public struct XMLIssue: Sendable, Hashable, CustomStringConvertible {
    public let message: String
    public let line: Int?
    /// The element the problem is about (schema errors), if libxml2 said.
    public let element: String?
    public var description: String {
        var s = message
        if let line { s += " (line \(line))" }
        return s
    }
}

/// Why a document could not be parsed at all. The one place libxml2 errors become Swift errors.
public enum XMLReadError: Error, Sendable, CustomStringConvertible {
    case tooLarge(bytes: Int, limit: Int)
    case doctype
    case malformed(XMLIssue)
    case tooDeep(limit: Int)
    case tooManyElements(limit: Int)
    case noRoot

    public var description: String {
        switch self {
        case let .tooLarge(bytes, limit): "the XML file is \(bytes) bytes; the limit is \(limit)"
        case .doctype: "the XML has a DOCTYPE declaration; DTDs and entity declarations are refused"
        case let .malformed(issue): "the XML is not well-formed: \(issue)"
        case let .tooDeep(limit): "the XML nests elements more than \(limit) deep"
        case let .tooManyElements(limit): "the XML has more than \(limit) elements"
        case .noRoot: "the XML has no root element"
        }
    }
}

/// A compiled XSD. Read-only once built; share it between threads.
public final class XMLSchema: @unchecked Sendable {
    fileprivate let handle: xmlSchemaPtr

    public init(xsd: Data) throws(XMLReadError) {
        LibXML.initialize()
        let collector = IssueCollector()
        let parsed: xmlSchemaPtr? = xsd.withUnsafeBytes { raw in
            guard let base = raw.bindMemory(to: CChar.self).baseAddress,
                  let pctxt = xmlSchemaNewMemParserCtxt(base, Int32(raw.count)) else { return nil }
            defer { xmlSchemaFreeParserCtxt(pctxt) }
            xmlSchemaSetParserStructuredErrors(pctxt, collectIssue, Unmanaged.passUnretained(collector).toOpaque())
            return xmlSchemaParse(pctxt)
        }
        guard let parsed else {
            throw .malformed(collector.issues.first ?? XMLIssue(message: "the schema does not compile", line: nil, element: nil))
        }
        handle = parsed
    }

    deinit { xmlSchemaFree(handle) }
}

/// The result of reading one XML document.
public struct XMLReadResult: Sendable {
    public let root: XMLElement
    /// Schema violations, in document order; empty when valid or when no schema was given.
    public let schemaIssues: [XMLIssue]
}

public enum LibXML {
    private static let setUp: Void = {
        xmlInitParser()
        // No document may make libxml2 open a file or a URL, whatever options are set.
        xmlSetExternalEntityLoader(refuseExternalEntity)
    }()

    static func initialize() { _ = setUp }

    /// Parses `data` with the hardened settings and, if `schema` is given, validates it.
    public static func read(_ data: Data, schema: XMLSchema? = nil, limits: XMLLimits = XMLLimits()) throws(XMLReadError) -> XMLReadResult {
        initialize()
        guard data.count <= limits.maxBytes else { throw .tooLarge(bytes: data.count, limit: limits.maxBytes) }
        // A DOCTYPE is how external entities and entity bombs get in; the export never has one.
        if data.range(of: Data("<!DOCTYPE".utf8)) != nil || data.range(of: Data("<!ENTITY".utf8)) != nil {
            throw .doctype
        }
        let collector = IssueCollector()
        let context = Unmanaged.passUnretained(collector).toOpaque()
        xmlSetStructuredErrorFunc(context, collectIssue)
        defer { xmlSetStructuredErrorFunc(nil, nil) }

        guard let ctxt = xmlNewParserCtxt() else { throw .malformed(XMLIssue(message: "out of memory", line: nil, element: nil)) }
        defer { xmlFreeParserCtxt(ctxt) }
        // NONET: no network. Not NOENT (no entity substitution), not DTDLOAD/DTDATTR/DTDVALID, not XINCLUDE, not HUGE.
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOCDATA.rawValue)
        let doc: xmlDocPtr? = data.withUnsafeBytes { raw in
            guard let base = raw.bindMemory(to: CChar.self).baseAddress else { return nil }
            return xmlCtxtReadMemory(ctxt, base, Int32(raw.count), "input.xml", nil, options)
        }
        guard let doc else {
            throw .malformed(collector.issues.first ?? XMLIssue(message: "unreadable XML", line: nil, element: nil))
        }
        defer { xmlFreeDoc(doc) }
        if ctxt.pointee.wellFormed == 0 {
            throw .malformed(collector.issues.first ?? XMLIssue(message: "not well-formed", line: nil, element: nil))
        }
        if doc.pointee.intSubset != nil || doc.pointee.extSubset != nil { throw .doctype }
        guard let rootNode = xmlDocGetRootElement(doc) else { throw .noRoot }

        var count = 0
        let root = try copyElement(rootNode, depth: 1, limits: limits, count: &count)

        var schemaIssues: [XMLIssue] = []
        if let schema {
            let schemaCollector = IssueCollector()
            if let vctxt = xmlSchemaNewValidCtxt(schema.handle) {
                xmlSchemaSetValidStructuredErrors(vctxt, collectIssue, Unmanaged.passUnretained(schemaCollector).toOpaque())
                _ = xmlSchemaValidateDoc(vctxt, doc)
                xmlSchemaFreeValidCtxt(vctxt)
            }
            schemaIssues = schemaCollector.issues
        }
        return XMLReadResult(root: root, schemaIssues: schemaIssues)
    }

    private static func copyElement(_ node: xmlNodePtr, depth: Int, limits: XMLLimits, count: inout Int) throws(XMLReadError) -> XMLElement {
        guard depth <= limits.maxDepth else { throw .tooDeep(limit: limits.maxDepth) }
        count += 1
        guard count <= limits.maxElements else { throw .tooManyElements(limit: limits.maxElements) }
        let name = string(node.pointee.name) ?? ""
        let ns = node.pointee.ns.flatMap { string($0.pointee.href) }
        var attributes: [String: String] = [:]
        var attr = node.pointee.properties
        while let a = attr {
            let key = string(a.pointee.name) ?? ""
            var value = ""
            var child = a.pointee.children
            while let c = child {
                if c.pointee.type == XML_TEXT_NODE, let s = string(c.pointee.content) { value += s }
                child = c.pointee.next
            }
            attributes[key] = value
            attr = a.pointee.next
        }
        var text = ""
        var children: [XMLElement] = []
        var child = node.pointee.children
        while let c = child {
            switch c.pointee.type {
            case XML_ELEMENT_NODE:
                children.append(try copyElement(c, depth: depth + 1, limits: limits, count: &count))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let s = string(c.pointee.content) { text += s }
            default:
                break // comments, processing instructions; entity references cannot occur without a DTD
            }
            child = c.pointee.next
        }
        return XMLElement(name: name, namespaceURI: ns, attributes: attributes, children: children,
                          text: text, line: Int(xmlGetLineNo(node)))
    }
}

private func string(_ p: UnsafePointer<xmlChar>?) -> String? {
    guard let p else { return nil }
    return String(cString: p)
}

private final class IssueCollector {
    var issues: [XMLIssue] = []
}

private func collectIssue(_ context: UnsafeMutableRawPointer?, _ error: xmlErrorPtr?) {
    guard let context, let error else { return }
    let collector = Unmanaged<IssueCollector>.fromOpaque(context).takeUnretainedValue()
    guard collector.issues.count < 50 else { return }
    let message = error.pointee.message.map { String(cString: $0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? "error"
    var element: String? = nil
    if let node = error.pointee.node?.assumingMemoryBound(to: xmlNode.self), node.pointee.type == XML_ELEMENT_NODE {
        element = string(node.pointee.name)
    }
    let line = error.pointee.line > 0 ? Int(error.pointee.line) : nil
    collector.issues.append(XMLIssue(message: message, line: line, element: element))
}

private func refuseExternalEntity(_ url: UnsafePointer<CChar>?, _ id: UnsafePointer<CChar>?, _ ctxt: xmlParserCtxtPtr?) -> xmlParserInputPtr? {
    nil
}
