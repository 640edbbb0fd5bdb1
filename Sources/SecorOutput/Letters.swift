import Foundation
import SecorCore

/// What the office sends an applicant whose application is rejected: one entry per problem,
/// in plain words, naming the form's own labels. No codes an applicant would not understand.
public struct Letter: Sendable {
    public struct Entry: Sendable {
        /// The label as printed on the form.
        public let label: String
        /// What we read ("blank" when nothing was written).
        public let found: String
        /// What the program requires, in plain words.
        public let requirement: String
        /// The program's own words this comes from.
        public let programText: String?
        /// What to send back.
        public let sendBack: String
    }

    public let date: String
    public let reference: String
    public let company: String
    public let signer: String
    public let signerTitle: String
    public let addressLines: [String]
    public let entries: [Entry]
    public let sendBack: [String]

    public var greeting: String { signer.isEmpty ? "Dear applicant," : "Dear \(signer)," }

    public var opening: String {
        "Thank you for applying to the Small Employer Certificate of Recognition (SECOR) program. We have reviewed the "
            + "registration we received for \(company.isEmpty ? "your company" : company) and cannot accept it yet, for the "
            + (entries.count == 1 ? "reason" : "\(entries.count) reasons") + " below. Each can be put right."
    }

    public var closing: [String] {
        ["Please send us " + Letter.list(sendBack) + ", quoting reference \(reference). Once we receive it, we will review your application again.",
         "If you have questions, reply to this letter or call the SECOR registration office.",
         "Sincerely,",
         "SECOR Registration Office"]
    }

    /// "a, b and c".
    static func list(_ items: [String]) -> String {
        switch items.count {
        case 0: return "the corrected documents"
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " and " + items.last!
        }
    }

    // MARK: Text

    public var text: String {
        var out = "\(date)\n\n"
        for line in [signer.isEmpty ? nil : signer + (signerTitle.isEmpty ? "" : ", \(signerTitle)"), company] + addressLines.map(Optional.some) {
            if let line, !line.isEmpty { out += line + "\n" }
        }
        out += "\nReference: \(reference)\n\nRe: your SECOR registration\n\n\(greeting)\n\n\(Self.wrap(opening))\n"
        for (n, e) in entries.enumerated() {
            out += "\n\(n + 1). \(e.label)\n"
            out += Self.wrap("What we read: \(e.found)", indent: "   ") + "\n"
            out += Self.wrap("What the program requires: \(e.requirement)", indent: "   ") + "\n"
            if let rule = e.programText { out += Self.wrap("From the program's requirements: \u{201C}\(rule)\u{201D}", indent: "   ") + "\n" }
            out += Self.wrap("What to send back: \(e.sendBack)", indent: "   ") + "\n"
        }
        out += "\n" + closing.map { Self.wrap($0) }.joined(separator: "\n\n") + "\n"
        return out
    }

    static func wrap(_ text: String, width: Int = 90, indent: String = "") -> String {
        var lines: [String] = []
        var line = indent
        for word in text.split(separator: " ") {
            if line.count + word.count + 1 > width && line.count > indent.count {
                lines.append(line)
                line = indent
            }
            line += (line.count > indent.count ? " " : "") + word
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }

    // MARK: HTML

    public var html: String {
        var body = "<p class=\"date\">\(HTML.escape(date))</p>\n<p class=\"address\">"
        let lines = [signer.isEmpty ? "" : signer + (signerTitle.isEmpty ? "" : ", \(signerTitle)"), company] + addressLines
        body += lines.filter { !$0.isEmpty }.map(HTML.escape).joined(separator: "<br>\n") + "</p>\n"
        body += "<p class=\"reference\">Reference: \(HTML.escape(reference))</p>\n<h1>Your SECOR registration</h1>\n"
        body += "<p>\(HTML.escape(greeting))</p>\n<p>\(HTML.escape(opening))</p>\n<ol class=\"problems\">\n"
        for e in entries {
            body += "<li><h2>\(HTML.escape(e.label))</h2>\n<dl>\n"
            body += "<dt>What we read</dt><dd>\(HTML.escape(e.found))</dd>\n"
            body += "<dt>What the program requires</dt><dd>\(HTML.escape(e.requirement))</dd>\n"
            if let rule = e.programText { body += "<dt>From the program's requirements</dt><dd><q>\(HTML.escape(rule))</q></dd>\n" }
            body += "<dt>What to send back</dt><dd>\(HTML.escape(e.sendBack))</dd>\n</dl></li>\n"
        }
        body += "</ol>\n" + closing.map { "<p>\(HTML.escape($0))</p>" }.joined(separator: "\n")
        return HTML.page(title: "SECOR registration: \(company)", style: Self.style, body: body)
    }

    static let style = """
        body { font-family: "Nimbus Sans", Helvetica, Arial, sans-serif; max-width: 42em; margin: 3em auto; color: #1b1b1b; line-height: 1.45; }
        h1 { font-size: 1.3em; color: #1f3a5f; border-bottom: 2px solid #1f3a5f; padding-bottom: .2em; }
        h2 { font-size: 1.05em; margin: 0 0 .3em; }
        .date, .reference { color: #444; } .address { margin: 1.5em 0; }
        ol.problems li { margin: 1em 0; padding: .6em .9em; border-left: 4px solid #b3261e; background: #fbf3f2; }
        dl { margin: 0; } dt { font-weight: bold; font-size: .9em; color: #444; margin-top: .3em; } dd { margin: 0 0 0 1em; }
        """
}

/// Builds letters from decided applications.
public struct LetterWriter: Sendable {
    public let library: ProgramLibrary

    public init(library: ProgramLibrary) { self.library = library }

    /// The letter for a rejected application (nil otherwise): its `reject` reasons, in order.
    public func letter(for record: ApplicationRecord, date: CalendarDate) -> Letter? {
        guard record.decision == .rejected else { return nil }
        let reasons = record.reasons.filter { $0.severity == .reject }
        guard !reasons.isEmpty else { return nil }
        func text(_ key: String, _ fields: [String: FieldValue]) -> String { fields[key]?.description ?? "" }
        let reg = record.fields, decl = record.declarationFields
        let company = text("company_legal_name", reg).isEmpty ? text("company_legal_name", decl) : text("company_legal_name", reg)
        let signer = text("signer_name", reg).isEmpty ? text("signer_name", decl) : text("signer_name", reg)
        let title = text("signer_title", reg).isEmpty ? text("signer_title", decl) : text("signer_title", reg)
        let cityLine = [text("city", reg), text("province", reg), text("postal_code", reg)].filter { !$0.isEmpty }.joined(separator: " ")
        let address = [text("mailing_address", reg), cityLine].filter { !$0.isEmpty }
        var sendBack: [String] = []
        let entries = reasons.map { r -> Letter.Entry in
            let back = Self.sendBack(for: r.field)
            if !sendBack.contains(back.summary) { sendBack.append(back.summary) }
            let found = (r.found ?? "").isEmpty ? "nothing was filled in" : r.found!
            return Letter.Entry(label: r.label ?? "Your application", found: found, requirement: r.message,
                                programText: programText(r.rule), sendBack: back.detail)
        }
        return Letter(date: Self.longDate(date), reference: record.id, company: company, signer: signer, signerTitle: title,
                      addressLines: address, entries: entries, sendBack: sendBack)
    }

    /// The program's words for `program/edition/rule-id`.
    func programText(_ citation: String) -> String? {
        let parts = citation.split(separator: "/").map(String.init)
        guard parts.count == 3, let edition = library.editions.first(where: { $0.program == parts[0] && $0.edition == parts[1] }) else { return nil }
        return edition.rules.first { $0.id == parts[2] }?.programText
    }

    static func sendBack(for field: String?) -> (summary: String, detail: String) {
        switch field {
        case "declaration":
            return ("the signed SECOR Registration Compliance Declaration",
                    "The SECOR Registration Compliance Declaration, with every statement ticked, signed, named and dated.")
        case "registration":
            return ("the completed SECOR Registration Form", "The completed and signed SECOR Registration Form.")
        case let f? where f.hasPrefix("decl_") || f.hasPrefix("declaration_"):
            return ("a new Compliance Declaration",
                    "A new SECOR Registration Compliance Declaration with every statement ticked, signed, named and dated.")
        default:
            return ("a corrected SECOR Registration Form",
                    "A corrected SECOR Registration Form, signed and dated again in section 4.")
        }
    }

    public static func longDate(_ d: CalendarDate) -> String {
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        return "\(months[d.month - 1]) \(d.day), \(d.year)"
    }
}

/// Escaping for everything an applicant wrote: a company called `<script>` shows as text.
public enum HTML {
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A whole page: no scripts, no network, styles inline.
    public static func page(title: String, style: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
        <title>\(escape(title))</title>
        <style>\(style)</style></head>
        <body>
        \(body)
        </body></html>

        """
    }
}
