import Foundation
import Poppler
import Testing
import TestSupport

/// `process --out`: what the office sends and keeps, checked as a person would read it.
@Suite(.serialized) struct OutputCommandTests {
    static let rejected: [(id: String, labels: [String], fields: [String])] = [
        ("s07", ["Total workers"], ["workers_total"]),
        ("s08", ["Employment status"], ["trainee_status"]),
        ("s09", ["The company has a permanent office in Saskatchewan."], ["decl_office"]),
    ]

    @Test func rejectedSamplesGetLettersAndAnnotatedCopies() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let files = try FileManager.default.contentsOfDirectory(atPath: Fixtures.samples.path).filter { $0 != "expected.json" }.sorted()
        let run = try ProgramRun.run(["process", "--as-of", "2026-11-22", "--out", out.path, "--format", "json", "--quiet"] + files,
                                     in: Fixtures.samples)
        #expect(run.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let apps = try #require(report["applications"] as? [[String: Any]])
        for (id, labels, fields) in Self.rejected {
            let app = try #require(apps.first { ($0["documents"] as? [[String: Any]])?.contains { ($0["path"] as? String)?.hasPrefix(id) == true } == true })
            let dir = out.appendingPathComponent("rejected/\(app["id"] as! String)")
            let text = try String(contentsOf: dir.appendingPathComponent("letter.txt"), encoding: .utf8)
            let html = try String(contentsOf: dir.appendingPathComponent("letter.html"), encoding: .utf8)
            let pdf = try PDFDocument(data: Data(contentsOf: dir.appendingPathComponent("letter.pdf")))
            let pdfText = (0..<pdf.pageCount).compactMap { pdf.page(at: $0) }.map { String($0.textCharacters().map(\.character)) }.joined()
                .split(whereSeparator: \.isWhitespace).joined(separator: " ")
            let company = (app["fields"] as? [String: Any])?["company_legal_name"] as? String ?? ""
            for label in labels {
                #expect(text.contains(label), "\(id) letter.txt names \(label)")
                #expect(html.contains(label.replacingOccurrences(of: "'", with: "&#39;")), "\(id) letter.html names \(label)")
                #expect(pdfText.contains(label), "\(id) letter.pdf names \(label)")
            }
            #expect(text.contains(company) && (text.contains("What to send back") || text.contains("What to do")))
            #expect(!text.contains("sk-secor/"), "no codes an applicant would not understand")
            #expect(!text.contains(fields[0]), "no field keys either")
            // Each PDF sent with a problem on it comes back annotated: each problem field outlined, with the message, over its box.
            let reasons = app["reasons"] as? [[String: Any]] ?? []
            #expect(reasons.contains { ($0["document"] as? String ?? "").hasSuffix(".pdf") }, "\(id) has a problem on a PDF")
            for doc in app["documents"] as? [[String: Any]] ?? [] {
                let path = doc["path"] as? String ?? ""
                let problems = reasons.filter { $0["document"] as? String == path && $0["box"] != nil }
                let copy = dir.appendingPathComponent("annotated-\(path)")
                #expect(FileManager.default.fileExists(atPath: copy.path) == (path.hasSuffix(".pdf") && !problems.isEmpty), "\(id) \(path)")
                guard path.hasSuffix(".pdf"), !problems.isEmpty else { continue }
                let annotated = try PDFDocument(data: Data(contentsOf: dir.appendingPathComponent("annotated-\(path)")))
                for reason in reasons where reason["document"] as? String == path {
                    let page = try #require(annotated.page(at: (reason["page"] as? Int ?? 1) - 1))
                    let box = try #require(reason["box"] as? [Double])
                    let squares = page.annotations().filter { $0.kind == "Square" }
                    let over = squares.filter { abs($0.rect.x - (box[0] - 2)) < 1 && abs($0.rect.y - (box[1] - 2)) < 1 }
                    #expect(over.count == 1, "\(id) \(reason["field"] ?? ""): an outline over the field's box")
                    #expect(over.first?.contents.contains(reason["message"] as? String ?? "?") == true)
                    // The note is printed beside the box, in the column added to the page, and covers none of it.
                    let printed = page.textCharacters().filter { $0.rect.x > page.size.width - 200 }.map(\.character)
                    let words = String(printed).split(whereSeparator: \.isWhitespace).joined(separator: " ")
                    let message = (reason["message"] as? String ?? "?").split(whereSeparator: \.isWhitespace).joined(separator: " ")
                    #expect(words.contains(message), "\(id): the note is printed in the margin")
                    #expect(!page.annotations().contains { $0.kind == "Text" }, "no pop-up note over the applicant's text")
                }
            }
        }
        // XML submissions get the letter alone.
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path + "/rejected").allSatisfy { dir in
            !(try FileManager.default.contentsOfDirectory(atPath: out.path + "/rejected/" + dir)).contains { $0.hasSuffix(".xml") && $0.hasPrefix("annotated-") }
        })
        // The day's summary, the CSV of accepted applications and one JSON line per record.
        let summary = try String(contentsOf: out.appendingPathComponent("summary.html"), encoding: .utf8)
        #expect(summary.contains("<svg") && summary.contains("Total workers") && summary.contains("letter.pdf"))
        // Nothing fetched from the network (the SVG namespace is a name, not a fetch).
        #expect(!summary.contains("<script") && summary.range(of: #"(src|href)\s*=\s*"(https?:|//)"#, options: .regularExpression) == nil)
        let csv = try String(contentsOf: out.appendingPathComponent("accepted.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\r\n").count == 1 + 6)
        let jsonl = try String(contentsOf: out.appendingPathComponent("results.jsonl"), encoding: .utf8)
        #expect(jsonl.split(separator: "\n").count == 9)
        for line in jsonl.split(separator: "\n") { #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil) }
    }
}
