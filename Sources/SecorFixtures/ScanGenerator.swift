import Foundation
import Imaging
import Poppler
import SecorCore
import SecorSchemas

/// Makes scanned-looking PDFs of filled forms, with known values, to measure reading on
/// more than the office's few samples: typed values on the blank forms, ticks, a signature,
/// then a scanner's resolution (150 to 300 dpi), skew (up to 3 degrees), grain, specks and JPEG loss.
public struct ScanGenerator {
    /// Which way of arriving by mail a generated scan stands for (`make ocr-accuracy` reports each).
    public enum Dimension: String, Sendable, Codable, CaseIterable {
        /// Typed, scanned as it should be.
        case typed
        /// Fed upside down, or sideways.
        case upsideDown = "upside-down"
        case sideways
        /// Printed shrunk to fit (94-99%).
        case shrunk
        /// Scanned duplex: a back, blank but for specks and show-through, after every page.
        case duplex
        /// Faxed: black and white, standard (204 × 98) or fine (204 × 196) resolution.
        case fax
        /// Filled in blue ink (read grey, it is paler than black).
        case blueInk = "blue-ink"
        /// Filled in a hand-like face (fonts-comic-neue or fonts-humor-sans when installed).
        case hand
    }

    public struct Settings: Sendable, Codable {
        public var dpi: Double
        public var degrees: Double
        public var grain: Int
        public var specks: Double
        public var jpegQuality: Int
        public var dimension: Dimension = .typed
        /// For `shrunk`: the printer's scale.
        public var shrink: Double = 1

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

    /// Writes `count` applications as scanned registration and declaration PDFs into `folder`,
    /// each arriving as one of `dimensions` in turn.
    public func generate(count: Int, seed: UInt64, dimensions: [Dimension] = [.typed], into folder: URL) throws -> [Generated] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var random = SeededRandom(seed: seed)
        var generated: [Generated] = []
        for n in 1...max(1, count) {
            let app = SampleApplications.make(&random)
            let dimension = dimensions.isEmpty ? .typed : dimensions[(n - 1) % dimensions.count]
            for (kind, values) in [(DocumentKind.registration, app.registration), (.declaration, app.declaration)] {
                var settings = Settings.random(&random)
                settings.dimension = dimension
                if dimension == .shrunk { settings.shrink = Double.random(in: 0.94...0.99, using: &random) }
                if dimension == .fax { settings.dpi = 204 }
                let name = String(format: "scan-%03d-%@.pdf", n, kind.rawValue)
                try write(kind, values: values, settings: settings, to: folder.appendingPathComponent(name), random: &random)
                generated.append(Generated(file: name, kind: kind.rawValue, settings: settings, values: values))
            }
        }
        return generated
    }

    /// Each of `documents` (a form and what is written on it: the office's samples, say) scanned
    /// `copies` times, each copy with its own scanner settings and one of `dimensions` in turn.
    public func generate(documents: [(kind: DocumentKind, values: [String: String])], copies: Int, seed: UInt64,
                         dimensions: [Dimension] = [.typed], into folder: URL) throws -> [Generated] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var random = SeededRandom(seed: seed)
        var generated: [Generated] = []
        var n = 0
        for copy in 1...max(1, copies) {
            for (index, document) in documents.enumerated() {
                n += 1
                var settings = Settings.random(&random)
                settings.dimension = dimensions.isEmpty ? .typed : dimensions[(n - 1) % dimensions.count]
                if settings.dimension == .shrunk { settings.shrink = Double.random(in: 0.94...0.99, using: &random) }
                if settings.dimension == .fax { settings.dpi = 204 }
                let name = String(format: "scan-%02d-%03d-%@.pdf", copy, index + 1, document.kind.rawValue)
                try write(document.kind, values: document.values, settings: settings, to: folder.appendingPathComponent(name), random: &random)
                generated.append(Generated(file: name, kind: document.kind.rawValue, settings: settings, values: document.values))
            }
        }
        return generated
    }

    /// One form filled with `values`, scanned with `settings`.
    public func write(_ kind: DocumentKind, values: [String: String], settings: Settings, to url: URL,
                      random: inout SeededRandom) throws {
        guard let template = templates.template(for: kind), let blank = blanks[kind] else { return }
        var pages: [Raster] = []
        for index in 0..<blank.pageCount {
            guard let page = blank.page(at: index) else { continue }
            let marks = template.fields.filter { $0.page == index + 1 }.flatMap { field in
                Self.marks(field, value: values[field.key] ?? "", random: &random)
            }
            let d = settings.dimension
            guard var raster = page.renderDrawn(scale: settings.dpi / 72, degrees: settings.degrees,
                                                font: d == .hand ? Self.handFace : "Courier",
                                                ink: d == .blueInk || d == .hand ? (0.1, 0.2, 0.75) : (0.08, 0.08, 0.08), draw: { canvas in
                for mark in marks { mark.draw(on: canvas) }
            }) else { continue }
            switch d {
            case .upsideDown: raster = raster.rotated(quarterTurns: 2)
            case .sideways: raster = raster.rotated(quarterTurns: Bool.random(using: &random) ? 1 : 3)
            case .shrunk: raster = ScanDegradation.shrunk(raster, by: settings.shrink)
            default: break
            }
            if d == .fax {
                raster = ScanDegradation.fax(raster, standard: Bool.random(using: &random))
            } else {
                ScanDegradation.noise(&raster, grain: settings.grain, specks: settings.specks, random: &random)
                ScanDegradation.jpegArtifacts(&raster, quality: settings.jpegQuality)
            }
            pages.append(raster)
            if d == .duplex { pages.append(ScanDegradation.back(of: raster, random: &random)) }
        }
        try writeImagePDF(pages, pageSize: (612, 792), to: url)
    }

    /// A hand-like face fontconfig can find (fonts-comic-neue, fonts-humor-sans); fontconfig falls
    /// back to a sans face when neither is installed.
    static let handFace = "Comic Neue"

    static func marks(_ field: TemplateField, value: String, random: inout SeededRandom) -> [PageMark] {
        let box = field.box
        switch field.kind {
        case .text, .count, .date, .choice, .percent:
            return value.isEmpty ? [] : [.text(value, box: box, size: 9.5)]
        case .yesNo:
            guard let option = field.options?[value] else { return [] }
            return [.filledBox(option)]
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

/// Something drawn onto a page when making test forms and scans: typed values, ticks, a signature.
public enum PageMark: Sendable {
    /// Text in a Courier face, its baseline `size * 0.3` above the box's bottom.
    case text(String, box: Box, size: Double)
    /// A filled square inside the box (a typed tick in a radio box).
    case filledBox(Box)
    /// A hand-drawn check mark in the box.
    case checkMark(Box)
    /// A pen stroke through these points (a signature).
    case stroke([(Double, Double)], width: Double)

    func draw(on canvas: Canvas) {
        switch self {
        case let .text(text, box, size):
            canvas.text(text, x: box.x + 3, baseline: box.maxY - size * 0.3, size: size)
        case let .filledBox(box):
            canvas.fill(box.insetBy(1.5))
        case let .checkMark(box):
            canvas.stroke([(box.x + box.width * 0.15, box.y + box.height * 0.55), (box.x + box.width * 0.42, box.y + box.height * 0.85),
                           (box.x + box.width * 0.9, box.y + box.height * 0.1)], width: 1.6)
        case let .stroke(points, width):
            canvas.stroke(points.map { (x: $0.0, y: $0.1) }, width: width)
        }
    }
}
