import Foundation
import Testing
import TestSupport
import Imaging
import HandPrint
@testable import SecorReaders

/// Of two views of one field's writing, the one whose reading can be the field's value.
@Suite struct ClearestViewTests {
    @Test func aReadingThatCanBeTheValueWinsOverASurerOneThatCannot() throws {
        let folder = try #require(ModelFiles.folder(), "make models installs the model and ONNX Runtime")
        let recognizer = try HandPrintRecognizer(folder: folder)
        // m10b's phone, written on the line above its box: with the box's line kept under it, and
        // with the line taken out (and half of each digit with it).
        func crop(_ name: String) throws -> Raster {
            try #require(Raster(pgm: Data(contentsOf: Fixtures.root.appendingPathComponent("fixtures/hand/\(name).pgm"))))
        }
        let views = [try crop("phone-above-its-box-line-kept"), try crop("phone-above-its-box-line-cleared")]
        let characters = "0123456789()-. +"
        // By the least sure character alone, the cleared view's wrong reading wins.
        let bySureness = try #require(ScanReader.clearestView(recognizer, views, characters: characters))
        #expect(bySureness.reading?.text != "306-555-5014")
        // A phone number has ten digits: the kept view's reading is one, and it wins.
        let byValue = try #require(ScanReader.clearestView(recognizer, views, characters: characters,
                                                            plausible: { $0.filter(\.isNumber).count == 10 }))
        #expect(byValue.reading?.text == "306-555-5014")
        #expect(byValue.view.pixels == views[0].pixels)
    }
}
