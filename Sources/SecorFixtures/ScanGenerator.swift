import Foundation
import Poppler
import SecorCore
import SecorSchemas

/// Makes scanned-looking PDFs of filled forms, with known values, to measure reading on
/// more than the office's few samples: typed values on the blank forms, ticks, a signature,
/// then a scanner's resolution (150 to 300 dpi), skew (up to 3 degrees), grain, specks and JPEG loss.
public struct ScanGenerator {
    public struct Settings: Sendable, Codable {
        public var dpi: Double
        public var degrees: Double
        public var grain: Int
        public var specks: Double
        public var jpegQuality: Int

        public static func random(_ r: inout SeededRandom) -> Settings {
            Settings(dpi: [150, 200, 200, 240, 300][Int.random(in: 0..<5, using: &r)],
                     degrees: Double.random(in: -3...3, using: &r),
                     // The office's samples have grain of about ±2 grey levels and no dark specks;
                     // "some offices scan with more noise": up to five times that, and specks.
                     grain: Int.random(in: 2...10, using: &r),
                     specks: Double.random(in: 0.0002...0.0015, using: &r),
                     jpegQuality: Int.random(in: 55...90, using: &r))
        }
    }

    /// One generated file and what was written on it.
    public struct Generated: Sendable, Codable {
        public let file: String
        public let kind: String
        public let settings: Settings
        public let values: [String: String]
    }

    let templates: FormTemplates
    let blanks: [DocumentKind: PDFDocument]

    public init(templates: FormTemplates, forms: URL = SchemaFiles.forms) throws {
        self.templates = templates
        var blanks: [DocumentKind: PDFDocument] = [:]
        for template in templates.all {
            blanks[template.form] = try PDFDocument(data: Data(contentsOf: forms.appendingPathComponent(template.blankForm)))
        }
        self.blanks = blanks
    }

    /// Writes `count` applications as scanned registration and declaration PDFs into `folder`.
    public func generate(count: Int, seed: UInt64, into folder: URL) throws -> [Generated] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var random = SeededRandom(seed: seed)
        var generated: [Generated] = []
        for n in 1...max(1, count) {
            let app = SampleApplications.make(&random)
            for (kind, values) in [(DocumentKind.registration, app.registration), (.declaration, app.declaration)] {
                let settings = Settings.random(&random)
                let name = String(format: "scan-%03d-%@.pdf", n, kind.rawValue)
                try write(kind, values: values, settings: settings, to: folder.appendingPathComponent(name), random: &random)
                generated.append(Generated(file: name, kind: kind.rawValue, settings: settings, values: values))
            }
        }
        return generated
    }

    /// One form filled with `values`, scanned with `settings`.
    public func write(_ kind: DocumentKind, values: [String: String], settings: Settings, to url: URL,
                      random: inout SeededRandom) throws {
        guard let template = templates.template(for: kind), let blank = blanks[kind] else { return }
        var pages: [GrayImage] = []
        for index in 0..<blank.pageCount {
            guard let page = blank.page(at: index) else { continue }
            let marks = template.fields.filter { $0.page == index + 1 }.flatMap { field in
                Self.marks(field, value: values[field.key] ?? "", random: &random)
            }
            guard let image = page.renderFilled(marks: marks, scale: settings.dpi / 72, degrees: settings.degrees) else { continue }
            var raster = Raster(width: image.width, height: image.height, pixels: image.pixels)
            ScanDegradation.noise(&raster, grain: settings.grain, specks: settings.specks, random: &random)
            ScanDegradation.jpegArtifacts(&raster, quality: settings.jpegQuality)
            pages.append(GrayImage(width: raster.width, height: raster.height, pixels: raster.pixels))
        }
        try writeImagePDF(pages, pageSize: (612, 792), to: url)
    }

    static func marks(_ field: TemplateField, value: String, random: inout SeededRandom) -> [PageMark] {
        let box = PDFRect(x: field.box.x, y: field.box.y, width: field.box.width, height: field.box.height)
        switch field.kind {
        case .text, .count, .date, .choice:
            return value.isEmpty ? [] : [.text(value, box: box, size: 9.5)]
        case .yesNo:
            guard let option = field.options?[value] else { return [] }
            return [.filledBox(PDFRect(x: option.x, y: option.y, width: option.width, height: option.height))]
        case .tick:
            return value == "Yes" ? [.checkMark(box)] : []
        case .ink:
            guard value == "Yes" else { return [] }
            // A looping pen line across the lower part of the box.
            let top = (field.labelBox?.maxY ?? field.box.y) + 6
            let mid = (top + field.box.maxY) / 2
            var points: [(Double, Double)] = []
            let start = field.box.x + Double.random(in: 10...30, using: &random)
            let length = Double.random(in: 110...170, using: &random)
            for i in 0...80 {
                let t = Double(i) / 80
                points.append((start + t * length, mid + sin(t * .pi * Double.random(in: 5.5...6.5, using: &random)) * 5))
            }
            return [.stroke(points, width: 1.4)]
        }
    }
}
