import Foundation
import SecorCore
import SecorReaders
import SecorOutput
import SecorPipeline

/// What `make fuzz` runs on each input libFuzzer makes, and what the regression tests run on
/// every input it ever found a crash with. Each checks the stage's promises, not only that it
/// returns, and gives back the broken ones; the fuzzing entry stops on any, like on a crash.
public enum FuzzTargets {
    /// The intake chain as `process` runs it, but for the PDF reader: no OCR (a fuzzed page is not
    /// worth seconds of tesseract, and the scan path is fed real scans in tests) and 4 pages at most.
    static let pipeline: IntakePipeline = {
        let shipped = try! IntakePipeline.shipped()
        let extraction = try! Extraction.shipped()
        var pdf = PDFFormReader(templates: shipped.templates)
        pdf.maxPages = 4
        return IntakePipeline(sniffer: shipped.sniffer, reading: Extraction(sniffer: extraction.sniffer, pdf: pdf, xml: extraction.xml),
                              assembler: shipped.assembler, library: shipped.library, templates: shipped.templates)
    }()
    static var templates: FormTemplates { pipeline.templates }
    static let date = CalendarDate(year: 2026, month: 11, day: 22)!

    public static let all: [String: @Sendable (Data) -> [String]] = ["normalizers": normalizers, "xml": xmlExport, "pdf": pdfForm]

    /// Broken promises found on one input.
    final class Promises {
        var broken: [String] = []
        func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
            if !condition() { broken.append(message()) }
        }
    }

    /// Every normalizer on the input as text, then the input split into a registration's fields,
    /// normalized, assembled and decided.
    public static func normalizers(_ data: Data) -> [String] {
        let promises = Promises()
        let require = promises.require
        let text = String(decoding: data.prefix(4096), as: UTF8.self)
        if case let .value(n) = Normalize.count(text) {
            require(n >= 0, "count \(n) of \(text.debugDescription)")
            require(Normalize.count(String(n)) == .value(n), "count \(n) does not read back")
        }
        if case let .value(d) = Normalize.date(text) {
            require((1...12).contains(d.month) && (1...31).contains(d.day), "date \(d) of \(text.debugDescription)")
            require(Normalize.date(d.description) == .value(d), "date \(d) does not read back")
        }
        for normalize in [Normalize.phone, Normalize.postalCode, Normalize.wcbAccount, Normalize.email, Normalize.province, Normalize.text] {
            if case let .value(v) = normalize(text) { require(normalize(v) == .value(v), "\(v.debugDescription) does not read back") }
        }
        _ = Normalize.yesNo(text)
        _ = Normalize.companyKey(text)
        _ = Normalize.personKey(text)
        _ = Normalize.choice(text, among: ["Trade contractor", "General contractor"])
        _ = SubmissionTime(iso8601: text)

        // The same bytes as a whole registration: one value per template field, split at NUL.
        let parts = data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0.prefix(512), as: UTF8.self) }
        var fields: [String: ExtractedField] = [:]
        for (i, field) in templates.registration.fields.enumerated() where i < parts.count {
            fields[field.key] = ExtractedField(value: parts[i], source: .text, page: 1, confidence: 1)
        }
        let document = ExtractedDocument(kind: .registration, flavor: .flat, formEdition: "2018-09", pages: [1], fields: fields)
        let normalized = pipeline.assembler.normalizer.normalize(document)
        for (key, f) in normalized.fields { require(f.written == (fields[key]?.value ?? f.written), "\(key) lost what was written") }
        let read = ReadFile(file: InputFile(path: "fuzz.pdf", data: data), format: .pdf, pageCount: 1, documents: [document])
        decided([read], promises)
        return promises.broken
    }

    /// The rest of the chain (receive, assemble, decide, record) on files read.
    static func decided(_ reads: [ReadFile], _ promises: Promises) {
        let require = promises.require
        do {
            let outcome = try pipeline.decide(reads, on: date)
            for record in outcome.applications {
                if record.decision == .accepted { require(!record.reasons.contains { $0.severity == .reject }, "accepted with a rejection reason") }
                if record.decision == .rejected { require(record.reasons.contains { $0.severity == .reject }, "rejected with no rejection reason") }
                require((try? JSONOutput.string(record)) != nil, "record does not encode")
            }
            let files = Set(reads.map(\.file.sha256))
            let listed = Set(outcome.applications.flatMap { $0.documents.map(\.sha256) } + outcome.unmatched.map(\.sha256))
            require(files == listed, "a file is in no application and not unmatched")
        } catch {
            require(false, "deciding threw \(error)")
        }
    }

    /// The XML export reader on the bytes as a file.
    public static func xmlExport(_ data: Data) -> [String] {
        check(pipeline.reading.read(InputFile(path: "fuzz.xml", data: data), format: .xml))
    }

    /// The PDF form reader on the bytes as a file.
    public static func pdfForm(_ data: Data) -> [String] {
        check(pipeline.reading.read(InputFile(path: "fuzz.pdf", data: data), format: .pdf))
    }

    static func check(_ read: ReadFile) -> [String] {
        let promises = Promises()
        let require = promises.require
        require(!read.documents.isEmpty || !read.reasons.isEmpty, "nothing read and no reason given")
        for reason in read.reasons + read.documents.flatMap(\.reasons) { require(!reason.message.isEmpty, "a reason without words") }
        for document in read.documents {
            guard let template = templates.template(for: document.kind) else { continue }
            let keys = Set(template.fields.map(\.key))
            for (key, field) in document.fields {
                require(keys.contains(key), "field \(key) is not on the \(document.kind) form")
                require((0...1).contains(field.confidence), "confidence \(field.confidence)")
            }
        }
        decided([read], promises)
        return promises.broken
    }
}
