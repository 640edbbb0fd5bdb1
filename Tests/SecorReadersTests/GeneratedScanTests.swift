import Foundation
import Poppler
import Testing
import TestSupport
@testable import SecorCore
@testable import SecorFixtures
@testable import SecorReaders
import Imaging

/// Reading scans the project makes itself: known values, 150 to 300 dpi, skew, grain, specks, JPEG.
/// `make ocr-accuracy` runs the same on 60 documents.
@Suite(.serialized) struct GeneratedScanTests {
    @Test func aSmallGeneratedSetIsReadAndNothingWrongIsSure() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scans-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let templates = try FormTemplates.shipped.get()
        let generated = try ScanGenerator(templates: templates).generate(count: 3, seed: 11, into: folder)
        #expect(generated.count == 6)
        #expect(Set(generated.map(\.settings.dpi)).count > 1, "more than one resolution")
        var report = AccuracyReport(threshold: 0.8)
        for g in generated {
            let read = extraction.read(path: folder.appendingPathComponent(g.file).path)
            #expect(read.documents.first?.flavor == .scan)
            report.add(file: g.file, written: g.values, read: read.documents.first { $0.kind.rawValue == g.kind })
        }
        #expect(report.wrongButSure.isEmpty, "\(report)")
        #expect(report.accuracy >= 0.99, "\(report)")
    }

    @Test func aScannedPageThatIsNotOurFormIsNotTakenForOne() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("photo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // A page of stripes and blotches, 150 dpi: ink, but none of a form's lines or labels.
        var random = SeededRandom(seed: 3)
        let w = 1275, h = 1650
        var pixels = [UInt8](repeating: 255, count: w * h)
        for y in 0..<h { for x in 0..<w where (x / 40 + y / 55) % 3 == 0 { pixels[y * w + x] = UInt8.random(in: 40...120, using: &random) } }
        let url = folder.appendingPathComponent("photo.pdf")
        try writeImagePDF([Raster(width: w, height: h, pixels: pixels)], pageSize: (612, 792), to: url)
        let read = extraction.read(path: url.path)
        #expect(read.kind == .unknown)
        #expect(read.documents.first?.reasons.first?.code == "scan-not-a-secor-form")
    }
}
