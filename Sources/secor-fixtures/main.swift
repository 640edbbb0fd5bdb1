// secor-fixtures: makes the project's own scanned test forms and measures how well they
// are read (a developer's tool, not shipped).
//
//   secor-fixtures scans [--count N] [--seed S] OUT     N applications, scanned, and truth.json
//   secor-fixtures accuracy DIR                          reads DIR's scans and compares with truth.json
//   secor-fixtures mail-accuracy DIR                     reads mailed samples and compares with expected.json, per field kind
//   secor-fixtures typed [--pdfs N] [--xmls M] OUT       applications typed onto the forms (PDF) and as XML exports
//   secor-fixtures layout BLANK.pdf                      a blank form's widgets and printed lines, to write its template from
//   secor-fixtures read-crop CROP.pgm...                 the hand-print recognizer's reading of dumped crops (SECOR_OCR_DUMP)
//   secor-fixtures registry --records DIR [--applications N] DB   a registry of N applications made from DIR's records
import ArgumentParser
import Foundation
import SecorCore
import SecorFixtures
import SecorReaders
import SecorPipeline
import SecorSupport
import Poppler
import Imaging
import HandPrint

@main
struct SecorFixturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "secor-fixtures", subcommands: [Scans.self, Accuracy.self, MailAccuracyCommand.self, Typed.self, SeedRegistry.self, Layout.self, ReadCrop.self])
}

struct Scans: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Generate scanned forms with known values.")

    @Option(help: "Applications to generate (two scanned documents each).") var count = 30
    @Option(help: "Random seed (the same seed gives the same files).") var seed: UInt64 = 11
    @Option(help: "How they arrive, taken in turn: all, or a comma-separated list of \(ScanGenerator.Dimension.allCases.map(\.rawValue).joined(separator: ", ")).")
    var dimensions = "typed"
    @Option(help: "An office's expected.json: scan each of its documents (any program's) instead of made-up applications, --count copies of each.")
    var values: String?
    @Argument(help: "Output folder.") var out: String

    func run() throws {
        let generator = try ScanGenerator(templates: try FormTemplates.shipped.get())
        let chosen = dimensions == "all" ? ScanGenerator.Dimension.allCases
            : try dimensions.split(separator: ",").map { name in
                guard let d = ScanGenerator.Dimension(rawValue: String(name)) else { throw ValidationError("no dimension \(name)") }
                return d
            }
        let generated: [ScanGenerator.Generated]
        if let values {
            // Each case's documents, under their kinds (`registration`, `declaration`, `enrolment`, `audit_submission`).
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: values))) as? [String: Any]
            let documents = (json?["cases"] as? [[String: Any]] ?? []).flatMap { c in
                DocumentKind.allCases.compactMap { kind in (c[kind.rawValue] as? [String: String]).map { (kind, $0) } }
            }
            guard !documents.isEmpty else { throw ValidationError("\(values) has no cases with values") }
            generated = try generator.generate(documents: documents, copies: count, seed: seed, dimensions: chosen, into: URL(fileURLWithPath: out))
        } else {
            generated = try generator.generate(count: count, seed: seed, dimensions: chosen, into: URL(fileURLWithPath: out))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(generated).write(to: URL(fileURLWithPath: out).appendingPathComponent("truth.json"))
        print("\(generated.count) scanned documents in \(out)")
    }
}

struct Accuracy: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Read generated scans and compare every value with what was written.")

    @Option(help: "Files read at once.") var jobs = ProcessInfo.processInfo.activeProcessorCount
    @Argument(help: "A folder made by `secor-fixtures scans`.") var folder: String

    func run() throws {
        setenv("OMP_THREAD_LIMIT", "1", 0)
        let dir = URL(fileURLWithPath: folder)
        let truth = try JSONDecoder().decode([ScanGenerator.Generated].self, from: Data(contentsOf: dir.appendingPathComponent("truth.json")))
        let extraction = try Extraction.shipped()
        let threshold = MailAccuracy.reviewThreshold(try ProgramLibrary.load())
        let reads = ParallelMap.map(truth, jobs: jobs) { extraction.read(path: dir.appendingPathComponent($0.file).path) }
        var report = AccuracyReport(threshold: threshold)
        var byDimension: [ScanGenerator.Dimension: AccuracyReport] = [:]
        // Hand print, per field kind: what each kind of reading gets right.
        var handByKind: [String: AccuracyReport] = [:]
        let templates = try FormTemplates.shipped.get()
        for (generated, read) in zip(truth, reads) {
            let document = read.documents.first { $0.kind.rawValue == generated.kind }
            report.add(file: generated.file, written: generated.values, read: document)
            byDimension[generated.settings.dimension, default: AccuracyReport(threshold: threshold)]
                .add(file: generated.file, written: generated.values, read: document)
            guard generated.settings.dimension == .hand, let kind = DocumentKind(rawValue: generated.kind) else { continue }
            for (key, value) in generated.values {
                handByKind[MailAccuracy.reportKind(key, of: kind, templates: templates), default: AccuracyReport(threshold: threshold)]
                    .add(file: generated.file, written: [key: value], read: document)
            }
        }
        print(report, terminator: "")
        print("\nper dimension (confidently wrong: read wrong yet reported at or above \(threshold)):")
        for dimension in ScanGenerator.Dimension.allCases {
            guard let r = byDimension[dimension] else { continue }
            print("  \(dimension.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)) \(r.line)")
        }
        if !handByKind.isEmpty {
            print("\nhand print, per field kind:")
            print(MailAccuracy.table(handByKind), terminator: "")
        }
        // The promise: at most 1% of values confidently wrong, in every dimension.
        if byDimension.values.contains(where: { $0.confidentlyWrong > 0.01 }) { throw ExitCode(1) }
    }
}

struct Typed: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Generate typed forms (PDFs with a text layer) and XML exports.")

    @Option(help: "Applications typed as PDFs (a registration and a declaration each).") var pdfs = 500
    @Option(help: "Applications exported as XML (the registration).") var xmls = 1000
    @Option(help: "Random seed (the same seed gives the same files).") var seed: UInt64 = 7
    @Argument(help: "Output folder.") var out: String

    func run() throws {
        let generator = try ScanGenerator(templates: try FormTemplates.shipped.get())
        let files = try generator.generateTyped(pdfs: pdfs, xmls: xmls, seed: seed, into: URL(fileURLWithPath: out))
        print("\(files.pdfs.count) typed PDFs and \(files.xmls.count) XML exports in \(out)")
    }
}

struct SeedRegistry: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "registry",
        abstract: "A registry of many applications, made from the records a `secor-intake process --out` run wrote.")

    @Option(help: "The folder `process --out` wrote (its <state>/<id>/record.json are the patterns).") var records: String
    @Option(help: "Applications to write.") var applications = 10_000
    @Option(help: "Of every 100, how many are left in review with a doubtful field.") var inReview = 20
    @Option(help: "Random seed (the same seed gives the same registry).") var seed: UInt64 = 9
    @Argument(help: "The registry file to write (made if missing).") var database: String

    func run() throws {
        let seeder = try RegistrySeeder(recordsIn: URL(fileURLWithPath: records))
        let probes = try seeder.seed(applications, inReview: inReview, seed: seed, registryAt: database)
        // The words a search can be tried with, one per line, after the count.
        print("\(applications) applications from \(seeder.templates.count) records in \(database)")
        for p in probes { print(p) }
    }
}

/// What a template is written from: each page's AcroForm widgets and printed lines, with their
/// boxes in page points (origin top-left), as JSON.
struct Layout: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a blank form's widgets and printed lines (for writing its template).")

    @Argument(help: "The blank form (a PDF).") var blank: String

    struct Line: Encodable { let text: String; let box: [Double] }
    struct Widget: Encodable { let name: String; let kind: String; let box: [Double] }
    struct Page: Encodable { let page: Int; let size: [Double]; let widgets: [Widget]; let lines: [Line] }

    func run() throws {
        let document = try PDFDocument(data: Data(contentsOf: URL(fileURLWithPath: blank)))
        var pages: [Page] = []
        for index in 0..<document.pageCount {
            guard let page = document.page(at: index) else { continue }
            func rounded(_ b: Box) -> [Double] { [b.x, b.y, b.width, b.height].map { ($0 * 100).rounded() / 100 } }
            let widgets = page.formWidgets().map { Widget(name: $0.name, kind: $0.kind.rawValue, box: rounded($0.rect)) }
            // Characters into lines: same baseline, and a gap under two character widths.
            var lines: [(text: String, box: Box)] = []
            for c in page.textCharacters() {
                if let last = lines.last, abs(last.box.maxY - c.rect.maxY) < 2, c.rect.x - last.box.maxX < 2 * max(c.rect.width, 3) {
                    let b = last.box
                    let x0 = min(b.x, c.rect.x), y0 = min(b.y, c.rect.y)
                    lines[lines.count - 1] = (last.text + String(c.character),
                        Box(x: x0, y: y0, width: max(b.maxX, c.rect.maxX) - x0, height: max(b.maxY, c.rect.maxY) - y0))
                } else if !c.character.isWhitespace && !c.character.isNewline {
                    lines.append((String(c.character), c.rect))
                }
            }
            let printed = lines.map { Line(text: $0.text.trimmingCharacters(in: .whitespaces), box: rounded($0.box)) }
            pages.append(Page(page: index + 1, size: [page.size.width, page.size.height], widgets: widgets, lines: printed))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(pages), as: UTF8.self))
    }
}

struct MailAccuracyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mail-accuracy",
        abstract: "Read an office's mailed samples and compare every value with expected.json, per field kind.")

    @Option(help: "Files read at once.") var jobs = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "List every value read wrong.") var misses = false
    @Option(help: "The processing date the applications are decided on (YYYY-MM-DD; today if not given).") var on: String?
    @Argument(help: "A folder of mailed samples with their expected.json (samples-mail).") var folder: String

    func run() throws {
        setenv("OMP_THREAD_LIMIT", "1", 0)
        let dir = URL(fileURLWithPath: folder)
        let cases = try MailAccuracy.cases(in: dir.appendingPathComponent("expected.json"))
        let files = Array(Set(cases.flatMap(\.files))).sorted()
        let pipeline = try IntakePipeline.shipped()
        let threshold = MailAccuracy.reviewThreshold(pipeline.library)
        let reads = ParallelMap.map(files, jobs: jobs) { pipeline.read(path: dir.appendingPathComponent($0).path) }
        var asRead = MailAccuracy(threshold: threshold, templates: pipeline.templates)
        for (file, read) in zip(files, reads) { asRead.add(file: file, documents: read.documents, cases: cases) }
        let outcome = try pipeline.decide(reads, on: on.flatMap { CalendarDate(iso: $0) } ?? CalendarDate.today())
        var filed = MailAccuracy(threshold: threshold, templates: pipeline.templates)
        filed.add(applications: outcome.applications, unmatched: outcome.unmatched.map(\.path), reads: reads, cases: cases)
        for (title, report) in [("as read", asRead), ("as filed, each application's context weighed", filed)] {
            print("\(folder) \(title): \(report.overall.right) of \(report.overall.values) values right; per field kind "
                  + "(confidently wrong: wrong yet reported at or above \(threshold)):")
            print(report.table, terminator: "")
            for u in report.unmatched { print("  read as no case's document: \(u)") }
            if misses { print(report.overall, terminator: "") }
        }
    }
}

struct ReadCrop: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "read-crop",
        abstract: "The hand-print recognizer's reading of crops the reader dumped (SECOR_OCR_DUMP), each character's probability.")

    @Option(help: "Only these characters.") var allowed: String?
    @Flag(help: "Trimmed to the ink and padded first, as the reader does.") var asRead = false
    @Option(help: "The trim's margin with --as-read.") var margin = 4
    @Option(help: "The model's input at least this wide (a count's glyph: \(HandPrintRecognizer.glyphWidth)).")
    var width = HandPrintRecognizer.minimumWidth
    @Argument(help: "Binary PGM files (P5, 8 bits).") var crops: [String]

    func run() throws {
        guard let folder = ModelFiles.folder() else { throw ValidationError("no hand-print model installed (make models)") }
        let recognizer = try HandPrintRecognizer(folder: folder)
        for path in crops {
            guard var raster = Raster(pgm: try Data(contentsOf: URL(fileURLWithPath: path))) else {
                throw ValidationError("\(path) is not an 8-bit binary PGM")
            }
            if asRead { raster = CropCleaning.pad(CropCleaning.framed(raster, margin: margin), by: 12) }
            let candidates = try recognizer.glyphCandidates(raster, allowed: Set("0123456789"))
            print("\(path): glyphs \(candidates.map { "\($0.character)=\(String(format: "%.2f", $0.probability))" })")
            let reading = try recognizer.read(raster, allowed: allowed.map { Set($0) }, minimumWidth: width)
            print("\(path): \(reading.text) min \(String(format: "%.2f", reading.characterProbabilities.min() ?? 0)) "
                  + reading.characterProbabilities.map { String(format: "%.2f", $0) }.joined(separator: " "))
        }
    }
}
