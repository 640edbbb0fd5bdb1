// cairo on its own (it comes with poppler): writing the office's own PDFs and PNGs.
import CPoppler
import Foundation
import Imaging

/// A block of a letter as cairo lays it out.
public enum TextBlock: Sendable {
    case title(String)
    case heading(String)
    case paragraph(String)
    /// A small bold caption and its text, indented.
    case field(label: String, text: String)
    case space(Double)
}

/// Writes `blocks` as a PDF letter (US Letter, one-inch margins), wrapping lines by the font's own metrics.
/// `created` (ISO 8601) is the date the PDF says it was made, so a letter written again from the
/// same record is the same bytes; `creator` names who made it (the office's outputs say so).
public func writeTextPDF(_ blocks: [TextBlock], to url: URL, created: String? = nil, creator: String? = nil) throws(PopplerError) {
    let width = 612.0, height = 792.0, margin = 72.0
    guard let surface = cairo_pdf_surface_create(url.path, width, height) else {
        throw PopplerError(kind: .other, message: "cannot create \(url.path)")
    }
    defer { cairo_surface_destroy(surface) }
    if let created { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, created) }
    if let creator { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, creator) }
    guard let cr = cairo_create(surface) else { throw PopplerError(kind: .other, message: "cannot draw into \(url.path)") }
    var y = margin

    func font(_ size: Double, bold: Bool) {
        cairo_select_font_face(cr, "Helvetica", CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cr, size)
    }
    func write(_ text: String, size: Double, bold: Bool = false, indent: Double = 0, color: (Double, Double, Double) = (0.1, 0.1, 0.1)) {
        font(size, bold: bold)
        cairo_set_source_rgb(cr, color.0, color.1, color.2)
        for line in wrapped(text, width: width - 2 * margin - indent, cr: cr) {
            if y + size > height - margin {
                cairo_show_page(cr)
                y = margin
                font(size, bold: bold)
                cairo_set_source_rgb(cr, color.0, color.1, color.2)
            }
            y += size * 1.35
            cairo_move_to(cr, margin + indent, y)
            cairo_show_text(cr, line)
        }
    }
    for block in blocks {
        switch block {
        case let .title(text):
            write(text, size: 16, bold: true, color: (0.12, 0.23, 0.37))
            cairo_set_source_rgb(cr, 0.12, 0.23, 0.37)
            cairo_rectangle(cr, margin, y + 5, width - 2 * margin, 1.5)
            cairo_fill(cr)
            y += 10
        case let .heading(text):
            y += 6
            write(text, size: 11.5, bold: true)
        case let .paragraph(text):
            write(text, size: 10.5)
            y += 4
        case let .field(label, text):
            write(label, size: 8.5, bold: true, indent: 14, color: (0.35, 0.35, 0.35))
            write(text, size: 10.5, indent: 14)
        case let .space(points):
            y += points
        }
    }
    cairo_destroy(cr)
    cairo_surface_finish(surface)
    guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
        throw PopplerError(kind: .other, message: "cannot write \(url.path)")
    }
}

extension PDFPage {
    /// `region` (page points) rendered at `scale` as PNG bytes: a crop for staff to look at.
    public func renderPNG(region: Box, scale: Double) -> Data? {
        guard let width = pixels(region.width * scale), let height = pixels(region.height * scale) else { return nil }
        return withWhiteSurface(width: width, height: height, maxPixels: 4_000_000, draw: { cr in
            cairo_scale(cr, scale, scale)
            cairo_translate(cr, -region.x, -region.y)
            renderInto(cr)
        }, read: { surface in
            let sink = PNGSink()
            let status = cairo_surface_write_to_png_stream(surface, { context, bytes, length in
                guard let context, let bytes else { return CAIRO_STATUS_WRITE_ERROR }
                Unmanaged<PNGSink>.fromOpaque(context).takeUnretainedValue().data.append(bytes, count: Int(length))
                return CAIRO_STATUS_SUCCESS
            }, Unmanaged.passUnretained(sink).toOpaque())
            return status == CAIRO_STATUS_SUCCESS ? sink.data : nil
        })
    }
}

private final class PNGSink { var data = Data() }

/// A note printed beside a box on a marked copy.
public struct MarginNote: Sendable {
    /// 0-based page.
    public let page: Int
    /// The box it is about, in page points from the top left.
    public let box: Box
    public let text: String

    public init(page: Int, box: Box, text: String) {
        self.page = page; self.box = box; self.text = text
    }
}

/// The document's pages, each as it is, widened by a column on the right where each note is
/// printed beside its box, numbered, with the box outlined in red and a leader line to its note:
/// a marked copy that says everything when printed, and leaves the applicant's writing visible.
/// Returns the page size of each page as written (the original's, plus the column).
public func writeMarkedCopy(_ document: PDFDocument, notes: [MarginNote], to url: URL, creator: String? = nil,
                            column: Double = 200) throws(PopplerError) {
    guard let first = document.page(at: 0) else { throw PopplerError(kind: .other, message: "the document has no pages") }
    guard let surface = cairo_pdf_surface_create(url.path, first.size.width + column, first.size.height) else {
        throw PopplerError(kind: .other, message: "cannot create \(url.path)")
    }
    defer { cairo_surface_destroy(surface) }
    if let creator { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, creator) }
    guard let cr = cairo_create(surface) else { throw PopplerError(kind: .other, message: "cannot draw into \(url.path)") }
    var number = 0
    for index in 0..<document.pageCount {
        guard let page = document.page(at: index) else { continue }
        let (width, height) = page.size
        cairo_pdf_surface_set_size(surface, width + column, height)
        cairo_save(cr)
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_paint(cr)
        page.renderInto(cr)
        cairo_restore(cr)
        // The column: a rule, then the notes top to bottom, each no higher than its box.
        cairo_set_source_rgb(cr, 0.7, 0.7, 0.7)
        cairo_rectangle(cr, width + 0.5, 0, 0.75, height)
        cairo_fill(cr)
        var y = 18.0
        let size = 7.5, line = size * 1.3, left = width + 10, room = column - 18
        for note in notes.filter({ $0.page == index }).sorted(by: { $0.box.y < $1.box.y }) {
            number += 1
            cairo_set_source_rgb(cr, 0.8, 0, 0)
            cairo_set_line_width(cr, 1.2)
            cairo_rectangle(cr, note.box.x - 2, note.box.y - 2, note.box.width + 4, note.box.height + 4)
            cairo_stroke(cr)
            cairo_select_font_face(cr, "Helvetica", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD)
            cairo_set_font_size(cr, size)
            // The box's number, just outside its top right corner.
            cairo_move_to(cr, note.box.maxX + 4, note.box.y + size - 1)
            cairo_show_text(cr, "\(number)")
            y = max(y, note.box.y + size)
            // The leader line from the box's edge to its note.
            cairo_set_line_width(cr, 0.5)
            cairo_move_to(cr, note.box.maxX + 2, note.box.y + note.box.height / 2)
            cairo_line_to(cr, width + 6, y - size / 2)
            cairo_stroke(cr)
            cairo_move_to(cr, left, y)
            cairo_show_text(cr, "\(number).")
            cairo_select_font_face(cr, "Helvetica", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL)
            cairo_set_source_rgb(cr, 0.1, 0.1, 0.1)
            for text in wrapped(note.text, width: room - 12, cr: cr) {
                cairo_move_to(cr, left + 12, y)
                cairo_show_text(cr, text)
                y += line
            }
            y += line / 2
        }
        cairo_show_page(cr)
    }
    cairo_destroy(cr)
    cairo_surface_finish(surface)
    guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
        throw PopplerError(kind: .other, message: "cannot write \(url.path)")
    }
}

/// `text` in lines no wider than `width` in the context's current font.
private func wrapped(_ text: String, width: Double, cr: OpaquePointer) -> [String] {
    var out: [String] = []
    var line = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: true) {
        let candidate = line.isEmpty ? String(word) : line + " " + word
        var extents = cairo_text_extents_t()
        cairo_text_extents(cr, candidate, &extents)
        if extents.x_advance > width && !line.isEmpty {
            out.append(line)
            line = String(word)
        } else {
            line = candidate
        }
    }
    if !line.isEmpty { out.append(line) }
    return out
}
