import Foundation
import Testing
import TestSupport
@testable import LibXML

@Suite struct LibXMLTests {
    @Test func parsesIntoPlainValues() throws {
        let xml = #"<?xml version="1.0"?><r xmlns="urn:x" a="1"><b>text</b><c k="v"/></r>"#
        let root = try LibXML.read(Data(xml.utf8)).root
        #expect(root.name == "r" && root.namespaceURI == "urn:x" && root.attributes["a"] == "1")
        #expect(root.child("b")?.text == "text")
        #expect(root.child("c")?.attributes["k"] == "v")
        #expect(root.line == 1)
    }

    @Test(arguments: ["xxe-file.xml", "xxe-http.xml", "xxe-parameter.xml", "entity-bomb.xml"])
    func refusesDoctypes(_ name: String) throws {
        #expect {
            try LibXML.read(Fixtures.data(Fixtures.bad(name)))
        } throws: { error in
            guard case .doctype = error as? XMLReadError else { return false }
            return true
        }
    }

    @Test func malformedNamesTheLine() throws {
        do {
            _ = try LibXML.read(Fixtures.data(Fixtures.bad("malformed.xml")))
            Issue.record("parsed a truncated document")
        } catch let XMLReadError.malformed(issue) {
            #expect(issue.line != nil)
        }
    }

    @Test func limitsBoundWhatADocumentMayCost() throws {
        let deep = String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)
        #expect(throws: XMLReadError.self) { try LibXML.read(Data(deep.utf8), limits: XMLLimits(maxDepth: 32)) }
        let wide = "<a>" + String(repeating: "<b/>", count: 200) + "</a>"
        #expect(throws: XMLReadError.self) { try LibXML.read(Data(wide.utf8), limits: XMLLimits(maxElements: 100)) }
        #expect(throws: XMLReadError.self) { try LibXML.read(Data(wide.utf8), limits: XMLLimits(maxBytes: 100)) }
    }

    @Test func schemaViolationsNameElementAndLine() throws {
        let xsd = """
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
          <xs:element name="r"><xs:complexType><xs:sequence>
            <xs:element name="n" type="xs:integer"/>
          </xs:sequence></xs:complexType></xs:element>
        </xs:schema>
        """
        let schema = try XMLSchema(xsd: Data(xsd.utf8))
        let valid = try LibXML.read(Data("<r><n>4</n></r>".utf8), schema: schema)
        #expect(valid.schemaIssues.isEmpty)
        let invalid = try LibXML.read(Data("<r>\n<n>four</n></r>".utf8), schema: schema)
        let issue = try #require(invalid.schemaIssues.first)
        #expect(issue.element == "n")
        #expect(issue.line == 2)
        #expect(throws: XMLReadError.self) { try XMLSchema(xsd: Data("<not-a-schema/>".utf8)) }
    }
}
