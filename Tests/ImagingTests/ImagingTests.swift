import Foundation
import Testing
@testable import Imaging

@Suite struct RasterTests {
    /// A fax's streak (a thin line dark down most of the sheet) is found and made paper; a form's
    /// column of box edges (a third of the page) and a wide dark region (a table) are not streaks.
    @Test func faxStreaksAreFoundAndWhitened() {
        let (w, h) = (40, 100)
        var pixels = [UInt8](repeating: 255, count: w * h)
        for y in 0..<h where y % 10 != 0 { pixels[y * w + 5] = 0 }          // a streak, broken a little
        for y in 20..<55 { pixels[y * w + 12] = 0 }                          // box edges: a third of the page
        for y in 0..<h { for x in 25..<35 { pixels[y * w + x] = 0 } }        // a table's dark edge, wide
        var image = Raster(width: w, height: h, pixels: pixels)
        #expect(image.streakColumns() == [5])
        image.whitenDark(columns: [5..<6])
        #expect(image.streakColumns().isEmpty)
        #expect(image[12, 30] == 0 && image[30, 50] == 0, "the rest is left as it was")
    }

    /// Writing that rests on a box's border: `writtenPieces` takes the feet of its letters with
    /// the line; `inkAlongLines` gives back the line under the writing, with what touches it, and
    /// leaves the line where nothing is written, and the form's label near it, to the form.
    /// A streak down the page is found as a run (a fax's gaps of a pixel bridged) and made paper
    /// where it runs alone; where a letter's bar crosses it, the bar keeps its ink. A short stroke
    /// and a wide dark band are no streaks.
    @Test func aStreakIsMadePaperButNotTheWritingItCrosses() {
        let (w, h) = (60, 300)
        var pixels = [UInt8](repeating: 255, count: w * h)
        for y in 0..<h where y % 50 != 0 { pixels[y * w + 20] = 0 }          // the streak, a pixel missing now and then
        for x in 10..<40 { pixels[150 * w + x] = 0 }                         // a letter's bar across it
        for y in 100..<140 { pixels[y * w + 5] = 0 }                         // a letter's stem: short
        for y in 0..<h { for x in 45..<55 { pixels[y * w + x] = 0 } }        // a wide dark band
        var image = Raster(width: w, height: h, pixels: pixels)
        let streaks = image.streaks(minimumLength: 200)
        #expect(streaks == [Streak(vertical: true, line: 20, from: 1, to: 299)])
        image.whiten(streaks)
        #expect(image[20, 10] == 255 && image[20, 290] == 255, "the streak is paper")
        #expect(image[20, 150] == 0 && image[15, 150] == 0, "the bar crossing it keeps its ink")
        #expect(image[5, 120] == 0 && image[50, 10] == 0, "the rest is left as it was")
    }

    /// Digits of an account as glyphs: two that touch are split, a digit's stroke beside it is
    /// joined to it, and the hyphen between groups is left out.
    @Test func anAccountsDigitsAreSevenGlyphs() {
        let (w, h) = (200, 40)
        var pixels = [UInt8](repeating: 255, count: w * h)
        func block(_ x0: Int, _ x1: Int, _ y0: Int = 5, _ y1: Int = 35) { for y in y0..<y1 { for x in x0..<x1 { pixels[y * w + x] = 0 } } }
        block(5, 17); block(25, 37)
        block(45, 56); block(59, 71); block(56, 59, 18, 21)   // two digits touching
        block(74, 84, 19, 22)                     // a hyphen
        block(90, 100); block(101, 103, 5, 12)    // a digit and its flag beside it
        block(110, 122); block(130, 142)
        let image = Raster(width: w, height: h, pixels: pixels)
        let glyphs = image.glyphs(count: 7)
        #expect(glyphs.count == 7)
        #expect(glyphs.map(\.x0) == [5, 25, 45, 56, 90, 110, 130], "split where they touch")
        #expect(glyphs[4].x1 == 102, "the flag is its digit's")
    }

    /// Digits that touch, cut where a reading puts its characters: each glyph its own columns,
    /// halfway between two characters read in one piece of ink (not at its thinnest column, which
    /// may be a 0's bottom). A position on no ink, or ink with no position, is no match.
    @Test func touchingDigitsAreCutWhereTheReadingPutsThem() {
        let (w, h) = (160, 40)
        var pixels = [UInt8](repeating: 255, count: w * h)
        func block(_ x0: Int, _ x1: Int, _ y0: Int = 5, _ y1: Int = 35) { for y in y0..<y1 { for x in x0..<x1 { pixels[y * w + x] = 0 } } }
        block(5, 25)                                   // a digit alone
        block(35, 95, 30, 35); block(35, 40); block(60, 70); block(90, 95)   // three touching, joined at the foot
        block(100, 110, 18, 21)                        // a hyphen
        block(120, 140)
        let image = Raster(width: w, height: h, pixels: pixels)
        let columns = image.glyphColumns(at: [15, 45, 65, 88, 130])
        #expect(columns == [5...24, 35...54, 55...76, 77...94, 120...139])
        #expect(image.glyphColumns(at: [15, 45, 65, 88, 115, 130]) == nil, "a character read where there is no ink")
        #expect(image.glyphColumns(at: [15, 45, 65, 88]) == nil, "ink no character was read in")
    }

    /// A page placement's point for a pixel undoes its pixel for a point.
    @Test func aPixelsPointIsWhereThePointIs() {
        let placement = PagePlacement(angle: 1.3, dx: -12, dy: 7.5, pixelsPerPoint: 2.7, imageWidth: 1700, imageHeight: 2200)
        let pixel = placement.pixel(forPoint: 300, 512)
        let point = placement.point(forPixel: pixel.x, pixel.y)
        #expect(abs(point.x - 300) < 1e-9 && abs(point.y - 512) < 1e-9)
    }

    @Test func theLineUnderWritingIsKeptWithTheFeetOfItsLetters() {
        let (w, h) = (120, 40)
        var form = [UInt8](repeating: 255, count: w * h)
        for x in 0..<w { form[20 * w + x] = 0; form[21 * w + x] = 0 }     // the border, rows 20-21
        for y in 14..<18 { for x in 100..<104 { form[y * w + x] = 0 } }      // a label's letter near it
        var scan = form
        for y in 5..<23 { scan[y * w + 10] = 0; scan[y * w + 30] = 0 }       // two uprights down to the line
        for x in 10..<30 { scan[22 * w + x] = 0 }                           // a foot along the line's edge
        let pieces = Raster(width: w, height: h, pixels: scan).writtenPieces(Raster(width: w, height: h, pixels: form), search: 4)
        let found = Set(pieces.flatMap(\.indices))
        #expect(!found.contains(22 * w + 20), "the tolerance takes the foot with the line")
        let kept = Set(Raster(width: w, height: h, pixels: scan)
            .inkAlongLines(Raster(width: w, height: h, pixels: form), columns: 10...30, rows: 5...19))
        #expect(kept.contains(22 * w + 20) && kept.contains(20 * w + 20), "the foot, and the line under the writing")
        #expect(!kept.contains(20 * w + 60), "not the line where nothing is written")
        #expect(kept.allSatisfy { ($0 % w) >= 10 && ($0 % w) <= 30 })
        // The label is the form's, even under the writing's columns.
        let labelled = Set(Raster(width: w, height: h, pixels: scan)
            .inkAlongLines(Raster(width: w, height: h, pixels: form), columns: 90...110, rows: 5...19))
        #expect(!labelled.contains(16 * w + 101))
    }

    /// A letter whose stem is drawn on a box's side (a T at the end of a value that runs past the
    /// box): the side is darker and thicker where the stem lies on it, and that part is given back;
    /// the side's rows away from the writing, and a side with nothing drawn along it, stay the form's.
    @Test func aStrokeAlongABoxsSideIsTheLetters() {
        let (w, h) = (100, 60)
        var form = [UInt8](repeating: 255, count: w * h)
        for y in 5...54 { for x in 50...51 { form[y * w + x] = 150 } }      // the box's side, light print
        for y in 5...54 { for x in 80...81 { form[y * w + x] = 150 } }      // another side, beyond the writing
        var scan = form
        for y in 15...40 { for x in 51...53 { scan[y * w + x] = 20 } }      // the stem, dark pen on and beside it
        for y in 15...17 { for x in 40...65 { scan[y * w + x] = 20 } }      // its bar, across the side
        for y in 15...40 { scan[y * w + 30] = 20 }                          // a letter before it
        let sides = Set(Raster(width: w, height: h, pixels: scan)
            .inkAlongBorders(Raster(width: w, height: h, pixels: form), columns: 30...65, rows: 15...40))
        #expect(sides.contains(28 * w + 52) && sides.contains(38 * w + 53), "the stem along the side")
        #expect(!sides.contains(50 * w + 50), "not the side below the writing")
        #expect(sides.allSatisfy { ($0 / w) >= 15 && ($0 / w) <= 40 })
        #expect(!sides.contains { ($0 % w) >= 75 }, "not a side the writing does not cross")
        // The same side with nothing drawn along it: nothing.
        var plain = form
        for y in 15...40 { plain[y * w + 30] = 20; plain[y * w + 65] = 20 }
        #expect(Raster(width: w, height: h, pixels: plain)
            .inkAlongBorders(Raster(width: w, height: h, pixels: form), columns: 30...65, rows: 15...40).isEmpty)
    }

    /// A scan's line found well above the form's, at the raster's bottom edge, with ink below it
    /// (the smudged registration's reader trapped here): no pixel is looked for off the raster.
    @Test func aLineOffTheFormsPlaceAtTheEdgeIsNoTrap() {
        let (w, h) = (80, 30)
        var form = [UInt8](repeating: 255, count: w * h), scan = form
        for x in 0..<w { form[27 * w + x] = 0; form[28 * w + x] = 0; scan[21 * w + x] = 0; scan[22 * w + x] = 0 }
        for y in 10..<h { scan[y * w + 40] = 0 }
        let kept = Raster(width: w, height: h, pixels: scan).inkAlongLines(Raster(width: w, height: h, pixels: form), columns: 35...45, rows: 10...29)
        #expect(kept.contains(29 * w + 40))
    }

    /// What the reader dumps is read back as it was; anything else is no PGM.
    @Test func aPGMRoundTrips() throws {
        let raster = Raster(width: 3, height: 2, pixels: [0, 10, 32, 255, 9, 13])
        let back = try #require(Raster(pgm: raster.pgm))
        #expect(back.width == 3 && back.height == 2 && back.pixels == raster.pixels)
        #expect(Raster(pgm: Data("P6\n3 2\n255\n".utf8) + Data(count: 18)) == nil)
        #expect(Raster(pgm: Data("P5\n3 2\n255\n".utf8) + Data(count: 5)) == nil, "short")
        #expect(Raster(pgm: Data()) == nil)
    }

    @Test func inkFractionCountsPixelsUnderTheThreshold() {
        let image = Raster(width: 4, height: 2, pixels: [0, 0, 255, 255, 200, 127, 128, 255])
        #expect(image.inkFraction == 3.0 / 8.0)
        #expect(image.inkFraction(x: 0, y: 0, width: 2, height: 1) == 1)
        // A region past the image's edge counts only what is inside it.
        #expect(image.inkFraction(x: 3, y: 0, width: 5, height: 5) == 0)
        #expect(Raster(width: 0, height: 0, pixels: []).inkFraction == 0)
    }

    @Test func rgb24GreyRoundTrips() {
        let grey = Raster(width: 3, height: 2, pixels: [0, 17, 128, 200, 254, 255])
        let stride = 16
        var buffer = [UInt8](repeating: 0xAB, count: stride * 2)
        buffer.withUnsafeMutableBytes { grey.writeRGB24(to: $0.baseAddress!, stride: stride) }
        let back = buffer.withUnsafeBytes { Raster(rgb24: $0.baseAddress!, stride: stride, width: 3, height: 2) }
        #expect(back.pixels == grey.pixels)
    }

    @Test func trimmingKeepsTheInkAndAMargin() {
        var image = Raster(width: 20, height: 10)
        image.pixels[5 * 20 + 8] = 0
        image.pixels[6 * 20 + 9] = 0
        let trimmed = CropCleaning.trimmed(image, margin: 1)
        #expect(trimmed.width == 4 && trimmed.height == 4)
        #expect(trimmed.inkFraction == 2.0 / 16.0)
        // A blank crop is left as it is.
        #expect(CropCleaning.trimmed(Raster(width: 5, height: 5)).width == 5)
    }

    @Test func aFaintGlyphBeyondTheDarkInkIsFramedWithIt() {
        // Dark writing at columns 40-79 of a crop 30 high; a faint glyph (150) at 5-20 before it.
        var image = Raster(width: 100, height: 30)
        for y in 8..<22 { for x in 40..<80 { image.pixels[y * 100 + x] = 60 } }
        var faint = image
        for y in 8..<22 { for x in 5..<21 { faint.pixels[y * 100 + x] = 150 } }
        #expect(CropCleaning.trimmed(faint, margin: 2).width == 44)   // print's darkness loses it
        #expect(CropCleaning.framed(faint, margin: 2).width == 79)    // from 3 to 81
        // A faint edge a few columns wide (a stroke's soft side) does not move the frame.
        var edge = image
        for y in 8..<22 { for x in 36..<40 { edge.pixels[y * 100 + x] = 150 } }
        #expect(CropCleaning.framed(edge, margin: 2).pixels == CropCleaning.trimmed(edge, margin: 2).pixels)
        // Ink that is all faint is left whole, as trimming leaves it.
        var pale = Raster(width: 50, height: 30)
        for y in 8..<22 { for x in 10..<30 { pale.pixels[y * 50 + x] = 150 } }
        #expect(CropCleaning.framed(pale).width == 50)
    }
}

@Suite struct BoxTests {
    @Test func encodesAsAnArrayOfFour() throws {
        let box = Box(x: 300, y: 103, width: 330, height: 14)
        let json = String(decoding: try JSONEncoder().encode(box), as: UTF8.self)
        #expect(json == "[300,103,330,14]")
        #expect(try JSONDecoder().decode(Box.self, from: Data(json.utf8)) == box)
    }

    @Test func geometry() {
        let a = Box(x: 0, y: 0, width: 10, height: 10)
        #expect(a.insetBy(3) == Box(x: 3, y: 3, width: 4, height: 4))
        #expect(a.intersection(Box(x: 5, y: 5, width: 10, height: 10)) == Box(x: 5, y: 5, width: 5, height: 5))
        #expect(a.intersection(Box(x: 20, y: 20, width: 1, height: 1)) == nil)
        #expect(a.union(Box(x: 20, y: 20, width: 1, height: 1)) == Box(x: 0, y: 0, width: 21, height: 21))
    }
}

/// A sheet photographed on a table: found by its corners, flattened, its shadow evened.
@Suite struct PhotographedPageTests {
    /// A 400×520 picture: a darkish table, and on it a sheet (a quadrilateral seen a little from the
    /// side) lit brighter at the top than at the bottom, with a black square printed in the middle.
    func photograph() -> (Raster, [(x: Double, y: Double)]) {
        let corners: [(x: Double, y: Double)] = [(60, 40), (350, 55), (340, 480), (50, 470)]
        var image = Raster(width: 400, height: 520, fill: 70)
        func inside(_ x: Double, _ y: Double) -> Bool {
            // Inside a convex quadrilateral: on the same side of every edge.
            (0..<4).allSatisfy { i in
                let a = corners[i], b = corners[(i + 1) % 4]
                return (b.x - a.x) * (y - a.y) - (b.y - a.y) * (x - a.x) >= 0
            }
        }
        for y in 0..<image.height {
            for x in 0..<image.width where inside(Double(x), Double(y)) {
                image.pixels[y * image.width + x] = UInt8(230 - y * 90 / image.height)
            }
        }
        for y in 230..<270 { for x in 180..<220 { image.pixels[y * image.width + x] = 20 } }
        return (image, corners)
    }

    @Test func findsTheSheetsCorners() throws {
        let (image, truth) = photograph()
        let found = try #require(PhotographedPage.corners(in: image))
        for (f, t) in zip(found, truth) { #expect(abs(f.x - t.x) <= 8 && abs(f.y - t.y) <= 8, "\(f) for \(t)") }
    }

    @Test func flattensAndEvensIt() throws {
        let (image, truth) = photograph()
        let flat = PhotographedPage.evenlyLit(try #require(PhotographedPage.flattened(image, corners: truth, width: 306, height: 396)))
        // The dim bottom of the sheet is paper again; the printed square is still ink, in the middle.
        #expect(flat[150, 380] > 200)
        #expect(flat[150, 20] > 200)
        #expect(flat[150, 198] < 128)
    }

    @Test func aScanIsNoPhotograph() {
        var scan = Raster(width: 400, height: 520, fill: 245)
        for y in 100..<120 { for x in 50..<350 { scan.pixels[y * scan.width + x] = 30 } }
        #expect(PhotographedPage.corners(in: scan) == nil)
    }
}
