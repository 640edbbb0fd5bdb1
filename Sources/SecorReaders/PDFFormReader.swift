import Foundation
import Poppler
import SecorCore
import Imaging

/// Reads the office's PDF forms (fill, flat and print flavors) into fields.
///
/// Every field is looked for in its box on the blank form's template, shifted by
/// however far the page's printed labels sit from the blank's. AcroForm values
/// win where the form was filled in a viewer; otherwise the text layer is read by
/// position, and ticks and the signature by measuring ink in their boxes.
public struct PDFFormReader: Sendable {
    public let templates: FormTemplates
    /// Reads image-only pages; without it scans are reported as needing OCR.
    public let scans: ScanReader?
    /// Pixels per point when measuring ink (2 = 144 dpi).
    public var inkScale: Double = 2
    /// A tick box counts as ticked when this share of its inside is dark.
    public var tickInkThreshold: Double = 0.06
    /// The signature box counts as signed when this share of it is dark.
    public var signatureInkThreshold: Double = 0.004
    public var maxPages: Int = 20
    /// Ink is measured in the middle of a tick box only: radio circles and box borders
    /// are drawn within 2 points of the edge, a tick or dot always crosses the middle.
    static let markInset = 3.0

    /// Where ink is measured on any page of any form, at no offset and with room for a small one:
    /// rendered before a page's text is read (see `InkReader.prime`).
    let inkAreas: [Box]
    /// Pages are rendered before their text is read only in files this small per page; a scan's
    /// page image is slow to decode, and its text layer (empty) is cheap, so scans are not.
    public var primeBytesPerPage = 100_000

    public init(templates: FormTemplates, scans: ScanReader? = nil) {
        self.templates = templates
        self.scans = scans
        self.inkAreas = templates.all.flatMap { template in
            template.fields.flatMap { field -> [Box] in
                switch field.kind {
                case .yesNo: (field.options ?? [:]).values.map { $0.insetBy(Self.markInset) }
                case .tick: [field.box.insetBy(Self.markInset)]
                case .ink: [Self.signatureArea(field, box: field.box, offset: .zero)]
                default: []
                }
            }.map { $0.insetBy(-Self.primeMargin) }
        }
    }

    /// How far (points) a page may sit from the blank form and still have its ink measured in
    /// the render made before its text was read.
    static let primeMargin = 4.0

    public func read(_ file: InputFile) -> ReadFile {
        let document: PDFDocument
        do {
            document = try PDFDocument(data: file.data)
        } catch {
            return .unreadable(file, format: .pdf, Self.diagnostic(for: error))
        }
        // A letter or marked copy the office wrote, sent back in (a copy dropped in the inbox,
        // a rejected folder processed again): not an applicant's document.
        if document.creator == Office.outputCreator {
            return .unreadable(file, format: .pdf, pageCount: document.pageCount, Diagnostic(.reject, code: "office-output",
                "this PDF is one the office wrote (a letter or a marked copy of an applicant's form), not a document an applicant sent"))
        }
        let pageCount = document.pageCount
        guard pageCount > 0 else {
            return .unreadable(file, format: .pdf, Diagnostic(.unreadable, code: "pdf-no-pages", "the PDF has no pages"))
        }
        guard pageCount <= maxPages else {
            return .unreadable(file, format: .pdf, pageCount: pageCount,
                               Diagnostic(.unreadable, code: "too-many-pages", "the PDF has \(pageCount) pages; the limit is \(maxPages)"))
        }

        var pages: [PageReading] = []
        var prime = file.data.count / pageCount <= primeBytesPerPage
        for index in 0..<pageCount {
            guard let page = document.page(at: index) else { continue }
            let ink = InkReader(page: page, scale: inkScale)
            if prime { ink.prime(inkAreas) }
            let reading = PageReading(index: index, page: page, ink: ink, templates: templates, scans: scans)
            // A page with no text is a scan, and so are probably the rest: not worth rendering ahead.
            if reading.layer.isEmpty { prime = false }
            pages.append(reading)
        }

        // Found by fuzzing: a damaged page tree can list pages that cannot be loaded.
        guard !pages.isEmpty else {
            return .unreadable(file, format: .pdf, pageCount: pageCount, Diagnostic(.unreadable, code: "pdf-damaged",
                "the PDF is damaged: none of its \(pageCount) page(s) can be opened"))
        }
        // Blank pages (duplex backs) are in no document; pages that are none of the forms' pages
        // are documents of their own (a cover letter), and may be a form's page we could not read.
        let groups = Self.group(pages.filter { !$0.isBlank })
        guard !groups.isEmpty else {
            return ReadFile(file: file, format: .pdf, pageCount: pageCount, documents: [], reasons: [
                Diagnostic(.review, code: "blank-pages", "every page of the file is blank; staff will look at it")])
        }
        let unread = pages.filter(\.isUnreadImage).map { $0.index + 1 }
        var documents: [ExtractedDocument] = []
        for group in groups {
            documents.append(extract(group, file: file, unreadPages: unread))
        }
        // Blank pages are listed, as pages in no form, so the record shows every page that came.
        for page in pages where page.isBlank {
            documents.append(ExtractedDocument(kind: .unknown, flavor: .scan, pages: [page.index + 1], reasons: [
                Diagnostic(.note, code: "blank-page", "page \(page.index + 1) is blank (the back of a page scanned duplex)")]))
        }
        return ReadFile(file: file, format: .pdf, pageCount: pageCount, documents: documents)
    }

    // MARK: - Classification

    /// A group of consecutive pages that make one document.
    struct PageGroup {
        var kind: DocumentKind
        var pages: [PageReading]
    }

    /// Splits the file's pages into documents: a page that carries a form's title (or
    /// its AcroForm fields) starts one; a following page without a title continues it.
    static func group(_ pages: [PageReading]) -> [PageGroup] {
        var groups: [PageGroup] = []
        for page in pages {
            if let placed = page.placed, placed.templatePage > 1 {
                // A later page of a scanned form continues the form it follows, or starts one short of its first page.
                if let last = groups.last, last.kind == placed.kind, last.pages.count == placed.templatePage - 1 {
                    groups[groups.count - 1].pages.append(page)
                } else {
                    groups.append(PageGroup(kind: placed.kind, pages: [page]))
                }
            } else if let kind = page.startsForm {
                groups.append(PageGroup(kind: kind, pages: [page]))
            } else if page.isUnreadImage {
                // A scanned page we could not tell for a form's page never continues a form as if it
                // were a text page with nothing on it: it is a document of its own.
                groups.append(PageGroup(kind: .unknown, pages: [page]))
            } else if let last = groups.last, last.kind != .unknown,
                      let template = page.templates.template(for: last.kind), last.pages.count < template.pages {
                groups[groups.count - 1].pages.append(page)
            } else if let last = groups.last, last.kind == .unknown {
                groups[groups.count - 1].pages.append(page)
            } else {
                groups.append(PageGroup(kind: .unknown, pages: [page]))
            }
        }
        return groups
    }

    // MARK: - Extraction

    /// One document's fields. `unreadPages` are the file's pages that could not be told for any
    /// form's page: a page this document lacks may be among them, so its fields are not read,
    /// never blank.
    func extract(_ group: PageGroup, file: InputFile, unreadPages: [Int] = []) -> ExtractedDocument {
        let pageNumbers = group.pages.map { $0.index + 1 }
        guard let template = templates.template(for: group.kind) else {
            return unknownDocument(group, pageNumbers: pageNumbers)
        }
        var fields: [String: ExtractedField] = [:]
        var reasons: [Diagnostic] = []
        var usedAcroForm = false
        var sawTypedTick = false
        var scanned = false
        var handWritten = false
        for (position, reading) in group.pages.enumerated() {
            let templatePage = reading.placed?.templatePage ?? position + 1
            let pageNumber = reading.index + 1
            if let placed = reading.placed, let scans {
                let (read, problems, handFilled) = scans.readFields(placed, template: template, pageNumber: pageNumber, handWritten: handWritten)
                handWritten = handWritten || handFilled
                fields.merge(read) { _, new in new }
                reasons += problems.map { d in
                    var d = d
                    d.location.file = file.path
                    return d
                }
                scanned = true
                continue
            }
            let onPage = template.fields.filter { $0.page == templatePage }
            let widgets = reading.widgets.filter { w in onPage.contains { $0.key == w.name } }
            let filled = widgets.contains { ($0.text.map { !$0.isEmpty } ?? false) || $0.isOn }
            let offset = PageOffset.estimate(layer: reading.layer, anchors: template.anchors.filter { $0.page == templatePage })
            let ink = reading.ink
            for field in onPage {
                let box = field.box.offsetBy(dx: offset.dx, dy: offset.dy)
                switch field.kind {
                case .yesNo where !filled:
                    for optionBox in (field.options ?? [:]).values {
                        let b = optionBox.offsetBy(dx: offset.dx, dy: offset.dy)
                        if !reading.layer.hasMark(in: b.insetBy(-1.5)) { ink.want(b.insetBy(Self.markInset)) }
                    }
                case .tick where !filled:
                    if !reading.layer.hasMark(in: box.insetBy(-1.5)) { ink.want(box.insetBy(Self.markInset)) }
                case .ink:
                    ink.want(Self.signatureArea(field, box: box, offset: offset))
                default:
                    break
                }
            }
            for field in onPage {
                let box = field.box.offsetBy(dx: offset.dx, dy: offset.dy)
                if filled, field.kind != .ink, let value = acroFormValue(field, widgets: widgets, page: pageNumber) {
                    fields[field.key] = value
                    usedAcroForm = true
                    continue
                }
                switch field.kind {
                case .text, .count, .date, .choice, .percent:
                    let found = reading.layer.text(in: box.insetBy(dx: -1, dy: -2))
                    fields[field.key] = ExtractedField(value: found.text, raw: found.text, source: .text,
                                                       page: pageNumber, box: box, confidence: 1.0)
                case .yesNo:
                    var marked: [(String, Box, Double, Bool)] = []
                    for (option, optionBox) in (field.options ?? [:]).sorted(by: { $0.key > $1.key }) {
                        let b = optionBox.offsetBy(dx: offset.dx, dy: offset.dy)
                        let typed = reading.layer.hasMark(in: b.insetBy(-1.5))
                        let fraction = typed ? 1.0 : ink.darkFraction(in: b.insetBy(Self.markInset))
                        marked.append((option, b, fraction, typed))
                        if typed { sawTypedTick = true }
                    }
                    let (value, confidence, source) = chooseOption(marked)
                    if value.isEmpty, confidence < 0.5 {
                        reasons.append(Diagnostic(.review, code: "both-options-marked",
                            "both Yes and No are marked for “\(field.label)”", field: field.key,
                            location: .init(file: file.path, page: pageNumber, box: box)))
                    }
                    let raw = source == .ink
                        ? marked.map { String(format: "%@ ink %.3f", $0.0, $0.2) }.joined(separator: ", ")
                        : value
                    fields[field.key] = ExtractedField(value: value, raw: raw, source: source, page: pageNumber,
                                                       box: box, confidence: confidence)
                case .tick:
                    let typed = reading.layer.hasMark(in: box.insetBy(-1.5))
                    if typed { sawTypedTick = true }
                    let fraction = typed ? 1.0 : ink.darkFraction(in: box.insetBy(Self.markInset))
                    let ticked = fraction >= tickInkThreshold
                    fields[field.key] = ExtractedField(value: ticked ? "Yes" : "No", raw: typed ? "tick glyph" : String(format: "ink %.3f", fraction),
                                                       source: typed ? .text : .ink, page: pageNumber, box: box,
                                                       confidence: typed ? 1.0 : inkConfidence(fraction, threshold: tickInkThreshold))
                case .ink:
                    let fraction = ink.darkFraction(in: Self.signatureArea(field, box: box, offset: offset))
                    let signed = fraction >= signatureInkThreshold
                    fields[field.key] = ExtractedField(value: signed ? "Yes" : "No", raw: String(format: "ink %.4f", fraction),
                                                       source: .ink, page: pageNumber, box: box,
                                                       confidence: inkConfidence(fraction, threshold: signatureInkThreshold))
                }
            }
        }
        let flavor: Flavor = scanned ? .scan : usedAcroForm ? .fill : (sawTypedTick ? .print : .flat)
        if group.pages.count < template.pages {
            let covered = Set(group.pages.enumerated().map { $1.placed?.templatePage ?? $0 + 1 })
            let lacking = (1...template.pages).filter { !covered.contains($0) }
            if unreadPages.isEmpty {
                reasons.append(Diagnostic(.review, code: "pages-missing",
                    "the \(template.title) has \(template.pages) pages; this document has \(group.pages.count)",
                    location: .init(file: file.path)))
            } else {
                for field in template.fields where lacking.contains(field.page) && fields[field.key] == nil {
                    fields[field.key] = ExtractedField(value: "", raw: "not read", source: .ocr, confidence: 0)
                }
                let list = unreadPages.map(String.init).joined(separator: ", ")
                reasons.append(Diagnostic(.review, code: "page-not-read",
                    "page \(lacking.map(String.init).joined(separator: ", ")) of the \(template.title) was not found; the file's page \(list) could not be read as a form page and may be it",
                    location: .init(file: file.path, page: unreadPages.first)))
            }
        }
        return ExtractedDocument(kind: group.kind, flavor: flavor, formEdition: template.edition, pages: pageNumbers,
                                 fields: fields, reasons: reasons)
    }

    /// The signature box's inside, below its printed heading.
    static func signatureArea(_ field: TemplateField, box: Box, offset: PageOffset) -> Box {
        var area = box.insetBy(3)
        if let label = field.labelBox {
            let top = label.offsetBy(dx: offset.dx, dy: offset.dy).maxY + 1.5
            area = Box(x: area.x, y: top, width: area.width, height: area.maxY - top)
        }
        return area
    }

    func unknownDocument(_ group: PageGroup, pageNumbers: [Int]) -> ExtractedDocument {
        let imageOnly = group.pages.allSatisfy { $0.layer.isEmpty && $0.page.imageCount > 0 }
        if imageOnly {
            if scans == nil {
                return ExtractedDocument(kind: .unknown, flavor: .scan, pages: pageNumbers, reasons: [
                    Diagnostic(.review, code: "scan-needs-ocr",
                               "the pages are scanned images with no text layer; they need OCR to be read")])
            }
            return ExtractedDocument(kind: .unknown, flavor: .scan, pages: pageNumbers, reasons: [
                Diagnostic(.review, code: "scan-not-a-secor-form",
                           "the scanned pages do not match the SECOR registration form or compliance declaration; staff will look at them")])
        }
        let empty = group.pages.allSatisfy { $0.layer.isEmpty }
        let message = empty
            ? "the PDF has no text and no form fields: it is not a SECOR registration form or compliance declaration"
            : "the PDF is not a SECOR registration form or compliance declaration (no form title or SECOR fields found)"
        return ExtractedDocument(kind: .unknown, flavor: .unknown, pages: pageNumbers,
                                 reasons: [Diagnostic(.reject, code: "not-a-secor-form", message)])
    }

    /// The value of `field` from AcroForm widgets, or nil when the form has none for it.
    func acroFormValue(_ field: TemplateField, widgets: [PDFFormWidget], page: Int) -> ExtractedField? {
        let mine = widgets.filter { $0.name == field.key }
        guard let first = mine.first else { return nil }
        let box = first.rect
        switch field.kind {
        case .yesNo:
            // Which option is on is told by where its widget sits: the template knows each option's box.
            guard let on = mine.first(where: { $0.isOn }) else {
                return ExtractedField(value: "", raw: "Off", source: .acroform, page: page, box: field.box)
            }
            let onBox = on.rect
            let option = (field.options ?? [:]).min { a, b in
                distance(a.value, onBox) < distance(b.value, onBox)
            }?.key ?? ""
            return ExtractedField(value: option, raw: option, source: .acroform, page: page, box: field.box)
        case .tick:
            let on = mine.contains { $0.isOn }
            return ExtractedField(value: on ? "Yes" : "No", raw: on ? "On" : "Off", source: .acroform, page: page, box: box)
        default:
            let raw = first.text ?? ""
            let value = raw.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            return ExtractedField(value: value, raw: raw, source: .acroform, page: page, box: box)
        }
    }

    /// Picks the marked option of a Yes/No pair by the shared rule; a typed tick is sure.
    func chooseOption(_ marks: [(String, Box, Double, Bool)]) -> (String, Double, FieldSource) {
        let source: FieldSource = marks.contains { $0.3 } ? .text : .ink
        switch MarkReading.choose(marks.map { (option: $0.0, ink: $0.2) }, threshold: tickInkThreshold) {
        case .none:
            return ("", marks.map { inkConfidence($0.2, threshold: tickInkThreshold) }.min() ?? 1, source)
        case .bothMarked:
            return ("", 0.3, source)
        case let .chosen(option, ink, runnerUp):
            if marks.contains(where: { $0.0 == option && $0.3 }) { return (option, 1.0, source) }
            let separation = ink / max(runnerUp, tickInkThreshold / 10)
            return (option, min(0.99, 0.5 + 0.49 * min(1, (separation - 2) / 3)), source)
        }
    }

    func inkConfidence(_ fraction: Double, threshold: Double) -> Double {
        MarkReading.confidence(fraction, threshold: threshold, span: 2)
    }

    static func diagnostic(for error: PopplerError) -> Diagnostic {
        switch error.kind {
        case .encrypted:
            Diagnostic(.unreadable, code: "pdf-encrypted", "the PDF is password-protected; ask the applicant for an unprotected copy")
        case .damaged, .invalid:
            Diagnostic(.unreadable, code: "pdf-damaged", "the PDF is damaged or truncated and cannot be opened")
        default:
            Diagnostic(.unreadable, code: "pdf-unreadable", "the PDF cannot be opened")
        }
    }
}

private func distance(_ a: Box, _ b: Box) -> Double {
    let dx = a.midX - b.midX, dy = a.midY - b.midY
    return (dx * dx + dy * dy).squareRoot()
}

/// What one page offers: its text layer, its widgets, and which form it starts, if any.
struct PageReading {
    let index: Int
    let page: PDFPage
    /// Ink measured on this page (perhaps rendered already, before the text was read).
    let ink: InkReader
    let layer: TextLayer
    let widgets: [PDFFormWidget]
    let templates: FormTemplates
    /// The form whose first page this is, known by its title in the text layer or its fields.
    let startsForm: DocumentKind?
    /// What a scanned page turned out to be; nil for a page read by its text layer or fields.
    let scanned: ScanReader.Look?

    /// A scanned page: which blank page it is and where it sits.
    var placed: ScanReader.PlacedPage? {
        if case let .placed(placed)? = scanned { return placed }
        return nil
    }
    /// A scanned page with nothing on it (a duplex back): in no document.
    var isBlank: Bool {
        if case .blank? = scanned { return true }
        return false
    }
    /// A scanned page that is none of the forms' pages, or could not be told for one.
    var isUnreadImage: Bool {
        if case .unknown? = scanned { return true }
        return false
    }

    init(index: Int, page: PDFPage, ink: InkReader, templates: FormTemplates, scans: ScanReader?) {
        self.index = index
        self.page = page
        self.ink = ink
        self.templates = templates
        let layer = TextLayer(page.textCharacters().map { TextLayer.Character($0.character, $0.rect) })
        self.layer = layer
        let widgets = page.formWidgets()
        self.widgets = widgets
        // An image page is a scan whatever its text layer holds, unless that layer shows a form
        // (a scanner's own OCR layer can be empty where the form has printed words).
        if widgets.isEmpty, let scans, page.imageCount > 0, layer.isEmpty || !Self.showsAForm(layer, templates: templates) {
            let look = scans.look(at: page)
            scanned = look
            if case let .placed(placed) = look, placed.templatePage == 1 { startsForm = placed.kind } else { startsForm = nil }
            return
        }
        scanned = nil
        var starts: DocumentKind? = nil
        // A form's title is in its header band; the same words in a footer ("attach the
        // signed ... Declaration") do not start a document.
        let headerBand = page.size.height * 0.15
        for template in templates.all
        where template.identifyingText.contains(where: { layer.find($0).map { $0.y < headerBand } ?? false }) {
            starts = template.form
        }
        if starts == nil {
            // A fillable form whose text is all in its fields: known by the field names only it
            // has, on its first page (the forms share many names: the company, the account).
            let names = Set(widgets.map(\.name))
            var best: (kind: DocumentKind, count: Int)? = nil
            for template in templates.all {
                let others = Set(templates.all.filter { $0.form != template.form }.flatMap(\.keys))
                let own = names.intersection(Set(template.keys).subtracting(others)).count
                guard own >= 3, template.fields.contains(where: { $0.page == 1 && names.contains($0.key) }) else { continue }
                if own > best?.count ?? 0 { best = (template.form, own) }
            }
            starts = best?.kind
        }
        self.startsForm = starts
    }
}

/// Measures ink in regions of one page. All the regions a page needs are rendered
/// in one pass, because each poppler render interprets the whole page.
final class InkReader {
    let page: PDFPage
    let scale: Double
    private var wanted: [Box] = []
    private var rendered: [(area: Box, image: Raster)] = []

    init(page: PDFPage, scale: Double) {
        self.page = page
        self.scale = scale
    }

    /// Renders `regions` now. poppler builds the page's text layer during a render and keeps it,
    /// so a page rendered before its text is read is interpreted once instead of twice.
    func prime(_ regions: [Box]) {
        render(regions)
    }

    /// Says a region will be measured, so the one render covers it.
    func want(_ box: Box) {
        guard box.width > 0, box.height > 0, rendered(box) == nil else { return }
        wanted.append(box)
    }

    func darkFraction(in box: Box) -> Double {
        guard box.width > 0, box.height > 0 else { return 0 }
        if rendered(box) == nil {
            render(wanted + [box])
            wanted = []
        }
        guard let (area, image) = rendered(box) else { return 0 }
        // The box's pixels within its rendered region.
        let x0 = max(0, Int(((box.x - area.x) * scale).rounded()))
        let y0 = max(0, Int(((box.y - area.y) * scale).rounded()))
        let x1 = min(image.width, Int(((box.maxX - area.x) * scale).rounded()))
        let y1 = min(image.height, Int(((box.maxY - area.y) * scale).rounded()))
        guard x1 > x0, y1 > y0 else { return 0 }
        return image.inkFraction(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }

    private func rendered(_ box: Box) -> (area: Box, image: Raster)? {
        rendered.first { $0.area.contains(x: box.x, y: box.y) && $0.area.contains(x: box.maxX, y: box.maxY) }
    }

    private func render(_ regions: [Box]) {
        guard !regions.isEmpty, let images = page.renderGray(regions: regions, scale: scale) else { return }
        for (origin, image) in images {
            rendered.append((Box(x: origin.x, y: origin.y, width: Double(image.width) / scale, height: Double(image.height) / scale), image))
        }
    }
}

extension PageReading {
    /// Whether a text layer carries a form's printed words: its title, or two of its printed lines.
    static func showsAForm(_ layer: TextLayer, templates: FormTemplates) -> Bool {
        templates.all.contains { template in
            template.identifyingText.contains { layer.contains($0) }
                || template.anchors.lazy.filter { layer.contains($0.text) }.prefix(2).count >= 2
        }
    }
}
