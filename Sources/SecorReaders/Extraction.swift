import Foundation
import SecorCore
import SecorSupport

/// The sniff and extract stages: a path in, everything read from it out.
/// Each stage is a small value; `Extraction` chains them.
public struct Extraction: Sendable {
    public let sniffer: Sniffer
    public let pdf: PDFFormReader
    public let xml: XMLRegistrationReader

    public init(sniffer: Sniffer = Sniffer(), pdf: PDFFormReader, xml: XMLRegistrationReader) {
        self.sniffer = sniffer
        self.pdf = pdf
        self.xml = xml
    }

    /// What one document may cost, each with a safe default.
    public struct Limits: Sendable {
        public var maxFileBytes = 50 * 1024 * 1024
        public var maxPages = 20
        /// Scanned pages are rendered at this resolution to be read.
        public var scanDPI = 300.0
        public var maxXMLBytes = 1024 * 1024
        /// A PDF still being read after this long is stopped (it is read in a reader process).
        public var documentSeconds = 120.0
        public init() {}
    }

    /// Builds the stages from the shipped schemas; throws only for a broken installation.
    public static func shipped(limits: Limits = Limits()) throws -> Extraction {
        let templates = try FormTemplates.shipped.get()
        var pdf = PDFFormReader(templates: templates, scans: try ScanReader(templates: templates, dpi: limits.scanDPI))
        pdf.maxPages = limits.maxPages
        var xml = XMLRegistrationReader(template: templates.registration, schema: try XMLRegistrationReader.shippedSchema(),
                                        library: try ProgramLibrary.shipped.get())
        xml.limits.maxBytes = limits.maxXMLBytes
        return Extraction(sniffer: Sniffer(maxBytes: limits.maxFileBytes), pdf: pdf, xml: xml)
    }

    public func read(path: String) -> ReadFile {
        switch sniffer.sniff(path: path) {
        case let .failed(path, reason):
            return .unreadable(InputFile(path: path, data: Data()), format: .unrecognized, reason)
        case let .sniffed(file, format):
            return read(bytesOf: file, format: format)
        }
    }

    /// `file` read as `format` (by default what its bytes are); the result names the file by
    /// path and digest without holding its bytes, so what is read can be kept or sent on.
    public func read(bytesOf file: InputFile, format: DocumentFormat? = nil) -> ReadFile {
        var result = parse(file, format: format ?? DocumentFormat(sniffing: file.data))
        result.file = file.withoutBytes
        return result
    }

    /// The reader for `format` on `file`, its bytes kept in the result.
    func parse(_ file: InputFile, format: DocumentFormat) -> ReadFile {
        switch format {
        case .pdf:
            return pdf.read(file)
        case .xml:
            return xml.read(file)
        case .empty:
            return .unreadable(file, format: .empty, Diagnostic(.unreadable, code: "empty-file", "the file is empty (0 bytes)"))
        case .unrecognized:
            return .unreadable(file, format: .unrecognized, Diagnostic(.unreadable, code: "unrecognized-format",
                "the file is neither a PDF nor an XML export (its content matches no known format)"))
        }
    }
}

/// Reasons a file was not read that are not the file's fault: it is read again, and only a
/// document's own fault is ever filed as failed.
public enum ReadFailure {
    /// The reader was stopped from outside (SIGKILL, SIGTERM to the service's process group).
    public static let readerStopped = "reader-stopped"
    /// No reader process could be started (out of processes or descriptors).
    public static let readerUnavailable = "reader-unavailable"

    public static func isTransient(_ read: ReadFile) -> Bool {
        read.documents.isEmpty && read.reasons.contains { $0.code == readerStopped || $0.code == readerUnavailable }
    }

    /// What a file whose writer has not finished looks like: cut off before its end (a PDF with
    /// no cross-reference table or pages yet, XML not closed), or nothing yet.
    static let cutShortCodes: Set<String> = ["pdf-damaged", "pdf-no-pages", "pdf-unreadable", "xml-malformed", "xml-no-root",
                                             "empty-file", "unrecognized-format"]

    /// Whether the file may only be unfinished: failed for damage that a copy still under way shows.
    public static func mayBeCutShort(_ read: ReadFile) -> Bool {
        read.documents.isEmpty && read.reasons.contains { cutShortCodes.contains($0.code) }
    }
}

/// The read stage: in this process, or in reader processes (SecorWorkers) where a document that
/// hangs or crashes a library is stopped or lost alone.
public protocol DocumentReading: Sendable {
    /// Reads every path (sniffed first) on `jobs` workers; each result goes to `deliver` with its
    /// path's index as soon as it is read, so a batch need not hold them all.
    func readAll(_ paths: [String], jobs: Int, deliver: @escaping @Sendable (Int, ReadFile) -> Void) async

    /// Reads one sniffed file, waiting for it (the watcher's loop is a plain thread).
    func read(_ file: InputFile, format: DocumentFormat) -> ReadFile
}

extension Extraction: DocumentReading {
    public func readAll(_ paths: [String], jobs: Int, deliver: @escaping @Sendable (Int, ReadFile) -> Void) async {
        _ = ParallelMap.map(Array(paths.indices), jobs: jobs) { index in deliver(index, read(path: paths[index])) }
    }

    public func read(_ file: InputFile, format: DocumentFormat) -> ReadFile {
        read(bytesOf: file, format: format)
    }
}
