import Foundation
import Poppler
import Testing
import TestSupport
@testable import HandPrint
import ONNXRuntime
import Imaging

/// The recognizer on its own, on lines cut from the office's own scans at 300 dpi.
@Suite struct HandPrintTests {
    func recognizer() throws -> HandPrintRecognizer {
        let folder = try #require(ModelFiles.folder(), "make models installs the model and ONNX Runtime")
        return try HandPrintRecognizer(folder: folder)
    }

    func line(_ sample: String, page: Int = 0, _ box: Box) throws -> Raster {
        let doc = try PDFDocument(data: Fixtures.data(Fixtures.sample(sample)))
        let p = try #require(doc.page(at: page))
        return try #require(p.renderGray(region: box, scale: 300.0 / 72))
    }

    @Test func theModelsDictionaryIsRead() throws {
        let r = try recognizer()
        #expect(r.characters.count > 90, "PP-OCR's dictionary, a space added")
        #expect(r.characters.contains("7") && r.characters.contains("Q") && r.characters.contains("@"))
    }

    @Test func readsALineOfDigits() throws {
        let crop = try line("s04-registration.pdf", Box(x: 302, y: 142, width: 100, height: 17))
        let read = try recognizer().read(crop, allowed: Set("0123456789"))
        #expect(read.text.contains("3729070"), "\(read)")
        #expect(read.minimum > 0.5)
        #expect(read.text.allSatisfy { $0.isNumber }, "only the allowed characters")
    }

    @Test func paperAloneReadsNothing() throws {
        let read = try recognizer().read(Raster(width: 300, height: 60))
        #expect(read == HandReading(text: "", characterProbabilities: []))
    }

    @Test func aMissingLibraryIsAClearError() {
        #expect(throws: ONNXError.self) { _ = try ONNXModel(library: "/nonexistent/libonnxruntime.so", model: "/nonexistent/model.onnx") }
    }
}
