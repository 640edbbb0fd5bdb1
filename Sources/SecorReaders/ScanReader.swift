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
    /// The blank form pages, rendered on first use: most processes never see a scan (the program
    /// itself reads only XML; a reader process may read only text-layer PDFs), and the renders
    /// are megabytes in every process that holds them.
    private var blanks: [BlankPage] {
        blanksLock.withLock {
            if let loaded = loadedBlanks { return loaded }
            let loaded = Self.renderBlanks(blankForms, scale: dpi / 72 / Double(factor))
            loadedBlanks = loaded
            return loaded
        }
    }
    /// Each form's blank, as bytes: read and checked once, at start.
    private let blankForms: [(form: DocumentKind, data: Data)]
    private let blanksLock = NSLock()
    private var loadedBlanks: [BlankPage]? = nil
    /// How much of a blank page's printed ink must be found for a page to be that page.
    public var minimumMatch = 0.45
    /// A page darker than this is no form (the blank forms are about 10% ink, filled ones a little more).
    public var maximumInk = 0.35
    public var tickInkThreshold = 0.12
    public var signatureInkThreshold = 0.01
    /// Below this share of ink a text box is blank (scanner noise is sparser).
    public var blankInkThreshold = 0.004

    public init(templates: FormTemplates, forms: URL = SchemaFiles.forms, dpi: Double = 300) throws {
        self.templates = templates
        self.dpi = dpi
        // A broken installation is said at start, not at the first scan: the blanks must open.
        self.blankForms = try templates.all.map { template in
            let url = forms.appendingPathComponent(template.blankForm)
            do {
                let data = try Data(contentsOf: url)
                _ = try PDFDocument(data: data)
                return (template.form, data)
            } catch {
                throw SchemaError(file: url.path, reason: "the blank form cannot be opened: \(error)")
            }
        }
    }

    private static func renderBlanks(_ blankForms: [(form: DocumentKind, data: Data)], scale: Double) -> [BlankPage] {
        var blanks: [BlankPage] = []
        for (form, data) in blankForms {
            // It opened at start; the same bytes open again.
            guard let document = try? PDFDocument(data: data) else { continue }
            for index in 0..<document.pageCount {
                guard let page = document.page(at: index),
                      let image = page.renderGray(region: PDFRect(x: 0, y: 0, width: page.size.width, height: page.size.height),
                                                  scale: scale) else { continue }
                let raster = Raster(width: image.width, height: image.height, pixels: image.pixels)
                let (rows, columns) = ScanAlignment.profiles(raster)
                // Solid bands (the title band) look alike on every form: score on lines and text only.
                var marks: [Int] = []
                for y in 0..<raster.height where rows[y] < Double(raster.width) * 0.5 {
                    for x in 0..<raster.width where raster.pixels[y * raster.width + x] < 128 { marks.append(y * raster.width + x) }
                }
                blanks.append(BlankPage(kind: form, page: index + 1, raster: raster, rows: rows, columns: columns, marks: marks))
            }
        }
        return blanks
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
        // A form is mostly white paper. A page mostly of ink would "contain" every printed line.
        guard small.inkFraction < maximumInk else { return nil }
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
                // The box's inside, found from its printed border on the scan itself (the page's
                // placement can be a point off); then the border's remains and specks cleaned away.
                let wide = placement.sample(placed.image, box: field.box.insetBy(-3))
                let inside = Self.insideOfBorder(wide, margin: 3 * placement.pixelsPerPoint, pixelsPerPoint: placement.pixelsPerPoint)
                let withoutBorder = Self.withoutLines(inside)
                if let dump = Self.dumpFolder {
                    // Developers: the crops on the way to tesseract, as PGM files.
                    for (suffix, image) in [("wide", wide), ("raw", inside), ("lines", withoutBorder), ("clean", Self.cleaned(withoutBorder))] {
                        let header = Data("P5\n\(image.width) \(image.height)\n255\n".utf8)
                        try? (header + Data(image.pixels)).write(to: URL(fileURLWithPath: "\(dump)/p\(pageNumber)-\(field.key)-\(suffix).pgm"))
                    }
                }
                let crop = Self.cleaned(withoutBorder)
                // Blank means no ink of a glyph's size is left once specks are gone; a thin "1"
                // in a wide box is little ink but not nothing.
                let glyphPixels = Int((placement.pixelsPerPoint * 1.0) * (placement.pixelsPerPoint * 1.0))
                if Self.darkPixels(crop) < glyphPixels {
                    let noisy = Self.darkPixels(withoutBorder) > 8 * glyphPixels
                    // Much ink that cleaning took for specks: not sure it is blank.
                    fields[field.key] = ExtractedField(value: "", raw: "", source: .ocr, page: pageNumber, box: pageBox,
                                                       confidence: noisy ? 0.3 : 0.99)
                    continue
                }
                guard let reader else { continue }
                var read = Self.confirmedReading(reader, crop: crop, dpi: Int(dpi), characters: Self.characters(for: field),
                                                 plausible: { Self.isPlausible($0, for: field) })
                // OCR that cannot be a value of the field is never sure.
                if !read.text.isEmpty && !Self.isPlausible(read.text, for: field) {
                    read = Recognition(text: read.text, confidence: min(read.confidence, 0.5))
                }
                // An email address never holds a space; a gap between letters is the scan's.
                let separator = field.key.hasSuffix("email") ? "" : " "
                var value = read.text.split(whereSeparator: \.isWhitespace).joined(separator: separator)
                // A choice that differs from the form's only in case, spaces or punctuation is that choice.
                if field.kind == .choice, case let .value(choice) = Normalize.choice(value, among: field.choices ?? []),
                   choice.lowercased().filter(\.isLetter) == value.lowercased().filter(\.isLetter) {
                    value = choice
                }
                // A two-letter province code is capitals; OCR's "Sk" is the scan's.
                if field.key == "province", value.count == 2, value.allSatisfy(\.isLetter) { value = value.uppercased() }
                fields[field.key] = ExtractedField(value: value, raw: read.text, source: .ocr, page: pageNumber, box: pageBox,
                                                   confidence: value.isEmpty ? 0 : read.confidence)
            case .yesNo:
                var marks: [(String, Double)] = []
                for (option, box) in (field.options ?? [:]).sorted(by: { $0.key > $1.key }) {
                    marks.append((option, ink(box.insetBy(2.5))))
                }
                var value = ""
                var confidence = 0.99
                switch MarkReading.choose(marks.map { (option: $0.0, ink: $0.1) }, threshold: tickInkThreshold) {
                case .none:
                    break
                case .bothMarked:
                    confidence = 0.3
                    problems.append(Diagnostic(.review, code: "both-options-marked", "both Yes and No look marked for “\(field.label)”",
                                               field: field.key, location: .init(page: pageNumber, box: pageBox)))
                case let .chosen(option, ink, _):
                    value = option
                    confidence = Self.markConfidence(ink, threshold: tickInkThreshold)
                }
                let raw = marks.map { String(format: "%@ ink %.3f", $0.0, $0.1) }.joined(separator: ", ")
                fields[field.key] = ExtractedField(value: value, raw: raw, source: .ink, page: pageNumber, box: pageBox, confidence: confidence)
            case .tick:
                let fraction = ink(field.box.insetBy(2.5))
                fields[field.key] = ExtractedField(value: fraction >= tickInkThreshold ? "Yes" : "No", raw: String(format: "ink %.3f", fraction),
                                                   source: .ink, page: pageNumber, box: pageBox,
                                                   confidence: Self.markConfidence(fraction, threshold: tickInkThreshold))
            case .ink:
                var area = field.box.insetBy(4)
                if let label = field.labelBox {
                    let top = label.maxY + 2
                    area = Box(x: area.x, y: top, width: area.width, height: area.maxY - top)
                }
                let fraction = ink(area)
                fields[field.key] = ExtractedField(value: fraction >= signatureInkThreshold ? "Yes" : "No", raw: String(format: "ink %.4f", fraction),
                                                   source: .ink, page: pageNumber, box: pageBox,
                                                   confidence: Self.markConfidence(fraction, threshold: signatureInkThreshold))
            }
        }
        return (fields, problems)
    }

    /// Scans are sure a little nearer the threshold than text-layer renders: their ink is measured straightened and cleaned.
    static func markConfidence(_ fraction: Double, threshold: Double) -> Double {
        MarkReading.confidence(fraction, threshold: threshold, span: 1.5)
    }

    /// Whether OCR text could be a value of the field at all (a postal code that is not
    /// A1A 1A1 cannot be one). Free text always could.
    static func isPlausible(_ text: String, for field: TemplateField) -> Bool {
        func valid<T>(_ n: Normalized<T>) -> Bool { if case .value = n { return true } else { return false } }
        switch (field.kind, field.key) {
        case (.count, _): return valid(Normalize.count(text))
        case (.date, _): return valid(Normalize.date(text))
        case (.choice, _): return valid(Normalize.choice(text, among: field.choices ?? []))
        case (_, "postal_code"): return valid(Normalize.postalCode(text))
        case (_, "wcb_account_number"), (_, "trainee_other_account_number"): return valid(Normalize.wcbAccount(text))
        case (_, "phone"):
            // The shapes people write a number in: (306) 555-0142, 306-555-0142, 306.555.0142, +1 306 555 0142.
            return text.range(of: #"^(\+?1[ .-]?)?(\(\d{3}\) ?|\d{3}[ .-]?)\d{3}[ .-]?\d{4}$"#, options: .regularExpression) != nil
        case (_, "province"): return valid(Normalize.province(text))
        case (_, "email"), (_, "trainee_email"): return valid(Normalize.email(text.filter { !$0.isWhitespace }))
        default: return true
        }
    }

    /// What tesseract may read in a field: fewer choices, fewer mistakes.
    static func characters(for field: TemplateField) -> String? {
        let digits = "0123456789"
        switch (field.kind, field.key) {
        case (.count, _): return digits
        case (_, "wcb_account_number"), (_, "trainee_other_account_number"): return digits + " -"
        case (_, "phone"): return digits + "()-. +"
        case (_, "postal_code"): return "ABCEGHJKLMNPRSTVWXYZ" + digits + " "
        case (_, "province"): return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz. "
        default: return nil
        }
    }

    /// Reads a crop; a weak reading is read again independently (another segmentation, a
    /// binarized image). Readings that agree confirm each other; one that stands alone keeps
    /// its own, lower, confidence. The text most readings agree on wins.
    static func confirmedReading(_ reader: LineReader, crop: Raster, dpi: Int, characters: String?,
                                 plausible: (String) -> Bool = { _ in true }) -> Recognition {
        let grey = pad(trimmed(crop), by: 12)
        func read(_ r: Raster, _ layout: LineLayout) -> Recognition {
            let raw = reader.read(pixels: r.pixels, width: r.width, height: r.height, dpi: dpi, characters: characters, layout: layout)
            return Recognition(text: raw.text.split(whereSeparator: \.isWhitespace).joined(separator: " "), confidence: raw.confidence)
        }
        let first = read(grey, .line)
        if !first.text.isEmpty && first.confidence >= 0.95 && plausible(first.text) { return first }
        var readings = [first]
        // Other views of the same ink, each made only when a reading needs it.
        enum View { case grey, binary, thick, enlarged }
        lazy var binary: Raster = {
            let threshold = otsuThreshold(grey)
            return Raster(width: grey.width, height: grey.height, pixels: grey.pixels.map { $0 < threshold ? 0 : 255 })
        }()
        // Thickened strokes: Courier's hairlines defeat tesseract's LSTM in some glyphs ("9").
        lazy var thick = thickened(grey)
        lazy var big = enlarged(grey, by: 1.5)
        let attempts: [(View, LineLayout)] = [(.grey, .word), (.thick, .line), (.binary, .line), (.enlarged, .line),
                                              (.binary, .word), (.thick, .character), (.grey, .character)]
        func leader() -> (text: String, confidence: Double)? {
            // Readings that cannot be a value of the field do not count when some can.
            let candidates = readings.filter { !$0.text.isEmpty }
            let fitting = candidates.filter { plausible($0.text) }
            let groups = Dictionary(grouping: fitting.isEmpty ? candidates : fitting, by: \.text)
            guard let best = groups.max(by: { a, b in
                (a.value.count, a.value.map(\.confidence).max() ?? 0) < (b.value.count, b.value.map(\.confidence).max() ?? 0)
            }) else { return nil }
            if best.value.count == 1 { return (best.key, min(best.value[0].confidence, 0.75)) }
            // Independent readings that agree are evidence even when tesseract scores them low;
            // a dissenting reading that is surer than all of them is doubt.
            let doubt = best.value.reduce(1.0) { $0 * (1 - max($1.confidence, 0.4)) }
            let strongest = best.value.map(\.confidence).max() ?? 0
            let dissent = groups.filter { $0.key != best.key }.flatMap(\.value).contains { $0.confidence > strongest }
            return (best.key, min(0.99, (1 - doubt) * (dissent ? 0.8 : 1)))
        }
        for (view, layout) in attempts {
            if layout == .character && (readings.map(\.text.count).max() ?? 0) > 1 { continue }
            let image: Raster
            switch view {
            case .grey: image = grey
            case .binary: image = binary
            case .thick: image = thick
            case .enlarged: image = big
            }
            readings.append(read(image, layout))
            if let l = leader(), l.confidence >= 0.95 { break }
        }
        if Self.debugReadings {
            FileHandle.standardError.write(Data("ocr readings: \(readings.map { "\($0.text)=\($0.confidence)" })\n".utf8))
        }
        guard let l = leader() else { return Recognition(text: "", confidence: 0) }
        return Recognition(text: l.text, confidence: l.confidence)
    }

    /// A field crop without what is not its text: rows and columns that are mostly dark (the
    /// box's border, grey on the form) and small specks away from the line of text.
    static func withoutLines(_ crop: Raster) -> Raster {
        var r = crop
        let w = r.width, h = r.height
        guard w > 4, h > 4 else { return r }
        // What is left of the border: lines (grey, about 136, on the form) that run nearly the
        // whole crop, along its edges only; text never does both.
        let edgeRows = max(2, h / 5), edgeColumns = max(2, min(w / 8, h / 3))
        for y in Array(0..<edgeRows) + Array((h - edgeRows)..<h) {
            var dark = 0
            for x in 0..<w where r.pixels[y * w + x] < 190 { dark += 1 }
            if Double(dark) > Double(w) * 0.85 { for x in 0..<w { r.pixels[y * w + x] = 255 } }
        }
        for x in Array(0..<edgeColumns) + Array((w - edgeColumns)..<w) {
            var dark = 0
            for y in 0..<h where r.pixels[y * w + x] < 190 { dark += 1 }
            if Double(dark) > Double(h) * 0.85 { for y in 0..<h { r.pixels[y * w + x] = 255 } }
        }
        return r
    }

    /// The inside of a field box, cut from a crop taken `margin` pixels outside the box:
    /// each border is looked for near where it should be, as the darkest line there.
    static func insideOfBorder(_ crop: Raster, margin: Double, pixelsPerPoint: Double) -> Raster {
        let w = crop.width, h = crop.height
        let reach = Int((margin * 2).rounded())
        guard w > 2 * reach + 4, h > 2 * reach + 4 else { return crop }
        func darkness(column x: Int) -> Int {
            var n = 0
            for y in reach..<(h - reach) where crop.pixels[y * w + x] < 190 { n += 1 }
            return n
        }
        func darkness(row y: Int) -> Int {
            var n = 0
            for x in reach..<(w - reach) where crop.pixels[y * w + x] < 190 { n += 1 }
            return n
        }
        // The line nearest where the border should be, among those running most of the box:
        // a typed "1" near the border is dark too, but short.
        func border(_ range: Range<Int>, expected: Int, _ measure: (Int) -> Int, length: Int) -> Int? {
            range.filter { Double(measure($0)) > Double(length) * 0.7 }.min { abs($0 - expected) < abs($1 - expected) }
        }
        let inner = Int((1.0 * pixelsPerPoint).rounded())
        let m = Int(margin.rounded())
        let left = border(0..<reach, expected: m, { darkness(column: $0) }, length: h - 2 * reach).map { $0 + inner } ?? m + inner
        let right = border((w - reach)..<w, expected: w - 1 - m, { darkness(column: $0) }, length: h - 2 * reach).map { $0 - inner } ?? w - m - inner
        let top = border(0..<reach, expected: m, { darkness(row: $0) }, length: w - 2 * reach).map { $0 + inner } ?? m + inner
        let bottom = border((h - reach)..<h, expected: h - 1 - m, { darkness(row: $0) }, length: w - 2 * reach).map { $0 - inner } ?? h - m - inner
        guard right - left > 4, bottom - top > 4 else { return crop }
        let cw = right - left, ch = bottom - top
        var out = [UInt8](repeating: 255, count: cw * ch)
        for y in 0..<ch {
            out.replaceSubrange(y * cw..<(y + 1) * cw, with: crop.pixels[(y + top) * w + left..<(y + top) * w + left + cw])
        }
        return Raster(width: cw, height: ch, pixels: out)
    }

    static func cleaned(_ crop: Raster) -> Raster {
        var r = crop
        let w = r.width, h = r.height
        guard w > 4, h > 4 else { return r }
        // Connected pieces of ink; keep those of a size and place that text has.
        let threshold = min(otsuThreshold(r), 160)
        var label = [Int32](repeating: -1, count: w * h)
        var pieces: [(area: Int, x0: Int, y0: Int, x1: Int, y1: Int)] = []
        var stack: [Int] = []
        for start in 0..<(w * h) where r.pixels[start] < threshold && label[start] < 0 {
            let id = Int32(pieces.count)
            var piece = (area: 0, x0: w, y0: h, x1: -1, y1: -1)
            label[start] = id
            stack.append(start)
            while let p = stack.popLast() {
                let x = p % w, y = p / w
                piece.area += 1
                piece.x0 = min(piece.x0, x); piece.x1 = max(piece.x1, x); piece.y0 = min(piece.y0, y); piece.y1 = max(piece.y1, y)
                for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1), (x - 1, y - 1), (x + 1, y + 1), (x - 1, y + 1), (x + 1, y - 1)]
                where nx >= 0 && ny >= 0 && nx < w && ny < h {
                    let q = ny * w + nx
                    if label[q] < 0 && r.pixels[q] < threshold { label[q] = id; stack.append(q) }
                }
            }
            pieces.append(piece)
        }
        guard !pieces.isEmpty else { return r }
        // The text line: the band the big pieces share.
        let big = pieces.filter { $0.area >= 12 && $0.y1 - $0.y0 >= h / 6 }
        let bandTop = big.map(\.y0).min() ?? 0, bandBottom = big.map(\.y1).max() ?? h - 1
        let glyphHeight = max(4, (big.map { $0.y1 - $0.y0 }.sorted().dropFirst(big.count / 2).first ?? h / 2))
        let baseline = big.map(\.y1).sorted().dropFirst(big.count / 2).first ?? h - 1
        var keep = [Bool](repeating: false, count: pieces.count)
        for (i, p) in pieces.enumerated() {
            // A small mark is punctuation only where and as punctuation sits: on the baseline (a full
            // stop, a comma), by a letter's top (the dot of an i, an apostrophe), or flat (a hyphen).
            // Elsewhere it is a speck.
            if p.area < glyphHeight * glyphHeight / 6 && !big.contains(where: { $0.x0 == p.x0 && $0.y0 == p.y0 && $0.area == p.area }) {
                let onBaseline = abs(p.y1 - baseline) <= max(2, glyphHeight / 5)
                let centre = (p.x0 + p.x1) / 2
                let byLetterTop = p.y1 < baseline - glyphHeight * 45 / 100
                    && big.contains { centre >= $0.x0 - glyphHeight / 3 && centre <= $0.x1 + glyphHeight / 3 && $0.y0 <= p.y1 + glyphHeight / 2 }
                // A hyphen or dash: flat and at least twice as wide as it is high.
                let dash = (p.x1 - p.x0 + 1) >= 2 * (p.y1 - p.y0 + 1)
                if !onBaseline && !byLetterTop && !dash { continue }
            }
            let inBand = p.y1 >= bandTop - glyphHeight / 4 && p.y0 <= bandBottom + glyphHeight / 4
            // Dots of i, j and full stops are small but sit in the band; specks are tiny or out of it.
            // What is left of a border at the crop's edge is thin and touches it.
            let edgeRemnant = (p.x0 == 0 || p.x1 == w - 1) && (p.x1 - p.x0) < glyphHeight / 3
                || (p.y0 == 0 || p.y1 == h - 1) && (p.y1 - p.y0) < glyphHeight / 3
            keep[i] = inBand && !edgeRemnant && p.area >= max(6, glyphHeight * glyphHeight / 40)
        }
        for i in 0..<(w * h) where label[i] >= 0 && !keep[Int(label[i])] { r.pixels[i] = 255 }
        // Faint remains of what was removed would still read as marks.
        for i in 0..<(w * h) where label[i] < 0 && r.pixels[i] < 200 { r.pixels[i] = 255 }
        return r
    }

    static func darkPixels(_ r: Raster) -> Int {
        var n = 0
        for p in r.pixels where p < 128 { n += 1 }
        return n
    }

    /// Strokes made a pixel bolder all round (a 3×3 minimum).
    static func thickened(_ r: Raster) -> Raster {
        var out = r
        for y in 0..<r.height {
            for x in 0..<r.width {
                var v: UInt8 = 255
                for dy in -1...1 { for dx in -1...1 { v = min(v, r[x + dx, y + dy]) } }
                out.pixels[y * r.width + x] = v
            }
        }
        return out
    }

    /// Developers' switches, read once: SECOR_OCR_DEBUG prints every reading, SECOR_OCR_DUMP=DIR saves the crops.
    static let debugReadings = ProcessInfo.processInfo.environment["SECOR_OCR_DEBUG"] != nil
    static let dumpFolder = ProcessInfo.processInfo.environment["SECOR_OCR_DUMP"]

    /// The crop made `factor` times larger (bilinear): another view of the same ink for a second reading.
    static func enlarged(_ r: Raster, by factor: Double) -> Raster {
        let scaled = r
        var out = Raster(width: Int(Double(r.width) * factor), height: Int(Double(r.height) * factor))
        for y in 0..<out.height {
            for x in 0..<out.width {
                let sx = Double(x) / factor, sy = Double(y) / factor
                let x0 = Int(sx), y0 = Int(sy), fx = sx - Double(x0), fy = sy - Double(y0)
                let v = (Double(scaled[x0, y0]) * (1 - fx) + Double(scaled[x0 + 1, y0]) * fx) * (1 - fy)
                    + (Double(scaled[x0, y0 + 1]) * (1 - fx) + Double(scaled[x0 + 1, y0 + 1]) * fx) * fy
                out.pixels[y * out.width + x] = UInt8(max(0, min(255, v.rounded())))
            }
        }
        return out
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
