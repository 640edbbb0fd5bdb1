import ArgumentParser
import Foundation
import Hummingbird
import SecorCore
import SecorInbox
import SecorRegistry
import SecorStation

/// Where staff's commands find the program's record: OUT as the watcher was given it, or the registry itself.
struct RegistryOptions: ParsableArguments {
    @Option(name: .long, help: "The watcher's OUT folder (its registry is OUT/registry.sqlite; default: $SECOR_INTAKE_OUT).")
    var out: String?

    @OptionGroup var place: RegistryPlace

    func validate() throws {
        if out == nil && place.db == nil && RegistryPlace.configuredOut == nil {
            throw ValidationError("name the watcher's OUT folder (--out, or SECOR_INTAKE_OUT) or the registry (--db)")
        }
    }

    var database: String { place.database(out: out) }
    var outFolder: String { out ?? RegistryPlace.folder(beside: database) }
    var config: String? { place.config }

    func office() throws -> Office { try place.office(database: database) }

    func desk(asOf: String? = nil) throws -> StaffDesk { try place.desk(database: database, out: outFolder, asOf: asOf) }
}

/// The registry and office file, for commands whose --out means something else (`letter`).
struct RegistryPlace: ParsableArguments {
    @Option(name: .long, help: "The registry, when it is not OUT/registry.sqlite: a SQLite file, or postgres://user@host:5432/database.")
    var db: String?

    /// The folder beside a registry file (its OUT); for a PostgreSQL registry, OUT as configured.
    static func folder(beside database: String) -> String {
        Registry.isDatabaseURL(database) ? (configuredOut ?? ".") : (database as NSString).deletingLastPathComponent
    }

    @Option(name: .long, help: "The office file (default: secor-intake.yaml beside the registry).")
    var config: String?

    /// OUT as configured for this account (the watcher's), when no option names it.
    static var configuredOut: String? { ProcessInfo.processInfo.environment["SECOR_INTAKE_OUT"].flatMap { $0.isEmpty ? nil : $0 } }

    func database(out: String?) -> String {
        db ?? ((out ?? Self.configuredOut ?? ".") as NSString).appendingPathComponent("registry.sqlite")
    }

    func office(database: String) throws -> Office {
        do {
            return try Office.find(config: config, beside: Self.folder(beside: database))
        } catch let error as OfficeError {
            throw ValidationError(error.message)
        }
    }

    func desk(database: String, out: String, asOf: String? = nil) throws -> StaffDesk {
        do {
            return try StaffDesk(out: out, database: database, asOf: asOf.flatMap(CalendarDate.init(iso:)), office: try office(database: database))
        } catch let error as StaffError {
            throw ValidationError(error.message)
        }
    }
}


/// Who did it: every staff action is recorded with a name.
struct ActorOptions: ParsableArguments {
    @Option(name: .long, help: "Who is doing this (recorded in the application's history).")
    var by: String

    func validate() throws {
        if by.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--by needs a name") }
    }
}

/// A staff action's refusal (no such application, a state it does not apply to) is said plainly: exit 64.
func asStaff<T>(_ action: () throws -> T) throws -> T {
    do {
        return try action()
    } catch let error as StaffError {
        throw ValidationError(error.message)
    }
}

struct Review: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Settle applications in review: list the queue, show one, confirm or correct values, decide.",
        subcommands: [List.self, Show.self, Set.self, Decide.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The review queue, oldest first: id, company, WCB account, received, the doubtful fields.",
            discussion: "Writes nothing.")
        @OptionGroup var common: CommonOptions
        @OptionGroup var registry: RegistryOptions

        func run() throws {
            try common.start()
            print(try asStaff { try registry.desk().reviewListText() }, terminator: "")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every field of an application: the value read, how sure, from where, staff's values, and a crop of the page.",
            discussion: "Writes a PNG crop of each field read from a scan into the application's folder, under crops/.")
        @OptionGroup var common: CommonOptions
        @OptionGroup var registry: RegistryOptions
        @Argument(help: "The application's id.") var id: String

        func run() throws {
            try common.start()
            print(try asStaff { try registry.desk().showText(id) }, terminator: "")
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Confirm or correct values of an application in review: FIELD=VALUE corrects, FIELD= confirms the value read.",
            discussion: "Writes the values to the registry, beside the values read, with who set them; the applicant's files are not touched. Nothing is decided until `review decide`.")
        @OptionGroup var common: CommonOptions
        @OptionGroup var registry: RegistryOptions
        @OptionGroup var actor: ActorOptions
        @Option(name: .long, help: "Why, for the history.") var note: String?
        @Argument(help: "The application's id.") var id: String
        @Argument(help: "FIELD=VALUE, as records name fields (workers_full_time=1, declaration_signer_name=Lee Chen).") var assignments: [String]

        func validate() throws {
            if assignments.isEmpty { throw ValidationError("give at least one FIELD=VALUE") }
        }

        func run() throws {
            try common.start()
            let made = try asStaff { try registry.desk().set(id, assignments: assignments, by: actor.by, note: note) }
            for c in made {
                print(c.confirms ? "\(c.field): confirmed “\(c.read)”" : "\(c.field): “\(c.read)” read, “\(c.value)” set")
            }
            print("Recorded for \(id) by \(actor.by). Decide it with: secor-intake review decide \(id) --by NAME")
        }
    }

    struct Decide: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the rules again with staff's values and file the application as they decide.",
            discussion: "Writes the application's folder under OUT/accepted or OUT/rejected (record.json, letters, annotated copies), or keeps it in OUT/review naming what is still in doubt. Exit status 0 when it was decided, 1 when it stays in review.")
        @OptionGroup var common: CommonOptions
        @OptionGroup var registry: RegistryOptions
        @OptionGroup var actor: ActorOptions
        @Option(name: .long, help: "The processing date, YYYY-MM-DD (default: today).") var asOf: String?
        @Argument(help: "The application's id.") var id: String

        func validate() throws {
            if let asOf, CalendarDate(iso: asOf) == nil { throw ValidationError("--as-of must be a date like 2026-11-22") }
        }

        func run() throws {
            try common.start()
            let outcome = try asStaff { try registry.desk(asOf: asOf).decide(id, by: actor.by) }
            print(outcome.text, terminator: "")
            if outcome.state == .needsReview { throw ExitCode(1) }
        }
    }
}

struct Override: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A supervisor's decision against the rules, with its reason.",
        discussion: "Writes the application's folder under OUT/accepted or OUT/rejected with the reason in record.json and the letter.")
    @OptionGroup var common: CommonOptions
    @OptionGroup var registry: RegistryOptions
    @OptionGroup var actor: ActorOptions
    @Option(name: .long, help: "accepted or rejected.") var decision: String
    @Option(name: .long, help: "Why (printed in the letter).") var reason: String
    @Option(name: .long, help: "The processing date, YYYY-MM-DD (default: today).") var asOf: String?
    @Argument(help: "The application's id.") var id: String

    func validate() throws {
        guard ["accepted", "rejected"].contains(decision) else { throw ValidationError("--decision must be accepted or rejected") }
        if reason.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--reason needs the reason") }
        if let asOf, CalendarDate(iso: asOf) == nil { throw ValidationError("--as-of must be a date like 2026-11-22") }
    }

    func run() throws {
        try common.start()
        let state = ApplicationState(rawValue: decision)!
        print(try asStaff { try registry.desk(asOf: asOf).override(id, decision: state, reason: reason, by: actor.by) }.text, terminator: "")
    }
}

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Every event of an application, or of every application for a WCB account, oldest first: when, who, what.",
        discussion: "Writes nothing.")
    @OptionGroup var common: CommonOptions
    @OptionGroup var registry: RegistryOptions
    @Argument(help: "An application id or a WCB account number.") var key: String

    func run() throws {
        try common.start()
        print(try asStaff { try registry.desk().historyText(key) }, terminator: "")
    }
}

struct Find: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Applications by company, WCB account, trained employee, signer or id.",
        discussion: "Writes nothing. Case and accents do not matter; an account may be given in part.")
    @OptionGroup var common: CommonOptions
    @OptionGroup var registry: RegistryOptions
    @Argument(help: "Text to find.") var text: String

    func run() throws {
        try common.start()
        print(try asStaff { try registry.desk().findText(text) }, terminator: "")
    }
}

struct Letter: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write an application's letters again, as first written.",
        discussion: "Writes letter.txt, letter.html and letter.pdf into --out DIR, dated as the decision was. The registry is $SECOR_INTAKE_OUT/registry.sqlite, or --db.")
    @OptionGroup var common: CommonOptions
    @OptionGroup var place: RegistryPlace
    @Option(name: .long, help: "The folder to write the letters into.") var out: String
    @Argument(help: "The application's id.") var id: String

    func validate() throws {
        if place.db == nil && RegistryPlace.configuredOut == nil {
            throw ValidationError("name the registry (--db, or SECOR_INTAKE_OUT for the watcher's OUT)")
        }
    }

    func run() throws {
        try common.start()
        let database = place.database(out: nil)
        let desk = try place.desk(database: database, out: RegistryPlace.configuredOut ?? RegistryPlace.folder(beside: database))
        let written = try asStaff { try desk.letters(id, into: URL(fileURLWithPath: out)) }
        for name in written { print((out as NSString).appendingPathComponent(name)) }
    }
}

extension StaffDesk.ExportFormat: ExpressibleByArgument {}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "What was decided between two processing dates, from the registry, as decided.",
        discussion: "Writes to standard output: CSV (the rows of accepted.csv) or JSON lines (every decided record). Nothing is decided again.")
    @OptionGroup var common: CommonOptions
    @OptionGroup var registry: RegistryOptions
    @Option(name: .long, help: "First processing date, YYYY-MM-DD.") var from: String
    @Option(name: .customLong("to"), help: "Last processing date, YYYY-MM-DD (default: --from).") var until: String?
    @Option(name: .long, help: "csv or jsonl.") var format: StaffDesk.ExportFormat = .csv

    func validate() throws {
        if CalendarDate(iso: from) == nil { throw ValidationError("--from must be a date like 2026-11-22") }
        if let until, CalendarDate(iso: until) == nil { throw ValidationError("--to must be a date like 2026-11-22") }
    }

    func run() throws {
        try common.start()
        let first = CalendarDate(iso: from)!
        let last = until.flatMap(CalendarDate.init(iso:)) ?? first
        print(try asStaff { try registry.desk().export(from: first, to: last, format: format) }, terminator: "")
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the staff workstation: sign-in, today, the review queue and verification, applications, search, upload, export.",
        discussion: """
        Serves pages over the registry (OUT/registry.sqlite, or --db); every action is recorded with the signed-in name. \
        Writes what staff's commands write (applications' folders, letters, the day's summary); with --inbox, uploads are \
        written into INBOX and the watcher runs in the same process, filing under OUT. Listens on 127.0.0.1 unless told otherwise. \
        Staff accounts are made with `secor-intake staff add`.
        """)
    @OptionGroup var common: CommonOptions
    @OptionGroup var registry: RegistryOptions
    @OptionGroup var limits: LimitOptions
    @Option(name: .long, help: "Address and port to listen on.") var listen: String = "127.0.0.1:8080"
    @Option(name: .long, help: "Run the watcher on this inbox too, and take uploads into it.") var inbox: String?
    @Option(name: .long, help: "The processing date, YYYY-MM-DD (default: each day's date).") var asOf: String?
    @Flag(name: .long, help: "The station is reached over TLS (a proxy in front): session cookies are sent only over TLS.") var secureCookie = false

    func validate() throws {
        if let asOf, CalendarDate(iso: asOf) == nil { throw ValidationError("--as-of must be a date like 2026-11-22") }
        guard let colon = listen.lastIndex(of: ":"), Int(listen[listen.index(after: colon)...]).map({ (1...65535).contains($0) }) == true else {
            throw ValidationError("--listen must be HOST:PORT, like 127.0.0.1:8080")
        }
    }

    func run() async throws {
        try common.start()
        StopSignals.install()
        let colon = listen.lastIndex(of: ":")!
        var configuration = Station.Configuration(out: registry.outFolder, database: registry.database)
        configuration.host = String(listen[..<colon])
        configuration.port = Int(listen[listen.index(after: colon)...])!
        configuration.inbox = inbox
        configuration.office = try registry.office()
        configuration.asOf = asOf.flatMap(CalendarDate.init(iso:))
        configuration.secureCookie = secureCookie
        // The watcher first (it makes the registry when there is none), in its own thread.
        var watching: Thread? = nil
        let done = DispatchSemaphore(value: 0)
        if let inbox {
            var watch = Watcher.Configuration(inbox: inbox, out: registry.outFolder, database: registry.database)
            watch.asOf = configuration.asOf
            watch.limits = limits.limits
            watch.office = configuration.office
            watch.reading = try limits.isolatedReading(logLevel: common.logLevel)
            let watcher = try refusingAsUsage { try Watcher(watch) }
            nonisolated(unsafe) let unsafeWatcher = watcher
            watching = Thread {
                do { try unsafeWatcher.run { StopSignals.requested } } catch {
                    FileHandle.standardError.write(Data("Error: the watcher stopped: \(error)\n".utf8))
                }
                done.signal()
            }
            watching?.start()
        }
        let station: Station
        do { station = try await Station(configuration) } catch let error as StaffError { throw ValidationError(error.message) }
        let app = station.application()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            group.addTask { while !StopSignals.requested { try await Task.sleep(for: .milliseconds(200)) } }
            _ = try await group.next()
            group.cancelAll()
        }
        if watching != nil { done.wait() }
    }
}

struct Staff: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Staff accounts for the workstation.", subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a member of staff, or set their role and password again.",
            discussion: "Writes the account to the registry: the name, the role and a bcrypt hash of the password (never the password). The password is read from the terminal without echo, or from the first line of standard input.")
        @OptionGroup var common: CommonOptions
        @OptionGroup var registry: RegistryOptions
        @Option(name: .long, help: "clerk or supervisor (only a supervisor may override decisions or add staff at the station).") var role: String
        @Option(name: .long, help: "Who is adding them (recorded).") var by: String?
        @Argument(help: "Their name as they sign in.") var name: String

        func validate() throws {
            if Registry.StaffRole(rawValue: role) == nil { throw ValidationError("--role must be clerk or supervisor") }
            if name.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("give a name") }
        }

        func run() throws {
            try common.start()
            let password: String
            if isatty(STDIN_FILENO) == 1, let typed = getpass("Password for \(name): ") {
                password = String(cString: typed)
            } else {
                password = readLine(strippingNewline: true) ?? ""
            }
            if let problem = StaffPasswords.problem(password) { throw ValidationError(problem) }
            let db = try refusingAsUsage { try Registry(path: registry.database) }
            try db.saveStaff(name: name, role: Registry.StaffRole(rawValue: role)!, passwordHash: StaffPasswords.hash(password), by: by)
            print("\(name) can sign in as a \(role).")
        }
    }
}
