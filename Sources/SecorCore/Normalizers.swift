import Foundation

/// What a normalizer made of what the applicant wrote.
public enum Normalized<Value: Sendable & Equatable>: Sendable, Equatable {
    case value(Value)
    /// Nothing written (0 is a count; blank is not).
    case blank
    /// Written, but not a valid value; `why` is a short phrase for staff and letters.
    case invalid(why: String)
    /// More than one reading is possible (`03/04/2026`).
    case ambiguous([Value])

    public var value: Value? { if case let .value(v) = self { v } else { nil } }
}

/// A calendar date without a time or zone, as forms carry them.
public struct CalendarDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int, month: Int, day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1900...2200).contains(year), (1...12).contains(month), day >= 1,
              day <= CalendarDate.daysIn(month: month, year: year) else { return nil }
        self.year = year; self.month = month; self.day = day
    }

    /// `YYYY-MM-DD`.
    public init?(iso: String) {
        let parts = iso.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }
    public static func < (a: CalendarDate, b: CalendarDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    public init(from decoder: any Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let d = CalendarDate(iso: s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a YYYY-MM-DD date: \(s)"))
        }
        self = d
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// Small pure functions, one per kind of value, that turn what applicants write into one form.
public enum Normalize {
    /// How alike two strings are, 0 to 1: one less the edit distance over the longer length.
    public static func similarity(_ a: String, _ b: String) -> Double {
        let x = Array(a.lowercased()), y = Array(b.lowercased())
        guard !x.isEmpty || !y.isEmpty else { return 1 }
        var previous = Array(0...y.count)
        for i in 1...max(1, x.count) where !x.isEmpty {
            var current = [i] + [Int](repeating: 0, count: y.count)
            for j in 1...max(1, y.count) where !y.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            previous = current
        }
        let distance = x.isEmpty ? y.count : y.isEmpty ? x.count : previous[y.count]
        return 1 - Double(distance) / Double(max(x.count, y.count))
    }

    static func squeeze(_ s: String) -> String {
        // Nearly everything applicants write is ASCII: its white space is known without
        // looking up each Character's Unicode properties.
        if s.utf8.allSatisfy({ $0 < 0x80 }) {
            var out: [UInt8] = []
            out.reserveCapacity(s.utf8.count)
            var pendingSpace = false
            for byte in s.utf8 {
                if byte == 0x20 || (0x09...0x0D).contains(byte) {
                    pendingSpace = !out.isEmpty
                } else {
                    if pendingSpace { out.append(0x20); pendingSpace = false }
                    out.append(byte)
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
        return s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    // MARK: Counts

    private static let numberWords: [String: Int] = [
        "zero": 0, "none": 0, "nil": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
        "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
        "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    ]

    /// `7`, ` 7 `, `seven`, `7 (seven)`, `07`. A number and a word that disagree are invalid.
    public static func count(_ raw: String) -> Normalized<Int> {
        let text = squeeze(raw).lowercased()
        if text.isEmpty { return .blank }
        let words = text.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        var readings = Set<Int>()
        for word in words {
            if let n = Int(word), word.count <= 6 {
                readings.insert(n)
            } else if let n = numberWords[word] {
                readings.insert(n)
            } else {
                return .invalid(why: "“\(squeeze(raw))” is not a number of workers")
            }
        }
        guard readings.count == 1, let n = readings.first else {
            return readings.isEmpty ? .invalid(why: "“\(squeeze(raw))” is not a number") : .invalid(why: "“\(squeeze(raw))” gives two different numbers")
        }
        return .value(n)
    }

    // MARK: Yes / No

    /// Yes, Y, true, X, a tick → yes; No, N, false → no.
    public static func yesNo(_ raw: String) -> Normalized<Bool> {
        let text = squeeze(raw).lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ".!"))
        if text.isEmpty { return .blank }
        switch text {
        case "yes", "y", "true", "t", "x", "1", "on", "oui", "✓", "✔", "■", "☑", "☒", "✗", "✘", "checked", "ticked":
            return .value(true)
        case "no", "n", "false", "f", "0", "off", "non", "unchecked":
            return .value(false)
        default:
            return .invalid(why: "“\(squeeze(raw))” is neither Yes nor No")
        }
    }

    // MARK: Dates

    /// A date read off paper with its month's name a letter or two out ("9 SEPTEMRER 2026"): the
    /// word nearest a month's full name (and far from every other) put right, case kept. Nil when
    /// no word is such a slip.
    public static func monthNamePutRight(_ raw: String) -> String? {
        let names = months.filter { $0.key.count > 4 }.map(\.key)
        var changed = false
        let words = raw.split(separator: " ", omittingEmptySubsequences: false).map { word -> String in
            let letters = word.lowercased().filter(\.isLetter)
            guard letters.count >= 5, months[letters] == nil else { return String(word) }
            let ranked = names.map { ($0, similarity($0, letters)) }.sorted { $0.1 > $1.1 }
            guard let best = ranked.first, best.1 >= 0.75, best.1 - (ranked.dropFirst().first?.1 ?? 0) >= 0.2 else { return String(word) }
            changed = true
            let fixed = word.first?.isUppercase == true && word.dropFirst().first?.isUppercase == true ? best.0.uppercased() : best.0.capitalized
            return word.last.map { $0.isLetter ? fixed : fixed + String($0) } ?? fixed
        }
        return changed ? words.joined(separator: " ") : nil
    }

    private static let months: [String: Int] = [
        "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
        "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
        "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
    ]

    /// `2026-03-03`, `2026/03/03`, `March 3, 2026`, `3 Mar 2026`, `Mar. 3 2026`. `03/04/2026` is
    /// ambiguous unless only one reading (day/month or month/day) is a real date.
    public static func date(_ raw: String) -> Normalized<CalendarDate> {
        let text = squeeze(raw).lowercased()
        if text.isEmpty { return .blank }
        // A month's name written against its numbers is a token of its own ("16Jan2026").
        let tokens = text.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).flatMap { word -> [String] in
            var parts: [String] = []
            for c in word {
                if let last = parts.last?.last, last.isLetter == c.isLetter { parts[parts.count - 1].append(c) } else { parts.append(String(c)) }
            }
            return parts
        }
        let invalid = Normalized<CalendarDate>.invalid(why: "“\(squeeze(raw))” is not a date")
        guard tokens.count == 3 else { return invalid }
        let numbers = tokens.map { Int($0) }
        // A month written as a word: the other two are the day and the four-digit year.
        if let monthIndex = tokens.firstIndex(where: { months[$0.hasSuffix(".") ? String($0.dropLast()) : $0] != nil }) {
            let month = months[tokens[monthIndex]]!
            let rest = (0..<3).filter { $0 != monthIndex }.compactMap { numbers[$0] }
            guard rest.count == 2 else { return invalid }
            let (a, b) = (rest[0], rest[1])
            let candidate = a > 31 ? CalendarDate(year: a, month: month, day: b) : CalendarDate(year: b, month: month, day: a)
            return candidate.map { .value($0) } ?? invalid
        }
        guard numbers.allSatisfy({ $0 != nil }) else { return invalid }
        let n = numbers.map { $0! }
        if tokens[0].count == 4 {
            // Year first: always year, month, day.
            return CalendarDate(year: n[0], month: n[1], day: n[2]).map { .value($0) } ?? invalid
        }
        guard tokens[2].count == 4 else { return invalid }
        // Day/month or month/day: keep the readings that are real dates.
        let readings = Array(Set([CalendarDate(year: n[2], month: n[1], day: n[0]), CalendarDate(year: n[2], month: n[0], day: n[1])].compactMap { $0 }))
        switch readings.count {
        case 0: return invalid
        case 1: return .value(readings[0])
        default: return .ambiguous(readings.sorted())
        }
    }

    // MARK: Telephone

    /// Canadian numbers to `+1NNNNNNNNNN`; an extension is dropped.
    /// A normalized North American number (`+13065550142`) as people write it: `306-555-0142`.
    /// Anything else is returned as it is.
    public static func phoneAsWritten(_ normalized: String) -> String {
        let digits = normalized.filter(\.isNumber)
        guard normalized.hasPrefix("+1"), digits.count == 11 else { return normalized }
        let d = Array(digits.dropFirst())
        return String(d[0..<3]) + "-" + String(d[3..<6]) + "-" + String(d[6..<10])
    }

    public static func phone(_ raw: String) -> Normalized<String> {
        var text = squeeze(raw).lowercased()
        if text.isEmpty { return .blank }
        for marker in ["ext", "x", "#"] {
            if let r = text.range(of: marker, options: .backwards), text[r.upperBound...].contains(where: \.isNumber),
               text[..<r.lowerBound].filter(\.isNumber).count >= 10 {
                text = String(text[..<r.lowerBound])
            }
        }
        let digits = text.filter(\.isNumber)
        guard text.allSatisfy({ $0.isNumber || " ()-.+/".contains($0) }) else {
            return .invalid(why: "“\(squeeze(raw))” is not a telephone number")
        }
        switch digits.count {
        case 10 where digits.first != "0" && digits.first != "1":
            return .value("+1" + digits)
        case 11 where digits.first == "1":
            return .value("+" + digits)
        default:
            return .invalid(why: "“\(squeeze(raw))” is not a 10-digit telephone number")
        }
    }

    // MARK: Postal code

    /// `s4p1z3`, `S4P 1Z3`, `S4P-1Z3` to `S4P 1Z3`. Letters Canada Post never uses are invalid.
    public static func postalCode(_ raw: String) -> Normalized<String> {
        let text = squeeze(raw).uppercased()
        if text.isEmpty { return .blank }
        let compact = text.filter { $0.isLetter || $0.isNumber }
        let chars = Array(compact)
        let never: Set<Character> = ["D", "F", "I", "O", "Q", "U"]
        guard chars.count == 6, text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == " " || $0 == "-" }) else {
            return .invalid(why: "“\(squeeze(raw))” is not a postal code (A1A 1A1)")
        }
        for (i, c) in chars.enumerated() {
            let wantLetter = i % 2 == 0
            guard c.isASCII, wantLetter ? c.isLetter : c.isNumber else {
                return .invalid(why: "“\(squeeze(raw))” is not a postal code (A1A 1A1)")
            }
            if wantLetter, never.contains(c) || (i == 0 && (c == "W" || c == "Z")) {
                return .invalid(why: "“\(squeeze(raw))” is not a postal code: Canadian postal codes do not use the letter \(c) there")
            }
        }
        return .value(String(chars[0..<3]) + " " + String(chars[3..<6]))
    }

    // MARK: Province

    private static let provinces: [String: String] = {
        let names: [(String, [String])] = [
            ("AB", ["alberta", "alta"]), ("BC", ["british columbia", "b c"]), ("MB", ["manitoba", "man"]),
            ("NB", ["new brunswick", "n b"]), ("NL", ["newfoundland and labrador", "newfoundland", "nfld"]),
            ("NS", ["nova scotia", "n s"]), ("NT", ["northwest territories", "nwt"]), ("NU", ["nunavut"]),
            ("ON", ["ontario", "ont"]), ("PE", ["prince edward island", "pei", "p e i"]), ("QC", ["quebec", "québec", "que", "pq"]),
            ("SK", ["saskatchewan", "sask"]), ("YT", ["yukon", "yukon territory", "yk"]),
        ]
        var map: [String: String] = [:]
        for (code, aliases) in names {
            map[code.lowercased()] = code
            for a in aliases { map[a] = code }
        }
        return map
    }()

    /// `SK`, `Sask.`, `Saskatchewan` to `SK`.
    public static func province(_ raw: String) -> Normalized<String> {
        let words = raw.lowercased().split(whereSeparator: { !$0.isLetter }).joined(separator: " ")
        if words.isEmpty { return squeeze(raw).isEmpty ? .blank : .invalid(why: "“\(squeeze(raw))” is not a province") }
        if let code = provinces[words] ?? provinces[words.replacingOccurrences(of: " ", with: "")] { return .value(code) }
        return .invalid(why: "“\(squeeze(raw))” is not a Canadian province or territory")
    }

    /// A province's name read a letter or two out ("Saskatchewar"), spelt right and in the
    /// reading's case; nil when it is one already, or no name is that near, or two are.
    public static func provinceNamePutRight(_ raw: String) -> String? {
        guard raw.filter(\.isLetter).count >= 5, case .invalid = province(raw) else { return nil }
        let full = provinces.keys.filter { $0.count >= 5 && $0.allSatisfy { $0.isLetter || $0 == " " } }
        guard let near = nearestChoice(raw, among: full.sorted()), near.similarity >= 0.8, near.margin >= 0.2 else { return nil }
        return inCase(of: raw, near.choice.capitalized)
    }

    /// `name` in the case a reading was written in: all capitals when it was ("MOOSE JAW").
    public static func inCase(of reading: String, _ name: String) -> String {
        let letters = reading.filter(\.isLetter)
        return !letters.isEmpty && letters.allSatisfy(\.isUppercase) ? name.uppercased() : name
    }

    /// A company's legal form at the end of its name, read a letter off ("L/D", "Utd", "td", "I TD"
    /// for Ltd; "lnc" for Inc; "COPP" for Corp), spelt as the form it can only be, in the reading's
    /// case and keeping its full stop; nil when the name ends in a form already, or in a word no
    /// single form is near. A guess for staff: "Inn" may be an inn.
    public static func legalFormPutRight(_ reading: String) -> String? {
        var words = reading.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard words.count >= 2, var last = words.last else { return nil }
        let stop = last.hasSuffix(".")
        if stop { last.removeLast() }
        // "I TD": the L of Ltd read as a letter of its own.
        var joined = false
        if words.count >= 3, let before = words.dropLast().last, before.count == 1, "IL1l|".contains(before), last.count == 2 {
            last = before + last
            joined = true
        }
        let key = last.lowercased()
        guard key.count >= 2, companyForms[key] == nil else { return nil }
        let forms = ["Ltd", "Inc", "Corp", "Limited", "Incorporated", "Corporation"]
        let near = forms.map { ($0, similarity(key, $0)) }.filter { $0.1 >= 0.6 }.sorted { $0.1 > $1.1 }
        guard let best = near.first, near.dropFirst().allSatisfy({ $0.1 < best.1 }) else { return nil }
        // The form's length: a short reading is the short form (never "td" for "Limited").
        guard abs(best.0.count - key.count) <= 1 else { return nil }
        words.removeLast(joined ? 2 : 1)
        let form = inCase(of: reading, best.0) + (stop ? "." : "")
        return (words + [form]).joined(separator: " ")
    }

    /// "N/A", "n/a", "NA", "N.A.": what people write in a box that does not apply to them.
    public static func isNotApplicable(_ raw: String) -> Bool {
        let compact = raw.lowercased().filter { !$0.isWhitespace }
        return compact.count <= 5 && ["na", "nap"].contains(compact.filter { $0 != "/" && $0 != "." && $0 != "-" })
    }

    // MARK: WCB account

    /// Seven digits; applicants add spaces or dashes.
    public static func wcbAccount(_ raw: String) -> Normalized<String> {
        let text = squeeze(raw)
        if text.isEmpty { return .blank }
        guard text.allSatisfy({ $0.isNumber || $0 == " " || $0 == "-" || $0 == "." }) else {
            return .invalid(why: "“\(text)” is not a WCB account number (7 digits)")
        }
        let digits = text.filter(\.isNumber)
        guard digits.count == 7, digits.allSatisfy(\.isASCII) else {
            return .invalid(why: "“\(text)” has \(digits.count) digits; a WCB account number has 7")
        }
        return .value(digits)
    }

    // MARK: Percentages and certificate numbers (Alberta's audit submission)

    /// An audit score: `84`, `84%`, `84 %`, `79.5%`, `79,5 %`, `84 percent`; from 0 to 100.
    public static func percent(_ raw: String) -> Normalized<Double> {
        var text = squeeze(raw).lowercased()
        if text.isEmpty { return .blank }
        for suffix in ["percent", "per cent", "pct", "%"] where text.hasSuffix(suffix) {
            text = String(text.dropLast(suffix.count)).trimmingCharacters(in: .whitespaces)
            break
        }
        let number = text.replacingOccurrences(of: ",", with: ".")
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), number.filter({ $0 == "." }).count <= 1,
              let value = Double(number) else {
            return .invalid(why: "“\(squeeze(raw))” is not a percentage")
        }
        guard (0...100).contains(value) else { return .invalid(why: "“\(squeeze(raw))” is not between 0 and 100") }
        return .value(value)
    }

    /// A SECOR certificate number: `AB`, the 7-digit account, a dash, two digits (`AB1234567-01`),
    /// however it is cased or spaced.
    public static func certificateNumber(_ raw: String) -> Normalized<String> {
        let text = squeeze(raw)
        if text.isEmpty { return .blank }
        let compact = text.uppercased().filter { !$0.isWhitespace }
        let parts = compact.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 9, parts[0].hasPrefix("AB"), parts[0].dropFirst(2).allSatisfy({ $0.isASCII && $0.isNumber }),
              parts[1].count == 2, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return .invalid(why: "“\(text)” is not a certificate number like AB1234567-01")
        }
        return .value(compact)
    }

    // MARK: Email

    /// Trimmed, lower-cased; one `@`, a dotted domain, no spaces.
    public static func email(_ raw: String) -> Normalized<String> {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
        if text.isEmpty { return .blank }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !text.contains(where: { $0.isWhitespace || $0 == "," || $0 == ";" }) else {
            return .invalid(why: "“\(text)” is not an email address")
        }
        return .value(parts[0] + "@" + parts[1].lowercased())
    }

    /// The mailboxes an office's address usually begins with.
    static let commonMailboxes = ["office", "info", "admin", "contact", "mail", "hello", "accounts", "safety", "reception"]

    /// An email address read off paper put right by what the form says around it: its "@" read as
    /// a letter after a mailbox the office knows (one of `commonMailboxes`, or a person's first
    /// name), its ".ca" read without the dot, its domain a letter or two from the company's name
    /// run together ("prairieglass" for Prairie Glass Inc.). A guess for staff to confirm, never
    /// a reading: nil when nothing fits.
    public static func emailPutRight(_ reading: String, people: [String], companies: [String]) -> String? {
        let lower = reading.filter { !$0.isWhitespace }.lowercased()
        guard lower.count >= 6 else { return nil }
        let firstNames = people.compactMap { $0.split(separator: " ").first.map { $0.lowercased().filter(\.isLetter) } }.filter { $0.count >= 2 }
        let mailboxes = commonMailboxes + firstNames
        func known(_ local: String) -> String? {
            mailboxes.filter { $0.count >= 3 && abs($0.count - local.count) <= 1 && similarity($0, local) >= 0.8 }
                .max { similarity($0, local) < similarity($1, local) }
        }
        var local: String, rest: Substring
        if lower.filter({ $0 == "@" }).count == 1, let at = lower.firstIndex(of: "@") {
            local = String(lower[..<at])
            rest = lower[lower.index(after: at)...]
            local = known(local) ?? local
        } else {
            // The "@" read as a letter, right after a mailbox the office knows (read whole, or with
            // a letter lost: "ROBNOSOUTHEY…" is robin@southey…).
            var candidates: [(mailbox: String, read: Int)] = []
            for mailbox in mailboxes where mailbox.count >= 3 {
                for read in [mailbox.count, mailbox.count - 1] where read >= 3 && lower.count > read + 3 {
                    let needed = mailbox.count >= 5 ? 0.8 : 1.0
                    if similarity(String(lower.prefix(read)), mailbox) >= needed { candidates.append((mailbox, read)) }
                }
            }
            guard let found = candidates.max(by: { ($0.mailbox.count, $0.read) < ($1.mailbox.count, $1.read) }) else { return nil }
            local = found.mailbox
            rest = lower.dropFirst(found.read + 1)
        }
        var domain = String(rest).filter { $0 != "@" }
        if !domain.contains(".") {
            guard let tld = ["com", "ca", "net", "org"].first(where: { domain.hasSuffix($0) && domain.count > $0.count + 2 }) else { return nil }
            domain = String(domain.dropLast(tld.count)) + "." + tld
        }
        guard let dot = domain.lastIndex(of: ".") else { return nil }
        var body = String(domain[..<dot])
        let tld = String(domain[dot...])
        guard tld.count >= 3 else { return nil }
        // The company's name run together, or the start of it (a long name is cut short).
        // Without its legal form ("Inc", "Ltd", ...), as company keys are made.
        let suffixes = Set(companyForms.filter { $0.value != "and" }.keys).union(["llc", "the"])
        var best: (String, Double)? = nil
        for company in companies {
            let words = company.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "'" && $0 != "’" })
                .map { $0.filter { $0.isLetter || $0.isNumber } }.filter { !$0.isEmpty && !suffixes.contains($0) }
            let key = words.joined()
            guard key.count >= 4 else { continue }
            // On a tie the length as read wins, then the longer (and a Set's order is no order).
            let lengths = Set([key.count, body.count - 1, body.count, body.count + 1])
                .sorted { (abs($0 - body.count), -$0) < (abs($1 - body.count), -$1) }
            for length in lengths where length >= 4 && length <= key.count {
                let candidate = String(key.prefix(length))
                // A domain that goes on past the name as read is not cut short by it: the name's
                // reading may be the one cut short ("Big Sky Paintin Corp.").
                if body.hasPrefix(candidate) && body.count > candidate.count { continue }
                let s = similarity(candidate, body)
                if s >= 0.75, s > (best?.1 ?? 0) { best = (candidate, s) }
            }
        }
        if let best { body = best.0 }
        let result = local + "@" + body + tld
        guard case .value = email(result), result != lower else { return nil }
        return inCase(of: reading, result)
    }

    // MARK: Comparison keys

    private static let companyForms: [String: String] = [
        "limited": "ltd", "ltd": "ltd", "ltee": "ltd", "ltée": "ltd",
        "incorporated": "inc", "inc": "inc",
        "corporation": "corp", "corp": "corp",
        "company": "co", "co": "co",
        "and": "and",
    ]

    /// A key under which `Prairie Roofing Ltd.` and `PRAIRIE ROOFING LIMITED` are one company:
    /// case, accents, punctuation, `&`/and and the legal forms Ltd./Limited, Inc./Incorporated,
    /// Corp./Corporation do not count.
    public static func companyKey(_ raw: String) -> String {
        let folded = raw.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .replacingOccurrences(of: "&", with: " and ")
            .replacingOccurrences(of: "'", with: "")
            .replacingOccurrences(of: "’", with: "")
        let words = folded.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { companyForms[String($0)] ?? String($0) }
        return words.joined(separator: " ")
    }

    /// A key for people's names: case, accents, punctuation and `Last, First` order do not count.
    public static func personKey(_ raw: String) -> String {
        var text = raw
        if let comma = text.firstIndex(of: ","), text[text.index(after: comma)...].contains(where: \.isLetter) {
            text = text[text.index(after: comma)...] + " " + text[..<comma]
        }
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .replacingOccurrences(of: "'", with: "").replacingOccurrences(of: "’", with: "")
        return folded.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: " ")
    }

    /// Free text: white space collapsed.
    public static func text(_ raw: String) -> Normalized<String> {
        let text = squeeze(raw)
        return text.isEmpty ? .blank : .value(text)
    }

    /// Of `names` (each by the key it is compared under), the one whose key is most like `key`, how
    /// alike (0-1), and how far ahead of the next nearest (the margin); keys more than `slack`
    /// letters longer or shorter are not weighed. A tie has no margin.
    static func nearest(_ key: String, in names: [String: String], slack: Int) -> (name: String, similarity: Double, margin: Double)? {
        var best: (String, Double)? = nil, second = 0.0
        for (k, name) in names where abs(k.count - key.count) <= slack {
            let s = similarity(k, key)
            if s > (best?.1 ?? -1) { second = best?.1 ?? second; best = (name, s) } else if s > second { second = s }
        }
        return best.map { ($0.0, $0.1, $0.1 - second) }
    }

    /// The choice a reading is nearest to, by the letters of both (a reading off paper slips a
    /// letter or two: "TRADE CONTRACTOK", "PART-TINE"), with how alike they are (0...1) and how much
    /// less alike the next nearest is.
    public static func nearestChoice(_ raw: String, among choices: [String]) -> (choice: String, similarity: Double, margin: Double)? {
        let text = choiceKey(raw)
        guard !text.isEmpty else { return nil }
        let ranked = choices.filter { !choiceKey($0).isEmpty }.map { ($0, similarity(choiceKey($0), text)) }.sorted { $0.1 > $1.1 }
        guard let best = ranked.first else { return nil }
        return (best.0, best.1, best.1 - (ranked.dropFirst().first?.1 ?? 0))
    }

    /// A choice as compared: its letters and digits, lower case ("Maintenance audit (year 2)" and
    /// "(year 3)" are two choices).
    static func choiceKey(_ s: String) -> String { s.lowercased().filter { $0.isLetter || $0.isNumber } }

    /// One of a form's choices, matched without regard to case, spacing or hyphens.
    public static func choice(_ raw: String, among choices: [String]) -> Normalized<String> {
        let text = squeeze(raw)
        if text.isEmpty { return .blank }
        if let match = choices.first(where: { choiceKey($0) == choiceKey(text) }) { return .value(match) }
        // "Full time" for "Full-time permanent", "Subcontractor" for "Sub-contractor".
        let prefixMatches = choices.filter { !choiceKey($0).isEmpty && choiceKey($0).hasPrefix(choiceKey(text)) && choiceKey(text).count >= 4 }
        if prefixMatches.count == 1 { return .value(prefixMatches[0]) }
        return .invalid(why: "“\(text)” is not one of: \(choices.filter { !$0.isEmpty }.joined(separator: ", "))")
    }
}

extension CalendarDate {
    /// Today in Saskatchewan (Central Standard Time all year).
    public static func today() -> CalendarDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: -6 * 3600)!
        let c = calendar.dateComponents([.year, .month, .day], from: Date())
        return CalendarDate(year: c.year!, month: c.month!, day: c.day!)!
    }
}
