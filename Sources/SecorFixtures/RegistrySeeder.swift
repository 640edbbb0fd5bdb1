import Foundation
import SecorCore
import SecorRegistry

/// A registry as a busy office's would look after some months: many applications made from a
/// few real records (those a `process --out` run wrote), each with its own company, WCB account,
/// trainee and signer, a document received on its own day, and a share of them in review with a
/// doubtful field. For measuring the workstation's queue and search at scale (`make bench`);
/// the records keep the shape the program writes, since they are the program's own.
public struct RegistrySeeder {
    public let templates: [ApplicationRecord]

    /// The records under `folder` (`<state>/<id>/record.json`, as `process --out` writes them).
    public init(recordsIn folder: URL) throws {
        var found: [ApplicationRecord] = []
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.lastPathComponent == "record.json" }.sorted { $0.path < $1.path } ?? []
        for url in files {
            if let r = try? JSONDecoder().decode(ApplicationRecord.self, from: Data(contentsOf: url)) { found.append(r) }
        }
        guard !found.isEmpty else { throw SeedError("no record.json under \(folder.path): run `secor-intake process --out` there first") }
        templates = found
    }

    public struct SeedError: Error, CustomStringConvertible {
        public let description: String
        init(_ s: String) { description = s }
    }

    /// Writes `count` applications into the registry at `path`; `inReview` of every 100 are left in
    /// review with a doubtful field. Returns the words a search can be tried with (some companies'
    /// and accounts').
    @discardableResult
    public func seed(_ count: Int, inReview: Int = 20, seed: UInt64, registryAt path: String) throws -> [String] {
        let registry = try Registry(path: path)
        var rng = SeededRandom(seed: seed)
        let firsts = ["Prairie", "Northern", "Riverside", "Qu'Appelle", "Wascana", "Boreal", "Kindersley", "Battleford", "Estevan", "Moose Jaw",
                      "Aspen", "Coteau", "Souris", "Carrot River", "Meadow Lake", "Humboldt", "Lanigan", "Melfort", "Tisdale", "Yorkton"]
        let trades = ["Roofing", "Electric", "Plumbing", "Welding", "Landscaping", "Trucking", "Drywall", "Concrete", "Masonry", "Excavating",
                      "Framing", "Painting", "Glass", "Mechanical", "Fencing", "Paving", "Insulation", "Drilling", "Hauling", "Millwork"]
        let forms = ["Ltd.", "Inc.", "Corp.", "& Sons Ltd.", "Co-operative Ltd."]
        let given = ["Amara", "Ben", "Chloe", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kiran", "Lena", "Marc", "Noor", "Owen"]
        let family = ["Tran", "Olsen", "Bear", "Kowalski", "Singh", "Dubois", "Nakamura", "Friesen", "Okafor", "Lindqvist", "Morin", "Yellowhorn"]
        var probes: [String] = []
        let start = Date(timeIntervalSince1970: 1_780_000_000)   // some months before the bench's processing date
        var filing = Registry.Filing()
        for i in 0..<count {
            var record = templates[i % templates.count]
            let company = "\(firsts[rng.below(firsts.count)]) \(trades[rng.below(trades.count)]) \(i) \(forms[rng.below(forms.count)])"
            let account = String(5_000_000 + i)
            let trainee = "\(given[rng.below(given.count)]) \(family[rng.below(family.count)])"
            let signer = "\(given[rng.below(given.count)]) \(family[rng.below(family.count)])"
            record.id = String(format: "S%06d", i)
            for (kind, key, value) in [("registration", "company_legal_name", company), ("registration", "wcb_account_number", account),
                                       ("registration", "trainee_name", trainee), ("declaration", "company_legal_name", company),
                                       ("declaration", "wcb_account_number", account), ("declaration", "signer_name", signer)] {
                if record.asWritten[kind]?[key] != nil { record.asWritten[kind]?[key] = value }
                if kind == "registration", record.fields[key] != nil { record.fields[key] = .text(value) }
                if kind == "declaration", record.declarationFields[key] != nil { record.declarationFields[key] = .text(value) }
            }
            let received = start.addingTimeInterval(Double(i) * 600 + Double(rng.below(600)))
            record.documents = record.documents.enumerated().map { n, d in
                FileReference(path: "seeded/\(record.id)-\(n).\((d.path as NSString).pathExtension)", sha256: Self.digest(i, n), kind: d.kind,
                              pages: d.pages, otherPages: d.otherPages)
            }
            if rng.below(100) < inReview {
                // A doubtful field where a scan was read, else the company's name.
                let field = record.readings.keys.sorted().first { record.readings[$0]?.box != nil } ?? "company_legal_name"
                record.reasons = record.reasons.filter { $0.severity != .reject }
                record.reasons.append(Reason(code: "uncertain-reading", severity: .review, field: field, found: "?",
                                             message: "This value could not be read with confidence.", rule: "\(record.program)/\(record.edition)/review"))
                record.decision = .needsReview
            }
            let json = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
            for (n, d) in record.documents.enumerated() {
                _ = try registry.claim(sha256: d.sha256, originalName: (d.path as NSString).lastPathComponent, inboxPath: d.path)
                filing.documents.append(.init(sha256: d.sha256, kind: d.kind, state: record.decision == .pending ? .pending : .decided,
                                              applicationID: record.id, storedPath: "\(record.decision.folder)/\(record.id)/\(n)"))
            }
            let decision = Decision(rawValue: record.decision.rawValue)
            var update = Registry.Filing.ApplicationUpdate(
                id: record.id, wcbAccount: account, companyKey: ApplicationRecord.folded(company), state: record.decision,
                submitted: record.submitted, edition: record.edition, recordJSON: json,
                decision: decision.map { ($0, record.program, record.edition, record.reasons) }, trainee: nil,
                decidedOn: CalendarDate(iso: String(ISO8601DateFormatter().string(from: received).prefix(10))))
            update.searchText = record.searchText
            filing.applications.append(update)
            if filing.applications.count == 500 || i == count - 1 {
                try registry.commit(filing)
                filing = Registry.Filing()
            }
            if i % 997 == 0 { probes += [company.split(separator: " ")[0].description, account] }
        }
        return probes
    }

    static func digest(_ i: Int, _ n: Int) -> String {
        String(format: "%064x", i * 4 + n + 0x5eed_0000)
    }
}

extension SeededRandom {
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
