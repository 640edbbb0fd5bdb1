import Foundation
import Poppler
import SecorCore
import SecorSchemas
import Tesseract

/// Reads scanned (image-only) pages of the office's forms.
///
/// The page is rendered grey at `dpi`; a small copy gives its skew and its place against
/// each blank form page (rendered once, at 75 dpi), and the page is known by which blank's
/// printed lines it overlaps best. Each field's box is then cut out, straightened and read
/// on its own: text by tesseract in single-line mode with a character set by field kind,
/// ticks and the signature by ink.
public final class ScanReader: @unchecked Sendable {
    /// One blank form page, straight, at the analysis resolution.
    struct BlankPage {
        let kind: DocumentKind
        let page: Int
        let raster: Raster
        let rows: [Double]
        let columns: [Double]
        /// Blank ink pixels used for scoring (outside solid bands), as indices.
        let marks: [Int]
    }

    public let templates: FormTemplates
    /// Render resolution for reading.
    public let dpi: Double
    /// The small copy is this many times smaller (300 dpi / 4 = 75 dpi).
    let factor = 4
    private let blanks: [BlankPage]
    /// How much of a blank page's printed ink must be found for a page to be that page.
    public var minimumMatch = 0.45
    public var tickInkThreshold = 0.12
    public var signatureInkThreshold = 0.01
    /// Below this share of ink a text box is blank (scanner noise is sparser).
    public var blankInkThreshold = 0.004

    public init(templates: FormTemplates, forms: URL = SchemaFiles.forms, dpi: Double = 300) throws {
        self.templates = templates
        self.dpi = dpi
        var blanks: [BlankPage] = []
        let analysisScale = dpi / 72 / Double(factor)
        for template in templates.all {
            let url = forms.appendingPathComponent(template.blankForm)
            let document: PDFDocument
            do {
                document = try PDFDocument(data: Data(contentsOf: url))
            } catch {
                throw SchemaError(file: url.path, reason: "the blank form cannot be opened: \(error)")
            }
            for index in 0..<document.pageCount {
                guard let page = document.page(at: index),
                      let image = page.renderGray(region: PDFRect(x: 0, y: 0, width: page.size.width, height: page.size.height),
                                                  scale: analysisScale) else { continue }
                let raster = Raster(width: image.width, height: image.height, pixels: image.pixels)
                let (rows, columns) = ScanAlignment.profiles(raster)
                // Solid bands (the title band) look alike on every form: score on lines and text only.
                var marks: [Int] = []
                for y in 0..<raster.height where rows[y] < Double(raster.width) * 0.5 {
                    for x in 0..<raster.width where raster.pixels[y * raster.width + x] < 128 { marks.append(y * raster.width + x) }
                }
                blanks.append(BlankPage(kind: template.form, page: index + 1, raster: raster, rows: rows, columns: columns, marks: marks))
            }
        }
        self.blanks = blanks
    }

    /// A scanned page placed on its blank form.
    public struct PlacedPage: @unchecked Sendable {
        public let kind: DocumentKind
        /// The blank form's page number this page is.
        public let templatePage: Int
        public let placement: PagePlacement
        public let image: Raster
        /// How much of the blank's printed ink was found (0...1).
        public let match: Double
    }

    /// Renders `page` and finds which blank page it is and where; nil when it is none of them.
    public func place(_ page: PDFPage) -> PlacedPage? {
        let scale = dpi / 72
        guard let rendered = page.renderGray(region: PDFRect(x: 0, y: 0, width: page.size.width, height: page.size.height), scale: scale)
        else { return nil }
        let image = Raster(width: rendered.width, height: rendered.height, pixels: rendered.pixels)
        let small = image.downsampled(by: factor)
        let angle = ScanAlignment.skew(of: small)
        let straight = ScanAlignment.straightened(small, degrees: angle)
        let (rows, columns) = ScanAlignment.profiles(straight)
        var best: (BlankPage, Int, Int, Double)? = nil
        for blank in blanks {
            let dy = ScanAlignment.bestShift(scan: rows, blank: blank.rows, maxShift: 45).shift
            let dx = ScanAlignment.bestShift(scan: columns, blank: blank.columns, maxShift: 45).shift
            let match = overlap(straight, blank, dx: dx, dy: dy)
            if best == nil || match > best!.3 { best = (blank, dx, dy, match) }
        }
        guard let (blank, dx, dy, match) = best, match >= minimumMatch else { return nil }
        let placement = PagePlacement(angle: angle, dx: Double(dx * factor), dy: Double(dy * factor),
                                      pixelsPerPoint: scale, imageWidth: image.width, imageHeight: image.height)
        return PlacedPage(kind: blank.kind, templatePage: blank.page, placement: placement, image: image, match: match)
    }

    /// The share of the blank's printed marks that are dark (within a pixel) on the straightened scan.
    func overlap(_ scan: Raster, _ blank: BlankPage, dx: Int, dy: Int) -> Double {
        guard !blank.marks.isEmpty else { return 0 }
        var hits = 0
        for index in blank.marks {
            let x = index % blank.raster.width + dx, y = index / blank.raster.width + dy
            if scan[x, y] < 128 || scan[x + 1, y] < 128 || scan[x - 1, y] < 128 || scan[x, y + 1] < 128 || scan[x, y - 1] < 128 {
                hits += 1
            }
        }
        return Double(hits) / Double(blank.marks.count)
    }

    /// Reads every field of `template` on page `templatePage` from a placed scan.
    public func readFields(_ placed: PlacedPage, template: FormTemplate, pageNumber: Int) -> (fields: [String: ExtractedField], problems: [Diagnostic]) {
        var fields: [String: ExtractedField] = [:]
        var problems: [Diagnostic] = []
        let reader: LineReader?
        do {
            reader = try LineReader.forCurrentThread()
        } catch {
            reader = nil
            problems.append(Diagnostic(.review, code: "ocr-unavailable", "scanned pages cannot be read: \(error)"))
        }
        let placement = placed.placement
        func ink(_ box: Box) -> Double {
            placement.sample(placed.image, box: box).inkFraction
        }
        for field in template.fields where field.page == placed.templatePage {
            let pageBox = placement.pageBox(for: field.box)
            switch field.kind {
            case .text, .count, .date, .choice:
                // The box's inside, without its border.
                let crop = placement.sample(placed.image, box: field.box.insetBy(dx: 2.2, dy: 2.2))
                if crop.inkFraction < blankInkThreshold {
                    fields[field.key] = ExtractedField(value: "", raw: "", source: .ocr, page: pageNumber, box: pageBox, confidence: 0.99)
                    continue
                }
                guard let reader else { continue }
                let read = Self.confirmedReading(reader, crop: crop, dpi: Int(dpi), characters: Self.characters(for: field))
                let value = read.text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
                fields[field.key] = ExtractedField(value: value, raw: read.text, source: .ocr, page: pageNumber, box: pageBox,
                                                   confidence: value.isEmpty ? 0 : read.confidence)
            case .yesNo:
                var marks: [(String, Double)] = []
                for (option, box) in (field.options ?? [:]).sorted(by: { $0.key > $1.key }) {
                    marks.append((option, ink(box.insetBy(2.5))))
                }
                let sorted = marks.sorted { $0.1 > $1.1 }
                var value = ""
                var confidence = 0.99
                if let first = sorted.first, first.1 >= tickInkThreshold {
                    let second = sorted.dropFirst().first?.1 ?? 0
                    if second >= tickInkThreshold && first.1 < 2 * second {
                        confidence = 0.3
                        problems.append(Diagnostic(.review, code: "both-options-marked", "both Yes and No look marked for “\(field.label)”",
                                                   field: field.key, location: .init(page: pageNumber, box: pageBox)))
                    } else {
                        value = first.0
                        confidence = Self.markConfidence(first.1, against: second, threshold: tickInkThreshold)
                    }
                }
                let raw = marks.map { String(format: "%@ ink %.3f", $0.0, $0.1) }.joined(separator: ", ")
                fields[field.key] = ExtractedField(value: value, raw: raw, source: .ink, page: pageNumber, box: pageBox, confidence: confidence)
            case .tick:
                let fraction = ink(field.box.insetBy(2.5))
                fields[field.key] = ExtractedField(value: fraction >= tickInkThreshold ? "Yes" : "No", raw: String(format: "ink %.3f", fraction),
                                                   source: .ink, page: pageNumber, box: pageBox,
                                                   confidence: Self.markConfidence(fraction, against: 0, threshold: tickInkThreshold))
            case .ink:
                var area = field.box.insetBy(4)
                if let label = field.labelBox {
                    let top = label.maxY + 2
                    area = Box(x: area.x, y: top, width: area.width, height: area.maxY - top)
                }
                let fraction = ink(area)
                fields[field.key] = ExtractedField(value: fraction >= signatureInkThreshold ? "Yes" : "No", raw: String(format: "ink %.4f", fraction),
                                                   source: .ink, page: pageNumber, box: pageBox,
                                                   confidence: Self.markConfidence(fraction, against: 0, threshold: signatureInkThreshold))
            }
        }
        return (fields, problems)
    }

    /// Far from the threshold is sure; near it is not.
    static func markConfidence(_ fraction: Double, against other: Double, threshold: Double) -> Double {
        let distance = fraction >= threshold ? fraction / threshold : threshold / max(fraction, threshold / 100)
        return min(0.99, 0.5 + 0.49 * min(1, (distance - 1) / 1.5))
    }

    /// What tesseract may read in a field: fewer choices, fewer mistakes.
    static func characters(for field: TemplateField) -> String? {
        let digits = "0123456789"
        switch (field.kind, field.key) {
        case (.count, _): return digits
        case (_, "wcb_account_number"), (_, "trainee_other_account_number"): return digits + " -"
        case (_, "phone"): return digits + "()-. +"
        case (_, "postal_code"): return "ABCEGHJKLMNPRSTVWXYZabceghjklmnprstvwxyz" + digits + " -"
        case (_, "province"): return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz. "
        default: return nil
        }
    }

    /// Reads a crop; a weak reading is read again independently (another segmentation, a
    /// binarized image). Readings that agree confirm each other; one that stands alone keeps
    /// its own, lower, confidence. The text most readings agree on wins.
    static func confirmedReading(_ reader: LineReader, crop: Raster, dpi: Int, characters: String?) -> Recognition {
        let grey = pad(trimmed(crop), by: 12)
        func read(_ r: Raster, _ layout: LineLayout) -> Recognition {
            let raw = reader.read(pixels: r.pixels, width: r.width, height: r.height, dpi: dpi, characters: characters, layout: layout)
            return Recognition(text: raw.text.split(whereSeparator: \.isWhitespace).joined(separator: " "), confidence: raw.confidence)
        }
        let first = read(grey, .line)
        if !first.text.isEmpty && first.confidence >= 0.9 { return first }
        var readings = [first]
        let threshold = otsuThreshold(grey)
        let binary = Raster(width: grey.width, height: grey.height, pixels: grey.pixels.map { $0 < threshold ? 0 : 255 })
        let attempts: [(Raster, LineLayout)] = [(grey, .word), (binary, .line), (binary, .word), (grey, .character)]
        func combined(_ agreeing: [Recognition], disagreeing: Int) -> Double {
            // An independent reading that agrees is evidence even when tesseract scores it low.
            let doubt = agreeing.reduce(1.0) { $0 * (1 - max($1.confidence, 0.4)) }
            return min(0.99, (1 - doubt) * (disagreeing > 0 ? 0.9 : 1))
        }
        func leader() -> (text: String, confidence: Double)? {
            let groups = Dictionary(grouping: readings.filter { !$0.text.isEmpty }, by: \.text)
            guard let best = groups.max(by: { a, b in
                (a.value.count, a.value.map(\.confidence).max() ?? 0) < (b.value.count, b.value.map(\.confidence).max() ?? 0)
            }) else { return nil }
            if best.value.count == 1 { return (best.key, min(best.value[0].confidence, 0.75)) }
            return (best.key, combined(best.value, disagreeing: groups.count - 1))
        }
        for (image, layout) in attempts {
            if layout == .character && (readings.map(\.text.count).max() ?? 0) > 1 { continue }
            readings.append(read(image, layout))
            if let l = leader(), l.confidence >= 0.9 { break }
        }
        guard let l = leader() else { return Recognition(text: "", confidence: 0) }
        return Recognition(text: l.text, confidence: l.confidence)
    }

    /// Otsu's threshold: the grey level that best splits ink from paper.
    static func otsuThreshold(_ r: Raster) -> UInt8 {
        var histogram = [Int](repeating: 0, count: 256)
        for p in r.pixels { histogram[Int(p)] += 1 }
        let total = Double(r.pixels.count)
        var sum = 0.0
        for i in 0..<256 { sum += Double(i * histogram[i]) }
        var sumB = 0.0, weightB = 0.0, best = 0.0, threshold = 128
        for t in 0..<256 {
            weightB += Double(histogram[t])
            guard weightB > 0 else { continue }
            let weightF = total - weightB
            guard weightF > 0 else { break }
            sumB += Double(t * histogram[t])
            let meanB = sumB / weightB, meanF = (sum - sumB) / weightF
            let between = weightB * weightF * (meanB - meanF) * (meanB - meanF)
            if between > best { best = between; threshold = t }
        }
        return UInt8(threshold)
    }

    /// The crop cut down to its ink (and a little room), so the box's edges are not read as text.
    static func trimmed(_ r: Raster, margin: Int = 4) -> Raster {
        var x0 = r.width, y0 = r.height, x1 = -1, y1 = -1
        for y in 0..<r.height {
            for x in 0..<r.width where r.pixels[y * r.width + x] < 128 {
                x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y)
            }
        }
        guard x1 >= x0, y1 >= y0 else { return r }
        x0 = max(0, x0 - margin); y0 = max(0, y0 - margin); x1 = min(r.width - 1, x1 + margin); y1 = min(r.height - 1, y1 + margin)
        let w = x1 - x0 + 1, h = y1 - y0 + 1
        var out = [UInt8](repeating: 255, count: w * h)
        for y in 0..<h {
            out.replaceSubrange(y * w..<(y + 1) * w, with: r.pixels[(y + y0) * r.width + x0..<(y + y0) * r.width + x0 + w])
        }
        return Raster(width: w, height: h, pixels: out)
    }

    /// White margin around a crop: tesseract reads a line better with room around it.
    static func pad(_ r: Raster, by m: Int) -> Raster {
        var out = Raster(width: r.width + 2 * m, height: r.height + 2 * m)
        for y in 0..<r.height {
            let src = y * r.width, dst = (y + m) * out.width + m
            out.pixels.replaceSubrange(dst..<dst + r.width, with: r.pixels[src..<src + r.width])
        }
        return out
    }
}
