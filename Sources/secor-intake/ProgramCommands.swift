import ArgumentParser
import Foundation
import SecorCore
import SecorOutput
import SecorRegistry

/// The registry and the processing date, for the commands about the program's life.
struct LifeOptions: ParsableArguments {
    @Option(name: .long, help: "The registry (default: OUT/registry.sqlite of $SECOR_INTAKE_OUT).")
    var db: String?

    @Option(name: .long, help: "The date, YYYY-MM-DD (default: today).")
    var asOf: String?

    func validate() throws {
        if let asOf, CalendarDate(iso: asOf) == nil { throw ValidationError("--as-of must be a date like 2026-11-22") }
        if db == nil && RegistryPlace.configuredOut == nil { throw ValidationError("name the registry (--db) or set SECOR_INTAKE_OUT") }
    }

    var date: CalendarDate { asOf.flatMap(CalendarDate.init(iso:)) ?? .today() }

    /// The registry, which must exist: these commands never start an empty one.
    func registry() throws -> Registry {
        let path = db ?? RegistryPlace().database(out: nil)
        guard Registry.isDatabaseURL(path) || FileManager.default.fileExists(atPath: path) else { throw ValidationError("no registry at \(path)") }
        return try refusingAsUsage { try Registry(path: path) }
    }

    /// Saskatchewan's registration life over the registry.
    func life(on date: CalendarDate, in registry: Registry? = nil) throws -> ProgramLife {
        guard let life = ProgramLife(registry: try registry ?? self.registry(), library: try ProgramLibrary.shipped.get(), on: date) else {
            throw ValidationError("the program's edition in force on \(date) has no lifecycle terms")
        }
        return life
    }

    /// The programs that certify by audit (Alberta's), over the registry.
    func certified(on date: CalendarDate, in registry: Registry) throws -> [ProgramCertificates] {
        ProgramCertificates.all(registry: registry, library: try ProgramLibrary.shipped.get(), on: date)
    }
}

enum ListFormat: String, ExpressibleByArgument, CaseIterable { case json, text }

func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

struct Record: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record what the office learned from its own records for an account's registration in force.",
        discussion: """
        EVENT is milestone-1, certified, annual-audit or withdrawn; --on is the day it happened. A record of an event \
        already recorded corrects it (the earlier one stays in the history, marked superseded). A record dated after today, \
        before the registration, or past its deadline is refused with the reason, and nothing is written. A record is no \
        run: it removes no one and tells no one.
        """)

    @Argument(help: "The 7-digit WCB account.") var wcb: String
    @Argument(help: "milestone-1, certified, annual-audit or withdrawn.") var event: String
    @Option(name: .long, help: "The day it happened, YYYY-MM-DD.") var on: String
    @Option(name: .long, help: "Who is recording it (kept in the history).") var by: String
    @OptionGroup var options: LifeOptions

    func validate() throws {
        guard LifeEvent(rawValue: event) != nil else {
            throw ValidationError("EVENT must be one of \(LifeEvent.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard CalendarDate(iso: on) != nil else { throw ValidationError("--on must be a date like 2026-11-22") }
        if by.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--by must name who records it") }
    }

    func run() throws {
        let today = options.date
        let life = try options.life(on: today)
        do {
            let made = try life.record(wcb, LifeEvent(rawValue: event)!, on: CalendarDate(iso: on)!, by: by, today: today)
            print("Recorded \(made.event.rawValue) on \(made.on) for WCB \(wcb)" + (made.supersedes.map { ", correcting record \($0)" } ?? "") + ".")
        } catch let refused as RecordRefused {
            FileHandle.standardError.write(Data("secor-intake: refused: \(refused.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}

struct Due: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Carry out the date's removals and notices, then list what falls due in the window.",
        discussion: "A processing run with nothing received (L3, L6), then the due listing (L8): {\"notices\": [...], \"due\": {...}}.")

    @OptionGroup var options: LifeOptions
    @Option(name: .long, help: "json or text.") var format: ListFormat = .json
    @Option(name: .long, help: "Whose due listing: sk-secor or ab-secor (default: the one program the registry holds, else sk-secor).")
    var program: String?

    func run() throws {
        let date = options.date
        let registry = try options.registry()
        let life = try options.life(on: date, in: registry)
        let certified = try options.certified(on: date, in: registry)
        // A run with nothing received: every program's removals and cancellations.
        var notices = try life.carryOut(on: date)
        for p in certified { notices += try p.carryOut(on: date) }
        let used = try certified.filter { try $0.isUsed() }
        let holdsSaskatchewan = try !life.accounts().isEmpty
        let chosen = program ?? (used.count == 1 && !holdsSaskatchewan ? used[0].program : ProgramLife.program)
        if let p = certified.first(where: { $0.program == chosen }) {
            let due = try p.due(on: date)
            struct Output: Encodable { let notices: [LifeNotice]; let due: CertificateDueListing }
            switch format {
            case .json: try printJSON(Output(notices: notices, due: due))
            case .text: print(LifeText.due(notices: notices, due: due, on: date), terminator: "")
            }
            return
        }
        guard chosen == ProgramLife.program else { throw ValidationError("no program \(chosen) with a due listing") }
        let due = try life.due(on: date)
        struct Output: Encodable { let notices: [LifeNotice]; let due: DueListing }
        switch format {
        case .json: try printJSON(Output(notices: notices, due: due))
        case .text: print(LifeText.due(notices: notices, due: due, on: date), terminator: "")
        }
    }
}

/// An account in the `companies` listing, in its own program's shape.
enum CompanyListing: Encodable {
    case registered(CompanyView)
    case certified(CertifiedCompanyView)

    func encode(to encoder: any Encoder) throws {
        switch self {
        case let .registered(v): try v.encode(to: encoder)
        case let .certified(v): try v.encode(to: encoder)
        }
    }
}

struct Companies: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Each account's state on a date: its registrations, deadlines, records and removals.")

    @OptionGroup var options: LifeOptions
    @Option(name: .long, help: "json or text.") var format: ListFormat = .json

    func run() throws {
        let date = options.date
        let registry = try options.registry()
        let life = try options.life(on: date, in: registry)
        let lives = try life.lives(on: date)
        var out: [String: CompanyView] = [:]
        for a in try life.accounts() {
            out[a.account] = CompanyView(company: a.company, decisions: a.decisions, lives: lives.filter { $0.account == a.account })
        }
        var certified: [String: CertifiedCompanyView] = [:]
        for p in try options.certified(on: date, in: registry) {
            certified.merge(try p.companies(on: date)) { first, _ in first }
        }
        switch format {
        case .json:
            var all = out.mapValues(CompanyListing.registered)
            all.merge(certified.mapValues(CompanyListing.certified)) { first, _ in first }
            try printJSON(all)
        case .text: print(LifeText.companies(out) + LifeText.companies(certified), terminator: "")
        }
    }
}

/// The same listings for a person at a terminal.
enum LifeText {
    static func due(notices: [LifeNotice], due: DueListing, on date: CalendarDate) -> String {
        var out = "Due from \(date) to \(due.until) (\(due.windowDays) days)\n"
        for n in notices {
            out += "  told today: \(n.kind) \(n.wcb) \(n.company)\n"
        }
        func list(_ title: String, _ entries: [DueListing.Entry], _ line: (DueListing.Entry) -> String) {
            out += "\n\(title)\n"
            out += entries.isEmpty ? "  none\n" : entries.map { "  \($0.wcb)  \($0.company)  \(line($0))\n" }.joined()
        }
        list("Milestone #1 due", due.milestone1Due) { "due \($0.due?.description ?? "")" }
        list("Certification due", due.certificationDue) { "due \($0.due?.description ?? "")" }
        list("Annual audit due", due.annualAuditDue) { "due \($0.due?.description ?? "")" }
        list("Annual audit overdue", due.auditOverdue) { "missed \($0.missedAnniversary?.description ?? "")" }
        list("Removed", due.removed) {
            "removed \($0.removedOn?.description ?? "") (missed \($0.missed?.rawValue ?? "")), may register from \($0.mayRegisterFrom?.description ?? "")"
        }
        return out
    }

    static func due(notices: [LifeNotice], due: CertificateDueListing, on date: CalendarDate) -> String {
        var out = "Due from \(date) to \(due.until) (\(due.windowDays) days)\n"
        for n in notices { out += "  told today: \(n.kind) \(n.wcb) \(n.company)\n" }
        func list(_ title: String, _ lines: [String]) {
            out += "\n\(title)\n" + (lines.isEmpty ? "  none\n" : lines.map { "  \($0)\n" }.joined())
        }
        list("Maintenance audit due", due.maintenanceDue.map { "\($0.certificate)  \($0.wcb)  \($0.company)  \($0.auditType) due \($0.due)" })
        list("Recertification due", due.recertificationDue.map { "\($0.certificate)  \($0.wcb)  \($0.company)  due \($0.due)" })
        list("Cancelled", due.cancelled.map { "\($0.certificate)  \($0.wcb)  \($0.company)  cancelled \($0.cancelledOn) (missed \($0.missedAnniversary?.description ?? ""))" })
        return out
    }

    static func companies(_ all: [String: CertifiedCompanyView]) -> String {
        var out = ""
        for (account, c) in all.sorted(by: { $0.key < $1.key }) {
            out += "\(account)  \(c.company)  enrolment \(c.enrolment?.rawValue ?? "none")\n"
            for cert in c.certificates {
                out += "  \(cert.number): \(cert.status.rawValue), issued \(cert.issued), expires \(cert.expires)"
                    + (cert.cancelledOn.map { ", cancelled \($0)" } ?? "") + (cert.replacedBy.map { ", replaced by \($0)" } ?? "") + "\n"
            }
        }
        return out
    }

    static func companies(_ all: [String: CompanyView]) -> String {
        var out = ""
        for (account, c) in all.sorted(by: { $0.key < $1.key }) {
            out += "\(account)  \(c.company)  \(c.status?.rawValue ?? c.registration ?? "")\n"
            for r in c.registrations {
                out += "  registered \(r.registered): \(r.status.rawValue); Milestone #1 \(r.milestone1?.description ?? "due \(r.milestone1Due)"), "
                    + "certified \(r.certified?.description ?? "due \(r.certificationDue)")\n"
            }
        }
        return out
    }
}
