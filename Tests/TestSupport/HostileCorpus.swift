import Foundation

/// Hostile and broken files, made on demand: what an open inbox can receive.
/// Each is named for what it is; none may be accepted, crash or hang a run, or bring
/// anything from outside itself into an output.
public enum HostileCorpus {
    /// A string that must never appear in any output: it lives only outside the inputs.
    public static let secretFileContents = "SECRET-OUTSIDE-THE-INBOX-7f3a"

    /// Writes the corpus into `folder`; returns the names written. `secretFile` is a file
    /// outside the folder that entities and links point at.
    @discardableResult
    public static func write(into folder: URL, secretFile: URL) throws -> [String] {
        let fm = FileManager.default
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data((secretFileContents + "\n").utf8).write(to: secretFile)
        var names: [String] = []
        func put(_ name: String, _ data: Data) throws {
            try data.write(to: folder.appendingPathComponent(name))
            names.append(name)
        }
        func put(_ name: String, _ text: String) throws { try put(name, Data(text.utf8)) }
        let sample = { (name: String) in try Data(contentsOf: Fixtures.sample(name)) }
        let xml = try String(contentsOf: Fixtures.sample("s05-registration.xml"), encoding: .utf8)
        let root = #"<SecorRegistration xmlns="urn:scsa:secor:registration:2018" formVersion="2018.09" submitted="2026-05-14T10:25:00-06:00">"#

        // XML: entities and DTDs.
        try put("xxe-file.xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY s SYSTEM \"file://\(secretFile.path)\">]>\n\(root)<Company><LegalName>&s;</LegalName></Company></SecorRegistration>")
        try put("xxe-http.xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY s SYSTEM \"http://127.0.0.1:9/x\">]>\n\(root)<Company><LegalName>&s;</LegalName></Company></SecorRegistration>")
        try put("xxe-parameter.xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY % p SYSTEM \"file://\(secretFile.path)\"> %p;]>\n\(root)</SecorRegistration>")
        try put("external-dtd.xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE SecorRegistration SYSTEM \"file://\(secretFile.path)\">\n\(root)</SecorRegistration>")
        var laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY l0 \"lol\">"
        for i in 1...12 { laughs += "<!ENTITY l\(i) \"" + String(repeating: "&l\(i - 1);", count: 10) + "\">" }
        try put("entity-bomb.xml", laughs + "]>\n\(root)<Company><LegalName>&l12;</LegalName></Company></SecorRegistration>")
        let big = String(repeating: "x", count: 50_000)
        try put("quadratic-blowup.xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY a \"\(big)\">]>\n\(root)<Company><LegalName>"
            + String(repeating: "&a;", count: 20_000) + "</LegalName></Company></SecorRegistration>")
        // XML: shapes that cost or confuse.
        try put("nested-100000.xml", root + String(repeating: "<a>", count: 100_000) + String(repeating: "</a>", count: 100_000) + "</SecorRegistration>")
        try put("wide-50000.xml", root + String(repeating: "<Attachment kind=\"x\" fileName=\"y\"/>", count: 50_000) + "</SecorRegistration>")
        var notUTF8 = Data("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".utf8)
        notUTF8.append(Data(xml.dropFirst(39).utf8.prefix(200)))
        notUTF8.append(contentsOf: [0xFF, 0xFE, 0xC3, 0x28, 0xA0, 0xA1])
        notUTF8.append(Data(xml.utf8.dropFirst(239)))
        try put("not-utf8-claims-utf8.xml", notUTF8)
        try put("bom-in-the-middle.xml", xml.replacingOccurrences(of: "<Company>", with: "\u{FEFF}<Company>"))
        try put("bom-after-declaration.xml", xml.replacingOccurrences(of: "?>\n", with: "?>\n\u{FEFF}"))
        try put("xinclude.xml", xml.replacingOccurrences(of: "<Company>", with: "<Company><xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" href=\"file://\(secretFile.path)\" parse=\"text\"/>"))
        try put("stylesheet-pi.xml", xml.replacingOccurrences(of: "?>\n", with: "?>\n<?xml-stylesheet href=\"http://127.0.0.1:9/x.xsl\"?>\n"))
        var utf16 = Data([0xFF, 0xFE])
        utf16.append(xml.replacingOccurrences(of: "UTF-8", with: "UTF-16").data(using: .utf16LittleEndian)!)
        try put("utf16.xml", utf16)
        try put("huge-attribute.xml", root.replacingOccurrences(of: "formVersion=\"2018.09\"", with: "formVersion=\"" + String(repeating: "9", count: 2_000_000) + "\"") + "</SecorRegistration>")
        try put("empty-values.xml", xml.replacingOccurrences(of: #">[^<]+</"#, with: "></", options: .regularExpression))
        try put("control-characters.xml", xml.replacingOccurrences(of: "Wascana Painting Ltd.", with: "Wascana\u{1}\u{7}\u{1B}[31m Painting"))
        try put("bad-submission-time.xml", xml.replacingOccurrences(of: "2026-05-14T10:25:00-06:00", with: "yesterday"))
        try put("xml-named.pdf", Data(xml.utf8))
        try put("truncated.xml", String(xml.prefix(700)))

        // PDF: broken, locked, tricky.
        let reg = try sample("s03-registration.pdf")
        try put("truncated.pdf", reg.prefix(reg.count / 2))
        var brokenXref = reg
        if let r = brokenXref.range(of: Data("xref".utf8), options: .backwards) {
            let start = r.upperBound
            brokenXref.replaceSubrange(start..<min(start + 200, brokenXref.count), with: Data(String(repeating: "9", count: 200).utf8))
        }
        try put("broken-xref.pdf", brokenXref)
        try put("encrypted.pdf", try Data(contentsOf: Fixtures.bad("encrypted.pdf")))
        try put("javascript.pdf", minimalPDF(extraCatalog: "/OpenAction << /S /JavaScript /JS (app.alert\\('hi'\\);) >>", content: "BT /F1 18 Tf 72 700 Td (SECOR\\256 Registration Form) Tj ET"))
        try put("page-200-inches-wide.pdf", minimalPDF(mediaBox: "[0 0 14400 792]", content: "BT /F1 18 Tf 72 700 Td (wide) Tj ET"))
        try put("zero-size-page.pdf", minimalPDF(mediaBox: "[0 0 0 0]", content: ""))
        try put("decompression-bomb.pdf", bombPDF())
        try put("500-pages.pdf", minimalPDF(pages: 500, content: "BT /F1 12 Tf 72 700 Td (page) Tj ET"))
        try put("recursive-page-tree.pdf", recursivePDF())
        try put("deep-arrays.pdf", minimalPDF(content: String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000)))
        try put("fake-title-only.pdf", minimalPDF(content: "BT /F1 18 Tf 40 760 Td (SECOR\\256 Registration Form) Tj ET"))
        try put("header-then-garbage.pdf", Data("%PDF-1.7\n".utf8) + Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }))
        try put("header-only.pdf", "%PDF-1.7\n%%EOF\n")
        try put("not-a-secor-form.pdf", try Data(contentsOf: Fixtures.bad("not-a-secor-form.pdf")))
        try put("empty.pdf", Data())
        try put("random-bytes.pdf", Data((0..<4096).map { UInt8(truncatingIfNeeded: ($0 &* 2654435761) >> 13) }))

        // Names and kinds of file.
        try put("name with\nnewline.pdf", reg.prefix(100))
        try put("nön-åscii-名前.pdf", Data("%PDF-1.4 nothing".utf8))
        try put("report../..final.pdf".replacingOccurrences(of: "/", with: "_"), Data("..".utf8))
        try fm.createSymbolicLink(at: folder.appendingPathComponent("link-outside.pdf"), withDestinationURL: secretFile)
        names.append("link-outside.pdf")
        // A folder named like a document: walked into (it is empty), not read.
        try fm.createDirectory(at: folder.appendingPathComponent("a-folder.pdf"), withIntermediateDirectories: true)
        mkfifo(folder.appendingPathComponent("fifo.pdf").path, 0o644)
        names.append("fifo.pdf")
        return names
    }

    /// A small PDF with Helvetica, one or more pages of `content`.
    static func minimalPDF(pages: Int = 1, mediaBox: String = "[0 0 612 792]", extraCatalog: String = "", content: String) -> Data {
        var objects: [String] = []
        let kids = (0..<pages).map { "\(4 + 2 * $0) 0 R" }.joined(separator: " ")
        objects.append("<< /Type /Catalog /Pages 2 0 R \(extraCatalog) >>")
        objects.append("<< /Type /Pages /Kids [\(kids)] /Count \(pages) >>")
        objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
        for i in 0..<pages {
            objects.append("<< /Type /Page /Parent 2 0 R /MediaBox \(mediaBox) /Resources << /Font << /F1 3 0 R >> >> /Contents \(5 + 2 * i) 0 R >>")
            objects.append("<< /Length \(content.utf8.count) >>\nstream\n\(content)\nendstream")
        }
        return assemble(objects)
    }

    static func assemble(_ objects: [String]) -> Data {
        var out = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (i, o) in objects.enumerated() {
            offsets.append(out.utf8.count)
            out += "\(i + 1) 0 obj\n\(o)\nendobj\n"
        }
        let xref = out.utf8.count
        out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for o in offsets { out += String(format: "%010d 00000 n \n", o) }
        out += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Data(out.utf8)
    }

    /// A zlib stream of `count` zero bytes: one literal, then copies of 258 bytes at distance 1
    /// (fixed Huffman codes), so 144 MB inflate from under a megabyte.
    static func zerosZlib(count: Int) -> Data {
        var out = Data([0x78, 0x01])
        var bitBuffer: UInt32 = 0, bitCount = 0
        func bits(_ value: UInt32, _ n: Int) {
            bitBuffer |= value << UInt32(bitCount)
            bitCount += n
            while bitCount >= 8 { out.append(UInt8(bitBuffer & 0xFF)); bitBuffer >>= 8; bitCount -= 8 }
        }
        // Huffman codes go most significant bit first.
        func code(_ value: UInt32, _ n: Int) {
            var reversed: UInt32 = 0
            for i in 0..<n where value & (1 << UInt32(i)) != 0 { reversed |= 1 << UInt32(n - 1 - i) }
            bits(reversed, n)
        }
        bits(1, 1); bits(1, 2)            // the last block, fixed Huffman
        code(0x30, 8)                      // literal 0
        var left = count - 1
        while left >= 258 { code(0xC5, 8); code(0, 5); left -= 258 } // length 258, distance 1
        while left > 0 { code(0x30, 8); left -= 1 }
        code(0, 7)                         // end of block
        if bitCount > 0 { out.append(UInt8(bitBuffer & 0xFF)) }
        let adler = (UInt32(count % 65521) << 16) | 1
        out.append(contentsOf: [UInt8(adler >> 24), UInt8((adler >> 16) & 0xFF), UInt8((adler >> 8) & 0xFF), UInt8(adler & 0xFF)])
        return out
    }

    /// A page whose image is 12,000 × 12,000 grey pixels of zeros, deflated to under a megabyte.
    static func bombPDF() -> Data {
        // A zlib stream of 1.6 GB of zeros would take long to make; a short stored header claims the size,
        // and a run of compressed zeros supplies as much as the reader cares to inflate.
        let zlib = zerosZlib(count: 12_000 * 12_000)
        var out = Data("%PDF-1.4\n".utf8)
        var offsets: [Int] = []
        func obj(_ body: Data) {
            offsets.append(out.count)
            out.append(Data("\(offsets.count) 0 obj\n".utf8))
            out.append(body)
            out.append(Data("\nendobj\n".utf8))
        }
        obj(Data("<< /Type /Catalog /Pages 2 0 R >>".utf8))
        obj(Data("<< /Type /Pages /Kids [3 0 R] /Count 1 >>".utf8))
        obj(Data("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>".utf8))
        let content = "q 612 0 0 792 0 0 cm /Im1 Do Q"
        obj(Data("<< /Length \(content.count) >>\nstream\n\(content)\nendstream".utf8))
        var image = Data("<< /Type /XObject /Subtype /Image /Width 12000 /Height 12000 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length \(zlib.count) >>\nstream\n".utf8)
        image.append(zlib)
        image.append(Data("\nendstream".utf8))
        obj(image)
        let xref = out.count
        var tail = "xref\n0 \(offsets.count + 1)\n0000000000 65535 f \n"
        for o in offsets { tail += String(format: "%010d 00000 n \n", o) }
        tail += "trailer\n<< /Size \(offsets.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        out.append(Data(tail.utf8))
        return out
    }

    /// A page tree whose node lists itself as its own kid.
    static func recursivePDF() -> Data {
        assemble(["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
                  "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"])
    }
}
