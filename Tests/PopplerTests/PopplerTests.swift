import Foundation
import Testing
import TestSupport
@testable import Poppler
import Imaging

@Suite struct PopplerTests {
    @Test func opensTheBlankRegistrationForm() throws {
        let doc = try PDFDocument(data: Fixtures.data(Fixtures.blankForms.appendingPathComponent("secor-registration-form.pdf")))
        #expect(doc.pageCount == 2)
        let page = try #require(doc.page(at: 0))
        #expect(page.size.width == 612 && page.size.height == 792)
        let widgets = page.formWidgets()
        let legal = try #require(widgets.first { $0.name == "company_legal_name" })
        // /Rect [300 675 630 689] in PDF space is y = 792 - 689 = 103 from the top.
        #expect(legal.kind == .text)
        #expect(legal.rect == Box(x: 300, y: 103, width: 330, height: 14))
        #expect(widgets.filter { $0.name == "scsa_member" }.allSatisfy { $0.kind == .radio && !$0.isOn })
        #expect(widgets.first { $0.name == "company_role" }?.kind == .choice)
        #expect(doc.page(at: 2) == nil)
    }

    @Test func readsFilledValues() throws {
        let doc = try PDFDocument(data: Fixtures.data(Fixtures.sample("s01-registration.pdf")))
        let widgets = try #require(doc.page(at: 0)).formWidgets()
        #expect(widgets.first { $0.name == "company_legal_name" }?.text == "Cypress Plumbing & Heating Ltd")
        #expect(widgets.first { $0.name == "company_role" }?.text == "Trade contractor")
        let permanentOffice = widgets.filter { $0.name == "sk_permanent_office" }
        #expect(permanentOffice.count == 2 && permanentOffice.filter(\.isOn).count == 1)
    }

    @Test func textLayerHasOneBoxPerCharacter() throws {
        let doc = try PDFDocument(data: Fixtures.data(Fixtures.sample("s03-registration.pdf")))
        let chars = try #require(doc.page(at: 0)).textCharacters()
        let text = String(chars.map(\.character))
        #expect(text.contains("Cypress Electric Limited"))
        let c = try #require(chars.first { $0.character == "3" && $0.rect.x >= 300 })
        #expect(c.rect.y > 140 && c.rect.y < 160, "the WCB number sits in its box")
    }

    @Test func rendersARegionToGrey() throws {
        let doc = try PDFDocument(data: Fixtures.data(Fixtures.sample("s03-registration.pdf")))
        let page = try #require(doc.page(at: 0))
        // The dark header band across the top of page 1.
        let band = try #require(page.renderGray(region: Box(x: 10, y: 5, width: 20, height: 20), scale: 2))
        #expect(band.width == 40 && band.height == 40)
        #expect(band.pixels.allSatisfy { $0 < 128 })
        let margin = try #require(page.renderGray(region: Box(x: 560, y: 740, width: 20, height: 20), scale: 1))
        #expect(margin.pixels.allSatisfy { $0 > 250 })
        #expect(page.renderGray(region: Box(x: 0, y: 0, width: 100_000, height: 100_000), scale: 10) == nil,
                "an oversized render is refused, not attempted")
    }

    @Test func rendersSeveralRegionsInOnePass() throws {
        let doc = try PDFDocument(data: Fixtures.data(Fixtures.sample("s03-registration.pdf")))
        let page = try #require(doc.page(at: 0))
        let band = Box(x: 10, y: 5, width: 20, height: 20), margin = Box(x: 560.25, y: 740, width: 20, height: 20)
        let both = try #require(page.renderGray(regions: [band, margin], scale: 2))
        #expect(both.count == 2)
        // Each region is its own image, at the page point its first pixel stands for.
        #expect(both[0].origin == (10, 5) && both[0].image.width == 40 && both[0].image.height == 40)
        #expect(both[0].image.pixels.allSatisfy { $0 < 128 })
        #expect(both[1].origin == (560, 740) && both[1].image.width == 41)
        #expect(both[1].image.pixels.allSatisfy { $0 > 250 }, "what lies between the regions is neither drawn nor read")
        // A region's pixels do not depend on what else was rendered with it.
        let alone = try #require(page.renderGray(regions: [band], scale: 2))
        #expect(alone[0].image.pixels == both[0].image.pixels)
        #expect(page.renderGray(regions: [], scale: 2) == nil)
        #expect(page.renderGray(regions: [band, Box(x: 1e300, y: 0, width: 1, height: 1)], scale: 2) == nil,
                "a region no surface could hold is refused, not a crash")
    }

    @Test func errorsBecomeSwiftErrors() throws {
        #expect(throws: PopplerError.self) { try PDFDocument(data: Data("not a pdf".utf8)) }
        do {
            _ = try PDFDocument(data: Fixtures.data(Fixtures.bad("encrypted.pdf")))
            Issue.record("opened an encrypted PDF without its password")
        } catch {
            #expect((error as? PopplerError)?.kind == .encrypted)
        }
        let opened = try PDFDocument(data: Fixtures.data(Fixtures.bad("encrypted.pdf")), password: "secret")
        #expect(opened.pageCount == 1)
    }
}
