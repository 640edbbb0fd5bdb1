import Foundation
import Poppler
import SecorCore
import SecorSchemas
import Tesseract
import Imaging
import HandPrint

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
        /// Where a filled page has ink: the printed marks and the fields' boxes (with room above
        /// and past them, where hand print goes).
        let expected: [Bool]
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
            let loaded = Self.renderBlanks(blankForms, templates: templates, scale: dpi / 72 / Double(factor))
            loadedBlanks = loaded
            return loaded
        }
    }
    /// The blank form pages at reading resolution, rendered on first need: what "nothing written
    /// here" looks like, to tell an empty box from one whose ink was not read.
    private func fullBlank(_ kind: DocumentKind, page: Int) -> Raster? {
        blanksLock.withLock {
            let key = "\(kind.rawValue)-\(page)"
            if let known = fullBlanks[key] { return known }
            guard let data = blankForms.first(where: { $0.form == kind })?.data, let document = try? PDFDocument(data: data),
                  let blankPage = document.page(at: page - 1),
                  let image = blankPage.renderGray(region: Box(x: 0, y: 0, width: blankPage.size.width, height: blankPage.size.height),
                                                   scale: dpi / 72) else { return nil }
            fullBlanks[key] = image
            return image
        }
    }
    private var fullBlanks: [String: Raster] = [:]

    /// Pixels of ink in `region` (template points) of a placed page that the blank form does not
    /// have there: what the applicant wrote or marked, wherever in the region it is.
    /// Ink inside `others` (other fields' boxes, whose values are theirs) is not counted.
    func inkBeyondForm(_ placed: PlacedPage, region: Box, others: [Box] = []) -> Int {
        guard let pair = scanAndForm(placed, region: region) else { return Int.max }
        var scan = pair.scan
        let form = pair.form
        let resolution = dpi / 72
        for other in others {
            guard let part = other.insetBy(-1).intersection(region) else { continue }
            scan.whiten(Box(x: (part.x - region.x) * resolution, y: (part.y - region.y) * resolution,
                            width: part.width * resolution, height: part.height * resolution))
        }
        for (suffix, image) in [("scan", scan), ("form", form)] { Self.dump(image, as: "beyond-\(Int(region.x))-\(Int(region.y))-\(suffix)") }
        return scan.inkBeyond(form)
    }

    /// `region` (template points) of a placed page and of its blank form, pixel for pixel at
    /// reading resolution; nil when the blank cannot be rendered.
    func scanAndForm(_ placed: PlacedPage, region: Box) -> (scan: Raster, form: Raster)? {
        guard let blank = fullBlank(placed.kind, page: placed.templatePage) else { return nil }
        let resolution = dpi / 72
        let scan = placed.placement.sample(placed.image, box: region, outputPixelsPerPoint: resolution)
        let form = PagePlacement(angle: 0, dx: 0, dy: 0, pixelsPerPoint: resolution, imageWidth: blank.width, imageHeight: blank.height)
            .sample(blank, box: region)
        return (scan, form)
    }

    /// What the applicant wrote for `field`, wherever near its box they wrote it: hand print sits
    /// above the line and runs past the box's end. The pieces of ink beyond the printed form that
    /// start in the box, and those that carry on from them to the right, cut out on white paper
    /// (the box's border and the form's labels left out); nil when none start in the box.
    /// `others` are the page's other fields' boxes: ink inside them is theirs. Where a printed line
    /// runs through the writing there are two views: the line kept under it (the feet of letters
    /// written on a line are on it) and the line taken out where no stroke crosses it (a digit
    /// written across a border); the first is the one to try first.
    func writtenCrop(_ placed: PlacedPage, field: TemplateField, others: [Box]) -> [Raster] {
        guard let blank = fullBlank(placed.kind, page: placed.templatePage) else { return [] }
        let resolution = dpi / 72
        let box = field.box
        let pageWidth = Double(blank.width) / resolution
        // Room for the line above the box, and for a value that carries on past its end.
        let region = Box(x: box.x - 4, y: box.y - box.height * 1.6, width: min(box.width + 90, pageWidth - box.x), height: box.height * 2.6 + 4)
        guard let (scan, form) = scanAndForm(placed, region: region) else { return [] }
        let pieces = scan.writtenPieces(form, search: 9).filter { !$0.isRule }
        Self.dump(scan, as: "region-\(field.key)")
        Self.dump(form, as: "form-\(field.key)")
        func point(_ px: Int, _ py: Int) -> (x: Double, y: Double) { (region.x + Double(px) / resolution, region.y + Double(py) / resolution) }
        let theirs = others.map { $0.insetBy(-1) }
        // A piece is this field's when its middle is on the box's line (or the line above it, where
        // hand print rises) and not in another field's box.
        func onLine(_ p: Raster.InkPiece) -> Bool {
            let middle = point((p.x0 + p.x1) / 2, (p.y0 + p.y1) / 2)
            return middle.y >= box.y - box.height * 0.8 && middle.y <= box.maxY + 1
                && !theirs.contains { $0.contains(x: middle.x, y: middle.y) }
        }
        let glyph = Int(resolution * resolution * 2)
        let strokes = pieces.filter { $0.size >= glyph && onLine($0) }.sorted { $0.x0 < $1.x0 }
        let start = Int(((box.x + 1 - region.x) * resolution).rounded()), end = Int(((box.maxX - region.x) * resolution).rounded())
        var chosen = strokes.filter { $0.x1 >= start && $0.x0 <= end }
        guard var x1 = chosen.map(\.x1).max(), var x0 = chosen.map(\.x0).min() else { return [] }
        // Carried on past the end: pieces no further from the last than a wide gap between words.
        let gap = Int(box.height * resolution * 1.2)
        for p in strokes where p.x0 > end && p.x0 <= x1 + gap { chosen.append(p); x1 = max(x1, p.x1) }
        var y0 = chosen.map(\.y0).min()!, y1 = chosen.map(\.y1).max()!
        // Full stops, commas and the dots of i and j: small pieces within the written line.
        let line = chosen.count
        for p in pieces where p.size < glyph && p.size >= 4 && p.x0 >= x0 && p.x1 <= x1 + 6 && p.y0 >= y0 - 4 && p.y1 <= y1 + (y1 - y0) / 3 {
            chosen.append(p)
        }
        x0 = chosen.map(\.x0).min()!; x1 = max(x1, chosen[line...].map(\.x1).max() ?? x1)
        y0 = chosen.map(\.y0).min()!; y1 = chosen.map(\.y1).max()!
        // Where a stroke crosses a printed line (the box's border) its pixels are the line's: they
        // are put back where the stroke goes on at both sides, across the line.
        var mine = [Bool](repeating: false, count: scan.width * scan.height)
        for p in chosen { for q in p.indices { mine[q] = true } }
        // Writing that rests on a line, or is written on the line above the box: the line under it
        // is kept with the feet of its letters, which the form's tolerance took (one view).
        let along = scan.inkAlongLines(form, columns: x0...x1, rows: y0...y1)
        // A stroke drawn along a box's side that the writing crosses (a T's stem on the border) is
        // the letter's, in both views.
        let sides = scan.inkAlongBorders(form, columns: x0...x1, rows: y0...y1)
        if Self.debugReadings, !sides.isEmpty {
            FileHandle.standardError.write(Data("sides \(field.key): \(sides.count) pixels at x \(Set(sides.map { $0 % scan.width / 10 * 10 }).sorted())\n".utf8))
        }
        for q in along {
            y0 = min(y0, q / scan.width); y1 = max(y1, q / scan.width)
        }
        var crossings: [Int] = []
        let reach = max(3, Int(resolution * 2.5))
        for y in y0...y1 {
            for x in x0...x1 where !mine[y * scan.width + x] && scan.pixels[y * scan.width + x] < 200 {
                func any(_ steps: ClosedRange<Int>, _ at: (Int) -> Int?) -> Bool { steps.contains { at($0).map { mine[$0] } ?? false } }
                let vertical = any(1...reach) { y - $0 >= 0 ? (y - $0) * scan.width + x : nil }
                    && any(1...reach) { y + $0 < scan.height ? (y + $0) * scan.width + x : nil }
                // Across a side's border, less far: a letter's own strokes either side of it are close.
                let across = max(2, reach / 2)
                let horizontal = any(1...across) { x - $0 >= 0 ? y * scan.width + x - $0 : nil }
                    && any(1...across) { x + $0 < scan.width ? y * scan.width + x + $0 : nil }
                func dark(_ x: Int, _ y: Int) -> Bool { scan[x, y] < 200 }
                let onHorizontalLine = dark(x - reach, y) && dark(x + reach, y)
                let onVerticalLine = dark(x, y - reach) && dark(x, y + reach)
                if (vertical && onHorizontalLine) || (horizontal && onVerticalLine) { crossings.append(y * scan.width + x) }
            }
        }
        // The chosen ink with a pixel of its soft edge, on white.
        let margin = 6
        let w = x1 - x0 + 1 + 2 * margin, h = y1 - y0 + 1 + 2 * margin
        func view(_ indices: [Int]) -> Raster {
            var out = Raster(width: w, height: h)
            for q in indices {
                let x = q % scan.width, y = q / scan.width
                for ny in max(0, y - 1)...min(scan.height - 1, y + 1) {
                    for nx in max(0, x - 1)...min(scan.width - 1, x + 1) {
                        out.pixels[(ny - y0 + margin) * w + (nx - x0 + margin)] = scan.pixels[ny * scan.width + nx]
                    }
                }
            }
            return out
        }
        let ink = chosen.flatMap(\.indices) + sides
        let cleared = view(ink + crossings)
        Self.dump(cleared, as: "written-\(field.key)")
        guard !along.isEmpty else { return [cleared] }
        let kept = view(ink + along + crossings)
        Self.dump(kept, as: "written-\(field.key)-line")
        return [kept, cleared]
    }

    /// The ink of a mark made in or across `box` (template points), as a share of the box's area:
    /// the pieces of ink beyond the printed form that pass through the box, all of each (a check's
    /// long stroke runs out of the box; an X is drawn over it). An empty box has none.
    func markInk(_ placed: PlacedPage, box: Box) -> Double {
        let region = box.insetBy(-box.height * 0.8)
        guard let (scan, form) = scanAndForm(placed, region: region) else { return 0 }
        let resolution = dpi / 72
        let inside = box.insetBy(1.5)
        let x0 = Int((inside.x - region.x) * resolution), x1 = Int((inside.maxX - region.x) * resolution)
        let y0 = Int((inside.y - region.y) * resolution), y1 = Int((inside.maxY - region.y) * resolution)
        let through = scan.writtenPieces(form, search: 6, tolerance: 2).filter { p in
            p.size >= 24 && !p.isRule && p.indices.contains { q in
                let x = q % scan.width, y = q / scan.width
                return x >= x0 && x <= x1 && y >= y0 && y <= y1
            }
        }
        let area = Double(max(1, (x1 - x0) * (y1 - y0)))
        return Double(through.reduce(0) { $0 + $1.size }) / area
    }

    /// PP-OCR's recognizer for hand print, loaded on first need; nil where `make models` has not
    /// installed it (then tesseract alone reads, and what it cannot read surely stays a doubt).
    private var handPrint: HandPrintRecognizer? {
        blanksLock.withLock {
            if let loaded = loadedHandPrint { return loaded }
            loadedHandPrint = .some(ModelFiles.folder().flatMap { try? HandPrintRecognizer(folder: $0) })
            return loadedHandPrint!
        }
    }
    private var loadedHandPrint: HandPrintRecognizer?? = nil

    /// Each form's blank, as bytes: read and checked once, at start.
    private let blankForms: [(form: DocumentKind, data: Data)]
    private let blanksLock = NSLock()
    private var loadedBlanks: [BlankPage]? = nil
    /// How much of a blank page's printed ink must be found for a page to be that page.
    public var minimumMatch = 0.45
    /// How much of the page's own ink must fall on that blank's printed marks or in its boxes.
    public var minimumExplained = 0.85
    /// A page darker than this is no form (the blank forms are about 10% ink, filled ones a little more).
    public var maximumInk = 0.35
    /// Ink inside a tick box (inset from its border) that makes it marked. The printed border is
    /// grey and not counted; an empty box measures 0.000 on every sample scan, a hand check
    /// 0.04-0.4 (a check's long stroke mostly outside the box), a typed X nearly 1.
    public var tickInkThreshold = 0.03
    public var signatureInkThreshold = 0.01

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

    private static func renderBlanks(_ blankForms: [(form: DocumentKind, data: Data)], templates: FormTemplates, scale: Double) -> [BlankPage] {
        var blanks: [BlankPage] = []
        for (form, data) in blankForms {
            // It opened at start; the same bytes open again.
            guard let document = try? PDFDocument(data: data) else { continue }
            for index in 0..<document.pageCount {
                guard let page = document.page(at: index),
                      let raster = page.renderGray(region: Box(x: 0, y: 0, width: page.size.width, height: page.size.height),
                                                   scale: scale) else { continue }
                let (rows, columns) = ScanAlignment.profiles(raster)
                // Solid bands (the title band) look alike on every form: score on lines and text only.
                let marks = raster.darkPixelIndices(onRowsWithInkBelow: 0.5, rows: rows)
                let boxes = (templates.template(for: form)?.fields ?? []).filter { $0.page == index + 1 }.map { field in
                    let b = field.box
                    return (x: Int(((b.x - 6) * scale).rounded(.down)), y: Int(((b.y - 10) * scale).rounded(.down)),
                            width: Int(((b.width + 60) * scale).rounded(.up)), height: Int(((b.height + 14) * scale).rounded(.up)))
                }
                let expected = raster.expectedInk(grow: 2, boxes: boxes)
                blanks.append(BlankPage(kind: form, page: index + 1, raster: raster, rows: rows, columns: columns, marks: marks,
                                        expected: expected))
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

    /// What a scanned page turned out to be.
    public enum Look: @unchecked Sendable {
        /// One of the forms' pages, placed on its blank.
        case placed(PlacedPage)
        /// Nothing on it but paper, specks and what shows through from the other side (a duplex back).
        case blank
        /// Something that is none of the forms' pages (a cover letter, a photo of something else).
        case unknown
    }

    /// Below this share of dark pixels (at full resolution) a page holds nothing written or
    /// printed: a form's first page is about 9%, the registration's sparse second page 0.4%, a
    /// duplex back's specks and what shows through under 0.01%.
    public var blankPageInk = 0.001

    /// Renders `page` and finds which blank page it is, which way up and where.
    public func look(at page: PDFPage) -> Look {
        let scale = dpi / 72
        guard let image = page.renderGray(region: Box(x: 0, y: 0, width: page.size.width, height: page.size.height), scale: scale)
        else { return .unknown }
        // Blank is judged at full resolution: thin printed lines vanish from an averaged small copy.
        let ink = image.inkFraction
        if Self.debugReadings { FileHandle.standardError.write(Data("page ink \(ink)\n".utf8)) }
        if ink < blankPageInk { return .blank }
        let small = image.downsampledDarkest(by: factor)
        // A fax's streaks (a dirty sensor draws a thin line down the whole sheet) are the machine's,
        // not the page's: on a sparse page they are much of its ink. The page is placed without
        // them, and read as it came (a box's reading cleans lines away, and keeps the ink under them).
        let streaks = small.streakColumns()
        if !streaks.isEmpty {
            if Self.debugReadings { FileHandle.standardError.write(Data("streaks at \(streaks)\n".utf8)) }
            var cleaned = image
            cleaned.whitenDark(columns: streaks.map { $0 * factor ..< ($0 + 1) * factor })
            if let (placed, turns) = placeAnyWayUp(cleaned, small: cleaned.downsampledDarkest(by: factor), scale: scale) {
                return .placed(PlacedPage(kind: placed.kind, templatePage: placed.templatePage, placement: placed.placement,
                                          image: turns == 0 ? image : image.rotated(quarterTurns: turns), match: placed.match))
            }
        } else if let (placed, _) = placeAnyWayUp(image, small: small, scale: scale) {
            return .placed(placed)
        }
        // A phone's photograph: the sheet on a table, smaller than the picture and seen a little from
        // the side. Flattened onto a page of the form's size, it is placed as a scan is.
        if let corners = PhotographedPage.corners(in: image), let blank = fullBlank(templates.all[0].form, page: 1) {
            let top = hypot(corners[1].x - corners[0].x, corners[1].y - corners[0].y)
            let side = hypot(corners[3].x - corners[0].x, corners[3].y - corners[0].y)
            let (w, h) = top > side ? (blank.height, blank.width) : (blank.width, blank.height)
            if Self.debugReadings { FileHandle.standardError.write(Data("photograph: sheet at \(corners)\n".utf8)) }
            if var flat = PhotographedPage.flattened(image, corners: corners, width: w, height: h).map({ PhotographedPage.evenlyLit($0) }) {
                // The sheet's edge is found to within a few pixels: the table may show along it. The
                // forms print nothing in their outer 10 points, so that strip is made paper.
                let edge = 10 * scale, width = Double(w), height = Double(h)
                for strip in [Box(x: 0, y: 0, width: width, height: edge), Box(x: 0, y: height - edge, width: width, height: edge),
                              Box(x: 0, y: 0, width: edge, height: height), Box(x: width - edge, y: 0, width: edge, height: height)] {
                    flat.whiten(strip)
                }
                if let (placed, _) = placeAnyWayUp(flat, small: flat.downsampledDarkest(by: factor), scale: scale) { return .placed(placed) }
            }
        }
        return .unknown
    }

    /// `image` placed fed as it should be first; then upside down, then sideways either way.
    /// Also how many quarter turns it took.
    func placeAnyWayUp(_ image: Raster, small: Raster, scale: Double) -> (PlacedPage, turns: Int)? {
        for turns in [0, 2, 1, 3] {
            let turned = turns == 0 ? image : image.rotated(quarterTurns: turns)
            if let placed = place(turned, small: turns == 0 ? small : turned.downsampledDarkest(by: factor), scale: scale) {
                return (placed, turns)
            }
        }
        return nil
    }

    /// An upright grey page (and its small copy) placed on the blank page it overlaps best.
    func place(_ image: Raster, small: Raster, scale: Double) -> PlacedPage? {
        // A form is mostly white paper. A page mostly of ink would "contain" every printed line.
        guard small.inkFraction < maximumInk else { return nil }
        let angle = ScanAlignment.skew(of: small)
        let straight = ScanAlignment.straightened(small, degrees: angle)
        // As printed, then shrunk to fit (94-100%: printers shrink a page to their margins).
        typealias Fit = (blank: BlankPage, dx: Int, dy: Int, match: Double, explained: Double, shrink: Double)
        func fit(_ shrink: Double) -> Fit? {
            let view = straight.resampled(sourceScale: shrink)
            let (rows, columns) = ScanAlignment.profiles(view)
            var best: Fit? = nil
            for blank in blanks {
                let dy = ScanAlignment.bestShift(scan: rows, blank: blank.rows, maxShift: 45).shift
                let dx = ScanAlignment.bestShift(scan: columns, blank: blank.columns, maxShift: 45).shift
                let match = overlap(view, blank, dx: dx, dy: dy)
                guard match >= minimumMatch else { continue }
                let explained = view.explainedInk(expected: blank.expected, maskWidth: blank.raster.width, dx: dx, dy: dy)
                if best == nil || match * explained > best!.match * best!.explained { best = (blank, dx, dy, match, explained, shrink) }
            }
            if Self.debugReadings, let best {
                FileHandle.standardError.write(Data("placement: \(best.blank.kind) page \(best.blank.page) match \(best.match) explained \(best.explained) angle \(angle) shrink \(shrink)\n".utf8))
            }
            // The right blank explains most of the page's ink; a wrong one (another page, or this
            // page the wrong way up) leaves much of it where that blank has nothing.
            guard let best, best.explained >= minimumExplained else { return nil }
            return best
        }
        // The first shrink the page fits at, then on to the shrink it fits best at, in finer steps:
        // a page printed at 96.5% also fits at 98.5%, a little off, and a box's writing is read
        // against the blank's box, where a percent is many pixels at the foot of the page.
        var first: Fit? = nil
        for shrink in [1.0, 0.985, 0.97, 0.955, 0.94] {
            first = fit(shrink)
            if first != nil { break }
        }
        guard var best = first else { return nil }
        var step = 0.0075
        while step >= 0.002 {
            var moved = false
            for direction in [-1.0, 1.0] {
                while true {
                    let shrink = best.shrink + direction * step
                    guard shrink <= 1.0, shrink >= 0.92, let next = fit(shrink),
                          next.match * next.explained > best.match * best.explained else { break }
                    best = next
                    moved = true
                }
                if moved { break }
            }
            step /= 2
        }
        let placement = PagePlacement(angle: angle, dx: Double(best.dx * factor) * best.shrink, dy: Double(best.dy * factor) * best.shrink,
                                      pixelsPerPoint: scale * best.shrink, imageWidth: image.width, imageHeight: image.height)
        return PlacedPage(kind: best.blank.kind, templatePage: best.blank.page, placement: placement, image: image, match: best.match)
    }

    /// The share of the blank's printed marks that are dark (within a pixel) on the straightened scan.
    func overlap(_ scan: Raster, _ blank: BlankPage, dx: Int, dy: Int) -> Double {
        scan.overlap(marks: blank.marks, markWidth: blank.raster.width, dx: dx, dy: dy)
    }

    /// The placed page with its streaks made paper (see `Streak`): thin straight lines of three
    /// inches or more that the blank form does not print. Where writing crosses one its ink stays.
    func withoutStreaks(_ placed: PlacedPage) -> PlacedPage {
        guard let blank = fullBlank(placed.kind, page: placed.templatePage) else { return placed }
        let placement = placed.placement
        let width = 3
        let streaks = placed.image.streaks(minimumLength: Int(216 * placement.pixelsPerPoint), maximumWidth: width)
        guard !streaks.isEmpty else { return placed }
        let resolution = dpi / 72
        // The form's own long lines (a box's border runs across the page) are the form's.
        let machine = streaks.filter { streak in
            let samples = stride(from: streak.from, through: streak.to, by: 5).map { s -> Bool in
                let (x, y) = streak.vertical ? (streak.line, s) : (s, streak.line)
                let p = placement.point(forPixel: Double(x), Double(y))
                let bx = Int((p.x * resolution).rounded()), by = Int((p.y * resolution).rounded())
                let reach = width + 2
                return (-reach...reach).contains { d in
                    (streak.vertical ? blank[bx + d, by] : blank[bx, by + d]) < 200
                }
            }
            return Double(samples.filter { $0 }.count) < Double(samples.count) * 0.4
        }
        if Self.debugReadings, !machine.isEmpty {
            FileHandle.standardError.write(Data("streaks: \(machine.map { "\($0.vertical ? "x" : "y") \($0.line) \($0.from)-\($0.to)" })\n".utf8))
        }
        guard !machine.isEmpty else { return placed }
        var image = placed.image
        image.whiten(machine, maximumWidth: width)
        return PlacedPage(kind: placed.kind, templatePage: placed.templatePage, placement: placement, image: image, match: placed.match)
    }

    /// Reads every field of `template` on page `templatePage` from a placed scan.
    /// `handWritten`: an earlier page of the same document was filled by hand (a sparse second page
    /// has too few boxes to tell by itself). The result says whether this page was.
    public func readFields(_ placed: PlacedPage, template: FormTemplate, pageNumber: Int,
                           handWritten: Bool = false) -> (fields: [String: ExtractedField], problems: [Diagnostic], handFilled: Bool) {
        let placed = withoutStreaks(placed)
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
        // A square point of ink at reading resolution: the least a stroke leaves.
        let glyphPixels = Int((dpi / 72) * (dpi / 72))
        func ink(_ box: Box) -> Double {
            placement.sample(placed.image, box: box).inkFraction
        }
        /// A tick box's mark: the ink inside the box, inside its border as found on the scan itself (a
        /// page shrunk to fit is placed to within a point or two, and a box's border is as dark as a
        /// mark); and the ink of pieces beyond the form passing through it (`markInk`), measured once
        /// and only where the box has ink (an empty box has none).
        func mark(_ box: Box) -> (fraction: Double, through: Double) {
            let ppp = placement.pixelsPerPoint
            let wide = placement.sample(placed.image, box: box.insetBy(-3))
            let inside = CropCleaning.insideOfBorder(wide, margin: 3 * ppp, pixelsPerPoint: ppp)
            let trim = Int((1.5 * ppp).rounded())
            let fraction = inside.width > 2 * trim + 2 && inside.height > 2 * trim + 2
                ? inside.inkFraction(x: trim, y: trim, width: inside.width - 2 * trim, height: inside.height - 2 * trim)
                : ink(box.insetBy(2.5))
            guard fraction >= tickInkThreshold / 3 else { return (fraction, 0) }
            let through = markInk(placed, box: box)
            // A check drawn mostly beside the box: a little of it inside, much of it through the box.
            if fraction < 2 * tickInkThreshold, through >= 0.08 { return (2 * tickInkThreshold, through) }
            return (fraction, through)
        }
        /// The boxes of the page's other fields: their ink is theirs, not this field's.
        func otherBoxes(_ field: TemplateField) -> [Box] {
            template.fields.filter { $0.page == field.page && $0.key != field.key }.flatMap { f in
                [f.box] + (f.options.map { Array($0.values) } ?? [])
            }
        }
        // Boxes of print read by tesseract, finished once the whole page has been seen.
        var printed: [(field: TemplateField, crop: Raster, read: Recognition, pageBox: Box)] = []
        // Boxes empty inside but written around (above the line, past the end): hand print.
        var writtenAround: [(field: TemplateField, pageBox: Box)] = []
        for field in template.fields where field.page == placed.templatePage {
            let pageBox = placement.pageBox(for: field.box)
            switch field.kind {
            case .text, .count, .date, .choice, .percent:
                // The box's inside, found from its printed border on the scan itself (the page's
                // placement can be a point off); then the border's remains and specks cleaned away.
                let wide = placement.sample(placed.image, box: field.box.insetBy(-3))
                let inside = CropCleaning.insideOfBorder(wide, margin: 3 * placement.pixelsPerPoint, pixelsPerPoint: placement.pixelsPerPoint)
                let withoutBorder = CropCleaning.withoutLines(inside)
                if Self.dumpFolder != nil {
                    // Developers: the crops on the way to tesseract.
                    for (suffix, image) in [("wide", wide), ("raw", inside), ("lines", withoutBorder), ("clean", CropCleaning.cleaned(withoutBorder))] {
                        Self.dump(image, as: "p\(pageNumber)-\(field.key)-\(suffix)")
                    }
                }
                let crop = CropCleaning.cleaned(withoutBorder)
                // Blank means no ink of a glyph's size is left once specks are gone; a thin "1"
                // in a wide box is little ink but not nothing.
                if CropCleaning.darkPixels(crop) < glyphPixels {
                    // Blank means measured empty: any ink beyond the printed form in the box, or just
                    // above it and past its end (hand print strays there), is a doubt, not an empty box.
                    let stray = Box(x: field.box.x - 2, y: field.box.y - field.box.height * 0.5,
                                    width: field.box.width + 20, height: field.box.height * 1.5 + 2)
                    let beyond = inkBeyondForm(placed, region: stray, others: otherBoxes(field))
                    if Self.debugReadings {
                        FileHandle.standardError.write(Data("blank \(field.key): ink beyond the form \(beyond) pixels\n".utf8))
                    }
                    let written = beyond > 4 * glyphPixels
                    fields[field.key] = ExtractedField(value: "", raw: "", source: .ocr, page: pageNumber, box: pageBox,
                                                       confidence: written ? 0.3 : 0.99)
                    if written { writtenAround.append((field, pageBox)) }
                    continue
                }
                guard let reader else { continue }
                // Once the page is known to be filled by hand (two boxes unsure already), every box
                // is read again as written, by PP-OCR too: tesseract's reading is then only a second
                // opinion, from one view, not the up to eight it takes to make print sure.
                let knownHandFilled = Self.isHandFilled(unsure: printed.lazy.filter { $0.read.confidence < 0.9 }.count, handWritten: handWritten, boxes: nil)
                let read = Self.confirmedReading(reader, crop: crop, dpi: Int(dpi), characters: Self.characters(for: field),
                                                 views: knownHandFilled && handPrint != nil ? 1 : .max,
                                                 plausible: { Self.isPlausible($0, for: field) })
                printed.append((field, crop, read, pageBox))
            case .yesNo:
                var marks: [(String, Double)] = []
                var through: [String: Double] = [:]
                for (option, box) in (field.options ?? [:]).sorted(by: { $0.key > $1.key }) {
                    let m = mark(box)
                    marks.append((option, m.fraction))
                    through[option] = m.through
                }
                var value = ""
                var confidence = 0.99
                switch MarkReading.choose(marks.map { (option: $0.0, ink: $0.1) }, threshold: tickInkThreshold) {
                case .none:
                    // Unanswered only when no option has ink near a mark's, and no mark was made
                    // anywhere near them (a check drawn across the box, a circled word).
                    confidence = Self.tickConfidence(marks.map(\.1).max() ?? 0, threshold: tickInkThreshold)
                    let around = (field.options ?? [:]).values.reduce(into: Box?.none) { whole, box in whole = whole.map { $0.union(box) } ?? box }
                    if let around, inkBeyondForm(placed, region: around.insetBy(-4)) > 4 * glyphPixels { confidence = min(confidence, 0.3) }
                case .bothMarked:
                    confidence = 0.3
                    problems.append(Diagnostic(.review, code: "both-options-marked", "both Yes and No look marked for “\(field.label)”",
                                               field: field.key, location: .init(page: pageNumber, box: pageBox)))
                case let .chosen(option, ink, runnerUp):
                    value = option
                    confidence = Self.tickConfidence(ink, threshold: tickInkThreshold)
                    // The other box has some ink too: sure only when this one has far more.
                    if runnerUp >= tickInkThreshold / 3 {
                        confidence = min(confidence, 0.5 + 0.49 * min(1, max(0, ink / runnerUp - 2) / 2))
                    }
                    // Ink the blank form explains (its border, found a little off) is no mark.
                    if (through[option] ?? 0) < 0.02 { confidence = min(confidence, 0.6) }
                }
                let raw = marks.map { String(format: "%@ ink %.3f", $0.0, $0.1) }.joined(separator: ", ")
                if Self.debugReadings {
                    FileHandle.standardError.write(Data("mark \(field.key): \(raw) written \(through) -> \(value)=\(confidence)\n".utf8))
                }
                fields[field.key] = ExtractedField(value: value, raw: raw, source: .ink, page: pageNumber, box: pageBox, confidence: confidence)
            case .tick:
                let (fraction, through) = mark(field.box)
                var confidence = Self.tickConfidence(fraction, threshold: tickInkThreshold)
                // Not ticked only when nothing was marked in or across the box.
                if fraction < tickInkThreshold, inkBeyondForm(placed, region: field.box.insetBy(-4)) > 4 * glyphPixels {
                    confidence = min(confidence, 0.3)
                }
                // Ink the blank form explains (its border, found a little off) is no mark.
                if fraction >= tickInkThreshold, through < 0.02 { confidence = min(confidence, 0.6) }
                if Self.debugReadings { FileHandle.standardError.write(Data("tick \(field.key): ink \(fraction) written \(through) -> \(confidence)\n".utf8)) }
                fields[field.key] = ExtractedField(value: fraction >= tickInkThreshold ? "Yes" : "No", raw: String(format: "ink %.3f", fraction),
                                                   source: .ink, page: pageNumber, box: pageBox, confidence: confidence)
            case .ink:
                var area = field.box.insetBy(4)
                if let label = field.labelBox {
                    let top = label.maxY + 2
                    area = Box(x: area.x, y: top, width: area.width, height: area.maxY - top)
                }
                let fraction = ink(area)
                var confidence = Self.markConfidence(fraction, threshold: signatureInkThreshold)
                // Unsigned only when there is no pen line in the box at all.
                if fraction < signatureInkThreshold, inkBeyondForm(placed, region: field.box) > 4 * glyphPixels {
                    confidence = min(confidence, 0.3)
                }
                fields[field.key] = ExtractedField(value: fraction >= signatureInkThreshold ? "Yes" : "No", raw: String(format: "ink %.4f", fraction),
                                                   source: .ink, page: pageNumber, box: pageBox, confidence: confidence)
            }
        }
        // A page on which tesseract, made for print, was unsure of more than one box is filled by hand
        // (on typed scans it is unsure of none): there even a reading it is sure of is checked against
        // PP-OCR, as written around its box (tesseract is sure of hand print it misreads or cuts short).
        let unsure = printed.filter { $0.read.confidence < 0.9 }.count
        // A page of few boxes (a declaration's five) has few to be unsure of: one there tells as much.
        let handFilled = Self.isHandFilled(unsure: unsure, handWritten: handWritten, boxes: printed.count)
        // Staff should know why a hand-filled page leaves so much to them: tesseract alone reads it.
        if handFilled, handPrint == nil {
            problems.append(Diagnostic(.note, code: "hand-print-unavailable",
                                       "page \(pageNumber) is filled by hand but the hand-print recognizer is not installed (make models): what tesseract could not read surely is left to staff"))
        }
        if Self.debugReadings {
            FileHandle.standardError.write(Data("page \(placed.kind) \(placed.templatePage): \(unsure) of \(printed.count) unsure; \(printed.map { String(format: "%.2f", $0.read.confidence) })\n".utf8))
        }
        /// Ink at the box's right edge or just past it (beyond what the form prints there): the value
        /// may run on, and what was read would be cut ("Site superv"), however sure the reading.
        func runsPast(_ field: TemplateField, _ crop: Raster) -> Bool {
            if CropCleaning.inkAtRightEdge(crop, columns: max(2, Int(placement.pixelsPerPoint))) { return true }
            let pastEnd = Box(x: field.box.maxX - 2, y: field.box.y - 2, width: 16, height: field.box.height + 4)
            return inkBeyondForm(placed, region: pastEnd, others: otherBoxes(field)) > glyphPixels
        }
        /// Hand-written counts' other likely readings (see `ExtractedField.alternatives`).
        var countAlternatives: [String: [String]] = [:]
        /// The field as written, wherever around its box, read by both engines.
        func readAsWritten(_ field: TemplateField, box crop: Raster?, tesseract: Recognition?, recognizer: HandPrintRecognizer) -> Recognition? {
            let characters = Self.characters(for: field)
            let views = writtenCrop(placed, field: field, others: otherBoxes(field))
            // A count is a glyph or two, read at its own width (see `HandPrintRecognizer.glyphWidth`).
            let modelWidth = field.kind == .count ? HandPrintRecognizer.glyphWidth : HandPrintRecognizer.minimumWidth
            let clearest = Self.clearestView(recognizer, views, characters: Self.handCharacters(for: field), minimumWidth: modelWidth,
                                             pattern: Self.pattern(for: field), plausible: { Self.isPlausible($0, for: field) })
            guard let written = clearest?.view ?? crop else { return tesseract }
            // Words with nothing of a letter's height in their ink (the feet of the writing in the
            // box above, a dash, specks) hold no value: nothing is read, and the box stays the
            // doubt it was (never "4" read off the feet of "LTD.").
            if field.kind == .text {
                let tallest = written.glyphs(threshold: 160, minimumSize: 4).map(\.height).max() ?? 0
                let boxHeight = field.box.height * placement.pixelsPerPoint
                if Self.debugReadings { FileHandle.standardError.write(Data("tallest \(field.key): \(tallest) of \(boxHeight)\n".utf8)) }
                if Double(tallest) < 0.3 * boxHeight { return Recognition(text: "", confidence: 0) }
            }
            var readings = tesseract.map { [$0] } ?? []
            if let reader {
                // One glyph (a count's digit) is read as a character: line mode often reads nothing in it.
                let layout: LineLayout = field.kind == .count && CropCleaning.inkColumnRuns(written) == 1 ? .character : .line
                let r = reader.read(pixels: written.pixels, width: written.width, height: written.height, dpi: Int(dpi), characters: characters, layout: layout)
                readings.append(Recognition(text: r.text.split(whereSeparator: \.isWhitespace).joined(separator: " "), confidence: r.confidence))
            }
            var read = Self.handReading(recognizer, crop: written, tesseract: readings, characters: Self.handCharacters(for: field),
                                        pattern: Self.pattern(for: field), minimumWidth: modelWidth, read: clearest?.reading,
                                        abstainBelow: field.kind == .count ? 0.1 : 0,
                                        glyphs: field.key.hasSuffix("wcb_account_number") ? views : [],
                                        wordSpaces: field.kind == .text && characters == nil && !field.key.hasSuffix("email"),
                                        plausible: { Self.isPlausible($0, for: field) })
            // A count written as one thin upright stroke is a 1, which both engines can miss alone in
            // a box; never sure on its own (the counts' total can confirm it).
            if field.kind == .count, read.text.isEmpty || read.confidence < 0.5, Self.isOneStroke(written) {
                read = Recognition(text: "1", confidence: 0.7)
            }
            // A count of one glyph in doubt: its next likeliest digits, kept in the record for staff
            // (never chosen by the counts' total: that would assume the sum the rules check).
            if field.kind == .count, read.confidence < 0.9, CropCleaning.inkColumnRuns(written) == 1,
               let candidates = try? recognizer.glyphCandidates(CropCleaning.pad(CropCleaning.framed(written), by: 12),
                                                                allowed: Set("0123456789")) {
                countAlternatives[field.key] = candidates.map { String($0.character) }.filter { $0 != read.text }
            }
            if Self.debugReadings { FileHandle.standardError.write(Data("hand \(field.key): \(read.text)=\(read.confidence)\n".utf8)) }
            return read
        }
        var toFinish = printed.map { (field: $0.field, crop: Optional($0.crop), read: Optional($0.read), pageBox: $0.pageBox) }
        if handPrint != nil { toFinish += writtenAround.map { (field: $0.field, crop: nil, read: nil, pageBox: $0.pageBox) } }
        for (field, crop, tesseract, pageBox) in toFinish {
            var read = tesseract ?? Recognition(text: "", confidence: 0)
            var readAround = false
            // Ink carried on past the box's end: what the box holds is cut short ("2026-05-" of a date
            // written on past the border), however sure; the value is read as written, past the box.
            let runsOn = !handFilled && read.confidence >= 0.9 && crop.map { runsPast(field, $0) } == true
            if read.confidence < 0.9 || handFilled || runsOn, let recognizer = handPrint {
                guard let asWritten = readAsWritten(field, box: crop, tesseract: tesseract, recognizer: recognizer) else { continue }
                read = asWritten
                readAround = true
            }
            guard let crop else {
                // Nothing inside the box: the reading is of what was written around it.
                if !read.text.isEmpty {
                    let value = read.text.split(whereSeparator: \.isWhitespace).joined(separator: field.key.hasSuffix("email") ? "" : " ")
                    fields[field.key] = ExtractedField(value: value, raw: read.text, source: .ocr, page: pageNumber, box: pageBox,
                                                       confidence: min(read.confidence, Self.isPlausible(read.text, for: field) ? 1 : 0.5),
                                                       alternatives: countAlternatives[field.key])
                }
                continue
            }
            // Looked for only where it could matter: a reading otherwise sure.
            if !readAround, read.confidence > 0.75, runsOn || (read.confidence < 0.9 && runsPast(field, crop)) { read = Recognition(text: read.text, confidence: 0.75) }
            // OCR that cannot be a value of the field is never sure.
            if !read.text.isEmpty && !Self.isPlausible(read.text, for: field) {
                read = Recognition(text: read.text, confidence: min(read.confidence, 0.5))
            }
            // One letter in a box for words is as likely a speck or a stray stroke (a fax's) read as
            // "I" as it is an answer: never sure.
            if field.kind == .text, read.text.filter({ $0.isLetter || $0.isNumber }).count == 1 {
                read = Recognition(text: read.text, confidence: min(read.confidence, 0.6))
            }
            // An email address never holds a space; a gap between letters is the scan's.
            let separator = field.key.hasSuffix("email") ? "" : " "
            var value = read.text.split(whereSeparator: \.isWhitespace).joined(separator: separator)
            // A choice that differs from the form's only in case, spaces or punctuation is that choice.
            if field.kind == .choice, case let .value(choice) = Normalize.choice(value, among: field.choices ?? []),
               choice.lowercased().filter(\.isLetter) == value.lowercased().filter(\.isLetter) {
                value = choice
                // Spelt as one of the form's few choices, letter for letter: no surer reading of it
                // a letter or two off (below) is surer than this.
                if read.confidence >= 0.3 { read = Recognition(text: read.text, confidence: max(read.confidence, 0.9)) }
            } else if field.kind == .choice, let near = Normalize.nearestChoice(value, among: field.choices ?? []),
                      near.similarity >= 0.75, near.margin >= 0.25, read.confidence >= 0.3 {
                // The form's choices are few and far apart: a reading a letter or two from one of them,
                // and far from every other, is that one (the letters in doubt cannot make another).
                value = near.choice
                read = Recognition(text: read.text, confidence: max(read.confidence, 0.9))
            }
            // A month's name a letter or two out is that month; the reading stays as sure as it was.
            if field.kind == .date, !Self.isPlausible(value, for: field), let fixed = Normalize.monthNamePutRight(value),
               Self.isPlausible(fixed, for: field) {
                value = fixed
            }
            // A place or a province a letter or two from exactly one the office knows is that one,
            // spelt as it is known ("Resina" is Regina, "Sas ka toon" Saskatoon); no surer than it was read.
            if field.key == "city", let places = field.places.flatMap(Places.named) {
                if let known = places.place(value) {
                    value = Normalize.inCase(of: value, known)
                } else if let near = places.nearEnough(value) {
                    value = Normalize.inCase(of: value, near.name)
                    read = Recognition(text: read.text, confidence: min(read.confidence, 0.75))
                }
            }
            // An address's place put right the same way, its province's code after it.
            if let places = field.addressIn.flatMap(Places.named), let fixed = places.addressPutRight(value) {
                value = fixed.address
                if fixed.edited { read = Recognition(text: read.text, confidence: min(read.confidence, 0.75)) }
            }
            // A title's or a position's words a letter off: the words people write there.
            // A company named for its town, the town's name a letter off; never when read surely.
            if let places = field.placeWords.flatMap(Places.named), read.confidence < 0.9, let fixed = places.wordsPutRight(value) {
                value = fixed
                read = Recognition(text: read.text, confidence: min(read.confidence, 0.75))
            }
            // A given name read surely is that name, listed or not (people have names no list has).
            if let vocabulary = field.words.flatMap(Vocabulary.named), !(vocabulary.firstWordOnly && read.confidence >= 0.9),
               let fixed = vocabulary.putRight(value) {
                value = fixed
                read = Recognition(text: read.text, confidence: min(read.confidence, 0.75))
            }
            if field.key == "province", let fixed = Normalize.provinceNamePutRight(value) {
                value = fixed
                read = Recognition(text: read.text, confidence: min(read.confidence, 0.75))
            }
            // A two-letter province code is capitals; OCR's "Sk" is the scan's.
            if field.key == "province", value.count == 2, value.allSatisfy(\.isLetter) { value = value.uppercased() }
            fields[field.key] = ExtractedField(value: value, raw: read.text, source: .ocr, page: pageNumber, box: pageBox,
                                               confidence: value.isEmpty ? 0 : read.confidence, alternatives: countAlternatives[field.key])
        }
        // An email address read off paper, put right by the names the page holds (read well
        // enough to be told apart): a guess for staff to confirm, never surer than before.
        func named(_ keys: [String]) -> [String] { keys.compactMap { fields[$0] }.filter { $0.confidence >= 0.7 }.map(\.value) }
        for key in ["email", "trainee_email"] {
            guard let f = fields[key], f.source == .ocr, f.confidence < 0.9,
                  let fixed = Normalize.emailPutRight(f.value, people: named(key == "email" ? ["signer_name"] : ["trainee_name"]),
                                                      companies: named(["company_legal_name", "company_operating_name"]))
            else { continue }
            fields[key] = ExtractedField(value: fixed, raw: f.raw, source: .ocr, page: f.page, box: f.box, confidence: min(f.confidence, 0.75))
        }
        // A company's legal form read a letter off is the form it can only be: a guess for staff,
        // and never sure (a reading with a mark inside its last word was not sure of it either).
        if let f = fields["company_legal_name"], f.source == .ocr, let fixed = Normalize.legalFormPutRight(f.value),
           f.confidence < 0.9 || f.value.split(separator: " ").last.map({ $0.dropLast($0.hasSuffix(".") ? 1 : 0).contains { !$0.isLetter } }) == true {
            fields["company_legal_name"] = ExtractedField(value: fixed, raw: f.raw, source: .ocr, page: f.page, box: f.box,
                                                          confidence: min(f.confidence, 0.75))
        }
        return (fields, problems, handFilled)
    }

    /// Whether the crop's ink is one upright stroke, much taller than wide: a hand-written 1.
    static func isOneStroke(_ crop: Raster) -> Bool {
        let trimmed = CropCleaning.trimmed(crop, margin: 0)
        guard CropCleaning.inkColumnRuns(trimmed) == 1, trimmed.height >= 12 else { return false }
        return Double(trimmed.width) <= 0.4 * Double(trimmed.height)
    }

    /// A tick box's ink: twice the threshold is a mark for sure, a third of it sure empty.
    static func tickConfidence(_ fraction: Double, threshold: Double) -> Double {
        MarkReading.confidence(fraction, threshold: threshold, span: 1)
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
        case (.percent, _): return valid(Normalize.percent(text))
        case (_, "secor_certificate_number"): return valid(Normalize.certificateNumber(text))
        case (.date, _): return valid(Normalize.date(text))
        case (.choice, _): return valid(Normalize.choice(text, among: field.choices ?? []))
        case (_, "postal_code"): return valid(Normalize.postalCode(text))
        case (_, "wcb_account_number"): return valid(Normalize.wcbAccount(text))
        // A trainee with no other account: "N/A" is what people write there.
        case (_, "trainee_other_account_number"): return valid(Normalize.wcbAccount(text)) || Normalize.isNotApplicable(text)
        case (_, "phone"):
            // The shapes people write a number in: (306) 555-0142, 306-555-0142, 306.555.0142, +1 306 555 0142.
            return text.range(of: #"^(\+?1[ .-]?)?(\(\d{3}\) ?|\d{3}[ .-]?)\d{3}[ .-]?\d{4}$"#, options: .regularExpression) != nil
        case (_, "province"): return valid(Normalize.province(text))
        // A city people write is a place; "MOOSF TAW" is the scan's (read sure on the mail samples).
        case (_, "city"):
            let places = field.places.flatMap(Places.named)
            return isWrittenText(text) && (places.map { $0.isEmpty || $0.contains(text) } ?? true)
        case (_, "email"), (_, "trainee_email"):
            // Read off paper, a letter outside ASCII in an address is far likelier the scan's than the applicant's.
            let compact = text.filter { !$0.isWhitespace }
            return compact.allSatisfy(\.isASCII) && valid(Normalize.email(compact))
        default: return isWrittenText(text)
        }
    }

    /// Punctuation people write in names, addresses and titles.
    static let writtenPunctuation = Set(".,'’‘-–#/&()@:;!?\"“”")

    /// Whether free text holds only what people write in a name, address or title: letters
    /// (accented too), digits, spaces and common punctuation. A "€", "|" or "*" is the scan's.
    static func isWrittenText(_ text: String) -> Bool {
        text.allSatisfy { $0.isLetter || ("0"..."9").contains($0) || $0 == " " || writtenPunctuation.contains($0) }
    }

    /// What PP-OCR may read in a field: tesseract's set, and for an email address the characters
    /// one is made of (no space, no "<" or "!": a hand's slips, read as marks).
    static func handCharacters(for field: TemplateField) -> String? {
        if field.key.hasSuffix("email") {
            return "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@.-_'+"
        }
        return characters(for: field) ?? writtenCharacters
    }

    /// What people write in a name, an address or a title on a Canadian form: Latin letters,
    /// accented too, digits and their punctuation. PP-OCR's dictionary also holds Chinese,
    /// Japanese and other scripts, which it reads in an empty box's specks ("コ").
    static let writtenCharacters: String = {
        let latin = (0x41...0x5A).map { Character(UnicodeScalar($0)!) } + (0x61...0x7A).map { Character(UnicodeScalar($0)!) }
        let accented = (0xC0...0xFF).filter { $0 != 0xD7 && $0 != 0xF7 }.map { Character(UnicodeScalar($0)!) }
        return String(latin + accented) + "0123456789 " + String(writtenPunctuation)
    }()

    /// What tesseract may read in a field: fewer choices, fewer mistakes.
    static func characters(for field: TemplateField) -> String? {
        let digits = "0123456789"
        switch (field.kind, field.key) {
        case (.count, _): return digits
        case (.percent, _): return digits + ".,% "
        case (_, "secor_certificate_number"): return "ABab" + digits + " -"
        case (_, "wcb_account_number"): return digits + " -"
        case (_, "trainee_other_account_number"): return digits + " -NA/"
        case (_, "phone"): return digits + "()-. +"
        case (_, "postal_code"): return "ABCEGHJKLMNPRSTVWXYZ" + digits + " "
        case (_, "province"): return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz. "
        case (.date, _):
            // Digits, the letters of the months' names, and what people put between them.
            let months = "January February March April May June July August September October November December Sept"
            let letters = Set(months.filter(\.isLetter).lowercased() + months.filter(\.isLetter).uppercased())
            return digits + String(letters.sorted()) + " -/.,"
        default: return nil
        }
    }

    /// Readings compared without a speck taken for a mark at either end (‘Casey, 2026-04-13,,
    /// Partner)): quotes, bars, commas, colons and brackets that close nothing or open nothing.
    /// A full stop stays: "Ltd." and "Ltd" are two readings.
    static func comparable(_ text: String) -> String {
        var t = Substring(text)
        let specks: Set<Character> = ["‘", "’", "'", "\"", "“", "”", "`", "|", ",", ";", ":", "!", "_"]
        while let c = t.first, c.isWhitespace || specks.contains(c) || (c == "(" && !t.contains(")")) || c == ")" { t = t.dropFirst() }
        while let c = t.last, c.isWhitespace || specks.contains(c) || (c == ")" && !t.contains("(")) || c == "(" { t = t.dropLast() }
        return String(t)
    }

    /// A field tesseract could not read surely (or any field of a hand-filled page), read as hand
    /// print by PP-OCR. A reading is sure only when the two engines agree on it.
    /// The shapes a field's value takes, where it has one: a hand-print reading that fits none is
    /// read again through them (see `CharacterPattern`).
    static func pattern(for field: TemplateField) -> CharacterPattern? {
        switch (field.kind, field.key) {
        case (.date, _): datePattern
        case (_, "wcb_account_number"), (_, "declaration_wcb_account_number"): accountPattern
        case (_, "postal_code"): postalCodePattern
        default: nil
        }
    }

    static let digits = Set("0123456789"), space: Set<Character> = [" "]
    /// "16 Jan 2026", "9 SEPTEMBER 2026", "MARCH 15, 2026", "2026-04-26", "26/04/2026".
    static let datePattern: CharacterPattern = {
        let names = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
                     "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec"]
        let months = names + names.map { $0.uppercased() } + names.map { $0.lowercased() }
        let day = CharacterPattern.Part.repeated(digits, min: 1, max: 2), year = CharacterPattern.Part.repeated(digits, min: 4, max: 4)
        let gap = CharacterPattern.Part.optional(space)
        return CharacterPattern(anyOf: [
            CharacterPattern([day, gap, .optional(Set("-/.")), gap, .words(months), .optional(["."]), gap, .optional(Set("-/,")), gap, year]),
            CharacterPattern([.words(months), .optional(["."]), gap, day, .optional([",", "."]), gap, year]),
            CharacterPattern([year, gap, .one(Set("-/.")), gap, day, gap, .one(Set("-/.")), gap, day]),
            CharacterPattern([day, gap, .one(Set("-/.")), gap, day, gap, .one(Set("-/.")), gap, year]),
        ])
    }()
    /// Seven digits, sometimes grouped 3 and 4.
    static let accountPattern = CharacterPattern([.repeated(digits, min: 3, max: 3), .optional(Set(" -")), .repeated(digits, min: 4, max: 4)])
    /// "S4P 3Y2".
    static let postalCodePattern: CharacterPattern = {
        let letters = Set("ABCEGHJKLMNPRSTVWXYZ")
        return CharacterPattern([.one(letters), .one(digits), .one(letters), .optional(space), .one(digits), .one(letters), .one(digits)])
    }()

    /// Whether a page is filled by hand, by the boxes of print tesseract was unsure of (on typed
    /// scans, none): two, or one on a later page of a document already hand-filled or on a page of
    /// six boxes or fewer (a declaration's). `boxes` is nil while the page is still being read: then
    /// only what its count cannot change.
    static func isHandFilled(unsure: Int, handWritten: Bool, boxes: Int?) -> Bool {
        unsure >= 2 || (unsure >= 1 && (handWritten || (boxes.map { $0 <= 6 } ?? false)))
    }

    /// PP-OCR's reading of a field's writing (`crop`), confirmed by tesseract's `tesseract` readings
    /// or glyph by glyph, else a guess for staff.
    static func handReading(_ recognizer: HandPrintRecognizer, crop: Raster, tesseract: [Recognition], characters: String?,
                            pattern: CharacterPattern? = nil, minimumWidth: Int = HandPrintRecognizer.minimumWidth,
                            read already: HandReading? = nil, abstainBelow: Double = 0, glyphs: [Raster] = [], wordSpaces: Bool = false,
                            plausible: (String) -> Bool) -> Recognition {
        let allowed = characters.map { Set($0) }
        let grey = CropCleaning.pad(CropCleaning.framed(crop), by: 12)
        let best = tesseract.max { $0.confidence < $1.confidence } ?? Recognition(text: "", confidence: 0)
        // PP-OCR's reading of this crop, as `clearestView` made it choosing the view, or made here.
        let firstRead = already ?? (try? recognizer.read(grey, allowed: allowed, minimumWidth: minimumWidth))
        if Self.debugReadings {
            FileHandle.standardError.write(Data("pp-ocr: \(firstRead.map { "\($0.text) \($0.characterProbabilities.map { String(format: "%.2f", $0) })" } ?? "failed")\n".utf8))
        }
        // PP-OCR reading nothing abstains; so does a reading of one glyph it all but did not see
        // (a faint 6 read "5" at 0.03), where tesseract reads glyphs alone well, and one it is
        // unsure of where tesseract is sure of another (a 2 on the box's border read "5" at 0.16,
        // "2" at 0.96). What PP-OCR read otherwise leaves tesseract's reading a guess.
        let abstain = abstainBelow > 0 && best.confidence >= 0.9 ? max(abstainBelow, 0.5) : abstainBelow
        guard var first = firstRead, !first.text.isEmpty, first.minimum >= abstain || best.text.isEmpty else {
            guard let other = firstRead, !other.text.isEmpty, comparable(other.text) != comparable(best.text) else { return best }
            return Recognition(text: best.text, confidence: min(best.confidence, 0.75))
        }
        // A reading that cannot be the field's value, where the field has a shape: the best reading
        // of that shape instead (a year's unsure last digit kept, "2C2" read as a year). Alone it is
        // still PP-OCR's reading, never sure.
        if let pattern, !plausible(comparable(first.text)), let fitting = try? recognizer.read(grey, pattern: pattern, minimumWidth: minimumWidth),
           !fitting.text.isEmpty, plausible(fitting.text) {
            if Self.debugReadings { FileHandle.standardError.write(Data("pp-ocr by pattern: \(fitting.text)\n".utf8)) }
            first = fitting
        }
        let text = comparable(wordSpaces ? spacedByInk(first, crop: grey) : first.text)
        let fits = plausible(text)
        // Where the field has a shape, readings that differ only in their spaces are one value
        // ("352 837 0" and "3528370" are one account; the gaps are the hand's).
        func same(_ other: String) -> Bool {
            let a = comparable(other)
            return a == text || (pattern != nil && a.filter { !$0.isWhitespace } == text.filter { !$0.isWhitespace })
        }
        if let agreeing = tesseract.filter({ !$0.text.isEmpty && same($0.text) }).max(by: { $0.confidence < $1.confidence }) {
            // Two engines, one reading; unless tesseract was as sure of another on some view.
            let sure = 1 - (1 - max(agreeing.confidence, 0.4)) * (1 - first.minimum)
            let dissent = tesseract.contains { $0.confidence >= 0.9 && !$0.text.isEmpty && !same($0.text) }
            return Recognition(text: text, confidence: fits && !dissent ? min(0.99, sure) : min(sure, dissent ? 0.75 : 0.5))
        }
        if Self.debugReadings {
            FileHandle.standardError.write(Data("hand reading: \(first.text)=\(first.minimum) tesseract \(tesseract.map { "\($0.text)=\($0.confidence)" })\n".utf8))
        }
        // Digits written apart, read again one by one: the second reading that can confirm PP-OCR's.
        let digits = text.filter { !$0.isWhitespace && $0 != "-" }
        if let apart = glyphs.last, fits, let allowed,
           let glyphs = glyphByGlyph(recognizer, crop: apart, also: glyphs.dropLast(), digits: digits, allowed: allowed.subtracting([" ", "-"])) {
            let agrees = glyphs.text == digits
            if Self.debugReadings {
                FileHandle.standardError.write(Data("glyph by glyph: \(glyphs.text) \(glyphs.characterProbabilities.map { String(format: "%.2f", $0) }) \(agrees ? "agrees" : "differs")\n".utf8))
            }
            if agrees {
                let sure = 1 - (1 - glyphs.minimum) * (1 - first.minimum)
                return Recognition(text: text, confidence: min(0.99, sure))
            }
        }
        // Alone, PP-OCR's reading is the best guess for staff, never sure: it is sure of most of its
        // wrong readings, and a second view through the same model agrees on them too (a written 0
        // read 6 in both at 0.999 on the mail samples).
        return Recognition(text: text, confidence: min(0.75, first.minimum))
    }

    /// The crop read a glyph at a time: each glyph (its own ink, see `Raster.glyphs`) cut out and
    /// read alone at a glyph's width, as a count's digit is. The same ink read without the line's
    /// context, where PP-OCR's slips are merges, drops and a neighbour's shape. Where the ink does
    /// not come apart into `digits.count` glyphs (digits that touch, a faint one lost), it is cut
    /// where PP-OCR's reading of this crop puts each character, when that reading is `digits`
    /// (`Raster.glyphColumns`): each piece is still read alone, so a character misread in the line
    /// is read again from its own ink. Nil where neither way finds the glyphs, or one reads as no
    /// character or as more than one. A glyph read unsurely is read again in the same columns of the
    /// other views (`also`, the same size: the line under the writing kept), and the surer reading
    /// kept: a stroke drawn along the line (a 4's bar) went with it from `crop`.
    static func glyphByGlyph(_ recognizer: HandPrintRecognizer, crop: Raster, also others: [Raster] = [], digits: String,
                             allowed: Set<Character>) -> HandReading? {
        let count = digits.count
        let minimumSize = max(8, crop.height / 4)
        var columns = crop.glyphs(count: count, minimumSize: minimumSize).map { $0.x0...$0.x1 }
        if columns.count != count, let line = try? recognizer.read(crop, allowed: allowed.union([" ", "-"])),
           line.positions.count == line.text.count {
            let read = zip(line.text, line.positions).filter { allowed.contains($0.0) }
            if String(read.map(\.0)) == digits {
                // A faint glyph lost at the usual threshold is found at a lighter one.
                columns = [160, 200].lazy.compactMap { crop.glyphColumns(at: read.map(\.1), threshold: $0, minimumSize: minimumSize) }.first ?? []
            }
            if Self.debugReadings { FileHandle.standardError.write(Data("glyphs where read \(line.text) at \(line.positions.map { Int($0) }): \(columns)\n".utf8)) }
        }
        if Self.debugReadings { FileHandle.standardError.write(Data("glyphs: \(columns)\n".utf8)) }
        guard columns.count == count else { return nil }
        var text = "", probabilities: [Double] = []
        for (i, glyph) in columns.enumerated() {
            // Its columns, to halfway to its neighbours (a few pixels at most): a faint digit's
            // strokes broken apart are all of it, not only its largest piece.
            let left = i > 0 ? max(glyph.lowerBound - 3, (columns[i - 1].upperBound + glyph.lowerBound + 1) / 2) : glyph.lowerBound - 3
            let right = i + 1 < columns.count ? min(glyph.upperBound + 3, (glyph.upperBound + columns[i + 1].lowerBound) / 2) : glyph.upperBound + 3
            func reading(_ view: Raster) -> HandReading? {
                let cut = view.cutOut(columns: left...right, margin: 12)
                dump(cut, as: "glyph-\(view.width)-\(glyph.lowerBound)")
                return try? recognizer.read(cut, allowed: allowed, minimumWidth: HandPrintRecognizer.glyphWidth)
            }
            var read = reading(crop)
            for view in others where view.width == crop.width && view.height == crop.height && (read?.minimum ?? 0) < 0.9 {
                if let again = reading(view), again.text.count == 1, again.minimum > read?.minimum ?? 0 { read = again }
            }
            if Self.debugReadings { FileHandle.standardError.write(Data("glyph \(glyph): \(read?.text ?? "-") \(read?.characterProbabilities ?? [])\n".utf8)) }
            guard let read, read.text.count == 1 else { return nil }
            text += read.text
            probabilities += read.characterProbabilities
        }
        return HandReading(text: text, characterProbabilities: probabilities)
    }

    /// `reading` with a space put where the ink has a word's gap and PP-OCR read none ("1348 8TH ST E"
    /// read "13488THSTE"). A gap between words is a run of paper columns at least twice the line's
    /// usual gap and half the ink's height; it goes between the two characters read either
    /// side of it (nearest to the middle between them), unless a space was read there.
    static func spacedByInk(_ reading: HandReading, crop: Raster) -> String {
        let characters = Array(reading.text)
        guard characters.count >= 3, reading.positions.count == characters.count else { return reading.text }
        let spans = CropCleaning.inkColumnSpans(crop, below: 160)
        guard spans.count >= 3 else { return reading.text }
        var top = crop.height, bottom = -1
        for y in 0..<crop.height where spans.contains(where: { $0.contains { crop[$0, y] < 160 } }) {
            top = min(top, y); bottom = max(bottom, y)
        }
        let gaps = zip(spans, spans.dropFirst()).map { (from: $0.upperBound, to: $1.lowerBound) }
        let usual = gaps.map { $0.to - $0.from }.sorted()[gaps.count / 2]
        let height = bottom - top + 1
        var spaceBefore = Set<Int>()
        for gap in gaps where gap.to - gap.from >= max(2 * usual, height / 2, 2) {
            let middle = Double(gap.from + gap.to) / 2
            // The two characters either side: the last read before the gap's middle and the next.
            guard let after = characters.indices.first(where: { reading.positions[$0] > middle }), after > 0 else { continue }
            if characters[after].isWhitespace || characters[after - 1].isWhitespace { continue }
            spaceBefore.insert(after)
            if debugReadings { FileHandle.standardError.write(Data("space before \(after) in \(reading.text): gap \(gap.to - gap.from), usual \(usual), height \(height)\n".utf8)) }
        }
        var text = ""
        for (i, c) in characters.enumerated() {
            if spaceBefore.contains(i) { text.append(" ") }
            text.append(c)
        }
        return text
    }

    /// Of several views of one field's ink, the one PP-OCR reads most surely (by its least sure
    /// character): the line under writing kept or taken out, whichever leaves the letters whole.
    /// With it, PP-OCR's reading of it (trimmed and padded as `handReading` reads it), so that it is
    /// not read again; nil where there was one view and nothing to choose. A reading that can be the
    /// field's value (`plausible`) wins over one that cannot, however sure: a phone written on the
    /// line above its box, the line taken out with half of each digit, reads "31-55-54" at 0.53; with
    /// the line kept, "306-555-5014" at 0.45.
    static func clearestView(_ recognizer: HandPrintRecognizer, _ views: [Raster], characters: String?,
                             minimumWidth: Int = HandPrintRecognizer.minimumWidth, pattern: CharacterPattern? = nil,
                             plausible: (String) -> Bool = { _ in true }) -> (view: Raster, reading: HandReading?)? {
        guard views.count > 1 else { return views.first.map { ($0, nil) } }
        let allowed = characters.map { Set($0) }
        var scored: [(view: Raster, grey: Raster, reading: HandReading?, score: Double)] = []
        for view in views {
            let grey = CropCleaning.pad(CropCleaning.framed(view), by: 12)
            let reading = try? recognizer.read(grey, allowed: allowed, minimumWidth: minimumWidth)
            let fits = reading.map { !$0.text.isEmpty && plausible(comparable($0.text)) } ?? false
            scored.append((view, grey, reading, (reading.map { $0.text.isEmpty ? 0 : $0.minimum } ?? 0) + (fits ? 1 : 0)))
            // A view read all but surely, as a value the field can hold, leaves nothing for another to win.
            if scored.last!.score >= 1.98 { break }
        }
        // Where no view reads as a value the field can hold, one whose best reading of the field's
        // shape (`pattern`) can be wins, the surest such: the line kept under a date written on it
        // reads "16San 2O26", which that shape reads "16Jan 2026"; the view without it, "!....?017"
        // and "1.2.0171".
        if let pattern, !scored.contains(where: { $0.score >= 1 }) {
            for i in scored.indices {
                let fitting = try? recognizer.read(scored[i].grey, pattern: pattern, minimumWidth: minimumWidth)
                if debugReadings {
                    FileHandle.standardError.write(Data("view \(i): \(scored[i].reading?.text ?? "-"), by the field's shape \(fitting?.text ?? "-")\n".utf8))
                }
                guard let fitting, !fitting.text.isEmpty, plausible(fitting.text) else { continue }
                scored[i].score = 1 + fitting.minimum / 2
            }
        }
        // The first view wins ties.
        let best = scored.reduce(scored[0]) { $1.score > $0.score ? $1 : $0 }
        return (best.view, best.reading)
    }

    /// Reads a crop; a weak reading is read again independently (another segmentation, a
    /// binarized image). Readings that agree confirm each other; one that stands alone keeps
    /// its own, lower, confidence. The text most readings agree on wins. `views`: at most this many
    /// readings (one: the first view's alone, never sure).
    static func confirmedReading(_ reader: LineReader, crop: Raster, dpi: Int, characters: String?, views: Int = .max,
                                 plausible: (String) -> Bool = { _ in true }) -> Recognition {
        let grey = CropCleaning.pad(CropCleaning.trimmed(crop), by: 12)
        func read(_ r: Raster, _ layout: LineLayout) -> Recognition {
            let raw = reader.read(pixels: r.pixels, width: r.width, height: r.height, dpi: dpi, characters: characters, layout: layout)
            return Recognition(text: raw.text.split(whereSeparator: \.isWhitespace).joined(separator: " "), confidence: raw.confidence)
        }
        // One reading is never sure on its own, however tesseract scores it: on hand print it is
        // often sure and wrong. Independent readings of other views that agree are what make it sure.
        let first = read(grey, .line)
        var readings = [first]
        // Other views of the same ink, each made only when a reading needs it.
        enum View { case grey, binary, thick, enlarged }
        lazy var binary: Raster = {
            CropCleaning.binarized(grey, threshold: CropCleaning.otsuThreshold(grey))
        }()
        // Thickened strokes: Courier's hairlines defeat tesseract's LSTM in some glyphs ("9").
        lazy var thick = CropCleaning.thickened(grey)
        lazy var big = CropCleaning.enlarged(grey, by: 1.5)
        // One glyph (a count's "3", no wider than high): tesseract's line and word modes often read
        // nothing in it, so its single-character readings come first (a thin "1" is read in the
        // binarized and enlarged views instead).
        let trimmedWidth = grey.width - 24, trimmedHeight = grey.height - 24
        let oneGlyph = trimmedWidth <= trimmedHeight && CropCleaning.inkColumnRuns(grey) == 1
        let attempts: [(View, LineLayout)] = oneGlyph
            ? [(.thick, .character), (.grey, .character), (.binary, .line), (.enlarged, .line), (.grey, .word), (.thick, .line), (.binary, .word)]
            : [(.grey, .word), (.thick, .line), (.binary, .line), (.enlarged, .line), (.binary, .word), (.thick, .character), (.grey, .character)]
        func leader() -> (text: String, confidence: Double)? {
            // Readings that cannot be a value of the field do not count when some can.
            let candidates = readings.filter { !$0.text.isEmpty }
            let fitting = candidates.filter { plausible($0.text) }
            let groups = Dictionary(grouping: fitting.isEmpty ? candidates : fitting) { Self.comparable($0.text) }
            guard let best = groups.max(by: { a, b in
                (a.value.count, a.value.map(\.confidence).max() ?? 0) < (b.value.count, b.value.map(\.confidence).max() ?? 0)
            }) else { return nil }
            // The group's value without the specks its readings picked up.
            let text = best.key
            if best.value.count == 1 { return (text, min(best.value[0].confidence, 0.75)) }
            // Independent readings that agree are evidence even when tesseract scores them low;
            // a dissenting reading about as sure as any of them is doubt, and so is a winner the
            // first and best view (the whole crop, one line) does not share: other views can agree
            // on a wrong reading.
            let doubt = best.value.reduce(1.0) { $0 * (1 - max($1.confidence, 0.4)) }
            let strongest = best.value.map(\.confidence).max() ?? 0
            let dissent = groups.filter { $0.key != best.key }.flatMap(\.value).contains { $0.confidence >= min(strongest, 0.85) }
            let primary = readings[0]
            let overruled = primary.confidence >= 0.9 && plausible(primary.text) && Self.comparable(primary.text) != best.key
            let sure = min(0.99, 1 - doubt)
            // Views of one crop through one engine are not independent: two or three that agree make
            // a reading sure only when one of them was nearly sure of it on its own.
            let weak = strongest < 0.85 && best.value.count < 4
            return (text, dissent || overruled || weak ? min(sure, 0.75) : sure)
        }
        for (view, layout) in attempts.prefix(max(0, views - 1)) {
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

    /// Developers' switches, read once: SECOR_OCR_DEBUG prints every reading, SECOR_OCR_DUMP=DIR saves the crops.
    static let debugReadings = ProcessInfo.processInfo.environment["SECOR_OCR_DEBUG"] != nil
    static let dumpFolder = ProcessInfo.processInfo.environment["SECOR_OCR_DUMP"]

    /// Writes `image` as `<SECOR_OCR_DUMP>/<name>.pgm` when that switch is set.
    static func dump(_ image: Raster, as name: String) {
        guard let folder = dumpFolder else { return }
        try? image.pgm.write(to: URL(fileURLWithPath: "\(folder)/\(name).pgm"))
    }
}
