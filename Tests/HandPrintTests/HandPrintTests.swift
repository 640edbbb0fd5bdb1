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

    /// Decoded through a pattern, the reading is the best one of that shape: seven digits read
    /// as seven digits with a space where the pattern allows one, never a letter.
    @Test func readsThroughAPattern() throws {
        let crop = try line("s04-registration.pdf", Box(x: 302, y: 142, width: 100, height: 17))
        let digits = Set("0123456789")
        let account = CharacterPattern([.repeated(digits, min: 3, max: 3), .optional(Set(" -")), .repeated(digits, min: 4, max: 4)])
        let read = try #require(try recognizer().read(crop, pattern: account))
        #expect(account.matches(read.text), "\(read)")
        #expect(read.text.filter(\.isNumber) == "3729070", "\(read)")
        #expect(read.characterProbabilities.count == read.text.count)
        // Where each character was read: in the crop, left to right, as the greedy reading has them.
        let greedy = try recognizer().read(crop, allowed: digits)
        for reading in [read, greedy] {
            #expect(reading.positions.count == reading.text.count)
            #expect(zip(reading.positions, reading.positions.dropFirst()).allSatisfy { $0 < $1 }, "\(reading.positions)")
            #expect(reading.positions.allSatisfy { $0 >= 0 && $0 < Double(crop.width) }, "\(reading.positions)")
        }
        // A shape the crop is too short for has no reading.
        let long = CharacterPattern([.repeated(digits, min: 200, max: 200)])
        #expect(try recognizer().read(crop, pattern: long) == nil)
    }

    @Test func patternsMatchTheirShapesOnly() {
        let digits = Set("0123456789")
        let date = CharacterPattern(anyOf: [
            CharacterPattern([.repeated(digits, min: 1, max: 2), .optional([" "]), .words(["Jan", "JAN"]), .optional([" "]), .repeated(digits, min: 4, max: 4)]),
            CharacterPattern([.repeated(digits, min: 4, max: 4), .one(["-"]), .repeated(digits, min: 2, max: 2), .one(["-"]), .repeated(digits, min: 2, max: 2)]),
        ])
        for fits in ["16 Jan 2026", "16JAN 2026", "2026-01-16", "1 Jan 2026"] { #expect(date.matches(fits), "\(fits)") }
        for not in ["16 Jun 2026", "16 Jan 202", "2026-1-16", "", "2026-01-16 "] { #expect(!date.matches(not), "\(not)") }
    }

    /// A written count's one glyph (m10's full-time 3, across its box's top border, as the reader
    /// cuts it out): padded into 320 of paper the model all but misses it; at its own width it is read.
    @Test func oneGlyphIsReadAtItsOwnWidth() throws {
        let crop = try #require(Raster(pgm: Data(contentsOf: Fixtures.root.appendingPathComponent("fixtures/hand/count-3-across-a-border.pgm"))))
        let digits = Set("0123456789")
        let own = try recognizer().read(crop, allowed: digits, minimumWidth: HandPrintRecognizer.glyphWidth)
        #expect(own.text == "3" && own.minimum > 0.7, "\(own)")
        let padded = try recognizer().read(crop, allowed: digits)
        #expect(padded.text != "3" || padded.minimum < own.minimum, "\(padded)")
    }

    @Test func paperAloneReadsNothing() throws {
        let read = try recognizer().read(Raster(width: 300, height: 60))
        #expect(read == HandReading(text: "", characterProbabilities: []))
    }

    @Test func aMissingLibraryIsAClearError() {
        #expect(throws: ONNXError.self) { _ = try ONNXModel(library: "/nonexistent/libonnxruntime.so", model: "/nonexistent/model.onnx") }
    }
}

/// The model's recent outputs: an input read again is answered without running the model, and
/// only an input equal in every value is.
@Suite struct RecentOutputsTests {
    @Test func anInputReadAgainIsNotRunAgain() {
        let recent = RecentOutputs()
        var runs = 0
        func read(_ input: [Float]) -> [Float] {
            recent.output(for: input) { runs += 1; return (values: input.map { $0 * 2 }, shape: [Int64(input.count)]) }.values
        }
        #expect(read([1, 2]) == [2, 4])
        #expect(read([1, 2]) == [2, 4])
        #expect(runs == 1)
        #expect(read([1, 3]) == [2, 6])
        #expect(runs == 2)
        // Two kept: the oldest is forgotten once a third input is read.
        _ = read([5])
        _ = read([1, 2])
        #expect(runs == 4)
    }
}
