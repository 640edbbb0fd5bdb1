import Foundation
import Logging
import SecorCore
import SecorOutput
import SecorPipeline
import SecorReaders
import SecorRegistry
import SecorSupport

/// `secor-intake watch`: takes each file that lands in the inbox once it has held still,
/// decides it, and files it under OUT, remembering everything in the registry.
///
/// Each file goes claim (a registry row for its digest), decide, commit (one transaction
/// recording the decision and the moves to make), move (renames), done. Started again after a
/// crash, the watcher first makes the moves a commit recorded, then decides again whatever was
/// claimed but not committed: nothing is lost and nothing is filed twice.
public final class Watcher {
    public struct Configuration: Sendable {
        public var inbox: String
        public var out: String
        public var database: String
        /// A file is taken once its size and time have held still this long.
        public var settle: TimeInterval = 2
        /// A document waits this long for its partner, then is decided without it.
        public var pairWaitDays: Double = 14
        /// The processing date for the rules (default: each day's date).
        public var asOf: CalendarDate?
        /// A copy may pause this long (a slow network share, a stalled upload): a file that looks
        /// cut short and was written to more recently is looked at again later, not failed.
        public var writerPause: TimeInterval = 120
        /// Network shares send no events: the inbox is also looked at this often.
        public var rescanEvery: TimeInterval = 5
        public var limits = Extraction.Limits()
        /// Printed on every letter.
        public var office: Office = .unnamed
        /// Reads one taken file; this process's own extraction when nil (the command line
        /// reads PDFs in a reader process, under --doc-timeout).
        public var reading: (any DocumentReading)?
        /// Over a shared registry, how long a claim holds once its watcher stops renewing it (killed,
        /// or its machine gone): then another watcher takes the file over.
        public var claimLease: TimeInterval = 30

        public init(inbox: String, out: String, database: String) {
            self.inbox = inbox
            self.out = out
            self.database = database
        }
    }

    public let configuration: Configuration
    public let registry: Registry
    /// The stages every file goes through; the watcher adds claiming, holding and moving.
    let pipeline: IntakePipeline
    /// Filing under OUT, shared with staff's commands.
    let filer: Filer
    let logger = Logger(label: "secor.watch")
    /// Files seen in the inbox: size, time, and since when they have held still.
    private var seen: [String: (size: Int64, modified: Double, since: Date)] = [:]
    /// Files not read for a reason not their own (a reader stopped from outside, none could be
    /// started), by digest: how many times. Read again a few times before they are failed.
    private var transientFailures: [String: Int] = [:]
    static let transientTries = 3
    /// Files that looked cut short while their writer may only have paused, as they were then,
    /// and when they are looked at again if nothing has changed.
    private var resting: [String: (size: Int64, modified: Double, inode: UInt64, until: Date)] = [:]
    /// The last processing date whose removals and notices were carried out.
    private var programLifeDone: CalendarDate? = nil
    /// Whether the run was asked to stop (SIGTERM to the service stops its readers too).
    private var stopping: () -> Bool = { false }

    public init(_ configuration: Configuration) throws {
        var c = configuration
        c.inbox = URL(fileURLWithPath: c.inbox).standardizedFileURL.path
        c.out = URL(fileURLWithPath: c.out).standardizedFileURL.path
        guard !(c.out + "/").hasPrefix(c.inbox + "/") else {
            throw WatchError(message: "OUT (\(c.out)) must not be inside the inbox (\(c.inbox))")
        }
        self.configuration = c
        registry = try Registry(path: c.database)
        registry.leaseSeconds = c.claimLease
        pipeline = try IntakePipeline.shipped(limits: c.limits, reading: c.reading)
        let asOf = c.asOf
        filer = Filer(out: c.out, registry: registry, pipeline: pipeline, logger: Logger(label: "secor.watch"), office: c.office,
                      date: { asOf ?? .today() })
    }

    var processingDate: CalendarDate { configuration.asOf ?? .today() }

    // MARK: - The loop

    /// Runs until `shouldStop` says so (checked between files, never during one).
    public func run(shouldStop: @escaping () -> Bool) throws {
        stopping = shouldStop
        try FileManager.default.createDirectory(atPath: configuration.inbox, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: configuration.out, withIntermediateDirectories: true)
        // Two watchers on one inbox over one SQLite registry would both decide the same files: the
        // second says so and stops. Over a shared (PostgreSQL) registry they share the inbox: each
        // file is claimed by one, whose claim holds while it renews it.
        let lock = registry.isShared ? nil : try WatchLock(folders: [configuration.inbox, configuration.out])
        defer { withExtendedLifetime(lock) {} }
        let heartbeat = registry.isShared ? LeaseRenewal(registry: registry, logger: logger) : nil
        defer { heartbeat?.stop() }
        removeLeftoverTemporaries()
        let events = try FileEvents()
        events.watchTree(configuration.inbox)
        logger.notice("watching", metadata: ["inbox": "\(configuration.inbox)", "out": "\(configuration.out)"])
        var pause = 0.0
        var lastTrouble: FilingTrouble? = nil
        var lastRecordedWork = Date.distantPast
        while !shouldStop() {
            var nextDue: Date? = nil
            do {
                // Moves a commit recorded and that are not made yet (a crash, or a folder that could
                // not be written): made before anything new, and tried again now and then while blocked.
                if filer.blockedMoves.isEmpty || Date().timeIntervalSince(lastRecordedWork) >= configuration.rescanEvery {
                    lastRecordedWork = Date()
                    try finishRecordedWork()
                    try retakeChangedFailures()
                }
                let look = lookAtInbox()
                nextDue = look.nextDue
                var taken = 0
                for path in look.ready {
                    if shouldStop() { break }
                    try take(path)
                    taken += 1
                }
                if shouldStop() { break }
                taken += try decideOverdue()
                // What the day's first look has received is decided first; then the date's removals and notices.
                if programLifeDone != processingDate {
                    // Once for the office, however many workstations look: what another did is on record.
                    try registry.deciding { try filer.carryOutProgramLife() }
                    programLifeDone = processingDate
                }
                // The day at a glance, once per look that filed something (not once per file).
                if taken > 0 { filer.writeDaySummary() }
                if pause > 0 { logger.notice("filing again") }
                pause = 0
            } catch {
                guard let trouble = FilingTrouble(error) else { throw error }
                // Said when it starts and when it changes, not at every try; the wait grows to a minute.
                if pause == 0 || trouble != lastTrouble {
                    logger.error("cannot file: \(trouble); waiting, and trying again", metadata: ["out": "\(configuration.out)"])
                }
                lastTrouble = trouble
                pause = min(60, max(1, pause * 2))
                _ = events.wait(timeout: pause)
                continue
            }
            let timeout = min(configuration.rescanEvery, nextDue.map { max(0.05, $0.timeIntervalSinceNow) } ?? configuration.rescanEvery)
            if events.wait(timeout: timeout) { events.watchTree(configuration.inbox) }
        }
        logger.notice("stopped")
    }

    /// Files that have held still for the settle time, and when the next one will have.
    func lookAtInbox() -> (ready: [String], nextDue: Date?) {
        let now = Date()
        var present = Set<String>()
        var ready: [String] = []
        var nextDue: Date? = nil
        let (files, stuck) = Self.walk(configuration.inbox)
        for (path, why) in stuck { reportStuck(path, why) }
        for path in files {
            present.insert(path)
            // Decided already; its move waits for a folder to become writable.
            if filer.blockedMoves[path] != nil { continue }
            guard let stamp = DurableFiles.stamp(path) else { continue }
            if let rest = resting[path] {
                if rest.size == stamp.size, rest.modified == stamp.modified, rest.inode == stamp.inode {
                    if rest.until <= now { resting[path] = nil; ready.append(path) } else { nextDue = min(nextDue ?? rest.until, rest.until) }
                    continue
                }
                // Written to again: the writer had only paused; taken once it holds still.
                resting[path] = nil
            }
            if let known = seen[path], known.size == stamp.size, known.modified == stamp.modified {
                let due = known.since.addingTimeInterval(configuration.settle)
                if due <= now { ready.append(path) } else { nextDue = min(nextDue ?? due, due) }
            } else {
                seen[path] = (stamp.size, stamp.modified, now)
                let due = now.addingTimeInterval(configuration.settle)
                nextDue = min(nextDue ?? due, due)
            }
        }
        for gone in seen.keys where !present.contains(gone) { seen[gone] = nil }
        for gone in resting.keys where !present.contains(gone) { resting[gone] = nil }
        return (ready.sorted(), nextDue)
    }

    /// Every file under `folder` that the office means to send: hidden and temporary names skipped.
    static func files(under folder: String) -> [String] { walk(folder).files }

    /// Every file under `folder` to take, and the entries that can never be taken, with why (a
    /// folder that cannot be read; a pipe, socket or device): those are said once and listed by
    /// `status` instead of sitting in the inbox unseen.
    static func walk(_ folder: String) -> (files: [String], stuck: [String: String]) {
        var out: [String] = []
        var stuck: [String: String] = [:]
        var stack = [folder]
        let fm = FileManager.default
        while let dir = stack.popLast() {
            guard let names = try? fm.contentsOfDirectory(atPath: dir) else {
                if dir != folder { stuck[dir] = "a folder that cannot be read" }
                continue
            }
            for name in names where !isIgnored(name) {
                let path = (dir as NSString).appendingPathComponent(name)
                guard let stamp = DurableFiles.stamp(path) else { continue }
                if stamp.isFile || stamp.isLink {
                    out.append(path)
                } else {
                    var isDirectory: ObjCBool = false
                    if fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                        stack.append(path)
                    } else {
                        stuck[path] = "not a plain file (a pipe, socket or device)"
                    }
                }
            }
        }
        return (out, stuck)
    }

    /// Entries already said to be stuck in this run.
    private var reportedStuck = Set<String>()

    /// Says each entry that can never be taken once: a warning without its name (names can be
    /// personal), its path at debug, and an event in the registry that `status` lists.
    func reportStuck(_ path: String, _ why: String) {
        guard reportedStuck.insert(path).inserted else { return }
        logger.warning("an inbox entry cannot be taken", metadata: ["reason": "\(why)"])
        logger.debug("stuck inbox entry", metadata: ["path": "\(path)"])
        try? registry.log(sha256: nil, event: "stuck", detail: "\(why): \(path)")
    }

    /// Names of files still being written by the programs that copy into an inbox (browsers,
    /// file-transfer tools, office programs), in any case: they are taken once renamed.
    static let unfinishedSuffixes = [".part", ".tmp", ".crdownload", ".filepart", ".partial", ".download", ".opdownload", ".!ut", ".swp"]

    /// Hidden and temporary names: `.*`, `~$*`, `Thumbs.db`, `desktop.ini`, and the unfinished
    /// suffixes above (`A.PART` as `a.part`).
    public static func isIgnored(_ name: String) -> Bool {
        let lower = name.lowercased()
        return name.hasPrefix(".") || name.hasPrefix("~$") || lower == "thumbs.db" || lower == "desktop.ini"
            || unfinishedSuffixes.contains { lower.hasSuffix($0) }
    }

    // MARK: - Recovery

    /// Records and moves that commits recorded and that were not all made (the watcher stopped
    /// between the commit and the moves, or a folder could not be written): made now.
    func finishRecordedWork() throws {
        let moves = try registry.pendingMoves()
        guard !moves.isEmpty else { return }
        // Records are written before moves; a crash in between leaves moves recorded, so both are redone.
        let documents = try moves.compactMap { try registry.document(sha256: $0.sha256) }
        let unwritten = try filer.writeUnmatchedRecords(documents.filter { $0.applicationID == nil })
        try filer.afterCommit(Set(documents.compactMap(\.applicationID)), holding: unwritten)
        let made = moves.count - filer.blockedMoves.count
        if made > 0 { logger.notice("recovered", metadata: ["moves": "\(made)"]) }
        // Claimed documents whose file is still in the inbox are decided again when seen there.
    }

    /// Failed files already compared with the bytes that failed, as they were then.
    private var failureStamps: [String: (size: Int64, modified: Double)] = [:]

    /// A file failed while its writer was still at it (a copy that paused longer than the writer's
    /// pause) goes on being written where it was filed: once it has changed since and held still,
    /// it is put back in the inbox and taken again as the new bytes it now is.
    func retakeChangedFailures() throws {
        let fm = FileManager.default
        for d in try registry.documents(in: .failed) {
            guard let stored = d.storedPath, let stamp = DurableFiles.stamp(stored), stamp.isFile,
                  Date().timeIntervalSince1970 - stamp.modified >= configuration.settle else { continue }
            // Its bytes are compared with those that failed once for each size and time it has.
            if let known = failureStamps[stored], known.size == stamp.size, known.modified == stamp.modified { continue }
            failureStamps[stored] = (stamp.size, stamp.modified)
            guard let digest = Sniffer.digest(ofFileAt: stored), digest != d.sha256 else { continue }
            failureStamps[stored] = nil
            var destination = (configuration.inbox as NSString).appendingPathComponent(Filer.safeName(d.originalName))
            if Filer.exists(destination) {
                destination = (configuration.inbox as NSString).appendingPathComponent("\(d.sha256.prefix(8))-\(Filer.safeName(d.originalName))")
            }
            try DurableFiles.move(from: stored, to: destination)
            try registry.forgetStoredFile(sha256: d.sha256, detail: "changed after it failed; put back in the inbox to be taken again")
            let folder = (stored as NSString).deletingLastPathComponent
            try? fm.removeItem(atPath: (folder as NSString).appendingPathComponent("record.json"))
            if let left = try? fm.contentsOfDirectory(atPath: folder), left.isEmpty { try? fm.removeItem(atPath: folder) }
            logger.notice("a failed file changed since; taken again", metadata: ["sha256": "\(d.sha256.prefix(12))"])
        }
    }

    /// Temporaries of writes a crash cut short (`.<name>.tmp-<pid>`, `.<name>.part-<pid>`): hidden
    /// names, which no applicant's file filed here ever has.
    func removeLeftoverTemporaries() {
        let walker = FileManager.default.enumerator(atPath: configuration.out)
        var removed = 0
        while let relative = walker?.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            guard FileReplacement.isLeftover(name) else { continue }
            let path = (configuration.out as NSString).appendingPathComponent(relative)
            // OUT shared with other watchers: one of theirs may be writing it now; only old ones are leftovers.
            if registry.isShared, let stamp = DurableFiles.stamp(path), Date().timeIntervalSince1970 - stamp.modified < 600 { continue }
            try? FileManager.default.removeItem(atPath: path)
            removed += 1
        }
        if removed > 0 { logger.notice("removed leftover temporaries", metadata: ["count": "\(removed)"]) }
    }

    // MARK: - Taking one file

    /// Claims, decides, commits and files one settled file from the inbox.
    func take(_ path: String) throws {
        seen[path] = nil
        guard let stamp = DurableFiles.stamp(path) else { return }
        let name = (path as NSString).lastPathComponent
        // The sniff stage first, as for `process`: a file over a limit is refused before its bytes
        // are read, and known by a digest taken as it streams by.
        let file: InputFile
        let read: () -> ReadFile
        if stamp.isLink {
            // Never followed: its identity is where it points, and it is filed as it is.
            file = InputFile(path: path, data: Data("symbolic link to \(DurableFiles.linkTarget(path) ?? "?")".utf8))
            read = { .unreadable(file.withoutBytes, format: .unrecognized,
                                 Diagnostic(.unreadable, code: "symbolic-link", "the file is a symbolic link; links are not followed")) }
        } else {
            switch pipeline.sniffer.sniff(path: path) {
            case let .sniffed(sniffed, format):
                file = sniffed
                read = { [pipeline] in pipeline.reading.read(sniffed, format: format) }
            case let .failed(_, reason):
                guard let digest = Sniffer.digest(ofFileAt: path) else {
                    reportStuck(path, "cannot be read (\(reason.code))")
                    return
                }
                file = InputFile(path: path, sha256: digest)
                read = { .unreadable(file, format: .unrecognized, reason) }
            }
        }
        // The file read must be the file filed: one replaced, rewritten or still being written
        // while it was read is put back for the next look, once it holds still again.
        func unchanged() -> Bool {
            guard let now = DurableFiles.stamp(path), now.size == stamp.size, now.modified == stamp.modified,
                  now.inode == stamp.inode else {
                logger.notice("changed while it was read; taken again once it holds still", metadata: ["sha256": "\(file.sha256.prefix(12))"])
                return false
            }
            return true
        }
        switch try registry.claim(sha256: file.sha256, originalName: name, inboxPath: path, exclusive: !registry.isShared) {
        case .claimed:
            break
        case .resumed:
            logger.notice("resuming", metadata: ["sha256": "\(file.sha256.prefix(12))"])
        case .heldElsewhere:
            // Another workstation is deciding it; if that one stops, its claim runs out and is taken over here.
            return
        case let .known(known):
            // Decided here or by another workstation and not moved yet: the file itself, not a copy.
            if try registry.isBeingMoved(sha256: file.sha256, from: path) { return }
            guard unchanged() else { return }
            try fileDuplicate(path, sha256: file.sha256, of: known)
            return
        }
        // Other workstations' registrations ready from now on wait until this one is read and its own announced.
        try registry.beginReading(file.sha256)
        defer { try? registry.endReading([file.sha256]) }
        let result = read()
        if ReadFailure.isTransient(result) {
            // Not the document's fault: put back and read again (a few times), unless the service
            // is stopping, when it is simply left for the next start.
            let tries = (transientFailures[file.sha256] ?? 0) + 1
            transientFailures[file.sha256] = tries
            if stopping() || tries < Self.transientTries {
                try registry.release(sha256: file.sha256)
                logger.notice("not read, not its fault; read again later", metadata: [
                    "sha256": "\(file.sha256.prefix(12))", "reason": "\(result.reasons.map(\.code).joined(separator: ","))", "try": "\(tries)"])
                return
            }
        }
        transientFailures[file.sha256] = nil
        // Damage a copy still under way shows, on a file written to lately: its writer may only have
        // paused longer than the settle time. It is left where it is until it has held still for
        // the writer's pause; failed then if it is still damaged.
        let quiet = Date().timeIntervalSince1970 - stamp.modified
        if ReadFailure.mayBeCutShort(result), quiet < configuration.writerPause, !stamp.isLink {
            try registry.release(sha256: file.sha256)
            let until = Date(timeIntervalSince1970: stamp.modified + configuration.writerPause)
            resting[path] = (stamp.size, stamp.modified, stamp.inode, until)
            logger.notice("looks cut short, and was written to lately; looked at again once it has held still longer", metadata: [
                "sha256": "\(file.sha256.prefix(12))", "reason": "\(result.reasons.map(\.code).joined(separator: ","))",
                "seconds": "\(Int((configuration.writerPause - quiet).rounded(.up)))"])
            return
        }
        let received = pipeline.receive(result, index: Int.max)
        guard unchanged() else {
            try registry.release(sha256: file.sha256)
            return
        }
        switch received {
        case let .unmatched(unmatched): try fileUnmatched(unmatched, name: name)
        case let .forms(received): try fileForms(received, name: name)
        }
    }

    func fileDuplicate(_ path: String, sha256: String, of first: Registry.Document) throws {
        // Its own name if free, else one with the digest in it (and a count): two copies never
        // share a name, however close together they come.
        let name = Filer.safeName((path as NSString).lastPathComponent)
        let folder = "\(configuration.out)/duplicates"
        func free(_ candidate: String) -> Bool { !Filer.exists(candidate) && !Filer.exists(candidate + ".note.txt") }
        var destination = "\(folder)/\(name)"
        var count = 1
        while !free(destination) {
            destination = "\(folder)/\(sha256.prefix(12))-\(count == 1 ? "" : "\(count)-")\(name)"
            count += 1
        }
        let note = "The same bytes (sha256 \(sha256)) were received before as “\(first.originalName)” on \(first.receivedAt)"
            + (first.storedPath.map { ", filed at \($0)" } ?? "") + ".\n"
        try DurableFiles.write(Data(note.utf8), to: destination + ".note.txt")
        try DurableFiles.move(from: path, to: destination)
        try registry.log(sha256: sha256, applicationID: first.applicationID, event: "duplicate", detail: destination)
        logger.info("filed", metadata: ["sha256": "\(sha256.prefix(12))", "outcome": "duplicate"])
    }

    func fileUnmatched(_ unmatched: UnmatchedFile, name: String) throws {
        let record = pipeline.record(unmatched)
        let folder = record.decision.folder
        let dir = "\(configuration.out)/\(folder)/\(unmatched.sha256.prefix(12))"
        var destination = "\(dir)/\(Filer.safeName(name))"
        if Filer.exists(destination) { destination = "\(dir)/\(unmatched.sha256.prefix(8))-\(Filer.safeName(name))" }
        var filing = Registry.Filing()
        let json = try JSONOutput.string(record)
        filing.documents.append(.init(sha256: unmatched.sha256, kind: unmatched.kind.rawValue,
                                      state: record.decision == .failed ? .failed : .decided,
                                      applicationID: nil, storedPath: destination, recordJSON: json))
        filing.moves.append((unmatched.sha256, unmatched.path, destination))
        filing.events.append(.init(sha256: unmatched.sha256, applicationID: nil, event: "filed",
                                   detail: "\(folder): " + record.reasons.map(\.code).joined(separator: ","), edition: nil))
        try registry.commit(filing)
        try filer.makeMoves(holding: try filer.writeRecord(json, into: dir).map { [unmatched.sha256: $0] } ?? [:])
        logger.info("filed", metadata: ["sha256": "\(unmatched.sha256.prefix(12))", "outcome": "\(folder)",
                                        "reasons": "\(record.reasons.map(\.code).joined(separator: ","))"])
    }

    // MARK: - Forms: pair, decide or wait

    func fileForms(_ received: ReceivedFile<ReceivedDocument>, name: String) throws {
        // Pairing, superseding and rule 5 read what other workstations filed: decided one at a time.
        let touched = try registry.deciding(Registry.intents(received.documents), reading: [received.reference.sha256]) {
            try planForms(received, name: name)
        }
        try filer.afterCommit(touched)
    }

    /// Decides (or holds) what arrived with its partners on file, and commits it; the applications touched.
    func planForms(_ received: ReceivedFile<ReceivedDocument>, name: String) throws -> Set<String> {
        // Partners: documents waiting in pending, and the documents of rejected applications and
        // applications in review for the same WCB account (a corrected resubmission replaces them).
        let newAccounts = Set(received.documents.compactMap(\.wcbAccount))
        // A resubmission replaces the earlier document of its own kind for the account: that one is no partner.
        let newKinds = Set(received.documents.map(\.kind.rawValue))
        var accountOf: [String: String?] = [:]
        func account(_ id: String?) throws -> String? {
            guard let id else { return nil }
            if let known = accountOf[id] { return known }
            let wcb = try registry.application(id: id)?.wcbAccount
            accountOf[id] = wcb
            return wcb
        }
        var candidates: [Registry.Document] = []
        for d in try registry.documents(in: .pending) {
            let replaced = try newKinds.contains(d.kind) && account(d.applicationID).map(newAccounts.contains) == true
            if !replaced { candidates.append(d) }
        }
        for app in try registry.applications(in: [.rejected, .needsReview]) where app.wcbAccount.map(newAccounts.contains) ?? false {
            candidates += try registry.documents(ofApplication: app.id).filter { $0.state == .decided && !newKinds.contains($0.kind) }
        }
        let holding = filer.held(candidates)
        // The new file comes after every held one (its index is the largest), as it arrived.
        let receipts = holding.enumerated().map { pipeline.receive($1.read, index: $0) } + [.forms(received)]
        let mine = pipeline.assemble(receipts).applications.filter { $0.documents.contains { $0.sha256 == received.reference.sha256 } }
        var filing = Registry.Filing()
        var touched = Set<String>()
        let stored = Dictionary(uniqueKeysWithValues: holding.map { ($0.document.sha256, $0.document) })
        for var app in mine {
            let fromRejected = app.documents.compactMap { stored[$0.sha256] }.filter { $0.state == .decided }
            // An application keeps the id of the one it continues, so its folder stays put.
            if let previous = app.documents.compactMap({ stored[$0.sha256]?.applicationID }).first, fromRejected.isEmpty {
                app.id = previous
            }
            // A document decided on its own (Alberta's) is an application by itself: it replaces
            // nothing, waits for nothing, and the registration rules below are not its program's.
            let alone = app.documents.contains { $0.kind.isDecidedAlone }
            // What this replaces: pending, rejected or in-review applications for the same WCB account.
            let replaced = alone ? [] : try registry.applications(in: [.rejected, .pending, .needsReview])
                .filter { $0.id != app.id && $0.wcbAccount != nil && $0.wcbAccount == app.wcbAccount }
            // An account the program has already accepted: a new document for it goes to staff
            // at once (not to wait for a partner that is already on file).
            // (One whose registration was removed or withdrawn holds none: L4 decides a new one.)
            let registered = alone ? nil : try app.wcbAccount.flatMap { account -> Registry.StoredApplication? in
                if let life = filer.life, let latest = try life.lives(of: account).last, !latest.status.inForce { return nil }
                return try registry.applications(account: account).last { $0.state == .accepted && $0.id != app.id }
            }
            let complete = alone || (app.registration != nil && app.declaration != nil)
            let waiting = !complete && !isOverdue(app, stored: stored) && registered == nil
            try filer.plan(app, pending: waiting, stored: stored, newName: name, into: &filing, supersedes: replaced.map(\.id),
                           alreadyRegistered: try registered.map { ($0.id, try registry.latestDecision(of: $0.id)?.decidedOn) })
            touched.insert(app.id)
            for old in replaced {
                try filer.supersede(old, by: app.id, keeping: Set(app.documents.map(\.sha256)), into: &filing)
                touched.insert(old.id)
            }
        }
        try registry.commit(filing)
        return touched
    }

    func isOverdue(_ app: Application, stored: [String: Registry.Document]) -> Bool {
        let limit = configuration.pairWaitDays * 86_400
        return app.documents.contains { doc in
            guard let received = stored[doc.sha256].flatMap({ Filer.receivedTime($0) }) else { return false }
            return Date().timeIntervalSince(received) >= limit
        }
    }

    /// Pending applications whose wait is over are decided without their partner.
    @discardableResult
    func decideOverdue() throws -> Int {
        let pending = try registry.documents(in: .pending)
        guard !pending.isEmpty else { return 0 }
        let limit = configuration.pairWaitDays * 86_400
        let overdueApps = Set(pending.filter { d in
            Filer.receivedTime(d).map { Date().timeIntervalSince($0) >= limit } ?? false
        }.compactMap(\.applicationID))
        for id in overdueApps.sorted() {
            let decided = try registry.deciding { () -> Bool in
                // Looked at again under the lock: another workstation may have decided it meanwhile.
                let docs = try registry.documents(ofApplication: id).filter { $0.state == .pending }
                guard !docs.isEmpty else { return false }
                let holding = filer.held(docs)
                let applications = pipeline.assemble(holding.enumerated().map { pipeline.receive($1.read, index: $0) }).applications
                var filing = Registry.Filing()
                let stored = Dictionary(uniqueKeysWithValues: holding.map { ($0.document.sha256, $0.document) })
                for var app in applications {
                    app.id = id
                    try filer.plan(app, pending: false, stored: stored, newName: "", into: &filing)
                }
                filing.events.append(.init(sha256: nil, applicationID: id, event: "pair-wait over",
                                           detail: "decided without its partner after \(configuration.pairWaitDays) days", edition: nil))
                try registry.commit(filing)
                return true
            }
            if decided { try filer.afterCommit([id]) }
        }
        return overdueApps.count
    }
}

/// Renews a watcher's claims while it lives, on a thread of its own (a long read does not let
/// them run out). A watcher killed stops renewing; its claims are then taken over elsewhere.
final class LeaseRenewal: @unchecked Sendable {
    private let stopped = NSCondition()
    private var isStopped = false

    init(registry: Registry, logger: Logger) {
        let every = max(0.5, registry.leaseSeconds / 3)
        Thread.detachNewThread { [self] in
            stopped.lock()
            while !isStopped {
                stopped.unlock()
                do { try registry.renewLeases() } catch {
                    logger.error("cannot renew this watcher's claims: \(error)")
                }
                stopped.lock()
                _ = stopped.wait(until: Date().addingTimeInterval(every))
            }
            stopped.unlock()
        }
    }

    func stop() {
        stopped.lock()
        isStopped = true
        stopped.broadcast()
        stopped.unlock()
    }
}

public struct WatchError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
