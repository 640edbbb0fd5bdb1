import Foundation
import Poppler
import Testing
import TestSupport
@testable import Tesseract
import Imaging

/// The wrapper on its own: a line cut from the office's s04 scan, rendered at 300 dpi.
@Suite struct TesseractTests {
    /// The inside of the WCB account number box of s04's page 1 (the page is skewed a little,
    /// so the crop is generous), as a grey image.
    func wcbLine() throws -> Raster {
        let doc = try PDFDocument(data: Fixtures.data(Fixtures.sample("s04-registration.pdf")))
        let page = try #require(doc.page(at: 0))
        return try #require(page.renderGray(region: Box(x: 302, y: 142, width: 100, height: 17), scale: 300.0 / 72))
    }

    @Test func readsALineOfDigits() throws {
        let image = try wcbLine()
        let reader = try LineReader()
        let read = reader.read(pixels: image.pixels, width: image.width, height: image.height, dpi: 300, characters: "0123456789")
        #expect(read.text.filter(\.isNumber).contains("3729070"), "\(read)")
        #expect(read.confidence > 0.5)
    }

    @Test func aBlankImageReadsNothing() throws {
        let reader = try LineReader()
        let read = reader.read(pixels: [UInt8](repeating: 255, count: 200 * 40), width: 200, height: 40, dpi: 300)
        #expect(read == Recognition(text: "", confidence: 0))
        #expect(reader.read(pixels: [], width: 0, height: 0, dpi: 300) == Recognition(text: "", confidence: 0))
    }

    @Test func eachThreadKeepsItsOwnReader() throws {
        let a = try LineReader.forCurrentThread()
        let b = try LineReader.forCurrentThread()
        #expect(a === b)
        let box = ReaderBox()
        let done = DispatchSemaphore(value: 0)
        Thread { box.reader = try? LineReader.forCurrentThread(); done.signal() }.start()
        done.wait()
        #expect(box.reader != nil && box.reader !== a)
    }

    @Test func aMissingLanguageIsASwiftError() {
        #expect(throws: TesseractError.self) { try LineReader(language: "no-such-language") }
    }
}

private final class ReaderBox: @unchecked Sendable {
    var reader: LineReader?
}
