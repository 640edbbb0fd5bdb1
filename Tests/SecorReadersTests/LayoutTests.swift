import Foundation
import Testing
import Imaging
import SecorCore
import HandPrint
@testable import SecorReaders

/// Builds a text layer the way a PDF would give it: one box per character, 6 points wide.
private func layer(_ lines: [(String, x: Double, y: Double)]) -> TextLayer {
    var chars: [TextLayer.Character] = []
    for (text, x, y) in lines {
        for (i, c) in text.enumerated() {
            chars.append(.init(c, Box(x: x + Double(i) * 6, y: y, width: 6, height: 8)))
        }
        chars.append(.init("\n", Box(x: x + Double(text.count) * 6, y: y, width: 0, height: 8)))
    }
    return TextLayer(chars)
}

@Suite struct TextLayerTests {
    @Test func readsOnlyWhatSitsInTheBox() {
        let page = layer([("Legal company name", 40, 106), ("Cypress Electric Limited", 303, 107)])
        let found = page.text(in: Box(x: 300, y: 103, width: 330, height: 14))
        #expect(found.text == "Cypress Electric Limited")
        #expect(found.box?.x == 303)
    }

    @Test func keepsWordsApartAcrossAGap() {
        // Two runs on one line with no space character between them, 20 points apart.
        let page = layer([("2321", 303, 187), ("Broad", 347, 187)])
        #expect(page.text(in: Box(x: 300, y: 183, width: 330, height: 14)).text == "2321 Broad")
    }

    @Test func emptyBoxReadsBlank() {
        let page = layer([("Operating name (if different)", 40, 126)])
        #expect(page.text(in: Box(x: 300, y: 123, width: 330, height: 14)).text == "")
    }

    @Test func findsAPhraseOnceOnly() {
        let page = layer([("Total workers", 40, 541), ("Owners", 40, 441), ("Owners", 40, 600)])
        #expect(page.find("Total workers") == Box(x: 40, y: 541, width: 13 * 6, height: 8))
        #expect(page.find("Owners") == nil, "an ambiguous anchor is no anchor")
        #expect(page.find("Casual employees") == nil)
    }

    @Test func typedTickIsAMark() {
        let page = layer([("■", 441.5, 306.6), ("Yes", 454, 307)])
        #expect(page.hasMark(in: Box(x: 440, y: 306, width: 10, height: 10)))
        #expect(!page.hasMark(in: Box(x: 495, y: 306, width: 10, height: 10)))
    }

    @Test func pageOffsetIsTheMedianShiftOfPrintedLines() {
        let anchors = [
            TemplateAnchor(page: 1, text: "Legal company name", box: Box(x: 40, y: 106, width: 86, height: 8)),
            TemplateAnchor(page: 1, text: "Total workers", box: Box(x: 40, y: 541, width: 54, height: 8)),
            TemplateAnchor(page: 1, text: "Postal code", box: Box(x: 40, y: 246, width: 47, height: 8)),
        ]
        let shifted = layer([("Legal company name", 52, 118), ("Total workers", 52, 553), ("Postal code", 52, 258)])
        let offset = PageOffset.estimate(layer: shifted, anchors: anchors)
        #expect(offset.dx == 12 && offset.dy == 12 && offset.anchorsFound == 3)
        #expect(PageOffset.estimate(layer: layer([("nothing", 0, 0)]), anchors: anchors) == .zero)
    }
}

@Suite struct MarkReadingTests {
    @Test func theClearlyDarkerOptionWins() {
        #expect(MarkReading.choose([("Yes", 0.72), ("No", 0.16)], threshold: 0.06) == .chosen(option: "Yes", ink: 0.72, runnerUp: 0.16))
        #expect(MarkReading.choose([("Yes", 0.02), ("No", 0.01)], threshold: 0.06) == .none)
        #expect(MarkReading.choose([("Yes", 0.70), ("No", 0.40)], threshold: 0.06) == .bothMarked)
        #expect(MarkReading.choose([], threshold: 0.06) == .none)
    }

    @Test func confidenceGrowsAwayFromTheThreshold() {
        #expect(MarkReading.confidence(0.06, threshold: 0.06, span: 2) == 0.5)
        #expect(MarkReading.confidence(0.5, threshold: 0.06, span: 2) == 0.99)
        #expect(MarkReading.confidence(0, threshold: 0.06, span: 2) == 0.99)
        #expect(MarkReading.confidence(0.09, threshold: 0.06, span: 1.5) > MarkReading.confidence(0.09, threshold: 0.06, span: 2))
    }
}

@Suite struct WholeWordTests {
    @Test func aWordThatRunsPastItsBoxIsTakenWhole() {
        // "Saskatchewan" typed from inside a 40-point box: 12 characters of 6 points run past it.
        var chars: [TextLayer.Character] = []
        for (i, c) in "Saskatchewan".enumerated() { chars.append(.init(c, Box(x: 300 + Double(i) * 6, y: 100, width: 6, height: 8))) }
        chars.append(.init(" ", Box(x: 372, y: 100, width: 6, height: 8)))
        for (i, c) in "S4P".enumerated() { chars.append(.init(c, Box(x: 420 + Double(i) * 6, y: 100, width: 6, height: 8))) }
        let layer = TextLayer(chars)
        #expect(layer.text(in: Box(x: 298, y: 96, width: 40, height: 14)).text == "Saskatchewan")
        // Only the word: past a space, what follows is another field's.
        #expect(layer.text(in: Box(x: 298, y: 96, width: 60, height: 14)).text == "Saskatchewan")
        #expect(layer.text(in: Box(x: 410, y: 96, width: 40, height: 14)).text == "S4P")
    }
}

/// A space PP-OCR left out, put back from the ink: a gap twice the line's usual one and half the
/// ink's height is between words; a letter's usual gap is not.
@Suite struct WordSpaceTests {
    @Test func aWordsGapInTheInkIsASpace() {
        // "AB CD": four letters 20 wide and 40 high, 6 apart within a word, 30 between the words.
        let lefts = [10, 36, 86, 112]
        var crop = Raster(width: 150, height: 60)
        for x0 in lefts { for y in 10..<50 { for x in x0..<(x0 + 20) { crop.pixels[y * 150 + x] = 0 } } }
        let centres = lefts.map { Double($0) + 10 }
        let read = HandReading(text: "ABCD", characterProbabilities: [1, 1, 1, 1], positions: centres)
        #expect(ScanReader.spacedByInk(read, crop: crop) == "AB CD")
        // A space read is kept, and none is added where the gaps are a word's usual ones.
        let spaced = HandReading(text: "AB CD", characterProbabilities: [1, 1, 1, 1, 1], positions: [20, 46, 71, 96, 122])
        #expect(ScanReader.spacedByInk(spaced, crop: crop) == "AB CD")
        var even = Raster(width: 150, height: 60)
        for x0 in [10, 36, 62, 88] { for y in 10..<50 { for x in x0..<(x0 + 20) { even.pixels[y * 150 + x] = 0 } } }
        let word = HandReading(text: "ABCD", characterProbabilities: [1, 1, 1, 1], positions: [20, 46, 72, 98])
        #expect(ScanReader.spacedByInk(word, crop: even) == "ABCD")
    }
}
