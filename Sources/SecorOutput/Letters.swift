import Foundation
import SecorCore

/// What the office sends an applicant: for a rejected application one entry per problem, in
/// plain words, naming the form's own labels and saying what to do about each; for an accepted
/// one, that it is accepted. No codes an applicant would not understand. Every letter carries
/// the office's name, address and how to reach it.
public struct Letter: Sendable {
    public enum Kind: Sendable, Equatable {
        case rejection, acceptance
        /// What the office tells a company about its registration's life (a removal, an audit
        /// overdue): a title and the office's words for it, from the program's edition file.
        case notice(title: String, body: String)
    }

    public struct Entry: Sendable {
        /// The label as printed on the form.
        public let label: String
        /// What we read ("nothing was filled in" when blank).
        public let found: String
        /// What the program requires, in plain words.
        public let requirement: String
        /// The program's own words this comes from.
        public let programText: String?
        /// What to do: what to send back, or (for a reason a corrected form cannot put right) what to do instead.
        public let action: String
        /// Whether a corrected form puts it right.
        public let correctable: Bool

        public var actionLabel: String { correctable ? "What to send back" : "What to do" }
    }

    public let kind: Kind
    public let office: Office
    public let date: String
    public let reference: String
    public let company: String
    public let signer: String
    public let signerTitle: String
    public let addressLines: [String]
    public let entries: [Entry]
    /// What to send back, once each (for the closing).
    public let sendBack: [String]
    /// The document decided, in a sentence ("registration", "enrolment", "audit submission").
    public var document = "registration"

    public var greeting: String {
        if !signer.isEmpty { return "Dear \(signer)," }
        // A comma, not a colon: a name ending in "Inc." would read "Inc.:".
        if case .notice = kind, !company.isEmpty { return "To the management of \(company)," }
        return "Dear applicant,"
    }
    var companyName: String { company.isEmpty ? "your company" : company }

    public var title: String {
        switch kind {
        case .acceptance: "Your SECOR \(document) is accepted"
        case .rejection: "Your SECOR \(document)"
        case let .notice(title, _): title
        }
    }

    /// A reason a corrected form cannot put right (a company too large; a supervisor's decision):
    /// the letter asks for nothing to be sent back, for any of its reasons.
    public var isFinal: Bool { entries.contains { !$0.correctable } }

    /// What to do about an entry; nothing for one a corrected form would put right when the letter is final.
    func action(_ e: Entry) -> String? { isFinal && e.correctable ? nil : e.action }

    public var opening: String {
        let thanks = "Thank you for applying to the Small Employer Certificate of Recognition (SECOR) program. "
        switch kind {
        case let .notice(_, body):
            return body
        case .acceptance:
            return thanks + "We are pleased to tell you that the \(document) we received for \(companyName) is accepted. "
                + "Please quote reference \(reference) whenever you write to us about it."
        case .rejection:
            let why = entries.count == 1 ? "for the reason below" : "for the \(entries.count) reasons below"
            var text = thanks + "We have reviewed the \(document) we received for \(companyName) and cannot accept it"
                + (isFinal ? ", " : " yet, ") + why + "."
            if entries.count > 1 && !isFinal { text += " Each can be put right." }
            return text
        }
    }

    public var closing: [String] {
        var lines: [String] = []
        if case .rejection = kind, !sendBack.isEmpty, !isFinal {
            lines.append("Please send us " + Letter.list(sendBack) + ", quoting reference \(reference). Once we receive it, we will review your application again.")
        }
        let who = office.contact.map { "\($0) at the \(office.name)" } ?? "the \(office.name)"
        lines.append("If you have questions, contact \(who)" + (office.reach.isEmpty ? "" : " (\(office.reach))") + ".")
        lines.append("Sincerely,")
        if let contact = office.contact { lines.append(contact) }
        lines.append(office.name)
        return lines
    }

    /// The office's letterhead: its name, address and how to reach it.
    public var letterhead: [String] {
        [office.name] + office.address + [office.telephone.map { "Telephone \($0)" }, office.email.map { "Email \($0)" }].compactMap { $0 }
    }

    /// "a, b and c".
    static func list(_ items: [String]) -> String {
        switch items.count {
        case 0: return "the corrected documents"
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " and " + items.last!
        }
    }

    /// "Label: message" without doubled punctuation (a label that ends in a full stop or a question mark).
    public static func labelled(_ label: String, _ text: String) -> String {
        var l = label
        while let last = l.last, ".:".contains(last) { l.removeLast() }
        return l.hasSuffix("?") ? "\(l) \(text)" : "\(l): \(text)"
    }

    // MARK: Text

    public var text: String {
        var out = letterhead.joined(separator: "\n") + "\n\n\(date)\n\n"
        for line in [signer.isEmpty ? nil : signer + (signerTitle.isEmpty ? "" : ", \(signerTitle)"), company] + addressLines.map(Optional.some) {
            if let line, !line.isEmpty { out += line + "\n" }
        }
        out += "\nReference: \(reference)\n\nRe: \(title.lowercased().replacingOccurrences(of: "secor", with: "SECOR"))\n\n\(greeting)\n\n\(Self.wrap(opening))\n"
        for (n, e) in entries.enumerated() {
            out += "\n\(n + 1). \(e.label)\n"
            out += Self.wrap("What we read: \(e.found)", indent: "   ") + "\n"
            out += Self.wrap("What the program requires: \(e.requirement)", indent: "   ") + "\n"
            if let rule = e.programText { out += Self.wrap("From the program's requirements: \u{201C}\(rule)\u{201D}", indent: "   ") + "\n" }
            if let action = action(e) { out += Self.wrap("\(e.actionLabel): \(action)", indent: "   ") + "\n" }
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
        var body = "<p class=\"office\">" + letterhead.map(HTML.escape).joined(separator: "<br>\n") + "</p>\n"
        body += "<p class=\"date\">\(HTML.escape(date))</p>\n<p class=\"address\">"
        let lines = [signer.isEmpty ? "" : signer + (signerTitle.isEmpty ? "" : ", \(signerTitle)"), company] + addressLines
        body += lines.filter { !$0.isEmpty }.map(HTML.escape).joined(separator: "<br>\n") + "</p>\n"
        body += "<p class=\"reference\">Reference: \(HTML.escape(reference))</p>\n<h1>\(HTML.escape(title))</h1>\n"
        body += "<p>\(HTML.escape(greeting))</p>\n<p>\(HTML.escape(opening))</p>\n"
        if !entries.isEmpty {
            body += "<ol class=\"problems\">\n"
            for e in entries {
                body += "<li><h2>\(HTML.escape(e.label))</h2>\n<dl>\n"
                body += "<dt>What we read</dt><dd>\(HTML.escape(e.found))</dd>\n"
                body += "<dt>What the program requires</dt><dd>\(HTML.escape(e.requirement))</dd>\n"
                if let rule = e.programText { body += "<dt>From the program's requirements</dt><dd><q>\(HTML.escape(rule))</q></dd>\n" }
                if let action = action(e) { body += "<dt>\(e.actionLabel)</dt><dd>\(HTML.escape(action))</dd>\n" }
                body += "</dl></li>\n"
            }
            body += "</ol>\n"
        }
        body += closing.map { "<p>\(HTML.escape($0))</p>" }.joined(separator: "\n")
        return HTML.page(title: "SECOR \(document): \(company)", style: Self.style, body: body)
    }

    static let style = """
        body { font-family: "Nimbus Sans", Helvetica, Arial, sans-serif; max-width: 42em; margin: 3em auto; color: #1b1b1b; line-height: 1.45; }
        h1 { font-size: 1.3em; color: #1f3a5f; border-bottom: 2px solid #1f3a5f; padding-bottom: .2em; }
        h2 { font-size: 1.05em; margin: 0 0 .3em; }
        .office { color: #1f3a5f; font-weight: bold; } .date, .reference { color: #444; } .address { margin: 1.5em 0; }
        ol.problems li { margin: 1em 0; padding: .6em .9em; border-left: 4px solid #b3261e; background: #fbf3f2; }
        dl { margin: 0; } dt { font-weight: bold; font-size: .9em; color: #444; margin-top: .3em; } dd { margin: 0 0 0 1em; }
        """
}

/// Builds letters from decided applications.
public struct LetterWriter: Sendable {
    public let library: ProgramLibrary
    public let office: Office

    public init(library: ProgramLibrary, office: Office = .unnamed) {
        self.library = library
        self.office = office
    }

    /// The letter for a decided application: a rejection (its `reject` reasons in order, and a
    /// supervisor's reason when one overrode the rules) or an acceptance; nil in review or pending.
    public func letter(for record: ApplicationRecord, date: CalendarDate) -> Letter? {
        let kind: Letter.Kind
        switch record.decision {
        case .accepted: kind = .acceptance
        case .rejected: kind = .rejection
        default: return nil
        }
        func text(_ key: String, _ fields: [String: FieldValue]) -> String { fields[key]?.description ?? "" }
        let reg = record.fields, decl = record.declarationFields
        let company = text("company_legal_name", reg).isEmpty ? text("company_legal_name", decl) : text("company_legal_name", reg)
        let signer = text("signer_name", reg).isEmpty ? text("signer_name", decl) : text("signer_name", reg)
        let title = text("signer_title", reg).isEmpty ? text("signer_title", decl) : text("signer_title", reg)
        let cityLine = [text("city", reg), text("province", reg), text("postal_code", reg)].filter { !$0.isEmpty }.joined(separator: " ")
        let address = [text("mailing_address", reg), cityLine].filter { !$0.isEmpty }
        var sendBack: [String] = []
        var entries: [Letter.Entry] = []
        // A form decided on its own is named in the edition's words (Alberta's enrolment, audit submission).
        let form = record.documents.first?.kind
        let words = library.editions.first { $0.program == record.program && $0.edition == record.edition }?.letters?[form ?? ""]
        if kind == .rejection {
            if let o = record.override, o.decision == .rejected {
                entries.append(Letter.Entry(label: "The program supervisor's decision", found: "your application as a whole", requirement: o.reason,
                                            programText: nil, action: "Contact the office if you wish to discuss this decision.", correctable: false))
            }
            for r in record.reasons where r.severity == .reject {
                let found = (r.found ?? "").isEmpty ? "nothing was filled in" : r.found!
                if let instead = rule(r.rule)?.instead {
                    entries.append(Letter.Entry(label: r.label ?? "Your application", found: found, requirement: r.message,
                                                programText: programText(r.rule), action: instead, correctable: false))
                    continue
                }
                let back = words.map { (summary: $0.sendBack, detail: $0.sendBackDetail) } ?? Self.sendBack(for: r.field)
                if !sendBack.contains(back.summary) { sendBack.append(back.summary) }
                entries.append(Letter.Entry(label: r.label ?? "Your application", found: found, requirement: r.message,
                                            programText: programText(r.rule), action: back.detail, correctable: true))
            }
            guard !entries.isEmpty else { return nil }
        }
        var letter = Letter(kind: kind, office: office, date: Self.longDate(date), reference: record.id, company: company, signer: signer,
                            signerTitle: title, addressLines: address, entries: entries, sendBack: sendBack)
        if let words { letter.document = words.document }
        return letter
    }

    /// The letter telling a company what a processing run did to its registration or certificate
    /// (`reference`: the registration's id or the certificate's number), in the words of the
    /// edition's messages (`notice-removed`, `notice-audit-overdue`, `notice-cancelled`).
    public func letter(for notice: LifeNotice, reference: String, messages: [String: String], date: CalendarDate) -> Letter {
        let values: [String: String] = [
            "company": notice.company, "wcb": notice.wcb,
            "missed": notice.missed == LifeEvent.milestone1.rawValue ? "Milestone #1" : notice.missed == LifeEvent.certified.rawValue ? "certification" : (notice.missed ?? ""),
            "deadline": notice.deadline.map(Self.longDate) ?? "", "removed_on": notice.removedOn.map(Self.longDate) ?? "",
            "may_register_from": notice.mayRegisterFrom.map(Self.longDate) ?? "", "certified": notice.certified.map(Self.longDate) ?? "",
            "missed_anniversary": notice.missedAnniversary.map(Self.longDate) ?? "", "certificate": notice.certificate ?? "",
            "maintenance_audit": notice.maintenanceAudit.map { $0.prefix(1).lowercased() + $0.dropFirst() } ?? "",
            "cancelled_on": notice.cancelledOn.map(Self.longDate) ?? ""]
        return letter(notice: notice.kind, values: values, company: notice.company, wcb: notice.wcb, reference: reference,
                      messages: messages, date: date)
    }

    /// The letter that comes with a certificate issued (`notice-issued`): its number and dates.
    public func letter(for issued: IssuedCertificate, company: String, auditType: String, messages: [String: String], date: CalendarDate) -> Letter {
        let values: [String: String] = [
            "company": company, "wcb": issued.wcb, "certificate": issued.certificate, "issued": Self.longDate(issued.issued),
            "expires": Self.longDate(issued.expires), "audit_type": auditType.prefix(1).lowercased() + auditType.dropFirst(),
            "anniversary_1": issued.anniversaries.first.map(Self.longDate) ?? "", "anniversary_2": issued.anniversaries.last.map(Self.longDate) ?? "",
            "replaces": issued.replaces ?? ""]
        return letter(notice: "issued", values: values, company: company, wcb: issued.wcb, reference: issued.certificate,
                      messages: messages, date: date)
    }

    func letter(notice kind: String, values: [String: String], company: String, wcb: String, reference: String,
                messages: [String: String], date: CalendarDate) -> Letter {
        func fill(_ key: String) -> String {
            values.reduce(messages[key] ?? "") { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
        }
        return Letter(kind: .notice(title: fill("notice-\(kind)-title"), body: fill("notice-\(kind)")), office: office,
                      date: Self.longDate(date), reference: reference, company: company, signer: "", signerTitle: "",
                      addressLines: ["\(messages["account"] ?? "WCB account") \(wcb)"], entries: [], sendBack: [])
    }

    /// The rule a `program/edition/rule-id` citation names.
    func rule(_ citation: String) -> ProgramRule? {
        let parts = citation.split(separator: "/").map(String.init)
        guard parts.count == 3, let edition = library.editions.first(where: { $0.program == parts[0] && $0.edition == parts[1] }) else { return nil }
        return edition.rules.first { $0.id == parts[2] }
    }

    /// The program's words for `program/edition/rule-id`.
    func programText(_ citation: String) -> String? { rule(citation)?.programText }

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
