// The one file where poppler-glib and cairo are called. Every pointer, GObject
// reference and GError is handled here and turned into plain Swift values, so
// the rest of the program never sees C memory.
import CPoppler
import Foundation
import Imaging

/// Why poppler could not open or use a document. The one place where GError becomes Swift.
public struct PopplerError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case encrypted, damaged, invalid, tooLarge, other
    }
    public let kind: Kind
    public let message: String
    public var description: String { message }

    static func from(_ error: UnsafeMutablePointer<GError>?) -> PopplerError {
        guard let error else { return PopplerError(kind: .other, message: "poppler gave no reason") }
        defer { g_error_free(error) }
        let message = error.pointee.message.map { String(cString: $0) } ?? "unknown error"
        // POPPLER_ERROR codes: INVALID=0, ENCRYPTED=1, OPEN_FILE=2, BAD_CATALOG=3, DAMAGED=4
        let code = error.pointee.code
        let kind: Kind
        switch code {
        case Int32(POPPLER_ERROR_ENCRYPTED.rawValue): kind = .encrypted
        case Int32(POPPLER_ERROR_DAMAGED.rawValue), Int32(POPPLER_ERROR_BAD_CATALOG.rawValue): kind = .damaged
        case Int32(POPPLER_ERROR_INVALID.rawValue): kind = .invalid
        default: kind = .other
        }
        return PopplerError(kind: kind, message: message)
    }
}

/// A PDF opened in memory. Not thread-safe: use one per thread.
public final class PDFDocument {
    private let handle: OpaquePointer

    /// Opens `data` as a PDF. Nothing is read from disk or network.
    public init(data: Data, password: String? = nil) throws(PopplerError) {
        var error: UnsafeMutablePointer<GError>? = nil
        // g_bytes_new copies, so the document owns its bytes for its whole life.
        let bytes = data.withUnsafeBytes { raw in g_bytes_new(raw.baseAddress, gsize(raw.count)) }
        defer { g_bytes_unref(bytes) }
        guard let doc = poppler_document_new_from_bytes(bytes, password, &error) else {
            throw PopplerError.from(error)
        }
        handle = doc
    }

    deinit { g_object_unref(UnsafeMutableRawPointer(handle)) }

    public var pageCount: Int { Int(poppler_document_get_n_pages(handle)) }

    public func page(at index: Int) -> PDFPage? {
        guard index >= 0, index < pageCount, let page = poppler_document_get_page(handle, Int32(index)) else { return nil }
        return PDFPage(handle: page, owner: self)
    }

    /// The document's Info title, if any.
    public var title: String? { takeString(poppler_document_get_title(handle)) }

    /// The program that made the document (Info Creator), if it says.
    public var creator: String? {
        get { takeString(poppler_document_get_creator(handle)) }
        set { poppler_document_set_creator(handle, newValue) }
    }

    /// Writes a copy of the document (with any annotations added through `PDFPage.addNoteAnnotation`).
    public func save(to url: URL) throws(PopplerError) {
        var error: UnsafeMutablePointer<GError>? = nil
        let uri = url.absoluteString
        // save, not save_a_copy: a copy leaves out the annotations just added.
        if poppler_document_save(handle, uri, &error) == 0 { throw PopplerError.from(error) }
    }
}

/// What kind of AcroForm field a widget belongs to.
public enum PDFFormFieldKind: String, Sendable {
    case text, checkBox, radio, pushButton, choice, signature, unknown
}

/// One widget of an AcroForm field as poppler reports it.
public struct PDFFormWidget: Sendable {
    public let name: String
    public let kind: PDFFormFieldKind
    /// Text fields: the text. Choice fields: the selected item's text.
    public let text: String?
    /// Check boxes and radio widgets: whether this widget is on.
    public let isOn: Bool
    public let rect: Box
}

/// One character of the text layer with its box. `character` is a whole grapheme as poppler gives it.
public struct PDFTextCharacter: Sendable {
    public let character: Character
    public let rect: Box
}

public final class PDFPage {
    fileprivate let handle: OpaquePointer
    // Keeps the document alive as long as one of its pages is.
    private let owner: PDFDocument

    fileprivate init(handle: OpaquePointer, owner: PDFDocument) {
        self.handle = handle
        self.owner = owner
    }

    deinit { g_object_unref(UnsafeMutableRawPointer(handle)) }

    public var size: (width: Double, height: Double) {
        var w = 0.0, h = 0.0
        poppler_page_get_size(handle, &w, &h)
        return (w, h)
    }

    /// The text layer, character by character, in poppler's reading order.
    public func textCharacters() -> [PDFTextCharacter] {
        guard let cText = poppler_page_get_text(handle) else { return [] }
        defer { g_free(cText) }
        let text = String(cString: cText)
        var rects: UnsafeMutablePointer<PopplerRectangle>? = nil
        var count: guint = 0
        guard poppler_page_get_text_layout(handle, &rects, &count) != 0, let rects else { return [] }
        defer { g_free(rects) }
        // The layout has one rectangle per Unicode scalar of the text.
        var result: [PDFTextCharacter] = []
        result.reserveCapacity(Int(count))
        var index = 0
        for scalar in text.unicodeScalars {
            guard index < Int(count) else { break }
            let r = rects[index]
            result.append(PDFTextCharacter(
                character: Character(scalar),
                rect: Box(x: r.x1, y: r.y1, width: r.x2 - r.x1, height: r.y2 - r.y1)))
            index += 1
        }
        return result
    }

    /// Whether the page paints any raster image (a scan).
    public var imageCount: Int {
        guard let list = poppler_page_get_image_mapping(handle) else { return 0 }
        let n = Int(g_list_length(list))
        poppler_page_free_image_mapping(list)
        return n
    }

    /// The page's AcroForm widgets. Rectangles are converted to top-left origin.
    public func formWidgets() -> [PDFFormWidget] {
        guard let list = poppler_page_get_form_field_mapping(handle) else { return [] }
        defer { poppler_page_free_form_field_mapping(list) }
        let pageHeight = size.height
        var widgets: [PDFFormWidget] = []
        for data in elements(of: list) {
            let mapping = data.assumingMemoryBound(to: PopplerFormFieldMapping.self).pointee
            guard let field = mapping.field else { continue }
            let name = takeString(poppler_form_field_get_name(field)) ?? ""
            let area = mapping.area
            // poppler-glib reports form areas with the origin at the bottom-left.
            let rect = Box(x: area.x1, y: pageHeight - area.y2, width: area.x2 - area.x1, height: area.y2 - area.y1)
            var kind = PDFFormFieldKind.unknown
            var text: String? = nil
            var isOn = false
            switch poppler_form_field_get_field_type(field) {
            case POPPLER_FORM_FIELD_TEXT:
                kind = .text
                text = takeString(poppler_form_field_text_get_text(field))
            case POPPLER_FORM_FIELD_BUTTON:
                switch poppler_form_field_button_get_button_type(field) {
                case POPPLER_FORM_BUTTON_CHECK: kind = .checkBox
                case POPPLER_FORM_BUTTON_RADIO: kind = .radio
                default: kind = .pushButton
                }
                isOn = poppler_form_field_button_get_state(field) != 0
            case POPPLER_FORM_FIELD_CHOICE:
                kind = .choice
                let n = poppler_form_field_choice_get_n_items(field)
                for i in 0..<max(n, 0) where poppler_form_field_choice_is_item_selected(field, i) != 0 {
                    text = takeString(poppler_form_field_choice_get_item(field, i))
                    break
                }
                // An editable combo box may hold typed text instead of a listed item.
                if text == nil || text == "" { text = takeString(poppler_form_field_choice_get_text(field)) }
            case POPPLER_FORM_FIELD_SIGNATURE:
                kind = .signature
            default:
                kind = .unknown
            }
            widgets.append(PDFFormWidget(name: name, kind: kind, text: text, isOn: isOn, rect: rect))
        }
        return widgets
    }

    /// Renders `region` (page points) at `scale` pixels per point into a grey image on white.
    /// Only the region is rasterized; the image is capped at `maxPixels` to bound memory.
    public func renderGray(region: Box, scale: Double, maxPixels: Int = 40_000_000) -> Raster? {
        guard region.width > 0, region.height > 0, scale > 0 else { return nil }
        guard let width = pixels(region.width * scale), let height = pixels(region.height * scale) else { return nil }
        return withWhiteSurface(width: width, height: height, maxPixels: maxPixels, draw: { cr in
            cairo_scale(cr, scale, scale)
            cairo_translate(cr, -region.x, -region.y)
            cairo_rectangle(cr, region.x, region.y, region.width, region.height)
            cairo_clip(cr)
            poppler_page_render(handle, cr)
        }, read: { grayPixels(of: $0, width: width, height: height) })
    }

    /// Renders only the parts of the page inside `regions` (page points) at `scale`, in one pass,
    /// and returns each region's grey pixels with the page point its first pixel stands for.
    ///
    /// poppler interprets the whole page on every render, so one pass for all the regions a
    /// page needs costs about what one region does; clipping to the regions themselves (not
    /// their union) keeps rasterizing to them. The pixel grid starts on a whole page point, so
    /// a region's pixels do not depend on which other regions were rendered with it.
    public func renderGray(regions: [Box], scale: Double, maxPixels: Int = 40_000_000) -> [(origin: (x: Double, y: Double), image: Raster)]? {
        let regions = regions.filter { $0.width > 0 && $0.height > 0 && $0.x.isFinite && $0.y.isFinite }
        guard let first = regions.first, scale > 0 else { return nil }
        var minX = first.x, minY = first.y, maxX = first.x + first.width, maxY = first.y + first.height
        for r in regions.dropFirst() {
            minX = min(minX, r.x); minY = min(minY, r.y)
            maxX = max(maxX, r.x + r.width); maxY = max(maxY, r.y + r.height)
        }
        minX = minX.rounded(.down); minY = minY.rounded(.down)
        guard let width = pixels((maxX - minX) * scale), let height = pixels((maxY - minY) * scale) else { return nil }
        // Each region in whole pixels, so every pixel read was painted in full (the surface is
        // not cleared outside the regions).
        let boxes = regions.map { r in
            let x0 = max(0, Int(((r.x - minX) * scale).rounded(.down)))
            let y0 = max(0, Int(((r.y - minY) * scale).rounded(.down)))
            let x1 = min(width, Int(((r.x + r.width - minX) * scale).rounded(.up)))
            let y1 = min(height, Int(((r.y + r.height - minY) * scale).rounded(.up)))
            return (x: x0, y: y0, width: x1 - x0, height: y1 - y0)
        }.filter { $0.width > 0 && $0.height > 0 }
        return withSurface(width: width, height: height, maxPixels: maxPixels, cleared: false, draw: { cr in
            for b in boxes { cairo_rectangle(cr, Double(b.x), Double(b.y), Double(b.width), Double(b.height)) }
            cairo_clip(cr)
            cairo_set_source_rgb(cr, 1, 1, 1)
            cairo_paint(cr)
            cairo_scale(cr, scale, scale)
            cairo_translate(cr, -minX, -minY)
            poppler_page_render(handle, cr)
        }, read: { surface in
            boxes.compactMap { b in
                grayPixels(of: surface, x: b.x, y: b.y, width: b.width, height: b.height)
                    .map { ((minX + Double(b.x) / scale, minY + Double(b.y) / scale), $0) }
            }
        })
    }

    /// The page's annotations: subtype name (`Square`, `Text`, ...), rectangle (top-left origin) and contents.
    public func annotations() -> [(kind: String, rect: Box, contents: String)] {
        guard let list = poppler_page_get_annot_mapping(handle) else { return [] }
        defer { poppler_page_free_annot_mapping(list) }
        let pageHeight = size.height
        var out: [(String, Box, String)] = []
        for data in elements(of: list) {
            let mapping = data.assumingMemoryBound(to: PopplerAnnotMapping.self).pointee
            guard let annot = mapping.annot else { continue }
            let kind: String
            switch poppler_annot_get_annot_type(annot) {
            case POPPLER_ANNOT_SQUARE: kind = "Square"
            case POPPLER_ANNOT_TEXT: kind = "Text"
            case POPPLER_ANNOT_WIDGET: kind = "Widget"
            default: kind = "Other"
            }
            let a = mapping.area
            out.append((kind, Box(x: a.x1, y: pageHeight - a.y2, width: a.x2 - a.x1, height: a.y2 - a.y1),
                        takeString(poppler_annot_get_contents(annot)) ?? ""))
        }
        return out
    }

    /// Draws the page into a cairo context already set up by the caller.
    func renderInto(_ cr: OpaquePointer) { poppler_page_render(handle, cr) }

    /// Adds a red square annotation outlining `rect`, carrying `note` (shown where a viewer
    /// shows annotations' contents; a marked copy prints its notes itself).
    public func addOutline(rect: Box, note: String) {
        let pageHeight = size.height
        var area = PopplerRectangle(x1: rect.x, y1: pageHeight - rect.maxY, x2: rect.maxX, y2: pageHeight - rect.y)
        guard let square = poppler_annot_square_new(owner.documentHandle, &area) else { return }
        var red = PopplerColor(red: 0xFFFF, green: 0, blue: 0)
        poppler_annot_set_color(square, &red)
        poppler_annot_set_contents(square, note)
        poppler_page_add_annot(handle, square)
        g_object_unref(UnsafeMutableRawPointer(square))
    }
}

extension PDFDocument {
    fileprivate var documentHandle: OpaquePointer { handle }
}

/// Takes ownership of a g_malloc'd C string.
private func takeString(_ pointer: UnsafeMutablePointer<gchar>?) -> String? {
    guard let pointer else { return nil }
    defer { g_free(pointer) }
    return String(cString: pointer)
}

/// Drawing on a page in its points (top-left origin), as a pen or a printer would: what
/// generated forms and scans are made of. The marks themselves are the caller's.
public struct Canvas {
    fileprivate let cr: OpaquePointer

    /// The ink (red, green, blue, 0...1), and the face text is set in.
    fileprivate func begin(font: String, ink: (Double, Double, Double)) {
        cairo_set_source_rgb(cr, ink.0, ink.1, ink.2)
        cairo_select_font_face(cr, font, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL)
    }

    /// `text` with its baseline starting at (`x`, `baseline`).
    public func text(_ text: String, x: Double, baseline: Double, size: Double) {
        cairo_set_font_size(cr, size)
        cairo_move_to(cr, x, baseline)
        cairo_show_text(cr, text)
    }

    public func fill(_ box: Box) {
        cairo_rectangle(cr, box.x, box.y, box.width, box.height)
        cairo_fill(cr)
    }

    /// A pen line through `points`.
    public func stroke(_ points: [(x: Double, y: Double)], width: Double) {
        guard let first = points.first else { return }
        cairo_set_line_width(cr, width)
        cairo_move_to(cr, first.x, first.y)
        for p in points.dropFirst() { cairo_line_to(cr, p.x, p.y) }
        cairo_stroke(cr)
    }
}

extension PDFPage {
    /// Renders the page with `draw`'s marks on it, turned by `degrees` about its centre, at
    /// `scale` pixels per point, grey on white: a page as a scanner would see it.
    public func renderDrawn(scale: Double, degrees: Double, font: String = "Courier", ink: (Double, Double, Double) = (0.08, 0.08, 0.08),
                            draw: (Canvas) -> Void) -> Raster? {
        let (pw, ph) = size
        guard let width = pixels(pw * scale, rounding: .toNearestOrAwayFromZero),
              let height = pixels(ph * scale, rounding: .toNearestOrAwayFromZero) else { return nil }
        return withWhiteSurface(width: width, height: height, maxPixels: 40_000_000, draw: { cr in
            cairo_translate(cr, Double(width) / 2, Double(height) / 2)
            cairo_rotate(cr, degrees * .pi / 180)
            cairo_translate(cr, -Double(width) / 2, -Double(height) / 2)
            cairo_scale(cr, scale, scale)
            poppler_page_render(handle, cr)
            let canvas = Canvas(cr: cr)
            canvas.begin(font: font, ink: ink)
            draw(canvas)
        }, read: { grayPixels(of: $0, width: width, height: height) })
    }
}

/// Writes `document`'s pages with `draw(page index, canvas)` drawn over each as a new PDF with a
/// text layer (a form filled in on a computer and printed to PDF).
public func writeDrawnPDF(_ document: PDFDocument, font: String = "Courier", to url: URL,
                          draw: (Int, Canvas) -> Void) throws(PopplerError) {
    guard let first = document.page(at: 0) else { throw PopplerError(kind: .other, message: "the form has no pages") }
    guard let pdf = cairo_pdf_surface_create(url.path, first.size.width, first.size.height) else {
        throw PopplerError(kind: .other, message: "cannot create \(url.path)")
    }
    defer { cairo_surface_destroy(pdf) }
    guard let cr = cairo_create(pdf) else { throw PopplerError(kind: .other, message: "cannot draw into \(url.path)") }
    for index in 0..<document.pageCount {
        guard let page = document.page(at: index) else { continue }
        cairo_save(cr)
        poppler_page_render_for_printing(page.handle, cr)
        cairo_restore(cr)
        cairo_save(cr)
        let canvas = Canvas(cr: cr)
        canvas.begin(font: font, ink: (0.08, 0.08, 0.08))
        draw(index, canvas)
        cairo_restore(cr)
        cairo_show_page(cr)
    }
    cairo_destroy(cr)
    cairo_surface_finish(pdf)
    if cairo_surface_status(pdf) != CAIRO_STATUS_SUCCESS { throw PopplerError(kind: .other, message: "cannot write \(url.path)") }
}

/// A white RGB24 surface of `width` × `height` pixels (refused past `maxPixels`, to bound memory),
/// drawn on by `draw`, then read by `read`. Every render of ours but the clipped one (`renderGray(regions:)`) starts here.
func withWhiteSurface<R>(width: Int, height: Int, maxPixels: Int, draw: (OpaquePointer) -> Void,
                         read: (OpaquePointer) -> R?) -> R? {
    withSurface(width: width, height: height, maxPixels: maxPixels, draw: { cr in
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_paint(cr)
        draw(cr)
    }, read: read)
}

/// A length in pixels, rounded up; nil when it is not a number a surface could have
/// (a damaged page's size can be anything, and `Int(_:)` traps on what it cannot hold).
func pixels(_ length: Double, rounding: FloatingPointRoundingRule = .up) -> Int? {
    let rounded = length.rounded(rounding)
    guard rounded.isFinite, rounded >= 0, rounded < Double(Int32.max) else { return nil }
    return Int(rounded)
}

/// `withWhiteSurface` for a `draw` that paints its own background (only where it draws).
/// An uncleared surface is not zeroed first (a page-sized one costs as much to clear as a
/// small render): `draw` and `read` must keep to what `draw` paints.
func withSurface<R>(width: Int, height: Int, maxPixels: Int, cleared: Bool = true, draw: (OpaquePointer) -> Void,
                    read: (OpaquePointer) -> R?) -> R? {
    guard width > 0, height > 0, width <= maxPixels, height <= maxPixels, width * height <= maxPixels,
          width <= Int(Int32.max), height <= Int(Int32.max) else { return nil }
    let stride = Int(cairo_format_stride_for_width(CAIRO_FORMAT_RGB24, Int32(width)))
    guard stride > 0 else { return nil }
    let buffer = cleared ? nil : UnsafeMutableRawPointer.allocate(byteCount: stride * height, alignment: 16)
    defer { buffer?.deallocate() }
    let created = buffer.map {
        cairo_image_surface_create_for_data($0.assumingMemoryBound(to: UInt8.self), CAIRO_FORMAT_RGB24,
                                            Int32(width), Int32(height), Int32(stride))
    } ?? cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(width), Int32(height))
    guard let surface = created else { return nil }
    defer { cairo_surface_destroy(surface) }
    guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS, let cr = cairo_create(surface) else { return nil }
    draw(cr)
    cairo_destroy(cr)
    cairo_surface_flush(surface)
    return read(surface)
}

/// The data pointers of a GList, in order (poppler's mappings come as GLists).
func elements(of list: UnsafeMutablePointer<GList>) -> [UnsafeMutableRawPointer] {
    var out: [UnsafeMutableRawPointer] = []
    var node: UnsafeMutablePointer<GList>? = list
    while let current = node {
        if let data = current.pointee.data { out.append(data) }
        node = current.pointee.next
    }
    return out
}

/// Writes grey page images as an image-only PDF (no text layer), each page `pageSize` points, or
/// the other way round for a page image wider than it is tall (a page fed sideways).
public func writeImagePDF(_ pages: [Raster], pageSize: (width: Double, height: Double), to url: URL) throws(PopplerError) {
    guard let pdf = cairo_pdf_surface_create(url.path, pageSize.width, pageSize.height) else {
        throw PopplerError(kind: .other, message: "cannot create \(url.path)")
    }
    defer { cairo_surface_destroy(pdf) }
    guard let cr = cairo_create(pdf) else { throw PopplerError(kind: .other, message: "cannot draw into \(url.path)") }
    for page in pages {
        let landscape = page.width > page.height
        let size = landscape ? (width: pageSize.height, height: pageSize.width) : pageSize
        cairo_pdf_surface_set_size(pdf, size.width, size.height)
        guard let image = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(page.width), Int32(page.height)) else { continue }
        cairo_surface_flush(image)
        if let base = cairo_image_surface_get_data(image) {
            page.writeRGB24(to: UnsafeMutableRawPointer(base), stride: Int(cairo_image_surface_get_stride(image)))
        }
        cairo_surface_mark_dirty(image)
        cairo_save(cr)
        cairo_scale(cr, size.width / Double(page.width), size.height / Double(page.height))
        cairo_set_source_surface(cr, image, 0, 0)
        cairo_paint(cr)
        cairo_restore(cr)
        cairo_show_page(cr)
        cairo_surface_destroy(image)
    }
    cairo_destroy(cr)
    cairo_surface_finish(pdf)
    if cairo_surface_status(pdf) != CAIRO_STATUS_SUCCESS {
        throw PopplerError(kind: .other, message: "cannot write \(url.path)")
    }
}

/// The grey pixels of an RGB24 cairo surface.
private func grayPixels(of surface: OpaquePointer, width: Int, height: Int) -> Raster? {
    grayPixels(of: surface, x: 0, y: 0, width: width, height: height)
}

/// The grey pixels of the `width` × `height` rectangle at (`x`, `y`) of an RGB24 cairo surface.
private func grayPixels(of surface: OpaquePointer, x: Int, y: Int, width: Int, height: Int) -> Raster? {
    guard let data = cairo_image_surface_get_data(surface), width > 0, height > 0, x >= 0, y >= 0,
          x + width <= Int(cairo_image_surface_get_width(surface)),
          y + height <= Int(cairo_image_surface_get_height(surface)) else { return nil }
    let stride = Int(cairo_image_surface_get_stride(surface))
    return Raster(rgb24: UnsafeRawPointer(data + y * stride + x * 4), stride: stride, width: width, height: height)
}
